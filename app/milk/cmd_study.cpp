// `milk study run|report|list`: the paper's experiments (Tables 2-4, Figures 3-6) as
// studies: cells trained and recorded in the run store (resumable), hyper-parameters
// selected by validation only, reports as Markdown, CSV and HTML with inline SVG charts.
#include "command.h"

#include "core/error.h"
#include "core/store/run_store.h"
#include "core/study/study_library.h"
#include "core/study/study_render.h"
#include "core/study/study_report.h"
#include "core/study/study_runner.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

namespace milk::cli {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted.store(true); }

std::string duration(double s) {
    char buf[32];
    if (s < 0) return "?";
    if (s < 60) std::snprintf(buf, sizeof buf, "%.0fs", s);
    else if (s < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
    else std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600, static_cast<int>(s) % 3600 / 60);
    return buf;
}

struct StudyFlags {
    std::string study, store, out;
    int parallel = 1, seeds = 0, threads = 2;
    bool quick = false, quiet = false;
    std::vector<std::string> datasets;
};

Study effective_study(const StudyFlags& f) {
    Study s = load_study(f.study);
    if (f.quick) s = s.quick_variant();
    if (!f.datasets.empty()) s.set_datasets(f.datasets);
    if (f.seeds > 0) s.set_seed_count(f.seeds);
    (void)expand_cells(s);  // validates models and parameters before anything runs
    return s;
}

std::string store_path(const StudyFlags& f) {
    return f.store.empty() ? default_runs_db_path().string() : f.store;
}

std::string out_dir(const StudyFlags& f, const Study& s) {
    return f.out.empty() ? "study-" + s.name + (f.quick ? "-quick" : "") : f.out;
}

int write_report(const StudyFlags& f, const Study& s) {
    RunStore store(store_path(f));
    const StudyReport report = build_report(s, collect_outcomes(s, store));
    const auto files = write_report_files(report, out_dir(f, s));
    std::printf("%s", render_markdown(report).c_str());
    std::printf("report files:");
    for (const auto& p : files) std::printf(" %s", p.string().c_str());
    std::printf("\n");
    if (report.found_results < report.expected_results)
        std::fprintf(stderr, "note: %d of %d results are in %s; `milk study run` trains the rest\n",
                     report.found_results, report.expected_results, store_path(f).c_str());
    return 0;
}

int run_study_command(const StudyFlags& f) {
    const Study s = effective_study(f);
    if (f.parallel < 1 || f.parallel > 64)
        throw ConfigError(describe("--parallel", "", "a number of cells in [1, 64]", std::to_string(f.parallel)));
    TrainingControl control;
    StudyRunOptions options;
    options.store = store_path(f);
    options.parallel = f.parallel;
    options.threads = f.threads;
    options.control = &control;
    const bool tty = isatty(STDERR_FILENO);
    options.on_event = [&](const StudyEvent& e) {
        if (f.quiet) return;
        using K = StudyEvent::Kind;
        const std::string head = "[" + std::to_string(e.done) + "/" + std::to_string(e.total) + "] ";
        const std::string eta = "  elapsed " + duration(e.elapsed_seconds) + ", ETA " + duration(e.eta_seconds);
        switch (e.kind) {
            case K::CellStarted: std::fprintf(stderr, "%s%sstart   %s\n", tty ? "\r\033[K" : "", head.c_str(), e.cell.c_str()); break;
            case K::Epoch:
                if (tty) std::fprintf(stderr, "\r\033[K  %s: epoch %d/%d", e.cell.c_str(), e.epoch, e.epochs);
                break;
            case K::CellFinished: std::fprintf(stderr, "%s%sdone    %s%s\n", tty ? "\r\033[K" : "", head.c_str(), e.cell.c_str(), eta.c_str()); break;
            case K::CellFromStore: std::fprintf(stderr, "%sstored  %s\n", head.c_str(), e.cell.c_str()); break;
            case K::CellFailed:
                std::fprintf(stderr, "%s%sFAILED  %s: %s\n", tty ? "\r\033[K" : "", head.c_str(), e.cell.c_str(), e.message.c_str());
                break;
            case K::CellCancelled: std::fprintf(stderr, "%s%scancelled %s\n", tty ? "\r\033[K" : "", head.c_str(), e.cell.c_str()); break;
        }
        std::fflush(stderr);
    };
    // Ctrl-C: finish no new cell, stop the running ones between batches; a rerun resumes.
    g_interrupted.store(false);
    auto previous = std::signal(SIGINT, on_sigint);
    std::atomic<bool> finished{false};
    std::thread watcher([&] {
        while (!finished.load()) {
            if (g_interrupted.load()) {
                control.request_cancel();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    StudyRunSummary summary;
    try {
        summary = run_study(s, options);
    } catch (...) {
        finished.store(true);
        watcher.join();
        std::signal(SIGINT, previous);
        throw;
    }
    finished.store(true);
    watcher.join();
    std::signal(SIGINT, previous);
    if (!f.quiet)
        std::fprintf(stderr, "study %s: %d cells, %d trained, %d from the store, %d failed in %s\n", s.name.c_str(),
                     summary.cells, summary.trained, summary.from_store, summary.failed, duration(summary.seconds).c_str());
    for (const auto& fail : summary.failures) std::fprintf(stderr, "failed: %s\n", fail.c_str());
    write_report(f, s);
    if (summary.cancelled) throw Cancelled();
    return summary.failed > 0 ? 1 : 0;
}

void add_study_flags(CLI::App* sub, StudyFlags& f) {
    sub->add_option("study", f.study, "study file (JSON) or ready-made name (see `milk study list`)")->required();
    sub->add_option("--store,--db", f.store, "experiment database (default $MILK_RUNS_DB or ./milk-runs.db)");
    sub->add_option("--out", f.out, "report folder (default study-NAME[-quick])");
    sub->add_option("--seeds", f.seeds, "number of repeats (seeds 2024, 2025, ...), overriding the study's");
    sub->add_option("--dataset", f.datasets, "dataset(s) overriding the study's (folder or preset:NAME; repeatable)");
    sub->add_flag("--quick", f.quick, "the study's demo variant (few seeds and epochs, reduced grid), e.g. for CI");
}

static CommandRegistration reg("study", [](CLI::App& app) {
    auto* study = app.add_subcommand("study", "run the paper's experiments as studies: tables, figures, significance");
    study->require_subcommand(1);

    auto run_flags = std::make_shared<StudyFlags>();
    auto* run = study->add_subcommand("run", "train a study's missing cells (resumable) and write its report");
    add_study_flags(run, *run_flags);
    run->add_option("--parallel", run_flags->parallel, "cells trained at the same time (each with 1 thread when > 1)");
    run->add_option("--threads", run_flags->threads, "threads per trainer when --parallel is 1 (default 2)");
    run->add_flag("--quiet,-q", run_flags->quiet, "no progress on stderr");
    run->callback([run_flags] { exit_code() = guarded([&] { return run_study_command(*run_flags); }); });

    auto report_flags = std::make_shared<StudyFlags>();
    auto* report = study->add_subcommand("report", "write a study's report from the store, without training");
    add_study_flags(report, *report_flags);
    report->callback([report_flags] {
        exit_code() = guarded([&] { return write_report(*report_flags, effective_study(*report_flags)); });
    });

    auto* list = study->add_subcommand("list", "the ready-made studies (the paper's Tables 2-4, Figures 3-6)");
    list->callback([] {
        exit_code() = guarded([] {
            const auto studies = ready_made_studies();
            if (studies.empty()) {
                std::string where;
                for (const auto& d : study_search_path()) where += " " + d.string();
                throw IoError(describe("ready-made studies", "", "*.json in one of:" + where, "none"));
            }
            for (const auto& s : studies) std::printf("%-14s %s\n", s.name.c_str(), s.title.c_str());
            std::printf("(from %s)\n", studies.front().path.parent_path().string().c_str());
            return 0;
        });
    });
});

}  // namespace
}  // namespace milk::cli
