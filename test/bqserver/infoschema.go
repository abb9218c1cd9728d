package bqserver

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// INFORMATION_SCHEMA.PARTITIONS of a dataset, as skim's BigQuery catalog
// reads it, is served from a temporary table that the statement's
// transaction fills before the statement runs: the statement then filters,
// sorts and aggregates it as PostgreSQL does any table, and its rows are
// gone at commit or rollback. Each row is one partition of a table of the
// dataset: table_name, partition_id, total_rows (an exact count) and
// total_logical_bytes (the rows times the partition's column widths, as
// tables.get computes numBytes, so a table's partitions sum to its
// numBytes). As in BigQuery, partition_id is YYYYMMDD for DAY partitioning
// (YYYYMMDDHH for HOUR, YYYYMM for MONTH, YYYY for YEAR), a DEFAULT
// partition is __UNPARTITIONED__, a table tables.get reports unpartitioned
// has one row with a NULL partition_id, empty partitions do not exist and
// views are not listed.

// partitionsColumns is the schema of the view.
const partitionsColumns = `(table_name text, partition_id text, total_rows int8, total_logical_bytes int8)`

// partitionIDLayouts format a partition's start as BigQuery's partition_id
// for each time partitioning type.
var partitionIDLayouts = map[string]string{"HOUR": "2006010215", "DAY": "20060102", "MONTH": "200601", "YEAR": "2006"}

// partitionsView replaces the path [project.]dataset.INFORMATION_SCHEMA.PARTITIONS
// at significant tokens k to last with the temporary table holding it.
func (tr *translator) partitionsView(k, last int, parts []string) error {
	if tr.in.partitionsOf == nil || len(parts) > 4 {
		return invalidQuery(fmt.Sprintf("Table %q is not supported by this test server", strings.Join(parts, ".")))
	}
	project := ""
	if len(parts) == 4 {
		project = parts[0]
	}
	name, err := tr.in.partitionsOf(project, parts[len(parts)-3])
	if err != nil {
		return err
	}
	tr.clear(k, last)
	tr.set(k, name)
	return nil
}

// partitionsTable fills a temporary table, dropped at the end of tx, with
// INFORMATION_SCHEMA.PARTITIONS of dataset and returns its quoted name. A
// statement naming the view twice gets the same table.
func partitionsTable(ctx context.Context, tx pgx.Tx, project, dataset string) (string, error) {
	name := pgx.Identifier{"pg_temp", "information_schema_partitions_" + dataset}.Sanitize()
	var exists, filled bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1), to_regclass($2) IS NOT NULL`,
		dataset, name).Scan(&exists, &filled)
	switch {
	case err != nil:
		return "", fmt.Errorf("look up dataset %s: %w", dataset, err)
	case !exists:
		return "", notFound(fmt.Sprintf("Dataset %s:%s", project, dataset))
	case filled:
		return name, nil
	}
	rows, err := tx.Query(ctx, `
		SELECT c.oid::int8, c.relname::text, c.relkind = 'p'
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
		ORDER BY c.relname`, dataset)
	if err != nil {
		return "", fmt.Errorf("list the tables of dataset %s: %w", dataset, err)
	}
	type table struct {
		oid         int64
		name        string
		partitioned bool
	}
	var (
		tables []table
		t      table
	)
	if _, err := pgx.ForEachRow(rows, []any{&t.oid, &t.name, &t.partitioned}, func() error {
		tables = append(tables, t)
		return nil
	}); err != nil {
		return "", fmt.Errorf("list the tables of dataset %s: %w", dataset, err)
	}
	var view partitionRows
	for _, t := range tables {
		if err := view.add(ctx, tx, dataset, t.name, t.oid, t.partitioned); err != nil {
			return "", err
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE `+name+` `+partitionsColumns+` ON COMMIT DROP`); err != nil {
		return "", fmt.Errorf("create INFORMATION_SCHEMA.PARTITIONS of %s: %w", dataset, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+name+` SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[])`,
		view.tables, view.ids, view.rows, view.bytes); err != nil {
		return "", fmt.Errorf("fill INFORMATION_SCHEMA.PARTITIONS of %s: %w", dataset, err)
	}
	return name, nil
}

// partitionRows are the rows of the view, column by column; a nil id is
// NULL.
type partitionRows struct {
	tables      []string
	ids         []*string
	rows, bytes []int64
}

// add appends the partitions of one table.
func (v *partitionRows) add(ctx context.Context, tx pgx.Tx, dataset, table string, oid int64, partitioned bool) error {
	sizes, err := relationSizes(ctx, tx, dataset, table)
	if err != nil {
		return err
	}
	var tp *timePartitioning
	if partitioned {
		if tp, err = partitioning(ctx, tx, oid); err != nil {
			return fmt.Errorf("%s.%s: %w", dataset, table, err)
		}
	}
	if tp == nil {
		var total relationSize
		for _, sz := range sizes {
			total.rows += sz.rows
			total.bytes += sz.bytes
		}
		v.append(table, nil, total)
		return nil
	}
	// A partition may itself be partitioned: its rows are in its leaves.
	rows, err := tx.Query(ctx, `
		SELECT pg_get_expr(c.relpartbound, c.oid), t.relid::int8
		FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid
		CROSS JOIN LATERAL pg_partition_tree(c.oid) AS t
		WHERE i.inhparent = $1::int8::oid AND t.isleaf`, oid)
	if err != nil {
		return fmt.Errorf("read the partitions of %s.%s: %w", dataset, table, err)
	}
	byID := map[string]relationSize{}
	var (
		bound string
		leaf  int64
	)
	if _, err := pgx.ForEachRow(rows, []any{&bound, &leaf}, func() error {
		sz, ok := sizes[leaf]
		if !ok {
			return nil // empty: BigQuery has no such partition
		}
		id := "__UNPARTITIONED__" // a DEFAULT partition, or one from MINVALUE
		if m := rangeBound.FindStringSubmatch(bound); m != nil {
			id = parseBound(m[1]).UTC().Format(partitionIDLayouts[tp.Type])
		}
		total := byID[id]
		total.rows += sz.rows
		total.bytes += sz.bytes
		byID[id] = total
		return nil
	}); err != nil {
		return fmt.Errorf("read the partitions of %s.%s: %w", dataset, table, err)
	}
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		v.append(table, &id, byID[id])
	}
	return nil
}

func (v *partitionRows) append(table string, id *string, sz relationSize) {
	v.tables = append(v.tables, table)
	v.ids = append(v.ids, id)
	v.rows = append(v.rows, sz.rows)
	v.bytes = append(v.bytes, sz.bytes)
}

// relationSize is the rows a table or partition stores and their logical
// bytes: the rows times the sum of every column's average width.
type relationSize struct{ rows, bytes int64 }

// relationSizes counts the rows of a table by the relation that stores
// them (the table itself, or each leaf partition) and weighs them with
// that relation's column widths. Relations without rows are left out.
func relationSizes(ctx context.Context, tx pgx.Tx, dataset, table string) (map[int64]relationSize, error) {
	counts, err := tx.Query(ctx, `SELECT tableoid::int8, count(*) FROM `+pgx.Identifier{dataset, table}.Sanitize()+` GROUP BY 1`)
	if err != nil {
		return nil, fmt.Errorf("count the rows of %s.%s: %w", dataset, table, err)
	}
	sizes := map[int64]relationSize{}
	var oid, n int64
	if _, err := pgx.ForEachRow(counts, []any{&oid, &n}, func() error {
		sizes[oid] = relationSize{rows: n}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("count the rows of %s.%s: %w", dataset, table, err)
	}
	rels, err := describeRelations(ctx, tx, slices.Collect(maps.Keys(sizes)))
	if err != nil {
		return nil, err
	}
	everything := &statement{allColumns: true}
	for oid, sz := range sizes {
		if r, ok := rels[oid]; ok {
			sz.bytes = sz.rows * r.width(everything)
			sizes[oid] = sz
		}
	}
	return sizes, nil
}
