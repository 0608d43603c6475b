#include "core/study/study_runner.h"

#include "core/data/dataset_source.h"
#include "core/error.h"
#include "core/store/run_store.h"
#include "core/train/trainer.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace milk {

namespace {

const char* kCreateTable = R"sql(
CREATE TABLE IF NOT EXISTS study_results(
  result_key TEXT PRIMARY KEY,
  cell_key TEXT NOT NULL,
  eval_scenario TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  validation TEXT NOT NULL,
  test TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
))sql";

using Clock = std::chrono::steady_clock;

}  // namespace

nlohmann::json eval_result_to_json(const EvalResult& r, int per_user_k) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : r.groups) {
        nlohmann::json at_k = nlohmann::json::object();
        for (const auto& [k, v] : g.at_k)
            at_k[std::to_string(k)] = {{"recall", v.recall}, {"ndcg", v.ndcg}, {"precision", v.precision}, {"hr", v.hr}};
        nlohmann::json gj{{"group", g.group}, {"n_items", g.n_items}, {"n_users", g.n_users}, {"at_k", at_k}};
        auto rec = g.user_recall.find(per_user_k);
        auto nd = g.user_ndcg.find(per_user_k);
        if (rec != g.user_recall.end() && nd != g.user_ndcg.end()) {
            gj["users"] = g.users;
            gj["per_user_k"] = per_user_k;
            gj["user_recall"] = rec->second;
            gj["user_ndcg"] = nd->second;
        }
        groups.push_back(std::move(gj));
    }
    return {{"split", r.split}, {"groups", groups}};
}

EvalResult eval_result_from_json(const nlohmann::json& j) {
    EvalResult r;
    r.split = j.value("split", "");
    for (const auto& gj : j.at("groups")) {
        GroupResult g;
        g.group = gj.at("group").get<std::string>();
        g.n_items = gj.at("n_items").get<int>();
        g.n_users = gj.at("n_users").get<int>();
        for (auto it = gj.at("at_k").begin(); it != gj.at("at_k").end(); ++it) {
            MetricValues v;
            v.recall = it.value().at("recall").get<double>();
            v.ndcg = it.value().at("ndcg").get<double>();
            v.precision = it.value().at("precision").get<double>();
            v.hr = it.value().at("hr").get<double>();
            g.at_k[std::stoi(it.key())] = v;
        }
        if (gj.contains("users")) {
            const int k = gj.at("per_user_k").get<int>();
            g.users = gj.at("users").get<std::vector<std::int32_t>>();
            g.user_recall[k] = gj.at("user_recall").get<std::vector<float>>();
            g.user_ndcg[k] = gj.at("user_ndcg").get<std::vector<float>>();
        }
        r.groups.push_back(std::move(g));
    }
    return r;
}

StudyResultStore::StudyResultStore(RunStore& store) : store_(store) { store_.database().exec(kCreateTable); }

std::optional<CellOutcome> StudyResultStore::find(const std::string& key) const {
    std::int64_t run_id = 0;
    std::string val, test;
    {
        SQLite::Statement q(store_.database(), "SELECT run_id, validation, test FROM study_results WHERE result_key=?");
        q.bind(1, key);
        if (!q.executeStep()) return std::nullopt;
        run_id = q.getColumn(0).getInt64();
        val = q.getColumn(1).getString();
        test = q.getColumn(2).getString();
    }
    if (!store_.has_run(run_id)) return std::nullopt;  // its run was deleted: train again
    CellOutcome o;
    o.run_id = run_id;
    try {
        o.validation = eval_result_from_json(nlohmann::json::parse(val));
        o.test = eval_result_from_json(nlohmann::json::parse(test));
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(describe(store_.path().string(), "study_results row '" + key + "'",
                                   "results JSON written by milk", e.what()));
    }
    return o;
}

void StudyResultStore::put(const std::string& key, const std::string& cell, const std::string& eval_scenario,
                           std::int64_t run_id, const EvalResult& validation, const EvalResult& test,
                           int per_user_k) {
    SQLite::Statement st(store_.database(),
                         "INSERT OR REPLACE INTO study_results(result_key, cell_key, eval_scenario, run_id, "
                         "validation, test) VALUES(?,?,?,?,?,?)");
    st.bind(1, key);
    st.bind(2, cell);
    st.bind(3, eval_scenario);
    st.bind(4, run_id);
    st.bind(5, eval_result_to_json(validation, per_user_k).dump());
    st.bind(6, eval_result_to_json(test, per_user_k).dump());
    st.exec();
}

std::vector<CellOutcome> collect_outcomes(const Study& study, RunStore& store) {
    StudyResultStore results(store);
    std::vector<CellOutcome> out;
    for (const auto& cell : expand_cells(study))
        for (const auto& ev : cell.evals)
            if (auto o = results.find(result_key(cell.key, ev.eval))) {
                o->dataset = cell.dataset;
                o->scenario_label = ev.label;
                o->model_label = cell.model_label;
                o->grid_point = cell.grid_point;
                o->seed = cell.seed;
                out.push_back(std::move(*o));
            }
    return out;
}

namespace {

// Reports the epochs of one cell as study events.
class CellEpochs : public TrainingListener {
public:
    explicit CellEpochs(std::function<void(int)> f) : f_(std::move(f)) {}
    void on_epoch(const EpochEvent& e) override { f_(e.epoch); }

private:
    std::function<void(int)> f_;
};

}  // namespace

StudyRunSummary run_study(const Study& study, const StudyRunOptions& options) {
    const auto t0 = Clock::now();
    const std::vector<StudyCell> cells = expand_cells(study);
    StudyRunSummary summary;
    summary.cells = static_cast<int>(cells.size());
    TrainingControl own_control;
    TrainingControl& control = options.control ? *options.control : own_control;
    const int parallel = std::max(1, options.parallel);
    const int threads = parallel > 1 ? 1 : std::max(1, options.threads);

    std::mutex mutex;  // guards summary, events and timing
    double trained_seconds = 0;
    int completed_here = 0;  // cells of `pending` done (trained, failed or cancelled)
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
    auto emit = [&](StudyEvent ev, int remaining) {  // call with mutex held
        ev.total = summary.cells;
        ev.done = summary.trained + summary.from_store + summary.failed;
        ev.trained = summary.trained;
        ev.from_store = summary.from_store;
        ev.failed = summary.failed;
        ev.elapsed_seconds = elapsed();
        if (summary.trained > 0)
            ev.eta_seconds = trained_seconds / summary.trained * remaining / std::min(parallel, std::max(1, remaining));
        if (options.on_event) options.on_event(ev);
    };

    // Which cells are finished already (all their evaluations stored).
    std::vector<std::size_t> pending;
    {
        RunStore store(options.store);
        StudyResultStore results(store);
        for (std::size_t i = 0; i < cells.size(); ++i) {
            bool done = true;
            for (const auto& ev : cells[i].evals) done = done && results.find(result_key(cells[i].key, ev.eval));
            if (!done) {
                pending.push_back(i);
                continue;
            }
            std::lock_guard lock(mutex);
            ++summary.from_store;
            StudyEvent e;
            e.kind = StudyEvent::Kind::CellFromStore;
            e.cell = cells[i].describe();
            e.cell_index = static_cast<int>(i);
            emit(e, static_cast<int>(cells.size()) - summary.from_store);
        }
    }

    // Datasets are loaded once, up front, so a bad path fails before any training.
    std::map<std::string, std::shared_ptr<const Dataset>> datasets;
    for (auto i : pending)
        if (!datasets.count(cells[i].dataset))
            datasets[cells[i].dataset] = std::make_shared<const Dataset>(load_dataset(cells[i].dataset));

    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        RunStore store(options.store);
        StudyResultStore results(store);
        for (;;) {
            if (control.cancel_requested()) return;
            const std::size_t n = next.fetch_add(1);
            if (n >= pending.size()) return;
            const StudyCell& cell = cells[pending[n]];
            TrainingConfig config = cell.config;
            config.threads = threads;
            const auto tc = Clock::now();
            {
                std::lock_guard lock(mutex);
                StudyEvent e;
                e.kind = StudyEvent::Kind::CellStarted;
                e.cell = cell.describe();
                e.cell_index = static_cast<int>(pending[n]);
                e.epochs = config.epochs;
                emit(e, static_cast<int>(pending.size()) - completed_here);
            }
            std::string failure;
            bool cancelled = false;
            try {
                const auto& ds = datasets.at(cell.dataset);
                Trainer trainer(config, prepare_data(ds, config));
                RunRecorder recorder(store);
                CellEpochs epochs([&](int epoch) {
                    std::lock_guard lock(mutex);
                    StudyEvent e;
                    e.kind = StudyEvent::Kind::Epoch;
                    e.cell = cell.describe();
                    e.cell_index = static_cast<int>(pending[n]);
                    e.epoch = epoch;
                    e.epochs = config.epochs;
                    emit(e, static_cast<int>(pending.size()) - completed_here);
                });
                trainer.add_listener(&recorder);
                trainer.add_listener(&epochs);
                const RunFinished r = trainer.run(control);
                if (r.status == RunStatus::Cancelled) {
                    cancelled = true;
                } else if (r.status == RunStatus::Failed || !r.best_validation || !r.test) {
                    failure = r.message.empty() ? "no validation result" : r.message;
                } else {
                    EvalOptions eval_options;
                    eval_options.ks = config.ks;
                    eval_options.split_candidates_only = config.split_candidates_only;
                    eval_options.threads = threads;
                    for (const auto& ev : cell.evals) {
                        if (ev.eval == cell.train_scenario) {
                            results.put(result_key(cell.key, ev.eval), cell.key, ev.eval, recorder.run_id(),
                                        *r.best_validation, *r.test, config.select_k);
                            continue;
                        }
                        // Train under X, evaluate the best model under Y (same seed, so the
                        // same new-item split and Y's own masks).
                        TrainingConfig y = config;
                        y.scenario = ev.eval;
                        const PreparedData data_y = prepare_data(ds, y);
                        const EvalResult val = evaluate_model(trainer.model(), data_y, ItemRole::ValidationNew, eval_options);
                        const EvalResult test = evaluate_model(trainer.model(), data_y, ItemRole::TestNew, eval_options);
                        results.put(result_key(cell.key, ev.eval), cell.key, ev.eval, recorder.run_id(), val, test,
                                    config.select_k);
                    }
                }
            } catch (const Error& e) {
                failure = e.what();
            } catch (const std::exception& e) {
                failure = std::string("unexpected error: ") + e.what();
            }
            std::lock_guard lock(mutex);
            StudyEvent e;
            e.cell = cell.describe();
            e.cell_index = static_cast<int>(pending[n]);
            if (cancelled) {
                summary.cancelled = true;
                e.kind = StudyEvent::Kind::CellCancelled;
            } else if (!failure.empty()) {
                ++summary.failed;
                summary.failures.push_back(cell.describe() + ": " + failure);
                e.kind = StudyEvent::Kind::CellFailed;
                e.message = failure;
            } else {
                ++summary.trained;
                trained_seconds += std::chrono::duration<double>(Clock::now() - tc).count();
                e.kind = StudyEvent::Kind::CellFinished;
            }
            ++completed_here;
            emit(e, static_cast<int>(pending.size()) - completed_here);
        }
    };

    std::vector<std::thread> pool;
    const int n_workers = std::min<int>(parallel, static_cast<int>(std::max<std::size_t>(1, pending.size())));
    for (int i = 1; i < n_workers; ++i) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (control.cancel_requested()) summary.cancelled = true;
    summary.seconds = elapsed();
    return summary;
}

}  // namespace milk
