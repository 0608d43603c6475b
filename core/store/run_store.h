#pragma once
// RunStore: the experiment database (SQLite, WAL). Every run the trainer executes can be
// recorded through a RunRecorder (a TrainingListener) and read back for tables, charts,
// CSV export and paired tests. One epoch = one transaction, so a killed process loses at
// most the epoch in flight; runs whose process died show as 'interrupted'.
//
// Threading: a RunStore (and the RunRecorders made on it) must be used by one thread at a
// time; give each thread its own RunStore on the same file. Several processes may read
// while one writes (WAL); writers wait up to the busy timeout for each other.
#include "core/train/training_events.h"

#include <nlohmann/json.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace milk {

// $MILK_RUNS_DB when set and non-empty, otherwise ./milk-runs.db.
std::filesystem::path default_runs_db_path();

// One line of the runs table plus its test metrics at one K (Table 2 of the paper).
struct RunSummaryRow {
    std::int64_t id = 0;
    std::string created_at, finished_at;  // ISO 8601 UTC; finished_at empty while running
    std::string status;                   // to_string(RunStatus) of the final status, or "running"/"interrupted"
    std::string model, dataset, scenario;
    std::uint64_t seed = 0;
    int best_epoch = 0, epochs_run = 0;
    double seconds = 0;
    struct Group {
        std::string group;
        int n_items = 0, n_users = 0;
        double recall = 0, ndcg = 0;
    };
    std::vector<Group> test;  // split 'test' at the best epoch, overall first; empty if none
    const Group* find(const std::string& group) const;
};

// Everything in the runs table for one run.
struct RunRecord {
    std::int64_t id = 0;
    std::string created_at, finished_at, status;
    std::string model, dataset, dataset_fingerprint, scenario;
    std::uint64_t seed = 0;
    nlohmann::json config;                   // TrainingConfig::to_json() at the start
    std::vector<std::string> modality_names;
    int n_batches_per_epoch = 0, n_train_triples = 0;
    int best_epoch = 0, epochs_run = 0;
    double seconds = 0, seconds_per_epoch = 0;
    std::string message;
    std::int64_t pid = 0;
    std::string hostname, heartbeat_at;
};

struct EpochRow {
    int epoch = 0;
    double loss = 0, seconds = 0, eval_seconds = 0;
};

struct MetricRow {
    int epoch = 0;
    std::string split, group;
    int k = 0;
    MetricValues values;
    int n_items = 0, n_users = 0;
};

struct SeriesPoint {
    int epoch = 0;
    int batch = 0;  // 0 for per-epoch series
    std::string name;
    double value = 0;
};

struct EnvWeightRow {
    int epoch = 0, batch = 0, env = 0;
    std::string modality;
    double weight = 0;
};

// Per-user values of one (split, group, K) at the best epoch, aligned by index.
struct UserMetrics {
    std::vector<std::int32_t> users;
    std::vector<float> recall, ndcg;
};

struct Checkpoint {
    int epoch = 0;
    std::vector<std::uint8_t> blob;
};

struct RunFilter {
    std::string model, dataset, status;  // empty = any
};

class RunStore {
public:
    static constexpr int kSchemaVersion = 1;

    // Opens or creates `file`, applies pending migrations, and marks runs left 'running'
    // by a process that no longer exists as 'interrupted'. Throws IoError when the file
    // cannot be opened, FormatError when it is not a SQLite database, StateError when its
    // schema is newer than this build knows.
    explicit RunStore(const std::filesystem::path& file, int busy_timeout_ms = 5000);
    ~RunStore();
    RunStore(const RunStore&) = delete;
    RunStore& operator=(const RunStore&) = delete;

    const std::filesystem::path& path() const { return path_; }
    int schema_version() const;
    std::string journal_mode() const;
    bool integrity_ok() const;  // PRAGMA integrity_check == "ok"

    // Runs in status 'running' on this host whose process is gone become 'interrupted'.
    // Returns how many were marked. Called by the constructor.
    int mark_interrupted();

    std::vector<RunSummaryRow> list_runs(const RunFilter& filter = {}, int k = 20) const;
    RunRecord run(std::int64_t id) const;  // DataError if absent
    bool has_run(std::int64_t id) const;
    std::vector<EpochRow> epochs(std::int64_t id) const;
    std::vector<MetricRow> epoch_metrics(std::int64_t id) const;  // split 'validation', by epoch
    std::vector<MetricRow> test_metrics(std::int64_t id) const;   // split 'test', best epoch
    std::vector<SeriesPoint> epoch_series(std::int64_t id) const;
    std::vector<SeriesPoint> batch_series(std::int64_t id) const;  // thinned, see RecorderOptions
    std::vector<EnvWeightRow> env_weights(std::int64_t id) const;  // thinned, see RecorderOptions
    std::optional<UserMetrics> user_metrics(std::int64_t id, const std::string& split,
                                            const std::string& group, int k) const;
    std::optional<Checkpoint> checkpoint(std::int64_t id) const;
    // Removes the run and everything recorded for it. DataError if absent.
    void delete_run(std::int64_t id);

    // Test metrics of the given runs (all runs when empty) as a tidy CSV, one row per
    // (run, group, K); written to a temporary file and renamed into place.
    void export_csv(const std::filesystem::path& file, const std::vector<std::int64_t>& ids = {}) const;
    std::string csv(const std::vector<std::int64_t>& ids = {}) const;

    SQLite::Database& database() { return *db_; }

private:
    void migrate();
    [[noreturn]] void no_such_run(std::int64_t id) const;

    std::filesystem::path path_;
    std::unique_ptr<SQLite::Database> db_;
};

struct RecorderOptions {
    // Batch-level data (env weights, batch loss and series) is thinned: per epoch, at most
    // this many evenly spaced batches are kept (batch 1, 1+s, 1+2s, ... and the last one).
    int max_batches_per_epoch = 16;
};

// Records one run into a RunStore. Use one recorder per run.
class RunRecorder : public TrainingListener {
public:
    explicit RunRecorder(RunStore& store, RecorderOptions options = {});
    std::int64_t run_id() const { return run_id_; }  // 0 before on_run_started

    void on_run_started(const RunStarted& e) override;
    void on_batch(const BatchEvent& e) override;
    void on_epoch(const EpochEvent& e) override;
    void on_best_model(int epoch, const std::vector<std::uint8_t>& checkpoint) override;
    void on_run_finished(const RunFinished& e) override;

    // Lower level than the events, for tests and importers.
    std::int64_t begin_run(const RunStarted& e, const nlohmann::json& config_json);

private:
    struct BufferedBatch {
        int epoch = 0, batch = 0;
        double loss = 0;
        std::vector<std::pair<std::string, double>> series;
        std::vector<std::vector<float>> env_weights;
    };
    void require_started(const char* event) const;
    void flush_batches();  // inside an open transaction

    RunStore& store_;
    RecorderOptions options_;
    std::int64_t run_id_ = 0;
    std::vector<std::string> modality_names_;
    std::vector<BufferedBatch> buffered_;
};

}  // namespace milk
