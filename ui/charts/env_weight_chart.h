#pragma once
// Chart 2: MILK's environments. Left: the latest batch's modality weights per environment
// as stacked bars (e = 0 keeps the equal weights; e >= 1 are the cyclic shifts of one
// Dirichlet draw, so each modality dominates one environment). Right: the history of the
// draws — for M = 2 a histogram of theta (weight of the first modality), for M = 3 the
// points on the simplex as a ternary scatter, for other M the first modality's weight.
#include "ui/charts/chart_panel.h"
#include "ui/training_worker.h"

#include <QStringList>

class QCPAxisRect;
class QCPGraph;

namespace milk::ui {

class EnvWeightChart : public ChartPanel {
    Q_OBJECT
public:
    explicit EnvWeightChart(QWidget* parent = nullptr);
    void set_modalities(const QStringList& names);
    // weights: environments x modalities; history: further samples for the right panel.
    void set_latest(const std::vector<std::vector<float>>& weights);
    void add_history(const std::vector<std::vector<std::vector<float>>>& samples);
    void add_batches(const BatchChunk& chunk);
    void clear() override;
    int history_size() const { return history_count_; }

private:
    void ensure_history_axes(int m);
    QStringList modalities_;
    QCPAxisRect* history_rect_ = nullptr;
    QCPGraph* history_graph_ = nullptr;  // ternary scatter or per-sample line
    QVector<double> theta_;              // M = 2 histogram input
    int history_count_ = 0;
    int history_m_ = 0;
};

}  // namespace milk::ui
