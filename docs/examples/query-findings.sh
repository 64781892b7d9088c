#!/bin/sh
# Loads the NDJSON of `flowladder-cli scan` into SQLite with the sqlite3 shell and asks it
# questions with SQLite's JSON functions: which kinds of trouble, and where the RSTs that
# missed their receiver's expectation were.
#   docs/examples/query-findings.sh findings.ndjson
set -eu
ndjson=${1:?usage: query-findings.sh FINDINGS.ndjson}
sqlite3 :memory: <<SQL
CREATE TABLE line(j TEXT);
-- one JSON document per row: no field or record separator occurs in compact JSON
.mode ascii
.separator "\037" "\n"
.import '$ndjson' line
.mode list
.separator " | "
SELECT json_extract(j, '$.kind') AS kind, count(*) AS n
  FROM line WHERE json_extract(j, '$.type') = 'finding'
  GROUP BY kind ORDER BY n DESC, kind;
SELECT json_extract(j, '$.file'), json_extract(j, '$.frame'), json_extract(j, '$.class'),
       json_extract(j, '$.outcome')
  FROM line WHERE json_extract(j, '$.kind') = 'rst_seq_mismatch'
  ORDER BY 1, 2;
SQL
