#include "core/train/training_config.h"

#include "core/error.h"
#include "core/train/training_events.h"

#include <set>

namespace milk {

nlohmann::json TrainingConfig::to_json() const {
    return {{"dataset", dataset},
            {"scenario", scenario},
            {"imputer", imputer},
            {"l2_normalize", l2_normalize},
            {"model", model},
            {"model_params", model_params},
            {"seed", seed},
            {"epochs", epochs},
            {"batch_size", batch_size},
            {"learning_rate", learning_rate},
            {"eval_every", eval_every},
            {"patience", patience},
            {"ks", ks},
            {"select_k", select_k},
            {"split_candidates_only", split_candidates_only},
            {"threads", threads}};
}

namespace {

template <typename T>
void read(const nlohmann::json& j, const std::string& key, T& out, const std::string& source, const char* expected) {
    if (!j.contains(key)) return;
    try {
        out = j.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw ConfigError(describe(source, "key '" + key + "'", expected, j.at(key).dump()));
    }
}

}  // namespace

TrainingConfig TrainingConfig::from_json(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object()) throw ConfigError(describe(source, "top level", "a JSON object", j.dump()));
    static const std::set<std::string> known{"dataset",   "scenario", "imputer",       "l2_normalize", "model",
                                             "model_params", "seed",  "epochs",        "batch_size",   "learning_rate",
                                             "eval_every", "patience", "ks",           "select_k",
                                             "split_candidates_only", "threads"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!known.count(it.key()))
            throw ConfigError(describe(source, "key '" + it.key() + "'", "a known training key", "an unknown key"));
    TrainingConfig c;
    read(j, "dataset", c.dataset, source, "a string");
    read(j, "scenario", c.scenario, source, "a string");
    read(j, "imputer", c.imputer, source, "a string");
    read(j, "l2_normalize", c.l2_normalize, source, "true or false");
    read(j, "model", c.model, source, "a string");
    if (j.contains("model_params")) {
        c.model_params = j.at("model_params");
        if (!c.model_params.is_object())
            throw ConfigError(describe(source, "key 'model_params'", "a JSON object", c.model_params.dump()));
    }
    read(j, "seed", c.seed, source, "a non-negative integer");
    read(j, "epochs", c.epochs, source, "an integer");
    read(j, "batch_size", c.batch_size, source, "an integer");
    read(j, "learning_rate", c.learning_rate, source, "a number");
    read(j, "eval_every", c.eval_every, source, "an integer");
    read(j, "patience", c.patience, source, "an integer");
    read(j, "ks", c.ks, source, "a list of integers");
    read(j, "select_k", c.select_k, source, "an integer");
    read(j, "split_candidates_only", c.split_candidates_only, source, "true or false");
    read(j, "threads", c.threads, source, "an integer");
    c.validate();
    return c;
}

void TrainingConfig::validate() const {
    auto range = [](const char* key, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi))
            throw ConfigError(describe("training config", std::string("key '") + key + "'",
                                       "a value in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
                                       std::to_string(v)));
    };
    range("epochs", epochs, 0, 100000);
    range("batch_size", batch_size, 1, 1 << 20);
    range("learning_rate", learning_rate, 1e-8, 10);
    range("eval_every", eval_every, 1, 100000);
    range("patience", patience, 1, 100000);
    range("threads", threads, 1, 256);
    if (ks.empty()) throw ConfigError(describe("training config", "key 'ks'", "at least one K", "an empty list"));
    bool has_select = false;
    for (int k : ks) {
        range("ks", k, 1, 100000);
        has_select |= k == select_k;
    }
    if (!has_select)
        throw ConfigError(describe("training config", "key 'select_k'", "one of the values in 'ks'",
                                   std::to_string(select_k)));
    if (dataset.empty()) throw ConfigError(describe("training config", "key 'dataset'", "a folder or preset:NAME", "an empty string"));
}

const char* to_string(RunStatus s) {
    switch (s) {
        case RunStatus::Running: return "running";
        case RunStatus::Finished: return "finished";
        case RunStatus::EarlyStopped: return "early-stopped";
        case RunStatus::Cancelled: return "cancelled";
        case RunStatus::Failed: return "failed";
        case RunStatus::Interrupted: return "interrupted";
    }
    return "unknown";
}

RunStatus parse_run_status(const std::string& s) {
    for (RunStatus r : {RunStatus::Running, RunStatus::Finished, RunStatus::EarlyStopped, RunStatus::Cancelled,
                        RunStatus::Failed, RunStatus::Interrupted})
        if (s == to_string(r)) return r;
    throw ConfigError(describe("run status", "value", "running|finished|early-stopped|cancelled|failed|interrupted", s));
}

}  // namespace milk
