#pragma once
// What the trainer tells its listeners (GUI, CLI progress line, RunStore). Listeners are
// called on the training thread; the GUI re-posts them queued and coalesced.
#include "core/eval/ranking_metrics.h"
#include "core/train/training_config.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace milk {

struct RunStarted {
    TrainingConfig config;
    std::string dataset_fingerprint;
    std::vector<std::string> modality_names;
    int n_batches_per_epoch = 0;
    int n_train_triples = 0;
};

struct BatchEvent {
    int epoch = 0, batch = 0, n_batches = 0;  // epoch and batch are 1-based
    double loss = 0;
    std::vector<std::pair<std::string, double>> series;  // model diagnostics (see BatchStats)
    std::vector<std::vector<float>> env_weights;
    double seconds_since_start = 0;
    double triples_per_second = 0;
};

struct EpochEvent {
    int epoch = 0;
    double loss = 0;                                     // mean over batches (not a sum)
    std::vector<std::pair<std::string, double>> series;  // per-batch means
    std::optional<EvalResult> validation;               // when evaluated this epoch
    bool improved = false;                               // validation improved the best
    int best_epoch = 0;
    double epoch_seconds = 0, eval_seconds = 0, seconds_since_start = 0;
    double eta_seconds = 0;                              // to max epochs (upper bound)
};

enum class RunStatus { Running, Finished, EarlyStopped, Cancelled, Failed, Interrupted };
const char* to_string(RunStatus s);
RunStatus parse_run_status(const std::string& s);

struct RunFinished {
    RunStatus status = RunStatus::Finished;
    std::string message;          // error text when Failed
    int best_epoch = 0;
    int epochs_run = 0;
    std::optional<EvalResult> best_validation, test;  // test: at the best validation epoch only
    double seconds = 0, seconds_per_epoch = 0;
};

class TrainingListener {
public:
    virtual ~TrainingListener() = default;
    virtual void on_run_started(const RunStarted&) {}
    virtual void on_batch(const BatchEvent&) {}
    virtual void on_epoch(const EpochEvent&) {}
    // Called with the best model's parameters in place (e.g. to checkpoint it).
    virtual void on_best_model(int /*epoch*/, const std::vector<std::uint8_t>& /*checkpoint*/) {}
    virtual void on_run_finished(const RunFinished&) {}
};

}  // namespace milk
