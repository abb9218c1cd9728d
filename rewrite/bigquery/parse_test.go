package bigquery

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
	"github.com/skimdata/skim/rewrite/stmt/stmttest"
)

var session = stmt.Session{Catalog: "proj", Schema: "ds"}

// parseCase is one statement that must parse, with checks on its model.
type parseCase struct {
	name  string
	sql   string
	sess  *stmt.Session // session when not the default one
	check func(t *testing.T, st *stmt.Statement)
}

var parseCases = []parseCase{
	{
		name: "simple select",
		sql:  "SELECT a, b FROM t",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "kind", st.Kind, stmt.KindRead)
			eq(t, "verb", st.Verb, "SELECT")
			eq(t, "dialect", st.Dialect, stmt.BigQuery)
			eq(t, "blocks", blockShapes(st), []string{"top"})
			b := st.Blocks[0]
			eq(t, "block span", text(st, b.Span), "SELECT a, b FROM t")
			eq(t, "tables", tableNames(st), []string{"proj.ds.t"})
			eq(t, "qualified", st.Tables[0].Qualified, true)
			eq(t, "table span", text(st, st.Tables[0].Span), "t")
			eq(t, "table block", st.Tables[0].Block, b)
			eq(t, "has where", b.HasWhere, false)
			eq(t, "where insert", b.WhereInsert, len(st.Text))
			eq(t, "columns", columns(st.Columns), []string{"a", "b"})
		},
	},
	{
		name: "backticked project path with alias",
		sql:  "SELECT e.user_id FROM `proj.ds.events` AS e WHERE e.day = '2026-01-01'",
		check: func(t *testing.T, st *stmt.Statement) {
			ref := st.Tables[0]
			eq(t, "name", ref.Name, "proj.ds.events")
			eq(t, "written", ref.Written, "`proj.ds.events`")
			eq(t, "alias", ref.Alias, "e")
			eq(t, "span", text(st, ref.Span), "`proj.ds.events` AS e")
			eq(t, "where", text(st, st.Blocks[0].Where), "e.day = '2026-01-01'")
			eq(t, "where insert", st.Text[:st.Blocks[0].WhereInsert], "SELECT e.user_id FROM `proj.ds.events` AS e")
		},
	},
	{
		name: "partly backticked path",
		sql:  "SELECT * FROM `my-proj`.ds.t x",
		check: func(t *testing.T, st *stmt.Statement) {
			ref := st.Tables[0]
			eq(t, "name", ref.Name, "my-proj.ds.t")
			eq(t, "written", ref.Written, "`my-proj`.ds.t")
			eq(t, "alias", ref.Alias, "x")
			eq(t, "span", text(st, ref.Span), "`my-proj`.ds.t x")
		},
	},
	{
		name: "backticked project with dash and mixed case",
		sql:  "SELECT * FROM `My-Proj.DS.Events`",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "name", st.Tables[0].Name, "my-proj.ds.events")
			eq(t, "qualified", st.Tables[0].Qualified, true)
		},
	},
	{
		name: "dataset-qualified name takes the default project",
		sql:  "SELECT * FROM other_ds.t",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "name", st.Tables[0].Name, "proj.other_ds.t")
			eq(t, "qualified", st.Tables[0].Qualified, true)
		},
	},
	{
		name: "missing defaults",
		sql:  "SELECT * FROM t JOIN other_ds.u USING (k) JOIN p2.d2.v USING (k)",
		sess: &stmt.Session{},
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "names", tableNames(st), []string{"t", "other_ds.u", "p2.d2.v"})
			var qualified []bool
			for _, r := range st.Tables {
				qualified = append(qualified, r.Qualified)
			}
			eq(t, "qualified", qualified, []bool{false, false, true})
			eq(t, "using columns", columns(st.Columns), []string{"k", "k"})
		},
	},
	{
		name: "project without dataset",
		sql:  "SELECT * FROM t, ds2.u",
		sess: &stmt.Session{Catalog: "proj"},
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "names", tableNames(st), []string{"t", "proj.ds2.u"})
			eq(t, "qualified", []bool{st.Tables[0].Qualified, st.Tables[1].Qualified}, []bool{false, true})
		},
	},
	{
		name: "domain-scoped project",
		sql:  "SELECT * FROM `example.com:proj.ds.t`",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "name", st.Tables[0].Name, "example.com:proj.ds.t")
		},
	},
	{
		name: "unnameable items are other",
		sql:  "SELECT * FROM a.b.c.d, `region-us`.INFORMATION_SCHEMA.JOBS",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "tables", len(st.Tables), 0)
			eq(t, "from", fromShapes(st.Blocks[0]), []string{"other", "other"})
		},
	},
	{
		name: "table hint before alias and TABLESAMPLE after it",
		sql:  "SELECT * FROM t@{FORCE_INDEX=i} AS x TABLESAMPLE BERNOULLI (10 PERCENT) WHERE x.a = 1",
		check: func(t *testing.T, st *stmt.Statement) {
			ref := st.Tables[0]
			eq(t, "span", text(st, ref.Span), "t@{FORCE_INDEX=i} AS x")
			eq(t, "sampled", ref.Sampled, true)
			eq(t, "where insert", st.Text[:st.Blocks[0].WhereInsert], "SELECT * FROM t@{FORCE_INDEX=i} AS x TABLESAMPLE BERNOULLI (10 PERCENT)")
		},
	},
	{
		name: "no FROM",
		sql:  "SELECT 1 AS one",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "where insert", st.Blocks[0].WhereInsert, -1)
			eq(t, "from", len(st.Blocks[0].From), 0)
		},
	},
	{
		name: "comparison operators",
		sql:  "SELECT * FROM t WHERE a = 'x' AND b <> 'y' AND c != 'z' AND d < 1 AND e <= 2.5 AND f > -3 AND g >= 1e3",
		check: func(t *testing.T, st *stmt.Statement) {
			b := st.Blocks[0]
			eq(t, "filters", filters(b), []string{
				"a = string:x", "b <> string:y", "c <> string:z", "d < number:1",
				"e <= number:2.5", "f > number:-3", "g >= number:1e3",
			})
			eq(t, "other", b.OtherFilters, false)
			eq(t, "where", text(st, b.Where), "a = 'x' AND b <> 'y' AND c != 'z' AND d < 1 AND e <= 2.5 AND f > -3 AND g >= 1e3")
		},
	},
	{
		name: "literal on the left flips the operator",
		sql:  "SELECT * FROM t WHERE 5 < a AND DATE '2026-01-01' >= d AND 'x' = s AND 1 <> n",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "filters", filters(st.Blocks[0]), []string{"a > number:5", "d <= date:2026-01-01", "s = string:x", "n <> number:1"})
		},
	},
	{
		name: "IN and BETWEEN",
		sql:  "SELECT * FROM t WHERE country IN ('DE', 'FR') AND day BETWEEN DATE '2026-01-01' AND DATE '2026-01-31' AND n IN (1)",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "filters", filters(st.Blocks[0]), []string{
				"country IN string:DE,string:FR",
				"day BETWEEN date:2026-01-01,date:2026-01-31",
				"n IN number:1",
			})
		},
	},
	{
		name: "date truncations",
		sql: "SELECT * FROM `proj.ds.events` AS e WHERE DATE(e.ts) = DATE '2026-01-01'" +
			" AND TIMESTAMP_TRUNC(ts, HOUR) >= TIMESTAMP '2026-01-01 10:00:00'" +
			" AND DATE_TRUNC(d, MONTH) = '2026-01-01' AND DATETIME_TRUNC(dt, year) = DATETIME('2026-01-01')" +
			" AND CAST(ts AS DATE) <= DATE('2026-02-01') AND EXTRACT(DATE FROM ts) > '2025-12-31'" +
			" AND TIMESTAMP_TRUNC(ts, DAY) < TIMESTAMP('2026-03-01')",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "filters", filters(st.Blocks[0]), []string{
				"e.ts/day = date:2026-01-01",
				"ts/hour >= timestamp:2026-01-01 10:00:00",
				"d/month = string:2026-01-01",
				"dt/year = timestamp:2026-01-01",
				"ts/day <= date:2026-02-01",
				"ts/day > string:2025-12-31",
				"ts/day < timestamp:2026-03-01",
			})
			eq(t, "other", st.Blocks[0].OtherFilters, false)
			eq(t, "date part is no column", columns(st.Columns), []string{"e.ts", "ts", "d", "dt", "ts", "ts", "ts"})
		},
	},
	{
		name: "partition pseudo-columns",
		sql:  "SELECT * FROM t WHERE _PARTITIONTIME >= TIMESTAMP '2026-01-01' AND t._partitiondate = '2026-01-02'",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "filters", filters(st.Blocks[0]), []string{
				"_PARTITIONTIME >= timestamp:2026-01-01", "t._PARTITIONDATE = string:2026-01-02",
			})
		},
	},
	{
		name: "opaque conjuncts",
		sql: "SELECT * FROM t WHERE day = CURRENT_DATE() AND ts > @since AND (a = 1 OR b = 2) AND NOT c = 3" +
			" AND d IS NULL AND e LIKE 'x%' AND f IN UNNEST(@ids) AND g IN (SELECT k FROM u) AND h NOT IN (1, 2)" +
			" AND i NOT BETWEEN 1 AND 2 AND j = k AND DATE(ts, 'Europe/Berlin') = '2026-01-01' AND s.x.y = 1" +
			" AND day = CURRENT_DATE AND n = 0x10 AND ok = TRUE AND TIMESTAMP_TRUNC(ts, WEEK) = '2026-01-05'",
		check: func(t *testing.T, st *stmt.Statement) {
			b := st.Blocks[0]
			eq(t, "filters", filters(b), []string(nil))
			eq(t, "other", b.OtherFilters, true)
			eq(t, "opaque columns", columns(b.OpaqueFilterColumns), []string{
				"day", "ts", "a", "b", "c", "d", "e", "f", "g", "k", "h", "i", "j", "k", "ts", "s.x", "day", "n", "ok", "ts",
			})
		},
	},
	{
		name: "conjuncts through parentheses",
		sql:  "SELECT * FROM t WHERE (a = 1 AND (b = 2)) AND ((c IN ('x')))",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "filters", filters(st.Blocks[0]), []string{"a = number:1", "b = number:2", "c IN string:x"})
			eq(t, "where", text(st, st.Blocks[0].Where), "(a = 1 AND (b = 2)) AND ((c IN ('x')))")
		},
	},
	{
		name: "mixed filters",
		sql:  "SELECT * FROM t WHERE day = '2026-01-01' AND user_id IN (SELECT id FROM users WHERE vip)",
		check: func(t *testing.T, st *stmt.Statement) {
			b := st.Blocks[0]
			eq(t, "filters", filters(b), []string{"day = string:2026-01-01"})
			eq(t, "other", b.OtherFilters, true)
			eq(t, "opaque", columns(b.OpaqueFilterColumns), []string{"user_id", "id", "vip"})
		},
	},
	{
		name: "left join",
		sql:  "SELECT * FROM a LEFT JOIN b ON a.k = b.k LEFT OUTER JOIN c ON b.k = c.k JOIN d ON d.k = a.k",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "from", fromShapes(st.Blocks[0]), []string{"table", "table null", "table null", "table"})
			eq(t, "columns", columns(st.Columns), []string{"a.k", "b.k", "b.k", "c.k", "d.k", "a.k"})
		},
	},
	{
		name: "right join",
		sql:  "SELECT * FROM a JOIN b ON a.k = b.k RIGHT JOIN c ON b.k = c.k CROSS JOIN d, e",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "from", fromShapes(st.Blocks[0]), []string{"table null", "table null", "table", "table", "table"})
		},
	},
	{
		name: "full join",
		sql:  "SELECT * FROM a INNER JOIN b USING (k) FULL OUTER JOIN c USING (k)",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "from", fromShapes(st.Blocks[0]), []string{"table null", "table null", "table null"})
		},
	},
	{
		name: "parenthesised join is flattened",
		sql:  "SELECT * FROM a LEFT JOIN (b JOIN c ON b.k = c.k) ON a.k = b.k",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "from", fromShapes(st.Blocks[0]), []string{"table", "table null", "table null"})
			eq(t, "tables", tableNames(st), []string{"proj.ds.a", "proj.ds.b", "proj.ds.c"})
		},
	},
	{
		name: "CTE references resolve to the CTE block",
		sql:  "WITH recent AS (SELECT * FROM `proj.ds.events` WHERE day > '2026-01-01'), Top AS (SELECT user_id FROM recent) SELECT * FROM top JOIN recent r USING (user_id)",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "blocks", blockShapes(st), []string{"top", "cte recent", "cte top"})
			eq(t, "tables", tableNames(st), []string{"proj.ds.events"})
			main, recent, top := st.Blocks[0], st.Blocks[1], st.Blocks[2]
			eq(t, "main span", text(st, main.Span), "SELECT * FROM top JOIN recent r USING (user_id)")
			eq(t, "main from", []*stmt.Block{main.From[0].Subquery, main.From[1].Subquery}, []*stmt.Block{top, recent})
			eq(t, "main from tables", main.From[0].Table == nil && main.From[1].Table == nil, true)
			eq(t, "cte in cte", top.From[0].Subquery, recent)
			eq(t, "cte parents", []*stmt.Block{recent.Parent, top.Parent}, []*stmt.Block{nil, nil})
			eq(t, "table block", st.Tables[0].Block, recent)
		},
	},
	{
		name: "nested WITH",
		sql:  "SELECT k FROM x UNION ALL (WITH x AS (SELECT 1 AS k) SELECT k FROM x)",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "blocks", blockShapes(st), []string{"top UNION ALL", "setop", "cte x", "setop"})
			eq(t, "cte parent", st.Blocks[2].Parent, st.Blocks[0])
			eq(t, "reference", st.Blocks[3].From[0].Subquery, st.Blocks[2])
			// The first x is out of the CTE's scope: a table.
			eq(t, "tables", tableNames(st), []string{"proj.ds.x"})
			eq(t, "table block", st.Tables[0].Block, st.Blocks[1])
		},
	},
	{
		name: "WITH inside a CTE",
		sql:  "WITH a AS (WITH b AS (SELECT 1 AS k) SELECT k FROM b) SELECT k FROM a",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "blocks", blockShapes(st), []string{"top", "cte b", "cte a"})
			eq(t, "parents", []*stmt.Block{st.Blocks[1].Parent, st.Blocks[2].Parent}, []*stmt.Block{nil, nil})
			eq(t, "references", []*stmt.Block{st.Blocks[0].From[0].Subquery, st.Blocks[2].From[0].Subquery}, []*stmt.Block{st.Blocks[2], st.Blocks[1]})
			eq(t, "tables", len(st.Tables), 0)
		},
	},
	{
		name: "block order and contexts",
		sql:  "SELECT (SELECT MAX(v) FROM s), ARRAY(SELECT 1 FROM u) FROM (SELECT * FROM t) AS d WHERE EXISTS (SELECT 1 FROM w WHERE w.k = d.k)",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "blocks", blockShapes(st), []string{"top", "expr", "expr", "from", "expr"})
			eq(t, "tables", tableNames(st), []string{"proj.ds.s", "proj.ds.u", "proj.ds.t", "proj.ds.w"})
			for _, b := range st.Blocks[1:] {
				eq(t, "parent", b.Parent, st.Blocks[0])
			}
			eq(t, "derived", st.Blocks[0].From[0].Subquery, st.Blocks[3])
			eq(t, "outer aggregates", st.Blocks[0].Aggregates, false)
			eq(t, "inner aggregates", st.Blocks[1].Aggregates, true)
		},
	},
	{
		name: "union all with ORDER BY and LIMIT",
		sql:  "SELECT a FROM t UNION ALL (SELECT b FROM u LIMIT 3) ORDER BY 1 LIMIT 5",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "blocks", blockShapes(st), []string{"top UNION ALL", "setop", "setop"})
			set := st.Blocks[0]
			eq(t, "set span", text(st, set.Span), st.Text)
			eq(t, "set limit", []any{set.HasLimit, set.Limit, len(set.OrderBy)}, []any{true, int64(5), 1})
			eq(t, "operands", set.Operands, []*stmt.Block{st.Blocks[1], st.Blocks[2]})
			eq(t, "operand parent", st.Blocks[1].Parent, set)
			eq(t, "second operand", text(st, st.Blocks[2].Span), "SELECT b FROM u LIMIT 3")
			eq(t, "second limit", st.Blocks[2].Limit, int64(3))
			eq(t, "first limit", st.Blocks[1].HasLimit, false)
		},
	},
	{
		name: "distinct set operations",
		sql:  "(SELECT a FROM t UNION DISTINCT SELECT a FROM u) INTERSECT DISTINCT (SELECT a FROM v EXCEPT DISTINCT SELECT a FROM w)",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "blocks", blockShapes(st), []string{"top INTERSECT", "setop UNION", "setop", "setop", "setop EXCEPT", "setop", "setop"})
		},
	},
	{
		name: "parenthesised query with ORDER BY RAND() LIMIT",
		sql:  "(SELECT a FROM t) ORDER BY RAND() LIMIT 10",
		check: func(t *testing.T, st *stmt.Statement) {
			b := st.Blocks[0]
			eq(t, "span", text(st, b.Span), st.Text)
			eq(t, "random", b.RandomOrder(), true)
			eq(t, "order span", text(st, b.OrderBy[0].Span), "RAND()")
		},
	},
	{
		name: "ORDER BY RAND() LIMIT over a filtered table",
		sql:  "SELECT * FROM `proj.ds.events` WHERE day = '2026-01-01' ORDER BY RAND() DESC LIMIT 1000",
		check: func(t *testing.T, st *stmt.Statement) {
			b := st.Blocks[0]
			eq(t, "random", b.RandomOrder(), true)
			eq(t, "order span", text(st, b.OrderBy[0].Span), "RAND() DESC")
			eq(t, "limit", []any{b.HasLimit, b.Limit, b.Offset}, []any{true, int64(1000), false})
			eq(t, "span", text(st, b.Span), st.Text)
			eq(t, "where", text(st, b.Where), "day = '2026-01-01'")
		},
	},
	{
		name: "order keys that are not random",
		sql:  "SELECT * FROM t ORDER BY a, RAND() LIMIT 0x10 OFFSET 5",
		check: func(t *testing.T, st *stmt.Statement) {
			b := st.Blocks[0]
			eq(t, "random", []bool{b.OrderBy[0].Random, b.OrderBy[1].Random}, []bool{false, true})
			eq(t, "limit", []any{b.HasLimit, b.Limit, b.Offset}, []any{true, int64(16), true})
		},
	},
	{
		name: "RAND with an argument is not a random order",
		sql:  "SELECT * FROM t ORDER BY RAND(1)",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "random", st.Blocks[0].RandomOrder(), false)
		},
	},
	{
		name: "LIMIT by parameter",
		sql:  "SELECT * FROM t LIMIT @n OFFSET @m",
		check: func(t *testing.T, st *stmt.Statement) {
			b := st.Blocks[0]
			eq(t, "limit", []any{b.HasLimit, b.Offset}, []any{false, true})
		},
	},
	{
		name: "distinct, group by, aggregates",
		sql:  "SELECT DISTINCT a, COUNT(*) FROM t GROUP BY a HAVING SUM(b) > 1",
		check: func(t *testing.T, st *stmt.Statement) {
			b := st.Blocks[0]
			eq(t, "flags", []bool{b.Distinct, b.GroupBy, b.Aggregates, b.Windows}, []bool{true, true, true, false})
		},
	},
	{
		name: "HAVING without GROUP BY aggregates",
		sql:  "SELECT my_new_agg(x) AS m FROM t HAVING m > 0",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "flags", []bool{st.Blocks[0].GroupBy, st.Blocks[0].Aggregates}, []bool{false, true})
		},
	},
	{
		name: "aggregate in ORDER BY",
		sql:  "SELECT a FROM t GROUP BY a ORDER BY MAX(b) DESC",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "aggregates", st.Blocks[0].Aggregates, true)
		},
	},
	{
		name: "aggregates only in a subquery",
		sql:  "SELECT a, (SELECT COUNT(*) FROM u) FROM t",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "aggregates", []bool{st.Blocks[0].Aggregates, st.Blocks[1].Aggregates}, []bool{false, true})
		},
	},
	{
		name: "aggregates skim's list lacks",
		sql:  "SELECT ARRAY_CONCAT_AGG(x), ds.my_udaf(y), STRING_AGG(DISTINCT z) FROM t",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "aggregates", st.Blocks[0].Aggregates, true)
		},
	},
	{
		name: "scalar functions are no aggregates",
		sql:  "SELECT SAFE.PARSE_DATE('%Y%m%d', s), NET.HOST(url), UPPER(s), ARRAY_FILTER(xs, x -> x > lim) FROM t",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "aggregates", st.Blocks[0].Aggregates, false)
			eq(t, "lambda parameter is no column", columns(st.Columns), []string{"s", "url", "s", "xs", "lim"})
		},
	},
	{
		name: "stars",
		sql:  "SELECT * EXCEPT (A, b), e.*, * REPLACE (UPPER(c) AS c), E.* EXCEPT (d) FROM t AS e",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "stars", st.Blocks[0].Star, []stmt.Star{
				{Except: []string{"a", "b"}}, {Qualifier: "e"}, {}, {Qualifier: "e", Except: []string{"d"}},
			})
			eq(t, "columns", columns(st.Columns), []string{"c"})
		},
	},
	{
		name: "column qualifiers",
		sql:  "SELECT e.user_id, E.Payload.Field, `Count`, CURRENT_DATE, `current_date` FROM events AS e GROUP BY 1",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "columns", columns(st.Columns), []string{"e.user_id", "e.payload", "count", "current_date"})
			for _, c := range st.Columns {
				eq(t, "column block", c.Block, st.Blocks[0])
			}
		},
	},
	{
		name: "implicit and explicit UNNEST",
		sql:  "SELECT * FROM `proj.ds.t` AS t, t.arr AS a, UNNEST(t.xs) AS x WITH OFFSET AS o, UNNEST([1, 2]) AS n, x.ys",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "from", fromShapes(st.Blocks[0]), []string{"table", "other lateral", "other lateral", "other", "other lateral"})
			eq(t, "tables", tableNames(st), []string{"proj.ds.t"})
		},
	},
	{
		name: "correlated path in a subquery",
		sql:  "SELECT (SELECT COUNT(*) FROM e.items) FROM events AS e",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "tables", tableNames(st), []string{"proj.ds.events"})
			eq(t, "from", fromShapes(st.Blocks[1]), []string{"other lateral"})
		},
	},
	{
		name: "table without alias is a range variable",
		sql:  "SELECT * FROM ds.t, t.arr",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "from", fromShapes(st.Blocks[0]), []string{"table", "other lateral"})
		},
	},
	{
		name: "same name as dataset and table",
		sql:  "SELECT * FROM t.t",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "tables", tableNames(st), []string{"proj.t.t"})
		},
	},
	{
		name: "hints in every comment style",
		sql:  "-- skim:off\nSELECT /* skim:seed=42 */ 1 # skim:sample=0.1,skim:verbose\nFROM t",
		check: func(t *testing.T, st *stmt.Statement) {
			var got []string
			for _, h := range st.Hints {
				got = append(got, h.Name+"="+h.Value+" "+text(st, h.Span))
			}
			eq(t, "hints", got, []string{
				"off= skim:off", "seed=42 skim:seed=42", "sample=0.1 skim:sample=0.1", "verbose= skim:verbose",
			})
		},
	},
	{
		name: "hint-like text in literals is no hint",
		sql:  "SELECT '/* skim:off */', \"-- skim:off\", '''# skim:off''', r'/* skim:off */', b'-- skim:off', `# skim:off` FROM t",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "hints", len(st.Hints), 0)
		},
	},
	{
		name: "multi-byte text before the table",
		sql:  "SELECT 'héllo ✓' AS `grüße`, `名前` FROM `proj.ds.tëst` AS `ü` WHERE x = 'ß' /* skim:off ✓ */",
		check: func(t *testing.T, st *stmt.Statement) {
			ref := st.Tables[0]
			eq(t, "span", text(st, ref.Span), "`proj.ds.tëst` AS `ü`")
			eq(t, "name", ref.Name, "proj.ds.tëst")
			eq(t, "alias", ref.Alias, "ü")
			eq(t, "where", text(st, st.Blocks[0].Where), "x = 'ß'")
			eq(t, "filters", filters(st.Blocks[0]), []string{"x = string:ß"})
			eq(t, "hint", text(st, st.Hints[0].Span), "skim:off")
			eq(t, "columns", columns(st.Columns), []string{"名前", "x"})
		},
	},
	{
		name: "trailing semicolon",
		sql:  "SELECT * FROM t;",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "span", text(st, st.Blocks[0].Span), "SELECT * FROM t")
		},
	},
	{
		name: "table function",
		sql:  "SELECT * FROM ds.fn(1, (SELECT MAX(d) FROM u)) WHERE x = 1",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "from", fromShapes(st.Blocks[0]), []string{"other lateral"})
			eq(t, "blocks", blockShapes(st), []string{"top", "expr"})
		},
	},
	{
		name: "insert select",
		sql:  "INSERT INTO ds.target (a) SELECT a FROM `proj.ds.source` ORDER BY RAND() LIMIT 10",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "kind", []any{st.Kind, st.Verb}, []any{stmt.KindWrite, "INSERT"})
			eq(t, "tables", tableNames(st), []string{"proj.ds.target", "proj.ds.source"})
			eq(t, "target block", st.Tables[0].Block, (*stmt.Block)(nil))
			eq(t, "blocks", blockShapes(st), []string{"write"})
		},
	},
	{
		name: "update",
		sql:  "UPDATE ds.t AS x SET a = 1 WHERE b = 2",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "kind", []any{st.Kind, st.Verb}, []any{stmt.KindWrite, "UPDATE"})
			eq(t, "tables", tableNames(st), []string{"proj.ds.t"})
			eq(t, "span", text(st, st.Tables[0].Span), "ds.t AS x")
		},
	},
	{
		name: "delete",
		sql:  "DELETE FROM t WHERE true",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "kind", []any{st.Kind, st.Verb}, []any{stmt.KindWrite, "DELETE"})
		},
	},
	{
		name: "DDL writes",
		sql:  "DROP TABLE t",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "kind", []any{st.Kind, st.Verb, len(st.Blocks)}, []any{stmt.KindWrite, "DROP TABLE", 0})
		},
	},
	{
		name: "create table",
		sql:  "CREATE TABLE t (a INT64) PRIMARY KEY (a)",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "kind", []any{st.Kind, st.Verb}, []any{stmt.KindWrite, "CREATE TABLE"})
		},
	},
	{
		name: "grant is other",
		sql:  "GRANT SELECT ON TABLE t TO ROLE r",
		check: func(t *testing.T, st *stmt.Statement) {
			eq(t, "kind", []any{st.Kind, st.Verb}, []any{stmt.KindOther, "GRANT"})
		},
	},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			sess := session
			if c.sess != nil {
				sess = *c.sess
			}
			st, err := Parse(c.sql, sess)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.sql, err)
			}
			eq(t, "text", st.Text, c.sql)
			if err := stmttest.Check(st); err != nil {
				t.Errorf("invariant: %v", err)
			}
			c.check(t, st)
		})
	}
}

// errorCases must not parse: memefish rejects them, or the model cannot
// describe them.
var errorCases = []struct{ name, sql string }{
	{"QUALIFY", "SELECT a FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY b) = 1"},
	{"analytic function", "SELECT a, ROW_NUMBER() OVER (ORDER BY a) FROM t"},
	{"script", "SELECT 1; SELECT 2"},
	{"TABLESAMPLE SYSTEM", "SELECT * FROM t TABLESAMPLE SYSTEM (10 PERCENT)"},
	{"time travel", "SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2026-01-01'"},
	{"GROUP BY ALL", "SELECT a, COUNT(*) FROM t GROUP BY ALL"},
	{"pipe after select", "SELECT * FROM t |> WHERE a = 1"},
	{"pipe from", "FROM t |> WHERE a = 1"},
	{"MERGE", "MERGE t USING s ON t.k = s.k WHEN MATCHED THEN DELETE"},
	{"CTAS", "CREATE OR REPLACE TABLE ds.t AS SELECT 1 AS a"},
	{"unquoted dashed project", "SELECT * FROM my-proj.ds.t"},
	{"empty", ""},
	{"only a comment", "-- skim:off"},
	{"unclosed string", "SELECT 'abc FROM t"},
	{"FOR UPDATE", "SELECT * FROM t FOR UPDATE"},
	{"table argument", "SELECT * FROM ML.PREDICT(MODEL m, TABLE t)"},
	{"sampled subquery", "SELECT * FROM (SELECT 1) AS s TABLESAMPLE BERNOULLI (1 PERCENT)"},
	{"sampled CTE", "WITH c AS (SELECT 1) SELECT * FROM c TABLESAMPLE BERNOULLI (1 PERCENT)"},
	{"two limits on one block", "(SELECT a FROM t LIMIT 5) LIMIT 3"},
	{"deep nesting", "SELECT " + strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300)},
}

func TestParseErrors(t *testing.T) {
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			st, err := Parse(c.sql, session)
			var pe *stmt.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %v, %v; want a *stmt.ParseError", c.sql, st, err)
			}
			if st != nil {
				t.Errorf("Parse(%q) returned a model with its error", c.sql)
			}
			if pe.Dialect != stmt.BigQuery || pe.Msg == "" || strings.Contains(pe.Msg, "\n") {
				t.Errorf("error %#v: want the BigQuery dialect and a one-line message", pe)
			}
			if pe.Offset < -1 || pe.Offset > len(c.sql) {
				t.Errorf("error offset %d outside the text", pe.Offset)
			}
		})
	}
}

func TestParseErrorPosition(t *testing.T) {
	sql := "SELECT 1 FROM t WHERE a = 1 QUALIFY b = 1"
	_, err := Parse(sql, session)
	var pe *stmt.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse: %v", err)
	}
	if got := sql[pe.Offset:]; !strings.HasPrefix(got, "QUALIFY") && !strings.HasPrefix(got, "b = 1") {
		t.Errorf("error at %q, want at QUALIFY or just after", got)
	}
}

// realistic is a statement of the kind skim rewrites.
const realistic = `-- daily sample for the dashboard  skim:seed=7
WITH active_users AS (
  SELECT
    user_id,
    ANY_VALUE(country) AS country
  FROM ` + "`analytics-prod.core.users`" + `
  WHERE status = 'active'
    AND signup_date >= DATE '2025-01-01'
  GROUP BY user_id
)
SELECT
  e.event_id,
  e.user_id,
  e.event_name,
  e.event_ts,
  u.country,
  JSON_VALUE(e.payload, '$.page') AS page
FROM ` + "`analytics-prod.events.raw_events`" + ` AS e
JOIN active_users AS u
  ON u.user_id = e.user_id
WHERE DATE(e.event_ts) BETWEEN DATE '2026-01-01' AND DATE '2026-01-31'
  AND e.event_name IN ('page_view', 'click', 'purchase')
  AND e.platform <> 'bot'
  /* keep only sessions with a landing page */
  AND e.session_id IS NOT NULL
ORDER BY RAND()
LIMIT 1000`

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(realistic, session); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRealistic(t *testing.T) {
	st, err := Parse(realistic, session)
	if err != nil {
		t.Fatal(err)
	}
	if err := stmttest.Check(st); err != nil {
		t.Fatal(err)
	}
	eq(t, "blocks", blockShapes(st), []string{"top", "cte active_users"})
	eq(t, "tables", tableNames(st), []string{"analytics-prod.core.users", "analytics-prod.events.raw_events"})
	main := st.Blocks[0]
	eq(t, "random", main.RandomOrder(), true)
	eq(t, "limit", main.Limit, int64(1000))
	eq(t, "filters", filters(main), []string{
		"e.event_ts/day BETWEEN date:2026-01-01,date:2026-01-31",
		"e.event_name IN string:page_view,string:click,string:purchase",
		"e.platform <> string:bot",
	})
	eq(t, "other", main.OtherFilters, true)
	eq(t, "hints", st.HasHint("seed"), true)
	eq(t, "event span", text(st, st.Tables[1].Span), "`analytics-prod.events.raw_events` AS e")
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %#v, want %#v", what, got, want)
	}
}

func text(st *stmt.Statement, sp stmt.Span) string {
	return st.Text[sp.Start:sp.End]
}

func tableNames(st *stmt.Statement) []string {
	var names []string
	for _, r := range st.Tables {
		names = append(names, r.Name)
	}
	return names
}

func columns(refs []stmt.ColumnRef) []string {
	var out []string
	for _, c := range refs {
		if c.Qualifier != "" {
			out = append(out, c.Qualifier+"."+c.Name)
		} else {
			out = append(out, c.Name)
		}
	}
	return out
}

var contextNames = map[stmt.Context]string{
	stmt.InTop: "top", stmt.InCTE: "cte", stmt.InFrom: "from",
	stmt.InExpr: "expr", stmt.InSetOp: "setop", stmt.InWrite: "write",
}

// blockShapes describes each block by its context, CTE name and set
// operation, in order.
func blockShapes(st *stmt.Statement) []string {
	var out []string
	for _, b := range st.Blocks {
		s := contextNames[b.Context]
		if b.CTE != "" {
			s += " " + b.CTE
		}
		if b.SetOp != "" {
			s += " " + b.SetOp
		}
		out = append(out, s)
	}
	return out
}

func fromShapes(b *stmt.Block) []string {
	var out []string
	for _, it := range b.From {
		var s string
		switch {
		case it.Table != nil:
			s = "table"
		case it.Subquery != nil:
			s = "subquery"
		case it.Other:
			s = "other"
		}
		if it.NullSupplying {
			s += " null"
		}
		if it.Lateral {
			s += " lateral"
		}
		out = append(out, s)
	}
	return out
}

var literalKinds = map[stmt.LiteralKind]string{
	stmt.LitString: "string", stmt.LitNumber: "number", stmt.LitDate: "date", stmt.LitTimestamp: "timestamp",
}

func filters(b *stmt.Block) []string {
	var out []string
	for _, f := range b.Filters {
		col := columns([]stmt.ColumnRef{f.Column})[0]
		if f.Truncate != "" {
			col += "/" + f.Truncate
		}
		var values []string
		for _, v := range f.Values {
			values = append(values, literalKinds[v.Kind]+":"+v.Text)
		}
		out = append(out, fmt.Sprintf("%s %s %s", col, f.Op, strings.Join(values, ",")))
		if f.Column.Block != b {
			out = append(out, "(column of another block)")
		}
	}
	return out
}
