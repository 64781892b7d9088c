#pragma once
// The SQLite database of a scan (`flowladder-cli scan --db FILE`): one row per file, per
// finding and (with --flows) per flow, indexed by kind, file and endpoint, so "every forged
// RST in last month's archive" is one query. The desktop program opens it as "Findings across
// captures". Schema (version 1):
//
//   scan(key TEXT PRIMARY KEY, value TEXT)      -- format, version, started, paths
//   files(id INTEGER PRIMARY KEY, path TEXT UNIQUE, format TEXT, compression TEXT,
//         packets INTEGER, tcp_packets INTEGER, flows INTEGER, findings INTEGER,
//         truncated INTEGER, error TEXT)        -- error: set when unreadable
//   findings(id INTEGER PRIMARY KEY, file_id INTEGER, flow INTEGER, client TEXT, server TEXT,
//            frame INTEGER, kind TEXT, severity TEXT, summary TEXT, json TEXT)
//   flows(file_id INTEGER, flow INTEGER, client TEXT, server TEXT, packets INTEGER,
//         bytes INTEGER, start REAL, duration REAL, client_state TEXT, server_state TEXT, json TEXT)
//   indexes: findings(kind), findings(file_id), findings(client), findings(server),
//            flows(file_id), flows(client), flows(server)
//
// `json` holds the NDJSON line of the row (every field of the kind).

#include "core/scan/Scan.h"

#include <memory>
#include <string>
#include <vector>

struct sqlite3;

namespace flowladder::core {

class ScanDatabase {
public:
    // Creates `path` afresh. An existing file is replaced only when it is a scan database
    // (never another program's data); otherwise nullptr and `error` say why.
    static std::unique_ptr<ScanDatabase> create(const std::string& path, const std::vector<std::string>& scanned,
                                                std::string& error);
    ~ScanDatabase();
    ScanDatabase(const ScanDatabase&) = delete;
    ScanDatabase& operator=(const ScanDatabase&) = delete;

    // Adds one file's results (committed in batches; finish() commits the rest).
    bool add(const ScanResult& r, std::string& error);
    bool finish(std::string& error);

private:
    explicit ScanDatabase(sqlite3* db) : db_(db) {}
    bool exec(const char* sql, std::string& error);
    sqlite3* db_;
    size_t uncommitted_ = 0;
};

// One finding as the database holds it (what the desktop program lists).
struct ScannedFinding {
    std::string file;
    uint32_t flow = 0;
    std::string client, server;
    uint32_t frame = 0;
    std::string kind, severity, summary;
};
struct ScannedFile {
    std::string path;
    uint32_t packets = 0;
    uint32_t findings = 0;
    std::string error;
};
struct ScanContents {
    std::vector<ScannedFile> files;
    std::vector<ScannedFinding> findings; // errors first, then warnings, then the rest; by file and frame
};
// Reads a scan database (read-only). False, with `error` naming the file, when it is not one.
bool readScanDatabase(const std::string& path, ScanContents& out, std::string& error);

} // namespace flowladder::core
