// QtTest suite for MILK Studio, run offscreen: a real short training on the demo preset
// through the window, with the charts, the run store, Stop, errors and settings checked.
#include "core/data/dataset_source.h"
#include "core/models/item_scores.h"
#include "core/models/milk/milk_model.h"
#include "core/store/run_store.h"
#include "core/study/study_report.h"
#include "core/study/study_runner.h"
#include "core/train/robustness.h"
#include "core/train/trainer.h"
#include "ui/charts/chart_panel.h"
#include "ui/charts/env_weight_chart.h"
#include "ui/charts/group_metrics_chart.h"
#include "ui/charts/loss_chart.h"
#include "ui/charts/variance_chart.h"
#include "ui/environment_explorer.h"
#include "ui/item_inspector.h"
#include "ui/main_window.h"
#include "ui/robustness_view.h"
#include "ui/runs_view.h"
#include "ui/studies_view.h"
#include "ui/training_worker.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>
#include <qcustomplot.h>

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
    // Screenshots of the new views go to $MILK_SCREENSHOT_DIR when set (to look at them),
    // else to the test's temporary folder; either way the file must be a real image.
    QString screenshot_path(const QString& name) {
        const QString dir = qEnvironmentVariable("MILK_SCREENSHOT_DIR");
        return dir.isEmpty() ? dir_.filePath(name) : QDir(dir).filePath(name);
    }
    static std::shared_ptr<const Dataset> demo() {
        static auto ds = std::make_shared<const Dataset>(load_dataset("preset:demo"));
        return ds;
    }
    static std::unique_ptr<Trainer> train_directly(const std::string& model, int epochs) {
        TrainingConfig c;
        c.model = model;
        c.scenario = "ftmt";
        c.epochs = epochs;
        c.batch_size = 1024;
        c.seed = 3;
        auto t = std::make_unique<Trainer>(c, prepare_data(demo(), c));
        TrainingControl control;
        const RunFinished r = t->run(control);
        if (r.status == RunStatus::Failed) qFatal("training failed: %s", r.message.c_str());
        return t;
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
        // `reg` (raw L2 norms) starts hidden; a click on its legend entry shows it, a second
        // click hides it again.
        {
            LossChart* chart = w->loss_chart();
            QCustomPlot* plot = chart->plot();
            w->show();
            QVERIFY(QTest::qWaitForWindowExposed(w.get()));
            plot->replot();
            QCPGraph* reg = nullptr;
            for (int i = 0; i < plot->graphCount(); ++i)
                if (plot->graph(i)->name() == QStringLiteral("reg")) reg = plot->graph(i);
            QVERIFY(reg != nullptr && !reg->visible());
            const QPoint at = plot->legend->itemWithPlottable(reg)->outerRect().center();
            QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, at);
            QVERIFY(chart->series_visible(QStringLiteral("reg")));
            QVERIFY(reg->visible());
            QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, at);
            QVERIFY(!chart->series_visible(QStringLiteral("reg")));
            QVERIFY(!reg->visible());
        }
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

    // Figure 5 for the finished run above: its checkpoint under FTFT and FTMT, evaluated in a
    // worker thread; the view shows exactly the core's numbers.
    void robustness_view_evaluates_the_finished_run() {
        auto w = make_window();
        RunsView* view = w->runs_view();
        view->refresh();
        RunStore store(std::filesystem::path(w->db_path().toStdString()));
        std::int64_t id = 0;
        for (const auto& row : store.list_runs())
            if (row.status == "finished") id = row.id;
        QVERIFY(id != 0);
        RobustnessView* robust = view->robustness_view();
        view->select_ids({id, id + 1000});  // two ids (one absent): only one run is selected
        QCOMPARE(robust->run_id(), id);
        QVERIFY(robust->can_evaluate());
        w->tabs()->setCurrentWidget(view);
        view->detail_tabs()->setCurrentWidget(robust);
        QSignalSpy done(robust, &RobustnessView::finished);
        robust->evaluate();
        QVERIFY(!robust->result().has_value());  // delivered later, through the event loop
        QVERIFY(!robust->can_evaluate());        // no second job while one runs
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first().first().toBool(), true);
        QVERIFY2(robust->error().isEmpty(), qPrintable(robust->error()));
        const RobustnessResult& r = *robust->result();
        // The same numbers straight from the core.
        const RobustnessResult expected = evaluate_robustness(store.checkpoint(id)->blob, demo(), 20);
        QCOMPARE(r.rows.size(), expected.rows.size());
        QCOMPARE(static_cast<int>(r.rows.size()), 3);  // overall, complete, missing_1 (demo: two modalities)
        QCOMPARE(robust->table()->rowCount(), 3);
        for (std::size_t i = 0; i < r.rows.size(); ++i) {
            const RobustnessRow& a = r.rows[i];
            const RobustnessRow& b = expected.rows[i];
            QCOMPARE(a.group, b.group);
            QCOMPARE(a.ndcg_full, b.ndcg_full);
            QCOMPARE(a.ndcg_missing, b.ndcg_missing);
            QCOMPARE(a.recall_missing, b.recall_missing);
            const int row = static_cast<int>(i);
            QCOMPARE(robust->table()->item(row, 0)->text(), QString::fromStdString(a.group));
            QCOMPARE(robust->table()->item(row, 2)->text(), QString::number(a.ndcg_full, 'f', 4));
            QCOMPARE(robust->table()->item(row, 3)->text(), QString::number(a.ndcg_missing, 'f', 4));
            QCOMPARE(robust->table()->item(row, 4)->text(), QStringLiteral("%1%").arg(a.ndcg_drop_pct, 0, 'f', 1));
        }
        // FTMT must agree with the run's own recorded test metrics (same checkpoint, same path).
        const auto summary = store.list_runs();
        for (const auto& row : summary)
            if (row.id == id)
                for (const RobustnessRow& rr : r.rows)
                    if (const auto* g = row.find(rr.group)) QVERIFY(std::abs(g->ndcg - rr.ndcg_missing) < 1e-9);
        QCOMPARE(r.rows[1].group, std::string("complete"));
        QCOMPARE(r.rows[1].ndcg_drop_pct, 0.0);  // complete items keep every modality in both
        QVERIFY(r.rows[2].ndcg_full > r.rows[2].ndcg_missing);  // losing a modality hurts on demo
        QCOMPARE(robust->chart()->point_count(), 6);  // two bars per group
        const QString png = screenshot_path(QStringLiteral("robustness-view.png"));
        w->resize(1500, 950);
        QTest::qWait(100);  // queued replot and layout
        QVERIFY(w->grab().save(png));
        QVERIFY(QFileInfo(png).size() > 1000);
        // Selecting several runs clears the view.
        view->select_ids({});
        QCOMPARE(robust->run_id(), 0);
        QVERIFY(!robust->can_evaluate());
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

    // MILK: the inspector shows the inference score and one row per environment (e=0 and the
    // last batch's cyclic shifts), each the core's number, plus the item's modalities.
    void item_inspector_shows_each_environment() {
        auto trainer = train_directly("milk", 2);
        const auto* milk = dynamic_cast<const MilkModel*>(&trainer->model());
        QVERIFY(milk != nullptr);
        const auto& envs = milk->last_environments();
        QCOMPARE(static_cast<int>(envs.size()), 3);  // e=0 + M=2 shifts
        ItemInspector inspector;
        inspector.resize(1200, 700);
        inspector.show();
        inspector.set_trainer(trainer.get());
        QVERIFY(inspector.isEnabled());
        const PreparedData& data = trainer->data();
        const auto candidates = data.dataset->new_items();
        std::int32_t missing_item = -1;
        int missing_index = 0;
        for (std::size_t i = 0; i < candidates.size() && missing_item < 0; ++i)
            if (data.mask.missing_count(candidates[i]) == 1) {
                missing_item = candidates[i];
                missing_index = static_cast<int>(i);
            }
        QVERIFY(missing_item >= 0);
        const int user = 7;
        inspector.inspect(missing_index, user);
        const auto& shown = inspector.scores();
        QCOMPARE(static_cast<int>(shown.size()), 4);
        QCOMPARE(shown[0].label, std::string("inference"));
        const ItemScore inference = inference_item_score(*milk, data.features, user, missing_item, candidates);
        QCOMPARE(shown[0].score, inference.score);
        QCOMPARE(shown[0].rank, inference.rank);
        const auto expected = environment_item_scores(*milk, data.features, user, missing_item, candidates, envs);
        for (int e = 0; e < 3; ++e) {
            const ItemScore& s = shown[static_cast<std::size_t>(e + 1)];
            QCOMPARE(s.label, "e=" + std::to_string(e));
            QCOMPARE(s.weights, envs[static_cast<std::size_t>(e)]);
            QCOMPARE(s.score, expected[static_cast<std::size_t>(e)].score);
            QCOMPARE(s.rank, expected[static_cast<std::size_t>(e)].rank);
            QVERIFY(s.rank >= 1 && s.rank <= static_cast<int>(candidates.size()));
        }
        QVERIFY(std::abs(shown[1].score - shown[0].score) < 1e-4);  // e=0 = inference weights
        QVERIFY(inspector.missing_reason().isEmpty());
        QCOMPARE(inspector.table()->rowCount(), 4);
        QCOMPARE(inspector.table()->item(0, inspector.table()->columnCount() - 1)->text(), QString::number(inference.rank));
        QCOMPARE(inspector.chart()->point_count(), 4);
        // Modalities under the scenario: one of the two is gone.
        const QString html = inspector.report_html();
        QVERIFY(html.contains(QStringLiteral("missing_1")));
        QVERIFY(html.contains(QStringLiteral("removed by the scenario")) || html.contains(QStringLiteral("naturally missing")));
        for (const auto& m : data.dataset->modalities) QVERIFY(html.contains(QString::fromStdString(m.name)));
        const QString png = screenshot_path(QStringLiteral("item-inspector.png"));
        QTest::qWait(100);  // queued replot and layout
        QVERIFY(inspector.grab().save(png));
        QVERIFY(QFileInfo(png).size() > 1000);
    }

    // Other models: the inference score and rank only, with the reason.
    void item_inspector_explains_non_milk_models() {
        auto trainer = train_directly("duif", 1);
        ItemInspector inspector;
        inspector.set_trainer(trainer.get());
        inspector.inspect(3, 5);
        QCOMPARE(static_cast<int>(inspector.scores().size()), 1);
        QCOMPARE(inspector.scores()[0].label, std::string("inference"));
        const auto candidates = trainer->data().dataset->new_items();
        const ItemScore expected = inference_item_score(trainer->model(), trainer->data().features, 5, candidates[3], candidates);
        QCOMPARE(inspector.scores()[0].score, expected.score);
        QCOMPARE(inspector.scores()[0].rank, expected.rank);
        QVERIFY(inspector.missing_reason().contains(QStringLiteral("no environments")));
        QCOMPARE(inspector.table()->rowCount(), 1);
    }

    // The Studies tab runs a small study through core/study (the path of `milk study run`),
    // shows the store's numbers, resumes without training, writes the report, and a bad file
    // is one clear error with the view still usable.
    void studies_view_runs_resumes_and_reports() {
        const QString db = dir_.filePath(QStringLiteral("studies.db"));
        QFile file(dir_.filePath(QStringLiteral("small-study.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"name": "small", "title": "two models on demo", "datasets": ["preset:demo"],
                       "scenarios": ["ftmt"], "models": [{"name": "duif", "label": "DUIF"},
                       {"name": "popularity", "label": "Popularity"}], "seeds": 1,
                       "training": {"epochs": 2, "batch_size": 1024}})");
        file.close();
        StudiesView view(db);
        view.resize(1400, 800);
        view.show();
        QVERIFY(view.select_study(file.fileName()));
        // The picker shows the file, not the ready-made study it held before.
        QCOMPARE(view.study_label(), QFileInfo(file.fileName()).fileName());
        QSignalSpy done(&view, &StudiesView::run_finished);
        view.run();
        QVERIFY(view.is_running());
        QVERIFY(done.wait(120000));
        QCOMPARE(done.first().first().toBool(), true);
        QVERIFY(view.report().has_value());
        const StudyReport& report = *view.report();
        QCOMPARE(report.found_results, 2);
        QCOMPARE(static_cast<int>(report.blocks.size()), 1);
        QCOMPARE(static_cast<int>(report.blocks[0].rows.size()), 2);
        QVERIFY(view.chart()->point_count() > 0);
        QVERIFY(view.tables()->toPlainText().contains(QStringLiteral("Popularity")));
        QVERIFY(view.status_text().contains(QStringLiteral("2 trained")));
        // The view's numbers are the store's: the same report built directly.
        {
            RunStore store{std::filesystem::path(db.toStdString())};
            const StudyReport direct = build_report(*view.effective_study(), collect_outcomes(*view.effective_study(), store));
            QCOMPARE(direct.blocks[0].rows[0].test_mean("overall", "ndcg@20"),
                     report.blocks[0].rows[0].test_mean("overall", "ndcg@20"));
        }
        // Again: every cell comes from the store.
        done.clear();
        view.run();
        QVERIFY(done.wait(60000));
        QVERIFY(view.status_text().contains(QStringLiteral("0 trained, 2 from the store")));
        const QString out = dir_.filePath(QStringLiteral("study-report"));
        QVERIFY(view.write_report(out));
        for (const char* f : {"report.md", "table.csv", "report.html", "chart.png"})
            QVERIFY2(QFileInfo::exists(QDir(out).filePath(QString::fromLatin1(f))), f);
        QVERIFY(view.chart()->save_png(screenshot_path(QStringLiteral("studies-view.png"))));
        // A bad study file: one message naming the file and the field; the view stays usable.
        QFile bad(dir_.filePath(QStringLiteral("bad-study.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"name": "x", "datasets": ["preset:demo"], "scenarios": ["ftmt"], "models": ["duif", "dif"]})");
        bad.close();
        QVERIFY(!view.select_study(bad.fileName()));
        QVERIFY(view.error().contains(QStringLiteral("bad-study.json")));
        QVERIFY(view.error().contains(QStringLiteral("dif")));
        QVERIFY(view.select_study(file.fileName()));
    }

    void studies_view_cancel_stops_and_keeps_nothing_half_done() {
        const QString db = dir_.filePath(QStringLiteral("studies-cancel.db"));
        QFile file(dir_.filePath(QStringLiteral("long-study.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"name": "long", "datasets": ["preset:demo"], "scenarios": ["ftmt"],
                       "models": ["milk"], "seeds": 2, "training": {"epochs": 200, "patience": 200, "batch_size": 64}})");
        file.close();
        StudiesView view(db);
        QVERIFY(view.select_study(file.fileName()));
        QSignalSpy done(&view, &StudiesView::run_finished);
        view.run();
        QTest::qWait(1500);
        QElapsedTimer timer;
        timer.start();
        view.cancel();
        QVERIFY(done.wait(30000));
        std::printf("study cancelled %lld ms after the request\n", static_cast<long long>(timer.elapsed()));
        QCOMPARE(done.first().first().toBool(), false);
        QVERIFY(view.status_text().contains(QStringLiteral("Cancelled")));
        QVERIFY(view.report().has_value());
        QCOMPARE(view.report()->found_results, 0);  // a cancelled cell leaves no result
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
