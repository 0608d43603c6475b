#include "core/data/loader_support.h"

#include "core/data/csv_features.h"
#include "core/data/loaders.h"
#include "core/data/npy.h"
#include "core/error.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>

namespace milk::loading {

namespace fs = std::filesystem;

void Steps::next(const std::string& message) {
    if (options_.cancel && options_.cancel->load()) throw Cancelled();
    if (options_.progress) options_.progress(static_cast<double>(done_) / total_, message);
    ++done_;
}

void Steps::finish(const std::string& message) {
    if (options_.cancel && options_.cancel->load()) throw Cancelled();
    if (options_.progress) options_.progress(1.0, message);
}

bool file_exists(const std::string& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

std::string join(const std::string& folder, const std::string& name) { return (fs::path(folder) / name).string(); }

std::string read_text_file(const std::string& path) {
    if (!file_exists(path)) throw IoError(describe(path, "", "an existing file", "no such file"));
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw IoError(describe(path, "", "a readable file", std::strerror(errno)));
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    std::string text(ec ? 0 : size, '\0');
    std::size_t got = text.empty() ? 0 : std::fread(text.data(), 1, text.size(), f.get());
    if (got != text.size()) throw IoError(describe(path, "", std::to_string(text.size()) + " bytes", std::to_string(got)));
    return text;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view line, char delimiter) {
    std::vector<std::string_view> out;
    if (delimiter == ' ') {
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
            std::size_t start = i;
            while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
            if (i > start) out.push_back(line.substr(start, i - start));
        }
        return out;
    }
    std::size_t start = 0;
    for (;;) {
        std::size_t end = line.find(delimiter, start);
        out.push_back(trim(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

std::int32_t parse_id(std::string_view token, const std::string& file, std::size_t line, const char* what) {
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    const std::string where = "line " + std::to_string(line);
    if (token.empty() || ec != std::errc() || ptr != token.data() + token.size())
        throw ParseError(describe(file, where, std::string("an integer ") + what, "'" + std::string(token) + "'"));
    if (v < 0)
        throw ParseError(describe(file, where, std::string("a non-negative ") + what, std::to_string(v)));
    if (v > std::numeric_limits<std::int32_t>::max())
        throw ParseError(describe(file, where, std::string("a ") + what + " below 2^31", std::to_string(v)));
    return static_cast<std::int32_t>(v);
}

std::vector<std::pair<std::string, std::string>> find_feature_files(const std::string& folder) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        if (!entry.is_regular_file()) continue;
        std::string file = entry.path().filename().string();
        const std::string suffix = "_feat.npy";
        if (file.size() > suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0)
            names.push_back(file.substr(0, file.size() - suffix.size()));
    }
    if (ec) throw IoError(describe(folder, "", "a readable folder", ec.message()));
    names = order_modality_names(std::move(names));
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& n : names) out.emplace_back(n, n + "_feat.npy");
    return out;
}

ModalityTable load_modality(const std::string& name, const std::string& path, std::int64_t expected_rows,
                            const std::string& first_path) {
    ModalityTable t;
    t.name = name;
    const bool is_csv = path.size() >= 4 && (path.compare(path.size() - 4, 4, ".csv") == 0 ||
                                              path.compare(path.size() - 4, 4, ".txt") == 0);
    t.features = is_csv ? read_csv_features(path, ',', false) : read_npy_matrix_f32(path);
    if (expected_rows >= 0 && t.features.rows() != expected_rows)
        throw DataError(describe(path, "rows", std::to_string(expected_rows) + " rows (as in " + first_path + ")",
                                 std::to_string(t.features.rows())));
    t.present.assign(static_cast<std::size_t>(t.features.rows()), 1);
    return t;
}

}  // namespace milk::loading

namespace milk::loading {

InteractionTable read_interaction_table(const std::string& path, char delimiter, bool has_header,
                                        const std::string& user_column, const std::string& item_column) {
    const std::string text = read_text_file(path);
    InteractionTable t;
    std::size_t pos = 0, line_no = 0;
    std::size_t user_idx = 0, item_idx = 0, width = 0;
    bool columns_known = false;
    auto column_index = [&](const std::string& c, const char* what) -> std::size_t {
        std::size_t v = 0;
        auto [ptr, ec] = std::from_chars(c.data(), c.data() + c.size(), v);
        if (c.empty() || ec != std::errc() || ptr != c.data() + c.size())
            throw ConfigError(describe(path, what, "a 0-based column index (the file has no header)", "'" + c + "'"));
        return v;
    };
    if (!has_header) {
        user_idx = column_index(user_column, "user column");
        item_idx = column_index(item_column, "item column");
        width = std::max(user_idx, item_idx) + 1;
        columns_known = true;
    }
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line = trim(std::string_view(text).substr(pos, end - pos));
        pos = end + 1;
        ++line_no;
        if (line.empty()) continue;
        auto tokens = split(line, delimiter);
        if (!columns_known) {
            bool fu = false, fi = false;
            for (std::size_t c = 0; c < tokens.size(); ++c) {
                if (tokens[c] == user_column) { user_idx = c; fu = true; }
                if (tokens[c] == item_column) { item_idx = c; fi = true; }
            }
            if (!fu || !fi)
                throw ParseError(describe(path, "line " + std::to_string(line_no) + " (header)",
                                          "columns named '" + user_column + "' and '" + item_column + "'",
                                          "'" + std::string(line.substr(0, 120)) + "'"));
            width = std::max(user_idx, item_idx) + 1;
            columns_known = true;
            continue;
        }
        if (tokens.size() < width)
            throw ParseError(describe(path, "line " + std::to_string(line_no), "at least " + std::to_string(width) +
                                                                                  " columns",
                                      std::to_string(tokens.size())));
        auto u = parse_id(tokens[user_idx], path, line_no, "user id");
        auto i = parse_id(tokens[item_idx], path, line_no, "item id");
        t.pairs.emplace_back(u, i);
        t.line_of_pair.push_back(line_no);
        t.max_user = std::max(t.max_user, u);
        t.max_item = std::max(t.max_item, i);
    }
    if (t.pairs.empty()) throw DataError(describe(path, "", "at least one interaction", "none"));
    return t;
}

}  // namespace milk::loading
