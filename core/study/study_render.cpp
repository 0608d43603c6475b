#include "core/study/study_render.h"

#include "core/data/atomic_file.h"
#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

namespace milk {

namespace {

std::string num(double x, int digits = 4) {
    if (std::isnan(x)) return "";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, x);
    return buf;
}

std::string pm(const MeanStd& m) {
    if (m.n == 0 || std::isnan(m.mean)) return "-";
    if (m.n == 1) return num(m.mean);  // one seed has no spread: "± 0" would claim one
    return num(m.mean) + " ± " + num(m.std);
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string metric_title(const std::string& m) {
    const auto at = m.find('@');
    std::string name = m.substr(0, at), k = at == std::string::npos ? "" : m.substr(at);
    if (name == "ndcg") name = "NDCG";
    else if (name == "recall") name = "Recall";
    else if (name == "precision") name = "Precision";
    else if (name == "hr") name = "HR";
    return name + k;
}

std::string point_text(const nlohmann::json& point) {
    std::string s;
    for (auto it = point.begin(); it != point.end(); ++it)
        s += (s.empty() ? "" : " ") + it.key() + "=" + (it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
    return s.empty() ? "(no grid: fixed parameters only)" : s;  // not "defaults": params may be set
}

std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Rows of the wide table: model labels in study order, over all blocks of a dataset.
std::vector<std::string> row_labels(const StudyReport& r, const std::string& dataset) {
    std::vector<std::string> labels;
    for (const auto& b : r.blocks)
        if (b.dataset == dataset)
            for (const auto& row : b.rows)
                if (std::find(labels.begin(), labels.end(), row.label) == labels.end()) labels.push_back(row.label);
    return labels;
}

const ModelRow* find_row(const ScenarioBlock& b, const std::string& label) {
    for (const auto& row : b.rows)
        if (row.label == label) return &row;
    return nullptr;
}

MeanStd cell_value(const ModelRow* row, const std::string& group, const std::string& metric) {
    if (!row) return {};
    const GroupSummary* g = row->group(group);
    if (!g) return {};
    auto it = g->metrics.find(metric);
    return it == g->metrics.end() ? MeanStd{} : it->second;
}

// The best mean in a column, to bold it.
double column_best(const std::vector<const ModelRow*>& rows, const std::string& group, const std::string& metric) {
    double best = -1;
    for (const auto* row : rows) {
        const MeanStd m = cell_value(row, group, metric);
        if (m.n > 0 && !std::isnan(m.mean)) best = std::max(best, m.mean);
    }
    return best;
}

std::vector<std::string> groups_present(const ScenarioBlock& b, const std::vector<std::string>& groups) {
    std::vector<std::string> out;
    for (const auto& g : groups)
        for (const auto& row : b.rows)
            if (row.group(g)) {
                out.push_back(g);
                break;
            }
    return out;
}

std::string selection_note(const StudyReport& r) {
    const std::string sel = r.selection_metric();
    std::string s;
    if (r.study.kind == "sensitivity")
        s = "Every grid point is reported (sensitivity study); ";
    else
        s = "Each model's hyper-parameters are selected by validation " + metric_title(sel) +
            " only (overall group, mean over seeds); test values are never used for selection. ";
    s += "Test values: mean ± sample standard deviation (n-1) over " + std::to_string(r.study.seeds.size()) +
         " seed(s). Results found: " + std::to_string(r.found_results) + " of " + std::to_string(r.expected_results) +
         ".";
    return s;
}

const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                          "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b"};

std::string fmt_svg(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", x);
    return buf;
}

double nice_max(double m) {
    if (!(m > 0)) return 1;
    const double p = std::pow(10.0, std::floor(std::log10(m)));
    for (double f : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (f * p >= m) return f * p;
    return 10 * p;
}

}  // namespace

std::string render_markdown(const StudyReport& r) {
    std::ostringstream md;
    const std::string sel = r.selection_metric();
    md << "# " << (r.study.title.empty() ? r.study.name : r.study.title) << "\n\n";
    if (!r.study.description.empty()) md << r.study.description << "\n\n";
    md << selection_note(r) << "\n\n";
    std::vector<std::string> datasets;
    for (const auto& b : r.blocks)
        if (std::find(datasets.begin(), datasets.end(), b.dataset) == datasets.end()) datasets.push_back(b.dataset);

    for (const auto& dataset : datasets) {
        md << "## " << dataset << ": test, overall\n\n| Model |";
        std::vector<const ScenarioBlock*> blocks;
        for (const auto& b : r.blocks)
            if (b.dataset == dataset) blocks.push_back(&b);
        for (const auto* b : blocks)
            for (const auto& m : r.study.report_metrics) md << " " << b->scenario << " " << metric_title(m) << " |";
        md << "\n|---|";
        for (std::size_t i = 0; i < blocks.size() * r.study.report_metrics.size(); ++i) md << "---|";
        md << "\n";
        for (const auto& label : row_labels(r, dataset)) {
            md << "| " << label << " |";
            for (const auto* b : blocks) {
                std::vector<const ModelRow*> rows;
                for (const auto& row : b->rows) rows.push_back(&row);
                for (const auto& m : r.study.report_metrics) {
                    const MeanStd v = cell_value(find_row(*b, label), "overall", m);
                    const bool bold = v.n > 0 && v.mean == column_best(rows, "overall", m) && rows.size() > 1;
                    md << " " << (bold ? "**" : "") << pm(v) << (bold ? "**" : "") << " |";
                }
            }
            md << "\n";
        }
        md << "\n";
        if (r.study.kind != "sensitivity") {
            md << "Selected on validation " << metric_title(sel) << ":\n\n";
            for (const auto* b : blocks)
                for (const auto& row : b->rows)
                    md << "- " << b->scenario << ", " << row.label << ": " << point_text(row.grid_point) << " (validation "
                       << pm(row.validation) << ", " << row.n_seeds << " seed(s))\n";
            md << "\n";
        }
    }

    const std::string recall_k = "recall@" + std::to_string(r.study.select_k);
    for (const auto& b : r.blocks) {
        const auto groups = groups_present(b, r.study.groups);
        if (groups.size() <= 1 || b.rows.empty()) continue;
        md << "## " << b.dataset << ", " << b.scenario << ": test per item group\n\n| Model |";
        for (const auto& g : groups) {
            const GroupSummary* gs = b.rows.front().group(g);
            const std::string size = gs ? " (" + num(gs->n_items, 0) + " items)" : "";
            md << " " << g << size << " " << metric_title(recall_k) << " | " << g << " " << metric_title(sel) << " |";
        }
        md << "\n|---|";
        for (std::size_t i = 0; i < groups.size() * 2; ++i) md << "---|";
        md << "\n";
        for (const auto& row : b.rows) {
            md << "| " << row.label << " |";
            for (const auto& g : groups)
                md << " " << pm(cell_value(&row, g, recall_k)) << " | " << pm(cell_value(&row, g, sel)) << " |";
            md << "\n";
        }
        md << "\n";
    }

    bool any_test = false;
    for (const auto& b : r.blocks) any_test = any_test || !b.tests.empty();
    if (any_test) {
        md << "## Significance: best vs runner-up (paired on users, test " << metric_title(sel)
           << ", each user's value averaged over seeds)\n\n"
           << "| Dataset | Scenario | Group | Best | Runner-up | users | mean diff | t | p (t-test) | p (Wilcoxon) |\n"
           << "|---|---|---|---|---|---|---|---|---|---|\n";
        for (const auto& b : r.blocks)
            for (const auto& t : b.tests) {
                md << "| " << b.dataset << " | " << b.scenario << " | " << t.group << " | " << t.best << " | " << t.other
                   << " | ";
                if (!t.valid()) {
                    md << t.note << " | | | | |\n";
                    continue;
                }
                md << t.t.n << " | " << num(t.t.mean_diff, 5) << " | " << num(t.t.t, 3) << " | " << num(t.t.p_value, 4)
                   << (t.t.p_value < 0.05 ? " *" : "") << " | " << num(t.wilcoxon.p_value, 4) << " |\n";
            }
        md << "\n";
    }

    for (const auto& c : r.curves) {
        md << "## Sensitivity: " << c.param << " (" << c.model_label << ", " << c.dataset << ", " << c.scenario
           << ")\n\n| " << c.param << " | " << metric_title(sel) << " | " << metric_title(recall_k) << " |\n|---|---|---|\n";
        for (std::size_t i = 0; i < c.values.size(); ++i)
            md << "| " << value_text(c.values[i]) << " | " << pm(c.y[i]) << " | " << pm(c.y_recall[i]) << " |\n";
        md << "\n";
    }
    return md.str();
}

std::string render_table_csv(const StudyReport& r) {
    std::ostringstream out;
    std::vector<std::string> scenarios;
    for (const auto& s : r.study.scenarios) scenarios.push_back(s.label);
    out << "dataset,model,grid_point";
    for (const auto& s : scenarios)
        for (const auto& m : r.study.report_metrics)
            out << "," << csv_field(s + " " + m + " mean") << "," << csv_field(s + " " + m + " std");
    out << "\n";
    std::vector<std::string> datasets;
    for (const auto& b : r.blocks)
        if (std::find(datasets.begin(), datasets.end(), b.dataset) == datasets.end()) datasets.push_back(b.dataset);
    for (const auto& dataset : datasets)
        for (const auto& label : row_labels(r, dataset)) {
            std::string grid;
            for (const auto& b : r.blocks)
                if (b.dataset == dataset)
                    if (const auto* row = find_row(b, label))
                        grid += (grid.empty() ? "" : "; ") + b.scenario + ": " + point_text(row->grid_point);
            out << csv_field(dataset) << "," << csv_field(label) << "," << csv_field(grid);
            for (const auto& s : scenarios) {
                const ScenarioBlock* block = nullptr;
                for (const auto& b : r.blocks)
                    if (b.dataset == dataset && b.scenario == s) block = &b;
                for (const auto& m : r.study.report_metrics) {
                    const MeanStd v = block ? cell_value(find_row(*block, label), "overall", m) : MeanStd{};
                    out << "," << num(v.mean, 6) << "," << num(v.std, 6);
                }
            }
            out << "\n";
        }
    return out.str();
}

std::string render_groups_csv(const StudyReport& r) {
    std::ostringstream out;
    out << "dataset,scenario,model,grid_point,group,n_items,metric,mean,std,n_seeds\n";
    for (const auto& b : r.blocks)
        for (const auto& row : b.rows)
            for (const auto& g : row.test)
                for (const auto& [metric, v] : g.metrics)
                    out << csv_field(b.dataset) << "," << csv_field(b.scenario) << "," << csv_field(row.label) << ","
                        << csv_field(point_text(row.grid_point)) << "," << g.group << "," << num(g.n_items, 1) << ","
                        << metric << "," << num(v.mean, 6) << "," << num(v.std, 6) << "," << v.n << "\n";
    return out.str();
}

std::string render_significance_csv(const StudyReport& r) {
    std::ostringstream out;
    out << "dataset,scenario,group,metric,best,other,n_users,mean_diff,t,df,p_t,p_wilcoxon,note\n";
    for (const auto& b : r.blocks)
        for (const auto& t : b.tests)
            out << csv_field(b.dataset) << "," << csv_field(b.scenario) << "," << t.group << "," << t.metric << ","
                << csv_field(t.best) << "," << csv_field(t.other) << "," << t.t.n << "," << num(t.t.mean_diff, 6) << ","
                << num(t.t.t, 4) << "," << num(t.t.df, 0) << "," << num(t.t.p_value, 6) << ","
                << num(t.wilcoxon.p_value, 6) << "," << csv_field(t.note) << "\n";
    return out.str();
}

std::string render_sensitivity_csv(const StudyReport& r) {
    std::ostringstream out;
    const std::string sel = r.selection_metric();
    out << "dataset,scenario,model,param,value," << sel << "_mean," << sel << "_std,recall@" << r.study.select_k
        << "_mean,recall@" << r.study.select_k << "_std,n_seeds\n";
    for (const auto& c : r.curves)
        for (std::size_t i = 0; i < c.values.size(); ++i)
            out << csv_field(c.dataset) << "," << csv_field(c.scenario) << "," << csv_field(c.model_label) << ","
                << c.param << "," << csv_field(value_text(c.values[i])) << "," << num(c.y[i].mean, 6) << ","
                << num(c.y[i].std, 6) << "," << num(c.y_recall[i].mean, 6) << "," << num(c.y_recall[i].std, 6) << ","
                << c.y[i].n << "\n";
    return out.str();
}

std::string render_group_bars_svg(const ScenarioBlock& b, const std::vector<std::string>& all_groups,
                                  const std::string& metric) {
    const auto groups = groups_present(b, all_groups);
    const double W = 720, H = 320, left = 56, right = 170, top = 28, bottom = 44;
    const double pw = W - left - right, ph = H - top - bottom;
    double ymax = 0;
    for (const auto& row : b.rows)
        for (const auto& g : groups) {
            const MeanStd v = cell_value(&row, g, metric);
            if (v.n > 0 && !std::isnan(v.mean)) ymax = std::max(ymax, v.mean + (std::isnan(v.std) ? 0 : v.std));
        }
    ymax = nice_max(ymax);
    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" viewBox=\"0 0 " << W
      << " " << H << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    s << "<text x=\"" << left << "\" y=\"16\" font-size=\"13\">" << html_escape(b.dataset + ", " + b.scenario + ": test " +
                                                                                metric_title(metric) + " per item group")
      << "</text>\n";
    for (int i = 0; i <= 4; ++i) {
        const double v = ymax * i / 4, y = top + ph - ph * i / 4;
        s << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << fmt_svg(y) << "\" y2=\"" << fmt_svg(y)
          << "\" stroke=\"#ddd\"/>"
          << "<text x=\"" << left - 4 << "\" y=\"" << fmt_svg(y + 4) << "\" text-anchor=\"end\">" << num(v, 3) << "</text>\n";
    }
    const double gw = groups.empty() ? pw : pw / groups.size();
    const double bw = b.rows.empty() ? 0 : gw * 0.8 / b.rows.size();
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        const double gx = left + gi * gw + gw * 0.1;
        for (std::size_t ri = 0; ri < b.rows.size(); ++ri) {
            const MeanStd v = cell_value(&b.rows[ri], groups[gi], metric);
            if (v.n == 0 || std::isnan(v.mean)) continue;
            const double h = ph * v.mean / ymax, x = gx + ri * bw;
            s << "<rect x=\"" << fmt_svg(x) << "\" y=\"" << fmt_svg(top + ph - h) << "\" width=\"" << fmt_svg(bw * 0.92)
              << "\" height=\"" << fmt_svg(h) << "\" fill=\"" << kPalette[ri % 12] << "\"><title>"
              << html_escape(b.rows[ri].label + " " + groups[gi] + ": " + pm(v)) << "</title></rect>\n";
            if (v.std > 0) {
                const double cx = x + bw * 0.46, y1 = top + ph - ph * (v.mean - v.std) / ymax,
                             y2 = top + ph - ph * (v.mean + v.std) / ymax;
                s << "<line x1=\"" << fmt_svg(cx) << "\" x2=\"" << fmt_svg(cx) << "\" y1=\"" << fmt_svg(y1) << "\" y2=\""
                  << fmt_svg(y2) << "\" stroke=\"#333\"/>\n";
            }
        }
        const GroupSummary* gs = b.rows.empty() ? nullptr : b.rows.front().group(groups[gi]);
        s << "<text x=\"" << fmt_svg(left + gi * gw + gw / 2) << "\" y=\"" << fmt_svg(top + ph + 16)
          << "\" text-anchor=\"middle\">" << html_escape(groups[gi]) << "</text>";
        if (gs)
            s << "<text x=\"" << fmt_svg(left + gi * gw + gw / 2) << "\" y=\"" << fmt_svg(top + ph + 30)
              << "\" text-anchor=\"middle\" fill=\"#666\">" << num(gs->n_items, 0) << " items</text>";
        s << "\n";
    }
    s << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << top << "\" y2=\"" << top + ph
      << "\" stroke=\"#333\"/><line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << top + ph << "\" y2=\""
      << top + ph << "\" stroke=\"#333\"/>\n";
    for (std::size_t ri = 0; ri < b.rows.size(); ++ri) {
        const double y = top + 8 + ri * 16;
        s << "<rect x=\"" << W - right + 12 << "\" y=\"" << fmt_svg(y - 9) << "\" width=\"10\" height=\"10\" fill=\""
          << kPalette[ri % 12] << "\"/><text x=\"" << W - right + 26 << "\" y=\"" << fmt_svg(y) << "\">"
          << html_escape(b.rows[ri].label) << "</text>\n";
    }
    s << "</svg>\n";
    return s.str();
}

std::string render_sensitivity_svg(const SensitivityCurve& c, const std::string& metric) {
    const double W = 520, H = 300, left = 56, right = 120, top = 28, bottom = 44;
    const double pw = W - left - right, ph = H - top - bottom;
    double ymax = 0;
    for (const auto* series : {&c.y, &c.y_recall})
        for (const auto& v : *series)
            if (v.n > 0 && !std::isnan(v.mean)) ymax = std::max(ymax, v.mean + (std::isnan(v.std) ? 0 : v.std));
    ymax = nice_max(ymax);
    const std::size_t n = c.values.size();
    // Grid values are spaced evenly (the paper's grids are logarithmic), labelled by value.
    auto xat = [&](std::size_t i) { return n <= 1 ? left + pw / 2 : left + pw * i / (n - 1); };
    auto yat = [&](double v) { return top + ph - ph * v / ymax; };
    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" viewBox=\"0 0 " << W
      << " " << H << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    s << "<text x=\"" << left << "\" y=\"16\" font-size=\"13\">"
      << html_escape(c.param + " (" + c.model_label + ", " + c.dataset + ", " + c.scenario + ")") << "</text>\n";
    for (int i = 0; i <= 4; ++i) {
        const double v = ymax * i / 4, y = yat(v);
        s << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << fmt_svg(y) << "\" y2=\"" << fmt_svg(y)
          << "\" stroke=\"#ddd\"/><text x=\"" << left - 4 << "\" y=\"" << fmt_svg(y + 4) << "\" text-anchor=\"end\">"
          << num(v, 3) << "</text>\n";
    }
    for (std::size_t i = 0; i < n; ++i)
        s << "<text x=\"" << fmt_svg(xat(i)) << "\" y=\"" << fmt_svg(top + ph + 16) << "\" text-anchor=\"middle\">"
          << html_escape(value_text(c.values[i])) << "</text>\n";
    s << "<text x=\"" << fmt_svg(left + pw / 2) << "\" y=\"" << fmt_svg(H - 8) << "\" text-anchor=\"middle\">"
      << html_escape(c.param) << "</text>\n";
    const std::vector<std::pair<const std::vector<MeanStd>*, std::string>> series{
        {&c.y, metric_title(metric)}, {&c.y_recall, metric_title("recall@" + metric.substr(metric.find('@') + 1))}};
    for (std::size_t si = 0; si < series.size(); ++si) {
        const auto& ys = *series[si].first;
        std::string points;
        for (std::size_t i = 0; i < n; ++i)
            if (ys[i].n > 0 && !std::isnan(ys[i].mean))
                points += fmt_svg(xat(i)) + "," + fmt_svg(yat(ys[i].mean)) + " ";
        s << "<polyline fill=\"none\" stroke=\"" << kPalette[si] << "\" stroke-width=\"2\" points=\"" << points << "\"/>\n";
        for (std::size_t i = 0; i < n; ++i) {
            if (ys[i].n == 0 || std::isnan(ys[i].mean)) continue;
            s << "<circle cx=\"" << fmt_svg(xat(i)) << "\" cy=\"" << fmt_svg(yat(ys[i].mean)) << "\" r=\"3\" fill=\""
              << kPalette[si] << "\"><title>" << html_escape(series[si].second + " " + pm(ys[i])) << "</title></circle>";
            if (ys[i].std > 0)
                s << "<line x1=\"" << fmt_svg(xat(i)) << "\" x2=\"" << fmt_svg(xat(i)) << "\" y1=\""
                  << fmt_svg(yat(ys[i].mean - ys[i].std)) << "\" y2=\"" << fmt_svg(yat(ys[i].mean + ys[i].std))
                  << "\" stroke=\"" << kPalette[si] << "\"/>";
            s << "\n";
        }
        s << "<rect x=\"" << W - right + 12 << "\" y=\"" << fmt_svg(top + si * 16) << "\" width=\"10\" height=\"10\" fill=\""
          << kPalette[si] << "\"/><text x=\"" << W - right + 26 << "\" y=\"" << fmt_svg(top + 9 + si * 16) << "\">"
          << html_escape(series[si].second) << "</text>\n";
    }
    s << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << top << "\" y2=\"" << top + ph
      << "\" stroke=\"#333\"/><line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << top + ph << "\" y2=\""
      << top + ph << "\" stroke=\"#333\"/>\n</svg>\n";
    return s.str();
}

std::string render_html(const StudyReport& r) {
    const std::string sel = r.selection_metric();
    std::ostringstream h;
    const std::string title = r.study.title.empty() ? r.study.name : r.study.title;
    h << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" << html_escape(title) << "</title>\n"
      << "<style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
         "th{background:#f4f4f4}.best{font-weight:bold}.note{color:#555}</style></head><body>\n";
    h << "<h1>" << html_escape(title) << "</h1>\n";
    if (!r.study.description.empty()) h << "<p>" << html_escape(r.study.description) << "</p>\n";
    h << "<p class=\"note\">" << html_escape(selection_note(r)) << "</p>\n";
    std::vector<std::string> datasets;
    for (const auto& b : r.blocks)
        if (std::find(datasets.begin(), datasets.end(), b.dataset) == datasets.end()) datasets.push_back(b.dataset);
    for (const auto& dataset : datasets) {
        std::vector<const ScenarioBlock*> blocks;
        for (const auto& b : r.blocks)
            if (b.dataset == dataset) blocks.push_back(&b);
        h << "<h2>" << html_escape(dataset) << ": test, overall</h2>\n<table><tr><th rowspan=\"2\">Model</th>";
        for (const auto* b : blocks)
            h << "<th colspan=\"" << r.study.report_metrics.size() << "\">" << html_escape(b->scenario) << "</th>";
        h << "</tr>\n<tr>";
        for (std::size_t i = 0; i < blocks.size(); ++i)
            for (const auto& m : r.study.report_metrics) h << "<th>" << metric_title(m) << "</th>";
        h << "</tr>\n";
        for (const auto& label : row_labels(r, dataset)) {
            h << "<tr><td>" << html_escape(label) << "</td>";
            for (const auto* b : blocks) {
                std::vector<const ModelRow*> rows;
                for (const auto& row : b->rows) rows.push_back(&row);
                for (const auto& m : r.study.report_metrics) {
                    const MeanStd v = cell_value(find_row(*b, label), "overall", m);
                    const bool best = v.n > 0 && v.mean == column_best(rows, "overall", m) && rows.size() > 1;
                    h << "<td" << (best ? " class=\"best\"" : "") << ">" << html_escape(pm(v)) << "</td>";
                }
            }
            h << "</tr>\n";
        }
        h << "</table>\n";
        if (r.study.kind != "sensitivity") {
            h << "<p class=\"note\">Selected on validation " << metric_title(sel) << ": ";
            std::string sep;
            for (const auto* b : blocks)
                for (const auto& row : b->rows) {
                    h << sep << html_escape(b->scenario + ", " + row.label + ": " + point_text(row.grid_point));
                    sep = "; ";
                }
            h << "</p>\n";
        }
    }
    for (const auto& b : r.blocks) {
        if (b.rows.empty()) continue;
        h << "<h2>" << html_escape(b.dataset + ", " + b.scenario) << ": per item group</h2>\n";
        h << render_group_bars_svg(b, r.study.groups, sel);
        bool tests = false;
        for (const auto& t : b.tests) tests = tests || t.valid();
        if (tests) {
            h << "<table><tr><th>Group</th><th>Best</th><th>Runner-up</th><th>users</th><th>mean diff</th><th>t</th>"
                 "<th>p (t-test)</th><th>p (Wilcoxon)</th></tr>\n";
            for (const auto& t : b.tests) {
                if (!t.valid()) continue;
                h << "<tr><td>" << html_escape(t.group) << "</td><td>" << html_escape(t.best) << "</td><td>"
                  << html_escape(t.other) << "</td><td>" << t.t.n << "</td><td>" << num(t.t.mean_diff, 5) << "</td><td>"
                  << num(t.t.t, 3) << "</td><td>" << num(t.t.p_value, 4) << "</td><td>" << num(t.wilcoxon.p_value, 4)
                  << "</td></tr>\n";
            }
            h << "</table>\n";
        }
    }
    if (!r.curves.empty()) {
        h << "<h2>Sensitivity</h2>\n";
        for (const auto& c : r.curves) h << render_sensitivity_svg(c, sel);
    }
    h << "</body></html>\n";
    return h.str();
}

std::vector<std::filesystem::path> write_report_files(const StudyReport& r, const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw IoError(describe(dir.string(), "", "a folder that can be created", ec.message()));
    std::vector<std::filesystem::path> written;
    auto put = [&](const std::string& name, const std::string& text) {
        const auto path = dir / name;
        AtomicFile f(path.string());
        f.write(text);
        f.commit();
        written.push_back(path);
    };
    put("report.md", render_markdown(r));
    put("table.csv", render_table_csv(r));
    put("groups.csv", render_groups_csv(r));
    put("significance.csv", render_significance_csv(r));
    if (!r.curves.empty()) put("sensitivity.csv", render_sensitivity_csv(r));
    put("report.html", render_html(r));
    put("study.json", r.study.to_json().dump(2) + "\n");
    return written;
}

}  // namespace milk
