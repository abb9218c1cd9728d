package trino

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
	"github.com/skimdata/skim/rewrite/stmt/stmttest"
)

var testSession = stmt.Session{Catalog: "hive", Schema: "web"}

// parseCase is one statement and what Parse must make of it; check, when
// set, inspects the statement further.
type parseCase struct {
	name  string
	sql   string
	kind  stmt.Kind
	verb  string
	err   bool
	check func(t *testing.T, s *stmt.Statement)
}

func spanText(s *stmt.Statement, sp stmt.Span) string { return s.Text[sp.Start:sp.End] }

func expect[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// blockSpans lists each block's span text.
func blockSpans(s *stmt.Statement) []string {
	var out []string
	for _, b := range s.Blocks {
		out = append(out, spanText(s, b.Span))
	}
	return out
}

// tableNames lists Statement.Tables as "name@span text".
func tableNames(s *stmt.Statement) []string {
	var out []string
	for _, r := range s.Tables {
		out = append(out, r.Name+"@"+spanText(s, r.Span))
	}
	return out
}

// filters renders a block's filters compactly: col op kind:value,...
func filters(b *stmt.Block) []string {
	var out []string
	for _, f := range b.Filters {
		col := f.Column.Name
		if f.Column.Qualifier != "" {
			col = f.Column.Qualifier + "." + col
		}
		if f.Truncate != "" {
			col = f.Truncate + "(" + col + ")"
		}
		var vals []string
		for _, v := range f.Values {
			vals = append(vals, fmt.Sprintf("%s:%s", [...]string{"s", "n", "d", "ts"}[v.Kind], v.Text))
		}
		out = append(out, fmt.Sprintf("%s %s %s", col, f.Op, strings.Join(vals, ",")))
	}
	return out
}

func columnNames(cols []stmt.ColumnRef) []string {
	var out []string
	for _, c := range cols {
		if c.Qualifier != "" {
			out = append(out, c.Qualifier+"."+c.Name)
		} else {
			out = append(out, c.Name)
		}
	}
	return out
}

func orderSpans(s *stmt.Statement, b *stmt.Block) []string {
	var out []string
	for _, o := range b.OrderBy {
		r := ""
		if o.Random {
			r = "~"
		}
		out = append(out, r+spanText(s, o.Span))
	}
	return out
}

var parseCases = []parseCase{
	// Kinds and verbs.
	{name: "select", sql: "SELECT 1", kind: stmt.KindRead, verb: "SELECT"},
	{name: "with", sql: "WITH a AS (SELECT 1) SELECT * FROM a", kind: stmt.KindRead, verb: "SELECT"},
	{name: "values", sql: "VALUES (1, 'a'), (2, 'b')", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{"VALUES (1, 'a'), (2, 'b')"})
		expect(t, "from", len(s.Blocks[0].From), 0)
		expect(t, "where insert", s.Blocks[0].WhereInsert, -1)
	}},
	{name: "table", sql: "TABLE web.events", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{"TABLE web.events"})
		expect(t, "tables", tableNames(s), []string{"hive.web.events@web.events"})
		// Not a FROM item a TABLESAMPLE could follow.
		expect(t, "from other", s.Blocks[0].From[0].Other, true)
		expect(t, "star", s.Blocks[0].Star, []stmt.Star{{}})
	}},
	{name: "trailing semicolon and comment", sql: "SELECT 1; -- done\n", kind: stmt.KindRead, verb: "SELECT"},
	{name: "insert select", sql: "INSERT INTO hive.web.t (a) SELECT a FROM iceberg.web.s WHERE a > 1", kind: stmt.KindWrite, verb: "INSERT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{"SELECT a FROM iceberg.web.s WHERE a > 1"})
		expect(t, "context", s.Blocks[0].Context, stmt.InWrite)
		expect(t, "tables", tableNames(s), []string{"hive.web.t@hive.web.t", "iceberg.web.s@iceberg.web.s"})
		expect(t, "target block", s.Tables[0].Block, (*stmt.Block)(nil))
		expect(t, "source block", s.Tables[1].Block, s.Blocks[0])
	}},
	{name: "insert values", sql: "INSERT INTO t VALUES (1, -2)", kind: stmt.KindWrite, verb: "INSERT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{"VALUES (1, -2)"})
	}},
	{name: "ctas", sql: "CREATE TABLE hive.tmp.x WITH (format = 'ORC') AS SELECT * FROM events WITH NO DATA", kind: stmt.KindWrite, verb: "CREATE TABLE AS", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{"SELECT * FROM events"})
		expect(t, "tables", tableNames(s), []string{"hive.tmp.x@hive.tmp.x", "hive.web.events@events"})
		expect(t, "where insert", s.Text[:s.Blocks[0].WhereInsert], "CREATE TABLE hive.tmp.x WITH (format = 'ORC') AS SELECT * FROM events")
	}},
	{name: "merge", sql: "MERGE INTO t USING (SELECT id FROM s) src ON t.id = src.id WHEN MATCHED THEN UPDATE SET v = 1 WHEN NOT MATCHED THEN INSERT (id) VALUES (src.id)", kind: stmt.KindWrite, verb: "MERGE", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "tables", tableNames(s), []string{"hive.web.t@t", "hive.web.s@s"})
		expect(t, "blocks", blockSpans(s), []string{"SELECT id FROM s"})
	}},
	{name: "update", sql: "UPDATE t SET a = 1 WHERE b IN (SELECT b FROM u)", kind: stmt.KindWrite, verb: "UPDATE", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "tables", tableNames(s), []string{"hive.web.t@t", "hive.web.u@u"})
		expect(t, "context", s.Blocks[0].Context, stmt.InExpr)
	}},
	{name: "delete", sql: "DELETE FROM web.t WHERE ds < DATE '2020-01-01'", kind: stmt.KindWrite, verb: "DELETE"},
	{name: "data-modifying cte", sql: "WITH x AS (INSERT INTO t SELECT * FROM s) SELECT 1", kind: stmt.KindWrite, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "tables", tableNames(s), []string{"hive.web.t@t", "hive.web.s@s"})
	}},
	{name: "returning", sql: "WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x", err: true},
	{name: "data-modifying cte delete", sql: "WITH x AS (DELETE FROM t WHERE a = 1) SELECT 1", kind: stmt.KindWrite, verb: "SELECT"},
	{name: "select into", sql: "SELECT * INTO t2 FROM t", kind: stmt.KindWrite, verb: "SELECT INTO"},
	{name: "create table", sql: "CREATE TABLE t (a bigint, b varchar)", kind: stmt.KindWrite, verb: "CREATE TABLE"},
	{name: "create view", sql: "CREATE OR REPLACE VIEW v AS SELECT 1", kind: stmt.KindWrite, verb: "CREATE VIEW"},
	{name: "drop", sql: "DROP TABLE IF EXISTS t", kind: stmt.KindWrite, verb: "DROP TABLE"},
	{name: "alter", sql: "ALTER TABLE t EXECUTE optimize", kind: stmt.KindWrite, verb: "ALTER TABLE"},
	{name: "truncate", sql: "TRUNCATE TABLE t", kind: stmt.KindWrite, verb: "TRUNCATE"},
	{name: "explain", sql: "EXPLAIN SELECT * FROM t ORDER BY rand() LIMIT 1", kind: stmt.KindOther, verb: "EXPLAIN", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", len(s.Blocks), 0)
	}},
	{name: "explain analyze", sql: "EXPLAIN ANALYZE SELECT 1", kind: stmt.KindOther, verb: "EXPLAIN ANALYZE"},
	{name: "show", sql: "SHOW CREATE TABLE t", kind: stmt.KindOther, verb: "SHOW CREATE"},
	{name: "set session", sql: "SET SESSION query_max_run_time = '1h'", kind: stmt.KindOther, verb: "SET SESSION"},
	{name: "reset session", sql: "RESET SESSION query_max_run_time", kind: stmt.KindOther, verb: "RESET SESSION"},
	{name: "execute using", sql: "EXECUTE _trino_go USING 1", kind: stmt.KindOther, verb: "EXECUTE"},
	{name: "prepare", sql: "PREPARE q FROM SELECT * FROM t WHERE a = ?", kind: stmt.KindOther, verb: "PREPARE"},
	{name: "describe", sql: "DESCRIBE t", kind: stmt.KindOther, verb: "DESCRIBE"},
	{name: "use", sql: "USE hive.web", kind: stmt.KindOther, verb: "USE"},
	{name: "start transaction", sql: "START TRANSACTION", kind: stmt.KindOther, verb: "START TRANSACTION"},
	{name: "commit", sql: "COMMIT", kind: stmt.KindOther, verb: "COMMIT"},
	{name: "call", sql: "CALL system.sync_partition_metadata('web', 't', 'FULL')", kind: stmt.KindOther, verb: "CALL"},
	{name: "for update", sql: "SELECT * FROM t WHERE a = 1 FOR UPDATE", kind: stmt.KindOther, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "where", spanText(s, s.Blocks[0].Where), "a = 1")
	}},

	// Blocks and contexts.
	{name: "ctes", sql: "WITH a AS (SELECT x FROM events), b AS (SELECT x FROM a WHERE x > 0) SELECT * FROM b JOIN users u ON b.x = u.id", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{"SELECT * FROM b JOIN users u ON b.x = u.id", "SELECT x FROM events", "SELECT x FROM a WHERE x > 0"})
		top, a, b := s.Blocks[0], s.Blocks[1], s.Blocks[2]
		expect(t, "contexts", []stmt.Context{top.Context, a.Context, b.Context}, []stmt.Context{stmt.InTop, stmt.InCTE, stmt.InCTE})
		expect(t, "names", []string{a.CTE, b.CTE}, []string{"a", "b"})
		expect(t, "cte parents", []*stmt.Block{a.Parent, b.Parent}, []*stmt.Block{nil, nil})
		expect(t, "b ref", top.From[0].Subquery, b)
		expect(t, "a ref", b.From[0].Subquery, a)
		expect(t, "tables", tableNames(s), []string{"hive.web.events@events", "hive.web.users@users u"})
	}},
	{name: "cte forward reference is a table", sql: "WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "tables", tableNames(s), []string{"hive.web.b@b"})
	}},
	{name: "qualified name is not a cte", sql: `WITH "Events" AS (SELECT 1) SELECT * FROM events, web.events`, kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "cte ref", s.Blocks[0].From[0].Subquery, s.Blocks[1])
		expect(t, "tables", tableNames(s), []string{"hive.web.events@web.events"})
	}},
	{name: "recursive cte", sql: "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{"SELECT n FROM r", "SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10", "SELECT 1", "SELECT n + 1 FROM r WHERE n < 10"})
		r := s.Blocks[1]
		expect(t, "setop", r.SetOp, "UNION ALL")
		expect(t, "self reference", s.Blocks[3].From[0].Subquery, r)
		expect(t, "top reference", s.Blocks[0].From[0].Subquery, r)
		expect(t, "tables", len(s.Tables), 0)
	}},
	{name: "derived table", sql: "SELECT d.x FROM (SELECT x FROM t WHERE y = 1) AS d WHERE d.x > 2", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{"SELECT d.x FROM (SELECT x FROM t WHERE y = 1) AS d WHERE d.x > 2", "SELECT x FROM t WHERE y = 1"})
		expect(t, "context", s.Blocks[1].Context, stmt.InFrom)
		expect(t, "parent", s.Blocks[1].Parent, s.Blocks[0])
		expect(t, "subquery", s.Blocks[0].From[0].Subquery, s.Blocks[1])
		expect(t, "table block", s.Tables[0].Block, s.Blocks[1])
	}},
	{name: "nested with in derived table", sql: "SELECT * FROM (WITH c AS (SELECT 1 AS x) SELECT x FROM c) d", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{"SELECT * FROM (WITH c AS (SELECT 1 AS x) SELECT x FROM c) d", "SELECT 1 AS x", "SELECT x FROM c"})
		expect(t, "cte parent", s.Blocks[1].Parent, s.Blocks[0])
		expect(t, "ref", s.Blocks[2].From[0].Subquery, s.Blocks[1])
	}},
	{name: "expression subqueries", sql: "SELECT (SELECT max(v) FROM m) AS mx FROM t WHERE a IN (SELECT a FROM u) AND EXISTS (SELECT 1 FROM w WHERE w.id = t.id) AND b = 1", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{
			"SELECT (SELECT max(v) FROM m) AS mx FROM t WHERE a IN (SELECT a FROM u) AND EXISTS (SELECT 1 FROM w WHERE w.id = t.id) AND b = 1",
			"SELECT max(v) FROM m", "SELECT a FROM u", "SELECT 1 FROM w WHERE w.id = t.id"})
		for _, b := range s.Blocks[1:] {
			expect(t, "context", b.Context, stmt.InExpr)
			expect(t, "parent", b.Parent, s.Blocks[0])
		}
		top := s.Blocks[0]
		expect(t, "aggregates", []bool{top.Aggregates, s.Blocks[1].Aggregates}, []bool{false, true})
		expect(t, "filters", filters(top), []string{"b = n:1"})
		expect(t, "other", top.OtherFilters, true)
		expect(t, "opaque", columnNames(top.OpaqueFilterColumns), []string{"a", "a", "w.id", "t.id"})
		expect(t, "tables", tableNames(s), []string{"hive.web.m@m", "hive.web.t@t", "hive.web.u@u", "hive.web.w@w"})
	}},
	{name: "set operation with order and limit", sql: "SELECT a FROM t1 WHERE x = 1 UNION ALL (SELECT a FROM t2 LIMIT 5) ORDER BY a LIMIT 10", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{
			"SELECT a FROM t1 WHERE x = 1 UNION ALL (SELECT a FROM t2 LIMIT 5) ORDER BY a LIMIT 10",
			"SELECT a FROM t1 WHERE x = 1", "SELECT a FROM t2 LIMIT 5"})
		u := s.Blocks[0]
		expect(t, "setop", u.SetOp, "UNION ALL")
		expect(t, "operands", u.Operands, []*stmt.Block{s.Blocks[1], s.Blocks[2]})
		expect(t, "limit", []any{u.HasLimit, u.Limit, s.Blocks[1].HasLimit, s.Blocks[2].HasLimit, s.Blocks[2].Limit}, []any{true, int64(10), false, true, int64(5)})
		expect(t, "order", orderSpans(s, u), []string{"a"})
		expect(t, "operand context", s.Blocks[1].Context, stmt.InSetOp)
		expect(t, "where", spanText(s, s.Blocks[1].Where), "x = 1")
	}},
	{name: "set operation kinds", sql: "SELECT 1 INTERSECT SELECT 2 EXCEPT SELECT 3 UNION DISTINCT SELECT 4", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		var ops []string
		for _, b := range s.Blocks {
			if b.SetOp != "" {
				ops = append(ops, b.SetOp)
			}
		}
		expect(t, "set ops", ops, []string{"UNION", "EXCEPT", "INTERSECT"})
	}},
	{name: "operand with its own with", sql: "SELECT 1 EXCEPT (WITH c AS (SELECT 2) SELECT * FROM c) ORDER BY 1", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{"SELECT 1 EXCEPT (WITH c AS (SELECT 2) SELECT * FROM c) ORDER BY 1", "SELECT 1", "SELECT 2", "SELECT * FROM c"})
		expect(t, "cte parent", s.Blocks[2].Parent, s.Blocks[0])
		expect(t, "ref", s.Blocks[3].From[0].Subquery, s.Blocks[2])
	}},
	{name: "parenthesized first operand", sql: "(SELECT 1) UNION SELECT 2", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{"(SELECT 1) UNION SELECT 2", "SELECT 1", "SELECT 2"})
	}},
	{name: "union in derived table", sql: "SELECT * FROM (SELECT a FROM t UNION SELECT a FROM u) x ORDER BY random() LIMIT 3", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "blocks", blockSpans(s), []string{
			"SELECT * FROM (SELECT a FROM t UNION SELECT a FROM u) x ORDER BY random() LIMIT 3",
			"SELECT a FROM t UNION SELECT a FROM u", "SELECT a FROM t", "SELECT a FROM u"})
		expect(t, "random", s.Blocks[0].RandomOrder(), true)
		expect(t, "from", s.Blocks[0].From[0].Subquery, s.Blocks[1])
	}},

	// Spans.
	{name: "table span with alias", sql: "SELECT e.id FROM iceberg.web.events e WHERE e.ds = '2024-01-01' ORDER BY rand() LIMIT 10", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		r := s.Tables[0]
		expect(t, "span", spanText(s, r.Span), "iceberg.web.events e")
		expect(t, "written", r.Written, "iceberg.web.events")
		expect(t, "alias", r.Alias, "e")
		expect(t, "ref name", r.RefName(), "e")
		expect(t, "where", spanText(s, s.Blocks[0].Where), "e.ds = '2024-01-01'")
		expect(t, "filters", filters(s.Blocks[0]), []string{"e.ds = s:2024-01-01"})
		expect(t, "order", orderSpans(s, s.Blocks[0]), []string{"~rand()"})
		expect(t, "limit", s.Blocks[0].Limit, int64(10))
	}},
	{name: "quoted name with column aliases", sql: `SELECT * FROM "hive"."web"."t$partitions" AS p (a, b) WHERE a > 1`, kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		r := s.Tables[0]
		expect(t, "span", spanText(s, r.Span), `"hive"."web"."t$partitions" AS p (a, b)`)
		expect(t, "written", r.Written, `"hive"."web"."t$partitions"`)
		expect(t, "name", r.Name, "hive.web.t$partitions")
		expect(t, "alias", r.Alias, "p")
	}},
	{name: "quoted identifiers are case-insensitive", sql: `SELECT "Col" FROM "My""Table" AS "X"`, kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "name", s.Tables[0].Name, `hive.web.my"table`)
		expect(t, "written", s.Tables[0].Written, `"My""Table"`)
		expect(t, "alias", s.Tables[0].Alias, "x")
		expect(t, "columns", columnNames(s.Columns), []string{"col"})
	}},
	{name: "where insert before trailing comment", sql: "SELECT a FROM events e JOIN users u ON e.uid = u.id -- c\nORDER BY rand() LIMIT 100", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		b := s.Blocks[0]
		expect(t, "has where", b.HasWhere, false)
		expect(t, "before insert", s.Text[:b.WhereInsert], "SELECT a FROM events e JOIN users u ON e.uid = u.id")
		expect(t, "span", spanText(s, b.Span), s.Text)
	}},
	{name: "where insert before group by", sql: "SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 1", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "after insert", s.Text[s.Blocks[0].WhereInsert:], " GROUP BY a HAVING count(*) > 1")
	}},
	{name: "where span stops at group by", sql: "SELECT a FROM t WHERE a IS DISTINCT FROM 1 AND b IS NOT DISTINCT FROM 2 GROUP BY a", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "where", spanText(s, s.Blocks[0].Where), "a IS DISTINCT FROM 1 AND b IS NOT DISTINCT FROM 2")
	}},
	{name: "distinct from in select list", sql: "SELECT a IS DISTINCT FROM b, percentile_cont(0.5) WITHIN GROUP (ORDER BY c) FROM t", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "tables", tableNames(s), []string{"hive.web.t@t"})
		expect(t, "group by", s.Blocks[0].GroupBy, false)
		expect(t, "aggregates", s.Blocks[0].Aggregates, true)
	}},
	{name: "tablesample system", sql: "SELECT * FROM events AS e TABLESAMPLE SYSTEM (5) WHERE e.x = 1", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		r := s.Tables[0]
		expect(t, "sampled", r.Sampled, true)
		expect(t, "span", spanText(s, r.Span), "events AS e")
		expect(t, "from", s.Blocks[0].From[0].Table, r)
	}},
	{name: "tablesample bernoulli", sql: "SELECT * FROM a JOIN b TABLESAMPLE BERNOULLI (10) ON a.id = b.id", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "sampled", []bool{s.Tables[0].Sampled, s.Tables[1].Sampled}, []bool{false, true})
		expect(t, "span", spanText(s, s.Tables[1].Span), "b")
	}},
	{name: "utf-8", sql: "SELECT 'héllo ✓' AS \"naïve\" /* ✓ */ FROM \"données\".événements é WHERE é.nom = 'Zoë' ORDER BY rand() LIMIT 5", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		r := s.Tables[0]
		expect(t, "span", spanText(s, r.Span), "\"données\".événements é")
		expect(t, "name", r.Name, "hive.données.événements")
		expect(t, "where", spanText(s, s.Blocks[0].Where), "é.nom = 'Zoë'")
		expect(t, "filters", filters(s.Blocks[0]), []string{"é.nom = s:Zoë"})
		expect(t, "order", orderSpans(s, s.Blocks[0]), []string{"~rand()"})
		expect(t, "span", spanText(s, s.Blocks[0].Span), s.Text)
	}},

	// Joins.
	{name: "left join", sql: "SELECT * FROM a LEFT JOIN b ON a.id = b.id", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "null supplying", nullSupplying(s.Blocks[0]), []bool{false, true})
	}},
	{name: "right join", sql: "SELECT * FROM a RIGHT OUTER JOIN b ON a.id = b.id", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "null supplying", nullSupplying(s.Blocks[0]), []bool{true, false})
	}},
	{name: "full join", sql: "SELECT * FROM a FULL JOIN b USING (id)", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "null supplying", nullSupplying(s.Blocks[0]), []bool{true, true})
		expect(t, "columns", columnNames(s.Columns), []string{"id"})
	}},
	{name: "nested joins", sql: "SELECT * FROM a LEFT JOIN (b JOIN c ON b.id = c.id) ON a.id = b.id CROSS JOIN d, e", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "null supplying", nullSupplying(s.Blocks[0]), []bool{false, true, true, false, false})
		expect(t, "tables", tableNames(s), []string{"hive.web.a@a", "hive.web.b@b", "hive.web.c@c", "hive.web.d@d", "hive.web.e@e"})
	}},
	{name: "unnest and lateral", sql: "SELECT * FROM t CROSS JOIN UNNEST(t.arr) WITH ORDINALITY AS u(x, n) LEFT JOIN LATERAL (SELECT t.y) l ON true", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		from := s.Blocks[0].From
		expect(t, "other", []bool{from[0].Other, from[1].Other, from[2].Other}, []bool{false, true, false})
		expect(t, "lateral", []bool{from[0].Lateral, from[1].Lateral, from[2].Lateral}, []bool{false, true, true})
		expect(t, "null supplying", nullSupplying(s.Blocks[0]), []bool{false, false, true})
		expect(t, "columns", columnNames(s.Columns), []string{"t.arr", "t.y"})
	}},

	// Names.
	{name: "session defaults", sql: "SELECT * FROM t, web2.t, c.s.t", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "tables", tableNames(s), []string{"hive.web.t@t", "hive.web2.t@web2.t", "c.s.t@c.s.t"})
	}},

	// Filters.
	{name: "comparisons", sql: "SELECT * FROM t WHERE a = 'x' AND b <> 2 AND c != 3 AND 5 < d AND e <= 1.5 AND '2024-01-01' >= f AND g > -7 AND h = 0 AND i = 0x1F AND j = 1_000", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "filters", filters(s.Blocks[0]), []string{"a = s:x", "b <> n:2", "c <> n:3", "d > n:5", "e <= n:1.5", "f <= s:2024-01-01", "g > n:-7", "h = n:0", "i = n:31", "j = n:1000"})
		expect(t, "other", s.Blocks[0].OtherFilters, false)
	}},
	{name: "in and between", sql: "SELECT * FROM t WHERE a IN ('x', 'y') AND ds BETWEEN DATE '2024-01-01' AND DATE '2024-01-31' AND b NOT IN (1) AND c NOT BETWEEN 1 AND 2 AND d BETWEEN SYMMETRIC 2 AND 1", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		b := s.Blocks[0]
		expect(t, "filters", filters(b), []string{"a IN s:x,s:y", "ds BETWEEN d:2024-01-01,d:2024-01-31"})
		expect(t, "opaque", columnNames(b.OpaqueFilterColumns), []string{"b", "c", "d"})
	}},
	{name: "truncated columns", sql: "SELECT * FROM t WHERE date(ts) = DATE '2024-01-01' AND CAST(t.ts2 AS date) >= DATE '2024-01-01' AND date_trunc('month', ts3) = TIMESTAMP '2024-01-01 00:00:00' AND date_trunc('HOUR', ts4) < TIMESTAMP(3) WITH TIME ZONE '2024-01-01 00:00:00 UTC' AND date_trunc('week', ts5) = DATE '2024-01-01'", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		b := s.Blocks[0]
		expect(t, "filters", filters(b), []string{
			"day(ts) = d:2024-01-01", "day(t.ts2) >= d:2024-01-01", "month(ts3) = ts:2024-01-01 00:00:00", "hour(ts4) < ts:2024-01-01 00:00:00 UTC"})
		expect(t, "opaque", columnNames(b.OpaqueFilterColumns), []string{"ts5"})
	}},
	{name: "cast literals", sql: "SELECT * FROM t WHERE a = CAST('x' AS varchar) AND b = CAST(5 AS bigint) AND c = INTERVAL '1' DAY AND d = CAST('5' AS bigint) AND e = true AND f = NULL", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		b := s.Blocks[0]
		expect(t, "filters", filters(b), []string{"a = s:x", "b = n:5"})
		expect(t, "opaque", columnNames(b.OpaqueFilterColumns), []string{"c", "d", "e", "f"})
	}},
	{name: "opaque conjuncts", sql: "SELECT * FROM t x WHERE (a = 1 OR b = 2) AND NOT c AND d IS NULL AND e LIKE 'a%' AND lower(f) = 'x' AND ds > current_date - INTERVAL '7' DAY AND g = $1 AND s.x.h = 3 AND i = j", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		b := s.Blocks[0]
		expect(t, "filters", filters(b), []string{"x.h = n:3"})
		expect(t, "other", b.OtherFilters, true)
		expect(t, "opaque", columnNames(b.OpaqueFilterColumns), []string{"a", "b", "c", "d", "e", "f", "ds", "g", "i", "j"})
	}},

	// Order and limit.
	{name: "random order", sql: "SELECT * FROM t ORDER BY random() LIMIT 1000", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "random", s.Blocks[0].RandomOrder(), true)
		expect(t, "limit", s.Blocks[0].Limit, int64(1000))
	}},
	{name: "not random", sql: "SELECT * FROM t ORDER BY rand() + 1, rand(), x LIMIT 10", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "order", orderSpans(s, s.Blocks[0]), []string{"rand() + 1", "~rand()", "x"})
		expect(t, "random", s.Blocks[0].RandomOrder(), false)
	}},
	{name: "first key not random", sql: "SELECT * FROM t ORDER BY x, rand() LIMIT 10", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "random", s.Blocks[0].RandomOrder(), false)
	}},
	{name: "sort options", sql: "SELECT * FROM t ORDER BY f(x, y) DESC NULLS FIRST, z ASC, rand() NULLS LAST", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "order", orderSpans(s, s.Blocks[0]), []string{"f(x, y)", "z", "~rand()"})
		expect(t, "has limit", s.Blocks[0].HasLimit, false)
	}},
	{name: "fetch first", sql: "SELECT * FROM t ORDER BY rand() OFFSET 2 ROWS FETCH FIRST 5 ROWS ONLY", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		b := s.Blocks[0]
		expect(t, "limit", []any{b.HasLimit, b.Limit, b.Offset}, []any{true, int64(5), true})
		expect(t, "span", spanText(s, b.Span), s.Text)
	}},
	{name: "fetch first row", sql: "SELECT * FROM t FETCH FIRST ROW ONLY", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "limit", []any{s.Blocks[0].HasLimit, s.Blocks[0].Limit}, []any{true, int64(1)})
	}},
	{name: "with ties", sql: "SELECT * FROM t ORDER BY x FETCH FIRST 5 ROWS WITH TIES", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "has limit", s.Blocks[0].HasLimit, false)
	}},
	{name: "limit all", sql: "SELECT * FROM t LIMIT ALL", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "has limit", s.Blocks[0].HasLimit, false)
	}},
	{name: "big limit and offset", sql: "SELECT * FROM t OFFSET 0 LIMIT 99999999999", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		b := s.Blocks[0]
		expect(t, "limit", []any{b.HasLimit, b.Limit, b.Offset}, []any{true, int64(99999999999), true})
	}},
	{name: "limit zero", sql: "SELECT * FROM t LIMIT 0", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "limit", []any{s.Blocks[0].HasLimit, s.Blocks[0].Limit}, []any{true, int64(0)})
	}},

	// Block flags.
	{name: "distinct", sql: "SELECT DISTINCT a FROM t", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "distinct", s.Blocks[0].Distinct, true)
	}},
	{name: "distinct on", sql: "SELECT DISTINCT ON (a) a, b FROM t", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "distinct", s.Blocks[0].Distinct, true)
		expect(t, "span", spanText(s, s.Blocks[0].Span), s.Text)
	}},
	{name: "grouping sets", sql: "SELECT a, b FROM t GROUP BY GROUPING SETS ((a), (b))", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "group by", s.Blocks[0].GroupBy, true)
	}},
	{name: "rollup", sql: "SELECT a FROM t GROUP BY ROLLUP (a)", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "group by", s.Blocks[0].GroupBy, true)
	}},
	{name: "aggregates", sql: "SELECT approx_distinct(x), count_if(y > 0) FROM t", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "aggregates", s.Blocks[0].Aggregates, true)
	}},
	{name: "aggregate in order by", sql: "SELECT a FROM t GROUP BY a ORDER BY sum(b) DESC", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "aggregates", s.Blocks[0].Aggregates, true)
	}},
	{name: "having without aggregate", sql: "SELECT 1 FROM t HAVING true", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "aggregates", s.Blocks[0].Aggregates, true)
	}},
	{name: "aggregate only in subquery", sql: "SELECT a, (SELECT count(*) FROM u) FROM t WHERE b > (SELECT avg(b) FROM t)", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "aggregates", []bool{s.Blocks[0].Aggregates, s.Blocks[1].Aggregates, s.Blocks[2].Aggregates}, []bool{false, true, true})
	}},
	{name: "windows", sql: "SELECT a, row_number() OVER (PARTITION BY b ORDER BY c), count(*) OVER w FROM t WINDOW w AS (PARTITION BY d)", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		b := s.Blocks[0]
		expect(t, "flags", []bool{b.Windows, b.Aggregates}, []bool{true, false})
		expect(t, "columns", columnNames(s.Columns), []string{"a", "b", "c", "d"})
	}},
	{name: "window in order by", sql: "SELECT a FROM t ORDER BY rank() OVER (ORDER BY a)", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "windows", s.Blocks[0].Windows, true)
	}},
	{name: "stars", sql: "SELECT *, t.*, s.t.* FROM t", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "stars", s.Blocks[0].Star, []stmt.Star{{}, {Qualifier: "t"}, {Qualifier: "t"}})
		expect(t, "columns", len(s.Columns), 0)
	}},
	{name: "columns everywhere", sql: "SELECT upper(a.x), json_extract_scalar(a.j, '$.k') FROM a JOIN b ON a.id = b.id WHERE a.y IN (SELECT z FROM c) GROUP BY 1, 2 ORDER BY a.w", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "columns", columnNames(s.Columns), []string{"a.x", "a.j", "a.id", "b.id", "a.y", "z", "a.w"})
		var blocks []*stmt.Block
		for _, c := range s.Columns {
			blocks = append(blocks, c.Block)
		}
		top, sub := s.Blocks[0], s.Blocks[1]
		expect(t, "blocks", blocks, []*stmt.Block{top, top, top, top, top, sub, top})
	}},
	{name: "lambda", sql: "SELECT filter(arr, x -> x > 0) FROM t", kind: stmt.KindRead, verb: "SELECT"},

	// Hints.
	{name: "hints", sql: "/* skim:off */ SELECT '/* skim:seed=1 */' FROM t -- skim:seed=42, skim:sample=5\n", kind: stmt.KindRead, verb: "SELECT", check: func(t *testing.T, s *stmt.Statement) {
		var got []string
		for _, h := range s.Hints {
			got = append(got, h.Name+"="+h.Value+"@"+spanText(s, h.Span))
		}
		expect(t, "hints", got, []string{"off=@skim:off", "seed=42@skim:seed=42", "sample=5@skim:sample=5"})
	}},
	{name: "hints on other statements", sql: "SHOW TABLES /* skim:off */", kind: stmt.KindOther, verb: "SHOW TABLES", check: func(t *testing.T, s *stmt.Statement) {
		expect(t, "hint", s.HasHint("off"), true)
	}},

	// Parse errors.
	{name: "time travel", sql: "SELECT * FROM t FOR TIMESTAMP AS OF TIMESTAMP '2024-01-01 00:00:00'", err: true},
	{name: "match_recognize", sql: "SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY a ORDER BY b PATTERN (A B*) DEFINE B AS b > PREV(b))", err: true},
	{name: "several statements", sql: "SELECT 1; SELECT 2", err: true},
	{name: "several other statements", sql: "SHOW TABLES; DROP TABLE t", err: true},
	{name: "nested comment", sql: "SELECT 1 /* a /* b */ FROM t", err: true},
	{name: "postgres cast", sql: "SELECT x::int FROM t", err: true},
	{name: "empty", sql: " -- nothing\n", err: true},
	{name: "outer order by on parenthesized query", sql: "(SELECT * FROM t) ORDER BY rand() LIMIT 10", err: true},
	{name: "nul byte", sql: "SELECT 1\x00; DROP TABLE t", err: true},
	{name: "long identifier", sql: "SELECT * FROM " + strings.Repeat("x", 70), err: true},
	{name: "only", sql: "SELECT * FROM ONLY t", err: true},
	{name: "empty select list", sql: "SELECT FROM t", err: true},
}

func nullSupplying(b *stmt.Block) []bool {
	var out []bool
	for _, f := range b.From {
		out = append(out, f.NullSupplying)
	}
	return out
}

func TestParse(t *testing.T) {
	for _, tt := range parseCases {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.sql, testSession)
			if tt.err {
				var pe *stmt.ParseError
				if !errors.As(err, &pe) || pe.Dialect != stmt.Trino {
					t.Fatalf("Parse(%q) = %v, %v; want a Trino ParseError", tt.sql, s, err)
				}
				if pe.Offset < -1 || pe.Offset > len(tt.sql) {
					t.Errorf("error offset %d out of range", pe.Offset)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.sql, err)
			}
			if err := stmttest.Check(s); err != nil {
				t.Errorf("invariant: %v", err)
			}
			expect(t, "kind", s.Kind, tt.kind)
			expect(t, "verb", s.Verb, tt.verb)
			expect(t, "dialect", s.Dialect, stmt.Trino)
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func TestParseErrorOffset(t *testing.T) {
	sql := "SELECT 'éé' FROM t WHERE ,"
	_, err := Parse(sql, testSession)
	var pe *stmt.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse(%q) error = %v, want a ParseError", sql, err)
	}
	expect(t, "offset", pe.Offset, strings.Index(sql, ","))
}

func TestParseUnqualified(t *testing.T) {
	s, err := Parse("SELECT * FROM t, s.t, c.s.t", stmt.Session{Schema: "web"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range s.Tables {
		got = append(got, fmt.Sprintf("%s:%v", r.Name, r.Qualified))
	}
	expect(t, "tables", got, []string{"t:false", "s.t:false", "c.s.t:true"})
	s, err = Parse("SELECT * FROM t", stmt.Session{Catalog: "Hive", Schema: "Web"})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "name", s.Tables[0].Name, "hive.web.t")
}

// seedStatements returns the test statements, for the fuzz tests.
func seedStatements() []string {
	out := []string{benchStatement}
	for _, c := range parseCases {
		out = append(out, c.sql)
	}
	return out
}

// benchStatement is a realistic 30-line Trino query.
const benchStatement = `-- daily engagement sample /* skim:seed=7 */
WITH recent AS (
    SELECT e.user_id, e.event_type, e.event_date,
           json_extract_scalar(e.payload, '$.device.os') AS os,
           CAST(json_extract_scalar(e.payload, '$.duration_ms') AS bigint) AS duration_ms
    FROM iceberg.analytics.events AS e
    WHERE e.event_date >= DATE '2024-03-01'
      AND e.event_date < DATE '2024-04-01'
      AND e.event_type IN ('page_view', 'click', 'purchase')
      AND e.country = 'DE'
),
active_users AS (
    SELECT u.id, u.signup_date, u.plan
    FROM hive.crm.users u
    WHERE u.status = 'active' AND u.plan IN ('pro', 'team')
)
SELECT r.user_id,
       r.event_type,
       r.event_date,
       CASE WHEN r.os IN ('ios', 'android') THEN 'mobile'
            WHEN r.os IS NULL THEN 'unknown'
            ELSE 'desktop' END AS platform,
       coalesce(r.duration_ms, 0) / 1000.0 AS duration_s,
       a.plan
FROM recent r
JOIN active_users a ON a.id = r.user_id
LEFT JOIN hive.crm.accounts acc ON acc.owner_id = a.id
WHERE r.event_date BETWEEN DATE '2024-03-10' AND DATE '2024-03-20'
ORDER BY rand()
LIMIT 1000`

func TestBenchStatement(t *testing.T) {
	s, err := Parse(benchStatement, testSession)
	if err != nil {
		t.Fatal(err)
	}
	if err := stmttest.Check(s); err != nil {
		t.Fatal(err)
	}
	expect(t, "tables", tableNames(s), []string{
		"iceberg.analytics.events@iceberg.analytics.events AS e", "hive.crm.users@hive.crm.users u", "hive.crm.accounts@hive.crm.accounts acc"})
	top := s.Blocks[0]
	expect(t, "random", top.RandomOrder(), true)
	expect(t, "limit", top.Limit, int64(1000))
	expect(t, "top filters", filters(top), []string{"r.event_date BETWEEN d:2024-03-10,d:2024-03-20"})
	expect(t, "cte filters", filters(s.Blocks[1]), []string{
		"e.event_date >= d:2024-03-01", "e.event_date < d:2024-04-01", "e.event_type IN s:page_view,s:click,s:purchase", "e.country = s:DE"})
	expect(t, "null supplying", nullSupplying(top), []bool{false, false, true})
	expect(t, "hints", len(s.Hints), 1)
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchStatement, testSession); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseConcurrent parses from several goroutines at once: the pooled
// scratch memory must never be shared between calls.
func TestParseConcurrent(t *testing.T) {
	want, err := Parse(benchStatement, testSession)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 50; i++ {
				sql := parseCases[(g*50+i)%len(parseCases)].sql
				Parse(sql, testSession)
				s, err := Parse(benchStatement, testSession)
				if err != nil {
					errs <- err
					return
				}
				if !reflect.DeepEqual(tableNames(s), tableNames(want)) || len(s.Columns) != len(want.Columns) {
					errs <- fmt.Errorf("concurrent parse differs: %v", tableNames(s))
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
