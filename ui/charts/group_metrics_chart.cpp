#include "ui/charts/group_metrics_chart.h"

#include "ui/palette.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <qcustomplot.h>

namespace milk::ui {

GroupMetricsChart::GroupMetricsChart(QWidget* parent) : ChartPanel(tr("Per-group metrics"), parent) {
    controls()->addWidget(new QLabel(QStringLiteral("K")));
    k_box_ = new QComboBox;
    k_box_->setToolTip(tr("Cut-off of NDCG@K and Recall@K"));
    controls()->addWidget(k_box_);
    connect(k_box_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    set_ks({10, 20, 50}, 20);
    // Left: the default axis rect (lines, legend inside); right: the test bars.
    bars_rect_ = new QCPAxisRect(plot());
    plot()->plotLayout()->addElement(0, 1, bars_rect_);
    plot()->plotLayout()->setColumnStretchFactors({1.6, 1.0});
    plot()->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    bars_rect_->axis(QCPAxis::atBottom)->grid()->setVisible(false);
    rebuild();
}

void GroupMetricsChart::set_ks(const std::vector<int>& ks, int selected) {
    QSignalBlocker block(k_box_);
    k_box_->clear();
    for (int k : ks) k_box_->addItem(QString::number(k), k);
    const int index = k_box_->findData(selected);
    k_box_->setCurrentIndex(index >= 0 ? index : 0);
}

int GroupMetricsChart::k() const { return k_box_->currentData().toInt(); }

void GroupMetricsChart::set_k(int k) {
    const int index = k_box_->findData(k);
    if (index >= 0) k_box_->setCurrentIndex(index);
}

void GroupMetricsChart::add_validation(int epoch, const EvalResult& result) {
    validation_.emplace_back(epoch, result);
    rebuild();
}

void GroupMetricsChart::set_test(int best_epoch, const EvalResult& result) {
    test_ = std::make_pair(best_epoch, result);
    rebuild();
}

void GroupMetricsChart::clear() {
    validation_.clear();
    test_.reset();
    rebuild();
}

void GroupMetricsChart::rebuild() {
    const int kk = k();
    plot()->clearPlottables();
    QCPAxis* x = plot()->xAxis;
    QCPAxis* y = plot()->yAxis;
    x->setLabel(tr("epoch"));
    y->setLabel(tr("validation NDCG@%1 (solid), Recall@%1 (dashed)").arg(kk));
    // Groups in the order the first result lists them.
    QStringList groups;
    for (const auto& [epoch, r] : validation_)
        for (const GroupResult& g : r.groups)
            if (!groups.contains(QString::fromStdString(g.group))) groups << QString::fromStdString(g.group);
    for (const QString& group : groups) {
        for (int metric = 0; metric < 2; ++metric) {
            auto* graph = new QCPGraph(x, y);
            graph->setName(QStringLiteral("%1 %2").arg(group, metric == 0 ? QStringLiteral("NDCG") : QStringLiteral("Recall")));
            QPen pen(group_color(group), metric == 0 ? 2.0 : 1.4);
            if (metric == 1) {
                pen.setStyle(Qt::DashLine);
                graph->removeFromLegend();
            }
            graph->setPen(pen);
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
            for (const auto& [epoch, r] : validation_) {
                const double v = r.metric(group.toStdString(), metric == 0 ? "ndcg" : "recall", kk);
                if (!std::isnan(v)) graph->addData(epoch, v);
            }
            if (metric == 0) graph->setName(group);
        }
    }
    if (!validation_.empty()) {
        plot()->rescaleAxes();
        y->setRangeLower(0);
        x->setRange(0.5, validation_.back().first + 0.5);
    } else {
        x->setRange(0, 1);
        y->setRange(0, 0.1);
    }

    QCPAxis* bx = bars_rect_->axis(QCPAxis::atBottom);
    QCPAxis* by = bars_rect_->axis(QCPAxis::atLeft);
    by->setLabel(test_ ? tr("test @ best epoch %1").arg(test_->first) : tr("test @ best epoch (after training)"));
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    ticker->addTick(0, QStringLiteral("Recall@%1").arg(kk));
    ticker->addTick(1, QStringLiteral("NDCG@%1").arg(kk));
    bx->setTicker(ticker);
    bx->setRange(-0.6, 1.6);
    if (test_) {
        if (!bars_group_) bars_group_ = new QCPBarsGroup(plot());
        bars_group_->clear();
        double top = 0;
        const int n = static_cast<int>(test_->second.groups.size());
        for (const GroupResult& g : test_->second.groups) {
            const QString name = QString::fromStdString(g.group);
            auto* bars = new QCPBars(bx, by);
            bars->setName(QStringLiteral("test %1 (%2 items)").arg(name).arg(g.n_items));
            bars->removeFromLegend();
            bars->setBrush(group_color(name));
            bars->setPen(QPen(group_color(name).darker(130)));
            bars->setWidth(0.8 / std::max(1, n));
            auto it = g.at_k.find(kk);
            const double recall = it != g.at_k.end() ? it->second.recall : 0;
            const double ndcg = it != g.at_k.end() ? it->second.ndcg : 0;
            bars->setData(QVector<double>{0, 1}, QVector<double>{recall, ndcg}, true);
            bars->setBarsGroup(bars_group_);
            top = std::max({top, recall, ndcg});
        }
        by->setRange(0, top * 1.15 + 1e-6);
    } else {
        by->setRange(0, 0.1);
    }
    replot();
}

}  // namespace milk::ui
