// `milk study`: the Table-2 study end to end on demo (--quick), resume, report without
// training, list, and errors for bad study files.
#include "core/store/run_store.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using milk::test::run_milk;
using milk::test::TempDir;

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(CliStudy, Table2QuickEndToEndThenResumeAndReport) {
    TempDir dir;
    const std::string db = (dir / "runs.db").string(), out = (dir / "report").string();
    auto r = run_milk("study run table2 --quick --parallel 2 --store " + db + " --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The paper's shape: rows = models, columns = metric per scenario.
    EXPECT_NE(r.out.find("| Model | FTMT Recall@10 | FTMT Recall@20 | FTMT NDCG@10 | FTMT NDCG@20 | MTMT Recall@10"),
              std::string::npos)
        << r.out;
    for (const char* row : {"| MILK |", "| DUIF |", "| Random |", "| Popularity |"})
        EXPECT_NE(r.out.find(row), std::string::npos) << row;
    EXPECT_NE(r.out.find("Significance"), std::string::npos);
    EXPECT_NE(r.err.find("0 from the store, 0 failed"), std::string::npos) << r.err;
    for (const char* f : {"report.md", "table.csv", "groups.csv", "significance.csv", "report.html", "study.json"})
        EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(out) / f)) << f;
    EXPECT_NE(slurp(std::filesystem::path(out) / "report.html").find("<svg"), std::string::npos);

    std::size_t runs = 0;
    {
        milk::RunStore store(db);
        runs = store.list_runs().size();
    }
    EXPECT_GT(runs, 20u);
    // Resume: nothing is trained again.
    r = run_milk("study run table2 --quick --store " + db + " --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find(" 0 trained"), std::string::npos) << r.err;
    {
        milk::RunStore store(db);
        EXPECT_EQ(store.list_runs().size(), runs);
    }
    // Report only, same table.
    const std::string before = slurp(std::filesystem::path(out) / "table.csv");
    std::filesystem::remove(std::filesystem::path(out) / "table.csv");
    r = run_milk("study report table2 --quick --store " + db + " --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(slurp(std::filesystem::path(out) / "table.csv"), before);
}

TEST(CliStudy, ListNamesTheReadyMadeStudies) {
    const auto r = run_milk("study list");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* n : {"table2", "table3", "table4", "ablation", "mixed-groups", "sensitivity"})
        EXPECT_NE(r.out.find(n), std::string::npos) << n;
}

TEST(CliStudy, BadStudyFileIsOneClearError) {
    TempDir dir;
    dir.write("s.json", R"({"name": "x", "datasets": ["preset:demo"], "scenarios": ["ftmt"], "models": ["duif", "dif"]})");
    auto r = run_milk("study run " + (dir / "s.json").string() + " --store " + (dir / "r.db").string());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("s.json: field 'models[1]'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("'dif'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("duif"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "r.db"));

    r = run_milk("study run no-such-study");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("table2"), std::string::npos) << r.err;
}

}  // namespace
