package bqserver

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// tableInfo is what the server knows of a table it was asked about.
type tableInfo struct {
	oid     int64
	relkind string // r (table), p (partitioned table), v (view) or m (materialized view)
	columns []tableColumn
}

type tableColumn struct {
	name    string
	typ     bqType
	notNull bool
}

// findTable looks a BigQuery table up: PostgreSQL table, partitioned
// table, view or materialized view table in schema dataset. A table that
// is not there is notFound, naming the dataset when that is missing too.
func findTable(ctx context.Context, tx pgx.Tx, project, dataset, table string) (*tableInfo, error) {
	var (
		schemaExists bool
		oid          *int64
		relkind      *string
	)
	err := tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1), c.oid::int8, c.relkind::text
		FROM (SELECT) AS one
		LEFT JOIN (pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace)
		       ON n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition`,
		dataset, table).Scan(&schemaExists, &oid, &relkind)
	switch {
	case err != nil:
		return nil, fmt.Errorf("look up table %s.%s: %w", dataset, table, err)
	case !schemaExists:
		return nil, notFound(fmt.Sprintf("Dataset %s:%s", project, dataset))
	case oid == nil:
		return nil, notFound(fmt.Sprintf("Table %s:%s.%s", project, dataset, table))
	}
	t := tableInfo{oid: *oid, relkind: *relkind}
	rows, err := tx.Query(ctx, `
		SELECT a.attname::text, a.atttypid::int8, a.atttypmod, a.attnotnull
		FROM pg_attribute a
		WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY a.attnum`, t.oid)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s.%s: %w", dataset, table, err)
	}
	m := tx.Conn().TypeMap()
	var (
		name    string
		typ     int64
		typmod  int32
		notNull bool
	)
	if _, err := pgx.ForEachRow(rows, []any{&name, &typ, &typmod, &notNull}, func() error {
		t.columns = append(t.columns, tableColumn{name: name, typ: typeOf(m, uint32(typ), typmod, true), notNull: notNull})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read the columns of %s.%s: %w", dataset, table, err)
	}
	return &t, nil
}

// tableColumns lists the columns of a table, for SELECT * EXCEPT.
func tableColumns(ctx context.Context, tx pgx.Tx, project, dataset, table string) ([]string, error) {
	t, err := findTable(ctx, tx, project, dataset, table)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	return names, nil
}

// tableRequest reads the dataset and table of a tables.get or
// tabledata.list path. A partition decorator (events$20261111) is not
// supported.
func tableRequest(r *http.Request) (dataset, table string) {
	return r.PathValue("dataset"), r.PathValue("table")
}

// timePartitioning is a TimePartitioning.
type timePartitioning struct {
	Type  string `json:"type"`
	Field string `json:"field"`
}

// tableResource is a Table resource, as tables.get returns it.
type tableResource struct {
	Kind             string            `json:"kind"`
	ID               string            `json:"id"`
	TableReference   tableReference    `json:"tableReference"`
	Type             string            `json:"type"`
	Schema           schema            `json:"schema"`
	NumRows          *int64            `json:"numRows,string,omitempty"`
	NumBytes         *int64            `json:"numBytes,string,omitempty"`
	NumPhysicalBytes *int64            `json:"numPhysicalBytes,string,omitempty"`
	CreationTime     int64             `json:"creationTime,string"`
	LastModifiedTime int64             `json:"lastModifiedTime,string"`
	Location         string            `json:"location"`
	TimePartitioning *timePartitioning `json:"timePartitioning,omitempty"`
	View             *viewDefinition   `json:"view,omitempty"`
}

type viewDefinition struct {
	Query        string `json:"query"`
	UseLegacySQL bool   `json:"useLegacySql"`
}

// getTable serves tables.get. numRows is an exact count; numBytes is
// BigQuery's logical size as the server bills it: every column's average
// width times the rows, per partition, which is what SELECT * over the
// whole table processes; numPhysicalBytes is PostgreSQL's size on disk.
// PostgreSQL keeps no creation or modification times: both are the
// server's start.
func (s *Server) getTable(w http.ResponseWriter, r *http.Request) {
	dataset, table := tableRequest(r)
	project := r.PathValue("project")
	res := tableResource{
		Kind:             "bigquery#table",
		ID:               project + ":" + dataset + "." + table,
		TableReference:   tableReference{ProjectID: project, DatasetID: dataset, TableID: table},
		CreationTime:     s.started.UnixMilli(),
		LastModifiedTime: s.started.UnixMilli(),
		Location:         location,
	}
	err := s.inTransaction(r.Context(), &jobConfig{}, func(tx pgx.Tx) error {
		t, err := findTable(r.Context(), tx, project, dataset, table)
		if err != nil {
			return err
		}
		for _, c := range t.columns {
			res.Schema.Fields = append(res.Schema.Fields, field{Name: c.name, Type: c.typ.name, Mode: c.typ.mode(c.notNull)})
		}
		switch t.relkind {
		case "v":
			res.Type = "VIEW"
			res.View = &viewDefinition{}
			return tx.QueryRow(r.Context(), `SELECT pg_get_viewdef($1::int8::oid)`, t.oid).Scan(&res.View.Query)
		case "m":
			res.Type = "MATERIALIZED_VIEW"
		default:
			res.Type = "TABLE"
		}
		rows, bytes, physical, err := tableSize(r.Context(), tx, t, dataset, table)
		if err != nil {
			return err
		}
		res.NumRows, res.NumBytes, res.NumPhysicalBytes = &rows, &bytes, &physical
		if t.relkind == "p" {
			res.TimePartitioning, err = partitioning(r.Context(), tx, t.oid)
		}
		return err
	})
	if err != nil {
		writeError(w, toAPIError(err, s.opts.Project))
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// tableSize counts a table's rows, partition by partition, and weighs
// them with the partitions' column widths.
func tableSize(ctx context.Context, tx pgx.Tx, t *tableInfo, dataset, table string) (rows, bytes, physical int64, err error) {
	sizes, err := relationSizes(ctx, tx, dataset, table)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, sz := range sizes {
		rows += sz.rows
		bytes += sz.bytes
	}
	err = tx.QueryRow(ctx, `
		SELECT COALESCE(sum(pg_total_relation_size(relid)), 0)::int8
		FROM (SELECT relid FROM pg_partition_tree($1::int8::oid) WHERE isleaf
		      UNION SELECT $1::int8::oid) AS t`, t.oid).Scan(&physical)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("measure %s.%s on disk: %w", dataset, table, err)
	}
	return rows, bytes, physical, nil
}

var rangeBound = regexp.MustCompile(`^FOR VALUES FROM \('([^']*)'\) TO \('([^']*)'\)$`)

// partitioning describes a partitioned table as BigQuery time
// partitioning when it is partitioned by range of one date or timestamp
// column and every partition spans one hour, day, month or year. Other
// partitioning (lists, several columns, integer ranges) shows as none.
func partitioning(ctx context.Context, tx pgx.Tx, oid int64) (*timePartitioning, error) {
	var strategy, column, typ string
	var columns int
	err := tx.QueryRow(ctx, `
		SELECT p.partstrat::text, p.partnatts::int4, a.attname::text, format_type(a.atttypid, NULL)
		FROM pg_partitioned_table p
		JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
		WHERE p.partrelid = $1::int8::oid`, oid).Scan(&strategy, &columns, &column, &typ)
	if err == pgx.ErrNoRows {
		return nil, nil // partitioned by an expression
	}
	if err != nil {
		return nil, fmt.Errorf("read the partitioning: %w", err)
	}
	if strategy != "r" || columns != 1 || !slices.Contains([]string{"date", "timestamp without time zone", "timestamp with time zone"}, typ) {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `
		SELECT pg_get_expr(c.relpartbound, c.oid)
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = $1::int8::oid`, oid)
	if err != nil {
		return nil, fmt.Errorf("read the partition bounds: %w", err)
	}
	bounds, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read the partition bounds: %w", err)
	}
	granularity := ""
	for _, b := range bounds {
		m := rangeBound.FindStringSubmatch(b)
		if m == nil {
			continue // DEFAULT or MINVALUE/MAXVALUE bounds
		}
		g := spanOf(parseBound(m[1]), parseBound(m[2]))
		if g == "" || granularity != "" && g != granularity {
			return nil, nil
		}
		granularity = g
	}
	if granularity == "" {
		return nil, nil
	}
	return &timePartitioning{Type: granularity, Field: column}, nil
}

// parseBound reads a partition bound as PostgreSQL writes it in a UTC
// session; the zero time when it cannot.
func parseBound(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05.999999-07", "2006-01-02 15:04:05.999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// spanOf names the BigQuery partitioning granularity of [lo, hi).
func spanOf(lo, hi time.Time) string {
	switch {
	case lo.IsZero() || hi.IsZero():
		return ""
	case hi.Equal(lo.Add(time.Hour)):
		return "HOUR"
	case hi.Equal(lo.AddDate(0, 0, 1)):
		return "DAY"
	case hi.Equal(lo.AddDate(0, 1, 0)):
		return "MONTH"
	case hi.Equal(lo.AddDate(1, 0, 0)):
		return "YEAR"
	}
	return ""
}

// tableDataList is a TableDataList.
type tableDataList struct {
	Kind      string    `json:"kind"`
	TotalRows int64     `json:"totalRows,string"`
	PageToken string    `json:"pageToken,omitempty"`
	Rows      []rowJSON `json:"rows,omitempty"`
}

// listTableData serves tabledata.list: maxResults (at most PageRows),
// pageToken or startIndex, selectedFields and
// formatOptions.useInt64Timestamp. Pages come from sequential scans with
// synchronized scans off, which read an unchanged table in the same order
// every time, so offsets are stable.
func (s *Server) listTableData(w http.ResponseWriter, r *http.Request) {
	dataset, table := tableRequest(r)
	project := r.PathValue("project")
	q := r.URL.Query()
	start, apiErr := pageStart(q.Get("pageToken"), q.Get("startIndex"))
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	n := s.opts.PageRows
	if v := q.Get("maxResults"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 0 {
			writeError(w, invalid("Invalid maxResults: "+v))
			return
		}
		n = min(n, m)
	}
	resp := tableDataList{Kind: "bigquery#tableDataList"}
	err := s.inTransaction(r.Context(), &jobConfig{}, func(tx pgx.Tx) error {
		t, err := findTable(r.Context(), tx, project, dataset, table)
		if err != nil {
			return err
		}
		if t.relkind == "v" {
			return invalid("Cannot list a table of type VIEW.")
		}
		var cols []string
		for _, c := range t.columns {
			cols = append(cols, c.name)
		}
		if sel := q.Get("selectedFields"); sel != "" {
			var picked []string
			for _, f := range strings.Split(sel, ",") {
				i := slices.IndexFunc(cols, func(c string) bool { return strings.EqualFold(c, strings.TrimSpace(f)) })
				if i < 0 {
					return invalid(fmt.Sprintf("Invalid field selection %s", f))
				}
				picked = append(picked, cols[i])
			}
			cols = picked
		}
		name := pgx.Identifier{dataset, table}.Sanitize()
		if err := tx.QueryRow(r.Context(), "SELECT count(*) FROM "+name).Scan(&resp.TotalRows); err != nil {
			return err
		}
		if _, err := tx.Exec(r.Context(), "SET LOCAL synchronize_seqscans = off"); err != nil {
			return err
		}
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = pgx.Identifier{c}.Sanitize()
		}
		rows, err := tx.Query(r.Context(),
			fmt.Sprintf("SELECT %s FROM %s OFFSET %d LIMIT %d", strings.Join(quoted, ", "), name, start, n),
			pgx.QueryExecModeExec)
		if err != nil {
			return err
		}
		var page result
		if err := collect(rows, &page); err != nil {
			return err
		}
		resp.Rows = renderRows(page.rows, q.Get("formatOptions.useInt64Timestamp") == "true")
		if next := int64(start + len(page.rows)); next < resp.TotalRows && n > 0 {
			resp.PageToken = pageToken(int(next))
		}
		return nil
	})
	if err != nil {
		writeError(w, toAPIError(err, s.opts.Project))
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
