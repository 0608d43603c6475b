// Studies: parsing errors, cell expansion and keys, selection by validation only,
// mean +- std, paired tests, report files, and (on demo) resume from the store, the
// train-X/evaluate-Y cells, parallel = serial, cancellation.
#include "core/error.h"
#include "core/store/run_store.h"
#include "core/study/study.h"
#include "core/study/study_library.h"
#include "core/study/study_render.h"
#include "core/study/study_report.h"
#include "core/study/study_runner.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

using milk::test::TempDir;
using nlohmann::json;

namespace {

std::string error_of(const json& j) {
    try {
        milk::Study::from_json(j, "my-study.json");
    } catch (const milk::ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

json minimal() {
    return json{{"name", "t"}, {"datasets", {"preset:demo"}}, {"scenarios", {"ftmt"}}, {"models", {"duif"}}};
}

TEST(StudyParse, MinimalDefaults) {
    const auto s = milk::Study::from_json(minimal(), "x.json");
    EXPECT_EQ(s.seeds.size(), 5u);  // the paper's repeats
    EXPECT_EQ(s.select_metric, "ndcg");
    EXPECT_EQ(s.select_k, 20);
    ASSERT_EQ(s.scenarios.size(), 1u);
    EXPECT_EQ(s.scenarios[0].label, "FTMT");
    EXPECT_EQ(s.scenarios[0].train, "ftmt");
    EXPECT_EQ(s.scenarios[0].eval, "ftmt");
}

TEST(StudyParse, UnknownModelListsKnownOnes) {
    json j = minimal();
    j["models"] = {"duif", {{"name", "nosuchmodel"}}};
    const std::string msg = error_of(j);
    EXPECT_NE(msg.find("my-study.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("models[1].name"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'nosuchmodel'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("milk"), std::string::npos) << msg;
    EXPECT_NE(msg.find("duif"), std::string::npos) << msg;
}

TEST(StudyParse, FieldErrorsNameFieldExpectedAndFound) {
    json j = minimal();
    j["sedes"] = 3;
    EXPECT_NE(error_of(j).find("field 'sedes'"), std::string::npos) << error_of(j);

    j = minimal();
    j["seeds"] = "five";
    std::string msg = error_of(j);
    EXPECT_NE(msg.find("field 'seeds'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("\"five\""), std::string::npos) << msg;

    j = minimal();
    j["scenarios"] = {"ftmt", {{"train", "ftft"}, {"eval", "ftmx"}}};
    msg = error_of(j);
    EXPECT_NE(msg.find("scenarios[1].eval"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ftmx"), std::string::npos) << msg;

    j = minimal();
    j.erase("datasets");
    EXPECT_NE(error_of(j).find("field 'datasets'"), std::string::npos);

    j = minimal();
    j["models"] = {{{"name", "milk"}, {"grid", {{"beta", json::array()}}}}};
    EXPECT_NE(error_of(j).find("models[0].grid.beta"), std::string::npos) << error_of(j);

    j = minimal();
    j["training"] = {{"epochz", 3}};
    EXPECT_NE(error_of(j).find("epochz"), std::string::npos) << error_of(j);

    j = minimal();
    j["training"] = {{"model", "milk"}};
    EXPECT_NE(error_of(j).find("training.model"), std::string::npos) << error_of(j);

    j = minimal();
    j["select"] = "ndcg20";
    EXPECT_NE(error_of(j).find("select"), std::string::npos) << error_of(j);

    j = minimal();
    j["models"] = {"duif", "duif"};
    EXPECT_NE(error_of(j).find("models[1].label"), std::string::npos) << error_of(j);
}

TEST(StudyParse, BadGridValueFailsAtExpansionNamingModelAndKey) {
    json j = minimal();
    j["models"] = {{{"name", "milk"}, {"label", "M"}, {"grid", {{"beta", {50, -3}}}}}};
    const auto s = milk::Study::from_json(j, "my-study.json");
    try {
        milk::expand_cells(s);
        FAIL() << "expected ConfigError";
    } catch (const milk::ConfigError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("my-study.json"), std::string::npos) << msg;
        EXPECT_NE(msg.find("models[0]"), std::string::npos) << msg;
        EXPECT_NE(msg.find("beta"), std::string::npos) << msg;
    }
}

TEST(StudyParse, LoadReportsJsonSyntaxWithFile) {
    TempDir dir;
    dir.write("bad.json", "{\"name\": \"x\",,}");
    try {
        milk::Study::load(dir / "bad.json");
        FAIL();
    } catch (const milk::ParseError& e) {
        EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos);
    }
    EXPECT_THROW(milk::load_study("no-such-study-name"), milk::ConfigError);
}

TEST(StudyCells, ExpansionCountsKeysAndEvaluations) {
    json j = minimal();
    j["scenarios"] = {"ftmt", {{"train", "ftft"}, {"eval", "ftft"}}, {{"train", "ftft"}, {"eval", "ftmt"}}};
    j["models"] = {{{"name", "milk"}, {"grid", {{"beta", {50, 1000}}, {"lambda", {0.05, 0.5}}}}}, "duif"};
    j["seeds"] = 3;
    const auto s = milk::Study::from_json(j, "x.json");
    const auto cells = milk::expand_cells(s);
    // (4 grid points + 1) x 2 training scenarios x 3 seeds
    ASSERT_EQ(cells.size(), 30u);
    std::set<std::string> keys;
    int ftft = 0;
    for (const auto& c : cells) {
        keys.insert(c.key);
        if (c.train_scenario == "ftft") {
            ++ftft;
            ASSERT_EQ(c.evals.size(), 2u);  // trained once, evaluated under FTFT and FTMT
            EXPECT_EQ(c.evals[1].label, "FTFT->FTMT");
        }
        EXPECT_EQ(c.config.select_k, 20);
        EXPECT_EQ(c.config.ks, (std::vector<int>{10, 20}));
    }
    EXPECT_EQ(ftft, 15);
    EXPECT_EQ(keys.size(), cells.size());
    // Deterministic, independent of threads, dependent on what changes results.
    milk::TrainingConfig c = cells[0].config;
    EXPECT_EQ(milk::cell_key(c), cells[0].key);
    c.threads = 7;
    EXPECT_EQ(milk::cell_key(c), cells[0].key);
    c.seed += 1;
    EXPECT_NE(milk::cell_key(c), cells[0].key);
    EXPECT_EQ(milk::expand_cells(s)[5].key, cells[5].key);
}

TEST(StudyCells, QuickVariantReducesGridSeedsAndDatasets) {
    json j = minimal();
    j["datasets"] = {"preset:baby-like"};
    j["models"] = {{{"name", "milk"}, {"label", "MILK"}, {"grid", {{"beta", {50, 1000, 10}}, {"lambda", {0.05, 0.5}}}}},
                   {{"name", "duif"}, {"label", "DUIF"}, {"grid", {{"weight_decay", {0.0001, 0.001}}}}}};
    j["quick"] = {{"datasets", {"preset:demo"}}, {"seeds", 2}, {"training", {{"epochs", 3}}},
                  {"grids", {{"MILK", {{"beta", {50, 1000}}}}}}, {"params", {{"DUIF", {{"dim", 16}}}}}};
    const auto q = milk::Study::from_json(j, "x.json").quick_variant();
    EXPECT_EQ(q.datasets, std::vector<std::string>{"preset:demo"});
    EXPECT_EQ(q.seeds.size(), 2u);
    EXPECT_EQ(q.models[0].grid_points().size(), 2u);
    EXPECT_EQ(q.models[1].grid_points().size(), 1u);
    EXPECT_EQ(q.models[1].params.at("dim"), 16);
    for (const auto& c : milk::expand_cells(q)) EXPECT_EQ(c.config.epochs, 3);
}

// ---- report from constructed outcomes --------------------------------------------------

milk::EvalResult eval_with(double ndcg20, double recall20, const std::vector<std::int32_t>& users = {},
                           const std::vector<float>& user_ndcg = {}) {
    milk::EvalResult r;
    for (const char* name : {"overall", "complete", "missing_1"}) {
        milk::GroupResult g;
        g.group = name;
        g.n_items = 10;
        g.n_users = static_cast<int>(users.size());
        g.at_k[20] = {recall20, ndcg20, 0, 0};
        g.at_k[10] = {recall20 / 2, ndcg20 / 2, 0, 0};
        g.users = users;
        g.user_ndcg[20] = user_ndcg;
        g.user_recall[20] = user_ndcg;
        r.groups.push_back(g);
    }
    return r;
}

milk::CellOutcome outcome(const std::string& model, json point, std::uint64_t seed, double val, double test,
                          const std::vector<float>& user_ndcg = {}) {
    milk::CellOutcome o;
    o.dataset = "preset:demo";
    o.scenario_label = "FTMT";
    o.model_label = model;
    o.grid_point = std::move(point);
    o.seed = seed;
    std::vector<std::int32_t> users;
    for (std::size_t i = 0; i < user_ndcg.size(); ++i) users.push_back(static_cast<std::int32_t>(i));
    o.validation = eval_with(val, val);
    o.test = eval_with(test, test, users, user_ndcg);
    return o;
}

milk::Study report_study() {
    json j = minimal();
    j["models"] = {{{"name", "milk"}, {"label", "A"}, {"grid", {{"beta", {50, 1000}}}}}, {{"name", "duif"}, {"label", "B"}}};
    j["seeds"] = {1, 2, 3};
    j["metrics"] = {"ndcg@20", "recall@20"};
    j["groups"] = {"overall", "complete", "missing_1"};
    return milk::Study::from_json(j, "x.json");
}

TEST(StudyReport, MeanAndSampleStdByHand) {
    const auto m = milk::mean_std({0.1, 0.2, 0.4});
    EXPECT_NEAR(m.mean, 0.7 / 3, 1e-12);
    EXPECT_NEAR(m.std, std::sqrt((std::pow(0.1 - 0.7 / 3, 2) + std::pow(0.2 - 0.7 / 3, 2) + std::pow(0.4 - 0.7 / 3, 2)) / 2),
                1e-12);
    EXPECT_NEAR(m.std, 0.152752523, 1e-8);
    EXPECT_EQ(milk::mean_std({0.3}).std, 0.0);
    EXPECT_TRUE(std::isnan(milk::mean_std({}).mean));
}

TEST(StudyReport, SelectsByValidationEvenWhenTestDisagrees) {
    const auto s = report_study();
    std::vector<milk::CellOutcome> out;
    // beta=50: better on validation, worse on test; beta=1000 the reverse.
    for (std::uint64_t seed : {1, 2, 3}) {
        out.push_back(outcome("A", {{"beta", 50}}, seed, 0.30 + 0.01 * seed, 0.10 * seed));
        out.push_back(outcome("A", {{"beta", 1000}}, seed, 0.20, 0.90));
        out.push_back(outcome("B", json::object(), seed, 0.25, 0.05));
    }
    const auto r = milk::build_report(s, out);
    ASSERT_EQ(r.blocks.size(), 1u);
    ASSERT_EQ(r.blocks[0].rows.size(), 2u);
    const auto& a = r.blocks[0].rows[0];
    EXPECT_EQ(a.label, "A");
    EXPECT_EQ(a.grid_point, (json{{"beta", 50}}));
    EXPECT_EQ(a.n_seeds, 3);
    EXPECT_NEAR(a.validation.mean, 0.32, 1e-12);
    const auto& ndcg = a.group("overall")->metrics.at("ndcg@20");
    EXPECT_NEAR(ndcg.mean, 0.2, 1e-12);  // (0.1 + 0.2 + 0.3) / 3, not 0.9
    EXPECT_NEAR(ndcg.std, 0.1, 1e-12);
    EXPECT_EQ(r.found_results, 9);
    EXPECT_EQ(r.expected_results, 9);
}

TEST(StudyReport, PairedTestBestAgainstRunnerUp) {
    const auto s = report_study();
    std::vector<milk::CellOutcome> out;
    for (std::uint64_t seed : {1, 2, 3}) {
        // A beats B by exactly 0.1 for every user except user 3 (0.2); seeds average the same.
        out.push_back(outcome("A", {{"beta", 50}}, seed, 0.3, 0.5, {0.5f, 0.6f, 0.7f, 0.9f}));
        out.push_back(outcome("B", json::object(), seed, 0.3, 0.4, {0.4f, 0.5f, 0.6f, 0.7f}));
    }
    const auto r = milk::build_report(s, out);
    ASSERT_EQ(r.blocks[0].tests.size(), 3u);  // overall, complete, missing_1
    const auto& t = r.blocks[0].tests[0];
    EXPECT_EQ(t.best, "A");
    EXPECT_EQ(t.other, "B");
    ASSERT_TRUE(t.valid()) << t.note;
    EXPECT_EQ(t.t.n, 4);
    EXPECT_NEAR(t.t.mean_diff, 0.125, 1e-6);
    EXPECT_NEAR(t.t.sd_diff, 0.05, 1e-6);
    EXPECT_NEAR(t.t.t, 0.125 / (0.05 / 2), 1e-3);
    EXPECT_LT(t.t.p_value, 0.05);
}

TEST(StudyReport, FilesAreWrittenWithTablesAndCharts) {
    auto s = report_study();
    std::vector<milk::CellOutcome> out;
    for (std::uint64_t seed : {1, 2}) {
        out.push_back(outcome("A", {{"beta", 50}}, seed, 0.3, 0.25, {0.5f, 0.6f, 0.7f}));
        out.push_back(outcome("B", json::object(), seed, 0.2, 0.15, {0.4f, 0.4f, 0.6f}));
    }
    TempDir dir;
    const auto files = milk::write_report_files(milk::build_report(s, out), dir.path() / "rep");
    EXPECT_EQ(files.size(), 6u);
    auto slurp = [&](const char* name) {
        std::ifstream in(dir.path() / "rep" / name);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    };
    const std::string md = slurp("report.md");
    EXPECT_NE(md.find("| A | **0.2500 ± 0.0000** |"), std::string::npos) << md;
    EXPECT_NE(md.find("| B | 0.1500 ± 0.0000 |"), std::string::npos) << md;
    EXPECT_NE(md.find("validation NDCG@20 only"), std::string::npos);
    const std::string csv = slurp("table.csv");
    EXPECT_EQ(csv.substr(0, csv.find('\n')),
              "dataset,model,grid_point,FTMT ndcg@20 mean,FTMT ndcg@20 std,FTMT recall@20 mean,FTMT recall@20 std");
    EXPECT_NE(csv.find("preset:demo,A,FTMT: beta=50,0.250000,0.000000"), std::string::npos) << csv;
    const std::string html = slurp("report.html");
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("missing_1"), std::string::npos);
    EXPECT_FALSE(slurp("groups.csv").empty());
    EXPECT_FALSE(slurp("study.json").empty());
    for (const auto& e : std::filesystem::directory_iterator(dir.path() / "rep"))
        EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

TEST(StudyReport, OneSeedShowsNoSpread) {
    // A single repeat has no standard deviation: the table shows the value alone, not "± 0".
    const auto s = report_study();
    std::vector<milk::CellOutcome> out;
    out.push_back(outcome("A", {{"beta", 50}}, 1, 0.3, 0.25, {0.5f, 0.6f, 0.7f}));
    out.push_back(outcome("B", json::object(), 1, 0.2, 0.15, {0.4f, 0.4f, 0.6f}));
    const std::string md = milk::render_markdown(milk::build_report(s, out));
    EXPECT_NE(md.find("| A | **0.2500** |"), std::string::npos) << md;
    EXPECT_NE(md.find("| B | 0.1500 |"), std::string::npos) << md;
    EXPECT_EQ(md.find("0.1500 ±"), std::string::npos) << md;
}

TEST(StudyReport, SensitivityReportsEveryPointAsACurve) {
    json j = minimal();
    j["kind"] = "sensitivity";
    j["models"] = {{{"name", "milk"}, {"label", "alpha"}, {"grid", {{"alpha", {0.01, 0.1, 1}}}}}};
    j["seeds"] = {1};
    const auto s = milk::Study::from_json(j, "x.json");
    std::vector<milk::CellOutcome> out;
    out.push_back(outcome("alpha", {{"alpha", 0.01}}, 1, 0.9, 0.1));
    out.push_back(outcome("alpha", {{"alpha", 0.1}}, 1, 0.1, 0.3));
    out.push_back(outcome("alpha", {{"alpha", 1}}, 1, 0.5, 0.2));
    const auto r = milk::build_report(s, out);
    ASSERT_EQ(r.blocks[0].rows.size(), 3u);
    ASSERT_EQ(r.curves.size(), 1u);
    EXPECT_EQ(r.curves[0].param, "alpha");
    ASSERT_EQ(r.curves[0].y.size(), 3u);
    EXPECT_NEAR(r.curves[0].y[1].mean, 0.3, 1e-12);
    EXPECT_NE(milk::render_sensitivity_svg(r.curves[0], "ndcg@20").find("<polyline"), std::string::npos);
}

// ---- running on demo ---------------------------------------------------------------------

milk::Study demo_study() {
    json j{{"name", "demo-test"},
           {"datasets", {"preset:demo"}},
           {"scenarios", {"ftmt", {{"train", "ftft"}, {"eval", "ftmt"}}}},
           {"models", {"random", {{"name", "duif"}, {"grid", {{"weight_decay", {0.0001, 0.001}}}}}}},
           {"seeds", 2},
           {"training", {{"epochs", 2}, {"patience", 1}}}};
    return milk::Study::from_json(j, "demo-test.json");
}

TEST(StudyRun, ResumeTakesFinishedCellsFromTheStore) {
    TempDir dir;
    const auto study = demo_study();
    milk::StudyRunOptions options;
    options.store = dir / "runs.db";
    int started = 0, from_store = 0;
    options.on_event = [&](const milk::StudyEvent& e) {
        if (e.kind == milk::StudyEvent::Kind::CellStarted) ++started;
        if (e.kind == milk::StudyEvent::Kind::CellFromStore) ++from_store;
    };
    const auto first = milk::run_study(study, options);
    // (1 + 2 grid points) x 2 training scenarios x 2 seeds
    EXPECT_EQ(first.cells, 12);
    EXPECT_EQ(first.trained, 12);
    EXPECT_EQ(first.failed, 0) << (first.failures.empty() ? "" : first.failures[0]);
    EXPECT_EQ(started, 12);
    EXPECT_EQ(from_store, 0);

    started = from_store = 0;
    const auto second = milk::run_study(study, options);
    EXPECT_EQ(second.trained, 0);
    EXPECT_EQ(second.from_store, 12);
    EXPECT_EQ(started, 0);
    EXPECT_EQ(from_store, 12);

    milk::RunStore store(options.store);
    const auto runs = store.list_runs();
    EXPECT_EQ(runs.size(), 12u);  // every cell trained once, recorded once
    // A deleted run is trained again, and only it.
    store.delete_run(runs.front().id);
    started = 0;
    const auto third = milk::run_study(study, options);
    EXPECT_EQ(third.trained, 1);
    EXPECT_EQ(started, 1);

    // Train under FTFT, evaluate under FTMT: the FTMT evaluation has a missing_1 group.
    const auto outcomes = milk::collect_outcomes(study, store);
    EXPECT_EQ(outcomes.size(), 12u);  // (1 + 2 grid points) x 2 seeds x (FTMT, FTFT->FTMT)
    int cross = 0;
    for (const auto& o : outcomes)
        if (o.scenario_label == "FTFT->FTMT") {
            ++cross;
            EXPECT_NE(o.test.find("missing_1"), nullptr);
            EXPECT_GT(o.test.metric("overall", "ndcg", 20), 0.0);
        }
    EXPECT_EQ(cross, 6);
    const auto report = milk::build_report(study, outcomes);
    EXPECT_EQ(report.found_results, report.expected_results);
}

TEST(StudyRun, ParallelGivesTheSameNumbersAsSerial) {
    TempDir dir;
    json j{{"name", "par"},
           {"datasets", {"preset:demo"}},
           {"scenarios", {"ftmt"}},
           {"models", {"duif", {{"name", "milk"}, {"params", {{"dim", 16}}}}}},
           {"seeds", 1},
           {"training", {{"epochs", 2}, {"patience", 1}}}};
    const auto study = milk::Study::from_json(j, "par.json");
    milk::StudyRunOptions serial, parallel;
    serial.store = dir / "serial.db";
    serial.threads = 2;
    parallel.store = dir / "parallel.db";
    parallel.parallel = 2;
    EXPECT_EQ(milk::run_study(study, serial).trained, 2);
    EXPECT_EQ(milk::run_study(study, parallel).trained, 2);
    milk::RunStore a(serial.store), b(parallel.store);
    const auto oa = milk::collect_outcomes(study, a), ob = milk::collect_outcomes(study, b);
    ASSERT_EQ(oa.size(), 2u);
    ASSERT_EQ(ob.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(oa[i].model_label, ob[i].model_label);
        EXPECT_DOUBLE_EQ(oa[i].test.metric("overall", "ndcg", 20), ob[i].test.metric("overall", "ndcg", 20));
        EXPECT_DOUBLE_EQ(oa[i].validation.metric("overall", "recall", 10), ob[i].validation.metric("overall", "recall", 10));
    }
}

TEST(StudyRun, CancelledBeforeStartTrainsNothingAndStoresNoResult) {
    TempDir dir;
    milk::TrainingControl control;
    control.request_cancel();
    milk::StudyRunOptions options;
    options.store = dir / "runs.db";
    options.control = &control;
    const auto s = milk::run_study(demo_study(), options);
    EXPECT_TRUE(s.cancelled);
    EXPECT_EQ(s.trained, 0);
    milk::RunStore store(options.store);
    EXPECT_TRUE(milk::collect_outcomes(demo_study(), store).empty());
}

TEST(StudyLibrary, ReadyMadeStudiesParseAndExpand) {
    const auto studies = milk::ready_made_studies();
    std::set<std::string> names;
    for (const auto& e : studies) {
        names.insert(e.name);
        const auto s = milk::load_study(e.name);
        EXPECT_FALSE(milk::expand_cells(s).empty()) << e.name;
        EXPECT_FALSE(milk::expand_cells(s.quick_variant()).empty()) << e.name;
    }
    for (const char* n : {"table2", "table3", "table4", "ablation", "mixed-groups", "sensitivity"})
        EXPECT_TRUE(names.count(n)) << n;
}

}  // namespace
