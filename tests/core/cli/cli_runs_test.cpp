// `milk runs`: list, show, compare, export and delete against databases written here.
#include "core/store/run_store.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using milk::test::run_milk;
using milk::test::TempDir;

namespace {

milk::EvalResult eval_at(const std::string& split, double base) {
    milk::EvalResult r;
    r.split = split;
    int gi = 0;
    for (const char* g : {"overall", "complete", "missing_1"}) {
        milk::GroupResult gr;
        gr.group = g;
        gr.n_items = 50;
        gr.n_users = 20;
        for (int k : {10, 20}) gr.at_k[k] = {base + gi * 0.01 + k * 0.001, base / 2 + gi * 0.01 + k * 0.001, 0.01, 0.2};
        r.groups.push_back(gr);
        ++gi;
    }
    return r;
}

std::int64_t add_run(milk::RunStore& store, const std::string& model, double base) {
    milk::RunRecorder rec(store);
    milk::RunStarted s;
    s.config.model = model;
    s.config.dataset = "preset:demo";
    s.config.seed = 11;
    s.modality_names = {"visual", "text"};
    rec.begin_run(s, {{"model", model}, {"epochs", 2}});
    for (int e = 1; e <= 2; ++e) {
        milk::EpochEvent ev;
        ev.epoch = e;
        ev.loss = 0.5 / e;
        ev.validation = eval_at("validation", base + e * 0.1);
        ev.best_epoch = e;
        rec.on_epoch(ev);
    }
    milk::RunFinished f;
    f.best_epoch = 2;
    f.epochs_run = 2;
    f.test = eval_at("test", base);
    f.seconds = 75;
    rec.on_run_finished(f);
    return rec.run_id();
}

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TEST(CliRuns, EmptyDatabasePrintsAnEmptyTable) {
    TempDir dir;
    { milk::RunStore create(dir / "empty.db"); }
    auto r = run_milk("runs --db " + quoted(dir / "empty.db"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("id"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("R@20 overall"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("0 runs"), std::string::npos) << r.out;
    // A database that does not exist yet is an empty list, and is not created.
    auto missing = run_milk("runs list --db " + quoted(dir / "none.db"));
    EXPECT_EQ(missing.exit_code, 0) << missing.err;
    EXPECT_NE(missing.out.find("0 runs"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "none.db"));
}

TEST(CliRuns, ShowOfAMissingRunFailsWithAClearMessage) {
    TempDir dir;
    { milk::RunStore create(dir / "runs.db"); }
    auto r = run_milk("runs --db " + quoted(dir / "runs.db") + " show 999");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("run 999"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("no such run"), std::string::npos) << r.err;
}

TEST(CliRuns, ListShowCompareExportDelete) {
    TempDir dir;
    const auto db = dir / "runs.db";
    std::int64_t a = 0, b = 0;
    {
        milk::RunStore store(db);
        a = add_run(store, "milk", 0.30);
        b = add_run(store, "duif", 0.20);
    }
    const std::string base = "runs --db " + quoted(db);

    auto list = run_milk(base + " list");
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find("R@20 missing_1"), std::string::npos) << list.out;
    EXPECT_NE(list.out.find("0.3200"), std::string::npos) << list.out;  // milk overall recall@20
    EXPECT_NE(list.out.find("0.2200"), std::string::npos) << list.out;  // duif
    EXPECT_NE(list.out.find("1m15s"), std::string::npos) << list.out;
    EXPECT_NE(list.out.find("2 runs"), std::string::npos) << list.out;

    auto only = run_milk(base + " list --model duif");
    ASSERT_EQ(only.exit_code, 0) << only.err;
    EXPECT_EQ(only.out.find("0.3200"), std::string::npos) << only.out;
    EXPECT_NE(only.out.find("1 run "), std::string::npos) << only.out;

    auto show = run_milk(base + " show " + std::to_string(a));
    ASSERT_EQ(show.exit_code, 0) << show.err;
    EXPECT_NE(show.out.find("\"epochs\": 2"), std::string::npos) << show.out;  // the config
    EXPECT_NE(show.out.find("2*"), std::string::npos) << show.out;             // best epoch marked
    EXPECT_NE(show.out.find("0.5200"), std::string::npos) << show.out;         // validation R@20 epoch 2

    auto cmp = run_milk(base + " compare " + std::to_string(a) + " " + std::to_string(b));
    ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
    EXPECT_NE(cmp.out.find("#" + std::to_string(a) + " milk"), std::string::npos) << cmp.out;
    EXPECT_NE(cmp.out.find("#" + std::to_string(b) + " duif"), std::string::npos) << cmp.out;

    auto exp = run_milk(base + " export --csv " + quoted(dir / "out.csv") + " " + std::to_string(b));
    ASSERT_EQ(exp.exit_code, 0) << exp.err;
    std::ifstream in(dir / "out.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string csv = ss.str();
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 6);
    EXPECT_EQ(csv.find(",milk,"), std::string::npos);

    auto refused = run_milk(base + " delete " + std::to_string(a));
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find("--yes"), std::string::npos) << refused.err;
    auto del = run_milk(base + " delete " + std::to_string(a) + " --yes");
    ASSERT_EQ(del.exit_code, 0) << del.err;
    milk::RunStore store(db);
    EXPECT_FALSE(store.has_run(a));
    EXPECT_TRUE(store.has_run(b));
}
