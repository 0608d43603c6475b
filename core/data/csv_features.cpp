#include "core/data/csv_features.h"

#include "core/data/loader_support.h"
#include "core/error.h"

#include <charconv>
#include <cstring>

namespace milk {

FeatureMatrix read_csv_features(const std::string& path, char delimiter, bool has_header) {
    const std::string text = loading::read_text_file(path);
    std::vector<float> values;
    std::int64_t rows = 0, cols = -1;
    std::size_t line_no = 0, pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line = loading::trim(std::string_view(text).substr(pos, end - pos));
        pos = end + 1;
        ++line_no;
        if (line_no == 1 && has_header) continue;
        if (line.empty()) continue;
        auto tokens = loading::split(line, delimiter);
        if (cols < 0) cols = static_cast<std::int64_t>(tokens.size());
        if (static_cast<std::int64_t>(tokens.size()) != cols)
            throw ParseError(describe(path, "line " + std::to_string(line_no), std::to_string(cols) + " values",
                                      std::to_string(tokens.size())));
        for (std::size_t c = 0; c < tokens.size(); ++c) {
            std::string_view t = tokens[c];
            if (!t.empty() && t.front() == '+') t.remove_prefix(1);
            float v = 0;
            auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
            if (t.empty() || ec != std::errc() || ptr != t.data() + t.size())
                throw ParseError(describe(path, "line " + std::to_string(line_no) + " column " + std::to_string(c + 1),
                                          "a number", "'" + std::string(tokens[c]) + "'"));
            values.push_back(v);
        }
        ++rows;
    }
    if (rows == 0) throw ParseError(describe(path, "", "at least one row of features", "none"));
    FeatureMatrix m(rows, cols);
    std::memcpy(m.data(), values.data(), values.size() * sizeof(float));
    return m;
}

}  // namespace milk
