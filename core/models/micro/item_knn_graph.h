#pragma once
// MICRO/LATTICE's modality-aware item-item graph (Zhang et al., TKDE'22, Eq. 1-3):
//   s_ij = cos(x_i, x_j);  keep, per row i, the k largest s_ij (the item itself included);
//   S_hat = D^-1/2 S D^-1/2 with D_ii = sum_j S_ij (row sums, as the public code).
// Negative similarities among the top k are clamped to 0 (a row of all-zero features
// keeps k arbitrary but deterministic neighbours with weight 0). Cost: O(n^2 d) once.
#include "core/data/dataset.h"
#include "core/nn/contrastive_ops.h"

namespace milk {

// n x n sparse, row i = the normalised weights of i's k nearest items (ties: lower index).
nn::SparseRows build_item_knn_graph(const FeatureMatrix& features, int k);

}  // namespace milk
