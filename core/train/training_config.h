#pragma once
// One config object for a run, shared by `milk train`, the GUI and studies; JSON round-trip.
#include "core/eval/ranking_metrics.h"
#include "core/scenario/imputer.h"
#include "core/scenario/scenario.h"

#include <nlohmann/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace milk {

struct TrainingConfig {
    std::string dataset = "preset:demo";    // folder (any layout) or preset:NAME
    std::string scenario = "ftmt";          // ftft|ftmt|mtmt|mixed|FILE.json
    std::string imputer = "mean";           // mean|zero|map
    bool l2_normalize = true;
    std::string model = "milk";
    nlohmann::json model_params = nlohmann::json::object();  // model hyper-parameters
    std::uint64_t seed = 2024;
    int epochs = 100;
    int batch_size = 2048;        // paper 5.1.4
    double learning_rate = 1e-3;  // paper 5.1.4
    int eval_every = 1;
    int patience = 10;            // validation checks without improvement before stopping
    std::vector<int> ks{10, 20, 50};
    int select_k = 20;            // early stopping on validation NDCG@select_k
    bool split_candidates_only = false;
    int threads = 2;              // determinism holds for a fixed thread count

    nlohmann::json to_json() const;
    // Unknown keys and out-of-range values throw ConfigError naming the key.
    static TrainingConfig from_json(const nlohmann::json& j, const std::string& source);
    void validate() const;
};

}  // namespace milk
