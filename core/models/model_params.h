#pragma once
// Reads a model's JSON hyper-parameters: every key read is checked for type and range,
// and finish() rejects keys nobody read (ConfigError naming the key and the model).
#include "core/error.h"

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace milk {

class ModelParams {
public:
    ModelParams(const nlohmann::json& j, std::string model) : j_(j), model_(std::move(model)) {
        if (!j_.is_null() && !j_.is_object())
            throw ConfigError(describe(model_, "model parameters", "a JSON object", j_.dump()));
    }
    double number(const std::string& key, double fallback, double lo, double hi) {
        if (!has(key)) return fallback;
        const auto& v = j_.at(key);
        if (!v.is_number()) throw ConfigError(describe(model_, "parameter '" + key + "'", "a number", v.dump()));
        double x = v.get<double>();
        if (!(x >= lo && x <= hi))
            throw ConfigError(describe(model_, "parameter '" + key + "'",
                                       "a value in [" + fmt(lo) + ", " + fmt(hi) + "]", v.dump()));
        return x;
    }
    int integer(const std::string& key, int fallback, int lo, int hi) {
        if (!has(key)) return fallback;
        const auto& v = j_.at(key);
        if (!v.is_number_integer())
            throw ConfigError(describe(model_, "parameter '" + key + "'", "an integer", v.dump()));
        return static_cast<int>(number(key, fallback, lo, hi));
    }
    bool boolean(const std::string& key, bool fallback) {
        if (!has(key)) return fallback;
        const auto& v = j_.at(key);
        if (!v.is_boolean()) throw ConfigError(describe(model_, "parameter '" + key + "'", "true or false", v.dump()));
        return v.get<bool>();
    }
    void finish() const {
        if (!j_.is_object()) return;
        for (auto it = j_.begin(); it != j_.end(); ++it)
            if (!read_.count(it.key()))
                throw ConfigError(describe(model_, "parameter '" + it.key() + "'", "a known parameter of this model",
                                           "an unknown key"));
    }

private:
    bool has(const std::string& key) {
        read_.insert(key);
        return j_.is_object() && j_.contains(key);
    }
    static std::string fmt(double x) {
        nlohmann::json j = x;
        return j.dump();
    }
    const nlohmann::json& j_;
    std::string model_;
    std::set<std::string> read_;
};

}  // namespace milk
