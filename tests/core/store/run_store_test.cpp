// RunStore: events recorded and read back, schema migrations, WAL, crash safety
// (a child killed mid-epoch), cascading delete and CSV export.
#include "core/error.h"
#include "core/store/run_store.h"
#include "support/test_support.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <fstream>
#include <sstream>

using namespace milk;

namespace {

const std::vector<std::string> kGroups{"overall", "complete", "missing_1"};

// Metric values that encode (epoch, group, k, which) so a mix-up cannot go unnoticed.
double value_of(int epoch, int group, int k, int which) {
    return epoch * 0.01 + group * 0.001 + k * 0.00001 + which * 0.1;
}

EvalResult make_eval(const std::string& split, int epoch, int n_users = 0) {
    EvalResult r;
    r.split = split;
    for (int g = 0; g < static_cast<int>(kGroups.size()); ++g) {
        GroupResult gr;
        gr.group = kGroups[g];
        gr.n_items = 100 - g * 10;
        gr.n_users = 40 - g;
        for (int k : {10, 20}) {
            gr.at_k[k] = MetricValues{value_of(epoch, g, k, 0), value_of(epoch, g, k, 1), value_of(epoch, g, k, 2),
                                      value_of(epoch, g, k, 3)};
            if (n_users > 0) {
                for (int u = 0; u < n_users; ++u) {
                    gr.user_recall[k].push_back(static_cast<float>(u) / n_users + g);
                    gr.user_ndcg[k].push_back(static_cast<float>(u) / (2.0f * n_users) + k);
                }
            }
        }
        for (int u = 0; u < n_users; ++u) gr.users.push_back(u * 3 + g);
        r.groups.push_back(std::move(gr));
    }
    return r;
}

RunStarted make_started(const std::string& model = "milk", const std::string& dataset = "preset:demo",
                        std::uint64_t seed = 7) {
    RunStarted s;
    s.config.model = model;
    s.config.dataset = dataset;
    s.config.scenario = "ftmt";
    s.config.seed = seed;
    s.dataset_fingerprint = "fp-1234";
    s.modality_names = {"visual", "text", "audio"};
    s.n_batches_per_epoch = 4;
    s.n_train_triples = 8000;
    return s;
}

nlohmann::json config_json(const RunStarted& s) {
    return {{"model", s.config.model}, {"dataset", s.config.dataset}, {"seed", s.config.seed}, {"epochs", 5}};
}

BatchEvent make_batch(int epoch, int batch, int n_batches) {
    BatchEvent b;
    b.epoch = epoch;
    b.batch = batch;
    b.n_batches = n_batches;
    b.loss = 1.0 / (epoch * 10 + batch);
    b.series = {{"bpr_mean", 0.5 + batch}, {"variance", 0.25 * epoch}};
    b.env_weights = {{0.2f, 0.3f, 0.5f}, {0.6f, 0.3f, 0.1f}};
    return b;
}

EpochEvent make_epoch(int epoch, bool validate) {
    EpochEvent e;
    e.epoch = epoch;
    e.loss = 1.0 / epoch;
    e.series = {{"bpr_mean", 0.7 / epoch}, {"env_0", 0.1 * epoch}};
    if (validate) e.validation = make_eval("validation", epoch);
    e.best_epoch = std::min(epoch, 2);
    e.improved = epoch <= 2;
    e.epoch_seconds = 1.5 * epoch;
    e.eval_seconds = 0.25;
    e.seconds_since_start = 2.0 * epoch;
    return e;
}

// A complete run: 3 epochs of 4 batches, best epoch 2, test at epoch 2.
std::int64_t record_run(RunStore& store, const RunStarted& started, int n_users = 50) {
    RunRecorder rec(store);
    rec.begin_run(started, config_json(started));
    for (int epoch = 1; epoch <= 3; ++epoch) {
        for (int b = 1; b <= 4; ++b) rec.on_batch(make_batch(epoch, b, 4));
        if (epoch <= 2) rec.on_best_model(epoch, std::vector<std::uint8_t>(100 + epoch, static_cast<std::uint8_t>(epoch)));
        rec.on_epoch(make_epoch(epoch, true));
    }
    RunFinished f;
    f.status = RunStatus::EarlyStopped;
    f.best_epoch = 2;
    f.epochs_run = 3;
    f.best_validation = make_eval("validation", 2, n_users);
    f.test = make_eval("test", 2, n_users);
    f.seconds = 6.5;
    f.seconds_per_epoch = 2.0;
    rec.on_run_finished(f);
    return rec.run_id();
}

int count_rows(RunStore& store, const std::string& table, std::int64_t id) {
    SQLite::Statement q(store.database(), "SELECT COUNT(*) FROM " + table + " WHERE run_id=?");
    q.bind(1, id);
    q.executeStep();
    return q.getColumn(0).getInt();
}

}  // namespace

TEST(RunStore, RoundTripOfARecordedRun) {
    test::TempDir dir;
    RunStore store(dir / "runs.db");
    const auto started = make_started();
    const auto id = record_run(store, started);
    ASSERT_GT(id, 0);

    const RunRecord r = store.run(id);
    EXPECT_EQ(r.status, to_string(RunStatus::EarlyStopped));
    EXPECT_EQ(r.model, "milk");
    EXPECT_EQ(r.dataset, "preset:demo");
    EXPECT_EQ(r.dataset_fingerprint, "fp-1234");
    EXPECT_EQ(r.scenario, "ftmt");
    EXPECT_EQ(r.seed, 7u);
    EXPECT_EQ(r.config, config_json(started));
    EXPECT_EQ(r.modality_names, started.modality_names);
    EXPECT_EQ(r.n_batches_per_epoch, 4);
    EXPECT_EQ(r.n_train_triples, 8000);
    EXPECT_EQ(r.best_epoch, 2);
    EXPECT_EQ(r.epochs_run, 3);
    EXPECT_DOUBLE_EQ(r.seconds, 6.5);
    EXPECT_DOUBLE_EQ(r.seconds_per_epoch, 2.0);
    EXPECT_EQ(r.pid, static_cast<std::int64_t>(getpid()));
    EXPECT_FALSE(r.finished_at.empty());
    EXPECT_EQ(r.created_at.size(), 20u);  // 2026-01-02T03:04:05Z

    const auto epochs = store.epochs(id);
    ASSERT_EQ(epochs.size(), 3u);
    for (int e = 1; e <= 3; ++e) {
        EXPECT_EQ(epochs[e - 1].epoch, e);
        EXPECT_DOUBLE_EQ(epochs[e - 1].loss, 1.0 / e);
        EXPECT_DOUBLE_EQ(epochs[e - 1].seconds, 1.5 * e);
        EXPECT_DOUBLE_EQ(epochs[e - 1].eval_seconds, 0.25);
    }

    const auto series = store.epoch_series(id);
    ASSERT_EQ(series.size(), 6u);
    EXPECT_EQ(series[0].name, "bpr_mean");
    EXPECT_DOUBLE_EQ(series[0].value, 0.7);
    EXPECT_EQ(series[5].name, "env_0");
    EXPECT_EQ(series[5].epoch, 3);
    EXPECT_DOUBLE_EQ(series[5].value, 0.1 * 3);

    // Validation: 3 epochs x 3 groups x 2 Ks, overall first within an epoch.
    const auto val = store.epoch_metrics(id);
    ASSERT_EQ(val.size(), 18u);
    for (std::size_t i = 0; i < val.size(); ++i) {
        const int epoch = static_cast<int>(i / 6) + 1, g = static_cast<int>(i % 6) / 2, k = i % 2 == 0 ? 10 : 20;
        EXPECT_EQ(val[i].split, "validation");
        EXPECT_EQ(val[i].epoch, epoch);
        EXPECT_EQ(val[i].group, kGroups[g]);
        EXPECT_EQ(val[i].k, k);
        EXPECT_DOUBLE_EQ(val[i].values.recall, value_of(epoch, g, k, 0));
        EXPECT_DOUBLE_EQ(val[i].values.ndcg, value_of(epoch, g, k, 1));
        EXPECT_DOUBLE_EQ(val[i].values.precision, value_of(epoch, g, k, 2));
        EXPECT_DOUBLE_EQ(val[i].values.hr, value_of(epoch, g, k, 3));
        EXPECT_EQ(val[i].n_items, 100 - g * 10);
        EXPECT_EQ(val[i].n_users, 40 - g);
    }

    const auto test = store.test_metrics(id);
    ASSERT_EQ(test.size(), 6u);
    for (const auto& m : test) {
        EXPECT_EQ(m.split, "test");
        EXPECT_EQ(m.epoch, 2);
    }
    EXPECT_EQ(test[2].group, "complete");
    EXPECT_DOUBLE_EQ(test[2].values.ndcg, value_of(2, 1, 10, 1));

    // Batch data: 4 batches per epoch, all kept (max 16), loss + 2 series each.
    const auto bs = store.batch_series(id);
    ASSERT_EQ(bs.size(), 3u * 4u * 3u);
    EXPECT_EQ(bs[0].epoch, 1);
    EXPECT_EQ(bs[0].batch, 1);
    EXPECT_EQ(bs[0].name, "bpr_mean");
    EXPECT_DOUBLE_EQ(bs[0].value, 1.5);
    EXPECT_EQ(bs[1].name, "loss");
    EXPECT_DOUBLE_EQ(bs[1].value, 1.0 / 11);

    const auto w = store.env_weights(id);
    ASSERT_EQ(w.size(), 3u * 4u * 2u * 3u);
    EXPECT_EQ(w[0].modality, "visual");
    EXPECT_EQ(w[1].modality, "text");
    EXPECT_EQ(w[2].modality, "audio");
    EXPECT_FLOAT_EQ(static_cast<float>(w[2].weight), 0.5f);
    EXPECT_EQ(w[3].env, 1);
    EXPECT_FLOAT_EQ(static_cast<float>(w[3].weight), 0.6f);

    const auto u = store.user_metrics(id, "test", "complete", 20);
    ASSERT_TRUE(u.has_value());
    ASSERT_EQ(u->users.size(), 50u);
    ASSERT_EQ(u->recall.size(), 50u);
    ASSERT_EQ(u->ndcg.size(), 50u);
    EXPECT_EQ(u->users[7], 7 * 3 + 1);
    EXPECT_FLOAT_EQ(u->recall[7], 7.0f / 50 + 1);
    EXPECT_FLOAT_EQ(u->ndcg[7], 7.0f / 100 + 20);
    EXPECT_TRUE(store.user_metrics(id, "validation", "overall", 10).has_value());
    EXPECT_FALSE(store.user_metrics(id, "test", "missing_2", 20).has_value());

    const auto cp = store.checkpoint(id);
    ASSERT_TRUE(cp.has_value());
    EXPECT_EQ(cp->epoch, 2);
    ASSERT_EQ(cp->blob.size(), 102u);
    EXPECT_EQ(cp->blob[101], 2);
}

TEST(RunStore, ListRunsFiltersAndSummarisesTestMetricsAtK) {
    test::TempDir dir;
    RunStore store(dir / "runs.db");
    const auto a = record_run(store, make_started("milk", "preset:demo", 1));
    const auto b = record_run(store, make_started("duif", "preset:demo", 2));
    RunRecorder running(store);
    running.begin_run(make_started("milk", "baby", 3), nlohmann::json::object());

    const auto all = store.list_runs();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].id, a);
    EXPECT_EQ(all[1].id, b);
    EXPECT_EQ(all[1].model, "duif");
    EXPECT_EQ(all[1].seed, 2u);
    EXPECT_EQ(all[2].status, "running");  // this process is alive
    EXPECT_TRUE(all[2].test.empty());
    ASSERT_EQ(all[0].test.size(), 3u);
    EXPECT_EQ(all[0].test[0].group, "overall");
    EXPECT_DOUBLE_EQ(all[0].test[0].recall, value_of(2, 0, 20, 0));
    ASSERT_NE(all[0].find("missing_1"), nullptr);
    EXPECT_DOUBLE_EQ(all[0].find("missing_1")->ndcg, value_of(2, 2, 20, 1));
    EXPECT_EQ(all[0].find("missing_1")->n_items, 80);
    EXPECT_DOUBLE_EQ(store.list_runs({}, 10)[0].test[0].recall, value_of(2, 0, 10, 0));

    EXPECT_EQ(store.list_runs({"milk", "", ""}).size(), 2u);
    EXPECT_EQ(store.list_runs({"milk", "baby", ""}).size(), 1u);
    EXPECT_EQ(store.list_runs({"", "", "running"}).size(), 1u);
    EXPECT_EQ(store.list_runs({"gar", "", ""}).size(), 0u);

    // Another store on the same file in the same (live) process leaves the run alone.
    RunStore again(dir / "runs.db");
    EXPECT_EQ(again.run(running.run_id()).status, "running");
}

TEST(RunStore, BatchDataIsThinnedToAtMostTheConfiguredBatchesPerEpoch) {
    test::TempDir dir;
    RunStore store(dir / "runs.db");
    RunRecorder rec(store, RecorderOptions{16});
    rec.begin_run(make_started(), nlohmann::json::object());
    for (int b = 1; b <= 100; ++b) rec.on_batch(make_batch(1, b, 100));
    rec.on_epoch(make_epoch(1, false));
    std::vector<int> batches;
    for (const auto& p : store.batch_series(rec.run_id()))
        if (p.name == "loss") batches.push_back(p.batch);
    // stride ceil(100/16) = 7: 1, 8, ..., 99, plus the last batch.
    std::vector<int> expected;
    for (int b = 1; b <= 100; b += 7) expected.push_back(b);
    expected.push_back(100);
    EXPECT_EQ(batches, expected);
    EXPECT_EQ(store.env_weights(rec.run_id()).size(), expected.size() * 6);
    EXPECT_TRUE(store.epoch_metrics(rec.run_id()).empty());
}

TEST(RunStore, CreatesTheSchemaInAnEmptyFileAndUsesWal) {
    test::TempDir dir;
    {
        RunStore store(dir / "runs.db");
        EXPECT_EQ(store.schema_version(), RunStore::kSchemaVersion);
        EXPECT_EQ(store.journal_mode(), "wal");
        EXPECT_TRUE(store.integrity_ok());
        EXPECT_TRUE(store.list_runs().empty());
        EXPECT_EQ(store.database().execAndGet("PRAGMA foreign_keys").getInt(), 1);
        for (const char* table : {"runs", "epochs", "epoch_series", "batch_series", "metrics", "env_weights",
                                  "user_metrics", "checkpoints"})
            EXPECT_TRUE(store.database().tableExists(table)) << table;
    }
    // Reopening an up-to-date file changes nothing.
    RunStore again(dir / "runs.db");
    EXPECT_EQ(again.schema_version(), RunStore::kSchemaVersion);
}

TEST(RunStore, MigratesAnEmptyExistingDatabase) {
    test::TempDir dir;
    {
        SQLite::Database raw((dir / "old.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        raw.exec("CREATE TABLE unrelated(x)");
        EXPECT_EQ(raw.execAndGet("PRAGMA user_version").getInt(), 0);
    }
    RunStore store(dir / "old.db");
    EXPECT_EQ(store.schema_version(), RunStore::kSchemaVersion);
    EXPECT_TRUE(store.database().tableExists("runs"));
    EXPECT_TRUE(store.database().tableExists("unrelated"));
}

TEST(RunStore, RefusesADatabaseFromANewerVersion) {
    test::TempDir dir;
    {
        SQLite::Database raw((dir / "new.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        raw.exec("PRAGMA user_version=" + std::to_string(RunStore::kSchemaVersion + 5));
    }
    try {
        RunStore store(dir / "new.db");
        FAIL() << "expected StateError";
    } catch (const StateError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("new.db"), std::string::npos) << msg;
        EXPECT_NE(msg.find("newer milk"), std::string::npos) << msg;
        EXPECT_NE(msg.find("found " + std::to_string(RunStore::kSchemaVersion + 5)), std::string::npos) << msg;
    }
}

TEST(RunStore, RejectsAFileThatIsNotADatabase) {
    test::TempDir dir;
    dir.write("notes.db", std::string(4096, 'x'));
    EXPECT_THROW(RunStore(dir / "notes.db"), FormatError);
    EXPECT_THROW(RunStore(dir / "no-such-folder" / "runs.db"), IoError);
}

TEST(RunStore, AKilledProcessLosesOnlyTheEpochInFlightAndShowsAsInterrupted) {
    test::TempDir dir;
    const auto file = dir / "runs.db";
    { RunStore create(file); }
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            RunStore store(file);
            RunRecorder rec(store);
            rec.begin_run(make_started(), nlohmann::json::object());
            for (int epoch = 1; epoch <= 3; ++epoch) {
                for (int b = 1; b <= 4; ++b) rec.on_batch(make_batch(epoch, b, 4));
                rec.on_epoch(make_epoch(epoch, true));
            }
            for (int b = 1; b <= 3; ++b) rec.on_batch(make_batch(4, b, 4));
            raise(SIGKILL);
        } catch (...) {
        }
        _exit(3);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    EXPECT_EQ(WTERMSIG(status), SIGKILL);

    RunStore store(file);
    EXPECT_TRUE(store.integrity_ok());
    const auto runs = store.list_runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].status, "interrupted");
    EXPECT_EQ(runs[0].epochs_run, 3);
    const auto epochs = store.epochs(runs[0].id);
    ASSERT_EQ(epochs.size(), 3u);
    EXPECT_EQ(epochs.back().epoch, 3);
    EXPECT_EQ(store.epoch_metrics(runs[0].id).size(), 18u);
    for (const auto& p : store.batch_series(runs[0].id)) EXPECT_LE(p.epoch, 3);
    EXPECT_EQ(store.batch_series(runs[0].id).size(), 3u * 4u * 3u);
    EXPECT_FALSE(store.run(runs[0].id).message.empty());
    EXPECT_EQ(store.mark_interrupted(), 0);
}

TEST(RunStore, AReusedPidDoesNotKeepADeadRunRunning) {
    test::TempDir dir;
    RunStore store(dir / "runs.db");
    RunRecorder rec(store);
    rec.begin_run(make_started(), nlohmann::json::object());
    EXPECT_EQ(store.mark_interrupted(), 0);
    // Same pid, different process start time: the recording process is gone.
    store.database().exec("UPDATE runs SET pid_start = pid_start + 12345");
    EXPECT_EQ(store.mark_interrupted(), 1);
    EXPECT_EQ(store.run(rec.run_id()).status, "interrupted");
}

TEST(RunStore, DeleteRemovesEverythingOfTheRunOnly) {
    test::TempDir dir;
    RunStore store(dir / "runs.db");
    const auto a = record_run(store, make_started());
    const auto b = record_run(store, make_started("duif"));
    const std::vector<std::string> tables{"epochs", "epoch_series", "batch_series", "metrics", "env_weights",
                                          "user_metrics", "checkpoints"};
    for (const auto& t : tables) ASSERT_GT(count_rows(store, t, a), 0) << t;
    store.delete_run(a);
    for (const auto& t : tables) {
        EXPECT_EQ(count_rows(store, t, a), 0) << t;
        EXPECT_GT(count_rows(store, t, b), 0) << t;
    }
    EXPECT_FALSE(store.has_run(a));
    EXPECT_THROW(store.run(a), DataError);
    EXPECT_THROW(store.delete_run(a), DataError);
    EXPECT_EQ(store.list_runs().size(), 1u);
}

TEST(RunStore, MissingRunsAreReportedWithTheirId) {
    test::TempDir dir;
    RunStore store(dir / "runs.db");
    try {
        store.run(999);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("run 999"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("no such run"), std::string::npos) << e.what();
    }
    EXPECT_THROW(store.epochs(999), DataError);
    EXPECT_THROW(store.checkpoint(999), DataError);
}

TEST(RunStore, ExportsTestMetricsAsATidyCsv) {
    test::TempDir dir;
    RunStore store(dir / "runs.db");
    const auto a = record_run(store, make_started("milk", "my,data", 5), 0);
    RunRecorder rec(store);
    rec.begin_run(make_started("duif"), nlohmann::json::object());
    const auto file = dir / "out.csv";
    store.export_csv(file);
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_EQ(lines.size(), 1u + 6u + 1u);
    EXPECT_EQ(lines[0],
              "run_id,model,dataset,scenario,seed,status,best_epoch,epochs_run,seconds,created_at,split,group,k,"
              "recall,ndcg,precision,hr,n_items,n_users");
    const std::string created = store.run(a).created_at;
    std::ostringstream expected;
    expected << a << ",milk,\"my,data\",ftmt,5,early_stopped,2,3,6.5," << created << ",test,overall,10,"
             << value_of(2, 0, 10, 0) << ',' << value_of(2, 0, 10, 1) << ',' << value_of(2, 0, 10, 2) << ','
             << value_of(2, 0, 10, 3) << ",100,40";
    // to_string(RunStatus::EarlyStopped) decides the status text.
    std::string want = expected.str();
    want.replace(want.find("early_stopped"), 13, to_string(RunStatus::EarlyStopped));
    EXPECT_EQ(lines[1], want);
    EXPECT_NE(lines[6].find(",test,missing_1,20,"), std::string::npos) << lines[6];
    EXPECT_EQ(lines[7].substr(lines[7].size() - 9), ",,,,,,,,,");  // the running run has no test metrics
    EXPECT_NE(lines[7].find(",duif,"), std::string::npos);

    // Selected ids only; an unknown id is an error and leaves the file as it was.
    store.export_csv(file, {rec.run_id()});
    std::ifstream again(file);
    std::string all((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
    EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 2);
    EXPECT_THROW(store.export_csv(file, {999}), DataError);
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
        EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
}

TEST(RunStore, DefaultPathComesFromTheEnvironment) {
    ::setenv("MILK_RUNS_DB", "/tmp/somewhere/else.db", 1);
    EXPECT_EQ(default_runs_db_path(), std::filesystem::path("/tmp/somewhere/else.db"));
    ::unsetenv("MILK_RUNS_DB");
    EXPECT_EQ(default_runs_db_path(), std::filesystem::path("milk-runs.db"));
}
