// Package rewrite decides, for one SQL statement, whether a cheaper
// statement returns an equally correct answer, and if so splices that
// cheaper statement out of the client's own text.
//
// A statement flows through three stages. A dialect package (trino or
// bigquery) parses it into the model of package stmt; statements the parser
// does not understand pass through untouched. The engine then looks every
// table up in a catalog.Provider and estimates what the statement reads of
// each: only the referenced columns' share of the bytes, and only the
// partitions its filters on the partition column can match. Finally the
// rules look at each query block, and a rule that applies returns edits of
// the original text (Splice), never a re-printed statement, so comments,
// layout and syntax the parser did not model survive byte for byte.
//
// # Rules
//
// rand_limit: ORDER BY rand() LIMIT n asks for any n rows, drawn at random.
// Reading a random sample of the block's largest table that still holds n
// rows, with ORDER BY rand() LIMIT n kept on top, is an equally correct
// answer. limit_scan (BigQuery) does the same for LIMIT n without ORDER BY,
// which BigQuery bills as a full scan. Neither applies where fewer input
// rows change the answer: GROUP BY, aggregates, DISTINCT, window functions,
// set operations, OFFSET, tables on the NULL-extended side of an outer join,
// tables already sampled, tables below the size threshold or missing from
// the catalog, and statements that write. A skim:off hint turns them off.
//
// # Sizing a SYSTEM sample
//
// TABLESAMPLE SYSTEM keeps or drops whole units: Trino splits (about a file,
// or 64 MiB of one) and BigQuery blocks (about 1 GiB). With U units in scope
// holding R rows, a unit holds about r = R/U rows, so n rows need k =
// ceil(n/r) units. Keeping each unit with probability p keeps K ~
// Binomial(U, p) units, and the sample is short when K < k. The engine picks
// the smallest p with P(K < k) below MaxShortfall (1e-6): for k = 1 exactly,
// 1-p = MaxShortfall^(1/U); otherwise through the Chernoff bound
// P(K <= k-1) <= exp(-mu) (e mu/(k-1))^(k-1) with mu = pU. That is about 14
// expected units when one unit holds n rows. p is rounded up to two
// significant digits, and known partition predicates shrink U and R to the
// partitions actually read.
//
// # Sizing a partition sample
//
// Partitions have exact row counts in the catalog, so a seeded random choice
// of whole partitions holding at least 2n rows (a margin for stale
// statistics) cannot come back short unless other filters drop rows. The
// engine keeps whichever of the two samples reads fewer bytes.
//
// # Guaranteeing the row count
//
// Filters on other columns and joins keep an unknown share of the sampled
// rows. For the outermost block the Result carries MinRows and Fallbacks:
// if the rewritten statement returns fewer than MinRows rows, the proxy runs
// a sample sized for ten times the rows, then the original statement. Inside
// CTEs and subqueries no one can count the rows, so the rule applies there
// only when the catalog alone guarantees them.
package rewrite
