#include "ui/charts/variance_chart.h"

#include "ui/palette.h"

#include <qcustomplot.h>

namespace milk::ui {

VarianceChart::VarianceChart(QWidget* parent) : ChartPanel(tr("Loss variance across environments"), parent) {
    plot()->xAxis->setLabel(tr("epoch"));
    plot()->yAxis->setLabel(tr("Var_e of BPR_e (Eq. 16)"));
    ensure_graphs();
}

void VarianceChart::ensure_graphs() {
    if (batch_graph_) return;
    batch_graph_ = plot()->addGraph();
    batch_graph_->setName(tr("per batch"));
    batch_graph_->setPen(QPen(series_color(QStringLiteral("variance")).lighter(150), 1));
    epoch_graph_ = plot()->addGraph();
    epoch_graph_->setName(tr("epoch mean"));
    epoch_graph_->setPen(QPen(series_color(QStringLiteral("variance")), 2));
    epoch_graph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    note_ = new QCPItemText(plot());
    note_->position->setType(QCPItemPosition::ptAxisRectRatio);
    note_->position->setCoords(0.5, 0.5);
    note_->setText(tr("no variance series yet (MILK reports one; other models may not)"));
    note_->setColor(muted_color());
}

void VarianceChart::add_batches(const BatchChunk& chunk) {
    bool any = false;
    for (const BatchPoint& p : chunk.points) {
        for (const auto& [name, value] : p.series) {
            if (name != kSeries) continue;
            batch_graph_->addData((p.epoch - 1) + static_cast<double>(p.batch) / std::max(1, p.n_batches), value);
            any = true;
        }
    }
    if (!any) return;
    note_->setVisible(false);
    plot()->rescaleAxes();
    plot()->yAxis->setRangeLower(0);
    replot();
}

void VarianceChart::add_epoch(const EpochEvent& e) {
    for (const auto& [name, value] : e.series) {
        if (name != kSeries) continue;
        epoch_graph_->addData(e.epoch, value);
        note_->setVisible(false);
    }
    plot()->rescaleAxes();
    plot()->yAxis->setRangeLower(0);
    replot();
}

void VarianceChart::clear() {
    batch_graph_->data()->clear();
    epoch_graph_->data()->clear();
    note_->setVisible(true);
    replot();
}

}  // namespace milk::ui
