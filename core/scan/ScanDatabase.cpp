#include "core/scan/ScanDatabase.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <sqlite3.h>

namespace flowladder::core {

namespace {

constexpr const char* Schema = R"(
PRAGMA journal_mode = WAL;
CREATE TABLE scan(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(id INTEGER PRIMARY KEY, path TEXT UNIQUE, format TEXT, compression TEXT,
                   packets INTEGER, tcp_packets INTEGER, flows INTEGER, findings INTEGER,
                   truncated INTEGER, error TEXT);
CREATE TABLE findings(id INTEGER PRIMARY KEY, file_id INTEGER REFERENCES files(id), flow INTEGER,
                      client TEXT, server TEXT, frame INTEGER, kind TEXT, severity TEXT,
                      summary TEXT, json TEXT);
CREATE TABLE flows(file_id INTEGER REFERENCES files(id), flow INTEGER, client TEXT, server TEXT,
                   packets INTEGER, bytes INTEGER, start REAL, duration REAL,
                   client_state TEXT, server_state TEXT, json TEXT);
CREATE INDEX findings_kind ON findings(kind);
CREATE INDEX findings_file ON findings(file_id);
CREATE INDEX findings_client ON findings(client);
CREATE INDEX findings_server ON findings(server);
CREATE INDEX flows_file ON flows(file_id);
CREATE INDEX flows_client ON flows(client);
CREATE INDEX flows_server ON flows(server);
)";

constexpr const char* Format = "flowladder-scan";

// A prepared statement, finalized on scope exit.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) == SQLITE_OK; }
    ~Statement() { sqlite3_finalize(st_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    bool ok() const { return ok_; }
    sqlite3_stmt* get() const { return st_; }
    void bind(int i, const std::string& s)
    {
        sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    void bind(int i, int64_t v) { sqlite3_bind_int64(st_, i, v); }
    void bind(int i, double v) { sqlite3_bind_double(st_, i, v); }
    void bindNull(int i) { sqlite3_bind_null(st_, i); }
    bool run()
    {
        const int rc = sqlite3_step(st_);
        sqlite3_reset(st_);
        return rc == SQLITE_DONE;
    }
    std::string text(int col) const
    {
        const auto* t = sqlite3_column_text(st_, col);
        return t ? reinterpret_cast<const char*>(t) : std::string();
    }

private:
    sqlite3_stmt* st_ = nullptr;
    bool ok_ = false;
};

std::string str(const nlohmann::ordered_json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t num(const nlohmann::ordered_json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<int64_t>() : 0;
}
double real(const nlohmann::ordered_json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}
std::string line(const nlohmann::ordered_json& j)
{
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Whether `path` is a scan database (its scan table says so).
bool isScanDatabase(const std::string& path)
{
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return false;
    }
    bool yes = false;
    {
        Statement st(db, "SELECT value FROM scan WHERE key = 'format'");
        yes = st.ok() && sqlite3_step(st.get()) == SQLITE_ROW && st.text(0) == Format;
    }
    sqlite3_close(db);
    return yes;
}

} // namespace

std::unique_ptr<ScanDatabase> ScanDatabase::create(const std::string& path, const std::vector<std::string>& scanned,
                                                   std::string& error)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(path, ec)) {
        if (!isScanDatabase(path)) {
            error = path + ": exists and is not a FlowLadder scan database; not overwriting it";
            return nullptr;
        }
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            fs::remove(path + suffix, ec);
    }
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
        error = path + ": cannot create the database: " + (db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return nullptr;
    }
    std::unique_ptr<ScanDatabase> out(new ScanDatabase(db));
    if (!out->exec(Schema, error)) return nullptr;
    Statement meta(db, "INSERT INTO scan(key, value) VALUES (?1, ?2)");
    nlohmann::json paths = scanned;
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    for (const auto& [k, v] : {std::pair<std::string, std::string>{"format", Format},
                               {"version", "1"},
                               {"started", when},
                               {"paths", paths.dump()}}) {
        meta.bind(1, k);
        meta.bind(2, v);
        if (!meta.run()) {
            error = path + ": " + sqlite3_errmsg(db);
            return nullptr;
        }
    }
    if (!out->exec("BEGIN", error)) return nullptr;
    return out;
}

ScanDatabase::~ScanDatabase()
{
    sqlite3_close(db_);
}

bool ScanDatabase::exec(const char* sql, std::string& error)
{
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) == SQLITE_OK) return true;
    error = std::string(sqlite3_db_filename(db_, "main")) + ": " + (msg ? msg : "error");
    sqlite3_free(msg);
    return false;
}

bool ScanDatabase::add(const ScanResult& r, std::string& error)
{
    Statement file(db_, "INSERT INTO files(path, format, compression, packets, tcp_packets, flows, findings, "
                        "truncated, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    file.bind(1, r.path);
    if (r.error.empty()) {
        file.bind(2, std::string(captureFormatName(r.format)));
        if (r.compression.empty())
            file.bindNull(3);
        else
            file.bind(3, r.compression);
        file.bind(4, int64_t{r.packets});
        file.bind(5, int64_t{r.tcpPackets});
        file.bind(6, int64_t{r.flows});
        file.bind(7, static_cast<int64_t>(r.findings.size()));
        file.bind(8, int64_t{r.truncated});
        file.bindNull(9);
    } else {
        for (int i = 2; i <= 8; ++i)
            file.bindNull(i);
        file.bind(9, r.error);
    }
    if (!file.ok() || !file.run()) {
        error = r.path + ": database: " + sqlite3_errmsg(db_);
        return false;
    }
    const int64_t fileId = sqlite3_last_insert_rowid(db_);
    Statement finding(db_, "INSERT INTO findings(file_id, flow, client, server, frame, kind, severity, summary, json) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (const auto& j : r.findings) {
        finding.bind(1, fileId);
        finding.bind(2, num(j, "flow"));
        finding.bind(3, str(j, "client"));
        finding.bind(4, str(j, "server"));
        finding.bind(5, num(j, "frame"));
        finding.bind(6, str(j, "kind"));
        finding.bind(7, str(j, "severity"));
        finding.bind(8, str(j, "summary"));
        finding.bind(9, line(j));
        if (!finding.ok() || !finding.run()) {
            error = r.path + ": database: " + sqlite3_errmsg(db_);
            return false;
        }
    }
    Statement flow(db_, "INSERT INTO flows(file_id, flow, client, server, packets, bytes, start, duration, "
                        "client_state, server_state, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    for (const auto& j : r.flowLines) {
        flow.bind(1, fileId);
        flow.bind(2, num(j, "id"));
        flow.bind(3, str(j, "client"));
        flow.bind(4, str(j, "server"));
        flow.bind(5, num(j, "packets"));
        flow.bind(6, num(j, "bytes"));
        flow.bind(7, real(j, "start"));
        flow.bind(8, real(j, "duration"));
        flow.bind(9, str(j, "client_state"));
        flow.bind(10, str(j, "server_state"));
        flow.bind(11, line(j));
        if (!flow.ok() || !flow.run()) {
            error = r.path + ": database: " + sqlite3_errmsg(db_);
            return false;
        }
    }
    // Commit now and then: an interrupted scan keeps what it finished.
    if (++uncommitted_ >= 64) {
        uncommitted_ = 0;
        return exec("COMMIT; BEGIN", error);
    }
    return true;
}

bool ScanDatabase::finish(std::string& error)
{
    return exec("COMMIT", error);
}

bool readScanDatabase(const std::string& path, ScanContents& out, std::string& error)
{
    if (!isScanDatabase(path)) {
        error = path + ": not a FlowLadder scan database (made by flowladder-cli scan --db)";
        return false;
    }
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    bool ok = true;
    {
        Statement files(db, "SELECT path, packets, findings, error FROM files ORDER BY path");
        Statement findings(db, "SELECT files.path, flow, client, server, frame, kind, severity, summary "
                               "FROM findings JOIN files ON files.id = findings.file_id "
                               "ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, "
                               "files.path, frame");
        ok = files.ok() && findings.ok();
        while (ok && sqlite3_step(files.get()) == SQLITE_ROW) {
            ScannedFile f;
            f.path = files.text(0);
            f.packets = static_cast<uint32_t>(sqlite3_column_int64(files.get(), 1));
            f.findings = static_cast<uint32_t>(sqlite3_column_int64(files.get(), 2));
            f.error = files.text(3);
            out.files.push_back(std::move(f));
        }
        while (ok && sqlite3_step(findings.get()) == SQLITE_ROW) {
            ScannedFinding f;
            f.file = findings.text(0);
            f.flow = static_cast<uint32_t>(sqlite3_column_int64(findings.get(), 1));
            f.client = findings.text(2);
            f.server = findings.text(3);
            f.frame = static_cast<uint32_t>(sqlite3_column_int64(findings.get(), 4));
            f.kind = findings.text(5);
            f.severity = findings.text(6);
            f.summary = findings.text(7);
            out.findings.push_back(std::move(f));
        }
        if (!ok) error = path + ": " + sqlite3_errmsg(db);
    }
    sqlite3_close(db);
    return ok;
}

} // namespace flowladder::core
