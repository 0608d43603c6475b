#include "config_flags.h"

#include "core/error.h"

#include <fstream>
#include <sstream>

namespace milk::cli {

void add_config_flags(CLI::App* sub, ConfigFlags& f, bool training_flags) {
    sub->add_option("--config", f.config_file, "training config JSON (flags override its keys)");
    sub->add_option("--dataset", f.dataset, "dataset folder (any supported layout) or preset:NAME");
    sub->add_option("--scenario", f.scenario, "ftft|ftmt|mtmt|mixed|FILE.json (missing-modality scenario)");
    sub->add_option("--seed", f.seed, "seed of the scenario and of training");
    sub->add_option("--imputer", f.imputer, "mean|zero|map: how missing modalities are filled");
    sub->add_flag("--no-l2", f.no_l2, "do not L2-normalise feature rows after imputation");
    sub->add_option("--ks", f.ks, "list of K for the metrics, e.g. 10,20,50");
    sub->add_flag("--split-candidates", f.split_candidates,
                  "rank only the split's own new items (default: all new items, as the public code)");
    sub->add_option("--threads", f.threads, "threads for training and evaluation (default 2)");
    if (!training_flags) return;
    sub->add_option("--model", f.model, "model name (see `milk models`), e.g. milk, milk-no-both, duif");
    sub->add_option("--param", f.params, "model hyper-parameter KEY=VALUE (repeatable), e.g. beta=1000");
    sub->add_option("--epochs", f.epochs, "maximum number of epochs");
    sub->add_option("--batch-size", f.batch_size, "BPR triples per mini-batch (paper: 2048)");
    sub->add_option("--lr", f.lr, "Adam learning rate (paper: 1e-3)");
    sub->add_option("--eval-every", f.eval_every, "validate every N epochs");
    sub->add_option("--patience", f.patience, "validation checks without improvement before stopping");
    sub->add_option("--select-k", f.select_k, "early stopping on validation NDCG@K (default 20)");
}

TrainingConfig build_config(const ConfigFlags& f) {
    TrainingConfig c;
    if (!f.config_file.empty()) {
        std::ifstream in(f.config_file);
        if (!in) throw IoError(describe(f.config_file, "", "a readable JSON config file", "no such file"));
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(in);
        } catch (const nlohmann::json::parse_error& e) {
            throw ParseError(describe(f.config_file, "byte " + std::to_string(e.byte), "valid JSON", e.what()));
        }
        c = TrainingConfig::from_json(j, f.config_file);
    }
    if (f.dataset) c.dataset = *f.dataset;
    if (f.scenario) c.scenario = *f.scenario;
    if (f.imputer) c.imputer = *f.imputer;
    if (f.model) c.model = *f.model;
    if (f.seed) c.seed = *f.seed;
    if (f.epochs) c.epochs = *f.epochs;
    if (f.batch_size) c.batch_size = *f.batch_size;
    if (f.eval_every) c.eval_every = *f.eval_every;
    if (f.patience) c.patience = *f.patience;
    if (f.threads) c.threads = *f.threads;
    if (f.lr) c.learning_rate = *f.lr;
    if (f.select_k) c.select_k = *f.select_k;
    if (f.no_l2) c.l2_normalize = false;
    if (f.split_candidates) c.split_candidates_only = true;
    if (!f.ks.empty()) {
        c.ks.clear();
        std::stringstream ss(f.ks);
        std::string part;
        while (std::getline(ss, part, ',')) {
            try {
                std::size_t used = 0;
                int k = std::stoi(part, &used);
                if (used != part.size()) throw std::invalid_argument(part);
                c.ks.push_back(k);
            } catch (const std::exception&) {
                throw ConfigError(describe("--ks", "value '" + part + "'", "a positive integer", "'" + part + "'"));
            }
        }
    }
    for (const auto& kv : f.params) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw ConfigError(describe("--param", "'" + kv + "'", "KEY=VALUE", "no '='"));
        const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
        nlohmann::json v;
        try {
            v = nlohmann::json::parse(value);
        } catch (const nlohmann::json::exception&) {
            v = value;
        }
        c.model_params[key] = v;
    }
    c.validate();
    return c;
}

}  // namespace milk::cli
