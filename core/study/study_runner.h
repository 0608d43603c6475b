#pragma once
// Runs a study's cells, recording every run in the RunStore (SQLite) and each cell's
// results (per evaluation scenario, with per-user values for paired tests) in the same
// database's `study_results` table. Resumable: a cell whose results are already there,
// from a run still in the store, is taken from the store and not trained again; cancelled
// or failed cells leave no result and run again next time. Cells run N at a time
// (`parallel`), each trainer then using one Eigen thread (results do not depend on it).
#include "core/eval/ranking_metrics.h"
#include "core/study/study.h"
#include "core/train/training_control.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace milk {

class RunStore;

// One cell's results under one evaluation scenario.
struct CellOutcome {
    std::string dataset, scenario_label, model_label;
    nlohmann::json grid_point = nlohmann::json::object();
    std::uint64_t seed = 0;
    std::int64_t run_id = 0;
    EvalResult validation, test;  // validation at the best epoch; test at that epoch
};

// The `study_results` table, on a RunStore's database (created when absent).
class StudyResultStore {
public:
    explicit StudyResultStore(RunStore& store);
    // Results of a finished cell; nullopt when absent or when its run was deleted.
    std::optional<CellOutcome> find(const std::string& result_key) const;
    void put(const std::string& result_key, const std::string& cell_key, const std::string& eval_scenario,
             std::int64_t run_id, const EvalResult& validation, const EvalResult& test, int per_user_k);

private:
    RunStore& store_;
};

// EvalResult <-> JSON keeping the per-user values at K = per_user_k only.
nlohmann::json eval_result_to_json(const EvalResult& r, int per_user_k);
EvalResult eval_result_from_json(const nlohmann::json& j);

struct StudyEvent {
    enum class Kind { CellStarted, Epoch, CellFinished, CellFromStore, CellFailed, CellCancelled };
    Kind kind = Kind::CellStarted;
    std::string cell;  // StudyCell::describe()
    int cell_index = 0, total = 0;
    int done = 0, trained = 0, from_store = 0, failed = 0;
    int epoch = 0, epochs = 0;  // Epoch events
    std::string message;        // failure text
    double elapsed_seconds = 0;
    double eta_seconds = -1;    // < 0 while unknown (no cell trained yet)
};

struct StudyRunOptions {
    std::filesystem::path store = "milk-runs.db";
    int parallel = 1;  // cells at a time; each trainer then uses 1 thread when > 1
    int threads = 2;   // trainer threads when parallel == 1
    // Called from worker threads, one event at a time (serialised by the runner).
    std::function<void(const StudyEvent&)> on_event;
    TrainingControl* control = nullptr;  // cancel: no new cell starts, running ones stop
};

struct StudyRunSummary {
    int cells = 0, trained = 0, from_store = 0, failed = 0;
    bool cancelled = false;
    double seconds = 0;
    std::vector<std::string> failures;  // "cell: message"
};

// Throws ConfigError for a bad study, IoError/DataError when a dataset cannot be loaded;
// a cell that fails to train is reported in the summary and the others go on.
StudyRunSummary run_study(const Study& study, const StudyRunOptions& options);

// Every stored result of the study's cells (missing ones are simply absent).
std::vector<CellOutcome> collect_outcomes(const Study& study, RunStore& store);

}  // namespace milk
