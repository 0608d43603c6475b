// Loading a Baby-scale dataset (reference layout, ~130 MB of features) from disk: the
// README's `milk info` figure. The folder is generated once, then load_dataset is timed.
#include "core/data/dataset_source.h"
#include "core/data/loaders.h"
#include "core/data/npy.h"
#include "core/data/synthetic.h"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

namespace {

const std::string& baby_folder() {
    static const std::string folder = [] {
        std::random_device rd;
        auto path = std::filesystem::temp_directory_path() / ("milk-bench-baby-" + std::to_string(rd()));
        milk::write_reference_layout(milk::generate_synthetic(milk::synthetic_preset("baby-like")), path.string());
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(baby_folder(), ec);
        });
        return path.string();
    }();
    return folder;
}

void BM_LoadReferenceBabyLike(benchmark::State& state) {
    const std::string& folder = baby_folder();
    std::int64_t bytes = 0;
    for (const auto& e : std::filesystem::directory_iterator(folder)) bytes += static_cast<std::int64_t>(e.file_size());
    for (auto _ : state) {
        milk::Dataset ds = milk::load_dataset(folder);
        benchmark::DoNotOptimize(ds.modalities.front().features.data());
    }
    state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_LoadReferenceBabyLike)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_ReadNpyFeatures(benchmark::State& state) {
    const std::string path = baby_folder() + "/image_feat.npy";
    const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(path));
    for (auto _ : state) {
        milk::FeatureMatrix m = milk::read_npy_matrix_f32(path);
        benchmark::DoNotOptimize(m.data());
    }
    state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_ReadNpyFeatures)->Unit(benchmark::kMillisecond);

void BM_Fingerprint(benchmark::State& state) {
    const milk::Dataset ds = milk::load_dataset(baby_folder());
    for (auto _ : state) benchmark::DoNotOptimize(ds.fingerprint());
}
BENCHMARK(BM_Fingerprint)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
