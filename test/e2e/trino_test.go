package e2e

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	ptrino "github.com/skimdata/skim/proxy/trino"
	"github.com/skimdata/skim/test/trinoserver"
	"github.com/trinodb/trino-go-client/trino"
)

// createAllTypes creates demo.e2e.all_types, a table with a column of every
// type the test server maps, NULLs, NaN and infinities included, and a
// json value holding a page-like URL, which skim must leave alone.
func createAllTypes(t *testing.T) {
	t.Helper()
	for _, stmt := range []string{
		`DROP SCHEMA IF EXISTS e2e CASCADE`,
		`CREATE SCHEMA e2e`,
		`CREATE TABLE e2e.all_types (i8 int8, i4 int4, i2 int2, f8 float8, f4 float4, dec numeric(10,2),
			txt text, vc varchar(20), ch char(3), b bool, d date, ts timestamp, tstz timestamptz, js jsonb,
			bin bytea, arr int8[], u uuid)`,
		`INSERT INTO e2e.all_types VALUES
			(9007199254740993, -5, 7, 1.25, 0.5, 12345.6, 'héllo "q" \n', 'v', 'ab', true, '2026-11-01',
			 '2026-11-01 10:00:00.123456', '2026-11-01 10:00:00+02', '{"a": [1, 2], "uri": "http://x/v1/statement/1"}',
			 '\x00ff10', '{1,NULL,3}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
			(-1, 0, 0, 'NaN', '-Infinity', -0.01, '', '', '', false, '1970-01-01', '1970-01-01 00:00:00',
			 '1970-01-01 00:00:00+00', '[]', '', '{}', NULL),
			(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
	} {
		if _, err := env.pool.Exec(context.Background(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// TestPassthroughRowsIntact checks that a statement skim does not rewrite
// reaches the upstream byte for byte and that its rows, every type and
// every page, come back as they do straight from the server.
func TestPassthroughRowsIntact(t *testing.T) {
	s := startSkim(t, ptrino.Options{})
	createAllTypes(t)
	viaSkim := openTrino(t, s.url, "")
	direct := openTrino(t, env.upstreamURL, "")
	raw := newRawClient(t)
	for _, query := range []string{
		"SELECT * FROM web.users ORDER BY id LIMIT 500",
		// 2,500 rows: three pages.
		"SELECT * FROM events WHERE event_date = DATE '2026-11-20' ORDER BY event_ts, user_id, session_id, properties LIMIT 2500",
		"SELECT * FROM demo.e2e.all_types ORDER BY i8 NULLS LAST",
	} {
		t.Run(query, func(t *testing.T) {
			resetUpstream(t)
			gotTypes, got := queryRows(t, viaSkim, query)
			if st := env.upstream.Statements(); len(st) != 1 || st[0].SQL != query {
				t.Errorf("the upstream received %+v, want exactly %q", st, query)
			}
			wantTypes, want := queryRows(t, direct, query)
			if len(want) == 0 {
				t.Fatal("the query returned no rows")
			}
			if !reflect.DeepEqual(gotTypes, wantTypes) {
				t.Errorf("columns through skim %q, direct %q", gotTypes, wantTypes)
			}
			if len(got) != len(want) {
				t.Fatalf("%d rows through skim, %d direct", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("row %d through skim\n%q\ndirect\n%q", i, got[i], want[i])
				}
			}
			// The wire too: the same row JSON and column descriptions.
			skimPages, directPages := raw.run(s.url, query), raw.run(env.upstreamURL, query)
			if a, b := wireRows(skimPages), wireRows(directPages); a != b {
				t.Errorf("the rows' JSON differs through skim:\n%.500s\ndirect:\n%.500s", a, b)
			}
			if a, b := string(finalPage(t, skimPages).Columns[0]), string(finalPage(t, directPages).Columns[0]); a != b {
				t.Errorf("first column through skim %s, direct %s", a, b)
			}
		})
	}
}

// wireRows is the JSON of every row of pages, one a line.
func wireRows(pages []rawPage) string {
	var b strings.Builder
	for _, p := range pages {
		for _, row := range p.Data {
			b.Write(row)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestRandLimitThroughGoClient checks the rewrite reaches the upstream:
// the sample runs, its fallbacks are posted but never started and are
// cancelled once the sample has its rows.
func TestRandLimitThroughGoClient(t *testing.T) {
	s := startSkim(t, ptrino.Options{})
	db := openTrino(t, s.url, "")
	resetUpstream(t)
	const query = "SELECT user_id, page FROM events ORDER BY rand() LIMIT 1000"
	_, rows := queryRows(t, db, query)
	if len(rows) != 1000 {
		t.Errorf("got %d rows, want 1000", len(rows))
	}
	st := env.upstream.Statements()
	if len(st) < 2 {
		t.Fatalf("the upstream received %d statements, want the sample and its fallbacks: %+v", len(st), st)
	}
	sample := st[0]
	if sample.SQL == query || !strings.Contains(sample.SQL, "ORDER BY rand() LIMIT 1000") ||
		!(strings.Contains(sample.SQL, "TABLESAMPLE") || strings.Contains(sample.SQL, "event_date IN")) {
		t.Errorf("the first statement is not a sample of the query: %q", sample.SQL)
	}
	if sample.Executed == "" {
		t.Errorf("the sample never started")
	}
	if last := st[len(st)-1]; last.SQL != query {
		t.Errorf("the last fallback is %q, want the original statement", last.SQL)
	}
	deleted := map[string]bool{}
	for _, r := range env.requests.all() {
		if r.Method == http.MethodDelete {
			deleted[queryID(r.Path)] = true
		}
	}
	for _, fb := range st[1:] {
		if fb.Executed != "" {
			t.Errorf("fallback %q ran although the sample had its rows", fb.SQL)
		}
		if !deleted[fb.ID] {
			t.Errorf("fallback %s was not cancelled", fb.ID)
		}
	}
}

// TestPreparedStatements runs queries with arguments, which
// trino-go-client sends as EXECUTE _trino_go USING … with the statement in
// X-Trino-Prepared-Statement: skim must find, rewrite and pass it there.
func TestPreparedStatements(t *testing.T) {
	s := startSkim(t, ptrino.Options{})
	db := openTrino(t, s.url, "")
	direct := openTrino(t, env.upstreamURL, "")
	for _, tc := range []struct {
		name, query string
		args        []any
		rewritten   bool
		check       func(t *testing.T, rows [][]string)
	}{{
		name:  "passthrough",
		query: "SELECT id, country, plan FROM users WHERE id BETWEEN ? AND ? ORDER BY id",
		args:  []any{int64(10), int64(20)},
		check: func(t *testing.T, rows [][]string) {
			if len(rows) != 11 || rows[0][0] != "10" || rows[10][0] != "20" {
				t.Errorf("rows %q, want ids 10 to 20", rows)
			}
		},
	}, {
		name:      "rand limit",
		query:     "SELECT user_id, country FROM events WHERE country = ? ORDER BY rand() LIMIT 100",
		args:      []any{"US"},
		rewritten: true,
		check: func(t *testing.T, rows [][]string) {
			if len(rows) != 100 {
				t.Errorf("%d rows, want 100", len(rows))
			}
			for _, r := range rows {
				if r[1] != `"US"` {
					t.Fatalf("row %q is not from US", r)
				}
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			resetUpstream(t)
			_, rows := queryRows(t, db, tc.query, tc.args...)
			tc.check(t, rows)
			st := env.upstream.Statements()
			if len(st) == 0 {
				t.Fatal("nothing reached the upstream")
			}
			first := st[0]
			if !strings.HasPrefix(first.SQL, "EXECUTE _trino_go USING ") {
				t.Errorf("the upstream received the body %q, want EXECUTE _trino_go USING …", first.SQL)
			}
			header := first.Headers.Get("X-Trino-Prepared-Statement")
			name, value, _ := strings.Cut(header, "=")
			text, err := url.QueryUnescape(value)
			if name != "_trino_go" || err != nil {
				t.Fatalf("X-Trino-Prepared-Statement %q", header)
			}
			if changed := text != tc.query; changed != tc.rewritten {
				t.Errorf("prepared statement upstream %q; rewritten %v, want %v", text, changed, tc.rewritten)
			}
			if tc.rewritten {
				if !strings.Contains(first.Statement, "'US'") || !strings.Contains(first.Statement, "LIMIT 100") {
					t.Errorf("the upstream ran %q, want the sample with the argument bound", first.Statement)
				}
				return
			}
			if _, want := queryRows(t, direct, tc.query, tc.args...); !reflect.DeepEqual(rows, want) {
				t.Errorf("through skim %q, direct %q", rows, want)
			}
		})
	}
}

// TestSessionPassThrough checks that session properties, client tags and
// source reach the upstream with every statement, guarded attempts
// included, and that the session headers the upstream answers with reach
// the client, which sends them back on its next statement.
func TestSessionPassThrough(t *testing.T) {
	s := startSkim(t, ptrino.Options{})
	cfg := trino.Config{
		ServerURI:         strings.Replace(s.url, "http://", "http://notebook@", 1),
		Source:            "jupyter",
		Catalog:           "demo",
		Schema:            "web",
		SessionProperties: map[string]string{"query_max_run_time": "1h", "join_distribution_type": "BROADCAST"},
		ClientTags:        []string{"team-a", "adhoc"},
	}
	dsn, err := cfg.FormatDSN()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("trino", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	query := func(stmt string) []trinoserver.Received {
		t.Helper()
		resetUpstream(t)
		rows, err := conn.QueryContext(ctx, stmt)
		if err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		rows.Close()
		return env.upstream.Statements()
	}
	wantSession := map[string]string{"query_max_run_time": "1h", "join_distribution_type": "BROADCAST"}
	for _, stmt := range []string{"SELECT id FROM users ORDER BY id LIMIT 3", "SELECT user_id FROM events ORDER BY rand() LIMIT 10"} {
		st := query(stmt)
		for _, r := range st {
			if !reflect.DeepEqual(r.Session, wantSession) || !reflect.DeepEqual(r.ClientTags, []string{"team-a", "adhoc"}) ||
				r.Source != "jupyter" || r.User != "notebook" || r.Catalog != "demo" || r.Schema != "web" {
				t.Errorf("%s: the upstream received session %v, tags %q, source %q, user %q, catalog %q, schema %q",
					r.SQL, r.Session, r.ClientTags, r.Source, r.User, r.Catalog, r.Schema)
			}
		}
	}

	// The client learns session changes from response headers only.
	query("SET SESSION query_priority = 5")
	if st := query("SELECT 1"); st[0].Session["query_priority"] != "5" {
		t.Errorf("after SET SESSION the next statement carried session %v, want query_priority=5", st[0].Session)
	}
	query("RESET SESSION query_priority")
	if st := query("SELECT 1"); st[0].Session["query_priority"] != "" {
		t.Errorf("after RESET SESSION the next statement carried session %v", st[0].Session)
	}
	query("USE demo.ref")
	if st := query("SELECT count(*) FROM countries"); st[0].Schema != "ref" {
		t.Errorf("after USE demo.ref the next statement had schema %q", st[0].Schema)
	}

	// The transaction id the upstream starts comes back in a header too;
	// the guarded attempts must all run in the transaction.
	resetUpstream(t)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT user_id FROM events ORDER BY rand() LIMIT 10")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	rows.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range env.upstream.Statements() {
		ids = append(ids, r.Headers.Get("X-Trino-Transaction-Id"))
	}
	// START TRANSACTION carries NONE; the rest the id it started.
	if len(ids) < 4 || ids[0] != "NONE" || ids[1] == "" || ids[1] == "NONE" || len(slices.Compact(slices.Clone(ids[1:]))) != 1 {
		t.Errorf("transaction ids of START TRANSACTION, the attempts and COMMIT: %q", ids)
	}

	// The headers themselves, as a raw client sees them.
	raw := newRawClient(t)
	for _, tc := range []struct{ sql, header, want string }{
		{"SET SESSION query_priority = 5", "X-Trino-Set-Session", "query_priority=5"},
		{"RESET SESSION query_priority", "X-Trino-Clear-Session", "query_priority"},
		{"USE demo.ref", "X-Trino-Set-Schema", "ref"},
		{"PREPARE q1 FROM SELECT 1", "X-Trino-Added-Prepare", "q1=SELECT+1"},
	} {
		var got []string
		for _, p := range raw.run(s.url, tc.sql) {
			got = append(got, p.header.Values(tc.header)...)
		}
		if !slices.Contains(got, tc.want) {
			t.Errorf("%s: %s headers %q, want %q", tc.sql, tc.header, got, tc.want)
		}
	}
}

// TestErrorsAreQueryFailed checks that every failure reaches
// trino-go-client as *trino.ErrQueryFailed with the error's name: the
// upstream's SQL errors, plain and guarded, and skim's own.
func TestErrorsAreQueryFailed(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down, _ := url.Parse("http://" + closed.Addr().String())
	closed.Close()
	for _, tc := range []struct {
		name     string
		opts     ptrino.Options
		query    string
		wantName string
		wantType string
	}{
		{"unknown column", ptrino.Options{}, "SELECT nope FROM users", "COLUMN_NOT_FOUND", "USER_ERROR"},
		{"unknown table", ptrino.Options{}, "SELECT * FROM nothere", "TABLE_NOT_FOUND", "USER_ERROR"},
		{"guarded query fails while running", ptrino.Options{}, "SELECT user_id / 0 FROM events ORDER BY rand() LIMIT 10", "DIVISION_BY_ZERO", "USER_ERROR"},
		{"upstream unreachable", ptrino.Options{Upstream: down}, "SELECT 1", "SKIM_UPSTREAM_UNAVAILABLE", "EXTERNAL"},
		{"upstream unreachable, guarded", ptrino.Options{Upstream: down}, "SELECT user_id FROM events ORDER BY rand() LIMIT 10", "SKIM_UPSTREAM_UNAVAILABLE", "EXTERNAL"},
		{"statement too large", ptrino.Options{MaxStatementBytes: 64}, "SELECT id FROM users WHERE id IN (" + strings.Repeat("1, ", 40) + "1)", "QUERY_REJECTED", "USER_ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTrino(t, startSkim(t, tc.opts).url, "")
			resetUpstream(t)
			rows, err := db.Query(tc.query)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
			var failed *trino.ErrQueryFailed
			var trinoErr *trino.ErrTrino
			if !errors.As(err, &failed) || !errors.As(err, &trinoErr) {
				t.Fatalf("got %v (%T), want *trino.ErrQueryFailed with a Trino error", err, err)
			}
			if trinoErr.ErrorName != tc.wantName || trinoErr.ErrorType != tc.wantType || trinoErr.Message == "" {
				t.Errorf("error %s (%s): %q, want %s (%s)", trinoErr.ErrorName, trinoErr.ErrorType, trinoErr.Message, tc.wantName, tc.wantType)
			}
		})
	}
}

// TestGoClientLongResult reads a 100-page result through trino-go-client,
// which closes each page's body as soon as it has decoded the JSON, before
// reading the end of the chunked body. Skim must not take that for a client
// that left mid-page: the query has to run to its last row.
func TestGoClientLongResult(t *testing.T) {
	s := startSkim(t, ptrino.Options{})
	db := openTrino(t, s.url, "")
	const query = "SELECT user_id, page FROM events WHERE event_date = DATE '2026-11-20'"
	for i := range 3 {
		resetUpstream(t)
		rows, err := db.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		err = rows.Err()
		rows.Close()
		if err != nil || n != 100_000 {
			// trino-go-client cancels with DELETE /v1/query/{id}; a DELETE of
			// a page comes from skim.
			var deleted []string
			for _, r := range env.requests.all() {
				if r.Method == http.MethodDelete && strings.HasPrefix(r.Path, "/v1/statement/") {
					deleted = append(deleted, r.Path)
				}
			}
			t.Fatalf("run %d: %d rows of 100000, error %v; skim cancelled the query with DELETE %q", i, n, err, deleted)
		}
	}
}
