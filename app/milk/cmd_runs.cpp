// `milk runs`: the experiment database from the command line: list (a Table 2 of the
// recorded runs), show one run, compare runs side by side, export CSV, delete.
#include "command.h"

#include "core/error.h"
#include "core/eval/paired_test.h"
#include "core/store/run_store.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

struct RunsOptions {
    std::string db;
    std::string model, dataset, status;
    int k = 20;
    std::vector<std::int64_t> ids;
    std::string csv;
    bool yes = false;
};

std::filesystem::path db_path(const RunsOptions& o) {
    return o.db.empty() ? milk::default_runs_db_path() : std::filesystem::path(o.db);
}

// Read-only commands do not create a database as a side effect.
std::unique_ptr<milk::RunStore> open_existing(const RunsOptions& o) {
    const auto path = db_path(o);
    if (!std::filesystem::exists(path))
        throw milk::IoError(milk::describe(path.string(), "runs database", "an existing file (runs are recorded by `milk train`)",
                                           "no such file"));
    return std::make_unique<milk::RunStore>(path);
}

// Columns sized to their widest cell; numbers right-aligned.
class TextTable {
public:
    explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    std::size_t size() const { return rows_.size() - 1; }
    void print(std::ostream& out) const {
        std::vector<std::size_t> width;
        for (const auto& r : rows_) {
            if (width.size() < r.size()) width.resize(r.size(), 0);
            for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
        }
        for (std::size_t i = 0; i < rows_.size(); ++i) {
            std::string line;
            for (std::size_t c = 0; c < rows_[i].size(); ++c) {
                const auto& cell = rows_[i][c];
                const bool numeric = i > 0 && !cell.empty() && (std::isdigit(static_cast<unsigned char>(cell[0])) || cell[0] == '-');
                const std::string pad(width[c] - cell.size(), ' ');
                if (c) line += "  ";
                line += numeric ? pad + cell : cell + pad;
            }
            while (!line.empty() && line.back() == ' ') line.pop_back();
            out << line << "\n";
            if (i == 0) {
                std::size_t total = 0;
                for (auto w : width) total += w;
                out << std::string(total + 2 * (width.empty() ? 0 : width.size() - 1), '-') << "\n";
            }
        }
    }

private:
    std::vector<std::vector<std::string>> rows_;
};

std::string fixed(double v, int digits = 4) {
    if (std::isnan(v)) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string duration(double seconds) {
    if (seconds <= 0) return "-";
    char buf[32];
    const long s = std::lround(seconds);
    if (seconds < 60) std::snprintf(buf, sizeof buf, "%.1fs", seconds);
    else if (s < 3600) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    return buf;
}

// Groups in first-seen order across rows (overall first as recorded).
template <typename Rows, typename GroupOf>
std::vector<std::string> group_order(const Rows& rows, GroupOf group_of) {
    std::vector<std::string> order;
    for (const auto& r : rows)
        for (const auto& g : group_of(r))
            if (std::find(order.begin(), order.end(), g) == order.end()) order.push_back(g);
    return order;
}

int cmd_list(const RunsOptions& o) {
    const auto path = db_path(o);
    std::vector<milk::RunSummaryRow> rows;
    if (std::filesystem::exists(path)) {
        milk::RunStore store(path);
        rows = store.list_runs({o.model, o.dataset, o.status}, o.k);
    }
    const auto groups = group_order(rows, [](const milk::RunSummaryRow& r) {
        std::vector<std::string> g;
        for (const auto& x : r.test) g.push_back(x.group);
        return g;
    });
    const std::string K = std::to_string(o.k);
    std::vector<std::string> header{"id", "model", "dataset", "scenario", "seed", "status", "best"};
    for (const auto& g : groups.empty() ? std::vector<std::string>{"overall"} : groups) {
        header.push_back("R@" + K + " " + g);
        header.push_back("N@" + K + " " + g);
    }
    header.push_back("duration");
    TextTable table(header);
    for (const auto& r : rows) {
        std::vector<std::string> row{std::to_string(r.id), r.model,   r.dataset, r.scenario, std::to_string(r.seed),
                                     r.status,             r.best_epoch > 0 ? std::to_string(r.best_epoch) : "-"};
        for (const auto& g : groups.empty() ? std::vector<std::string>{"overall"} : groups) {
            const auto* m = r.find(g);
            row.push_back(m ? fixed(m->recall) : "-");
            row.push_back(m ? fixed(m->ndcg) : "-");
        }
        row.push_back(duration(r.seconds));
        table.add(std::move(row));
    }
    table.print(std::cout);
    std::cout << rows.size() << (rows.size() == 1 ? " run" : " runs") << " in " << path.string()
              << " (test metrics at the best validation epoch)\n";
    return 0;
}

int cmd_show(const RunsOptions& o) {
    auto store = open_existing(o);
    const std::int64_t id = o.ids.at(0);
    const auto r = store->run(id);
    std::cout << "run " << r.id << ": " << r.model << " on " << r.dataset << " (" << r.scenario << "), seed " << r.seed
              << "\n"
              << "status " << r.status << (r.message.empty() ? "" : " (" + r.message + ")") << ", best epoch "
              << r.best_epoch << " of " << r.epochs_run << ", " << duration(r.seconds) << "\n"
              << "created " << r.created_at << (r.finished_at.empty() ? "" : ", finished " + r.finished_at)
              << ", dataset fingerprint " << (r.dataset_fingerprint.empty() ? "-" : r.dataset_fingerprint) << "\n"
              << "config:\n"
              << r.config.dump(2) << "\n\n";

    const auto epochs = store->epochs(id);
    const auto val = store->epoch_metrics(id);
    std::map<int, std::map<std::string, milk::MetricValues>> by_epoch;  // at K
    for (const auto& m : val)
        if (m.k == o.k) by_epoch[m.epoch][m.group] = m.values;
    const auto groups = group_order(val, [&](const milk::MetricRow& m) { return std::vector<std::string>{m.group}; });
    const std::string K = std::to_string(o.k);
    std::vector<std::string> header{"epoch", "loss", "seconds"};
    for (const auto& g : groups) {
        header.push_back("R@" + K + " " + g);
        header.push_back("N@" + K + " " + g);
    }
    TextTable table(header);
    for (const auto& e : epochs) {
        std::vector<std::string> row{std::to_string(e.epoch) + (e.epoch == r.best_epoch ? "*" : ""), fixed(e.loss, 5),
                                     fixed(e.seconds + e.eval_seconds, 2)};
        const auto it = by_epoch.find(e.epoch);
        for (const auto& g : groups) {
            const bool has = it != by_epoch.end() && it->second.count(g);
            row.push_back(has ? fixed(it->second.at(g).recall) : "-");
            row.push_back(has ? fixed(it->second.at(g).ndcg) : "-");
        }
        table.add(std::move(row));
    }
    std::cout << "validation per epoch (* = best, selected on validation NDCG):\n";
    table.print(std::cout);

    const auto test = store->test_metrics(id);
    if (!test.empty()) {
        TextTable t({"group", "items", "users", "K", "recall", "ndcg", "precision", "hr"});
        for (const auto& m : test)
            t.add({m.group, std::to_string(m.n_items), std::to_string(m.n_users), std::to_string(m.k), fixed(m.values.recall),
                   fixed(m.values.ndcg), fixed(m.values.precision), fixed(m.values.hr)});
        std::cout << "\ntest at epoch " << test.front().epoch << ":\n";
        t.print(std::cout);
    } else {
        std::cout << "\nno test metrics (the run did not finish)\n";
    }
    return 0;
}

int cmd_compare(const RunsOptions& o) {
    auto store = open_existing(o);
    if (o.ids.size() < 2)
        throw milk::ConfigError(milk::describe("milk runs compare", "run ids", "at least two", std::to_string(o.ids.size())));
    std::vector<milk::RunRecord> runs;
    std::vector<std::vector<milk::MetricRow>> tests;
    for (auto id : o.ids) {
        runs.push_back(store->run(id));
        tests.push_back(store->test_metrics(id));
    }
    // (group, K) rows in the first-seen order.
    std::vector<std::pair<std::string, int>> keys;
    for (const auto& t : tests)
        for (const auto& m : t)
            if (std::find(keys.begin(), keys.end(), std::make_pair(m.group, m.k)) == keys.end()) keys.emplace_back(m.group, m.k);
    std::vector<std::string> header{"group", "K"};
    for (const auto& r : runs) {
        const std::string name = "#" + std::to_string(r.id) + " " + r.model;
        header.push_back("recall " + name);
        header.push_back("ndcg " + name);
    }
    TextTable table(header);
    for (const auto& [group, k] : keys) {
        std::vector<std::string> row{group, std::to_string(k)};
        for (const auto& t : tests) {
            auto it = std::find_if(t.begin(), t.end(), [&](const milk::MetricRow& m) { return m.group == group && m.k == k; });
            row.push_back(it != t.end() ? fixed(it->values.recall) : "-");
            row.push_back(it != t.end() ? fixed(it->values.ndcg) : "-");
        }
        table.add(std::move(row));
    }
    std::cout << "test metrics at each run's best validation epoch:\n";
    for (const auto& r : runs)
        std::cout << "  #" << r.id << " " << r.model << " on " << r.dataset << " (" << r.scenario << "), seed " << r.seed
                  << ", " << r.status << ", best epoch " << r.best_epoch << "\n";
    table.print(std::cout);

    // Paired t-test on per-user test NDCG@K of each run against the first, per group.
    const std::string K = std::to_string(o.k);
    std::vector<std::string> groups;
    for (const auto& [group, k] : keys)
        if (std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
    TextTable paired({"group", "run", "vs", "users", "mean diff NDCG@" + K, "t", "p (two-sided)"});
    for (const auto& group : groups) {
        const auto base = store->user_metrics(runs[0].id, "test", group, o.k);
        for (std::size_t i = 1; i < runs.size(); ++i) {
            std::vector<std::string> row{group, "#" + std::to_string(runs[i].id), "#" + std::to_string(runs[0].id)};
            const auto other = store->user_metrics(runs[i].id, "test", group, o.k);
            if (!base || !other) {
                row.insert(row.end(), {"-", "-", "-", "no per-user values"});
            } else {
                const auto pairs = milk::align_by_user(other->users, other->ndcg, base->users, base->ndcg);
                if (pairs.users.size() < 2) {
                    row.insert(row.end(), {std::to_string(pairs.users.size()), "-", "-", "too few shared users"});
                } else {
                    const auto t = milk::paired_t_test(pairs.a, pairs.b);
                    char p[32];
                    std::snprintf(p, sizeof p, "%.3g", t.p_value);
                    row.insert(row.end(), {std::to_string(t.n), fixed(t.mean_diff, 5), fixed(t.t, 3), p});
                }
            }
            paired.add(std::move(row));
        }
    }
    std::cout << "\npaired t-test on per-user test NDCG@" << K << " (users present in both runs):\n";
    paired.print(std::cout);
    return 0;
}

int cmd_export(const RunsOptions& o) {
    auto store = open_existing(o);
    store->export_csv(o.csv, o.ids);
    std::cout << "wrote " << o.csv << " (" << (o.ids.empty() ? std::string("all runs") : std::to_string(o.ids.size()) + " runs")
              << ")\n";
    return 0;
}

int cmd_delete(const RunsOptions& o) {
    auto store = open_existing(o);
    const std::int64_t id = o.ids.at(0);
    const auto r = store->run(id);  // DataError when absent
    if (!o.yes) {
        if (!::isatty(STDIN_FILENO))
            throw milk::StateError(milk::describe("milk runs delete", "run " + std::to_string(id),
                                                  "--yes to confirm (stdin is not a terminal, so no question is asked)",
                                                  "no confirmation"));
        std::cout << "delete run " << id << " (" << r.model << " on " << r.dataset << ", " << r.status
                  << ") and everything recorded for it? [y/N] " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "y" && answer != "Y" && answer != "yes") {
            std::cout << "kept run " << id << "\n";
            return 1;
        }
    }
    store->delete_run(id);
    std::cout << "deleted run " << id << "\n";
    return 0;
}

}  // namespace

static milk::cli::CommandRegistration reg("runs", [](CLI::App& app) {
    auto o = std::make_shared<RunsOptions>();
    auto* runs = app.add_subcommand("runs", "List, show, compare, export and delete recorded runs (default: list)");
    runs->fallthrough();
    runs->add_option("--db", o->db, "Runs database (default: $MILK_RUNS_DB, else ./milk-runs.db)");
    runs->add_option("--model", o->model, "list: only runs of this model");
    runs->add_option("--dataset", o->dataset, "list: only runs on this dataset (as given to train)");
    runs->add_option("--status", o->status, "list: only runs with this status (running, finished, interrupted, ...)");
    runs->add_option("-k,--k", o->k, "K of the metrics shown (default 20)")->check(CLI::PositiveNumber);

    auto* list = runs->add_subcommand("list", "Table of runs with test Recall@K/NDCG@K overall and per group");
    auto* show = runs->add_subcommand("show", "Config, per-epoch validation metrics and test metrics of one run");
    show->add_option("id", o->ids, "Run id")->required()->expected(1);
    auto* compare = runs->add_subcommand("compare", "Test metrics of several runs side by side per group and K");
    compare->add_option("ids", o->ids, "Run ids (two or more)")->required()->expected(2, 1000);
    auto* exp = runs->add_subcommand("export", "Write test metrics of runs as CSV (one row per run, group and K)");
    exp->add_option("--csv", o->csv, "Output file (written to a temporary file, then renamed)")->required();
    exp->add_option("ids", o->ids, "Run ids (default: all)");
    auto* del = runs->add_subcommand("delete", "Delete one run and everything recorded for it");
    del->add_option("id", o->ids, "Run id")->required()->expected(1);
    del->add_flag("-y,--yes", o->yes, "Do not ask for confirmation");

    auto run = [o](int (*fn)(const RunsOptions&)) {
        milk::cli::exit_code() = milk::cli::guarded([&] { return fn(*o); });
    };
    list->callback([run] { run(cmd_list); });
    show->callback([run] { run(cmd_show); });
    compare->callback([run] { run(cmd_compare); });
    exp->callback([run] { run(cmd_export); });
    del->callback([run] { run(cmd_delete); });
    runs->callback([runs, run] {
        if (runs->get_subcommands().empty()) run(cmd_list);
    });
});
