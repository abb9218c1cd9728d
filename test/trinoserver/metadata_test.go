package trinoserver

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/skimdata/skim/test/sqltext"
	"github.com/trinodb/trino-go-client/trino"
)

func translateSQL(t *testing.T, sql string) (string, []partitionsTable) {
	t.Helper()
	toks, err := sqltext.Trino.Lex(sql)
	if err == nil {
		toks, err = trimStatement(toks)
	}
	if err != nil {
		t.Fatalf("%q: %v", sql, err)
	}
	return translate(toks)
}

func TestTranslateMetadataNames(t *testing.T) {
	got, _ := translateSQL(t, `SELECT column_name FROM "demo".information_schema.columns WHERE table_name = 'events'`)
	if !strings.Contains(got, `'demo'::varchar AS table_catalog`) || !strings.HasSuffix(got, ` AS columns WHERE table_name = 'events'`) {
		t.Errorf("information_schema.columns translated to\n%s", got)
	}
	got, _ = translateSQL(t, `SELECT c.column_name FROM demo.information_schema.columns c`)
	if strings.Contains(got, "AS columns") || !strings.HasSuffix(got, ") c") {
		t.Errorf("an aliased information_schema.columns translated to\n%s", got)
	}
	got, _ = translateSQL(t, `SELECT * FROM demo.information_schema.tables`)
	if got != `SELECT * FROM information_schema.tables` {
		t.Errorf("other information_schema tables are PostgreSQL's: got %s", got)
	}

	got, parts := translateSQL(t, `SELECT * FROM "demo"."web"."events$partitions" p JOIN demo.web."events$partitions" q ON true JOIN "demo"."other"."events$partitions" ON true`)
	want := `SELECT * FROM pg_temp."events$partitions" p JOIN pg_temp."events$partitions" q ON true JOIN pg_temp."events$partitions_2" ON true`
	if got != want {
		t.Errorf("$partitions translated to\n got %s\nwant %s", got, want)
	}
	wantParts := []partitionsTable{
		{relation: `"web"."events"`, trinoName: "demo.web.events$partitions", temp: "events$partitions"},
		{relation: `"other"."events"`, trinoName: "demo.other.events$partitions", temp: "events$partitions_2"},
	}
	if !reflect.DeepEqual(parts, wantParts) {
		t.Errorf("$partitions tables %+v, want %+v", parts, wantParts)
	}
	if _, parts := translateSQL(t, `SELECT '"events$partitions"', "events$partitions", t."events$partitions" FROM t`); len(parts) != 0 {
		// A column of that name is no table.
		t.Errorf("a string and a column gave $partitions tables %+v", parts)
	}
}

func TestInformationSchemaColumnsNamesTrinoTypes(t *testing.T) {
	pool := testEnv.Pool(t)
	ctx := context.Background()
	for _, sql := range []string{
		`DROP SCHEMA IF EXISTS meta_types CASCADE`,
		`CREATE SCHEMA meta_types`,
		`CREATE TABLE meta_types.t (i8 int8, i4 int4, i2 int2, f8 float8, f4 float4, dec numeric(10,2), num numeric,
			txt text, vc varchar(20), ch char(3), b bool NOT NULL DEFAULT true, d date, ts timestamp(3), tstz timestamptz,
			js jsonb, bin bytea, u uuid, arr int8[], tarr text[], iv interval)`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	e := newTrinoEnv(t, pool, Options{})
	raw := rawClient{t, e.ts.URL}

	// The types information_schema names are those a query returns.
	pages := raw.run(`SELECT * FROM demo.meta_types.t`)
	var wantTypes []string
	for _, c := range pages[len(pages)-1].Columns {
		wantTypes = append(wantTypes, c.Name+" "+c.Type)
	}
	db := e.db(t, nil)
	rows, err := db.QueryContext(ctx, `SELECT table_catalog, table_schema, table_name, column_name, ordinal_position, is_nullable, data_type
		FROM "my_catalog".information_schema.columns WHERE table_schema = 'meta_types' AND table_name = 't' ORDER BY ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var gotTypes []string
	for rows.Next() {
		var catalogName, schema, table, column, nullable, typ string
		var position int64
		if err := rows.Scan(&catalogName, &schema, &table, &column, &position, &nullable, &typ); err != nil {
			t.Fatal(err)
		}
		if catalogName != "my_catalog" || schema != "meta_types" || table != "t" || position != int64(len(gotTypes)+1) {
			t.Errorf("row %s.%s.%s.%s at %d", catalogName, schema, table, column, position)
		}
		if want := map[bool]string{true: "NO", false: "YES"}[column == "b"]; nullable != want {
			t.Errorf("%s is_nullable %s, want %s", column, nullable, want)
		}
		gotTypes = append(gotTypes, column+" "+typ)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotTypes, wantTypes) {
		t.Errorf("information_schema.columns types\n got %q\nwant %q", gotTypes, wantTypes)
	}
	if len(gotTypes) != 20 || gotTypes[5] != "dec decimal(10,2)" || gotTypes[17] != "arr array(bigint)" {
		t.Errorf("unexpected types %q", gotTypes)
	}

	// Partitions are no tables of their own in Trino.
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM demo.information_schema.columns WHERE table_schema = 'web' AND table_name LIKE 'events%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 8 {
		t.Errorf("%d columns of tables named events*, want the 8 of web.events", n)
	}
}

func TestPartitionsTableInIcebergShape(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{})
	raw := rawClient{t, e.ts.URL}

	pages := raw.run(`SELECT * FROM "demo"."web"."events$partitions"`)
	last := pages[len(pages)-1]
	if last.Stats.State != "FINISHED" {
		t.Fatalf("state %s, error %+v", last.Stats.State, last.Error)
	}
	var columns []string
	for _, c := range last.Columns {
		columns = append(columns, c.Name+" "+c.Type)
	}
	if want := []string{"partition row(event_date date)", "record_count bigint", "file_count bigint", "total_size bigint"}; !reflect.DeepEqual(columns, want) {
		t.Fatalf("columns %q, want %q", columns, want)
	}
	const wantSignature = `{"rawType":"row","arguments":[{"kind":"NAMED_TYPE","value":{"fieldName":{"name":"event_date"},"typeSignature":{"rawType":"date","arguments":[]}}}]}`
	if got := string(last.Columns[0].TypeSignature); got != wantSignature {
		t.Errorf("partition type signature\n got %s\nwant %s", got, wantSignature)
	}
	var data [][]any
	for _, p := range pages {
		data = append(data, p.Data...)
	}
	if len(data) != testDemo.Days {
		t.Fatalf("%d partitions, want %d", len(data), testDemo.Days)
	}
	for i, row := range data {
		day := testDemo.End.AddDate(0, 0, i+1-testDemo.Days).Format(time.DateOnly)
		part, _ := json.Marshal(row[0])
		if string(part) != `["`+day+`"]` || row[1] != json.Number("20000") || row[2] != json.Number("1") {
			t.Errorf("partition %d: %v, want [%s] with 20000 records in 1 file", i, row, day)
		}
		if size, err := row[3].(json.Number).Int64(); err != nil || size < 1<<20 {
			t.Errorf("partition %d: total_size %v, want the heap's size", i, row[3])
		}
	}
	if ex := lastStatement(t, e).Executed; ex != `SELECT * FROM pg_temp."events$partitions"` {
		t.Errorf("executed %q", ex)
	}

	// trino-go-client decodes the ROW with its field name and type.
	db := e.db(t, nil)
	ctx := context.Background()
	var part trino.Row
	var records int64
	if err := db.QueryRowContext(ctx, `SELECT partition, record_count FROM demo.web."events$partitions" LIMIT 1`).Scan(&part, &records); err != nil {
		t.Fatal(err)
	}
	if part.Len() != 1 || part.Name(0) != "event_date" || records != 20000 {
		t.Errorf("first partition %+v with %d records", part, records)
	}
	if d, ok := part.Value(0).(time.Time); !ok || d.Format(time.DateOnly) != "2026-11-01" {
		t.Errorf("event_date %v (%T), want 2026-11-01", part.Value(0), part.Value(0))
	}

	// An unpartitioned table is one row of sizes.
	pages = raw.run(`SELECT * FROM demo.web."users$partitions"`)
	last = pages[len(pages)-1]
	columns = nil
	for _, c := range last.Columns {
		columns = append(columns, c.Name)
	}
	if want := []string{"record_count", "file_count", "total_size"}; !reflect.DeepEqual(columns, want) || len(last.Data) != 1 || last.Data[0][0] != json.Number("100000") {
		t.Errorf("users$partitions: columns %q, data %v; want one row of 100000 records", columns, last.Data)
	}

	_, err := db.QueryContext(ctx, `SELECT * FROM demo.web."nope$partitions"`)
	var trinoErr *trino.ErrTrino
	if !errors.As(err, &trinoErr) || trinoErr.ErrorName != "TABLE_NOT_FOUND" || !strings.Contains(trinoErr.Message, "demo.web.nope$partitions") {
		t.Errorf("unknown table: %v, want TABLE_NOT_FOUND naming it", err)
	}
}

func TestShowStats(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{})
	raw := rawClient{t, e.ts.URL}

	pages := raw.run(`SHOW STATS FOR demo.web.users`)
	last := pages[len(pages)-1]
	if last.Stats.State != "FINISHED" {
		t.Fatalf("state %s, error %+v", last.Stats.State, last.Error)
	}
	var columns []string
	for _, c := range last.Columns {
		columns = append(columns, c.Name+" "+c.Type)
	}
	want := []string{"column_name varchar", "data_size double", "distinct_values_count double", "nulls_fraction double",
		"row_count double", "low_value varchar", "high_value varchar"}
	if !reflect.DeepEqual(columns, want) {
		t.Fatalf("columns %q, want %q", columns, want)
	}
	byName := map[string][]any{}
	for _, row := range last.Data {
		name, _ := row[0].(string)
		byName[name] = row
	}
	if len(last.Data) != 5 || last.Data[4][0] != nil || last.Data[4][4] != json.Number("100000") {
		t.Fatalf("rows %v, want 4 columns and the summary row (row_count 100000) last", last.Data)
	}
	if id := byName["id"]; id[1] != nil || id[2] != json.Number("100000") || id[5] == nil || id[6] == nil {
		t.Errorf("id (bigint): %v, want no data_size, 100000 distinct values, low and high values", id)
	}
	if plan := byName["plan"]; plan[1] == nil || plan[2] != json.Number("3") || plan[3] != json.Number("0") {
		t.Errorf("plan (varchar): %v, want a data_size and 3 distinct values", plan)
	}

	pages = raw.run(`SHOW STATS FOR "demo"."web"."events"`)
	last = pages[len(pages)-1]
	if n := len(last.Data); n != 9 || last.Data[8][4] != json.Number("100000") {
		t.Errorf("events stats %v, want 8 columns and 100000 rows over all partitions", last.Data)
	}

	pages = raw.run(`SHOW STATS FOR demo.web.nope`)
	if last := pages[len(pages)-1]; last.Error == nil || last.Error.ErrorName != "TABLE_NOT_FOUND" {
		t.Errorf("unknown table: error %+v, want TABLE_NOT_FOUND", last.Error)
	}
}
