#pragma once
// The paper's experiments as studies (core/study, the path of `milk study`): pick a
// ready-made study or a JSON file, run its missing cells off the GUI thread (progress,
// ETA, cancel; finished cells come from the store, so a cancelled study resumes), then
// see its report: the paper-shaped tables (hyper-parameters selected on validation only,
// test mean +- std, paired test against the runner-up) and a Figure-3-like chart of one
// dataset x scenario block, exportable as PNG/PDF/CSV; the report files on request.
#include "core/study/study.h"
#include "core/study/study_report.h"
#include "core/train/training_control.h"

#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTextBrowser;
template <typename T>
class QFutureWatcher;

namespace milk {
struct StudyEvent;
}

namespace milk::ui {

class ChartPanel;
class StudyChart;

class StudiesView : public QWidget {
    Q_OBJECT
public:
    explicit StudiesView(QString db_path, QWidget* parent = nullptr);
    ~StudiesView() override;  // cancels a running study and waits for it

    // A ready-made study's name ("table2") or a study file; false (and an error shown in
    // the view, and error()) when it cannot be loaded.
    bool select_study(const QString& name_or_path);
    void set_quick(bool quick);
    void set_seeds(int seeds);  // 0 = the study's own count
    void set_parallel(int cells);
    // The study as it would run: selection with the quick / seeds overrides applied.
    std::optional<Study> effective_study() const;

    void run();  // trains the missing cells in a worker thread; run_finished(ok) follows
    void cancel();
    bool is_running() const;
    // Builds the report from what the store holds (no training); report_shown() follows.
    void show_report();
    bool write_report(const QString& dir);  // report.md, *.csv, report.html, study.json

    const std::optional<StudyReport>& report() const { return report_; }
    QString error() const { return error_; }
    QString study_label() const;  // what the study picker shows
    QString status_text() const;
    QTextBrowser* tables() const { return tables_; }
    ChartPanel* chart() const;
    // Replaces the folder dialog of "Write report..." (tests).
    void set_folder_chooser(std::function<QString()> choose) { choose_folder_ = std::move(choose); }

signals:
    void run_finished(bool ok);
    void report_shown(bool ok);

private:
    struct RunOutcome {
        int cells = 0, trained = 0, from_store = 0, failed = 0;
        bool cancelled = false;
        double seconds = 0;
        QString error;     // the study could not run at all
        QStringList failures;
    };
    void on_event(const StudyEvent& e);
    void on_run_done();
    void show_error(const QString& message);
    void set_busy(bool busy);
    void refresh_blocks();

    QString db_path_;
    std::optional<Study> study_;  // as loaded, before overrides
    std::optional<StudyReport> report_;
    QString error_;
    std::unique_ptr<TrainingControl> control_;
    std::function<QString()> choose_folder_;

    QComboBox* study_box_ = nullptr;
    QPushButton* open_button_ = nullptr;
    QCheckBox* quick_ = nullptr;
    QSpinBox* seeds_ = nullptr;
    QSpinBox* parallel_ = nullptr;
    QPushButton* run_button_ = nullptr;
    QPushButton* cancel_button_ = nullptr;
    QPushButton* report_button_ = nullptr;
    QPushButton* write_button_ = nullptr;
    QLabel* description_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QTextBrowser* tables_ = nullptr;
    QComboBox* block_box_ = nullptr;
    StudyChart* chart_ = nullptr;
    QFutureWatcher<RunOutcome>* watcher_ = nullptr;
};

}  // namespace milk::ui
