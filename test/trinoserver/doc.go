// Package trinoserver is a stand-in for Trino in skim's end-to-end tests
// and demo: an http.Handler that speaks Trino's client REST protocol
// faithfully and runs each statement on a real PostgreSQL.
//
// # Protocol
//
// POST /v1/statement answers QUEUED without starting the query; the first
// GET of its nextUri (/v1/statement/queued/...) starts it, and the
// executing pages (/v1/statement/executing/{id}/{slug}/{token}) carry the
// columns, at most Options.PageRows rows each, and stats, until the last
// page (FINISHED or FAILED) has no nextUri. A page waits up to a second for
// rows, as Trino's long poll does. Rows stream from PostgreSQL through a
// small buffer, so a huge result is never held in memory. A GET of the
// page just served sends it again (a client's retry); older pages are gone
// (410). DELETE of a nextUri or of /v1/query/{id} cancels the query, on
// PostgreSQL too; so does a client that stops polling for
// Options.IdleTimeout. Errors come as Trino reports them: HTTP 200 on the
// page the client polls, stats.state FAILED and an error object whose
// errorName comes from the PostgreSQL SQLSTATE (TABLE_NOT_FOUND,
// COLUMN_NOT_FOUND, SYNTAX_ERROR, USER_CANCELED, ...).
//
// Session statements are answered by the server itself with Trino's
// response headers: SET SESSION, RESET SESSION, USE, START TRANSACTION,
// COMMIT, ROLLBACK (no real transaction), PREPARE and DEALLOCATE PREPARE.
// EXECUTE name USING ... takes the statement from the request's
// X-Trino-Prepared-Statement header and binds its ? parameters, which is
// how trino-go-client sends every query with arguments. The Trino SQL is
// translated to PostgreSQL by a few token-level rewrites (see translate);
// X-Trino-Schema becomes the query's search_path. Results always use the
// direct protocol (rows in data), as a Trino without a spooling manager
// answers even a client that asks for spooling with
// X-Trino-Query-Data-Encoding.
//
// # Bytes read
//
// stats.processedBytes and stats.physicalInputBytes are measured, not
// estimated. Each query runs on a connection of its own inside a
// transaction, serially (max_parallel_workers_per_gather = 0, since
// parallel workers count their reads in other backends). Before and after
// the statement the server reads, on that connection and in that
// transaction, PostgreSQL's per-backend counters of every user relation:
// pg_stat_get_xact_blocks_fetched (heap, index and TOAST blocks the scans
// requested, from disk or shared buffers) and
// pg_stat_get_xact_tuples_returned + _fetched (heap tuples read by
// sequential, sample and index scans). These counters belong to the
// current transaction and grow as the scan goes, so the difference is
// exactly what this statement read. Then:
//
//   - physicalInputBytes = blocks fetched × block size (8 KiB);
//   - processedBytes = Σ over tables of tuples read × the table's average
//     row width (the sum of its columns' pg_stats.avg_width, else heap
//     bytes per tuple);
//   - processedRows = heap tuples read; totalSplits = completedSplits =
//     tables (partitions) read.
//
// So TABLESAMPLE SYSTEM (1), which reads about 1% of a table's blocks,
// reports about 1% of the bytes of a full scan, and partition pruning shows
// as the pruned partitions not being read. The figures are final in the
// last page; earlier pages report 0. Statements PostgreSQL refuses inside
// a transaction (VACUUM, CREATE DATABASE, ... CONCURRENTLY) run without
// one and report 0.
//
// LoadDemo and DemoCatalog create the demo dataset and describe it as a
// skim static catalog. CreateFunctions, which LoadDemo calls, adds the
// Trino functions skim's sampling-key predicate calls (to_utf8, xxhash64,
// from_big_endian_64) to PostgreSQL, xxhash64 with a hash of its own.
package trinoserver
