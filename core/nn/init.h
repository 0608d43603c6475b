#pragma once
// Weight initialisers drawing from the run's seeded generator (same seed, same weights).
#include "core/nn/parameter.h"

#include <random>

namespace milk::nn {

using Rng = std::mt19937_64;

// U(-a, a) with a = gain * sqrt(6 / (rows + cols)) (Glorot & Bengio 2010), for a
// rows x cols weight used as X * W (fan_in = rows, fan_out = cols).
Matrix xavier_uniform(int rows, int cols, Rng& rng, float gain = 1.0f);
// N(mean, std^2) entries.
Matrix normal(int rows, int cols, float std, Rng& rng, float mean = 0.0f);

}  // namespace milk::nn
