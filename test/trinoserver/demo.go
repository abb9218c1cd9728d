package trinoserver

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/skimdata/skim/test/demodata"
	"github.com/skimdata/skim/test/sqltext"
	"go.uber.org/zap"
)

// DemoOptions size the demo dataset. The zero value is the full demo:
// 30 days of 100,000 events ending 2026-11-25 in schema web.
type DemoOptions struct {
	// Schema holds the events and users tables; default "web". The
	// countries table is always ref.countries.
	Schema string
	// Days is the number of daily partitions; default 30.
	Days int
	// RowsPerDay is the number of events per day; default 100,000.
	RowsPerDay int
	// End is the last day loaded (inclusive); default 2026-11-25.
	End time.Time
}

// demoUsers is the number of rows of the users table, and the range of
// the events' user_id.
const demoUsers = 100000

// demoCountries returns the country codes of events and users, with names.
func demoCountries() [][2]string {
	return [][2]string{
		{"US", "United States"}, {"GB", "United Kingdom"}, {"DE", "Germany"}, {"FR", "France"},
		{"IN", "India"}, {"BR", "Brazil"}, {"JP", "Japan"}, {"CA", "Canada"},
		{"AU", "Australia"}, {"ES", "Spain"}, {"IT", "Italy"}, {"NL", "Netherlands"},
		{"SE", "Sweden"}, {"PL", "Poland"}, {"MX", "Mexico"}, {"KR", "South Korea"},
		{"ZA", "South Africa"}, {"NG", "Nigeria"}, {"AR", "Argentina"}, {"ID", "Indonesia"},
	}
}

// pickCountry is the SQL choosing a country code by the hash h.
func pickCountry(h string) string {
	codes := make([]string, len(demoCountries()))
	for i, c := range demoCountries() {
		codes[i] = c[0]
	}
	return demodata.Pick(h, codes...)
}

// eventsInsertSQL fills one partition with the events numbered $2..$3 of
// day $1. Page paths are 6 fixed ones and 44 product pages; properties is
// a JSON-like text of about 200 bytes.
func eventsInsertSQL(partition string) string {
	return `INSERT INTO ` + partition + ` (event_date, event_ts, user_id, session_id, event_type, page, country, properties)
SELECT $1::date,
       $1::date + (h1 % 86400000) * interval '1 millisecond',
       1 + h2 % ` + strconv.Itoa(demoUsers) + `,
       's-' || lpad(to_hex(h3 % 4294967296), 8, '0'),
       CASE WHEN h4 % 100 < 55 THEN 'view' WHEN h4 % 100 < 80 THEN 'click'
            WHEN h4 % 100 < 95 THEN 'scroll' ELSE 'purchase' END,
       CASE WHEN h5 % 50 < 6 THEN (ARRAY['/', '/search', '/cart', '/checkout', '/account', '/help'])[1 + h5 % 50]
            ELSE '/products/' || (h5 % 50 - 5) END,
       ` + pickCountry("h6") + `,
       format('{"browser":"%s","os":"%s","referrer":"https://search.example.com/q/%s","campaign":"cmp-%s","screen":"%sx%s","experiment":"exp-%s","variant":"%s","tags":["t%s","t%s"],"v":1}',
              ` + demodata.Pick("h7", "chrome", "firefox", "safari", "edge") + `,
              (ARRAY['android', 'ios', 'windows', 'macos', 'linux'])[1 + h7 / 4 % 5],
              lpad(to_hex(h8), 16, '0'), h8 % 1000,
              320 + h7 % 8 * 160, 480 + h7 % 5 * 120,
              lpad(to_hex(h9 % 65536), 4, '0'), ` + demodata.Pick("h9", "a", "b", "c") + `,
              h9 % 97, h9 % 89)
FROM (SELECT g, ` + demodata.Hash(1) + ` AS h1, ` + demodata.Hash(2) + ` AS h2, ` + demodata.Hash(3) + ` AS h3,
             ` + demodata.Hash(4) + ` AS h4, ` + demodata.Hash(5) + ` AS h5, ` + demodata.Hash(6) + ` AS h6,
             ` + demodata.Hash(7) + ` AS h7, ` + demodata.Hash(8) + ` AS h8, ` + demodata.Hash(9) + ` AS h9
      FROM generate_series($2::int8, $3::int8) AS g) AS r`
}

// LoadDemo (re)creates the demo dataset: schema opts.Schema with
// events, declaratively partitioned by day (events_YYYYMMDD), and users,
// plus ref.countries; then ANALYZEs them. It also creates the Trino
// functions skim's rewrites call (CreateFunctions). Every value derives from hashes
// of the row number, so loads are identical. Existing schemas of those
// names are dropped first. Days load in parallel on the pool's
// connections.
func LoadDemo(ctx context.Context, pool *pgxpool.Pool, opts DemoOptions, log *zap.Logger) error {
	if opts.Schema == "" {
		opts.Schema = "web"
	}
	if opts.Days <= 0 {
		opts.Days = 30
	}
	if opts.RowsPerDay <= 0 {
		opts.RowsPerDay = 100000
	}
	if opts.End.IsZero() {
		opts.End = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	}
	if log == nil {
		log = zap.NewNop()
	}
	began := time.Now()
	schema := pgx.Identifier{opts.Schema}.Sanitize()
	days := demodata.Days(opts.End, opts.Days, opts.RowsPerDay)
	first := days[0].Date

	ddl := []string{
		`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`,
		`DROP SCHEMA IF EXISTS ref CASCADE`,
		`CREATE SCHEMA ` + schema,
		`CREATE SCHEMA ref`,
		`CREATE TABLE ` + schema + `.events (event_date date, event_ts timestamp, user_id bigint, session_id text,
			event_type text, page text, country text, properties text) PARTITION BY RANGE (event_date)`,
		`CREATE TABLE ` + schema + `.users (id bigint PRIMARY KEY, country text, signup_date date, plan text)`,
		`CREATE TABLE ref.countries (code text PRIMARY KEY, name text)`,
	}
	partition := func(day time.Time) string { return demodata.PartitionName(schema+".events", day) }
	for _, day := range days {
		ddl = append(ddl, fmt.Sprintf(`CREATE TABLE %s PARTITION OF %s.events FOR VALUES FROM ('%s') TO ('%s')`,
			partition(day.Date), schema, day.Date.Format(dateLayout), day.Date.AddDate(0, 0, 1).Format(dateLayout)))
	}
	if err := demodata.Exec(ctx, pool, ddl...); err != nil {
		return fmt.Errorf("create the demo tables: %w", err)
	}

	if err := CreateFunctions(ctx, pool); err != nil {
		return err
	}
	insert := func(day demodata.Day) string { return eventsInsertSQL(partition(day.Date)) }
	if err := demodata.LoadDays(ctx, pool, days, insert, log); err != nil {
		return err
	}

	var values []string
	for _, c := range demoCountries() {
		values = append(values, fmt.Sprintf("('%s', '%s')", c[0], c[1]))
	}
	rest := []string{
		`INSERT INTO ref.countries VALUES ` + strings.Join(values, ", "),
		`INSERT INTO ` + schema + `.users
		 SELECT g,
		        ` + pickCountry(demodata.Hash(11)) + `,
		        DATE '` + first.Format(dateLayout) + `' - (` + demodata.Hash(12) + ` % 730)::int,
		        ` + demodata.Pick(demodata.Hash(13), "free", "free", "free", "pro", "team") + `
		 FROM generate_series(1, ` + strconv.Itoa(demoUsers) + `) AS g`,
		// ANALYZE of a partitioned table also analyzes its partitions.
		`ANALYZE ` + schema + `.events, ` + schema + `.users, ref.countries`,
	}
	if err := demodata.Exec(ctx, pool, rest...); err != nil {
		return fmt.Errorf("load the demo tables: %w", err)
	}
	log.Info("demo dataset loaded",
		zap.String("schema", opts.Schema),
		zap.Int("days", opts.Days),
		zap.Int("events", opts.Days*opts.RowsPerDay),
		zap.Int("users", demoUsers),
		zap.Duration("took", time.Since(began).Round(time.Millisecond)))
	return nil
}

// demoFileBytes is the size of the pretend data files of DemoCatalog.
// PostgreSQL's own segments are 1 GiB, which would make every demo
// partition a single file; pretending 8 MiB files gives TABLESAMPLE
// several units per partition to choose from, as real Hive or Iceberg
// partitions have.
const demoFileBytes = 8 << 20

// DemoCatalog describes every table of the database outside the system
// schemas, measured by PostgreSQL itself, as a skim static catalog (YAML)
// with names catalogName.schema.table. Rows are pg_class.reltuples (run
// ANALYZE first), bytes pg_total_relation_size, files the heap size in
// pretend 8 MiB files (at least 1), column bytes pg_stats.avg_width × rows.
// A declaratively partitioned table lists its partitions with the values of
// their lower bounds.
func DemoCatalog(ctx context.Context, pool *pgxpool.Pool, catalogName string) ([]byte, error) {
	type table struct {
		oid          uint32
		schema, name string
		partitioned  bool
	}
	rows, err := pool.Query(ctx, `
		SELECT c.oid, n.nspname, c.relname, c.relkind = 'p'
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
		  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
		ORDER BY n.nspname, c.relname`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var tables []table
	var t table
	if _, err := pgx.ForEachRow(rows, []any{&t.oid, &t.schema, &t.name, &t.partitioned}, func() error {
		tables = append(tables, t)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}

	var b strings.Builder
	b.WriteString("# skim static catalog generated by trinoserver.DemoCatalog from PostgreSQL's statistics.\n")
	fmt.Fprintf(&b, "# files count pretend %d MiB data files, so that sampling has several units per partition.\n", demoFileBytes>>20)
	b.WriteString("tables:\n")
	m := pgtype.NewMap()
	for _, t := range tables {
		parts, err := demoPartitions(ctx, pool, t.oid, t.partitioned)
		if err != nil {
			return nil, fmt.Errorf("measure %s.%s: %w", t.schema, t.name, err)
		}
		var total demoPartition
		for _, p := range parts {
			total.rows += p.rows
			total.bytes += p.bytes
			total.files += p.files
		}
		fmt.Fprintf(&b, "  - name: %s\n", yamlString(catalogName+"."+t.schema+"."+t.name))
		fmt.Fprintf(&b, "    rows: %d\n    bytes: %d\n    files: %d\n", total.rows, total.bytes, total.files)
		columns, err := demoColumns(ctx, pool, m, t.oid, t.schema, t.name, t.partitioned, total.rows)
		if err != nil {
			return nil, fmt.Errorf("describe the columns of %s.%s: %w", t.schema, t.name, err)
		}
		fmt.Fprintf(&b, "    columns: [%s]\n", strings.Join(columns, ", "))
		if !t.partitioned {
			continue
		}
		keys, err := partitionKeys(ctx, pool, t.oid)
		if err != nil {
			return nil, fmt.Errorf("read the partitioning of %s.%s: %w", t.schema, t.name, err)
		}
		quoted := make([]string, len(keys))
		for i, k := range keys {
			quoted[i] = yamlString(k)
		}
		fmt.Fprintf(&b, "    partitioning: {columns: [%s]}\n", strings.Join(quoted, ", "))
		b.WriteString("    partitions:\n")
		for _, p := range parts {
			if len(p.values) != len(keys) {
				continue // a DEFAULT or MINVALUE partition has no values to list
			}
			values := make([]string, len(keys))
			for i, k := range keys {
				values[i] = yamlString(k) + ": " + strconv.Quote(p.values[i])
			}
			fmt.Fprintf(&b, "      - {values: {%s}, rows: %d, bytes: %d, files: %d}\n", strings.Join(values, ", "), p.rows, p.bytes, p.files)
		}
	}
	return []byte(b.String()), nil
}

// demoPartition is the measure of a table or one of its partitions.
type demoPartition struct {
	values             []string
	rows, bytes, files int64
}

// demoPartitions measures a partitioned table's partitions, or a plain
// table as its single part.
func demoPartitions(ctx context.Context, pool *pgxpool.Pool, oid uint32, partitioned bool) ([]demoPartition, error) {
	where := `c.oid = $1`
	if partitioned {
		where = `c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $1)`
	}
	rows, err := pool.Query(ctx, `
		SELECT coalesce(pg_get_expr(c.relpartbound, c.oid), ''),
		       greatest(c.reltuples, 0)::int8,
		       pg_total_relation_size(c.oid),
		       greatest(1, pg_relation_size(c.oid) / `+strconv.Itoa(demoFileBytes)+`)
		FROM pg_class c
		WHERE `+where+`
		ORDER BY c.relname`, oid)
	if err != nil {
		return nil, err
	}
	var parts []demoPartition
	var bound string
	var p demoPartition
	if _, err := pgx.ForEachRow(rows, []any{&bound, &p.rows, &p.bytes, &p.files}, func() error {
		p.values = boundValues(bound)
		parts = append(parts, p)
		return nil
	}); err != nil {
		return nil, err
	}
	return parts, nil
}

// boundValues reads the lower bound of a range partition ("FOR VALUES FROM
// ('2026-11-01') TO (...)") or the value of a one-value list partition
// ("FOR VALUES IN ('x')"), one value per partitioning column; nil for
// other bounds.
func boundValues(bound string) []string {
	toks, err := sqltext.Trino.Lex(bound)
	if err != nil {
		return nil
	}
	w := sqltext.Words(toks)
	for i := 0; i+1 < len(w); i++ {
		if !(w[i].Is("from") || w[i].Is("in")) || w[i+1].Text != "(" {
			continue
		}
		var values []string
		for _, t := range w[i+2:] {
			switch {
			case t.Text == ")":
				return values
			case t.Text == ",":
			case t.Kind == sqltext.String:
				values = append(values, stringValue(t))
			case t.Kind == sqltext.Number:
				values = append(values, t.Text)
			default:
				return nil // MINVALUE, MAXVALUE or an expression
			}
		}
	}
	return nil
}

// demoColumns renders the columns of a table as YAML flow mappings.
func demoColumns(ctx context.Context, pool *pgxpool.Pool, m *pgtype.Map, oid uint32, schema, name string, partitioned bool, tableRows int64) ([]string, error) {
	rows, err := pool.Query(ctx, `
		SELECT a.attname, a.atttypid, a.atttypmod, coalesce(s.avg_width, 0)
		FROM pg_attribute a
		LEFT JOIN pg_stats s ON s.schemaname = $2 AND s.tablename = $3 AND s.attname = a.attname AND s.inherited = $4
		WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY a.attnum`, oid, schema, name, partitioned)
	if err != nil {
		return nil, err
	}
	var out []string
	var col string
	var typ uint32
	var typmod, width int32
	if _, err := pgx.ForEachRow(rows, []any{&col, &typ, &typmod, &width}, func() error {
		entry := "{name: " + yamlString(col) + ", type: " + yamlString(typeOf(m, typ, typmod).name)
		if width > 0 {
			entry += ", bytes: " + strconv.FormatInt(int64(width)*tableRows, 10)
		}
		out = append(out, entry+"}")
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// partitionKeys returns the partitioning columns of a partitioned table.
func partitionKeys(ctx context.Context, pool *pgxpool.Pool, oid uint32) ([]string, error) {
	rows, err := pool.Query(ctx, `
		SELECT a.attname
		FROM pg_partitioned_table p,
		     unnest(p.partattrs::int2[]) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = $1 AND a.attnum = k.attnum
		WHERE p.partrelid = $1
		ORDER BY k.ord`, oid)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// yamlString writes s plain when that is safe, else double-quoted (Go's
// quoting of printable text is valid YAML).
func yamlString(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~":
		return strconv.Quote(s)
	}
	for i, r := range s {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || !(r == '.' || (r >= '0' && r <= '9'))) {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}
