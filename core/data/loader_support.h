#pragma once
// Pieces every loader shares: whole-file reads, integer tokens with line-exact errors,
// feature-file discovery, progress and cancellation between files.
#include "core/data/dataset.h"
#include "core/data/dataset_source.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace milk::loading {

using Pairs = std::vector<std::pair<std::int32_t, std::int32_t>>;

// Reports progress per file and throws Cancelled when the caller asked to stop.
class Steps {
public:
    Steps(const LoadOptions& options, int total) : options_(options), total_(total > 0 ? total : 1) {}
    void next(const std::string& message);
    void finish(const std::string& message);

private:
    const LoadOptions& options_;
    int total_;
    int done_ = 0;
};

std::string read_text_file(const std::string& path);  // IoError when missing/unreadable
bool file_exists(const std::string& path);
std::string join(const std::string& folder, const std::string& name);

// A non-negative id that fits int32; ParseError naming file, line and token otherwise.
std::int32_t parse_id(std::string_view token, const std::string& file, std::size_t line, const char* what);
std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view line, char delimiter);  // delimiter ' ' = any blanks

// "<name>_feat.npy" files of a folder, as (modality name, file name), in modality order.
std::vector<std::pair<std::string, std::string>> find_feature_files(const std::string& folder);

// A delimited table of interactions. Columns are found by header name (user_column /
// item_column) or, without a header, given as 0-based indexes in the same strings.
// Other columns are ignored; ids must be non-negative integers.
struct InteractionTable {
    Pairs pairs;
    std::vector<std::size_t> line_of_pair;
    std::int32_t max_user = -1;
    std::int32_t max_item = -1;
};
InteractionTable read_interaction_table(const std::string& path, char delimiter, bool has_header,
                                        const std::string& user_column, const std::string& item_column);

// Reads one modality's features; checks that the row count equals n_items when n_items >= 0.
ModalityTable load_modality(const std::string& name, const std::string& path, std::int64_t expected_rows,
                            const std::string& first_path);

}  // namespace milk::loading
