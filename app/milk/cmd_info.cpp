// `milk info`: what a dataset holds (the paper's Table 1 for any dataset), how long it took
// to load, and with --scenario how many items of each split fall in each missing group.
#include "command.h"

#include "core/data/atomic_file.h"
#include "core/data/dataset_source.h"
#include "core/error.h"
#include "core/scenario/scenario.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

namespace milk::cli {
namespace {

struct InfoFlags {
    std::string dataset, scenario, json;
    std::uint64_t seed = 2024;
};

nlohmann::json split_json(const Interactions& x) {
    return {{"users", x.n_users_with_items()}, {"items", x.n_distinct_items()}, {"interactions", x.size()}};
}

int run_info(const InfoFlags& f) {
    const auto start = std::chrono::steady_clock::now();
    Dataset ds = load_dataset(f.dataset);
    const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const std::int64_t total = ds.train.size() + ds.validation.size() + ds.test.size();
    const double density = static_cast<double>(total) / (static_cast<double>(ds.n_users) * ds.n_items);
    nlohmann::json j;
    j["dataset"] = ds.name;
    j["source"] = ds.source;
    j["users"] = ds.n_users;
    j["items"] = ds.n_items;
    j["interactions"] = total;
    j["density"] = density;
    j["new_items"] = {{"validation", ds.items_with_role(ItemRole::ValidationNew).size()},
                      {"test", ds.items_with_role(ItemRole::TestNew).size()}};
    j["splits"] = {{"train", split_json(ds.train)}, {"validation", split_json(ds.validation)}, {"test", split_json(ds.test)}};
    j["modalities"] = nlohmann::json::array();
    for (const auto& m : ds.modalities)
        j["modalities"].push_back({{"name", m.name}, {"dim", m.dim()}, {"natural_missing_rate", m.missing_rate()}});
    j["fingerprint"] = ds.fingerprint();
    j["load_seconds"] = load_seconds;

    std::printf("dataset      %s (%s)\n", ds.name.c_str(), ds.source.c_str());
    std::printf("users        %d\n", ds.n_users);
    std::printf("items        %d (%zu validation-new, %zu test-new)\n", ds.n_items,
                ds.items_with_role(ItemRole::ValidationNew).size(), ds.items_with_role(ItemRole::TestNew).size());
    std::printf("interactions %lld\n", static_cast<long long>(total));
    std::printf("density      %.6f\n", density);
    std::printf("fingerprint  %s\n\n", j["fingerprint"].get<std::string>().c_str());
    std::printf("%-12s %10s %10s %14s\n", "split", "#users", "#items", "#interactions");
    for (const auto& [name, x] : {std::pair<const char*, const Interactions*>{"train", &ds.train},
                                  {"validation", &ds.validation}, {"test", &ds.test}})
        std::printf("%-12s %10d %10d %14lld\n", name, x->n_users_with_items(), x->n_distinct_items(),
                    static_cast<long long>(x->size()));
    std::printf("\n%-12s %10s %22s\n", "modality", "dim", "natural missing rate");
    for (const auto& m : ds.modalities) std::printf("%-12s %10d %21.2f%%\n", m.name.c_str(), m.dim(), 100.0 * m.missing_rate());

    if (!f.scenario.empty()) {
        ScenarioSpec spec = ScenarioSpec::parse(f.scenario, f.seed);
        AvailabilityMask mask = apply_scenario(ds, spec);
        ScenarioSummary summary = summarize(ds, mask);
        const int M = ds.n_modalities();
        std::printf("\nscenario %s (seed %llu): items per missing group\n", spec.name().c_str(),
                    static_cast<unsigned long long>(f.seed));
        std::printf("%-12s", "split");
        for (int k = 0; k <= M; ++k) std::printf(" %11s", group_name(k).c_str());
        for (int m = 0; m < M; ++m) std::printf(" %11s", ("no_" + ds.modalities[m].name).c_str());
        std::printf("\n");
        nlohmann::json sj = nlohmann::json::object();
        for (const auto& row : summary.rows) {
            std::printf("%-12s", row.split.c_str());
            nlohmann::json rj;
            for (std::size_t k = 0; k < row.count_missing_k.size(); ++k) {
                std::printf(" %11d", row.count_missing_k[k]);
                rj[group_name(static_cast<int>(k))] = row.count_missing_k[k];
            }
            for (std::size_t m = 0; m < row.missing_per_modality.size(); ++m) {
                std::printf(" %11d", row.missing_per_modality[m]);
                rj["no_" + ds.modalities[m].name] = row.missing_per_modality[m];
            }
            std::printf("\n");
            sj[row.split] = rj;
        }
        j["scenario"] = {{"name", spec.name()}, {"seed", f.seed}, {"groups", sj}};
    }
    std::printf("\nloaded in %.2f s\n", load_seconds);

    if (!f.json.empty()) {
        AtomicFile out(f.json);
        out.write(j.dump(2) + "\n");
        out.commit();
    }
    return 0;
}

}  // namespace

static CommandRegistration reg("info", [](CLI::App& app) {
    auto flags = std::make_shared<InfoFlags>();
    auto* sub = app.add_subcommand("info", "Summarise a dataset: users, items, splits, modalities (paper Table 1)");
    sub->add_option("--dataset", flags->dataset, "Dataset folder (reference, MMRec or generic layout) or preset:NAME")
        ->required();
    sub->add_option("--scenario", flags->scenario, "Also count items per missing group: ftft|ftmt|mtmt|mixed|FILE.json");
    sub->add_option("--seed", flags->seed, "Seed of the scenario's random draws")->capture_default_str();
    sub->add_option("--json", flags->json, "Also write the summary as JSON to FILE");
    sub->callback([flags] { exit_code() = guarded([&] { return run_info(*flags); }); });
});

}  // namespace milk::cli
