#include "ui/charts/loss_chart.h"

#include "ui/palette.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <qcustomplot.h>

#include <cmath>

namespace milk::ui {

LossChart::LossChart(QWidget* parent) : ChartPanel(tr("Losses"), parent) {
    auto* label = new QLabel(tr("Smoothing"));
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setRange(0, 99);
    slider_->setValue(static_cast<int>(smoothing_ * 100));
    slider_->setMaximumWidth(110);
    slider_->setToolTip(tr("Exponential moving average weight of the per-batch curves (0 = raw)"));
    per_epoch_box_ = new QCheckBox(tr("Per epoch"));
    log_box_ = new QCheckBox(tr("Log scale"));
    controls()->addWidget(label);
    controls()->addWidget(slider_);
    controls()->addWidget(per_epoch_box_);
    controls()->addWidget(log_box_);
    connect(slider_, &QSlider::valueChanged, this, [this](int v) { set_smoothing(v / 100.0); });
    connect(per_epoch_box_, &QCheckBox::toggled, this, &LossChart::set_per_epoch);
    connect(log_box_, &QCheckBox::toggled, this, &LossChart::set_log_scale);
    plot()->xAxis->setLabel(tr("epoch"));
    plot()->yAxis->setLabel(tr("loss (per triple)"));
    plot()->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    auto* hint = new QLabel(tr("(legend: click to hide/show)"));
    hint->setStyleSheet(QStringLiteral("color: %1").arg(muted_color().name()));
    controls()->addWidget(hint);
    connect(plot(), &QCustomPlot::legendClick, this, [this](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*) {
        auto* entry = qobject_cast<QCPPlottableLegendItem*>(item);
        if (entry == nullptr) return;
        for (auto it = series_.cbegin(); it != series_.cend(); ++it)
            if (it->graph == entry->plottable()) {
                set_series_visible(it.key(), hidden_.contains(it.key()));
                break;
            }
    });
}

void LossChart::set_series_visible(const QString& name, bool visible) {
    if (visible) {
        hidden_.remove(name);
    } else {
        hidden_.insert(name);
    }
    rebuild();
}

LossChart::Series& LossChart::series(const QString& name) {
    auto it = series_.find(name);
    if (it != series_.end()) return *it;
    Series s;
    s.graph = plot()->addGraph();
    s.graph->setName(name == QLatin1String("loss") ? tr("loss (objective)") : name);
    QPen pen(series_color(name));
    pen.setWidthF(name == QLatin1String("loss") ? 2.0 : 1.3);
    if (name.startsWith(QLatin1String("env_"))) pen.setStyle(Qt::DashLine);
    s.graph->setPen(pen);
    order_ << name;
    return *series_.insert(name, s);
}

void LossChart::add_batches(const BatchChunk& chunk) {
    for (const BatchPoint& p : chunk.points) {
        const double x = (p.epoch - 1) + static_cast<double>(p.batch) / std::max(1, p.n_batches);
        Series& total = series(QStringLiteral("loss"));
        total.batch_x << x;
        total.batch_y << p.loss;
        for (const auto& [name, value] : p.series) {
            Series& s = series(QString::fromStdString(name));
            s.batch_x << x;
            s.batch_y << value;
        }
    }
    if (!per_epoch_) rebuild();
}

void LossChart::add_epoch(const EpochEvent& e) {
    Series& total = series(QStringLiteral("loss"));
    total.epoch_x << e.epoch;
    total.epoch_y << e.loss;
    for (const auto& [name, value] : e.series) {
        Series& s = series(QString::fromStdString(name));
        s.epoch_x << e.epoch;
        s.epoch_y << value;
    }
    if (per_epoch_) rebuild();
}

void LossChart::rebuild() {
    const bool log = log_box_->isChecked();
    for (auto it = series_.begin(); it != series_.end(); ++it) {
        Series& s = *it;
        if (per_epoch_) {
            s.graph->setData(s.epoch_x, s.epoch_y, true);
            s.graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        } else {
            QVector<double> y(s.batch_y.size());
            double ema = 0;
            for (int i = 0; i < s.batch_y.size(); ++i) {
                ema = i == 0 ? s.batch_y[i] : smoothing_ * ema + (1 - smoothing_) * s.batch_y[i];
                y[i] = ema;
            }
            s.graph->setData(s.batch_x, y, true);
            s.graph->setScatterStyle(QCPScatterStyle());
        }
        // A log axis cannot show values <= 0 (e.g. a zero alignment term): hide those series.
        bool positive = true;
        if (log) {
            for (auto d = s.graph->data()->constBegin(); d != s.graph->data()->constEnd(); ++d)
                if (!(d->value > 0)) positive = false;
        }
        const bool hidden = hidden_.contains(it.key());
        s.graph->setVisible(!hidden && (!log || positive));
        if (auto* entry = plot()->legend->itemWithPlottable(s.graph))
            entry->setTextColor(hidden ? muted_color() : plot()->legend->textColor());
    }
    plot()->rescaleAxes(true);
    if (log) {
        plot()->yAxis->setScaleType(QCPAxis::stLogarithmic);
        plot()->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    } else {
        plot()->yAxis->setScaleType(QCPAxis::stLinear);
        plot()->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    replot();
}

void LossChart::set_smoothing(double weight) {
    smoothing_ = weight;
    if (slider_->value() != static_cast<int>(std::lround(weight * 100))) slider_->setValue(static_cast<int>(std::lround(weight * 100)));
    rebuild();
}

void LossChart::set_per_epoch(bool per_epoch) {
    per_epoch_ = per_epoch;
    per_epoch_box_->setChecked(per_epoch);
    rebuild();
}

void LossChart::set_log_scale(bool log) {
    log_box_->setChecked(log);
    rebuild();
}

void LossChart::clear() {
    plot()->clearGraphs();
    series_.clear();
    order_.clear();
    replot();
}

}  // namespace milk::ui
