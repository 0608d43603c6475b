#pragma once
// The run history from the RunStore: a sortable, filterable table (model, dataset,
// scenario, seed, best epoch, test Recall@20 / NDCG@20 overall and per group, duration,
// status incl. interrupted), delete with confirmation, and a comparison of the selected
// runs: their validation curves overlaid, their per-group test bars side by side, and
// the config keys in which they differ; and, for one selected run, its robustness to
// missing modalities (FTFT vs FTMT, RobustnessView).
#include <QWidget>

#include <cstdint>
#include <functional>
#include <vector>

class QLineEdit;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;
class QTextBrowser;
class QCheckBox;
class QTabWidget;

namespace milk::ui {

class ChartPanel;
class RunCurvesChart;
class RunBarsChart;
class RobustnessView;

class RunsView : public QWidget {
    Q_OBJECT
public:
    explicit RunsView(const QString& db_path, QWidget* parent = nullptr);
    void refresh();
    int row_count() const;
    std::vector<std::int64_t> selected_ids() const;
    void select_ids(const std::vector<std::int64_t>& ids);
    void delete_selected();
    QString error() const { return error_; }
    QStandardItemModel* model() const { return model_; }
    ChartPanel* curves_chart() const;
    ChartPanel* bars_chart() const;
    QString config_diff_html() const;
    RobustnessView* robustness_view() const { return robustness_; }
    // The lower half: 0 = comparison of the selected runs, 1 = robustness of one run.
    QTabWidget* detail_tabs() const { return details_; }
    // Tests answer the delete question without a modal dialog.
    void set_delete_confirmer(std::function<bool(int)> confirm) { confirm_delete_ = std::move(confirm); }

private:
    void update_comparison();
    QString db_path_;
    QString error_;
    QStandardItemModel* model_ = nullptr;
    QSortFilterProxyModel* proxy_ = nullptr;
    QTableView* table_ = nullptr;
    QLineEdit* filter_ = nullptr;
    QCheckBox* diff_only_ = nullptr;
    QTextBrowser* diff_ = nullptr;
    RunCurvesChart* curves_ = nullptr;
    RunBarsChart* bars_ = nullptr;
    RobustnessView* robustness_ = nullptr;
    QTabWidget* details_ = nullptr;
    std::function<bool(int)> confirm_delete_;
};

}  // namespace milk::ui
