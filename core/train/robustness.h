#pragma once
// Robustness to missing modalities (paper Figure 5): one trained model (a checkpoint)
// evaluated with full test modalities (FTFT) and with missing ones (FTMT), per group, with
// the relative drop  drop% = 100 (m_full - m_missing) / m_full.
// Both evaluations group the items by the *missing* scenario's mask, so a row compares the
// same items: e.g. "missing_1" = the items that lose one modality under FTMT, ranked once
// with all their modalities and once without. The evaluation is `milk eval`'s path: the
// checkpoint's own config with the scenario swapped, prepare_data, create_model +
// load_checkpoint, evaluate_model.
#include "core/data/dataset.h"
#include "core/eval/ranking_metrics.h"
#include "core/train/training_config.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace milk {

// The training config stored in a checkpoint written by the Trainer (meta.config).
TrainingConfig config_of_checkpoint(const std::vector<std::uint8_t>& checkpoint, const std::string& source);

// The checkpoint's model evaluated on `split` under `scenario`, items grouped by
// `group_scenario` (empty: by `scenario` itself, as `milk eval`). The rest of the config is
// the checkpoint's. `ds` must be the checkpoint's dataset. Throws FormatError for bad bytes.
EvalResult evaluate_checkpoint(const std::vector<std::uint8_t>& checkpoint, std::shared_ptr<const Dataset> ds,
                               const std::string& scenario, ItemRole split, const std::string& group_scenario = {});

struct RobustnessRow {
    std::string group;
    int n_items = 0;
    double recall_full = 0, recall_missing = 0, recall_drop_pct = 0;
    double ndcg_full = 0, ndcg_missing = 0, ndcg_drop_pct = 0;
};
// Relative drop in % from `base` to `value`; NaN when base is 0.
double relative_drop_pct(double base, double value);
// One row per group present in both results (in the order of `full`), at K.
std::vector<RobustnessRow> robustness_table(const EvalResult& full, const EvalResult& missing, int k);

struct RobustnessResult {
    std::string model, full_scenario, missing_scenario;
    int k = 20;
    EvalResult full, missing;
    std::vector<RobustnessRow> rows;
};
// Test split, both scenarios, grouped by `missing_scenario`.
RobustnessResult evaluate_robustness(const std::vector<std::uint8_t>& checkpoint, std::shared_ptr<const Dataset> ds,
                                     int k = 20, const std::string& full_scenario = "ftft",
                                     const std::string& missing_scenario = "ftmt");

}  // namespace milk
