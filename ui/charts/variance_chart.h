#pragma once
// Chart 3: the variance of the per-environment BPR losses (CEIM's penalty, Eq. 16) over
// time, per batch and as epoch means: the quantity MILK pushes down so that no single
// modality mix is preferred.
#include "ui/charts/chart_panel.h"
#include "ui/training_worker.h"

class QCPGraph;
class QCPItemText;

namespace milk::ui {

class VarianceChart : public ChartPanel {
    Q_OBJECT
public:
    explicit VarianceChart(QWidget* parent = nullptr);
    void add_batches(const BatchChunk& chunk);
    void add_epoch(const EpochEvent& event);
    void clear() override;
    static constexpr const char* kSeries = "variance";

private:
    void ensure_graphs();
    QCPGraph* batch_graph_ = nullptr;
    QCPGraph* epoch_graph_ = nullptr;
    QCPItemText* note_ = nullptr;
};

}  // namespace milk::ui
