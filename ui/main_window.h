#pragma once
// The studio window: docks for dataset, scenario and model; the four live charts; runs
// history; teaching tabs. It only assembles a TrainingConfig and hands it to the worker
// (the same code path as `milk train`); everything it shows comes from core events.
#include "core/data/dataset.h"
#include "core/train/training_config.h"
#include "core/train/training_events.h"

#include <QMainWindow>
#include <QString>

#include <functional>
#include <memory>

class QLabel;
class QProgressBar;
class QTabWidget;
class QAction;

namespace milk::ui {

class DatasetLoader;
class DatasetPanel;
class EnvWeightChart;
class EnvironmentExplorer;
class GroupMetricsChart;
class ItemInspector;
class LossChart;
class ModelPanel;
class RunsView;
class ScenarioPanel;
class StudiesView;
class TrainingWorker;
class VarianceChart;
struct BatchChunk;
struct LoadResult;

struct StudioOptions {
    QString db_path;        // RunStore file; empty = milk::default_runs_db_path()
    QString settings_file;  // empty = the user's QSettings; tests pass an INI file
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(StudioOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    void load_dataset(const QString& spec);
    // Builds the config from the docks and starts the worker; errors go to the reporter.
    bool start_training();
    void stop_training();
    void set_paused(bool paused);
    bool is_training() const;
    TrainingConfig current_config() const;
    void apply_config(const TrainingConfig& config);
    void set_autostart(bool autostart) { autostart_ = autostart; }
    void save_settings();
    void restore_settings();  // geometry, docks, config; returns the last dataset via last_dataset()
    QString last_dataset() const { return last_dataset_; }
    QString db_path() const { return options_.db_path; }
    std::shared_ptr<const Dataset> dataset() const { return dataset_; }

    // Errors (loader, config) are shown by this; tests replace the modal dialog.
    using ErrorReporter = std::function<void(const QString& title, const QString& message)>;
    void set_error_reporter(ErrorReporter reporter) { report_error_ = std::move(reporter); }
    // Asked when closing during training; tests replace the modal question.
    void set_close_confirmer(std::function<bool()> confirm) { confirm_close_ = std::move(confirm); }

    TrainingWorker* worker() const { return worker_; }
    LossChart* loss_chart() const { return loss_chart_; }
    EnvWeightChart* env_chart() const { return env_chart_; }
    VarianceChart* variance_chart() const { return variance_chart_; }
    GroupMetricsChart* metrics_chart() const { return metrics_chart_; }
    RunsView* runs_view() const { return runs_view_; }
    StudiesView* studies_view() const { return studies_view_; }
    QTabWidget* tabs() const { return tabs_; }
    ScenarioPanel* scenario_panel() const { return scenario_panel_; }
    ModelPanel* model_panel() const { return model_panel_; }

signals:
    void dataset_ready(bool ok);
    void training_finished(const milk::RunFinished& result);
    void error_shown(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void build_menus();
    void on_loaded(const LoadResult& result);
    void on_started(const RunStarted& info);
    void on_batches(const BatchChunk& chunk);
    void on_epoch(const EpochEvent& event);
    void on_finished(const RunFinished& result);
    void update_running_state();
    void show_error(const QString& title, const QString& message);

    StudioOptions options_;
    std::shared_ptr<const Dataset> dataset_;
    DatasetLoader* loader_ = nullptr;
    TrainingWorker* worker_ = nullptr;
    DatasetPanel* dataset_panel_ = nullptr;
    ScenarioPanel* scenario_panel_ = nullptr;
    ModelPanel* model_panel_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    LossChart* loss_chart_ = nullptr;
    EnvWeightChart* env_chart_ = nullptr;
    VarianceChart* variance_chart_ = nullptr;
    GroupMetricsChart* metrics_chart_ = nullptr;
    RunsView* runs_view_ = nullptr;
    StudiesView* studies_view_ = nullptr;
    EnvironmentExplorer* explorer_ = nullptr;
    ItemInspector* inspector_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QAction* start_action_ = nullptr;
    QAction* pause_action_ = nullptr;
    QAction* stop_action_ = nullptr;
    ErrorReporter report_error_;
    std::function<bool()> confirm_close_;
    QString last_dataset_;
    bool autostart_ = false;
    int n_batches_ = 0;
    int total_epochs_ = 0;
    QString run_label_;
};

}  // namespace milk::ui
