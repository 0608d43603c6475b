#pragma once
// The flags `milk train`, `milk eval` and `milk recommend` share: a TrainingConfig from an
// optional JSON file, overridden by flags. The GUI builds the same TrainingConfig.
#include "core/train/training_config.h"

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace milk::cli {

struct ConfigFlags {
    std::string config_file;
    std::optional<std::string> dataset, scenario, imputer, model;
    std::optional<std::uint64_t> seed;
    std::optional<int> epochs, batch_size, eval_every, patience, threads, select_k;
    std::optional<double> lr;
    std::vector<std::string> params;  // key=value (value as JSON, else a string)
    std::string ks;                   // "10,20,50"
    bool split_candidates = false, no_l2 = false;
};

void add_config_flags(CLI::App* sub, ConfigFlags& f, bool training_flags);
TrainingConfig build_config(const ConfigFlags& f);

}  // namespace milk::cli
