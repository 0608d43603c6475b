#include "core/study/study_library.h"

#include "core/error.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

#ifndef MILK_STUDIES_SOURCE_DIR
#define MILK_STUDIES_SOURCE_DIR ""
#endif

namespace milk {

namespace {

std::filesystem::path executable_dir() {
    char buf[4096];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    buf[n] = '\0';
    return std::filesystem::path(buf).parent_path();
}

bool has_studies(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return false;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().extension() == ".json") return true;
    return false;
}

}  // namespace

std::vector<std::filesystem::path> study_search_path() {
    std::vector<std::filesystem::path> dirs;
    if (const char* env = std::getenv("MILK_STUDIES_DIR"); env && *env) dirs.emplace_back(env);
    if (auto exe = executable_dir(); !exe.empty()) dirs.push_back(exe.parent_path() / "share" / "milk" / "studies");
    if (*MILK_STUDIES_SOURCE_DIR) dirs.emplace_back(MILK_STUDIES_SOURCE_DIR);
    return dirs;
}

std::vector<StudyEntry> ready_made_studies() {
    std::vector<StudyEntry> out;
    for (const auto& dir : study_search_path()) {
        if (!has_studies(dir)) continue;
        for (const auto& e : std::filesystem::directory_iterator(dir)) {
            if (e.path().extension() != ".json") continue;
            StudyEntry entry;
            entry.name = e.path().stem().string();
            entry.path = e.path();
            try {
                std::ifstream in(e.path());
                const auto j = nlohmann::json::parse(in);
                entry.title = j.value("title", "");
                entry.description = j.value("description", "");
            } catch (const std::exception& ex) {
                entry.title = std::string("(unreadable: ") + ex.what() + ")";
            }
            out.push_back(std::move(entry));
        }
        break;
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

Study load_study(const std::string& name_or_path) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(name_or_path, ec)) return Study::load(name_or_path);
    const auto studies = ready_made_studies();
    for (const auto& s : studies)
        if (s.name == name_or_path) return Study::load(s.path);
    std::string names;
    for (const auto& s : studies) names += (names.empty() ? "" : ", ") + s.name;
    std::string where;
    for (const auto& d : study_search_path()) where += (where.empty() ? "" : ", ") + d.string();
    throw ConfigError(describe("study", "'" + name_or_path + "'",
                               "a study file or a ready-made study (" + (names.empty() ? "none found in " + where : names) + ")",
                               "no such file or name"));
}

}  // namespace milk
