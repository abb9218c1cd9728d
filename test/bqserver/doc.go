// Package bqserver is a stand-in for BigQuery in skim's tests: an
// http.Handler that serves the part of BigQuery's REST API v2 that query
// clients use, faithfully enough for the official Go client
// (cloud.google.com/go/bigquery), and runs every statement on a real
// PostgreSQL.
//
// # API
//
// Every route is served under /bigquery/v2/ and also without that prefix:
// jobs.query (POST projects/{p}/queries), jobs.insert of query jobs (POST
// projects/{p}/jobs, and the multipart/related upload path
// /upload/bigquery/v2/projects/{p}/jobs with the job as the first part),
// jobs.get, jobs.getQueryResults (GET projects/{p}/queries/{job}),
// jobs.cancel, tables.get and tabledata.list. As in the API, every int64
// is a JSON string, every reply about a job carries its jobReference,
// result cells are strings ({"f":[{"v":"1"}]}; NULL is null, arrays are
// REPEATED fields), TIMESTAMPs are microseconds when the request sets
// formatOptions.useInt64Timestamp and float seconds otherwise, and errors
// have BigQuery's shape: {"error":{"code","message","status","errors":
// [{"message","domain","reason"}]}}. An unknown table, dataset or job is
// 404 notFound; a statement PostgreSQL refuses is 400 invalidQuery, from
// jobs.query directly and from jobs.insert as the job's
// status.errorResult; a cancelled job fails with reason stopped.
//
// A job goes PENDING → RUNNING → DONE. With Options.JobDelay it stays
// PENDING for half the delay and RUNNING for the other half before its
// statement runs, so clients must poll; jobs.query and getQueryResults
// wait for it up to timeoutMs (default 10 s) and answer jobComplete: false
// when it is not done. A job's results stay in memory until Reset and are
// served in pages of at most Options.PageRows rows. Dry runs are planned
// and estimated synchronously and, as in BigQuery, not kept for jobs.get.
// useLegacySql defaults to true, as in BigQuery; a legacy statement runs
// only when it reads the same in GoogleSQL apart from
// [project:dataset.table] names, and otherwise fails with invalidQuery.
//
// # Data
//
// A BigQuery table project.dataset.table is the PostgreSQL table
// dataset.table: the project is ignored, and the default dataset leads
// the search_path. GoogleSQL is translated to PostgreSQL by a few
// token-level rewrites (see translate); Job.Executed shows the result.
// Scalar query parameters (@name and ?) are bound as PostgreSQL
// parameters.
// Every statement runs in a transaction of its own, with TimeZone UTC.
// INFORMATION_SCHEMA.PARTITIONS of a dataset lists the partitions of its
// tables with their rows and logical bytes, consistent with tables.get.
// LoadDemo creates a demo dataset with a day-partitioned events table,
// and CreateFunctions, which it calls, adds FARM_FINGERPRINT, which skim's
// sampling-key predicate calls, to PostgreSQL, with a hash of its own.
//
// # Bytes
//
// totalBytesProcessed is measured, not estimated. The statement runs
// serially (max_parallel_workers_per_gather = 0, since parallel workers
// count their reads in other backends), and before and after it the
// server reads, in the same transaction, PostgreSQL's per-transaction
// counters of heap tuples read from every user table and partition
// (pg_stat_get_xact_tuples_returned + _fetched), which grow by exactly
// what the statement read. Each table's tuples read are weighed
// column-wise, as BigQuery's columnar storage bills: by the sum of the
// average widths (pg_stats.avg_width) of the columns the statement
// references, found by a token scan of the statement (all columns for
// SELECT *, but only the columns named elsewhere for the SELECT * of a
// derived table or WITH query, which BigQuery prunes; none for COUNT(*)).
// So a one-day partition-pruned query counts
// one partition, TABLESAMPLE SYSTEM (1 PERCENT) counts the rows of the
// about 1% of blocks it read, and naming fewer columns counts less.
//
// As in BigQuery, LIMIT does not reduce the bytes: a query whose outermost
// clause is LIMIT n (without an outermost ORDER BY, which reads all its
// input anyway) runs in a cursor, n rows are fetched, and the cursor is
// then moved to its end, so PostgreSQL reads the whole input without
// sending it. A LIMIT inside a subquery still stops its scan early.
//
// totalBytesBilled follows BigQuery's on-demand rule: each table read is
// rounded up to a whole MiB and to at least 10 MiB; nothing read bills 0.
// Figures from the tests' demo (10 days × 10,000 events, about 244 bytes
// a row): SELECT * ... ORDER BY RAND() LIMIT 10 over all of events
// processes 24,410,000 bytes and bills 24 MiB (25,165,824), as does
// SELECT * ... LIMIT 10; a one-day query processes 2,440,000 bytes and
// bills 10 MiB; TABLESAMPLE SYSTEM (1 PERCENT) processes about 230,000
// (the rows of the blocks it happened to read) and bills 10 MiB; SELECT
// user_id processes 800,000 (8 bytes a row); COUNT(*) processes and bills
// 0.
//
// A dry run does not execute: PostgreSQL plans the statement (EXPLAIN,
// which prunes partitions at plan time and at executor startup), and each
// relation scan of the plan counts the relation's estimated rows
// (pg_class.reltuples) times its TABLESAMPLE fraction times the same
// referenced-column width. For a full scan the estimate matches the
// measured figure up to the accuracy of reltuples (exactly, on the
// demo); for the 1% sample above it is 244,100. Every query is also
// estimated before it runs, and one whose estimated bill exceeds its
// maximumBytesBilled fails without running, with reason
// bytesBilledLimitExceeded and BigQuery's message "Query exceeded limit
// for bytes billed: N. M or higher required."; one whose measured bill
// exceeds it fails too, its changes rolled back.
package bqserver
