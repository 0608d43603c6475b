#include "core/train/run_report.h"

#include <cstdio>
#include <set>

namespace milk {

nlohmann::json eval_to_json(const EvalResult& r) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& g : r.groups) {
        nlohmann::json j = {{"n_items", g.n_items}, {"n_users", g.n_users}};
        for (const auto& [k, v] : g.at_k) {
            const std::string s = "@" + std::to_string(k);
            j["recall" + s] = v.recall;
            j["ndcg" + s] = v.ndcg;
            j["precision" + s] = v.precision;
            j["hr" + s] = v.hr;
        }
        out[g.group] = j;
    }
    return out;
}

nlohmann::json run_to_json(const RunFinished& r) {
    nlohmann::json j = {{"status", to_string(r.status)},       {"best_epoch", r.best_epoch},
                        {"epochs_run", r.epochs_run},           {"seconds", r.seconds},
                        {"seconds_per_epoch", r.seconds_per_epoch}};
    if (!r.message.empty()) j["message"] = r.message;
    j["validation"] = r.best_validation ? eval_to_json(*r.best_validation) : nlohmann::json::object();
    j["test"] = r.test ? eval_to_json(*r.test) : nlohmann::json::object();
    return j;
}

std::string format_eval_table(const EvalResult& r, const std::string& title) {
    std::set<int> ks;
    for (const auto& g : r.groups)
        for (const auto& [k, v] : g.at_k) ks.insert(k);
    std::string out = title + "\n";
    char buf[64];
    out += "group          items  users";
    for (int k : ks) {
        std::snprintf(buf, sizeof buf, "  Recall@%-3d NDCG@%-3d", k, k);
        out += buf;
    }
    out += "\n";
    for (const auto& g : r.groups) {
        std::snprintf(buf, sizeof buf, "%-12s %7d %6d", g.group.c_str(), g.n_items, g.n_users);
        out += buf;
        for (int k : ks) {
            auto it = g.at_k.find(k);
            if (it == g.at_k.end()) {
                out += "        -         -  ";
                continue;
            }
            std::snprintf(buf, sizeof buf, "  %9.4f %8.4f", it->second.recall, it->second.ndcg);
            out += buf;
        }
        out += "\n";
    }
    return out;
}

}  // namespace milk
