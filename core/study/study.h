#pragma once
// A study: the paper's experiments (section 5, Tables 2-4, Figures 3-6) as data. A JSON
// file names dataset(s), scenario(s) (including "train under X, evaluate under Y"), models
// with fixed parameters and a hyper-parameter grid, seeds (default 5, the paper's repeats)
// and training overrides; it expands into cells dataset x train scenario x model x grid
// point x seed. Each cell trains once and is evaluated under every evaluation scenario
// that uses its training scenario. Parse errors name the file, the field, what was
// expected and what was found.
#include "core/train/training_config.h"

#include <nlohmann/json.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace milk {

// One column block of the paper's tables: train under `train`, evaluate under `eval`.
struct StudyScenario {
    std::string label;  // "FTMT", "FTFT->FTMT", ...
    std::string train, eval;
};

struct StudyModel {
    std::string label;  // row name, unique within the study (e.g. "DUIF (zero)")
    std::string name;   // model registry name
    std::string imputer;  // empty = the study's training imputer
    nlohmann::json params = nlohmann::json::object();  // fixed hyper-parameters
    // key -> candidate values (numbers, booleans or strings), expanded as a Cartesian product
    std::vector<std::pair<std::string, std::vector<nlohmann::json>>> grid;
    // Every grid point as a JSON object (one empty object when there is no grid).
    std::vector<nlohmann::json> grid_points() const;
};

// What `--quick` changes (a demo run for CI): each key overrides the full study's.
struct StudyQuick {
    std::vector<std::string> datasets;
    int seeds = 2;
    nlohmann::json training = nlohmann::json::object();  // TrainingConfig keys
    int max_grid_values = 1;  // each grid axis keeps its first N values
    // Per model label: a grid replacing the reduced one, and parameters merged into params.
    std::map<std::string, std::vector<std::pair<std::string, std::vector<nlohmann::json>>>> grids;
    std::map<std::string, nlohmann::json> params;
};

struct Study {
    std::string source;  // file it came from, for messages
    std::string name, title, description;
    std::string kind = "comparison";  // "comparison" (select by validation) | "sensitivity" (every grid point)
    std::vector<std::string> datasets;
    std::vector<StudyScenario> scenarios;
    std::vector<StudyModel> models;
    std::vector<std::uint64_t> seeds;
    nlohmann::json training = nlohmann::json::object();  // TrainingConfig keys overriding the defaults
    std::string select_metric = "ndcg";  // on validation, overall group
    int select_k = 20;
    std::vector<std::string> report_metrics{"recall@10", "recall@20", "ndcg@10", "ndcg@20"};
    std::vector<std::string> groups{"overall", "complete", "missing_1", "missing_2"};
    StudyQuick quick;

    // Throws ConfigError / ParseError naming `source` and the field.
    static Study from_json(const nlohmann::json& j, const std::string& source);
    static Study load(const std::filesystem::path& file);
    nlohmann::json to_json() const;

    // The study as run with `--quick`: quick datasets, seeds, training and grid.
    Study quick_variant() const;
    void set_seed_count(int n);  // seeds 2024, 2025, ... (n of them)
    void set_datasets(const std::vector<std::string>& datasets);
};

// "ndcg@20" -> {"ndcg", 20}; throws ConfigError naming `where`.
std::pair<std::string, int> parse_metric(const std::string& text, const std::string& where);

// One training: it is evaluated under each of `evals` (scenario labels + eval scenario).
struct StudyCell {
    std::string dataset;
    std::string train_scenario;
    std::vector<StudyScenario> evals;  // the study scenarios trained under train_scenario
    std::string model_label;
    nlohmann::json grid_point = nlohmann::json::object();
    std::uint64_t seed = 0;
    TrainingConfig config;  // ready to run (threads set by the runner)
    std::string key;        // deterministic: hash of the config without `threads`
    std::string describe() const;  // "milk beta=50 seed 2024 on preset:demo ftmt"
};

// Deterministic cell key: hex FNV-1a 64 of the canonical config JSON without `threads`
// (results do not depend on the thread count).
std::string cell_key(const TrainingConfig& config);
// Key of one (cell, evaluation scenario) result.
std::string result_key(const std::string& cell_key, const std::string& eval_scenario);

// Expands the study; validates every model name (ConfigError listing the known models)
// and every model's parameters (ConfigError naming the study file and model entry).
std::vector<StudyCell> expand_cells(const Study& study);

}  // namespace milk
