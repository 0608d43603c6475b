// `milk generate`: writes a synthetic preset (optionally resized or reseeded) as a folder in
// the reference layout, so every loader, the public MILK code and `milk info` can read it.
#include "command.h"

#include "core/data/atomic_file.h"
#include "core/data/loaders.h"
#include "core/data/synthetic.h"
#include "core/error.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

namespace {

namespace fs = std::filesystem;

struct GenerateOptions {
    std::string preset, out;
    std::uint64_t seed = 0;
    int users = 0, items = 0;
    double interactions_per_user = 0, noise = 0, popularity_skew = 0, new_item_fraction = 0,
           missing_rate = 0, temperature = 0;
    bool force = false;
};

bool folder_is_empty(const fs::path& p) {
    std::error_code ec;
    return fs::directory_iterator(p, ec) == fs::directory_iterator();
}

// Replaces a non-empty folder: the new data is complete on disk before the old one moves
// away, and a failed swap puts the old folder back.
void replace_folder(const milk::Dataset& ds, const fs::path& out) {
    const std::string staging = milk::temporary_sibling(out.string());
    milk::write_reference_layout(ds, staging);
    const std::string old = milk::temporary_sibling(out.string());
    std::error_code ec;
    fs::rename(out, old, ec);
    if (ec) {
        fs::remove_all(staging, ec);
        throw milk::IoError(milk::describe(out.string(), "--force", "a folder that can be moved aside", "rename failed"));
    }
    fs::rename(staging, out, ec);
    if (ec) {
        std::error_code ignored;
        fs::rename(old, out, ignored);
        fs::remove_all(staging, ignored);
        throw milk::IoError(milk::describe(out.string(), "", "a writable folder", "rename failed: " + ec.message()));
    }
    fs::remove_all(old, ec);
}

std::string summary(const milk::Dataset& ds) {
    std::string mods;
    for (const auto& t : ds.modalities)
        mods += (mods.empty() ? "" : ", ") + t.name + " " + std::to_string(t.dim()) + "-d";
    return std::to_string(ds.n_users) + " users, " + std::to_string(ds.n_items) + " items (" +
           std::to_string(ds.new_items().size()) + " new), interactions train/val/test " +
           std::to_string(ds.train.size()) + "/" + std::to_string(ds.validation.size()) + "/" +
           std::to_string(ds.test.size()) + "; " + mods;
}

int run_generate(const GenerateOptions& o, CLI::App& sub) {
    // "demo" or "preset:demo", as --dataset spells it; ConfigError names the presets.
    const std::string prefix = "preset:";
    const std::string name = o.preset.rfind(prefix, 0) == 0 ? o.preset.substr(prefix.size()) : o.preset;
    milk::SyntheticSpec spec = milk::synthetic_preset(name);
    if (sub.count("--seed")) spec.seed = o.seed;
    if (sub.count("--users")) spec.n_users = o.users;
    if (sub.count("--items")) spec.n_items = o.items;
    if (sub.count("--interactions-per-user")) spec.interactions_per_user = o.interactions_per_user;
    if (sub.count("--noise")) spec.noise = o.noise;
    if (sub.count("--popularity-skew")) spec.popularity_skew = o.popularity_skew;
    if (sub.count("--new-item-fraction")) spec.new_item_fraction = o.new_item_fraction;
    if (sub.count("--missing-rate")) spec.natural_missing_rate = o.missing_rate;
    if (sub.count("--temperature")) spec.temperature = o.temperature;
    milk::validate_spec(spec);

    const fs::path out(o.out);
    std::error_code ec;
    const bool exists = fs::exists(out, ec);
    if (exists && !fs::is_directory(out, ec))
        throw milk::IoError(milk::describe(o.out, "--out", "a folder (new or empty)", "an existing file"));
    const bool occupied = exists && !folder_is_empty(out);
    if (occupied && !o.force)
        throw milk::ConfigError(milk::describe(o.out, "--out", "a new or empty folder (or --force to replace it)",
                                               "a folder that already holds files"));
    if (out.has_parent_path() && !fs::exists(out.parent_path(), ec)) {
        fs::create_directories(out.parent_path(), ec);
        if (ec)
            throw milk::IoError(milk::describe(out.parent_path().string(), "--out", "a folder that can be created",
                                               ec.message()));
    }

    const auto start = std::chrono::steady_clock::now();
    const milk::Dataset ds = milk::generate_synthetic(spec);
    const double generated = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (occupied)
        replace_folder(ds, out);
    else
        milk::write_reference_layout(ds, o.out);
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::cout << "generated preset:" << spec.name << " (seed " << spec.seed << "): " << summary(ds) << "\n";
    std::cout << "fingerprint " << ds.fingerprint() << "\n";
    char times[96];
    std::snprintf(times, sizeof times, "%.2f s to generate, %.2f s in all", generated, total);
    std::cout << "wrote " << o.out << " (reference layout) in " << times << "\n";
    return 0;
}

milk::cli::CommandRegistration reg("generate", [](CLI::App& app) {
    auto opts = std::make_shared<GenerateOptions>();
    auto* sub = app.add_subcommand("generate", "Write a synthetic dataset preset as a folder (reference layout)");
    std::string names;
    for (const auto& n : milk::synthetic_preset_names()) names += (names.empty() ? "" : ", ") + n;
    sub->add_option("--preset", opts->preset, "Preset: " + names)->required();
    sub->add_option("--out", opts->out, "Folder to write (must be new or empty unless --force)")->required();
    sub->add_option("--seed", opts->seed, "Random seed (default: the preset's)");
    sub->add_option("--users", opts->users, "Number of users (overrides the preset)");
    sub->add_option("--items", opts->items, "Number of items (overrides the preset)");
    sub->add_option("--interactions-per-user", opts->interactions_per_user, "Mean interactions per user");
    sub->add_option("--noise", opts->noise, "Feature noise scale");
    sub->add_option("--popularity-skew", opts->popularity_skew, "Zipf exponent of item popularity");
    sub->add_option("--new-item-fraction", opts->new_item_fraction, "Fraction of items that become new (paper: 0.2)");
    sub->add_option("--missing-rate", opts->missing_rate, "Fraction of rows naturally missing per modality");
    sub->add_option("--temperature", opts->temperature, "Softmax temperature of user preferences");
    sub->add_flag("--force", opts->force, "Replace a non-empty --out folder");
    sub->callback([opts, sub] {
        milk::cli::exit_code() = milk::cli::guarded([&] { return run_generate(*opts, *sub); });
    });
});

}  // namespace
