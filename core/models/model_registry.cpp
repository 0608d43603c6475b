#include "core/error.h"
#include "core/models/ccfcrec/ccfcrec_model.h"
#include "core/models/clcrec/clcrec_model.h"
#include "core/models/dropoutnet/dropoutnet_model.h"
#include "core/models/duif/duif_model.h"
#include "core/models/heater/heater_model.h"
#include "core/models/gar/gar_model.h"
#include "core/models/gorec/gorec_model.h"
#include "core/models/micro/micro_model.h"
#include "core/models/milk/milk_model.h"
#include "core/models/model.h"
#include "core/models/model_params.h"
#include "core/models/mtpr/mtpr_model.h"
#include "core/models/reference_scorers.h"

#include <map>

namespace milk {

namespace {

std::vector<HyperParameter> milk_hyper_parameters() {
    return {
        {"dim", "d", "dimension of the user and item representations (paper 5.1.4: 64)", 64, 4, 512, true, false},
        {"alpha", "alpha (Eq. 9)", "Dirichlet concentration of the cyclic-mixup draw; small = one modality dominates",
         0.1, 0.01, 100, false, true},
        {"beta", "beta (Eq. 14, 16)", "weight of the variance of the BPR loss across environments", 50, 0, 10000,
         false, true},
        {"lambda", "lambda (Eq. 16)", "weight of the cross-modality alignment loss (Eq. 6)", 0.05, 0, 10, false, true},
        {"reg", "||Phi||^2 (Eq. 16)", "L2 weight on the batch's user and item representations", 1e-4, 0, 1, false,
         true},
    };
}

// Named ablations of the paper (Figure 4, Table 4) as switch presets of "milk".
const std::map<std::string, nlohmann::json>& milk_aliases() {
    static const std::map<std::string, nlohmann::json> aliases{
        {"milk-no-cmam", {{"cmam", false}}},
        {"milk-no-ceim", {{"ceim", false}}},
        {"milk-no-both", {{"cmam", false}, {"ceim", false}}},
        {"milk-no-e0", {{"env0", false}}},
        {"milk-no-cs", {{"cyclic_shift", false}}},
        {"milk-no-random", {{"redraw", false}}},
        {"milk-reference", {{"reference", true}}},
    };
    return aliases;
}

}  // namespace

const std::vector<ModelInfo>& model_registry() {
    static const std::vector<ModelInfo> registry = [] {
        std::vector<ModelInfo> r;
        ModelInfo milk_info{"milk", "MILK",
                            "Per-modality extractors aligned to each other (CMAM) and invariant learning over "
                            "cyclic-mixup environments (CEIM); Bai et al., SIGIR'24.",
                            milk_hyper_parameters(),
                            {{"cmam", "cross-modality alignment (off = ablation w/o CMAM)"},
                             {"ceim", "environments + variance penalty (off = ablation w/o CEIM)"},
                             {"env0", "keep the equal-weight environment e=0 (off = Table 4 w/o e=0)"},
                             {"cyclic_shift", "environments by cyclic shift (off = M independent draws, w/o cs)"},
                             {"redraw", "redraw environments every iteration (off = drawn once, w/o random)"},
                             {"reference", "the public implementation's choices (summed env losses, unbiased "
                                           "variance, MSE alignment on positives, negatives from all items)"}}};
        r.push_back(milk_info);
        for (const auto& [alias, switches] : milk_aliases()) {
            ModelInfo a = milk_info;
            a.name = alias;
            a.title = "MILK (" + alias.substr(5) + ")";
            a.description = "MILK with " + switches.dump();
            r.push_back(a);
        }
        r.push_back({"duif", "DUIF",
                     "Content-only baseline: item representation from the concatenated content features by one "
                     "linear map, user ID embedding, BPR (He et al., 2016 / MMRec).",
                     {{"dim", "d", "dimension of the representations", 64, 4, 512, true, false},
                      {"weight_decay", "L2", "Adam weight decay", 1e-4, 0, 1, false, true}},
                     {}});
        // --- baselines on collaborative / pre-trained preference representations ---
        r.push_back({"dropoutnet", "DropoutNet",
                     "Two towers over pre-trained BPR-MF vectors and content; the item's preference input is "
                     "dropped during training so new items are served from content alone; regresses the "
                     "pre-trained scores (Volkovs et al., NeurIPS'17).",
                     {{"dim", "d", "output dimension of both towers", 64, 4, 512, true, false},
                      {"hidden", "hidden", "hidden width of both towers", 256, 8, 2048, true, true},
                      {"dropout", "p (Sec. 3.1)", "probability of dropping an item's preference input", 0.5, 0, 1,
                       false, false},
                      {"weight_decay", "L2", "Adam weight decay", 1e-4, 0, 1, false, true},
                      {"cf_dim", "d_CF", "dimension of the pre-trained BPR-MF vectors", 64, 4, 512, true, false},
                      {"cf_epochs", "CF epochs", "BPR-MF pre-training epochs", 30, 0, 500, true, false}},
                     {}});
        r.push_back({"heater", "Heater",
                     "Mixture of content experts aligned to pre-trained BPR-MF item vectors (squared error), "
                     "randomized training that swaps them in, and a transformation network; regresses the "
                     "pre-trained scores (Zhu et al., SIGIR'20).",
                     {{"dim", "d", "output dimension of the transformed representations", 64, 4, 512, true, false},
                      {"hidden", "hidden", "width of the transformation layer", 256, 8, 2048, true, true},
                      {"experts", "T", "number of content experts", 5, 1, 32, true, false},
                      {"alpha", "alpha", "weight of the similarity constraint ||Psi - Q||^2", 1.0, 0, 100, false,
                       true},
                      {"rho", "p (randomized training)", "probability of feeding the content mixture instead of "
                                                         "the CF vector", 0.5, 0, 1, false, false},
                      {"weight_decay", "lambda", "Adam weight decay", 1e-4, 0, 1, false, true},
                      {"cf_dim", "d_CF", "dimension of the pre-trained BPR-MF vectors", 64, 4, 512, true, false},
                      {"cf_epochs", "CF epochs", "BPR-MF pre-training epochs", 30, 0, 500, true, false}},
                     {}});
        r.push_back({"clcrec", "CLCRec",
                     "Contrastive learning between collaborative embeddings and a content encoder (item "
                     "representation vs embedding) and between users and items (Wei et al., MM'21).",
                     {{"dim", "d", "dimension of the representations", 64, 4, 512, true, false},
                      {"hidden", "hidden", "content encoder width", 256, 8, 2048, true, true},
                      {"tau", "tau", "temperature of both contrastive losses", 0.5, 0.01, 10, false, true},
                      {"lambda", "lambda", "weight of the representation-embedding loss (1 - lambda: user-item)",
                       0.5, 0, 1, false, false},
                      {"sample", "rho", "probability of feeding an item's content encoding to the user-item loss",
                       0.5, 0, 1, false, false},
                      {"reg", "reg", "weight of the mean embedding norms", 1e-3, 0, 1, false, true}},
                     {}});
        r.push_back({"mtpr", "MTPR",
                     "Item representation = [preference ; content]; multi-task pairwise ranking with "
                     "counterfactual zero-preference representations, which new items use (Du et al., SIGIR'20).",
                     {{"dim", "d", "dimension of each half of the representation", 64, 4, 512, true, false},
                      {"hidden", "hidden", "content encoder width", 256, 8, 2048, true, true},
                      {"reg", "lambda", "L2 weight on the batch's user and preference vectors", 1e-4, 0, 1, false,
                       true}},
                     {}});
        // --- end of baselines on collaborative / pre-trained representations ---
        // --- baselines with graphs / generators (MICRO, GAR, GoRec, CCFCRec) ---
        r.push_back({"micro", "MICRO",
                     "Item-item kNN graphs per modality from content, graph convolution of a content encoding, "
                     "attentive fusion with a contrastive loss between each modality view and the fused view "
                     "(Zhang et al., TKDE'22; ID embedding replaced by the content encoder for new items).",
                     {{"dim", "d", "dimension of the representations", 64, 4, 512, true, false},
                      {"knn_k", "k", "neighbours kept per item in each modality's kNN graph", 10, 1, 100, true, false},
                      {"layers", "L", "item-graph convolution layers", 1, 1, 4, true, false},
                      {"contrast_weight", "lambda_c", "weight of the contrastive modality-fusion loss", 0.03, 0, 10,
                       false, true},
                      {"temperature", "tau", "temperature of the InfoNCE loss", 0.5, 0.01, 10, false, true},
                      {"weight_decay", "L2", "Adam weight decay", 1e-4, 0, 1, false, true}},
                     {}});
        r.push_back({"gar", "GAR",
                     "A content generator and a recommender trained adversarially on warm BPR-MF embeddings: the "
                     "recommender ranks real warm embeddings above generated ones, the generator tries to fool it "
                     "(Chen et al., SIGIR'22).",
                     {{"dim", "d", "dimension of the warm CF embeddings and of the towers", 64, 4, 512, true, false},
                      {"hidden", "h", "hidden width of the generator and of the recommender's towers", 200, 8, 2048,
                       true, false},
                      {"alpha", "alpha", "weight of the similarity |G(x_i) - q_i| in the generator's loss", 0.05, 0,
                       1, false, false},
                      {"beta", "beta", "weight of negatives against generated items in the recommender's loss "
                       "(public code: 0.1)", 0.3, 0, 1, false, false},
                      {"weight_decay", "L2", "Adam weight decay", 1e-3, 0, 1, false, true},
                      {"cf_epochs", "", "epochs of the warm BPR-MF pre-training", 30, 1, 1000, true, false},
                      {"cf_learning_rate", "", "learning rate of the warm BPR-MF pre-training", 5e-3, 1e-5, 1, false,
                       true},
                      {"cf_reg", "", "L2 of the warm BPR-MF pre-training", 1e-4, 0, 1, false, true}},
                     {}});
        r.push_back({"gorec", "GoRec",
                     "A conditional VAE of the pre-trained warm item representations given the content; new items' "
                     "representations are decoded from the content prior (Bai et al., MM'23).",
                     {{"dim", "d", "dimension of the warm CF embeddings and of the latent code", 64, 4, 512, true,
                       false},
                      {"uniformity_weight", "gamma_u", "weight of the uniformity loss on the posterior means", 0.1, 0,
                       10, false, false},
                      {"kl_weight", "gamma_kl", "weight of the KL between the content prior and the posterior", 1.0,
                       0, 100, false, true},
                      {"dropout", "p", "dropout on the content fed to the decoder (training only)", 0.1, 0, 0.9,
                       false, false},
                      {"weight_decay", "L2", "Adam weight decay", 1e-4, 0, 1, false, true},
                      {"cf_epochs", "", "epochs of the warm BPR-MF pre-training", 30, 1, 1000, true, false},
                      {"cf_learning_rate", "", "learning rate of the warm BPR-MF pre-training", 5e-3, 1e-5, 1, false,
                       true},
                      {"cf_reg", "", "L2 of the warm BPR-MF pre-training", 1e-4, 0, 1, false, true}},
                     {}});
        r.push_back({"ccfcrec", "CCFCRec",
                     "A content tower contrasted with the CF embeddings of co-occurring warm items and of the item "
                     "itself, trained jointly with user/item CF embeddings by user-side ranking (Zhou et al., "
                     "WWW'23).",
                     {{"dim", "d", "dimension of the CF embeddings and of the content tower's output", 64, 4, 512,
                       true, false},
                      {"attr_dim", "d_a", "dimension of the per-modality attribute projections", 64, 4, 1024, true,
                       false},
                      {"hidden", "h", "hidden width of the content generator", 128, 8, 2048, true, false},
                      {"tau", "tau", "temperature of both contrastive losses", 0.1, 0.01, 10, false, true},
                      {"lambda", "lambda", "weight of the contrastive losses (1 - lambda: ranking)", 0.5, 0, 1, false,
                       false},
                      {"positives", "", "co-occurring items per training triple", 2, 1, 16, true, false},
                      {"negatives", "", "negative items per contrast", 10, 1, 200, true, false},
                      {"weight_decay", "L2", "Adam weight decay", 1e-4, 0, 1, false, true}},
                     {}});
        // --- end of baselines with graphs / generators ---
        r.push_back({"random", "Random", "Random scores: the floor every model must clear.", {}, {}});
        r.push_back({"popularity", "Popularity",
                     "Training popularity: new items have none, so a fixed order among them.", {}, {}});
        return r;
    }();
    return registry;
}

const ModelInfo& model_info(const std::string& name) {
    for (const auto& info : model_registry())
        if (info.name == name) return info;
    std::string names;
    for (const auto& info : model_registry()) names += (names.empty() ? "" : ", ") + info.name;
    throw ConfigError(describe("model", "name", "one of " + names, "'" + name + "'"));
}

std::unique_ptr<Model> create_model(const std::string& name, const nlohmann::json& params) {
    const ModelInfo& info = model_info(name);  // validates the name
    if (info.name == "milk" || milk_aliases().count(info.name)) {
        nlohmann::json merged = params.is_null() ? nlohmann::json::object() : params;
        if (auto it = milk_aliases().find(info.name); it != milk_aliases().end()) merged.update(it->second);
        return std::make_unique<MilkModel>(MilkOptions::from_json(merged));
    }
    if (info.name == "duif") return std::make_unique<DuifModel>(DuifOptions::from_json(params));
    if (info.name == "dropoutnet") return std::make_unique<DropoutNetModel>(DropoutNetOptions::from_json(params));
    if (info.name == "heater") return std::make_unique<HeaterModel>(HeaterOptions::from_json(params));
    if (info.name == "clcrec") return std::make_unique<ClcRecModel>(ClcRecOptions::from_json(params));
    if (info.name == "mtpr") return std::make_unique<MtprModel>(MtprOptions::from_json(params));
    if (info.name == "micro") return std::make_unique<MicroModel>(MicroOptions::from_json(params));
    if (info.name == "gar") return std::make_unique<GarModel>(GarOptions::from_json(params));
    if (info.name == "gorec") return std::make_unique<GoRecModel>(GoRecOptions::from_json(params));
    if (info.name == "ccfcrec") return std::make_unique<CcfcRecModel>(CcfcRecOptions::from_json(params));
    if (info.name == "random" || info.name == "popularity") {
        ModelParams(params, info.name).finish();
        if (info.name == "random") return std::make_unique<RandomScorer>();
        return std::make_unique<PopularityScorer>();
    }
    throw ConfigError("model '" + name + "' is registered but has no factory");
}

}  // namespace milk
