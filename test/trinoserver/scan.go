package trinoserver

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// relationIO is what the current transaction has read from one relation
// so far, from PostgreSQL's per-backend counters.
type relationIO struct {
	// heap is true for tables (their tuples count as processed rows);
	// indexes and TOAST tables only add blocks.
	heap bool
	// bytes is the number of blocks fetched (read or found in shared
	// buffers) times the block size.
	bytes int64
	// tuples is the number of heap tuples returned by scans plus those
	// fetched through indexes.
	tuples int64
}

// ioSQL reads the current transaction's counters of the user's relations
// (tables, materialized views, indexes and the TOAST tables of user
// tables), leaving out the system catalogs that planning itself reads. The
// pg_stat_get_xact_* functions read this backend's own pending counters,
// which PostgreSQL updates as a scan goes and flushes only between
// transactions, so inside one transaction they grow by exactly what its
// statements read.
const ioSQL = `
SELECT c.oid::int8,
       c.relkind IN ('r', 'm') AS heap,
       pg_stat_get_xact_blocks_fetched(c.oid) * current_setting('block_size')::int8 AS bytes,
       pg_stat_get_xact_tuples_returned(c.oid) + pg_stat_get_xact_tuples_fetched(c.oid) AS tuples
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm', 'i', 't')
  AND (n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       OR c.oid IN (SELECT u.reltoastrelid
                    FROM pg_class u
                    JOIN pg_namespace un ON un.oid = u.relnamespace
                    WHERE un.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')))
  AND pg_stat_get_xact_blocks_fetched(c.oid)
      + pg_stat_get_xact_tuples_returned(c.oid)
      + pg_stat_get_xact_tuples_fetched(c.oid) > 0`

// widthSQL gives the average width of a row of each table: the sum of its
// columns' average widths from ANALYZE, else its heap bytes per tuple,
// else 0 for a table never analyzed.
const widthSQL = `
SELECT c.oid::int8,
       COALESCE((SELECT sum(s.avg_width)::float8
                 FROM pg_stats s
                 WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND NOT s.inherited),
                CASE WHEN c.reltuples > 0
                     THEN c.relpages::float8 * current_setting('block_size')::float8 / c.reltuples
                END,
                0)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid::int8 = ANY($1)`

func readIO(ctx context.Context, tx pgx.Tx) (map[int64]relationIO, error) {
	rows, err := tx.Query(ctx, ioSQL)
	if err != nil {
		return nil, fmt.Errorf("read I/O counters: %w", err)
	}
	out := map[int64]relationIO{}
	var oid int64
	var r relationIO
	_, err = pgx.ForEachRow(rows, []any{&oid, &r.heap, &r.bytes, &r.tuples}, func() error {
		out[oid] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read I/O counters: %w", err)
	}
	return out, nil
}

// scanned is what one query read, for the final stats.
type scanned struct {
	// physicalBytes is the bytes of all blocks fetched from tables,
	// indexes and TOAST: what PostgreSQL read from storage or its cache.
	physicalBytes int64
	// processedBytes is the heap tuples read times their tables' average
	// row width: the size of the rows the query looked at.
	processedBytes int64
	// processedRows is the heap tuples read.
	processedRows int64
	// tables is the number of tables (partitions included) read from.
	tables int
}

// measure compares the counters before and after a query, in the same
// transaction, and weighs the tuples read by their tables' row widths.
func measure(ctx context.Context, tx pgx.Tx, before, after map[int64]relationIO) (scanned, error) {
	var s scanned
	tuples := map[int64]int64{}
	var heaps []int64
	for oid, a := range after {
		b := before[oid]
		s.physicalBytes += a.bytes - b.bytes
		if n := a.tuples - b.tuples; a.heap && n > 0 {
			tuples[oid] = n
			heaps = append(heaps, oid)
			s.processedRows += n
		}
	}
	s.tables = len(heaps)
	if len(heaps) == 0 {
		return s, nil
	}
	rows, err := tx.Query(ctx, widthSQL, heaps)
	if err != nil {
		return s, fmt.Errorf("read row widths: %w", err)
	}
	var oid int64
	var width float64
	_, err = pgx.ForEachRow(rows, []any{&oid, &width}, func() error {
		s.processedBytes += int64(float64(tuples[oid]) * width)
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("read row widths: %w", err)
	}
	return s, nil
}
