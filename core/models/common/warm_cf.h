#pragma once
// Warm collaborative embeddings: BPR-MF (Rendle et al., UAI'09) on the training
// interactions, the pre-trained preference representations that DropoutNet, Heater,
// MTPR-style and generative cold-start baselines start from.
//   x_uij = <p_u, q_i> - <p_u, q_j>,  i in I_u (training), j a warm item not in I_u
//   L = 1/B sum_batch [ -ln sigma(x_uij) + reg (||p_u||^2 + ||q_i||^2 + ||q_j||^2) ]
// Hand-derived gradients on Eigen rows with row-sparse Adam (only the batch's rows move),
// single-threaded, so the result depends only on the data, the options and the rng.
// New items (validation-new, test-new) are never seen: their rows stay exactly zero.
#include "core/data/dataset.h"
#include "core/nn/parameter.h"

#include <random>

namespace milk {

using Rng = std::mt19937_64;

struct WarmCfOptions {
    int dim = 64;
    int epochs = 30;
    int batch_size = 2048;
    double learning_rate = 5e-3;
    double reg = 1e-4;
};

struct WarmCf {
    nn::Matrix users;  // n_users x dim
    nn::Matrix items;  // n_items x dim (rows of non-warm items stay zero)
};

// BPR-MF on the dataset's training interactions (warm items only; new items never seen),
// deterministic from rng. Throws ConfigError for non-positive dim/epochs/batch_size.
WarmCf train_warm_cf(const Dataset& ds, const WarmCfOptions& o, Rng& rng);

}  // namespace milk
