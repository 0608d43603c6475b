// milk-studio: the desktop application. Options make it scriptable for screenshots and
// tests: load a dataset, pick scenario/model/epochs, start, take a screenshot, exit.
#include "core/train/training_config.h"
#include "ui/charts/group_metrics_chart.h"
#include "ui/main_window.h"
#include "ui/robustness_view.h"
#include "ui/runs_view.h"
#include "ui/studies_view.h"
#include "ui/training_worker.h"

#include <CLI/CLI.hpp>
#include <QApplication>
#include <QPixmap>
#include <QScreen>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>
#include <string>

int main(int argc, char** argv) {
    CLI::App cli{"MILK Studio: train and inspect new-item recommenders with missing modalities"};
    std::string dataset, scenario, model, screenshot, db, tab, study;
    bool quick_study = false;
    std::optional<int> epochs;
    bool autostart = false, exit_when_done = false;
    cli.add_option("--dataset", dataset, "preset:NAME or a dataset folder (default: the last one, else preset:demo)");
    cli.add_option("--scenario", scenario, "ftft | ftmt | mtmt | mixed | FILE.json");
    cli.add_option("--model", model, "a model name from `milk models`");
    cli.add_option("--epochs", epochs, "maximum epochs")->check(CLI::PositiveNumber);
    cli.add_flag("--autostart", autostart, "start training once the dataset is loaded");
    cli.add_flag("--exit-when-done", exit_when_done, "quit when the run ends (with --autostart)");
    cli.add_option("--screenshot", screenshot, "save a PNG of the window before exiting (or when the run ends)");
    cli.add_option("--tab", tab, "tab to show in the screenshot: training | runs (the two newest runs compared) | explorer | method | "
                   "inspector | robustness (the newest run evaluated under FTFT and FTMT) | studies (with --study)");
    cli.add_option("--study", study, "with --tab studies: a ready-made study name or study file to run (resumes from the store)");
    cli.add_flag("--quick", quick_study, "with --study: its demo variant (few seeds and epochs)");
    cli.add_option("--db", db, "run store file (default $MILK_RUNS_DB or ./milk-runs.db)");
    // Qt removes its own options (-platform ...) first; CLI11 parses the rest.
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("MILK"));
    QApplication::setApplicationName(QStringLiteral("MILK Studio"));
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e);
    }

    milk::ui::StudioOptions options;
    options.db_path = QString::fromStdString(db);
    milk::ui::MainWindow window(options);
    window.restore_settings();
    try {
        milk::TrainingConfig c = window.current_config();
        if (!scenario.empty()) c.scenario = scenario;
        if (!model.empty()) c.model = model;
        if (epochs) c.epochs = *epochs;
        if (!scenario.empty() || !model.empty() || epochs) window.apply_config(c);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "milk-studio: %s\n", e.what());
        return 2;
    }
    const QString spec = !dataset.empty() ? QString::fromStdString(dataset)
                         : !window.last_dataset().isEmpty() ? window.last_dataset()
                                                            : QStringLiteral("preset:demo");
    auto take_screenshot = [&] {
        if (screenshot.empty()) return;
        if (tab == "robustness") {
            window.tabs()->setCurrentWidget(window.runs_view());
            window.runs_view()->detail_tabs()->setCurrentIndex(1);
        }
        const QStringList tabs{QStringLiteral("training"), QStringLiteral("runs"), QStringLiteral("explorer"),
                               QStringLiteral("method"), QStringLiteral("inspector"), QStringLiteral("studies")};
        const int index = tabs.indexOf(QString::fromStdString(tab));
        if (index >= 0) window.tabs()->setCurrentIndex(index);
        QApplication::processEvents();
        window.repaint();
        if (!window.grab().save(QString::fromStdString(screenshot)))
            std::fprintf(stderr, "milk-studio: could not write %s\n", screenshot.c_str());
    };
    int exit_code = 0;
    if (exit_when_done) {
        QObject::connect(&window, &milk::ui::MainWindow::dataset_ready, &window, [&](bool ok) {
            if (!ok) {
                exit_code = 1;
                take_screenshot();
                QTimer::singleShot(0, &app, [] { QApplication::exit(1); });
            } else if (tab == "studies" && !study.empty()) {
                // Run the study (cells already in the store are taken from it), then the shot.
                milk::ui::StudiesView* view = window.studies_view();
                window.tabs()->setCurrentWidget(view);
                view->set_quick(quick_study);
                if (!view->select_study(QString::fromStdString(study))) {
                    std::fprintf(stderr, "milk-studio: %s\n", qPrintable(view->error()));
                    exit_code = 1;
                    QTimer::singleShot(0, &app, [] { QApplication::exit(1); });
                    return;
                }
                QObject::connect(view, &milk::ui::StudiesView::run_finished, &app, [&](bool done) {
                    exit_code = done ? 0 : 1;
                    QTimer::singleShot(300, &app, [&] {
                        take_screenshot();
                        QApplication::exit(exit_code);
                    });
                });
                view->run();
            } else if (!autostart) {
                QTimer::singleShot(300, &app, [&] {
                    take_screenshot();
                    QApplication::exit(0);
                });
            }
        });
        QObject::connect(&window, &milk::ui::MainWindow::training_finished, &window, [&](const milk::RunFinished& r) {
            exit_code = r.status == milk::RunStatus::Failed ? 1 : 0;
            auto finish = [&] {
                take_screenshot();
                window.save_settings();
                QApplication::exit(exit_code);
            };
            if (tab != "robustness" && tab != "runs") {
                QTimer::singleShot(300, &app, finish);
                return;
            }
            // runs: compare the two newest runs; robustness: evaluate the newest (this one)
            // under FTFT and FTMT first.
            QTimer::singleShot(300, &app, [&, finish] {
                milk::ui::RunsView* runs = window.runs_view();
                runs->refresh();
                std::vector<std::int64_t> ids;
                for (int row = 0; row < runs->model()->rowCount(); ++row)
                    if (const QVariant id = runs->model()->item(row, 0)->data(Qt::UserRole + 1); id.isValid())
                        ids.push_back(id.toLongLong());
                std::sort(ids.rbegin(), ids.rend());
                if (ids.empty()) return finish();
                if (tab == "runs") {
                    ids.resize(std::min<std::size_t>(ids.size(), 2));
                    runs->select_ids(ids);
                    QTimer::singleShot(300, finish);
                    return;
                }
                runs->select_ids({ids.front()});
                milk::ui::RobustnessView* view = runs->robustness_view();
                if (!view->can_evaluate()) return finish();
                QObject::connect(view, &milk::ui::RobustnessView::finished, &app, [finish](bool) { QTimer::singleShot(200, finish); });
                view->evaluate();
            });
        });
        // Errors must not block a scripted session on a modal dialog.
        window.set_error_reporter([](const QString& title, const QString& message) {
            std::fprintf(stderr, "milk-studio: %s: %s\n", qPrintable(title), qPrintable(message));
        });
    }
    window.set_autostart(autostart);
    window.show();
    window.load_dataset(spec);
    const int rc = app.exec();
    return rc != 0 ? rc : exit_code;
}
