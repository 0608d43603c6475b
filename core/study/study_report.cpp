#include "core/study/study_report.h"

#include "core/error.h"

#include <algorithm>
#include <numeric>

namespace milk {

MeanStd mean_std(const std::vector<double>& values) {
    MeanStd m;
    m.n = static_cast<int>(values.size());
    if (values.empty()) return m;
    m.mean = std::accumulate(values.begin(), values.end(), 0.0) / m.n;
    double ss = 0;
    for (double v : values) ss += (v - m.mean) * (v - m.mean);
    m.std = m.n > 1 ? std::sqrt(ss / (m.n - 1)) : 0.0;
    return m;
}

const GroupSummary* ModelRow::group(const std::string& name) const {
    for (const auto& g : test)
        if (g.group == name) return &g;
    return nullptr;
}

double ModelRow::test_mean(const std::string& group_name, const std::string& metric) const {
    const GroupSummary* g = group(group_name);
    if (!g) return std::numeric_limits<double>::quiet_NaN();
    auto it = g->metrics.find(metric);
    return it == g->metrics.end() ? std::numeric_limits<double>::quiet_NaN() : it->second.mean;
}

std::string StudyReport::selection_metric() const { return study.select_metric + "@" + std::to_string(study.select_k); }

namespace {

double metric_of(const EvalResult& r, const std::string& group, const std::string& metric) {
    auto [name, k] = parse_metric(metric, "metric");
    return r.metric(group, name, k);
}

std::string point_label(const nlohmann::json& point) {
    std::string s;
    for (auto it = point.begin(); it != point.end(); ++it)
        s += (s.empty() ? "" : ", ") + it.key() + "=" + (it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
    return s;
}

ModelRow summarise(const Study& study, const std::string& label, const std::string& model_label,
                   const nlohmann::json& point, const std::vector<const CellOutcome*>& seeds) {
    ModelRow row;
    row.label = label;
    row.model_label = model_label;
    row.grid_point = point;
    row.n_seeds = static_cast<int>(seeds.size());
    const std::string sel = study.select_metric + "@" + std::to_string(study.select_k);
    std::vector<double> val;
    for (const auto* o : seeds) {
        val.push_back(metric_of(o->validation, "overall", sel));
        row.run_ids.push_back(o->run_id);
    }
    row.validation = mean_std(val);
    std::vector<std::string> metrics = study.report_metrics;
    if (std::find(metrics.begin(), metrics.end(), sel) == metrics.end()) metrics.push_back(sel);
    for (const auto& group : study.groups) {
        GroupSummary g;
        g.group = group;
        std::vector<double> sizes;
        for (const auto* o : seeds)
            if (const auto* gr = o->test.find(group)) sizes.push_back(gr->n_items);
        if (sizes.empty()) continue;  // the scenario has no such group
        g.n_items = mean_std(sizes).mean;
        for (const auto& m : metrics) {
            std::vector<double> v;
            for (const auto* o : seeds) {
                const double x = metric_of(o->test, group, m);
                if (!std::isnan(x)) v.push_back(x);
            }
            g.metrics[m] = mean_std(v);
        }
        row.test.push_back(std::move(g));
    }
    return row;
}

// Per-user test values of the selection metric for one row and group, averaged over seeds.
std::map<std::int32_t, double> per_user(const std::vector<const CellOutcome*>& seeds, const std::string& group,
                                        const std::string& metric, int k) {
    std::map<std::int32_t, std::pair<double, int>> acc;
    for (const auto* o : seeds) {
        const GroupResult* g = o->test.find(group);
        if (!g) continue;
        const auto& values = metric == "recall" ? g->user_recall : g->user_ndcg;
        auto it = values.find(k);
        if (it == values.end() || it->second.size() != g->users.size()) continue;
        for (std::size_t i = 0; i < g->users.size(); ++i) {
            auto& a = acc[g->users[i]];
            a.first += it->second[i];
            a.second += 1;
        }
    }
    std::map<std::int32_t, double> out;
    for (const auto& [u, a] : acc) out[u] = a.first / a.second;
    return out;
}

}  // namespace

StudyReport build_report(const Study& study, const std::vector<CellOutcome>& outcomes) {
    StudyReport report;
    report.study = study;
    report.found_results = static_cast<int>(outcomes.size());
    for (const auto& c : expand_cells(study)) report.expected_results += static_cast<int>(c.evals.size());
    const std::string sel = report.selection_metric();
    const bool sensitivity = study.kind == "sensitivity";

    for (const auto& dataset : study.datasets)
        for (const auto& scenario : study.scenarios) {
            ScenarioBlock block;
            block.dataset = dataset;
            block.scenario = scenario.label;
            std::vector<std::vector<const CellOutcome*>> chosen_seeds;
            for (const auto& model : study.models) {
                struct Point {
                    nlohmann::json point;
                    std::vector<const CellOutcome*> seeds;
                };
                std::vector<Point> points;
                for (const auto& p : model.grid_points()) points.push_back({p, {}});
                for (const auto& o : outcomes) {
                    if (o.dataset != dataset || o.scenario_label != scenario.label || o.model_label != model.label)
                        continue;
                    for (auto& p : points)
                        if (p.point == o.grid_point) p.seeds.push_back(&o);
                }
                if (sensitivity) {
                    for (const auto& p : points) {
                        if (p.seeds.empty()) continue;
                        const std::string pl = point_label(p.point);
                        block.rows.push_back(summarise(study, pl.empty() ? model.label : model.label + " (" + pl + ")",
                                                       model.label, p.point, p.seeds));
                        chosen_seeds.push_back(p.seeds);
                    }
                    if (model.grid.size() == 1) {
                        SensitivityCurve curve;
                        curve.dataset = dataset;
                        curve.scenario = scenario.label;
                        curve.model_label = model.label;
                        curve.param = model.grid.front().first;
                        for (const auto& p : points) {
                            if (p.seeds.empty()) continue;
                            curve.values.push_back(p.point.at(curve.param));
                            std::vector<double> y, yr;
                            for (const auto* o : p.seeds) {
                                y.push_back(metric_of(o->test, "overall", sel));
                                yr.push_back(metric_of(o->test, "overall", "recall@" + std::to_string(study.select_k)));
                            }
                            curve.y.push_back(mean_std(y));
                            curve.y_recall.push_back(mean_std(yr));
                        }
                        if (!curve.values.empty()) report.curves.push_back(std::move(curve));
                    }
                    continue;
                }
                // Selection by validation only: the grid point with the best mean validation
                // metric over its seeds; test values are not looked at here.
                const Point* best = nullptr;
                double best_val = -std::numeric_limits<double>::infinity();
                for (const auto& p : points) {
                    if (p.seeds.empty()) continue;
                    std::vector<double> v;
                    for (const auto* o : p.seeds) v.push_back(metric_of(o->validation, "overall", sel));
                    const double m = mean_std(v).mean;
                    if (!best || m > best_val) {
                        best = &p;
                        best_val = m;
                    }
                }
                if (!best) continue;
                block.rows.push_back(summarise(study, model.label, model.label, best->point, best->seeds));
                chosen_seeds.push_back(best->seeds);
            }
            // Best row vs runner-up (by test mean of the selection metric, overall): are they
            // different user by user?
            if (block.rows.size() >= 2) {
                std::vector<std::size_t> order(block.rows.size());
                std::iota(order.begin(), order.end(), 0);
                auto score = [&](std::size_t i) {
                    const double x = block.rows[i].test_mean("overall", sel);
                    return std::isnan(x) ? -1.0 : x;
                };
                std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return score(a) > score(b); });
                const std::size_t a = order[0], b = order[1];
                for (const auto& group : study.groups) {
                    if (!block.rows[a].group(group)) continue;
                    SignificanceTest t;
                    t.group = group;
                    t.metric = sel;
                    t.best = block.rows[a].label;
                    t.other = block.rows[b].label;
                    const auto ua = per_user(chosen_seeds[a], group, study.select_metric, study.select_k);
                    const auto ub = per_user(chosen_seeds[b], group, study.select_metric, study.select_k);
                    std::vector<double> va, vb;
                    for (const auto& [u, x] : ua)
                        if (auto it = ub.find(u); it != ub.end()) {
                            va.push_back(x);
                            vb.push_back(it->second);
                        }
                    if (va.size() < 2) {
                        t.note = "fewer than 2 users in common";
                    } else {
                        try {
                            t.t = paired_t_test(va, vb);
                            t.wilcoxon = wilcoxon_signed_rank(va, vb);
                        } catch (const Error& e) {
                            t.note = e.what();
                        }
                    }
                    block.tests.push_back(std::move(t));
                }
            }
            report.blocks.push_back(std::move(block));
        }
    return report;
}

}  // namespace milk
