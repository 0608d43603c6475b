// QtTest suite for MILK Studio, run offscreen: a real short training on the demo preset
// through the window, with the charts, the run store, Stop, errors and settings checked.
#include "core/store/run_store.h"
#include "ui/charts/env_weight_chart.h"
#include "ui/charts/group_metrics_chart.h"
#include "ui/charts/loss_chart.h"
#include "ui/charts/variance_chart.h"
#include "ui/environment_explorer.h"
#include "ui/main_window.h"
#include "ui/runs_view.h"
#include "ui/training_worker.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace milk;
using namespace milk::ui;

Q_DECLARE_METATYPE(milk::RunFinished)

class StudioTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QStringList errors_;

    std::unique_ptr<MainWindow> make_window() {
        StudioOptions o;
        o.db_path = dir_.filePath(QStringLiteral("runs.db"));
        o.settings_file = dir_.filePath(QStringLiteral("studio.ini"));
        auto w = std::make_unique<MainWindow>(o);
        w->set_error_reporter([this](const QString&, const QString& m) { errors_ << m; });
        w->set_close_confirmer([] { return true; });
        w->runs_view()->set_delete_confirmer([](int) { return true; });
        w->show();
        return w;
    }
    void load_demo(MainWindow& w) {
        QSignalSpy ready(&w, &MainWindow::dataset_ready);
        w.load_dataset(QStringLiteral("preset:demo"));
        QVERIFY(ready.wait(30000));
        QCOMPARE(ready.first().first().toBool(), true);
        QVERIFY(w.dataset() != nullptr);
    }
    void configure(MainWindow& w, int epochs) {
        TrainingConfig c = w.current_config();
        c.model = "milk";
        c.epochs = epochs;
        c.batch_size = 1024;
        c.scenario = "ftmt";
        w.apply_config(c);
    }

private slots:
    void initTestCase() {
        qRegisterMetaType<milk::RunFinished>();
        QVERIFY(dir_.isValid());
    }

    void trains_demo_and_fills_every_chart() {
        errors_.clear();
        auto w = make_window();
        load_demo(*w);
        configure(*w, 3);
        QSignalSpy done(w.get(), &MainWindow::training_finished);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(w->start_training());
        QVERIFY(w->is_training());
        QVERIFY(done.wait(90000));
        const auto r = done.first().first().value<milk::RunFinished>();
        QVERIFY2(r.status == RunStatus::Finished || r.status == RunStatus::EarlyStopped, r.message.c_str());
        QCOMPARE(r.epochs_run, 3);
        QVERIFY(errors_.isEmpty());
        // Every chart holds data: per-batch losses (loss + model series), env weights,
        // variance, and per-epoch validation lines plus the best epoch's test bars.
        QVERIFY(w->loss_chart()->point_count() > 3);
        QVERIFY(w->loss_chart()->series_names().contains(QStringLiteral("bpr_mean")));
        QVERIFY(w->loss_chart()->series_names().contains(QStringLiteral("env_0")));
        QVERIFY(w->env_chart()->point_count() > 0);
        QVERIFY(w->env_chart()->history_size() > 0);
        QVERIFY(w->variance_chart()->point_count() >= 3);
        QCOMPARE(w->metrics_chart()->validation_epochs(), 3);
        QVERIFY(w->metrics_chart()->has_test());
        QVERIFY(w->metrics_chart()->point_count() > 3);
        // Tooltip text is the exact value of a plotted point.
        QVERIFY(w->loss_chart()->csv().count(QLatin1Char('\n')) > 3);
        // The run is in the history with its test metrics.
        QCOMPARE(w->runs_view()->row_count(), 1);
        RunStore store(std::filesystem::path(w->db_path().toStdString()));
        const auto rows = store.list_runs();
        QCOMPARE(static_cast<int>(rows.size()), 1);
        QCOMPARE(QString::fromStdString(rows[0].model), QStringLiteral("milk"));
        QVERIFY(rows[0].find("overall") != nullptr);
        QVERIFY(std::abs(rows[0].find("overall")->ndcg - r.test->metric("overall", "ndcg", 20)) < 1e-9);
        QVERIFY(rows[0].find("overall")->ndcg > 0);
        // Export: PNG written, CSV non-empty.
        const QString png = dir_.filePath(QStringLiteral("metrics.png"));
        QVERIFY(w->metrics_chart()->save_png(png));
        QVERIFY(QFileInfo(png).size() > 1000);
        qInfo("run %.2f s wall; first chart point after %lld ms; longest GUI drain gap %.0f ms",
              clock.elapsed() / 1000.0, static_cast<long long>(w->worker()->first_point_ms()), w->worker()->max_drain_gap_ms());
    }

    void stop_takes_effect_mid_epoch() {
        auto w = make_window();
        load_demo(*w);
        configure(*w, 200);
        QSignalSpy done(w.get(), &MainWindow::training_finished);
        QVERIFY(w->start_training());
        QTRY_VERIFY_WITH_TIMEOUT(w->loss_chart()->point_count() > 0, 60000);
        QElapsedTimer clock;
        clock.start();
        w->stop_training();
        QVERIFY(done.wait(20000));
        const auto r = done.first().first().value<milk::RunFinished>();
        QCOMPARE(r.status, RunStatus::Cancelled);
        QVERIFY(r.epochs_run < 200);
        QVERIFY(!w->is_training());
        qInfo("stop acknowledged after %lld ms", static_cast<long long>(clock.elapsed()));
        // The cancelled run is recorded as such.
        RunStore store(std::filesystem::path(w->db_path().toStdString()));
        bool found = false;
        for (const auto& row : store.list_runs())
            if (row.status == "cancelled") found = true;
        QVERIFY(found);
    }

    void pause_and_resume() {
        auto w = make_window();
        load_demo(*w);
        configure(*w, 200);
        QSignalSpy done(w.get(), &MainWindow::training_finished);
        QVERIFY(w->start_training());
        QTRY_VERIFY_WITH_TIMEOUT(w->loss_chart()->point_count() > 0, 60000);
        w->set_paused(true);
        QVERIFY(w->worker()->is_paused());
        QTest::qWait(400);  // let the batch in flight land
        const int frozen = w->loss_chart()->point_count();
        QTest::qWait(600);
        QCOMPARE(w->loss_chart()->point_count(), frozen);
        w->set_paused(false);
        QTRY_VERIFY_WITH_TIMEOUT(w->loss_chart()->point_count() > frozen, 30000);
        w->stop_training();
        QVERIFY(done.wait(20000));
    }

    void bad_folder_shows_error_and_window_survives() {
        errors_.clear();
        auto w = make_window();
        QSignalSpy ready(w.get(), &MainWindow::dataset_ready);
        w->load_dataset(dir_.filePath(QStringLiteral("no-such-folder")));
        QVERIFY(ready.wait(20000));
        QCOMPARE(ready.first().first().toBool(), false);
        QCOMPARE(errors_.size(), 1);
        QVERIFY2(errors_.first().contains(QStringLiteral("no-such-folder")), qPrintable(errors_.first()));
        QVERIFY(w->isVisible());
        load_demo(*w);  // still usable
        QCOMPARE(errors_.size(), 1);
    }

    void start_without_dataset_is_an_error_not_a_crash() {
        errors_.clear();
        auto w = make_window();
        QVERIFY(!w->start_training());
        QCOMPARE(errors_.size(), 1);
    }

    void settings_round_trip() {
        {
            auto w = make_window();
            load_demo(*w);
            TrainingConfig c = w->current_config();
            c.epochs = 7;
            c.batch_size = 512;
            c.learning_rate = 0.0025;
            c.patience = 4;
            c.seed = 77;
            c.scenario = "ftft";
            w->apply_config(c);
            w->save_settings();
        }
        auto w = make_window();
        w->restore_settings();
        const TrainingConfig c = w->current_config();
        QCOMPARE(c.epochs, 7);
        QCOMPARE(c.batch_size, 512);
        QVERIFY(std::abs(c.learning_rate - 0.0025) < 1e-9);
        QCOMPARE(c.patience, 4);
        QCOMPARE(static_cast<int>(c.seed), 77);
        QCOMPARE(w->last_dataset(), QStringLiteral("preset:demo"));
    }

    void runs_view_compares_and_deletes() {
        auto w = make_window();
        RunsView* view = w->runs_view();
        view->refresh();
        QVERIFY(view->row_count() >= 2);  // from the tests above
        RunStore store(std::filesystem::path(w->db_path().toStdString()));
        const auto rows = store.list_runs();
        // The first run (3 epochs) and the last (200 epochs, stopped): their configs differ.
        std::vector<std::int64_t> ids;
        for (const auto& row : rows) ids.push_back(row.id);
        std::sort(ids.begin(), ids.end());
        ids = {ids.front(), ids.back()};
        view->select_ids(ids);
        QCOMPARE(view->selected_ids(), ids);
        QVERIFY(view->curves_chart()->point_count() > 0);
        QVERIFY(view->config_diff_html().contains(QStringLiteral("epochs")));
        const int before = view->row_count();
        view->select_ids({ids.front()});
        view->delete_selected();
        QCOMPARE(view->row_count(), before - 1);
    }

    void environment_explorer_cycles_the_draw() {
        EnvironmentExplorer explorer;
        explorer.set_parameters(3, 0.1, 5);
        const auto& envs = explorer.environments();
        QCOMPARE(static_cast<int>(envs.size()), 4);
        for (double v : envs[0]) QVERIFY(std::abs(v - 1.0 / 3) < 1e-6);
        // Each modality dominates exactly one of the shifted environments.
        std::vector<int> dominated(3, 0);
        for (int e = 1; e < 4; ++e) {
            double sum = 0;
            for (double v : envs[e]) sum += v;
            QVERIFY(std::abs(sum - 1.0) < 1e-5);
            dominated[std::max_element(envs[e].begin(), envs[e].end()) - envs[e].begin()]++;
        }
        QCOMPARE(dominated, (std::vector<int>{1, 1, 1}));
    }
};

QTEST_MAIN(StudioTest)
#include "test_studio.moc"
