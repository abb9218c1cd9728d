package trinoserver

import (
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/skimdata/skim/test/sqltext"
)

func TestTranslate(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT 1;", "SELECT 1"},
		{"SELECT 1 ; -- done\n", "SELECT 1"},
		{"SELECT * FROM iceberg.web.events", "SELECT * FROM web.events"},
		{"SELECT e.user_id FROM iceberg.web.events e", "SELECT e.user_id FROM web.events e"},
		{`SELECT * FROM "demo"."web"."events"`, `SELECT * FROM "web"."events"`},
		{"SELECT * FROM demo . web . events", "SELECT * FROM web . events"},
		{"SELECT * FROM web.events", "SELECT * FROM web.events"},
		{"SELECT system.builtin.f(1)", "SELECT system.builtin.f(1)"},
		{"SELECT x FROM t ORDER BY rand() LIMIT 10", "SELECT x FROM t ORDER BY random() LIMIT 10"},
		{"SELECT RAND ( )", "SELECT random ( )"},
		{"SELECT t.rand() , rand", "SELECT t.rand() , rand"},
		{"SELECT 'iceberg.web.events', 'rand()'", "SELECT 'iceberg.web.events', 'rand()'"},
		{`SELECT "iceberg.web.events" FROM t`, `SELECT "iceberg.web.events" FROM t`},
		{"SELECT 1 -- iceberg.web.events rand()\n", "SELECT 1"},
		{"SELECT /* a.b.c rand() */ 1", "SELECT /* a.b.c rand() */ 1"},
		{"SELECT * FROM demo.web.events TABLESAMPLE SYSTEM (1)", "SELECT * FROM web.events TABLESAMPLE SYSTEM (1)"},
		{"SELECT * FROM demo.web.events AS e TABLESAMPLE BERNOULLI (2.5)", "SELECT * FROM web.events AS e TABLESAMPLE BERNOULLI (2.5)"},
		{"SELECT DATE '2026-11-01', TIMESTAMP '2026-11-01 10:00:00'", "SELECT DATE '2026-11-01', TIMESTAMP '2026-11-01 10:00:00'"},
		{"SELECT CAST(x AS double), DOUBLE '1.5', x AS double", "SELECT CAST(x AS double precision), double precision '1.5', x AS double precision"},
		{"SELECT CAST(x AS double precision)", "SELECT CAST(x AS double precision)"},
		{"SELECT CAST(x AS tinyint), CAST(y AS varbinary)", "SELECT CAST(x AS smallint), CAST(y AS bytea)"},
		{"SELECT double FROM t", "SELECT double FROM t"},
		{"SELECT X'00ff', x'AB'", `SELECT '\x00ff'::bytea, '\xAB'::bytea`},
		{"SELECT 'it''s' || 'a.b.c'", "SELECT 'it''s' || 'a.b.c'"},
		{"SELECT * FROM t OFFSET 10 LIMIT 10", "SELECT * FROM t OFFSET 10 LIMIT 10"},
	}
	for _, c := range cases {
		toks, err := sqltext.Trino.Lex(c.in)
		if err == nil {
			toks, err = trimStatement(toks)
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got, _ := translate(toks); got != c.want {
			t.Errorf("translate(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestTrimStatement checks what the server adds to the shared trimming:
// leading comments go too, and a second statement is refused.
func TestTrimStatement(t *testing.T) {
	toks, _ := sqltext.Trino.Lex(" /* c */ SELECT 1 ; -- done\n")
	got, err := trimStatement(toks)
	if err != nil || sqltext.Join(got) != "SELECT 1" {
		t.Errorf("trimStatement = %q, %v; want SELECT 1", sqltext.Join(got), err)
	}
	toks, _ = sqltext.Trino.Lex("SELECT 1; SELECT 2")
	if _, err := trimStatement(toks); err == nil || err.Error() != "more than one statement at offset 8; send one statement per request" {
		t.Errorf("two statements: %v", err)
	}
}

func TestBindParameters(t *testing.T) {
	toks, _ := sqltext.Trino.Lex("SELECT * FROM t WHERE a = ? AND b = '?' AND \"?\" = ? AND c IN (?)")
	got, err := bindParameters(toks, []string{"5", "'x'", "X'00'"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT * FROM t WHERE a = 5 AND b = '?' AND \"?\" = 'x' AND c IN (X'00')"; sqltext.Join(got) != want {
		t.Errorf("got %q, want %q", sqltext.Join(got), want)
	}
	if _, err := bindParameters(toks, []string{"1"}); err == nil {
		t.Errorf("too few parameters accepted")
	}
}

func TestSplitArguments(t *testing.T) {
	toks, _ := sqltext.Trino.Lex("1, 'a,b', ARRAY[1, 2], f(x, y) , DOUBLE '1.5'")
	got := splitArguments(toks)
	want := []string{"1", "'a,b'", "ARRAY[1, 2]", "f(x, y)", "DOUBLE '1.5'"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPlanSessionStatements(t *testing.T) {
	sess := session{catalog: "demo", transactionID: "NONE", hasTransaction: true, prepared: map[string]string{
		"_trino_go": "SELECT * FROM demo.web.users WHERE id = ? AND plan = ?",
		"q":         "SELECT 1",
	}}
	cases := []struct {
		sql        string
		updateType string
		header     string
		value      string
		failure    string
	}{
		{sql: "SET SESSION query_max_run_time = '10m'", updateType: "SET SESSION", header: headerSetSession, value: "query_max_run_time=10m"},
		{sql: "set session hive.bucket_execution = true;", updateType: "SET SESSION", header: headerSetSession, value: "hive.bucket_execution=true"},
		{sql: "SET SESSION x = 'a b&c'", updateType: "SET SESSION", header: headerSetSession, value: "x=a+b%26c"},
		{sql: "RESET SESSION query_max_run_time", updateType: "RESET SESSION", header: headerClearSession, value: "query_max_run_time"},
		{sql: "USE ref", updateType: "USE", header: headerSetSchema, value: "ref"},
		{sql: "USE other.ref", updateType: "USE", header: headerSetCatalog, value: "other"},
		{sql: "START TRANSACTION", updateType: "START TRANSACTION", header: headerStartedTransaction},
		{sql: "PREPARE my_q FROM SELECT * FROM t WHERE a = ?", updateType: "PREPARE", header: headerAddedPrepare, value: "my_q=SELECT+%2A+FROM+t+WHERE+a+%3D+%3F"},
		{sql: "DEALLOCATE PREPARE my_q", updateType: "DEALLOCATE", header: headerDeallocatedPrepare, value: "my_q"},
		{sql: "COMMIT", failure: "NOT_IN_TRANSACTION"},
		{sql: "EXECUTE missing", failure: "NOT_FOUND"},
		{sql: "EXECUTE _trino_go USING 1", failure: "INVALID_PARAMETER_USAGE"},
		{sql: "SELECT 'x", failure: "SYNTAX_ERROR"},
	}
	for _, c := range cases {
		p := planStatement(c.sql, sess)
		if c.failure != "" {
			if p.failure == nil || p.failure.code.String() != c.failure {
				t.Errorf("%q: failure %v, want %s", c.sql, p.failure, c.failure)
			}
			continue
		}
		if p.failure != nil {
			t.Errorf("%q: %v", c.sql, p.failure)
			continue
		}
		if p.executed != "" || p.updateType != c.updateType {
			t.Errorf("%q: executed %q, update type %q; want none and %q", c.sql, p.executed, p.updateType, c.updateType)
		}
		got := p.headers.Get(c.header)
		if got == "" || (c.value != "" && got != c.value) {
			t.Errorf("%q: %s = %q, want %q", c.sql, c.header, got, c.value)
		}
	}

	p := planStatement("EXECUTE _trino_go USING 5, 'pro'", sess)
	if p.failure != nil {
		t.Fatal(p.failure)
	}
	if want := "SELECT * FROM demo.web.users WHERE id = 5 AND plan = 'pro'"; p.statement != want {
		t.Errorf("statement %q, want %q", p.statement, want)
	}
	if want := "SELECT * FROM web.users WHERE id = 5 AND plan = 'pro'"; p.executed != want {
		t.Errorf("executed %q, want %q", p.executed, want)
	}
	p = planStatement("EXECUTE IMMEDIATE 'SELECT ?, ''x''' USING DOUBLE '1.5'", sess)
	if want := "SELECT double precision '1.5', 'x'"; p.failure != nil || p.executed != want {
		t.Errorf("EXECUTE IMMEDIATE: executed %q (failure %v), want %q", p.executed, p.failure, want)
	}
	if p := planStatement("START TRANSACTION", session{}); p.failure == nil || p.failure.code != incompatibleClient {
		t.Errorf("START TRANSACTION without a transaction header: failure %v, want INCOMPATIBLE_CLIENT", p.failure)
	}
	if p := planStatement("USE ref", session{}); p.failure == nil || p.failure.code != missingCatalogName {
		t.Errorf("USE without a catalog: failure %v, want MISSING_CATALOG_NAME", p.failure)
	}
}

func TestParsePairs(t *testing.T) {
	got := parsePairs([]string{"a=1,b=x%2Cy", "_trino_go=SELECT+%3F"})
	want := map[string]string{"a": "1", "b": "x,y", "_trino_go": "SELECT ?"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDecimalJSON(t *testing.T) {
	cases := []struct {
		n     pgtype.Numeric
		scale int
		want  string
	}{
		{numeric(t, "1.5"), 2, "1.50"},
		{numeric(t, "-0.05"), 2, "-0.05"},
		{numeric(t, "123"), 0, "123"},
		{numeric(t, "1.005"), 2, "1.01"},
		{numeric(t, "0"), 3, "0.000"},
		{numeric(t, "12345678901234567890.123"), 3, "12345678901234567890.123"},
	}
	for _, c := range cases {
		got, err := decimalJSON(c.n, c.scale)
		if err != nil || got != c.want {
			t.Errorf("decimalJSON(%v, %d) = %v, %v; want %s", c.n, c.scale, got, err, c.want)
		}
	}
}

func numeric(t *testing.T, s string) pgtype.Numeric {
	t.Helper()
	var n pgtype.Numeric
	if err := n.Scan(s); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBoundValues(t *testing.T) {
	cases := map[string][]string{
		"FOR VALUES FROM ('2026-11-01') TO ('2026-11-02')": {"2026-11-01"},
		"FOR VALUES FROM ('a', 1) TO ('b', 2)":             {"a", "1"},
		"FOR VALUES IN ('x')":                              {"x"},
		"FOR VALUES FROM (MINVALUE) TO ('2026-01-01')":     nil,
		"DEFAULT": nil,
		"":        nil,
	}
	for in, want := range cases {
		if got := boundValues(in); !reflect.DeepEqual(got, want) {
			t.Errorf("boundValues(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[string]string{"60s": "1.00m", "1.5s": "1.50s", "90m": "1.50h", "250ms": "250.00ms"} {
		dur, _ := time.ParseDuration(d)
		if got := formatDuration(dur); got != want {
			t.Errorf("formatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
