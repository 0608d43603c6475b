#pragma once
// How a run's results leave the program: the `--json` shape documented in the README
// and the per-group text table `milk train` / `milk eval` print.
#include "core/eval/ranking_metrics.h"
#include "core/train/training_events.h"

#include <nlohmann/json.hpp>
#include <string>

namespace milk {

// {GROUP: {"n_items", "n_users", "recall@K", "ndcg@K", "precision@K", "hr@K", ...}, ...}
nlohmann::json eval_to_json(const EvalResult& r);
// {"status", "best_epoch", "epochs_run", "seconds", "seconds_per_epoch", "validation": ..., "test": ...}
nlohmann::json run_to_json(const RunFinished& r);
// Rows: groups with sizes; columns: Recall@K and NDCG@K for each K.
std::string format_eval_table(const EvalResult& r, const std::string& title);

}  // namespace milk
