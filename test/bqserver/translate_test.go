package bqserver

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fakeColumns stands in for the catalog in SELECT * EXCEPT.
func fakeColumns(dataset, table string) ([]string, error) {
	if dataset == "analytics" && table == "events" {
		return []string{"event_ts", "user_id", "event_name", "page", "country", "payload"}, nil
	}
	return nil, notFound("Table test-project:" + dataset + "." + table)
}

func TestTranslate(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		dataset        string
	}{
		{"plain query passes", "SELECT a, b FROM analytics.events WHERE a > 1 LIMIT 5",
			"SELECT a, b FROM analytics.events WHERE a > 1 LIMIT 5", ""},
		{"backticked path", "SELECT * FROM `test-project.analytics.events` AS e",
			`SELECT * FROM "analytics"."events" AS e`, ""},
		{"backticked project", "SELECT * FROM `test-project`.analytics.events",
			"SELECT * FROM analytics.events", ""},
		{"unquoted project", "SELECT * FROM proj.analytics.events JOIN p.analytics.users USING (user_id)",
			"SELECT * FROM analytics.events JOIN analytics.users USING (user_id)", ""},
		{"unquoted project with dashes", "SELECT * FROM my-project-2.analytics.events JOIN my-proj.analytics.users",
			"SELECT * FROM analytics.events JOIN analytics.users", ""},
		{"minus is not a project", "SELECT total-t.discount FROM t",
			"SELECT total-t.discount FROM t", ""},
		{"rand", "SELECT * FROM t ORDER BY RAND() LIMIT 10",
			"SELECT * FROM t ORDER BY random() LIMIT 10", ""},
		{"tablesample", "SELECT * FROM `p.d.t` TABLESAMPLE SYSTEM (0.81 PERCENT) LIMIT 100",
			`SELECT * FROM "d"."t" TABLESAMPLE SYSTEM (0.81) LIMIT 100`, ""},
		{"tablesample after an alias", "SELECT user_id FROM `myproj`.analytics.events AS e TABLESAMPLE SYSTEM (0.81 PERCENT) ORDER BY RAND() LIMIT 1000",
			"SELECT user_id FROM analytics.events AS e TABLESAMPLE SYSTEM (0.81) ORDER BY random() LIMIT 1000", ""},
		{"tablesample in a join", "SELECT e.page FROM `myproj.analytics.events` e TABLESAMPLE SYSTEM (4 PERCENT) JOIN `myproj.analytics.users` u USING (user_id)",
			`SELECT e.page FROM "analytics"."events" e TABLESAMPLE SYSTEM (4) JOIN "analytics"."users" u USING (user_id)`, ""},
		{"non-ASCII alias", "SELECT 'héllo ✓' AS `naïve`", `SELECT 'héllo ✓' AS "naïve"`, ""},
		{"percent elsewhere stays", "SELECT percent FROM t",
			"SELECT percent FROM t", ""},
		{"date function", "SELECT * FROM t WHERE DATE(event_ts) = '2026-11-24'",
			"SELECT * FROM t WHERE (event_ts)::date = '2026-11-24'", ""},
		{"date of three", "SELECT DATE(2026, 11, f(x, y))",
			"SELECT make_date(2026, 11, f(x, y))", ""},
		{"timestamp function", "SELECT TIMESTAMP(d)",
			"SELECT (d)::timestamptz", ""},
		{"typed literals", "SELECT TIMESTAMP '2026-11-11 00:00:00', DATE '2026-11-11', DATETIME '2026-11-11 10:00:00', JSON '{}', NUMERIC '1.5'",
			"SELECT TIMESTAMPTZ '2026-11-11 00:00:00', DATE '2026-11-11', TIMESTAMP '2026-11-11 10:00:00', JSONB '{}', NUMERIC(38, 9) '1.5'", ""},
		{"cast types", "SELECT CAST(a AS INT64), SAFE_CAST(b AS STRING), CAST(c AS FLOAT64), CAST(d AS TIMESTAMP), x AS string",
			"SELECT CAST(a AS bigint), SAFE_CAST(b AS text), CAST(c AS double precision), CAST(d AS timestamptz), x AS string", ""},
		{"partition predicate", "SELECT * FROM `p.analytics.events` WHERE events.event_ts >= TIMESTAMP '2026-11-11 00:00:00' AND events.event_ts < TIMESTAMP '2026-11-12 00:00:00'",
			`SELECT * FROM "analytics"."events" WHERE events.event_ts >= TIMESTAMPTZ '2026-11-11 00:00:00' AND events.event_ts < TIMESTAMPTZ '2026-11-12 00:00:00'`, ""},
		{"strings", `SELECT "it's", 'a\'b', r'\d+', '''x'y''', 'tab\there', b'\x00\xff'`,
			`SELECT 'it''s', 'a''b', '\d+', 'x''y', 'tab	here', '\x00ff'::bytea`, ""},
		{"literals are never rewritten", "SELECT 'RAND() FROM `p.d.t` TABLESAMPLE SYSTEM (1 PERCENT)' AS s",
			"SELECT 'RAND() FROM `p.d.t` TABLESAMPLE SYSTEM (1 PERCENT)' AS s", ""},
		{"comments are never rewritten", "SELECT 1 /* RAND() `p.d.t` */, -- RAND()\n# RAND()\n2 -- trailing",
			"SELECT 1 /* RAND() `p.d.t` */, -- RAND()\n-- RAND()\n2", ""},
		{"current timestamp", "SELECT CURRENT_TIMESTAMP(), CURRENT_DATE(), IFNULL(a, 0)",
			"SELECT CURRENT_TIMESTAMP, CURRENT_DATE, coalesce(a, 0)", ""},
		{"except", "SELECT * EXCEPT (payload, `Page`) FROM `p.analytics.events` AS e WHERE user_id = 1",
			`SELECT "event_ts", "user_id", "event_name", "country" FROM "analytics"."events" AS e WHERE user_id = 1`, ""},
		{"except with the default dataset", "SELECT * EXCEPT (payload) FROM events",
			`SELECT "event_ts", "user_id", "event_name", "page", "country" FROM events`, "analytics"},
		{"dev sample by a key", "SELECT e.page, u.plan FROM (SELECT * FROM myproj.analytics.events AS e WHERE ABS(MOD(FARM_FINGERPRINT(CONCAT('42:', CAST(user_id AS STRING))), 10000)) < 100) AS e JOIN (SELECT * FROM myproj.analytics.users AS u WHERE ABS(MOD(FARM_FINGERPRINT(CONCAT('42:', CAST(user_id AS STRING))), 10000)) < 100) AS u USING (user_id)",
			"SELECT e.page, u.plan FROM (SELECT * FROM analytics.events AS e WHERE ABS(MOD(FARM_FINGERPRINT(CONCAT('42:', CAST(user_id AS text))), 10000)) < 100) AS e JOIN (SELECT * FROM analytics.users AS u WHERE ABS(MOD(FARM_FINGERPRINT(CONCAT('42:', CAST(user_id AS text))), 10000)) < 100) AS u USING (user_id)", ""},
		{"dev sample by SYSTEM with recent partitions", "SELECT event_name, COUNT(*) FROM (SELECT * FROM `myproj.analytics.events` AS events TABLESAMPLE SYSTEM (1 PERCENT) WHERE event_ts >= TIMESTAMP '2026-11-22 00:00:00') AS events GROUP BY event_name",
			`SELECT event_name, COUNT(*) FROM (SELECT * FROM "analytics"."events" AS events TABLESAMPLE SYSTEM (1) WHERE event_ts >= TIMESTAMPTZ '2026-11-22 00:00:00') AS events GROUP BY event_name`, ""},
		{"trailing semicolon", "SELECT 1;  ", "SELECT 1", ""},
		{"dml", "UPDATE `p.d.t` SET x = 1 WHERE y = 'z'", `UPDATE "d"."t" SET x = 1 WHERE y = 'z'`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := translate(translateInput{sql: tc.in, defaultDataset: tc.dataset, columnsOf: fakeColumns})
			if err != nil {
				t.Fatalf("translate(%q): %v", tc.in, err)
			}
			if st.sql != tc.want {
				t.Errorf("translate(%q)\n got %q\nwant %q", tc.in, st.sql, tc.want)
			}
		})
	}
}

func TestTranslateErrors(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		legacy   bool
	}{
		{in: "SELECT 'unterminated", want: "unterminated string literal"},
		{in: "SELECT 1; SELECT 2", want: "multi-statement queries are not supported"},
		{in: "SELECT (1", want: "Unclosed"},
		{in: "SELECT * EXCEPT (a) FROM x.y JOIN x.z USING (k)", want: "only over a single table"},
		{in: "SELECT * EXCEPT (nope) FROM analytics.events", want: "Column nope in SELECT * EXCEPT list does not exist"},
		{in: "SELECT * EXCEPT (a) FROM t", want: "must be qualified with a dataset"},
		{in: "SELECT @missing", want: "Query parameter 'missing' not found"},
		{in: "SELECT a FROM [p:d.t] WHERE b CONTAINS 'x' OMIT RECORD IF c", want: "legacy SQL is not supported by this test server", legacy: true},
		{in: "SELECT a FROM `p.d.t`", want: "legacy SQL is not supported by this test server", legacy: true},
		{in: "SELECT a FROM p:d.t", want: "legacy SQL is not supported by this test server", legacy: true},
	} {
		_, err := translate(translateInput{sql: tc.in, legacy: tc.legacy, columnsOf: fakeColumns})
		var ae *apiError
		if !errors.As(err, &ae) || ae.reason != "invalidQuery" || !strings.Contains(ae.message, tc.want) {
			t.Errorf("translate(%q) = %v, want invalidQuery containing %q", tc.in, err, tc.want)
		}
	}
}

func TestTranslateLegacy(t *testing.T) {
	st, err := translate(translateInput{sql: "SELECT plan FROM [my-project:analytics.users] WHERE plan = 'pro' LIMIT 3", legacy: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := `SELECT plan FROM "analytics"."users" WHERE plan = 'pro' LIMIT 3`; st.sql != want {
		t.Errorf("got %q, want %q", st.sql, want)
	}
}

func TestTranslateParameters(t *testing.T) {
	value := func(v string) *struct {
		Value *string `json:"value"`
	} {
		return &struct {
			Value *string `json:"value"`
		}{Value: &v}
	}
	param := func(name, typ string, v *struct {
		Value *string `json:"value"`
	}) queryParameter {
		p := queryParameter{Name: name, ParameterValue: v}
		p.ParameterType.Type = typ
		return p
	}
	st, err := translate(translateInput{
		sql: "SELECT * FROM t WHERE a = @A AND b = @b AND c = @a AND d = @raw",
		params: []queryParameter{
			param("a", "INT64", value("5")), param("b", "STRING", nil), param("raw", "BYTES", value("AQI=")),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT * FROM t WHERE a = ($1::bigint) AND b = ($2::text) AND c = ($1::bigint) AND d = ($3::bytea)"; st.sql != want {
		t.Errorf("got %q, want %q", st.sql, want)
	}
	if want := []any{"5", nil, []byte{1, 2}}; !reflect.DeepEqual(st.args, want) {
		t.Errorf("args = %#v, want %#v", st.args, want)
	}
	st, err = translate(translateInput{
		sql:    "SELECT ?, ?",
		params: []queryParameter{param("", "BOOL", value("true")), param("", "DATE", value("2026-11-11"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT ($1::boolean), ($2::date)"; st.sql != want || !reflect.DeepEqual(st.args, []any{"true", "2026-11-11"}) {
		t.Errorf("got %q %v", st.sql, st.args)
	}
}

func TestTranslateLimitAndColumns(t *testing.T) {
	for _, tc := range []struct {
		in        string
		limit     *limitClause
		body      string
		kind      string
		columns   []string
		all       bool
		notColumn string
	}{
		{in: "SELECT user_id, page FROM analytics.events LIMIT 10", limit: &limitClause{count: 10},
			body: "SELECT user_id, page FROM analytics.events", kind: "SELECT", columns: []string{"user_id", "page"}, notColumn: "payload"},
		{in: "SELECT * FROM t LIMIT 10 OFFSET 5", limit: &limitClause{count: 10, offset: 5}, body: "SELECT * FROM t", kind: "SELECT", all: true},
		{in: "SELECT x FROM t ORDER BY RAND() LIMIT 10", kind: "SELECT", columns: []string{"x"}},
		{in: "SELECT x FROM (SELECT x FROM t LIMIT 5)", kind: "SELECT"},
		{in: "SELECT x FROM t LIMIT 0", kind: "SELECT"},
		{in: "SELECT COUNT(*) FROM t LIMIT 1", limit: &limitClause{count: 1}, body: "SELECT COUNT(*) FROM t", kind: "SELECT", notColumn: "*"},
		{in: "SELECT e.* FROM t AS e", kind: "SELECT", all: true},
		{in: "WITH s AS (SELECT 1) SELECT * FROM s", kind: "SELECT", all: true},
		{in: "WITH s AS (SELECT * FROM t) SELECT a FROM s", kind: "SELECT", columns: []string{"a"}},
		{in: "SELECT country, COUNT(*) FROM (SELECT * FROM t AS t WHERE ABS(MOD(FARM_FINGERPRINT(CAST(user_id AS STRING)), 10000)) < 100) AS t GROUP BY country",
			kind: "SELECT", columns: []string{"country", "user_id"}, notColumn: "payload"},
		{in: "SELECT * FROM (SELECT * FROM t TABLESAMPLE SYSTEM (1 PERCENT)) AS t", kind: "SELECT", all: true},
		{in: "SELECT u.* FROM a JOIN (SELECT * FROM u) AS u USING (id)", kind: "SELECT", all: true},
		{in: "SELECT a FROM t WHERE b IN (SELECT * FROM u)", kind: "SELECT", all: true},
		{in: "INSERT INTO t (a) VALUES (1)", kind: "INSERT"},
		{in: "CREATE OR REPLACE TABLE d.t (a INT64)", kind: "CREATE_TABLE"},
	} {
		st, err := translate(translateInput{sql: tc.in})
		if err != nil {
			t.Fatalf("translate(%q): %v", tc.in, err)
		}
		if !reflect.DeepEqual(st.limit, tc.limit) || st.body != tc.body || st.kind != tc.kind || st.allColumns != tc.all {
			t.Errorf("translate(%q): limit %+v body %q kind %s all %v; want %+v %q %s %v", tc.in, st.limit, st.body, st.kind, st.allColumns, tc.limit, tc.body, tc.kind, tc.all)
		}
		for _, c := range tc.columns {
			if !st.columns[c] {
				t.Errorf("translate(%q): column %s not referenced", tc.in, c)
			}
		}
		if tc.notColumn != "" && st.columns[tc.notColumn] {
			t.Errorf("translate(%q): column %s referenced", tc.in, tc.notColumn)
		}
	}
}
