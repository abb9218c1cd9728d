package trinoserver

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trinodb/trino-go-client/trino"
)

// lastStatement returns the last statement the server received.
func lastStatement(t *testing.T, e *trinoEnv) Received {
	t.Helper()
	st := e.srv.Statements()
	if len(st) == 0 {
		t.Fatal("the server received no statement")
	}
	return st[len(st)-1]
}

func TestEveryTypeRoundTrips(t *testing.T) {
	pool := testEnv.Pool(t)
	ctx := context.Background()
	for _, sql := range []string{
		`DROP SCHEMA IF EXISTS types CASCADE`,
		`CREATE SCHEMA types`,
		`CREATE TABLE types.all_types (i8 int8, i4 int4, i2 int2, f8 float8, f4 float4, dec numeric(10,2),
			txt text, vc varchar(20), b bool, d date, ts timestamp, tstz timestamptz, js jsonb, bin bytea, arr int8[])`,
		`INSERT INTO types.all_types VALUES
			(9007199254740993, -5, 7, 1.25, 0.5, 12345.6, 'héllo', 'v', true, '2026-11-01',
			 '2026-11-01 10:00:00.123456', '2026-11-01 10:00:00+02', '{"a": [1, 2]}', '\x00ff10', '{1,NULL,3}'),
			(NULL, NULL, NULL, 'NaN', '-Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	e := newTrinoEnv(t, pool, Options{})

	// What the protocol carries: Trino's type names and JSON values.
	pages := rawClient{t, e.ts.URL}.run("SELECT * FROM demo.types.all_types ORDER BY i8 NULLS LAST")
	last := pages[len(pages)-1]
	if last.Stats.State != "FINISHED" {
		t.Fatalf("state %s, error %+v", last.Stats.State, last.Error)
	}
	var types []string
	for _, c := range last.Columns {
		types = append(types, c.Type)
	}
	wantTypes := []string{"bigint", "integer", "smallint", "double", "real", "decimal(10,2)", "varchar", "varchar(20)",
		"boolean", "date", "timestamp(6)", "timestamp(6) with time zone", "json", "varbinary", "array(bigint)"}
	if !reflect.DeepEqual(types, wantTypes) {
		t.Errorf("column types\n got %q\nwant %q", types, wantTypes)
	}
	if got, want := string(last.Columns[5].TypeSignature), `{"rawType":"decimal","arguments":[{"kind":"LONG","value":10},{"kind":"LONG","value":2}]}`; got != want {
		t.Errorf("decimal type signature %s, want %s", got, want)
	}
	if got, want := string(last.Columns[14].TypeSignature), `{"rawType":"array","arguments":[{"kind":"TYPE","value":{"rawType":"bigint","arguments":[]}}]}`; got != want {
		t.Errorf("array type signature %s, want %s", got, want)
	}
	var data [][]any
	for _, p := range pages {
		data = append(data, p.Data...)
	}
	row, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `[[9007199254740993,-5,7,1.25,0.5,"12345.60","héllo","v",true,"2026-11-01","2026-11-01 10:00:00.123456",` +
		`"2026-11-01 08:00:00.000000 UTC","{\"a\": [1, 2]}","AP8Q",[1,null,3]],` +
		`[null,null,null,"NaN","-Infinity",null,null,null,null,null,null,null,null,null,null]]`
	var got, want any
	decodeExact(t, row, &got)
	decodeExact(t, []byte(wantJSON), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("data\n got %s\nwant %s", row, wantJSON)
	}

	// What trino-go-client makes of it.
	db := e.db(t, nil)
	var (
		i8, i4, i2   sql.NullInt64
		f8, f4       sql.NullFloat64
		dec, txt, vc sql.NullString
		b            sql.NullBool
		d, ts, tstz  trino.NullTime
		js           sql.NullString
		bin          []byte
		arr          trino.NullSlice[sql.NullInt64]
	)
	rows, err := db.QueryContext(ctx, "SELECT * FROM types.all_types ORDER BY i8 NULLS LAST")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("no first row: %v", rows.Err())
	}
	if err := rows.Scan(&i8, &i4, &i2, &f8, &f4, &dec, &txt, &vc, &b, &d, &ts, &tstz, &js, &bin, &arr); err != nil {
		t.Fatal(err)
	}
	if i8.Int64 != 9007199254740993 || i4.Int64 != -5 || i2.Int64 != 7 || f8.Float64 != 1.25 || f4.Float64 != 0.5 {
		t.Errorf("numbers: %v %v %v %v %v", i8, i4, i2, f8, f4)
	}
	if dec.String != "12345.60" || txt.String != "héllo" || vc.String != "v" || !b.Bool || js.String != `{"a": [1, 2]}` {
		t.Errorf("decimal, text, boolean, json: %v %v %v %v %v", dec, txt, vc, b, js)
	}
	if got := d.Time.Format("2006-01-02"); got != "2026-11-01" {
		t.Errorf("date %s", got)
	}
	if got := ts.Time.Format("2006-01-02 15:04:05.000000"); got != "2026-11-01 10:00:00.123456" {
		t.Errorf("timestamp %s", got)
	}
	if want := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC); !tstz.Time.Equal(want) {
		t.Errorf("timestamp with time zone %s, want %s", tstz.Time, want)
	}
	if !bytes.Equal(bin, []byte{0x00, 0xff, 0x10}) {
		t.Errorf("varbinary %x", bin)
	}
	wantArr := []sql.NullInt64{{Int64: 1, Valid: true}, {}, {Int64: 3, Valid: true}}
	if !arr.Valid || !reflect.DeepEqual(arr.Slice, wantArr) {
		t.Errorf("array %+v", arr)
	}
	if !rows.Next() {
		t.Fatalf("no second row: %v", rows.Err())
	}
	if err := rows.Scan(&i8, &i4, &i2, &f8, &f4, &dec, &txt, &vc, &b, &d, &ts, &tstz, &js, &bin, &arr); err != nil {
		t.Fatal(err)
	}
	if i8.Valid || dec.Valid || txt.Valid || b.Valid || d.Valid || tstz.Valid || bin != nil || arr.Valid {
		t.Errorf("NULLs came back as values: %v %v %v %v %v %v %v %v", i8, dec, txt, b, d, tstz, bin, arr)
	}
	if !math.IsNaN(f8.Float64) || !math.IsInf(f4.Float64, -1) {
		t.Errorf("NaN and -Infinity came back as %v, %v", f8, f4)
	}
}

func decodeExact(t *testing.T, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestLargeResultStreamsInPages(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{})
	const n = 250000
	query := "SELECT g AS n, 'row ' || g AS label FROM generate_series(1, 250000) AS g"

	began := time.Now()
	pages := rawClient{t, e.ts.URL}.run(query)
	rows, withData := 0, 0
	for i, p := range pages {
		if len(p.Data) > 1000 {
			t.Errorf("page %d has %d rows, more than PageRows", i, len(p.Data))
		}
		if len(p.Data) > 0 {
			withData++
			if len(p.Columns) != 2 {
				t.Errorf("page %d has data but %d columns", i, len(p.Columns))
			}
		}
		rows += len(p.Data)
	}
	if rows != n || withData < n/1000 {
		t.Errorf("%d rows in %d pages with data, want %d in at least %d", rows, withData, n, n/1000)
	}
	t.Logf("raw client: %d rows in %d pages in %s", rows, len(pages), time.Since(began).Round(time.Millisecond))

	began = time.Now()
	db := e.db(t, nil)
	res, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var count, sum int64
	for res.Next() {
		var v int64
		var label string
		if err := res.Scan(&v, &label); err != nil {
			t.Fatal(err)
		}
		count++
		sum += v
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if count != n || sum != n*(n+1)/2 {
		t.Errorf("trino-go-client read %d rows summing to %d, want %d and %d", count, sum, n, n*(n+1)/2)
	}
	t.Logf("trino-go-client: %d rows in %s", count, time.Since(began).Round(time.Millisecond))
}

func TestPreparedStatementParameters(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{})
	db := e.db(t, nil)

	var id int64
	var plan string
	if err := db.QueryRow("SELECT id, plan FROM demo.web.users WHERE id = ?", 5).Scan(&id, &plan); err != nil {
		t.Fatal(err)
	}
	if id != 5 || plan == "" {
		t.Errorf("got user %d with plan %q", id, plan)
	}
	got := lastStatement(t, e)
	if got.SQL != "EXECUTE _trino_go USING 5" {
		t.Errorf("body %q, want the client's EXECUTE", got.SQL)
	}
	if want := "SELECT id, plan FROM demo.web.users WHERE id = 5"; got.Statement != want {
		t.Errorf("statement %q, want %q", got.Statement, want)
	}
	if want := "SELECT id, plan FROM web.users WHERE id = 5"; got.Executed != want {
		t.Errorf("executed %q, want %q", got.Executed, want)
	}
	if h := got.Headers.Get("X-Trino-Prepared-Statement"); !strings.HasPrefix(h, "_trino_go=") {
		t.Errorf("X-Trino-Prepared-Statement = %q", h)
	}

	// Several parameters of several types; a ? inside a literal stays.
	var n int64
	var s string
	err := db.QueryRow("SELECT count(*), max('?') FROM web.users WHERE id BETWEEN ? AND ? AND plan <> ? AND signup_date < ?",
		10, 20, "it's", trino.Date(2030, 1, 1)).Scan(&n, &s)
	if err != nil {
		t.Fatal(err)
	}
	if n != 11 || s != "?" {
		t.Errorf("got count %d and %q, want 11 and ?", n, s)
	}
	if want := "SELECT count(*), max('?') FROM web.users WHERE id BETWEEN 10 AND 20 AND plan <> 'it''s' AND signup_date < DATE '2030-01-01'"; lastStatement(t, e).Executed != want {
		t.Errorf("executed %q, want %q", lastStatement(t, e).Executed, want)
	}

	// Without explicit prepare the client sends EXECUTE IMMEDIATE.
	db = e.db(t, func(c *trino.Config) { c.DisableExplicitPrepare = true })
	if err := db.QueryRow("SELECT id FROM web.users WHERE id = ?", 7).Scan(&id); err != nil || id != 7 {
		t.Errorf("EXECUTE IMMEDIATE: got %d, %v", id, err)
	}
}

func TestErrorsSurfaceAsQueryFailed(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{})
	db := e.db(t, nil)
	cases := []struct{ sql, name, kind string }{
		{"SELECT * FROM demo.web.nope", "TABLE_NOT_FOUND", "USER_ERROR"},
		{"SELECT nope FROM demo.web.users", "COLUMN_NOT_FOUND", "USER_ERROR"},
		{"SELEKT 1", "SYNTAX_ERROR", "USER_ERROR"},
		{"SELECT 'x'::int", "GENERIC_INTERNAL_ERROR", "INTERNAL_ERROR"},
		{"EXECUTE nope", "NOT_FOUND", "USER_ERROR"},
	}
	for _, c := range cases {
		rows, err := db.Query(c.sql)
		if err == nil {
			rows.Close()
			t.Errorf("%s: no error", c.sql)
			continue
		}
		var failed *trino.ErrQueryFailed
		var trinoErr *trino.ErrTrino
		if !errors.As(err, &failed) || !errors.As(err, &trinoErr) {
			t.Errorf("%s: error %T %v, want *trino.ErrQueryFailed wrapping *trino.ErrTrino", c.sql, err, err)
			continue
		}
		if trinoErr.ErrorName != c.name || trinoErr.ErrorType != c.kind || trinoErr.Message == "" {
			t.Errorf("%s: got %s/%s %q, want %s/%s", c.sql, trinoErr.ErrorName, trinoErr.ErrorType, trinoErr.Message, c.name, c.kind)
		}
	}

	// The error comes on a page the client polls, not on the POST.
	pages := rawClient{t, e.ts.URL}.run("SELECT * FROM web.nope")
	if first := pages[0]; first.Error != nil || first.Stats.State != "QUEUED" || first.NextURI == "" {
		t.Errorf("POST answered state %s, error %+v; want QUEUED without error", first.Stats.State, first.Error)
	}
	last := pages[len(pages)-1]
	if last.status != http.StatusOK || last.Stats.State != "FAILED" || last.Error == nil ||
		last.Error.ErrorCode != 46 || last.Error.ErrorName != "TABLE_NOT_FOUND" {
		t.Errorf("last page: status %d, state %s, error %+v", last.status, last.Stats.State, last.Error)
	}
}

func TestSessionStatements(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{})
	db := e.db(t, func(c *trino.Config) {
		c.SessionProperties = map[string]string{"query_max_run_time": "1h"}
		c.ClientTags = []string{"skim", "test"}
		c.Source = "trinoserver-test"
		c.TraceToken = "trace-1"
	})
	ctx := context.Background()
	conn, err := db.Conn(ctx) // session changes live on one connection
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int64
	count := func(sql string) {
		t.Helper()
		if err := conn.QueryRowContext(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}

	count("SELECT count(*) FROM events")
	got := lastStatement(t, e)
	if got.User != "tester" || got.Catalog != "demo" || got.Schema != "web" || got.Source != "trinoserver-test" || got.TraceToken != "trace-1" {
		t.Errorf("received user %q catalog %q schema %q source %q trace %q", got.User, got.Catalog, got.Schema, got.Source, got.TraceToken)
	}
	if !reflect.DeepEqual(got.ClientTags, []string{"skim", "test"}) || got.Session["query_max_run_time"] != "1h" {
		t.Errorf("received tags %q, session %v", got.ClientTags, got.Session)
	}
	if n != int64(testDemo.Days*testDemo.RowsPerDay) {
		t.Errorf("count(*) of events through the schema header = %d", n)
	}

	if _, err := conn.ExecContext(ctx, "SET SESSION query_max_run_time = '10m'"); err != nil {
		t.Fatal(err)
	}
	count("SELECT 1")
	if s := lastStatement(t, e).Session; s["query_max_run_time"] != "10m" {
		t.Errorf("after SET SESSION the client sent %v", s)
	}
	if _, err := conn.ExecContext(ctx, "RESET SESSION query_max_run_time"); err != nil {
		t.Fatal(err)
	}
	count("SELECT 1")
	if s := lastStatement(t, e).Session; s["query_max_run_time"] != "" {
		t.Errorf("after RESET SESSION the client sent %v", s)
	}

	if _, err := conn.ExecContext(ctx, "USE demo.ref"); err != nil {
		t.Fatal(err)
	}
	count("SELECT count(*) FROM countries")
	if got := lastStatement(t, e); got.Schema != "ref" || n != int64(len(demoCountries())) {
		t.Errorf("after USE: schema %q, %d countries", got.Schema, n)
	}

	if _, err := conn.ExecContext(ctx, "PREPARE by_code FROM SELECT count(*) FROM ref.countries WHERE code = ?"); err != nil {
		t.Fatal(err)
	}
	count("EXECUTE by_code USING 'DE'")
	if got := lastStatement(t, e); n != 1 || got.Executed != "SELECT count(*) FROM ref.countries WHERE code = 'DE'" {
		t.Errorf("EXECUTE of a PREPAREd statement: %d rows, executed %q", n, got.Executed)
	}
	if _, err := conn.ExecContext(ctx, "DEALLOCATE PREPARE by_code"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.QueryContext(ctx, "EXECUTE by_code USING 'DE'"); err == nil {
		t.Errorf("EXECUTE after DEALLOCATE PREPARE succeeded")
	}

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM countries").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if id := lastStatement(t, e).Headers.Get("X-Trino-Transaction-Id"); len(id) != 36 {
		t.Errorf("statement in a transaction carried transaction id %q", id)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestCancelStopsPostgres(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{})
	db := e.db(t, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT pg_sleep(60)")
	if err == nil {
		rows.Close()
		t.Fatal("a 60 s query finished within 1.5 s")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Logf("query ended with %v", err)
	}

	id := lastStatement(t, e).ID
	deleted := false
	for _, r := range e.requestLog() {
		if r == "DELETE /v1/query/"+id {
			deleted = true
		}
	}
	if !deleted {
		t.Errorf("no DELETE /v1/query/%s reached the server; requests: %q", id, e.requestLog())
	}

	deadline := time.Now().Add(2 * time.Second)
	for {
		var running int
		err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE state = 'active' AND query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()`).Scan(&running)
		if err != nil {
			t.Fatal(err)
		}
		if running == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pg_sleep queries still running on PostgreSQL 2 s after the cancel", running)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if p := (rawClient{t, e.ts.URL}).do(http.MethodGet, e.ts.URL+"/v1/statement/executing/"+id+"/x/0", "", nil); p.status != http.StatusNotFound {
		t.Errorf("a page of the cancelled query answered %d, want 404", p.status)
	}
}

func TestOrderByRandLimit(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{})
	db := e.db(t, nil)
	rows, err := db.Query("SELECT country, user_id FROM iceberg.web.events ORDER BY rand() LIMIT 10")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Errorf("%d rows, want 10", n)
	}
	if want := "SELECT country, user_id FROM web.events ORDER BY random() LIMIT 10"; lastStatement(t, e).Executed != want {
		t.Errorf("executed %q, want %q", lastStatement(t, e).Executed, want)
	}
}

func TestTablesampleReadsFewerBytes(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{})
	c := rawClient{t, e.ts.URL}
	final := func(sql string) rawPage {
		t.Helper()
		pages := c.run(sql)
		last := pages[len(pages)-1]
		if last.Stats.State != "FINISHED" {
			t.Fatalf("%s: state %s, error %+v", sql, last.Stats.State, last.Error)
		}
		return last
	}
	total := int64(testDemo.Days * testDemo.RowsPerDay)

	full := final("SELECT count(*) FROM demo.web.events")
	sample := final("SELECT count(*) FROM demo.web.events TABLESAMPLE SYSTEM (1)")
	oneDay := final("SELECT count(*) FROM demo.web.events WHERE event_date = DATE '2026-11-03'")
	t.Logf("full scan:    %d rows, %d processed bytes, %d physical bytes, %d splits", full.Stats.ProcessedRows, full.Stats.ProcessedBytes, full.Stats.PhysicalInputBytes, full.Stats.TotalSplits)
	t.Logf("1%% sample:    %d rows, %d processed bytes, %d physical bytes", sample.Stats.ProcessedRows, sample.Stats.ProcessedBytes, sample.Stats.PhysicalInputBytes)
	t.Logf("one day:      %d rows, %d processed bytes, %d physical bytes, %d splits", oneDay.Stats.ProcessedRows, oneDay.Stats.ProcessedBytes, oneDay.Stats.PhysicalInputBytes, oneDay.Stats.TotalSplits)

	if full.Stats.ProcessedRows != total || full.Stats.TotalSplits != testDemo.Days {
		t.Errorf("full scan read %d rows from %d tables, want %d from %d", full.Stats.ProcessedRows, full.Stats.TotalSplits, total, testDemo.Days)
	}
	// About 300 bytes a row in about 8 KiB blocks.
	if full.Stats.PhysicalInputBytes < total*200 || full.Stats.ProcessedBytes < total*200 {
		t.Errorf("full scan: %d physical and %d processed bytes for %d rows; too few", full.Stats.PhysicalInputBytes, full.Stats.ProcessedBytes, total)
	}
	if sample.Stats.PhysicalInputBytes*10 > full.Stats.PhysicalInputBytes || sample.Stats.ProcessedBytes*10 > full.Stats.ProcessedBytes {
		t.Errorf("TABLESAMPLE SYSTEM (1) read %d physical / %d processed bytes, not well below the full scan's %d / %d",
			sample.Stats.PhysicalInputBytes, sample.Stats.ProcessedBytes, full.Stats.PhysicalInputBytes, full.Stats.ProcessedBytes)
	}
	if oneDay.Stats.TotalSplits != 1 || oneDay.Stats.ProcessedRows != int64(testDemo.RowsPerDay) {
		t.Errorf("a one-day query read %d rows from %d tables; partition pruning should leave one", oneDay.Stats.ProcessedRows, oneDay.Stats.TotalSplits)
	}
	if before := final("SELECT 1"); before.Stats.PhysicalInputBytes != 0 || before.Stats.ProcessedRows != 0 {
		t.Errorf("SELECT 1 reports %d bytes and %d rows read", before.Stats.PhysicalInputBytes, before.Stats.ProcessedRows)
	}
}

func TestProtocol(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{PageRows: 10})
	c := rawClient{t, e.ts.URL}

	if p := c.do(http.MethodPost, e.ts.URL+"/v1/statement", "SELECT 1", nil); p.status != http.StatusBadRequest {
		t.Errorf("POST without X-Trino-User: %d, want 400", p.status)
	}
	if p := c.post("  "); p.status != http.StatusBadRequest {
		t.Errorf("POST of an empty statement: %d, want 400", p.status)
	}

	first := c.post("SELECT g FROM generate_series(1, 25) AS g")
	if first.status != http.StatusOK || first.Stats.State != "QUEUED" || first.Data != nil || first.ID == "" ||
		!strings.Contains(first.NextURI, "/v1/statement/queued/"+first.ID+"/") || !strings.HasPrefix(first.InfoURI, e.ts.URL) {
		t.Fatalf("POST answered %d %s", first.status, first.body)
	}
	if got := lastStatement(t, e).Executed; got != "" {
		t.Errorf("the query started before its client polled: executed %q", got)
	}
	if p := c.do(http.MethodHead, first.NextURI, "", nil); p.status != http.StatusOK {
		t.Errorf("HEAD of nextUri: %d, want 200", p.status)
	}
	queued := c.do(http.MethodGet, first.NextURI, "", nil)
	if queued.status != http.StatusOK || !strings.Contains(queued.NextURI, "/v1/statement/executing/") {
		t.Fatalf("queued page: %d %s", queued.status, queued.body)
	}
	if again := c.do(http.MethodGet, first.NextURI, "", nil); !bytes.Equal(again.body, queued.body) {
		t.Errorf("a retried GET got a different page:\n%s\n%s", again.body, queued.body)
	}
	page1 := c.do(http.MethodGet, queued.NextURI, "", nil)
	for len(page1.Data) == 0 && page1.NextURI != "" { // a page may come before the rows
		page1 = c.do(http.MethodGet, page1.NextURI, "", nil)
	}
	if len(page1.Data) != 10 || len(page1.Columns) != 1 {
		t.Fatalf("first data page: %s", page1.body)
	}
	if p := c.do(http.MethodGet, first.NextURI, "", nil); p.status != http.StatusGone {
		t.Errorf("GET of an old page: %d, want 410", p.status)
	}
	page2 := c.do(http.MethodGet, page1.NextURI, "", nil)
	if again := c.do(http.MethodGet, page1.NextURI, "", nil); !bytes.Equal(again.body, page2.body) || len(page2.Data) != 10 {
		t.Errorf("a retried GET got a different page, or the second page has %d rows", len(page2.Data))
	}
	if len(page2.Columns) != 1 {
		t.Errorf("the columns are not on every page after the first: %s", page2.body)
	}
	rest := c.do(http.MethodGet, page2.NextURI, "", nil)
	for rest.NextURI != "" {
		rest = c.do(http.MethodGet, rest.NextURI, "", nil)
	}
	if rest.Stats.State != "FINISHED" || rest.Error != nil {
		t.Errorf("last page: %s", rest.body)
	}

	unknown := strings.Replace(page1.NextURI, first.ID, "20261101_000000_00000_xxxxx", 1)
	if p := c.do(http.MethodGet, unknown, "", nil); p.status != http.StatusNotFound {
		t.Errorf("GET of an unknown query: %d, want 404", p.status)
	}

	cancelled := c.post("SELECT 1")
	if p := c.do(http.MethodDelete, cancelled.NextURI, "", nil); p.status != http.StatusNoContent {
		t.Errorf("DELETE of nextUri: %d, want 204", p.status)
	}
	if p := c.do(http.MethodGet, cancelled.NextURI, "", nil); p.status != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d, want 404", p.status)
	}

	info := c.do(http.MethodGet, e.ts.URL+"/v1/info", "", nil)
	var doc map[string]any
	if err := json.Unmarshal(info.body, &doc); err != nil || doc["nodeVersion"].(map[string]any)["version"] != "468" ||
		doc["coordinator"] != true || doc["starting"] != false || doc["environment"] != "test" {
		t.Errorf("/v1/info: %s (%v)", info.body, err)
	}
	if p := c.do(http.MethodGet, e.ts.URL+"/v1/nope", "", nil); p.status != http.StatusNotFound {
		t.Errorf("unknown path: %d, want 404", p.status)
	}

	// Control statements answer with Trino's headers on the final page.
	pages := c.run("SET SESSION query_max_run_time = '5m'")
	last := pages[len(pages)-1]
	if last.header.Get("X-Trino-Set-Session") != "query_max_run_time=5m" || last.UpdateType != "SET SESSION" {
		t.Errorf("SET SESSION final page: headers %v, body %s", last.header, last.body)
	}
}

func TestAbandonedQueryIsCancelled(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{IdleTimeout: 300 * time.Millisecond})
	c := rawClient{t, e.ts.URL}
	first := c.post("SELECT pg_sleep(30)")
	c.do(http.MethodGet, first.NextURI, "", nil) // starts it
	time.Sleep(time.Second)
	if p := c.do(http.MethodGet, first.NextURI, "", nil); p.status != http.StatusNotFound {
		t.Errorf("an abandoned query still answers: %d", p.status)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		var running int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE state = 'active' AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()`).Scan(&running); err != nil {
			t.Fatal(err)
		}
		if running == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the abandoned query still runs on PostgreSQL")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestUpdateStatements(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{})
	db := e.db(t, nil)
	for _, sql := range []string{"DROP TABLE IF EXISTS scratch", "CREATE TABLE scratch (v bigint)"} {
		if _, err := db.Exec(sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	res, err := db.Exec("INSERT INTO demo.web.scratch VALUES (1), (2), (3)")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 3 {
		t.Errorf("INSERT affected %d rows (%v), want 3", n, err)
	}
	// VACUUM cannot run in a transaction block; the schema header still applies.
	if _, err := db.Exec("VACUUM ANALYZE scratch"); err != nil {
		t.Errorf("VACUUM: %v", err)
	}
	if _, err := db.Exec("DROP TABLE scratch"); err != nil {
		t.Fatal(err)
	}
}
