#include "core/study/study.h"

#include "core/error.h"
#include "core/models/model.h"
#include "core/scenario/scenario.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>

namespace milk {

namespace {

std::string shown(const nlohmann::json& j) {
    std::string s = j.dump();
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return s;
}

[[noreturn]] void bad(const std::string& source, const std::string& field, const std::string& expected,
                      const nlohmann::json& found) {
    throw ConfigError(describe(source, "field '" + field + "'", expected, shown(found)));
}

std::string get_string(const nlohmann::json& j, const std::string& source, const std::string& field) {
    if (!j.is_string() || j.get<std::string>().empty()) bad(source, field, "a non-empty string", j);
    return j.get<std::string>();
}

std::vector<std::string> string_list(const nlohmann::json& j, const std::string& source, const std::string& field) {
    if (j.is_string()) return {get_string(j, source, field)};
    if (!j.is_array() || j.empty()) bad(source, field, "a string or a non-empty list of strings", j);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < j.size(); ++i)
        out.push_back(get_string(j[i], source, field + "[" + std::to_string(i) + "]"));
    return out;
}

std::vector<std::uint64_t> seed_list(const nlohmann::json& j, const std::string& source, const std::string& field) {
    if (j.is_number_integer()) {
        const auto n = j.get<std::int64_t>();
        if (n < 1 || n > 100) bad(source, field, "a number of repeats in [1, 100] or a list of seeds", j);
        std::vector<std::uint64_t> s;
        for (std::int64_t i = 0; i < n; ++i) s.push_back(2024 + static_cast<std::uint64_t>(i));
        return s;
    }
    if (!j.is_array() || j.empty()) bad(source, field, "a number of repeats or a non-empty list of seeds", j);
    std::vector<std::uint64_t> s;
    for (std::size_t i = 0; i < j.size(); ++i) {
        if (!j[i].is_number_integer() || j[i].get<std::int64_t>() < 0)
            bad(source, field + "[" + std::to_string(i) + "]", "a non-negative integer seed", j[i]);
        s.push_back(j[i].get<std::uint64_t>());
    }
    std::set<std::uint64_t> unique(s.begin(), s.end());
    if (unique.size() != s.size()) bad(source, field, "distinct seeds", j);
    return s;
}

std::string scenario_label(const std::string& text) {
    static const std::set<std::string> presets{"ftft", "ftmt", "mtmt", "mixed"};
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (presets.count(lower)) {
        std::string up = lower;
        std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
        return up;
    }
    return std::filesystem::path(text).stem().string();
}

std::string check_scenario(const nlohmann::json& j, const std::string& source, const std::string& field) {
    const std::string text = get_string(j, source, field);
    try {
        (void)ScenarioSpec::parse(text, 0);
    } catch (const Error& e) {
        bad(source, field, "ftft|ftmt|mtmt|mixed or a scenario JSON file (" + std::string(e.what()) + ")", j);
    }
    return text;
}

void check_training_keys(const nlohmann::json& j, const std::string& source, const std::string& field) {
    if (!j.is_object()) bad(source, field, "an object of training keys (epochs, patience, batch_size, ...)", j);
    static const std::set<std::string> owned{"dataset", "scenario", "model", "model_params", "seed"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (owned.count(it.key()))
            bad(source, field + "." + it.key(), "no such key (the study sets it per cell)", it.value());
    try {
        (void)TrainingConfig::from_json(j, source + ": field '" + field + "'");
    } catch (const ConfigError&) {
        throw;
    }
}

std::string known_models() {
    std::string names;
    for (const auto& info : model_registry()) names += (names.empty() ? "" : ", ") + info.name;
    return names;
}

std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

}  // namespace

std::vector<nlohmann::json> StudyModel::grid_points() const {
    std::vector<nlohmann::json> points{nlohmann::json::object()};
    for (const auto& [key, values] : grid) {
        std::vector<nlohmann::json> next;
        for (const auto& p : points)
            for (const auto& v : values) {
                nlohmann::json q = p;
                q[key] = v;
                next.push_back(std::move(q));
            }
        points = std::move(next);
    }
    return points;
}

std::pair<std::string, int> parse_metric(const std::string& text, const std::string& where) {
    const auto at = text.find('@');
    static const std::set<std::string> names{"recall", "ndcg", "precision", "hr"};
    if (at != std::string::npos && names.count(text.substr(0, at))) {
        try {
            std::size_t used = 0;
            const int k = std::stoi(text.substr(at + 1), &used);
            if (used == text.size() - at - 1 && k > 0) return {text.substr(0, at), k};
        } catch (const std::exception&) {
        }
    }
    throw ConfigError(describe(where, "", "a metric recall|ndcg|precision|hr@K, e.g. ndcg@20", "'" + text + "'"));
}

Study Study::from_json(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object()) bad(source, "(top level)", "a JSON object", j);
    static const std::set<std::string> known{"name",     "title",    "description", "kind",   "datasets",
                                             "scenarios", "models",  "seeds",       "training", "select",
                                             "metrics",  "groups",   "quick"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!known.count(it.key()))
            bad(source, it.key(),
                "a study key (name, title, description, kind, datasets, scenarios, models, seeds, training, select, "
                "metrics, groups, quick)",
                "an unknown key");
    Study s;
    s.source = source;
    for (const char* required : {"name", "datasets", "scenarios", "models"})
        if (!j.contains(required)) bad(source, required, "present (required)", "missing");
    s.name = get_string(j.at("name"), source, "name");
    if (j.contains("title")) s.title = get_string(j.at("title"), source, "title");
    if (j.contains("description")) {
        if (!j.at("description").is_string()) bad(source, "description", "a string", j.at("description"));
        s.description = j.at("description").get<std::string>();
    }
    if (j.contains("kind")) {
        s.kind = get_string(j.at("kind"), source, "kind");
        if (s.kind != "comparison" && s.kind != "sensitivity")
            bad(source, "kind", "\"comparison\" or \"sensitivity\"", j.at("kind"));
    }
    s.datasets = string_list(j.at("datasets"), source, "datasets");

    const auto& sc = j.at("scenarios");
    if (!sc.is_array() || sc.empty()) bad(source, "scenarios", "a non-empty list", sc);
    std::set<std::string> scenario_labels;
    for (std::size_t i = 0; i < sc.size(); ++i) {
        const std::string field = "scenarios[" + std::to_string(i) + "]";
        StudyScenario x;
        if (sc[i].is_string()) {
            x.train = x.eval = check_scenario(sc[i], source, field);
            x.label = scenario_label(x.train);
        } else if (sc[i].is_object()) {
            for (auto it = sc[i].begin(); it != sc[i].end(); ++it)
                if (it.key() != "train" && it.key() != "eval" && it.key() != "label")
                    bad(source, field + "." + it.key(), "one of train, eval, label", "an unknown key");
            if (!sc[i].contains("train")) bad(source, field + ".train", "present (required)", "missing");
            x.train = check_scenario(sc[i].at("train"), source, field + ".train");
            x.eval = sc[i].contains("eval") ? check_scenario(sc[i].at("eval"), source, field + ".eval") : x.train;
            x.label = sc[i].contains("label") ? get_string(sc[i].at("label"), source, field + ".label")
                      : x.train == x.eval   ? scenario_label(x.train)
                                            : scenario_label(x.train) + "->" + scenario_label(x.eval);
        } else {
            bad(source, field, "a scenario name or {\"train\": ..., \"eval\": ..., \"label\": ...}", sc[i]);
        }
        if (!scenario_labels.insert(x.label).second) bad(source, field + ".label", "a label not used before", x.label);
        s.scenarios.push_back(x);
    }

    const auto& ms = j.at("models");
    if (!ms.is_array() || ms.empty()) bad(source, "models", "a non-empty list", ms);
    std::set<std::string> labels;
    for (std::size_t i = 0; i < ms.size(); ++i) {
        const std::string field = "models[" + std::to_string(i) + "]";
        StudyModel m;
        if (ms[i].is_string()) {
            m.name = get_string(ms[i], source, field);
        } else if (ms[i].is_object()) {
            for (auto it = ms[i].begin(); it != ms[i].end(); ++it)
                if (it.key() != "name" && it.key() != "label" && it.key() != "params" && it.key() != "grid" &&
                    it.key() != "imputer")
                    bad(source, field + "." + it.key(), "one of name, label, params, grid, imputer", "an unknown key");
            if (!ms[i].contains("name")) bad(source, field + ".name", "present (required)", "missing");
            m.name = get_string(ms[i].at("name"), source, field + ".name");
            if (ms[i].contains("label")) m.label = get_string(ms[i].at("label"), source, field + ".label");
            if (ms[i].contains("imputer")) {
                m.imputer = get_string(ms[i].at("imputer"), source, field + ".imputer");
                if (m.imputer != "mean" && m.imputer != "zero" && m.imputer != "map")
                    bad(source, field + ".imputer", "mean, zero or map", ms[i].at("imputer"));
            }
            if (ms[i].contains("params")) {
                m.params = ms[i].at("params");
                if (!m.params.is_object()) bad(source, field + ".params", "an object of hyper-parameters", m.params);
            }
            if (ms[i].contains("grid")) {
                const auto& g = ms[i].at("grid");
                if (!g.is_object()) bad(source, field + ".grid", "an object KEY: [values...]", g);
                for (auto it = g.begin(); it != g.end(); ++it) {
                    if (!it.value().is_array() || it.value().empty())
                        bad(source, field + ".grid." + it.key(), "a non-empty list of values", it.value());
                    if (m.params.contains(it.key()))
                        bad(source, field + ".grid." + it.key(), "a key not also fixed in params", it.value());
                    std::vector<nlohmann::json> values(it.value().begin(), it.value().end());
                    m.grid.emplace_back(it.key(), values);
                }
            }
        } else {
            bad(source, field, "a model name or {\"name\": ..., \"label\": ..., \"params\": ..., \"grid\": ...}", ms[i]);
        }
        bool registered = false;
        for (const auto& info : model_registry()) registered = registered || info.name == m.name;
        if (!registered)
            throw ConfigError(describe(source, "field '" + field + (ms[i].is_string() ? "" : ".name") + "'",
                                       "a registered model (one of " + known_models() + ")", "'" + m.name + "'"));
        if (m.label.empty()) m.label = m.name;
        if (!labels.insert(m.label).second)
            bad(source, field + ".label", "a row label not used before (set \"label\")", m.label);
        s.models.push_back(std::move(m));
    }

    s.seeds = j.contains("seeds") ? seed_list(j.at("seeds"), source, "seeds") : seed_list(5, source, "seeds");
    if (j.contains("training")) {
        check_training_keys(j.at("training"), source, "training");
        s.training = j.at("training");
    }
    if (j.contains("select")) {
        const std::string text = get_string(j.at("select"), source, "select");
        auto [name, k] = parse_metric(text, source + ": field 'select'");
        s.select_metric = name;
        s.select_k = k;
    }
    if (j.contains("metrics")) {
        s.report_metrics = string_list(j.at("metrics"), source, "metrics");
        for (std::size_t i = 0; i < s.report_metrics.size(); ++i)
            parse_metric(s.report_metrics[i], source + ": field 'metrics[" + std::to_string(i) + "]'");
    }
    if (j.contains("groups")) s.groups = string_list(j.at("groups"), source, "groups");
    if (j.contains("quick")) {
        const auto& q = j.at("quick");
        if (!q.is_object()) bad(source, "quick", "an object (datasets, seeds, training, max_grid_values)", q);
        for (auto it = q.begin(); it != q.end(); ++it) {
            const std::string field = "quick." + it.key();
            if (it.key() == "datasets") {
                s.quick.datasets = string_list(it.value(), source, field);
            } else if (it.key() == "seeds") {
                if (!it.value().is_number_integer() || it.value().get<int>() < 1 || it.value().get<int>() > 100)
                    bad(source, field, "a number of repeats in [1, 100]", it.value());
                s.quick.seeds = it.value().get<int>();
            } else if (it.key() == "training") {
                check_training_keys(it.value(), source, field);
                s.quick.training = it.value();
            } else if (it.key() == "max_grid_values") {
                if (!it.value().is_number_integer() || it.value().get<int>() < 1)
                    bad(source, field, "a positive integer", it.value());
                s.quick.max_grid_values = it.value().get<int>();
            } else if (it.key() == "grids" || it.key() == "params") {
                if (!it.value().is_object()) bad(source, field, "an object MODEL_LABEL: {...}", it.value());
                for (auto m = it.value().begin(); m != it.value().end(); ++m) {
                    const std::string mf = field + "." + m.key();
                    if (!labels.count(m.key())) bad(source, mf, "the label of a model of this study", m.key());
                    if (!m.value().is_object()) bad(source, mf, "an object", m.value());
                    if (it.key() == "params") {
                        s.quick.params[m.key()] = m.value();
                        continue;
                    }
                    auto& grid = s.quick.grids[m.key()];
                    for (auto g = m.value().begin(); g != m.value().end(); ++g) {
                        if (!g.value().is_array() || g.value().empty())
                            bad(source, mf + "." + g.key(), "a non-empty list of values", g.value());
                        grid.emplace_back(g.key(), std::vector<nlohmann::json>(g.value().begin(), g.value().end()));
                    }
                }
            } else {
                bad(source, field, "one of datasets, seeds, training, max_grid_values, grids, params", "an unknown key");
            }
        }
    }
    return s;
}

Study Study::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw IoError(describe(file.string(), "", "a readable study file", "no such file"));
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw ParseError(describe(file.string(), "byte " + std::to_string(e.byte), "valid JSON", e.what()));
    }
    return from_json(j, file.string());
}

nlohmann::json Study::to_json() const {
    nlohmann::json scen = nlohmann::json::array();
    for (const auto& x : scenarios) scen.push_back({{"label", x.label}, {"train", x.train}, {"eval", x.eval}});
    nlohmann::json models_j = nlohmann::json::array();
    for (const auto& m : models) {
        nlohmann::json g = nlohmann::json::object();
        for (const auto& [key, values] : m.grid) g[key] = values;
        nlohmann::json mj{{"name", m.name}, {"label", m.label}, {"params", m.params}, {"grid", g}};
        if (!m.imputer.empty()) mj["imputer"] = m.imputer;
        models_j.push_back(mj);
    }
    return {{"name", name},
            {"title", title},
            {"description", description},
            {"kind", kind},
            {"datasets", datasets},
            {"scenarios", scen},
            {"models", models_j},
            {"seeds", seeds},
            {"training", training},
            {"select", select_metric + "@" + std::to_string(select_k)},
            {"metrics", report_metrics},
            {"groups", groups}};
}

void Study::set_seed_count(int n) { seeds = seed_list(n, source, "--seeds"); }

void Study::set_datasets(const std::vector<std::string>& d) {
    if (d.empty()) throw ConfigError(describe(source, "datasets", "at least one dataset", "none"));
    datasets = d;
}

Study Study::quick_variant() const {
    Study q = *this;
    if (!quick.datasets.empty()) q.datasets = quick.datasets;
    q.seeds = seed_list(quick.seeds, source, "quick.seeds");
    q.training.update(quick.training);
    for (auto& m : q.models) {
        for (auto& [key, values] : m.grid)
            if (static_cast<int>(values.size()) > quick.max_grid_values) values.resize(quick.max_grid_values);
        if (auto it = quick.grids.find(m.label); it != quick.grids.end()) {
            m.grid = it->second;
            for (const auto& [key, values] : m.grid) m.params.erase(key);
        }
        if (auto it = quick.params.find(m.label); it != quick.params.end()) {
            m.params.update(it->second);
            for (auto p = it->second.begin(); p != it->second.end(); ++p)
                std::erase_if(m.grid, [&](const auto& axis) { return axis.first == p.key(); });
        }
    }
    return q;
}

std::string cell_key(const TrainingConfig& config) {
    nlohmann::json j = config.to_json();
    j.erase("threads");
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a(j.dump())));
    return buf;
}

std::string result_key(const std::string& key, const std::string& eval_scenario) { return key + "|" + eval_scenario; }

std::string StudyCell::describe() const {
    std::string s = model_label;
    for (auto it = grid_point.begin(); it != grid_point.end(); ++it) s += " " + it.key() + "=" + it.value().dump();
    return s + ", seed " + std::to_string(seed) + ", " + dataset + ", " + train_scenario;
}

std::vector<StudyCell> expand_cells(const Study& study) {
    nlohmann::json base_json = study.training;
    TrainingConfig base = TrainingConfig::from_json(base_json, study.source + ": field 'training'");
    std::set<int> ks(base.ks.begin(), base.ks.end());
    if (!study.training.contains("ks")) ks.clear();
    ks.insert(study.select_k);
    for (const auto& m : study.report_metrics) ks.insert(parse_metric(m, study.source).second);
    base.ks.assign(ks.begin(), ks.end());

    // Training scenarios in first-seen order, each with the evaluations that use it.
    std::vector<std::pair<std::string, std::vector<StudyScenario>>> trains;
    for (const auto& x : study.scenarios) {
        auto it = std::find_if(trains.begin(), trains.end(), [&](const auto& t) { return t.first == x.train; });
        if (it == trains.end()) trains.push_back({x.train, {x}});
        else it->second.push_back(x);
    }

    std::vector<StudyCell> cells;
    for (std::size_t mi = 0; mi < study.models.size(); ++mi) {
        const auto& m = study.models[mi];
        for (const auto& point : m.grid_points()) {
            nlohmann::json params = m.params;
            params.update(point);
            try {
                (void)create_model(m.name, params);
            } catch (const Error& e) {
                throw ConfigError(study.source + ": field 'models[" + std::to_string(mi) + "]' (" + m.label +
                                  "): " + e.what());
            }
            for (const auto& dataset : study.datasets)
                for (const auto& [train, evals] : trains)
                    for (auto seed : study.seeds) {
                        StudyCell c;
                        c.dataset = dataset;
                        c.train_scenario = train;
                        c.evals = evals;
                        c.model_label = m.label;
                        c.grid_point = point;
                        c.seed = seed;
                        c.config = base;
                        c.config.dataset = dataset;
                        c.config.scenario = train;
                        c.config.model = m.name;
                        c.config.model_params = params;
                        c.config.seed = seed;
                        if (!m.imputer.empty()) c.config.imputer = m.imputer;
                        c.config.select_k = study.select_k;
                        c.config.validate();
                        c.key = cell_key(c.config);
                        cells.push_back(std::move(c));
                    }
        }
    }
    return cells;
}

}  // namespace milk
