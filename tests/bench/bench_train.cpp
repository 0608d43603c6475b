// One MILK training epoch and one full validation evaluation on the baby-like preset
// (19,445 users, 7,050 items, 4096-d image + 384-d text), FTMT, paper defaults
// (d = 64, batch 2048, Adam 1e-3), 2 threads. The README's speed table comes from here
// and from `milk train` on the same data.
#include "core/data/dataset_source.h"
#include "core/train/trainer.h"

#include <benchmark/benchmark.h>

#include <memory>

using namespace milk;

namespace {

const PreparedData& baby() {
    static PreparedData data = [] {
        TrainingConfig c;
        c.dataset = "preset:baby-like";
        c.scenario = "ftmt";
        return prepare_data(std::make_shared<const Dataset>(load_dataset(c.dataset)), c);
    }();
    return data;
}

void BM_MilkEpochBabyLike(benchmark::State& state) {
    TrainingConfig c;
    c.dataset = "preset:baby-like";
    c.scenario = "ftmt";
    c.model = state.range(0) == 0 ? "milk" : "duif";
    c.epochs = 1;
    c.threads = 2;
    for (auto _ : state) {
        Trainer t(c, baby());
        TrainingControl control;
        RunFinished r = t.run(control);
        if (r.status != RunStatus::Finished) state.SkipWithError(r.message.c_str());
        state.counters["epoch_s"] = r.seconds_per_epoch;
    }
    state.SetLabel(c.model);
}
BENCHMARK(BM_MilkEpochBabyLike)->Arg(0)->Arg(1)->Unit(benchmark::kSecond)->Iterations(2);

void BM_EvaluateValidationBabyLike(benchmark::State& state) {
    TrainingConfig c;
    c.dataset = "preset:baby-like";
    c.scenario = "ftmt";
    c.epochs = 0;
    auto model = create_model("milk", {});
    Rng rng(1);
    TrainingData td{baby().dataset.get(), &baby().mask, &baby().features};
    model->initialize(td, rng);
    EvalOptions options;
    options.threads = 2;
    Eigen::setNbThreads(2);
    for (auto _ : state) benchmark::DoNotOptimize(evaluate_model(*model, baby(), ItemRole::ValidationNew, options));
}
BENCHMARK(BM_EvaluateValidationBabyLike)->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace

BENCHMARK_MAIN();
