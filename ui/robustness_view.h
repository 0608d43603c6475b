#pragma once
// Robustness to missing modalities (paper Figure 5) for one finished run: its best
// checkpoint evaluated under FTFT and FTMT off the GUI thread (core/train/robustness.h,
// the path of `milk eval`), per group NDCG@20 and Recall@20 side by side with the
// relative drop. Items are grouped by FTMT's mask, so each row compares the same items.
#include "core/train/robustness.h"

#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>

class QLabel;
class QPushButton;
class QTableWidget;
template <typename T>
class QFutureWatcher;

namespace milk::ui {

class ChartPanel;
class RobustnessChart;

class RobustnessView : public QWidget {
    Q_OBJECT
public:
    explicit RobustnessView(QWidget* parent = nullptr);
    ~RobustnessView() override;
    // The run to evaluate (0 = none); enables the button when it has a checkpoint.
    void set_run(const QString& db_path, std::int64_t id);
    std::int64_t run_id() const { return id_; }
    bool can_evaluate() const;
    bool is_running() const;
    // Starts the evaluation in a worker thread; finished(ok) follows.
    void evaluate();
    const std::optional<RobustnessResult>& result() const { return result_; }
    QString error() const { return error_; }
    QTableWidget* table() const { return table_; }
    ChartPanel* chart() const;

signals:
    void finished(bool ok);

private:
    struct Outcome {
        std::optional<RobustnessResult> result;
        QString error;
        std::shared_ptr<const Dataset> dataset;
        std::string dataset_spec;
    };
    void on_done();
    void show_result();
    QString db_path_;
    std::int64_t id_ = 0;
    std::int64_t pending_id_ = 0;  // the run being evaluated
    bool has_checkpoint_ = false;
    QString run_label_;
    QLabel* status_ = nullptr;
    QPushButton* button_ = nullptr;
    QTableWidget* table_ = nullptr;
    RobustnessChart* chart_ = nullptr;
    QFutureWatcher<Outcome>* watcher_ = nullptr;
    std::optional<RobustnessResult> result_;
    QString error_;
    // The last dataset loaded for an evaluation, reused while the spec is the same.
    std::shared_ptr<const Dataset> dataset_;
    std::string dataset_spec_;
};

}  // namespace milk::ui
