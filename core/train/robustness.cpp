#include "core/train/robustness.h"

#include "core/error.h"
#include "core/models/checkpoint.h"
#include "core/train/trainer.h"

#include <algorithm>
#include <limits>

namespace milk {

TrainingConfig config_of_checkpoint(const std::vector<std::uint8_t>& checkpoint, const std::string& source) {
    const nlohmann::json header = checkpoint_header(checkpoint, source);
    if (!header.contains("meta") || !header.at("meta").contains("config"))
        throw FormatError(describe(source, "meta.config", "the training config stored by the trainer", "none"));
    return TrainingConfig::from_json(header.at("meta").at("config"), source + " (config)");
}

EvalResult evaluate_checkpoint(const std::vector<std::uint8_t>& checkpoint, std::shared_ptr<const Dataset> ds,
                               const std::string& scenario, ItemRole split, const std::string& group_scenario) {
    const std::string source = "checkpoint";
    const nlohmann::json header = checkpoint_header(checkpoint, source);
    TrainingConfig config = config_of_checkpoint(checkpoint, source);
    config.scenario = scenario;
    PreparedData data = prepare_data(ds, config);
    if (!group_scenario.empty() && group_scenario != scenario)
        data.groups = ItemGroups::from_mask(apply_scenario(*ds, ScenarioSpec::parse(group_scenario, config.seed)));
    auto model = create_model(header.at("model").get<std::string>(), header.at("model_params"));
    Rng rng(config.seed);
    TrainingData td{ds.get(), &data.mask, &data.features};
    model->initialize(td, rng);
    load_checkpoint(*model, checkpoint, source);
    EvalOptions options;
    options.ks = config.ks;
    options.split_candidates_only = config.split_candidates_only;
    options.threads = config.threads;
    options.keep_per_user = false;
    return evaluate_model(*model, data, split, options);
}

double relative_drop_pct(double base, double value) {
    if (base == 0) return std::numeric_limits<double>::quiet_NaN();
    return 100.0 * (base - value) / base;
}

std::vector<RobustnessRow> robustness_table(const EvalResult& full, const EvalResult& missing, int k) {
    std::vector<RobustnessRow> rows;
    for (const GroupResult& f : full.groups) {
        const GroupResult* m = missing.find(f.group);
        if (!m) continue;
        const auto fk = f.at_k.find(k);
        const auto mk = m->at_k.find(k);
        if (fk == f.at_k.end() || mk == m->at_k.end()) continue;
        RobustnessRow r;
        r.group = f.group;
        r.n_items = m->n_items;
        r.recall_full = fk->second.recall;
        r.recall_missing = mk->second.recall;
        r.recall_drop_pct = relative_drop_pct(r.recall_full, r.recall_missing);
        r.ndcg_full = fk->second.ndcg;
        r.ndcg_missing = mk->second.ndcg;
        r.ndcg_drop_pct = relative_drop_pct(r.ndcg_full, r.ndcg_missing);
        rows.push_back(std::move(r));
    }
    return rows;
}

RobustnessResult evaluate_robustness(const std::vector<std::uint8_t>& checkpoint, std::shared_ptr<const Dataset> ds, int k,
                                     const std::string& full_scenario, const std::string& missing_scenario) {
    RobustnessResult r;
    r.model = checkpoint_header(checkpoint, "checkpoint").at("model").get<std::string>();
    r.full_scenario = full_scenario;
    r.missing_scenario = missing_scenario;
    r.k = k;
    TrainingConfig config = config_of_checkpoint(checkpoint, "checkpoint");
    if (std::find(config.ks.begin(), config.ks.end(), k) == config.ks.end())
        throw ConfigError(describe("checkpoint", "ks", "the run's cutoffs to include K=" + std::to_string(k), "they do not"));
    r.full = evaluate_checkpoint(checkpoint, ds, full_scenario, ItemRole::TestNew, missing_scenario);
    r.missing = evaluate_checkpoint(checkpoint, ds, missing_scenario, ItemRole::TestNew, missing_scenario);
    r.rows = robustness_table(r.full, r.missing, k);
    return r;
}

}  // namespace milk
