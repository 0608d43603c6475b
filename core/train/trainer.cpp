#include "core/train/trainer.h"

#include "core/error.h"
#include "core/models/checkpoint.h"
#include "core/train/bpr_sampler.h"
#include "core/nn/adam.h"

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>

namespace milk {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Series means over an epoch's batches, in first-seen order.
struct SeriesAccumulator {
    std::vector<std::pair<std::string, double>> sums;
    std::vector<int> counts;
    void add(const std::vector<std::pair<std::string, double>>& series) {
        for (const auto& [name, value] : series) {
            auto it = std::find_if(sums.begin(), sums.end(), [&](const auto& s) { return s.first == name; });
            if (it == sums.end()) {
                sums.emplace_back(name, value);
                counts.push_back(1);
            } else {
                it->second += value;
                ++counts[static_cast<std::size_t>(it - sums.begin())];
            }
        }
    }
    std::vector<std::pair<std::string, double>> means() const {
        auto out = sums;
        for (std::size_t i = 0; i < out.size(); ++i) out[i].second /= counts[i];
        return out;
    }
};

}  // namespace

PreparedData prepare_data(std::shared_ptr<const Dataset> ds, const TrainingConfig& config) {
    PreparedData p;
    p.dataset = std::move(ds);
    p.scenario = ScenarioSpec::parse(config.scenario, config.seed);
    p.mask = apply_scenario(*p.dataset, p.scenario);
    p.groups = ItemGroups::from_mask(p.mask);
    ImputeOptions impute_options;
    impute_options.kind = parse_imputer(config.imputer);
    impute_options.l2_normalize = config.l2_normalize;
    p.features = impute(*p.dataset, p.mask, impute_options);
    return p;
}

EvalResult evaluate_model(const Model& model, const PreparedData& data, ItemRole split, const EvalOptions& options) {
    const auto t0 = Clock::now();
    const std::vector<std::int32_t> items = data.dataset->new_items();
    const nn::Matrix users = model.user_embeddings();
    const nn::Matrix embeddings = model.item_embeddings(data.features, items);
    EvalResult r = evaluate_ranking(users, embeddings, *data.dataset, split, data.groups, options);
    r.seconds = seconds_since(t0);
    return r;
}

Trainer::Trainer(TrainingConfig config, PreparedData data) : config_(std::move(config)), data_(std::move(data)) {
    config_.validate();
    model_ = create_model(config_.model, config_.model_params);
}

void Trainer::add_listener(TrainingListener* listener) { listeners_.push_back(listener); }

RunFinished Trainer::run(TrainingControl& control) {
    const auto t_start = Clock::now();
    RunFinished result;
    const Dataset& ds = *data_.dataset;
    Eigen::setNbThreads(config_.threads);
    Rng rng(config_.seed);
    EvalOptions eval_options;
    eval_options.ks = config_.ks;
    eval_options.split_candidates_only = config_.split_candidates_only;
    eval_options.threads = config_.threads;

    auto finish = [&](RunStatus status, std::string message) {
        result.status = status;
        result.message = std::move(message);
        result.seconds = seconds_since(t_start);
        result.seconds_per_epoch = result.epochs_run > 0 ? result.seconds / result.epochs_run : 0.0;
        for (auto* l : listeners_) l->on_run_finished(result);
        return result;
    };

    std::vector<std::int32_t> pair_users, pair_items;
    int n_batches = 0;
    try {
        TrainingData td{&ds, &data_.mask, &data_.features};
        model_->initialize(td, rng);

        pair_users.reserve(static_cast<std::size_t>(ds.train.size()));
        pair_items.reserve(static_cast<std::size_t>(ds.train.size()));
        for (int u = 0; u < ds.train.n_users(); ++u)
            for (std::int32_t item : ds.train.of(u)) {
                pair_users.push_back(u);
                pair_items.push_back(item);
            }
        const std::size_t n_pairs = pair_users.size();
        n_batches = static_cast<int>((n_pairs + config_.batch_size - 1) / config_.batch_size);

        RunStarted started;
        started.config = config_;
        started.dataset_fingerprint = ds.fingerprint();
        for (const auto& m : ds.modalities) started.modality_names.push_back(m.name);
        started.n_batches_per_epoch = model_->trainable() ? n_batches : 0;
        started.n_train_triples = static_cast<int>(n_pairs);
        for (auto* l : listeners_) l->on_run_started(started);

        if (!model_->trainable()) {
            result.best_validation = evaluate_model(*model_, data_, ItemRole::ValidationNew, eval_options);
            result.test = evaluate_model(*model_, data_, ItemRole::TestNew, eval_options);
            EpochEvent ev;
            ev.validation = result.best_validation;
            ev.improved = true;
            ev.eval_seconds = result.best_validation->seconds;
            ev.seconds_since_start = seconds_since(t_start);
            for (auto* l : listeners_) l->on_epoch(ev);
            return finish(RunStatus::Finished, "");
        }
        if (n_pairs == 0) throw DataError(describe(ds.source, "train split", "at least one interaction", "none"));
        const BprSampler sampler(ds, model_->negatives_from_all_items());

        nn::AdamOptions adam_options;
        adam_options.lr = static_cast<float>(config_.learning_rate);
        adam_options.weight_decay = static_cast<float>(model_->weight_decay());
        nn::Adam adam(adam_options);
        const auto params = model_->parameters();
        for (auto* p : params) p->zero_grad();

        std::vector<std::uint32_t> order(n_pairs);
        std::vector<std::int32_t> bu(config_.batch_size), bp(config_.batch_size), bn(config_.batch_size);
        double best_score = -std::numeric_limits<double>::infinity();
        std::vector<std::uint8_t> best_checkpoint;
        int checks_without_improvement = 0;
        double epoch_seconds_total = 0;
        std::int64_t triples_done = 0;

        for (int epoch = 1; epoch <= config_.epochs; ++epoch) {
            const auto t_epoch = Clock::now();
            model_->begin_epoch(epoch, rng);
            std::iota(order.begin(), order.end(), 0u);
            std::shuffle(order.begin(), order.end(), rng);
            SeriesAccumulator acc;
            double loss_sum = 0;
            for (int b = 0; b < n_batches; ++b) {
                if (!control.wait_while_paused() || control.cancel_requested()) {
                    if (!best_checkpoint.empty()) load_checkpoint(*model_, best_checkpoint, "best model");
                    return finish(RunStatus::Cancelled, "stopped at epoch " + std::to_string(epoch) + ", batch " +
                                                             std::to_string(b + 1));
                }
                const std::size_t lo = static_cast<std::size_t>(b) * config_.batch_size;
                const std::size_t hi = std::min(n_pairs, lo + config_.batch_size);
                const int size = static_cast<int>(hi - lo);
                for (int i = 0; i < size; ++i) {
                    const std::uint32_t k = order[lo + i];
                    bu[i] = pair_users[k];
                    bp[i] = pair_items[k];
                    bn[i] = sampler.negative(pair_users[k], rng);
                }
                Batch batch{std::span<const std::int32_t>(bu.data(), size), std::span<const std::int32_t>(bp.data(), size),
                            std::span<const std::int32_t>(bn.data(), size)};
                BatchStats stats = model_->train_batch(batch, rng);
                if (!std::isfinite(stats.loss))
                    throw DataError("training diverged: the loss is " + std::to_string(stats.loss) + " at epoch " +
                                    std::to_string(epoch) + ", batch " + std::to_string(b + 1) +
                                    " (try a smaller learning rate or beta)");
                adam.step(params);
                loss_sum += stats.loss;
                acc.add(stats.series);
                triples_done += size;
                if (!listeners_.empty()) {
                    BatchEvent ev;
                    ev.epoch = epoch;
                    ev.batch = b + 1;
                    ev.n_batches = n_batches;
                    ev.loss = stats.loss;
                    ev.series = std::move(stats.series);
                    ev.env_weights = std::move(stats.env_weights);
                    ev.seconds_since_start = seconds_since(t_start);
                    ev.triples_per_second = triples_done / std::max(1e-9, ev.seconds_since_start);
                    for (auto* l : listeners_) l->on_batch(ev);
                }
            }
            EpochEvent ev;
            ev.epoch = epoch;
            ev.loss = loss_sum / std::max(1, n_batches);
            ev.series = acc.means();
            ev.epoch_seconds = seconds_since(t_epoch);
            epoch_seconds_total += ev.epoch_seconds;
            result.epochs_run = epoch;
            bool stop = false;
            if (epoch % config_.eval_every == 0 || epoch == config_.epochs) {
                EvalResult val = evaluate_model(*model_, data_, ItemRole::ValidationNew, eval_options);
                ev.eval_seconds = val.seconds;
                const double score = val.metric("overall", "ndcg", config_.select_k);
                if (score > best_score) {
                    best_score = score;
                    result.best_epoch = epoch;
                    result.best_validation = val;
                    // Test is computed for the best validation epoch only, never used to select.
                    result.test = evaluate_model(*model_, data_, ItemRole::TestNew, eval_options);
                    best_checkpoint = save_checkpoint(*model_, {{"config", config_.to_json()}, {"epoch", epoch}});
                    ev.improved = true;
                    checks_without_improvement = 0;
                    for (auto* l : listeners_) l->on_best_model(epoch, best_checkpoint);
                } else if (++checks_without_improvement >= config_.patience) {
                    stop = true;
                }
                ev.validation = std::move(val);
            }
            ev.best_epoch = result.best_epoch;
            ev.seconds_since_start = seconds_since(t_start);
            ev.eta_seconds = (epoch_seconds_total / epoch) * (config_.epochs - epoch);
            for (auto* l : listeners_) l->on_epoch(ev);
            if (stop) {
                load_checkpoint(*model_, best_checkpoint, "best model");
                return finish(RunStatus::EarlyStopped, "no validation improvement in " +
                                                           std::to_string(config_.patience) + " checks");
            }
        }
        if (!best_checkpoint.empty()) load_checkpoint(*model_, best_checkpoint, "best model");
        return finish(RunStatus::Finished, "");
    } catch (const Error& e) {
        return finish(RunStatus::Failed, e.what());
    } catch (const std::exception& e) {
        return finish(RunStatus::Failed, std::string("unexpected error: ") + e.what());
    }
}

}  // namespace milk
