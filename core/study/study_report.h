#pragma once
// From a study's stored cell results to the paper's tables: each model's grid point is
// selected by the VALIDATION metric only (mean over seeds, overall group; ties keep the
// earlier grid point), never by test. Test metrics are then reported as mean +- sample
// standard deviation (n - 1; 0 for one seed) over the seeds of the selected point, per
// item group, and the best row is compared with the runner-up by a paired t-test (and
// Wilcoxon) on per-user test values of the selection metric, each user's value averaged
// over seeds. A "sensitivity" study reports every grid point instead of selecting.
#include "core/eval/paired_test.h"
#include "core/study/study.h"
#include "core/study/study_runner.h"

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace milk {

struct MeanStd {
    double mean = std::numeric_limits<double>::quiet_NaN();
    double std = std::numeric_limits<double>::quiet_NaN();
    int n = 0;
};
// Sample standard deviation (n - 1); std = 0 for a single value, NaN mean for none.
MeanStd mean_std(const std::vector<double>& values);

struct GroupSummary {
    std::string group;
    double n_items = 0;                      // mean over seeds (masks differ per seed)
    std::map<std::string, MeanStd> metrics;  // "recall@20" -> test mean +- std
};

struct ModelRow {
    std::string label;         // the study's model label (+ grid point for sensitivity)
    std::string model_label;   // the study's model label
    nlohmann::json grid_point = nlohmann::json::object();
    int n_seeds = 0;
    MeanStd validation;        // selection metric on validation, overall
    std::vector<GroupSummary> test;
    std::vector<std::int64_t> run_ids;
    const GroupSummary* group(const std::string& name) const;
    double test_mean(const std::string& group, const std::string& metric) const;  // NaN if absent
};

struct SignificanceTest {
    std::string group, metric;  // metric: the selection metric, e.g. "ndcg@20"
    std::string best, other;    // row labels
    PairedTTest t;
    WilcoxonTest wilcoxon;
    std::string note;           // why no test was possible, if so
    bool valid() const { return note.empty(); }
};

// One dataset x scenario block: the rows of a paper table column block.
struct ScenarioBlock {
    std::string dataset, scenario;
    std::vector<ModelRow> rows;  // study order
    std::vector<SignificanceTest> tests;  // best vs runner-up per group
};

struct SensitivityCurve {
    std::string dataset, scenario, model_label, param;
    std::vector<nlohmann::json> values;  // x, in grid order
    std::vector<MeanStd> y;              // test overall, the selection metric
    std::vector<MeanStd> y_recall;       // test overall recall@K
};

struct StudyReport {
    Study study;
    std::vector<ScenarioBlock> blocks;
    std::vector<SensitivityCurve> curves;
    int expected_results = 0, found_results = 0;
    std::string selection_metric() const;  // "ndcg@20"
};

// Pure: builds the report from outcomes (from collect_outcomes or a test).
StudyReport build_report(const Study& study, const std::vector<CellOutcome>& outcomes);

}  // namespace milk
