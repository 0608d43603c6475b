#include "ui/charts/env_weight_chart.h"

#include "ui/palette.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace milk::ui {

namespace {
constexpr int kThetaBins = 20;
constexpr int kMaxHistory = 4000;
}  // namespace

EnvWeightChart::EnvWeightChart(QWidget* parent) : ChartPanel(tr("Environment weights"), parent) {
    plot()->xAxis->setLabel(tr("environment e (latest batch)"));
    plot()->yAxis->setLabel(tr("modality weight"));
    // Headroom above 1 keeps the legend (top) off the bars.
    plot()->yAxis->setRange(0, 1.35);
    plot()->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignHCenter);
    history_rect_ = new QCPAxisRect(plot());
    plot()->plotLayout()->addElement(0, 1, history_rect_);
    history_rect_->axis(QCPAxis::atBottom)->setLabel(tr("history"));
    plot()->legend->setVisible(true);
}

void EnvWeightChart::set_modalities(const QStringList& names) { modalities_ = names; }

void EnvWeightChart::set_latest(const std::vector<std::vector<float>>& weights) {
    if (weights.empty()) return;
    const int n_env = static_cast<int>(weights.size());
    const int m = static_cast<int>(weights.front().size());
    // Rebuild the stacked bars of the main axis rect (history plottables live in the other rect).
    for (int i = plot()->plottableCount() - 1; i >= 0; --i) {
        auto* b = qobject_cast<QCPBars*>(plot()->plottable(i));
        if (b && b->keyAxis() == plot()->xAxis) plot()->removePlottable(b);
    }
    QCPBars* below = nullptr;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int e = 0; e < n_env; ++e)
        ticker->addTick(e, e == 0 ? tr("e=0\n(equal)") : QStringLiteral("e=%1").arg(e));
    for (int k = 0; k < m; ++k) {
        auto* bars = new QCPBars(plot()->xAxis, plot()->yAxis);
        bars->setName(k < modalities_.size() ? modalities_[k] : QStringLiteral("modality %1").arg(k));
        bars->setBrush(modality_color(k));
        bars->setPen(QPen(modality_color(k).darker(130)));
        bars->setWidth(0.6);
        QVector<double> keys, values;
        for (int e = 0; e < n_env; ++e) {
            keys << e;
            values << (k < static_cast<int>(weights[e].size()) ? weights[e][k] : 0.0);
        }
        bars->setData(keys, values, true);
        if (below) bars->moveAbove(below);
        below = bars;
    }
    plot()->xAxis->setTicker(ticker);
    plot()->xAxis->setRange(-0.6, n_env - 0.4);
    plot()->yAxis->setRange(0, 1.35);
    replot();
}

void EnvWeightChart::ensure_history_axes(int m) {
    if (history_m_ == m) return;
    history_m_ = m;
    QCPAxis* x = history_rect_->axis(QCPAxis::atBottom);
    QCPAxis* y = history_rect_->axis(QCPAxis::atLeft);
    if (history_graph_) {
        plot()->removePlottable(history_graph_);
        history_graph_ = nullptr;
    }
    const QString first = modalities_.value(0, QStringLiteral("modality 0"));
    if (m == 2) {
        x->setLabel(tr("theta = weight of %1 (Dirichlet draws)").arg(first));
        y->setLabel(tr("count"));
        x->setRange(0, 1);
    } else if (m == 3) {
        x->setLabel(tr("simplex (ternary): corners = %1 / %2 / %3")
                        .arg(modalities_.value(0, "m0"), modalities_.value(1, "m1"), modalities_.value(2, "m2")));
        y->setLabel(QString());
        x->setRange(-0.05, 1.05);
        y->setRange(-0.05, 0.95);
        x->setTicks(false);
        y->setTicks(false);
        x->setTickLabels(false);
        y->setTickLabels(false);
        // The triangle: corner k at modality k's vertex.
        auto* outline = new QCPCurve(x, y);
        outline->setName(tr("simplex"));
        outline->removeFromLegend();
        const double h = std::sqrt(3.0) / 2;
        outline->setData(QVector<double>{0, 1, 2, 3}, QVector<double>{0, 1, 0.5, 0}, QVector<double>{0, 0, h, 0});
        outline->setPen(QPen(muted_color()));
        for (int k = 0; k < 3; ++k) {
            auto* label = new QCPItemText(plot());
            label->setClipAxisRect(history_rect_);
            label->position->setAxes(x, y);
            const double cx = k == 0 ? 0.0 : (k == 1 ? 1.0 : 0.5), cy = k == 2 ? h : 0.0;
            label->position->setCoords(cx, cy + (k == 2 ? 0.04 : -0.03));
            label->setText(modalities_.value(k, QStringLiteral("m%1").arg(k)));
            label->setColor(modality_color(k).darker(140));
        }
        history_graph_ = new QCPGraph(x, y);
        history_graph_->setLineStyle(QCPGraph::lsNone);
        history_graph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, draw_color(90), 4));
        history_graph_->setName(tr("env weights (history)"));
    } else {
        x->setLabel(tr("batch sample"));
        y->setLabel(tr("weight of %1, e=1").arg(first));
        history_graph_ = new QCPGraph(x, y);
        history_graph_->setName(tr("weight of %1").arg(first));
    }
}

void EnvWeightChart::add_history(const std::vector<std::vector<std::vector<float>>>& samples) {
    for (const auto& w : samples) {
        if (w.size() < 2 || history_count_ >= kMaxHistory) continue;
        const int m = static_cast<int>(w.front().size());
        ensure_history_axes(m);
        ++history_count_;
        // Environments e >= 1 carry the Dirichlet draw and its shifts; e = 0 is fixed.
        for (std::size_t e = 1; e < w.size(); ++e) {
            if (m == 2) {
                theta_ << w[e][0];
            } else if (m == 3) {
                const double s = w[e][0] + w[e][1] + w[e][2];
                if (!(s > 0)) continue;
                // Corner 0 at (0,0), corner 1 at (1,0), corner 2 at (0.5, sqrt(3)/2).
                const double x = (w[e][1] + 0.5 * w[e][2]) / s, y = (std::sqrt(3.0) / 2) * w[e][2] / s;
                history_graph_->addData(x, y);
            } else if (e == 1) {
                history_graph_->addData(history_count_, w[e][0]);
            }
        }
    }
    if (history_m_ == 2) {
        // Histogram of theta as bars in the history rect.
        QCPAxis* x = history_rect_->axis(QCPAxis::atBottom);
        QCPAxis* y = history_rect_->axis(QCPAxis::atLeft);
        QCPBars* hist = nullptr;
        for (int i = 0; i < plot()->plottableCount(); ++i) {
            auto* b = qobject_cast<QCPBars*>(plot()->plottable(i));
            if (b && b->keyAxis() == x) hist = b;
        }
        if (!hist) {
            hist = new QCPBars(x, y);
            hist->setName(tr("theta histogram"));
            hist->removeFromLegend();
            hist->setWidth(1.0 / kThetaBins);
            hist->setBrush(draw_color(150));
        }
        QVector<double> keys(kThetaBins), counts(kThetaBins, 0);
        for (int b = 0; b < kThetaBins; ++b) keys[b] = (b + 0.5) / kThetaBins;
        for (double t : theta_) counts[std::clamp(static_cast<int>(t * kThetaBins), 0, kThetaBins - 1)] += 1;
        hist->setData(keys, counts, true);
        y->setRange(0, *std::max_element(counts.begin(), counts.end()) * 1.1 + 1);
    } else if (history_m_ != 3 && history_graph_) {
        history_graph_->rescaleAxes();
    }
}

void EnvWeightChart::add_batches(const BatchChunk& chunk) {
    if (chunk.env_weights.empty()) return;
    set_latest(chunk.env_weights);
    add_history(chunk.env_history);
    replot();
}

void EnvWeightChart::clear() {
    for (int i = plot()->plottableCount() - 1; i >= 0; --i) plot()->removePlottable(i);
    plot()->clearItems();
    history_graph_ = nullptr;
    history_m_ = 0;
    history_count_ = 0;
    theta_.clear();
    QCPAxis* x = history_rect_->axis(QCPAxis::atBottom);
    QCPAxis* y = history_rect_->axis(QCPAxis::atLeft);
    x->setTicks(true);
    y->setTicks(true);
    x->setTickLabels(true);
    y->setTickLabels(true);
    replot();
}

}  // namespace milk::ui
