#pragma once
// The ready-made studies (resources/studies/*.json: the paper's Tables 2-4 and Figures
// 3-6), found by name in: $MILK_STUDIES_DIR, <executable>/../share/milk/studies (installed),
// then the source tree's resources/studies (a build run in place).
#include "core/study/study.h"

#include <filesystem>
#include <string>
#include <vector>

namespace milk {

struct StudyEntry {
    std::string name, title, description;
    std::filesystem::path path;
};

std::vector<std::filesystem::path> study_search_path();
// Every *.json in the first search-path folder that has any, sorted by name.
std::vector<StudyEntry> ready_made_studies();
// An existing file path, or the name of a ready-made study ("table2"). ConfigError listing
// the ready-made names when neither.
Study load_study(const std::string& name_or_path);

}  // namespace milk
