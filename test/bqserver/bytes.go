package bqserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

const (
	mib = 1 << 20
	// minBilledPerTable is BigQuery's on-demand minimum: 10 MiB for every
	// table a query reads.
	minBilledPerTable = 10 * mib
)

// tableName is a BigQuery table: a PostgreSQL schema and table. A
// partition counts as its partitioned table.
type tableName struct{ dataset, table string }

// billing is what a query processed and is billed for.
type billing struct {
	processed int64
	billed    int64
	// tables are the tables read, in name order.
	tables []tableName
}

// bill computes BigQuery's on-demand billing from the bytes processed per
// table: each table read is rounded up to the next MiB, and to at least 10
// MiB when anything was read from it.
func bill(perTable map[tableName]int64) billing {
	var b billing
	for t, n := range perTable {
		b.tables = append(b.tables, t)
		if n <= 0 {
			continue
		}
		b.processed += n
		billed := (n + mib - 1) / mib * mib
		b.billed += max(billed, minBilledPerTable)
	}
	sort.Slice(b.tables, func(i, j int) bool {
		if b.tables[i].dataset != b.tables[j].dataset {
			return b.tables[i].dataset < b.tables[j].dataset
		}
		return b.tables[i].table < b.tables[j].table
	})
	return b
}

// tuplesSQL reads how many heap tuples the current transaction has read
// so far from each user table (partitions included): tuples returned by
// sequential and sample scans plus those fetched through indexes. The
// pg_stat_get_xact_* functions read this backend's own pending counters,
// which grow as a scan goes and are flushed only between transactions, so
// inside one transaction they grow by exactly what its statements read.
// The system catalogs that planning reads are left out.
const tuplesSQL = `
SELECT c.oid::int8,
       pg_stat_get_xact_tuples_returned(c.oid) + pg_stat_get_xact_tuples_fetched(c.oid)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm')
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND pg_stat_get_xact_tuples_returned(c.oid) + pg_stat_get_xact_tuples_fetched(c.oid) > 0`

func readTuples(ctx context.Context, tx pgx.Tx) (map[int64]int64, error) {
	rows, err := tx.Query(ctx, tuplesSQL)
	if err != nil {
		return nil, fmt.Errorf("read tuple counters: %w", err)
	}
	out := map[int64]int64{}
	var oid, n int64
	if _, err := pgx.ForEachRow(rows, []any{&oid, &n}, func() error {
		out[oid] = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read tuple counters: %w", err)
	}
	return out, nil
}

// relation is what billing needs to know of a table or partition.
type relation struct {
	table tableName
	// rows is pg_class.reltuples (from the last ANALYZE), or the live
	// tuple count of a table never analyzed.
	rows float64
	// widths are the average stored bytes of each column's values, by
	// lower-cased column name (see relationsSQL).
	widths map[string]int64
}

// width is the bytes of one row's columns that st references.
func (r relation) width(st *statement) int64 {
	var w int64
	for col, n := range r.widths {
		if st.allColumns || st.columns[col] {
			w += n
		}
	}
	return w
}

// relationsSQL describes tables and partitions by OID: the table they
// belong to (a partition's root), their row estimate, and each column's
// average width: pg_stats.avg_width from ANALYZE of the relation itself,
// else of its partitioned root, else the type's fixed length, else 32
// bytes for a variable-length value never analyzed.
const relationsSQL = `
SELECT c.oid::int8, rn.nspname::text, r.relname::text,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples::float8 ELSE pg_stat_get_live_tuples(c.oid)::float8 END,
       lower(a.attname::text),
       COALESCE(s.avg_width, rs.avg_width, CASE WHEN a.attlen > 0 THEN a.attlen::int4 END, 32)::int8
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class r ON r.oid = COALESCE(pg_partition_root(c.oid), c.oid)
JOIN pg_namespace rn ON rn.oid = r.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname
                    AND s.attname = a.attname AND NOT s.inherited
LEFT JOIN pg_stats rs ON r.oid <> c.oid AND rs.schemaname = rn.nspname AND rs.tablename = r.relname
                     AND rs.attname = a.attname AND rs.inherited
WHERE c.oid = ANY($1::int8[]::oid[])`

func describeRelations(ctx context.Context, tx pgx.Tx, oids []int64) (map[int64]*relation, error) {
	rows, err := tx.Query(ctx, relationsSQL, oids)
	if err != nil {
		return nil, fmt.Errorf("describe the tables read: %w", err)
	}
	out := map[int64]*relation{}
	var (
		oid, width     int64
		dataset, table string
		reltuples      float64
		column         string
	)
	if _, err := pgx.ForEachRow(rows, []any{&oid, &dataset, &table, &reltuples, &column, &width}, func() error {
		r := out[oid]
		if r == nil {
			r = &relation{table: tableName{dataset, table}, rows: reltuples, widths: map[string]int64{}}
			out[oid] = r
		}
		r.widths[column] = width
		return nil
	}); err != nil {
		return nil, fmt.Errorf("describe the tables read: %w", err)
	}
	return out, nil
}

// measure bills what a statement read: the heap tuples each relation
// returned to it, from the counters before and after, times the width of
// the columns the statement references.
func measure(ctx context.Context, tx pgx.Tx, st *statement, before, after map[int64]int64) (billing, error) {
	read := map[int64]int64{}
	var oids []int64
	for oid, n := range after {
		if d := n - before[oid]; d > 0 {
			read[oid] = d
			oids = append(oids, oid)
		}
	}
	if len(oids) == 0 {
		return billing{}, nil
	}
	rels, err := describeRelations(ctx, tx, oids)
	if err != nil {
		return billing{}, err
	}
	perTable := map[tableName]int64{}
	for oid, n := range read {
		if r, ok := rels[oid]; ok {
			perTable[r.table] += n * r.width(st)
		}
	}
	return bill(perTable), nil
}

// planNode is the part of a node of EXPLAIN (FORMAT JSON) the estimate
// reads.
type planNode struct {
	NodeType       string     `json:"Node Type"`
	Relation       string     `json:"Relation Name"`
	Schema         string     `json:"Schema"`
	SamplingMethod string     `json:"Sampling Method"`
	SamplingParams []string   `json:"Sampling Parameters"`
	Plans          []planNode `json:"Plans"`
}

// scan is one relation scan of a plan.
type scan struct {
	schema, relation string
	// fraction is the share of the relation read: the TABLESAMPLE
	// percentage / 100, else 1.
	fraction float64
}

var numberPattern = regexp.MustCompile(`[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?`)

func (n planNode) scans(out []scan) []scan {
	if n.Relation != "" && n.NodeType != "ModifyTable" {
		s := scan{schema: n.Schema, relation: n.Relation, fraction: 1}
		if n.SamplingMethod != "" && len(n.SamplingParams) > 0 {
			if p, err := strconv.ParseFloat(numberPattern.FindString(n.SamplingParams[0]), 64); err == nil {
				s.fraction = min(max(p/100, 0), 1)
			}
		}
		out = append(out, s)
	}
	for _, c := range n.Plans {
		out = c.scans(out)
	}
	return out
}

// estimate bills a statement without running it, as a dry run reports:
// PostgreSQL plans it (EXPLAIN, which also prunes partitions, at plan time
// or at executor startup), and every relation scan of the plan counts the
// relation's estimated rows times the TABLESAMPLE fraction times the
// width of the referenced columns. It reads the same relations and widths
// as measure, so a full scan's estimate matches what running it measures,
// up to the accuracy of reltuples.
func estimate(ctx context.Context, tx pgx.Tx, st *statement) (billing, error) {
	var plan []byte
	args := append([]any{pgx.QueryExecModeExec}, st.args...)
	if err := tx.QueryRow(ctx, "EXPLAIN (VERBOSE, FORMAT JSON) "+st.sql, args...).Scan(&plan); err != nil {
		return billing{}, err
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal(plan, &plans); err != nil {
		return billing{}, fmt.Errorf("decode the plan: %w", err)
	}
	var scans []scan
	for _, p := range plans {
		scans = p.Plan.scans(scans)
	}
	if len(scans) == 0 {
		return billing{}, nil
	}
	names := make([]string, len(scans))
	for i, s := range scans {
		names[i] = pgx.Identifier{s.schema, s.relation}.Sanitize()
	}
	rows, err := tx.Query(ctx, `SELECT n::regclass::oid::int8 FROM unnest($1::text[]) WITH ORDINALITY AS u(n, i) ORDER BY i`, names)
	if err != nil {
		return billing{}, fmt.Errorf("look up the scanned tables: %w", err)
	}
	oids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return billing{}, fmt.Errorf("look up the scanned tables: %w", err)
	}
	rels, err := describeRelations(ctx, tx, oids)
	if err != nil {
		return billing{}, err
	}
	perTable := map[tableName]int64{}
	for i, s := range scans {
		if r, ok := rels[oids[i]]; ok {
			perTable[r.table] += int64(r.rows * s.fraction * float64(r.width(st)))
		}
	}
	return bill(perTable), nil
}

// bytesBilledLimitExceeded is BigQuery's error for a query that would
// bill more than its maximumBytesBilled.
func bytesBilledLimitExceeded(limit, needed int64) *apiError {
	return &apiError{
		code:    http.StatusBadRequest,
		reason:  "bytesBilledLimitExceeded",
		message: fmt.Sprintf("Query exceeded limit for bytes billed: %d. %d or higher required.", limit, needed),
	}
}

// String renders a table as dataset.table, for logs.
func (t tableName) String() string { return strings.Join([]string{t.dataset, t.table}, ".") }
