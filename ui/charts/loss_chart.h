#pragma once
// Chart 1: the objective and every named series the model reports (bpr_mean, variance,
// align, env_0..env_M, ...) per batch, smoothed by an exponential moving average whose
// weight the slider sets, or per epoch (batch means); log-scale toggle. Clicking a legend
// entry hides or shows that series (the axis rescales to what is shown).
#include "ui/charts/chart_panel.h"
#include "ui/training_worker.h"

#include <QMap>
#include <QSet>
#include <QVector>

class QCheckBox;
class QSlider;
class QCPGraph;

namespace milk::ui {

class LossChart : public ChartPanel {
    Q_OBJECT
public:
    explicit LossChart(QWidget* parent = nullptr);
    void add_batches(const BatchChunk& chunk);
    void add_epoch(const EpochEvent& event);
    void clear() override;
    void set_smoothing(double weight);  // 0 = raw, 0.99 = heavy
    void set_per_epoch(bool per_epoch);
    void set_log_scale(bool log);
    QStringList series_names() const { return order_; }
    void set_series_visible(const QString& name, bool visible);
    bool series_visible(const QString& name) const { return !hidden_.contains(name); }

private:
    struct Series {
        QVector<double> batch_x, batch_y, epoch_x, epoch_y;
        QCPGraph* graph = nullptr;
    };
    Series& series(const QString& name);
    void rebuild();
    QMap<QString, Series> series_;
    QStringList order_;
    // Hidden series, toggled from the legend; survives clear(). `reg` (MILK's raw L2 norms,
    // ~1e-4 of them enter the objective) starts hidden: at ~1.5 it would flatten the BPR curves.
    QSet<QString> hidden_{QStringLiteral("reg")};
    double smoothing_ = 0.8;
    bool per_epoch_ = false;
    QSlider* slider_ = nullptr;
    QCheckBox* per_epoch_box_ = nullptr;
    QCheckBox* log_box_ = nullptr;
};

}  // namespace milk::ui
