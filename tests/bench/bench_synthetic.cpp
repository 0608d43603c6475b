// Generation time of the synthetic presets (one matrix product per block of users for the
// preference scores, bulk Box-Muller for the feature noise).
#include "core/data/synthetic.h"

#include <benchmark/benchmark.h>

namespace {

void generate_preset(benchmark::State& state, const char* name) {
    const milk::SyntheticSpec spec = milk::synthetic_preset(name);
    std::int64_t interactions = 0;
    for (auto _ : state) {
        milk::Dataset d = milk::generate_synthetic(spec);
        interactions = d.train.size() + d.validation.size() + d.test.size();
        benchmark::DoNotOptimize(d.modalities.front().features.data());
    }
    state.counters["users"] = spec.n_users;
    state.counters["items"] = spec.n_items;
    state.counters["interactions"] = static_cast<double>(interactions);
    state.SetItemsProcessed(state.iterations() * interactions);
}

void BM_GenerateDemo(benchmark::State& state) { generate_preset(state, "demo"); }
void BM_GenerateTiktokLike(benchmark::State& state) { generate_preset(state, "tiktok-like"); }
void BM_GenerateBabyLike(benchmark::State& state) { generate_preset(state, "baby-like"); }

}  // namespace

BENCHMARK(BM_GenerateDemo)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GenerateTiktokLike)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_GenerateBabyLike)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
