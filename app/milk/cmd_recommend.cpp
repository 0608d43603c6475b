// `milk recommend`: top-K new items for a user from a checkpoint, or the score of one new
// item given any subset of its modalities (the others filled by the run's imputer).
#include "command.h"
#include "config_flags.h"

#include "core/data/dataset_source.h"
#include "core/error.h"
#include "core/models/checkpoint.h"
#include "core/train/trainer.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <numeric>
#include <sstream>

namespace milk::cli {
namespace {

struct RecommendFlags {
    ConfigFlags config;
    std::string checkpoint, modalities;
    int user = -1, item = -1, k = 10;
};

int run_recommend(const RecommendFlags& f) {
    const auto bytes = read_checkpoint_file(f.checkpoint);
    const nlohmann::json header = checkpoint_header(bytes, f.checkpoint);
    TrainingConfig config = TrainingConfig::from_json(header.at("meta").at("config"), f.checkpoint + " (config)");
    if (f.config.dataset) config.dataset = *f.config.dataset;
    if (f.config.scenario) config.scenario = *f.config.scenario;
    if (f.config.seed) config.seed = *f.config.seed;
    if (f.config.imputer) config.imputer = *f.config.imputer;
    auto ds = std::make_shared<const Dataset>(load_dataset(config.dataset));
    if (f.user < 0 || f.user >= ds->n_users)
        throw ConfigError(describe("--user", "value", "a user id in [0, " + std::to_string(ds->n_users - 1) + "]",
                                   std::to_string(f.user)));
    PreparedData data = prepare_data(ds, config);
    if (f.item >= 0) {
        if (f.item >= ds->n_items || ds->roles[f.item] == ItemRole::Warm)
            throw ConfigError(describe("--item", "value", "the id of a new (validation or test) item", std::to_string(f.item)));
        if (!f.modalities.empty()) {
            std::vector<std::uint8_t> keep(ds->n_modalities(), 0);
            std::stringstream ss(f.modalities);
            std::string name;
            while (std::getline(ss, name, ',')) {
                int m = -1;
                for (int i = 0; i < ds->n_modalities(); ++i)
                    if (ds->modalities[i].name == name) m = i;
                if (m < 0) throw ConfigError(describe("--modalities", "'" + name + "'", "a modality of the dataset", "an unknown name"));
                if (!ds->modalities[m].present[f.item])
                    throw ConfigError(describe("--modalities", "'" + name + "'", "a modality item " + std::to_string(f.item) + " has",
                                               "a naturally missing one"));
                keep[m] = 1;
            }
            for (int m = 0; m < ds->n_modalities(); ++m)
                data.mask.a[static_cast<std::size_t>(f.item) * data.mask.n_modalities + m] = keep[m];
            ImputeOptions io;
            io.kind = parse_imputer(config.imputer);
            io.l2_normalize = config.l2_normalize;
            data.features = impute(*ds, data.mask, io);
        }
    }
    auto model = create_model(header.at("model").get<std::string>(), header.at("model_params"));
    Rng rng(config.seed);
    TrainingData td{ds.get(), &data.mask, &data.features};
    model->initialize(td, rng);
    load_checkpoint(*model, bytes, f.checkpoint);
    const auto items = ds->new_items();
    const nn::Matrix users = model->user_embeddings();
    const nn::Matrix emb = model->item_embeddings(data.features, items);
    std::vector<std::pair<float, std::int32_t>> scored;
    for (std::int32_t j : items) scored.emplace_back(users.row(f.user).dot(emb.row(j)), j);
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    auto modalities_of = [&](std::int32_t j) {
        std::string s;
        for (int m = 0; m < ds->n_modalities(); ++m)
            if (data.mask.at(j, m)) s += (s.empty() ? "" : "+") + ds->modalities[m].name;
        return s;
    };
    const auto& truth_split = ds->validation;
    auto relevant = [&](std::int32_t j) {
        auto a = truth_split.of(f.user), b = ds->test.of(f.user);
        return std::binary_search(a.begin(), a.end(), j) || std::binary_search(b.begin(), b.end(), j);
    };
    if (f.item >= 0) {
        auto it = std::find_if(scored.begin(), scored.end(), [&](const auto& p) { return p.second == f.item; });
        std::printf("user %d, new item %d (%s, modalities used: %s): score %.5f, rank %ld of %zu new items%s\n", f.user,
                    f.item, to_string(ds->roles[f.item]), modalities_of(f.item).c_str(), it->first,
                    static_cast<long>(it - scored.begin()) + 1, scored.size(), relevant(f.item) ? " (a held-out interaction)" : "");
        return 0;
    }
    std::printf("top %d new items for user %d (%s, %s)\n rank   item  role            score    modalities\n", f.k, f.user,
                model->name().c_str(), data.scenario.name().c_str());
    for (int r = 0; r < std::min<int>(f.k, static_cast<int>(scored.size())); ++r) {
        const auto [score, j] = scored[r];
        std::printf(" %4d %6d  %-14s %8.4f    %s%s\n", r + 1, j, to_string(ds->roles[j]), score, modalities_of(j).c_str(),
                    relevant(j) ? "   <- held-out interaction" : "");
    }
    return 0;
}

static CommandRegistration reg("recommend", [](CLI::App& app) {
    auto flags = std::make_shared<RecommendFlags>();
    auto* sub = app.add_subcommand("recommend", "top-K new items for a user, or one new item's score from a subset of its modalities");
    sub->add_option("--checkpoint", flags->checkpoint, "checkpoint written by `milk train --checkpoint`")->required();
    sub->add_option("--user", flags->user, "user id")->required();
    sub->add_option("--k", flags->k, "how many items to list")->check(CLI::Range(1, 100000));
    sub->add_option("--item", flags->item, "score this new item instead of listing the top K");
    sub->add_option("--modalities", flags->modalities, "with --item: comma-separated modalities to use, e.g. image");
    add_config_flags(sub, flags->config, false);
    sub->callback([flags] { exit_code() = guarded([&] { return run_recommend(*flags); }); });
});

}  // namespace
}  // namespace milk::cli
