// `milk convert`: any supported dataset (or preset) to the public MILK code's folder layout,
// with its *_feat_missing_* variants when a scenario is given, so both can run on the same data.
#include "command.h"

#include "core/data/dataset_source.h"
#include "core/data/loaders.h"
#include "core/error.h"
#include "core/scenario/imputer.h"
#include "core/scenario/scenario.h"

#include <cstdio>
#include <memory>
#include <optional>

namespace milk::cli {
namespace {

struct ConvertFlags {
    std::string dataset, out, scenario, imputer = "mean";
    std::uint64_t seed = 2024;
};

int run_convert(const ConvertFlags& f) {
    // Check the cheap flags before loading anything.
    const ImputerKind kind = parse_imputer(f.imputer);
    std::optional<ScenarioSpec> spec;
    if (!f.scenario.empty()) spec = ScenarioSpec::parse(f.scenario, f.seed);
    Dataset ds = load_dataset(f.dataset);
    if (!spec) {
        write_reference_layout(ds, f.out);
        std::printf("wrote %s (%d users, %d items, %d modalities) to %s\n", ds.name.c_str(), ds.n_users, ds.n_items,
                    ds.n_modalities(), f.out.c_str());
        return 0;
    }
    AvailabilityMask mask = apply_scenario(ds, *spec);
    // The public code fills missing rows with the mean and L2-normalises every row itself.
    ImputeOptions options;
    options.kind = kind;
    options.l2_normalize = false;
    MissingVariants variants{mask.a, impute(ds, mask, options)};
    write_reference_layout(ds, f.out, &variants);
    int warm_missing = 0, new_missing = 0;
    for (int i = 0; i < ds.n_items; ++i)
        if (mask.missing_count(i) > 0) (ds.roles[i] == ItemRole::Warm ? warm_missing : new_missing)++;
    std::printf("wrote %s under %s (seed %llu, %s imputation) to %s: %d warm and %d new items miss a modality\n",
                ds.name.c_str(), spec->name().c_str(), static_cast<unsigned long long>(f.seed), to_string(kind).c_str(),
                f.out.c_str(), warm_missing, new_missing);
    return 0;
}

}  // namespace

static CommandRegistration reg("convert", [](CLI::App& app) {
    auto flags = std::make_shared<ConvertFlags>();
    auto* sub = app.add_subcommand("convert", "Write a dataset in the public MILK code's folder layout");
    sub->add_option("--dataset", flags->dataset, "Dataset folder (reference, MMRec or generic layout) or preset:NAME")
        ->required();
    sub->add_option("--out", flags->out, "Output folder (must not exist or be empty)")->required();
    sub->add_option("--scenario", flags->scenario,
                    "Also write *_feat_missing_* files and missing item indexes: ftft|ftmt|mtmt|mixed|FILE.json");
    sub->add_option("--seed", flags->seed, "Seed of the scenario's random draws")->capture_default_str();
    sub->add_option("--imputer", flags->imputer, "How missing rows are filled: mean|zero|map")->capture_default_str();
    sub->callback([flags] { exit_code() = guarded([&] { return run_convert(*flags); }); });
});

}  // namespace milk::cli
