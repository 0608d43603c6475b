#pragma once
// Chart 4: per-group ranking quality. Top: validation NDCG@K (solid) and Recall@K (dashed)
// per epoch, one colour per group (palette.h). Bottom: the test results at the best
// validation epoch per group as grouped bars (the paper's Figure 3). K is selectable.
#include "ui/charts/chart_panel.h"

#include "core/eval/ranking_metrics.h"

#include <QVector>

#include <optional>
#include <utility>

class QComboBox;
class QCPAxisRect;
class QCPBarsGroup;

namespace milk::ui {

class GroupMetricsChart : public ChartPanel {
    Q_OBJECT
public:
    explicit GroupMetricsChart(QWidget* parent = nullptr);
    void set_ks(const std::vector<int>& ks, int selected);
    void add_validation(int epoch, const EvalResult& result);
    void set_test(int best_epoch, const EvalResult& result);
    void clear() override;
    int k() const;
    void set_k(int k);
    int validation_epochs() const { return static_cast<int>(validation_.size()); }
    bool has_test() const { return test_.has_value(); }

private:
    void rebuild();
    QComboBox* k_box_ = nullptr;
    QCPAxisRect* bars_rect_ = nullptr;
    QCPBarsGroup* bars_group_ = nullptr;
    std::vector<std::pair<int, EvalResult>> validation_;
    std::optional<std::pair<int, EvalResult>> test_;
};

}  // namespace milk::ui
