#include "core/store/run_store.h"

#include "core/error.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <set>
#include <signal.h>
#include <sstream>
#include <tuple>
#include <unistd.h>

namespace milk {

static_assert(std::endian::native == std::endian::little,
              "user_metrics blobs are stored as little-endian arrays");

namespace {

// ---- schema -----------------------------------------------------------------------------
// Forward migrations: step i brings user_version from i to i+1. Append, never edit.
struct Migration {
    const char* description;
    const char* sql;
};

const Migration kMigrations[] = {
    {"initial schema", R"sql(
CREATE TABLE runs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT NOT NULL,
  finished_at TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  model TEXT NOT NULL,
  dataset TEXT NOT NULL,
  dataset_fingerprint TEXT NOT NULL DEFAULT '',
  scenario TEXT NOT NULL,
  seed INTEGER NOT NULL,            -- the uint64 seed's bits as int64
  config_json TEXT NOT NULL,
  modalities_json TEXT NOT NULL DEFAULT '[]',
  n_batches_per_epoch INTEGER NOT NULL DEFAULT 0,
  n_train_triples INTEGER NOT NULL DEFAULT 0,
  best_epoch INTEGER NOT NULL DEFAULT 0,
  epochs_run INTEGER NOT NULL DEFAULT 0,
  seconds REAL NOT NULL DEFAULT 0,
  seconds_per_epoch REAL NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL DEFAULT 0,
  pid_start INTEGER NOT NULL DEFAULT 0,  -- /proc start time of pid, guards against reuse
  hostname TEXT NOT NULL DEFAULT '',
  heartbeat_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_status ON runs(status);
CREATE TABLE epochs(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  loss REAL, seconds REAL, eval_seconds REAL,
  PRIMARY KEY(run_id, epoch)
) WITHOUT ROWID;
CREATE TABLE epoch_series(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL, name TEXT NOT NULL, value REAL,
  PRIMARY KEY(run_id, epoch, name)
) WITHOUT ROWID;
CREATE TABLE batch_series(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL, batch INTEGER NOT NULL, name TEXT NOT NULL, value REAL,
  PRIMARY KEY(run_id, epoch, batch, name)
) WITHOUT ROWID;
CREATE TABLE metrics(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  split TEXT NOT NULL CHECK(split IN ('validation', 'test')),
  group_name TEXT NOT NULL, k INTEGER NOT NULL,
  recall REAL, ndcg REAL, precision REAL, hr REAL,
  n_items INTEGER NOT NULL, n_users INTEGER NOT NULL,
  group_order INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(run_id, split, epoch, group_name, k)
) WITHOUT ROWID;
CREATE TABLE env_weights(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL, batch INTEGER NOT NULL, env INTEGER NOT NULL,
  modality TEXT NOT NULL, weight REAL,
  PRIMARY KEY(run_id, epoch, batch, env, modality)
) WITHOUT ROWID;
CREATE TABLE user_metrics(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  split TEXT NOT NULL, group_name TEXT NOT NULL, k INTEGER NOT NULL,
  n_users INTEGER NOT NULL,
  users BLOB NOT NULL,   -- int32 little-endian
  recall BLOB NOT NULL,  -- float32 little-endian, aligned with users
  ndcg BLOB NOT NULL,
  PRIMARY KEY(run_id, split, group_name, k)
) WITHOUT ROWID;
CREATE TABLE checkpoints(
  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  saved_at TEXT NOT NULL,
  blob BLOB NOT NULL
);
)sql"},
};
static_assert(std::size(kMigrations) == RunStore::kSchemaVersion,
              "kSchemaVersion must equal the number of migrations");

std::string now_iso8601() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string this_hostname() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "";
    return buf;
}

// Start time (clock ticks after boot) and state of a process from /proc; {0, '?'} if unreadable.
std::pair<std::int64_t, char> process_start(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!in || !std::getline(in, line)) return {0, '?'};
    const auto close = line.rfind(')');
    if (close == std::string::npos) return {0, '?'};
    std::istringstream rest(line.substr(close + 1));
    std::string field;
    char state = '?';
    std::int64_t start = 0;
    // Fields after the command: 3 = state, ..., 22 = starttime.
    for (int i = 3; i <= 22 && (rest >> field); ++i) {
        if (i == 3) state = field.empty() ? '?' : field[0];
        if (i == 22) start = std::strtoll(field.c_str(), nullptr, 10);
    }
    return {start, state};
}

bool process_gone(std::int64_t pid, std::int64_t pid_start) {
    if (pid <= 0) return true;
    if (::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH) return true;
    const auto [start, state] = process_start(static_cast<long>(pid));
    if (state == 'Z' || state == 'X') return true;  // killed, not yet reaped
    if (pid_start != 0 && start != 0 && start != pid_start) return true;  // pid reused
    return false;
}

template <typename T>
void bind_vector(SQLite::Statement& st, int index, const std::vector<T>& v) {
    st.bind(index, static_cast<const void*>(v.data()), static_cast<int>(v.size() * sizeof(T)));
}

template <typename T>
std::vector<T> column_vector(const SQLite::Column& c) {
    const int bytes = c.getBytes();
    std::vector<T> v(static_cast<std::size_t>(bytes) / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), c.getBlob(), v.size() * sizeof(T));
    return v;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string number(double v) {
    if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

void insert_eval(SQLite::Database& db, std::int64_t run_id, int epoch, const std::string& split,
                 const EvalResult& r) {
    SQLite::Statement st(db,
                         "INSERT OR REPLACE INTO metrics(run_id, epoch, split, group_name, k, recall, ndcg, "
                         "precision, hr, n_items, n_users, group_order) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    int order = 0;
    for (const auto& g : r.groups) {
        for (const auto& [k, m] : g.at_k) {
            st.bind(1, run_id);
            st.bind(2, epoch);
            st.bind(3, split);
            st.bind(4, g.group);
            st.bind(5, k);
            st.bind(6, m.recall);
            st.bind(7, m.ndcg);
            st.bind(8, m.precision);
            st.bind(9, m.hr);
            st.bind(10, g.n_items);
            st.bind(11, g.n_users);
            st.bind(12, order);
            st.exec();
            st.reset();
        }
        ++order;
    }
}

void insert_user_metrics(SQLite::Database& db, std::int64_t run_id, const std::string& split,
                         const EvalResult& r) {
    SQLite::Statement st(db,
                         "INSERT OR REPLACE INTO user_metrics(run_id, split, group_name, k, n_users, users, "
                         "recall, ndcg) VALUES(?,?,?,?,?,?,?,?)");
    for (const auto& g : r.groups) {
        std::set<int> ks;
        for (const auto& kv : g.user_recall) ks.insert(kv.first);
        for (const auto& kv : g.user_ndcg) ks.insert(kv.first);
        for (int k : ks) {
            static const std::vector<float> none;
            const auto ri = g.user_recall.find(k);
            const auto ni = g.user_ndcg.find(k);
            const auto& recall = ri == g.user_recall.end() ? none : ri->second;
            const auto& ndcg = ni == g.user_ndcg.end() ? none : ni->second;
            if (recall.size() != g.users.size() || ndcg.size() != g.users.size())
                throw DataError(describe("per-user " + split + " metrics", "group " + g.group + ", K=" + std::to_string(k),
                                         std::to_string(g.users.size()) + " recall and ndcg values (one per user)",
                                         std::to_string(recall.size()) + " and " + std::to_string(ndcg.size())));
            st.bind(1, run_id);
            st.bind(2, split);
            st.bind(3, g.group);
            st.bind(4, k);
            st.bind(5, static_cast<int>(g.users.size()));
            bind_vector(st, 6, g.users);
            bind_vector(st, 7, recall);
            bind_vector(st, 8, ndcg);
            st.exec();
            st.reset();
        }
    }
}

}  // namespace

std::filesystem::path default_runs_db_path() {
    const char* env = std::getenv("MILK_RUNS_DB");
    if (env && *env) return env;
    return "milk-runs.db";
}

const RunSummaryRow::Group* RunSummaryRow::find(const std::string& group) const {
    for (const auto& g : test)
        if (g.group == group) return &g;
    return nullptr;
}

// ---- RunStore ---------------------------------------------------------------------------

RunStore::RunStore(const std::filesystem::path& file, int busy_timeout_ms) : path_(file) {
    const std::string name = file.string();
    try {
        db_ = std::make_unique<SQLite::Database>(name, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, busy_timeout_ms);
    } catch (const SQLite::Exception& e) {
        throw IoError(describe(name, "open", "a readable and writable SQLite database file", e.what()));
    }
    try {
        // journal_mode=WAL needs a moment of exclusive access; the busy timeout covers it.
        db_->exec("PRAGMA foreign_keys=ON");
        SQLite::Statement wal(*db_, "PRAGMA journal_mode=WAL");
        wal.executeStep();
        db_->exec("PRAGMA synchronous=NORMAL");
    } catch (const SQLite::Exception& e) {
        if (e.getErrorCode() == SQLITE_NOTADB)
            throw FormatError(describe(name, "header", "a SQLite database (milk runs store)", "another kind of file"));
        throw IoError(describe(name, "open", "a usable SQLite database", e.what()));
    }
    migrate();
    mark_interrupted();
}

RunStore::~RunStore() = default;

int RunStore::schema_version() const {
    return db_->execAndGet("PRAGMA user_version").getInt();
}

std::string RunStore::journal_mode() const {
    return db_->execAndGet("PRAGMA journal_mode").getString();
}

bool RunStore::integrity_ok() const {
    return db_->execAndGet("PRAGMA integrity_check").getString() == "ok";
}

void RunStore::migrate() {
    const std::string name = path_.string();
    int version = schema_version();
    if (version > kSchemaVersion)
        throw StateError(describe(name, "schema version (PRAGMA user_version)",
                                  "at most " + std::to_string(kSchemaVersion) + " (what this milk knows)",
                                  std::to_string(version) + "; the file was written by a newer milk, use that version to open it"));
    if (version < 0)
        throw FormatError(describe(name, "schema version (PRAGMA user_version)", "0 or more", std::to_string(version)));
    while (version < kSchemaVersion) {
        const Migration& m = kMigrations[version];
        try {
            SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
            // Another process may have migrated while we waited for the write lock.
            const int current = schema_version();
            if (current != version) {
                version = current;
                continue;
            }
            db_->exec(m.sql);
            db_->exec("PRAGMA user_version=" + std::to_string(version + 1));
            tx.commit();
        } catch (const SQLite::Exception& e) {
            throw IoError(describe(name, "migration to schema " + std::to_string(version + 1) + " (" + m.description + ")",
                                   "success", e.what()));
        }
        ++version;
    }
}

int RunStore::mark_interrupted() {
    const std::string host = this_hostname();
    std::vector<std::int64_t> gone;
    {
        SQLite::Statement q(*db_, "SELECT id, pid, pid_start FROM runs WHERE status='running' AND hostname=?");
        q.bind(1, host);
        while (q.executeStep())
            if (process_gone(q.getColumn(1).getInt64(), q.getColumn(2).getInt64())) gone.push_back(q.getColumn(0).getInt64());
    }
    if (gone.empty()) return 0;
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement u(*db_,
                        "UPDATE runs SET status='interrupted', message=CASE WHEN message='' THEN "
                        "'the recording process ended without finishing the run' ELSE message END "
                        "WHERE id=? AND status='running'");
    int n = 0;
    for (auto id : gone) {
        u.bind(1, id);
        n += u.exec();
        u.reset();
    }
    tx.commit();
    return n;
}

void RunStore::no_such_run(std::int64_t id) const {
    throw DataError(describe(path_.string(), "run " + std::to_string(id), "the id of a stored run (see `milk runs list`)",
                             "no such run"));
}

bool RunStore::has_run(std::int64_t id) const {
    SQLite::Statement q(*db_, "SELECT 1 FROM runs WHERE id=?");
    q.bind(1, id);
    return q.executeStep();
}

std::vector<RunSummaryRow> RunStore::list_runs(const RunFilter& filter, int k) const {
    std::vector<RunSummaryRow> rows;
    std::string sql =
        "SELECT id, created_at, finished_at, status, model, dataset, scenario, seed, best_epoch, epochs_run, seconds "
        "FROM runs WHERE (?1='' OR model=?1) AND (?2='' OR dataset=?2) AND (?3='' OR status=?3) ORDER BY id";
    SQLite::Statement q(*db_, sql);
    q.bind(1, filter.model);
    q.bind(2, filter.dataset);
    q.bind(3, filter.status);
    std::map<std::int64_t, std::size_t> index;
    while (q.executeStep()) {
        RunSummaryRow r;
        r.id = q.getColumn(0).getInt64();
        r.created_at = q.getColumn(1).getString();
        r.finished_at = q.getColumn(2).getString();
        r.status = q.getColumn(3).getString();
        r.model = q.getColumn(4).getString();
        r.dataset = q.getColumn(5).getString();
        r.scenario = q.getColumn(6).getString();
        r.seed = static_cast<std::uint64_t>(q.getColumn(7).getInt64());
        r.best_epoch = q.getColumn(8).getInt();
        r.epochs_run = q.getColumn(9).getInt();
        r.seconds = q.getColumn(10).getDouble();
        index[r.id] = rows.size();
        rows.push_back(std::move(r));
    }
    SQLite::Statement m(*db_,
                        "SELECT run_id, group_name, n_items, n_users, recall, ndcg FROM metrics "
                        "WHERE split='test' AND k=? ORDER BY run_id, group_order, group_name");
    m.bind(1, k);
    while (m.executeStep()) {
        auto it = index.find(m.getColumn(0).getInt64());
        if (it == index.end()) continue;
        RunSummaryRow::Group g;
        g.group = m.getColumn(1).getString();
        g.n_items = m.getColumn(2).getInt();
        g.n_users = m.getColumn(3).getInt();
        g.recall = m.getColumn(4).getDouble();
        g.ndcg = m.getColumn(5).getDouble();
        rows[it->second].test.push_back(std::move(g));
    }
    return rows;
}

RunRecord RunStore::run(std::int64_t id) const {
    SQLite::Statement q(*db_,
                        "SELECT id, created_at, finished_at, status, model, dataset, dataset_fingerprint, scenario, seed, "
                        "config_json, modalities_json, n_batches_per_epoch, n_train_triples, best_epoch, epochs_run, "
                        "seconds, seconds_per_epoch, message, pid, hostname, heartbeat_at FROM runs WHERE id=?");
    q.bind(1, id);
    if (!q.executeStep()) no_such_run(id);
    RunRecord r;
    r.id = q.getColumn(0).getInt64();
    r.created_at = q.getColumn(1).getString();
    r.finished_at = q.getColumn(2).getString();
    r.status = q.getColumn(3).getString();
    r.model = q.getColumn(4).getString();
    r.dataset = q.getColumn(5).getString();
    r.dataset_fingerprint = q.getColumn(6).getString();
    r.scenario = q.getColumn(7).getString();
    r.seed = static_cast<std::uint64_t>(q.getColumn(8).getInt64());
    const std::string where = "run " + std::to_string(id);
    try {
        r.config = nlohmann::json::parse(q.getColumn(9).getString());
        r.modality_names = nlohmann::json::parse(q.getColumn(10).getString()).get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(describe(path_.string(), where + ": config_json/modalities_json", "valid JSON", e.what()));
    }
    r.n_batches_per_epoch = q.getColumn(11).getInt();
    r.n_train_triples = q.getColumn(12).getInt();
    r.best_epoch = q.getColumn(13).getInt();
    r.epochs_run = q.getColumn(14).getInt();
    r.seconds = q.getColumn(15).getDouble();
    r.seconds_per_epoch = q.getColumn(16).getDouble();
    r.message = q.getColumn(17).getString();
    r.pid = q.getColumn(18).getInt64();
    r.hostname = q.getColumn(19).getString();
    r.heartbeat_at = q.getColumn(20).getString();
    return r;
}

std::vector<EpochRow> RunStore::epochs(std::int64_t id) const {
    if (!has_run(id)) no_such_run(id);
    SQLite::Statement q(*db_, "SELECT epoch, loss, seconds, eval_seconds FROM epochs WHERE run_id=? ORDER BY epoch");
    q.bind(1, id);
    std::vector<EpochRow> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt(), q.getColumn(1).getDouble(), q.getColumn(2).getDouble(),
                       q.getColumn(3).getDouble()});
    return out;
}

namespace {
std::vector<MetricRow> read_metrics(SQLite::Database& db, std::int64_t id, const char* split) {
    SQLite::Statement q(db,
                        "SELECT epoch, split, group_name, k, recall, ndcg, precision, hr, n_items, n_users FROM metrics "
                        "WHERE run_id=? AND split=? ORDER BY epoch, group_order, group_name, k");
    q.bind(1, id);
    q.bind(2, split);
    std::vector<MetricRow> out;
    while (q.executeStep()) {
        MetricRow m;
        m.epoch = q.getColumn(0).getInt();
        m.split = q.getColumn(1).getString();
        m.group = q.getColumn(2).getString();
        m.k = q.getColumn(3).getInt();
        m.values = {q.getColumn(4).getDouble(), q.getColumn(5).getDouble(), q.getColumn(6).getDouble(),
                    q.getColumn(7).getDouble()};
        m.n_items = q.getColumn(8).getInt();
        m.n_users = q.getColumn(9).getInt();
        out.push_back(std::move(m));
    }
    return out;
}
}  // namespace

std::vector<MetricRow> RunStore::epoch_metrics(std::int64_t id) const {
    if (!has_run(id)) no_such_run(id);
    return read_metrics(*db_, id, "validation");
}

std::vector<MetricRow> RunStore::test_metrics(std::int64_t id) const {
    if (!has_run(id)) no_such_run(id);
    return read_metrics(*db_, id, "test");
}

std::vector<SeriesPoint> RunStore::epoch_series(std::int64_t id) const {
    if (!has_run(id)) no_such_run(id);
    SQLite::Statement q(*db_, "SELECT epoch, name, value FROM epoch_series WHERE run_id=? ORDER BY epoch, name");
    q.bind(1, id);
    std::vector<SeriesPoint> out;
    while (q.executeStep()) out.push_back({q.getColumn(0).getInt(), 0, q.getColumn(1).getString(), q.getColumn(2).getDouble()});
    return out;
}

std::vector<SeriesPoint> RunStore::batch_series(std::int64_t id) const {
    if (!has_run(id)) no_such_run(id);
    SQLite::Statement q(*db_,
                        "SELECT epoch, batch, name, value FROM batch_series WHERE run_id=? ORDER BY epoch, batch, name");
    q.bind(1, id);
    std::vector<SeriesPoint> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt(), q.getColumn(1).getInt(), q.getColumn(2).getString(), q.getColumn(3).getDouble()});
    return out;
}

std::vector<EnvWeightRow> RunStore::env_weights(std::int64_t id) const {
    if (!has_run(id)) no_such_run(id);
    // Modalities in the run's order (not alphabetical), so rows read back as recorded.
    const RunRecord r = run(id);
    std::map<std::string, int> modality_order;
    for (std::size_t i = 0; i < r.modality_names.size(); ++i) modality_order[r.modality_names[i]] = static_cast<int>(i);
    SQLite::Statement s(*db_,
                        "SELECT epoch, batch, env, modality, weight FROM env_weights WHERE run_id=? ORDER BY epoch, batch, env");
    s.bind(1, id);
    std::vector<EnvWeightRow> out;
    while (s.executeStep())
        out.push_back({s.getColumn(0).getInt(), s.getColumn(1).getInt(), s.getColumn(2).getInt(), s.getColumn(3).getString(),
                       s.getColumn(4).getDouble()});
    std::stable_sort(out.begin(), out.end(), [&](const EnvWeightRow& a, const EnvWeightRow& b) {
        auto key = [&](const EnvWeightRow& w) {
            auto it = modality_order.find(w.modality);
            return std::make_tuple(w.epoch, w.batch, w.env, it == modality_order.end() ? 1 << 30 : it->second);
        };
        return key(a) < key(b);
    });
    return out;
}

std::optional<UserMetrics> RunStore::user_metrics(std::int64_t id, const std::string& split, const std::string& group,
                                                  int k) const {
    if (!has_run(id)) no_such_run(id);
    SQLite::Statement q(*db_,
                        "SELECT n_users, users, recall, ndcg FROM user_metrics WHERE run_id=? AND split=? AND group_name=? AND k=?");
    q.bind(1, id);
    q.bind(2, split);
    q.bind(3, group);
    q.bind(4, k);
    if (!q.executeStep()) return std::nullopt;
    UserMetrics u;
    const auto n = static_cast<std::size_t>(q.getColumn(0).getInt());
    u.users = column_vector<std::int32_t>(q.getColumn(1));
    u.recall = column_vector<float>(q.getColumn(2));
    u.ndcg = column_vector<float>(q.getColumn(3));
    if (u.users.size() != n || u.recall.size() != n || u.ndcg.size() != n)
        throw FormatError(describe(path_.string(), "user_metrics of run " + std::to_string(id) + " " + split + "/" + group,
                                   std::to_string(n) + " users, recall and ndcg values",
                                   std::to_string(u.users.size()) + ", " + std::to_string(u.recall.size()) + ", " +
                                       std::to_string(u.ndcg.size())));
    return u;
}

std::optional<Checkpoint> RunStore::checkpoint(std::int64_t id) const {
    if (!has_run(id)) no_such_run(id);
    SQLite::Statement q(*db_, "SELECT epoch, blob FROM checkpoints WHERE run_id=?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    Checkpoint c;
    c.epoch = q.getColumn(0).getInt();
    c.blob = column_vector<std::uint8_t>(q.getColumn(1));
    return c;
}

void RunStore::delete_run(std::int64_t id) {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement d(*db_, "DELETE FROM runs WHERE id=?");
    d.bind(1, id);
    if (d.exec() == 0) no_such_run(id);
    tx.commit();
}

std::string RunStore::csv(const std::vector<std::int64_t>& ids) const {
    for (auto id : ids)
        if (!has_run(id)) no_such_run(id);
    std::set<std::int64_t> wanted(ids.begin(), ids.end());
    std::ostringstream out;
    out << "run_id,model,dataset,scenario,seed,status,best_epoch,epochs_run,seconds,created_at,"
           "split,group,k,recall,ndcg,precision,hr,n_items,n_users\n";
    SQLite::Statement q(*db_,
                        "SELECT r.id, r.model, r.dataset, r.scenario, r.seed, r.status, r.best_epoch, r.epochs_run, "
                        "r.seconds, r.created_at, m.split, m.group_name, m.k, m.recall, m.ndcg, m.precision, m.hr, "
                        "m.n_items, m.n_users FROM runs r LEFT JOIN metrics m ON m.run_id=r.id AND m.split='test' "
                        "ORDER BY r.id, m.group_order, m.group_name, m.k");
    while (q.executeStep()) {
        const auto id = q.getColumn(0).getInt64();
        if (!wanted.empty() && !wanted.count(id)) continue;
        out << id << ',' << csv_field(q.getColumn(1).getString()) << ',' << csv_field(q.getColumn(2).getString()) << ','
            << csv_field(q.getColumn(3).getString()) << ',' << static_cast<std::uint64_t>(q.getColumn(4).getInt64()) << ','
            << csv_field(q.getColumn(5).getString()) << ',' << q.getColumn(6).getInt() << ',' << q.getColumn(7).getInt()
            << ',' << number(q.getColumn(8).getDouble()) << ',' << q.getColumn(9).getString();
        if (q.getColumn(10).isNull()) {
            out << ",,,,,,,,,\n";
            continue;
        }
        out << ',' << q.getColumn(10).getString() << ',' << csv_field(q.getColumn(11).getString()) << ','
            << q.getColumn(12).getInt();
        for (int c = 13; c <= 16; ++c) out << ',' << number(q.getColumn(c).getDouble());
        out << ',' << q.getColumn(17).getInt() << ',' << q.getColumn(18).getInt() << '\n';
    }
    return out.str();
}

void RunStore::export_csv(const std::filesystem::path& file, const std::vector<std::int64_t>& ids) const {
    const std::string text = csv(ids);
    std::filesystem::path tmp = file;
    tmp += ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw IoError(describe(tmp.string(), "open for writing", "a writable file", std::strerror(errno)));
        out << text;
        out.flush();
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw IoError(describe(tmp.string(), "write", "all bytes written", "a write error (disk full?)"));
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw IoError(describe(file.string(), "rename from " + tmp.filename().string(), "success", ec.message()));
    }
}

// ---- RunRecorder ------------------------------------------------------------------------

RunRecorder::RunRecorder(RunStore& store, RecorderOptions options) : store_(store), options_(options) {}

void RunRecorder::require_started(const char* event) const {
    if (run_id_ == 0)
        throw StateError(describe(store_.path().string(), std::string("recorder event ") + event,
                                  "on_run_started first", "no run started"));
}

std::int64_t RunRecorder::begin_run(const RunStarted& e, const nlohmann::json& config_json) {
    if (run_id_ != 0)
        throw StateError(describe(store_.path().string(), "on_run_started", "one run per recorder",
                                  "a second run on recorder of run " + std::to_string(run_id_)));
    auto& db = store_.database();
    const std::string now = now_iso8601();
    const auto pid = static_cast<std::int64_t>(::getpid());
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement st(db,
                         "INSERT INTO runs(created_at, status, model, dataset, dataset_fingerprint, scenario, seed, "
                         "config_json, modalities_json, n_batches_per_epoch, n_train_triples, pid, pid_start, hostname, "
                         "heartbeat_at) VALUES(?,'running',?,?,?,?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, now);
    st.bind(2, e.config.model);
    st.bind(3, e.config.dataset);
    st.bind(4, e.dataset_fingerprint);
    st.bind(5, e.config.scenario);
    st.bind(6, static_cast<std::int64_t>(e.config.seed));
    st.bind(7, config_json.dump());
    st.bind(8, nlohmann::json(e.modality_names).dump());
    st.bind(9, e.n_batches_per_epoch);
    st.bind(10, e.n_train_triples);
    st.bind(11, pid);
    st.bind(12, process_start(static_cast<long>(pid)).first);
    st.bind(13, this_hostname());
    st.bind(14, now);
    st.exec();
    run_id_ = db.getLastInsertRowid();
    tx.commit();
    modality_names_ = e.modality_names;
    buffered_.clear();
    return run_id_;
}

void RunRecorder::on_run_started(const RunStarted& e) { begin_run(e, e.config.to_json()); }

void RunRecorder::on_batch(const BatchEvent& e) {
    require_started("on_batch");
    const int max = options_.max_batches_per_epoch;
    if (max <= 0 || e.batch < 1) return;
    const int n = std::max(e.n_batches, 1);
    const int stride = (n + max - 1) / max;
    if ((e.batch - 1) % stride != 0 && e.batch != e.n_batches) return;
    buffered_.push_back({e.epoch, e.batch, e.loss, e.series, e.env_weights});
}

void RunRecorder::flush_batches() {
    if (buffered_.empty()) return;
    auto& db = store_.database();
    SQLite::Statement s(db, "INSERT OR REPLACE INTO batch_series(run_id, epoch, batch, name, value) VALUES(?,?,?,?,?)");
    SQLite::Statement w(db,
                        "INSERT OR REPLACE INTO env_weights(run_id, epoch, batch, env, modality, weight) VALUES(?,?,?,?,?,?)");
    auto put_series = [&](const BufferedBatch& b, const std::string& name, double value) {
        s.bind(1, run_id_);
        s.bind(2, b.epoch);
        s.bind(3, b.batch);
        s.bind(4, name);
        s.bind(5, value);
        s.exec();
        s.reset();
    };
    for (const auto& b : buffered_) {
        put_series(b, "loss", b.loss);
        for (const auto& [name, value] : b.series) put_series(b, name, value);
        for (std::size_t env = 0; env < b.env_weights.size(); ++env) {
            for (std::size_t m = 0; m < b.env_weights[env].size(); ++m) {
                w.bind(1, run_id_);
                w.bind(2, b.epoch);
                w.bind(3, b.batch);
                w.bind(4, static_cast<int>(env));
                w.bind(5, m < modality_names_.size() ? modality_names_[m] : "modality_" + std::to_string(m));
                w.bind(6, static_cast<double>(b.env_weights[env][m]));
                w.exec();
                w.reset();
            }
        }
    }
    buffered_.clear();
}

void RunRecorder::on_epoch(const EpochEvent& e) {
    require_started("on_epoch");
    auto& db = store_.database();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    {
        SQLite::Statement st(db, "INSERT OR REPLACE INTO epochs(run_id, epoch, loss, seconds, eval_seconds) VALUES(?,?,?,?,?)");
        st.bind(1, run_id_);
        st.bind(2, e.epoch);
        st.bind(3, e.loss);
        st.bind(4, e.epoch_seconds);
        st.bind(5, e.eval_seconds);
        st.exec();
    }
    {
        SQLite::Statement st(db, "INSERT OR REPLACE INTO epoch_series(run_id, epoch, name, value) VALUES(?,?,?,?)");
        for (const auto& [name, value] : e.series) {
            st.bind(1, run_id_);
            st.bind(2, e.epoch);
            st.bind(3, name);
            st.bind(4, value);
            st.exec();
            st.reset();
        }
    }
    if (e.validation) insert_eval(db, run_id_, e.epoch, "validation", *e.validation);
    flush_batches();
    {
        SQLite::Statement st(db, "UPDATE runs SET epochs_run=?, best_epoch=?, seconds=?, heartbeat_at=? WHERE id=?");
        st.bind(1, e.epoch);
        st.bind(2, e.best_epoch);
        st.bind(3, e.seconds_since_start);
        st.bind(4, now_iso8601());
        st.bind(5, run_id_);
        st.exec();
    }
    tx.commit();
}

void RunRecorder::on_best_model(int epoch, const std::vector<std::uint8_t>& checkpoint) {
    require_started("on_best_model");
    auto& db = store_.database();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement st(db, "INSERT OR REPLACE INTO checkpoints(run_id, epoch, saved_at, blob) VALUES(?,?,?,?)");
    st.bind(1, run_id_);
    st.bind(2, epoch);
    st.bind(3, now_iso8601());
    bind_vector(st, 4, checkpoint);
    st.exec();
    tx.commit();
}

void RunRecorder::on_run_finished(const RunFinished& e) {
    require_started("on_run_finished");
    auto& db = store_.database();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    flush_batches();  // a cancelled or failed run keeps its partial epoch's batches
    if (e.best_validation) {
        insert_eval(db, run_id_, e.best_epoch, "validation", *e.best_validation);
        insert_user_metrics(db, run_id_, "validation", *e.best_validation);
    }
    if (e.test) {
        insert_eval(db, run_id_, e.best_epoch, "test", *e.test);
        insert_user_metrics(db, run_id_, "test", *e.test);
    }
    SQLite::Statement st(db,
                         "UPDATE runs SET status=?, finished_at=?, best_epoch=?, epochs_run=?, seconds=?, "
                         "seconds_per_epoch=?, message=?, heartbeat_at=? WHERE id=?");
    const std::string now = now_iso8601();
    st.bind(1, to_string(e.status));
    st.bind(2, now);
    st.bind(3, e.best_epoch);
    st.bind(4, e.epochs_run);
    st.bind(5, e.seconds);
    st.bind(6, e.seconds_per_epoch);
    st.bind(7, e.message);
    st.bind(8, now);
    st.bind(9, run_id_);
    st.exec();
    tx.commit();
}

}  // namespace milk
