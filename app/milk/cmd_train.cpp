// `milk train`: train a model on a dataset under a missing-modality scenario, with a
// progress line on stderr, a per-group results table, optional JSON, store and checkpoint.
#include "command.h"
#include "config_flags.h"

#include "core/data/dataset_source.h"
#include "core/error.h"
#include "core/models/checkpoint.h"
#include "core/store/run_store.h"
#include "core/train/run_report.h"
#include "core/train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace milk::cli {
namespace {

std::string duration(double s) {
    char buf[32];
    if (s < 60) std::snprintf(buf, sizeof buf, "%.1fs", s);
    else if (s < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
    else std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600, static_cast<int>(s) % 3600 / 60);
    return buf;
}

// The progress line: per batch (overwritten, on a terminal), one line per epoch.
class ProgressLine : public TrainingListener {
public:
    ProgressLine(int epochs, bool quiet) : epochs_(epochs), quiet_(quiet), tty_(isatty(STDERR_FILENO)) {}
    void on_run_started(const RunStarted& e) override {
        if (quiet_) return;
        std::fprintf(stderr, "training %s on %s (%s), %d triples, %d batches/epoch\n", e.config.model.c_str(),
                     e.config.dataset.c_str(), e.config.scenario.c_str(), e.n_train_triples, e.n_batches_per_epoch);
    }
    void on_batch(const BatchEvent& e) override {
        if (quiet_ || !tty_) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::milliseconds(200) && e.batch != e.n_batches) return;
        last_ = now;
        std::fprintf(stderr, "\r  epoch %d/%d  batch %d/%d  loss %.4f  %.0f triples/s   ", e.epoch, epochs_, e.batch,
                     e.n_batches, e.loss, e.triples_per_second);
        std::fflush(stderr);
    }
    void on_epoch(const EpochEvent& e) override {
        if (quiet_) return;
        std::string line = "epoch " + std::to_string(e.epoch) + "/" + std::to_string(epochs_);
        char buf[96];
        std::snprintf(buf, sizeof buf, "  loss %.4f", e.loss);
        line += buf;
        for (const auto& [name, value] : e.series)
            if (name == "bpr_mean" || name == "variance" || name == "align") {
                std::snprintf(buf, sizeof buf, "  %s %.4g", name.c_str(), value);
                line += buf;
            }
        if (e.validation) {
            std::snprintf(buf, sizeof buf, "  val NDCG@20 %.4f%s", e.validation->metric("overall", "ndcg", 20),
                          e.improved ? " *" : "");
            line += buf;
        }
        std::snprintf(buf, sizeof buf, "  (%.2fs + eval %.2fs)  ETA %s", e.epoch_seconds, e.eval_seconds,
                      duration(e.eta_seconds).c_str());
        line += buf;
        std::fprintf(stderr, "%s%s\n", tty_ ? "\r\033[K" : "", line.c_str());
    }

private:
    int epochs_;
    bool quiet_, tty_;
    std::chrono::steady_clock::time_point last_{};
};

void write_json_file(const std::string& path, const nlohmann::json& j) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        if (!out) throw IoError(describe(path, "", "a writable file", "cannot open '" + tmp + "'"));
        out << j.dump(2) << "\n";
        if (!out) throw IoError(describe(path, "", "the results written", "a write error"));
    }
    std::filesystem::rename(tmp, path);
}

struct TrainFlags {
    ConfigFlags config;
    std::string json, db, checkpoint;
    bool quiet = false;
};

int run_train(const TrainFlags& f) {
    TrainingConfig config = build_config(f.config);
    const auto t0 = std::chrono::steady_clock::now();
    auto ds = std::make_shared<const Dataset>(load_dataset(config.dataset));
    PreparedData data = prepare_data(ds, config);
    const double prep = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!f.quiet) std::fprintf(stderr, "loaded %s and applied %s in %.2fs\n", config.dataset.c_str(), data.scenario.name().c_str(), prep);

    Trainer trainer(config, std::move(data));
    ProgressLine progress(config.epochs, f.quiet);
    trainer.add_listener(&progress);
    std::unique_ptr<RunStore> store;
    std::unique_ptr<RunRecorder> recorder;
    if (!f.db.empty()) {
        store = std::make_unique<RunStore>(f.db);
        recorder = std::make_unique<RunRecorder>(*store);
        trainer.add_listener(recorder.get());
    }
    TrainingControl control;
    RunFinished r = trainer.run(control);
    if (r.status == RunStatus::Failed) throw DataError(r.message);

    std::printf("%s: %s after %d epochs (%.2f s/epoch), best validation epoch %d\n", config.model.c_str(),
                to_string(r.status), r.epochs_run, r.seconds_per_epoch, r.best_epoch);
    if (r.best_validation) std::printf("\n%s", format_eval_table(*r.best_validation, "validation (best epoch)").c_str());
    if (r.test) std::printf("\n%s", format_eval_table(*r.test, "test (at the best validation epoch)").c_str());
    if (recorder) std::printf("\nrecorded as run %lld in %s\n", static_cast<long long>(recorder->run_id()), f.db.c_str());
    if (!f.json.empty()) {
        nlohmann::json j = run_to_json(r);
        j["config"] = config.to_json();
        write_json_file(f.json, j);
    }
    if (!f.checkpoint.empty())
        write_checkpoint_file(f.checkpoint, save_checkpoint(trainer.model(), {{"config", config.to_json()},
                                                                               {"epoch", r.best_epoch}}));
    return 0;
}

static CommandRegistration reg("train", [](CLI::App& app) {
    auto flags = std::make_shared<TrainFlags>();
    auto* sub = app.add_subcommand("train", "train a model (MILK, its ablations, DUIF, ...) and report per-group metrics");
    add_config_flags(sub, flags->config, true);
    sub->add_option("--json", flags->json, "write the results as JSON (shape in the README)");
    sub->add_option("--db", flags->db, "record the run in this experiment database (SQLite)");
    sub->add_option("--checkpoint", flags->checkpoint, "write the best model's checkpoint to this file");
    sub->add_flag("--quiet,-q", flags->quiet, "no progress on stderr");
    sub->callback([flags] { exit_code() = guarded([&] { return run_train(*flags); }); });
});

}  // namespace
}  // namespace milk::cli
