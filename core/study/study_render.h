#pragma once
// A StudyReport as files shaped like the paper's tables: Markdown, CSV (wide tables with
// rows = models and columns = metric per scenario; long per-group values; significance;
// sensitivity) and one HTML page whose charts are inline SVG written here. The core has
// no Qt, hence no PNG: SVG is text, needs no library and every browser draws it.
#include "core/study/study_report.h"

#include <filesystem>
#include <string>
#include <vector>

namespace milk {

std::string render_markdown(const StudyReport& report);
std::string render_table_csv(const StudyReport& report);         // wide: model x (scenario, metric)
std::string render_groups_csv(const StudyReport& report);        // long: one row per model, group, metric
std::string render_significance_csv(const StudyReport& report);
std::string render_sensitivity_csv(const StudyReport& report);
std::string render_html(const StudyReport& report);
// Figure-3-like grouped bars (x = item group, one bar per model, +- std) of one block.
std::string render_group_bars_svg(const ScenarioBlock& block, const std::vector<std::string>& groups,
                                  const std::string& metric);
// Figure-6-like line chart of one sensitivity curve.
std::string render_sensitivity_svg(const SensitivityCurve& curve, const std::string& metric);

// Writes report.md, table.csv, groups.csv, significance.csv, sensitivity.csv (when the
// study has curves), report.html and study.json into `dir` (created), each atomically
// (temporary file + rename). Returns the paths written.
std::vector<std::filesystem::path> write_report_files(const StudyReport& report, const std::filesystem::path& dir);

}  // namespace milk
