// `milk eval`: a checkpoint evaluated under any scenario (e.g. trained FTFT, tested FTMT:
// the paper's Figure 5), and `milk models`: what can be trained.
#include "command.h"
#include "config_flags.h"

#include "core/data/dataset_source.h"
#include "core/error.h"
#include "core/models/checkpoint.h"
#include "core/train/run_report.h"
#include "core/train/trainer.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

namespace milk::cli {
namespace {

struct EvalFlags {
    ConfigFlags config;
    std::string checkpoint, json;
};

int run_eval(const EvalFlags& f) {
    const auto bytes = read_checkpoint_file(f.checkpoint);
    const nlohmann::json header = checkpoint_header(bytes, f.checkpoint);
    // Start from the config the model was trained with; flags choose the evaluation's data.
    TrainingConfig config = TrainingConfig::from_json(header.at("meta").at("config"), f.checkpoint + " (config)");
    if (!f.config.config_file.empty())
        throw ConfigError(describe("--config", "milk eval", "the checkpoint's own config plus flags", "a config file"));
    ConfigFlags overrides = f.config;
    TrainingConfig flags_config = build_config(overrides);  // validates flag values
    if (f.config.dataset) config.dataset = flags_config.dataset;
    if (f.config.scenario) config.scenario = flags_config.scenario;
    if (f.config.seed) config.seed = flags_config.seed;
    if (f.config.imputer) config.imputer = flags_config.imputer;
    if (f.config.no_l2) config.l2_normalize = false;
    if (!f.config.ks.empty()) config.ks = flags_config.ks;
    if (f.config.split_candidates) config.split_candidates_only = true;
    if (f.config.threads) config.threads = flags_config.threads;
    if (std::find(config.ks.begin(), config.ks.end(), config.select_k) == config.ks.end()) config.select_k = config.ks.front();

    auto ds = std::make_shared<const Dataset>(load_dataset(config.dataset));
    PreparedData data = prepare_data(ds, config);
    auto model = create_model(header.at("model").get<std::string>(), header.at("model_params"));
    Rng rng(config.seed);
    TrainingData td{ds.get(), &data.mask, &data.features};
    model->initialize(td, rng);
    load_checkpoint(*model, bytes, f.checkpoint);
    EvalOptions options;
    options.ks = config.ks;
    options.split_candidates_only = config.split_candidates_only;
    options.threads = config.threads;
    Eigen::setNbThreads(config.threads);
    EvalResult val = evaluate_model(*model, data, ItemRole::ValidationNew, options);
    EvalResult test = evaluate_model(*model, data, ItemRole::TestNew, options);
    std::printf("%s from %s on %s under %s (seed %llu)\n\n", model->name().c_str(), f.checkpoint.c_str(),
                config.dataset.c_str(), data.scenario.name().c_str(), static_cast<unsigned long long>(config.seed));
    std::printf("%s\n%s", format_eval_table(val, "validation").c_str(), format_eval_table(test, "test").c_str());
    if (!f.json.empty()) {
        nlohmann::json j = {{"checkpoint", f.checkpoint}, {"config", config.to_json()},
                            {"validation", eval_to_json(val)}, {"test", eval_to_json(test)}};
        const std::string tmp = f.json + ".tmp";
        {
            std::ofstream out(tmp);
            if (!out) throw IoError(describe(f.json, "", "a writable file", "cannot open '" + tmp + "'"));
            out << j.dump(2) << "\n";
        }
        std::filesystem::rename(tmp, f.json);
    }
    return 0;
}

static CommandRegistration reg("eval", [](CLI::App& app) {
    auto flags = std::make_shared<EvalFlags>();
    auto* sub = app.add_subcommand("eval", "evaluate a checkpoint, optionally under another scenario or dataset");
    sub->add_option("--checkpoint", flags->checkpoint, "checkpoint written by `milk train --checkpoint`")->required();
    add_config_flags(sub, flags->config, false);
    sub->add_option("--json", flags->json, "write the results as JSON");
    sub->callback([flags] { exit_code() = guarded([&] { return run_eval(*flags); }); });
});

static CommandRegistration models_reg("models", [](CLI::App& app) {
    auto* sub = app.add_subcommand("models", "list the models and their hyper-parameters");
    sub->callback([] {
        exit_code() = guarded([] {
            for (const auto& info : model_registry()) {
                std::printf("%-16s %s\n", info.name.c_str(), info.description.c_str());
                for (const auto& h : info.hyper_parameters)
                    std::printf("    %-14s %-20s default %-8g range [%g, %g]  %s\n", h.key.c_str(), h.symbol.c_str(),
                                h.default_value, h.min, h.max, h.description.c_str());
                for (const auto& [key, text] : info.switches) std::printf("    %-14s switch: %s\n", key.c_str(), text.c_str());
            }
            return 0;
        });
    });
});

}  // namespace
}  // namespace milk::cli
