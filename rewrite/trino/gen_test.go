package trino

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
	"github.com/skimdata/skim/rewrite/stmt/stmttest"
)

// queryGen writes random, valid queries token by token, with random case,
// whitespace and comments between tokens, and records where each block,
// WHERE condition and table reference must be found.
type queryGen struct {
	r      *rand.Rand
	sb     strings.Builder
	ctes   int
	blocks []genBlock
	tables []genTable
}

type genBlock struct {
	span        stmt.Span
	where       stmt.Span // zero when none
	whereInsert int       // -1 when none
	order       []stmt.Span
}

type genTable struct {
	written, span string
}

// tok writes a separator and then s, returning s's span.
func (g *queryGen) tok(s string) stmt.Span {
	switch g.r.Intn(12) {
	case 0:
		g.sb.WriteString("\n  ")
	case 1:
		g.sb.WriteString(" /* ✓ c */ ")
	case 2:
		g.sb.WriteString(" -- c\n")
	case 3:
		g.sb.WriteString("\t")
	default:
		g.sb.WriteString(" ")
	}
	start := g.sb.Len()
	g.sb.WriteString(s)
	return stmt.Span{Start: start, End: g.sb.Len()}
}

// kw writes a keyword in random case.
func (g *queryGen) kw(s string) stmt.Span {
	switch g.r.Intn(3) {
	case 0:
		s = strings.ToLower(s)
	case 1:
		s = strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
	}
	return g.tok(s)
}

func (g *queryGen) pick(options ...string) string { return options[g.r.Intn(len(options))] }

// query writes a query expression and returns its span.
func (g *queryGen) query(depth int) stmt.Span {
	if depth > 0 && g.r.Intn(5) == 0 {
		g.kw("WITH")
		n := 1 + g.r.Intn(2)
		for i := 0; i < n; i++ {
			if i > 0 {
				g.tok(",")
			}
			g.tok(fmt.Sprintf("cte%d", g.ctes))
			g.ctes++
			g.kw("AS")
			g.tok("(")
			g.query(depth - 1)
			g.tok(")")
		}
	}
	if depth > 0 && g.r.Intn(4) == 0 {
		return g.setOp(depth - 1)
	}
	return g.selectBlock(depth, false)
}

// operand writes a set operation operand, parenthesized or not, and returns
// its span including the parentheses.
func (g *queryGen) operand(depth int) stmt.Span {
	if g.r.Intn(3) == 0 {
		open := g.tok("(")
		g.query(depth)
		return stmt.Span{Start: open.Start, End: g.tok(")").End}
	}
	switch g.r.Intn(6) {
	case 0:
		return g.values()
	case 1:
		i := len(g.blocks)
		g.blocks = append(g.blocks, genBlock{whereInsert: -1})
		start := g.kw("TABLE").Start
		name := g.tok("tbl")
		g.tables = append(g.tables, genTable{written: "tbl", span: "tbl"})
		g.blocks[i].span = stmt.Span{Start: start, End: name.End}
		return g.blocks[i].span
	}
	// ORDER BY or LIMIT would belong to the set operation.
	return g.selectBlock(depth, true)
}

// values writes a VALUES block.
func (g *queryGen) values() stmt.Span {
	i := len(g.blocks)
	g.blocks = append(g.blocks, genBlock{whereInsert: -1})
	start := g.kw("VALUES").Start
	end := g.tok("(1, 'it''s')").End
	for n := g.r.Intn(3); n > 0; n-- {
		g.tok(",")
		end = g.tok("(-2, 'b')").End
	}
	g.blocks[i].span = stmt.Span{Start: start, End: end}
	return g.blocks[i].span
}

func (g *queryGen) setOp(depth int) stmt.Span {
	i := len(g.blocks)
	g.blocks = append(g.blocks, genBlock{whereInsert: -1})
	first := g.operand(depth)
	g.kw(g.pick("UNION", "UNION ALL", "UNION DISTINCT", "INTERSECT", "EXCEPT"))
	end := g.operand(depth).End
	if g.r.Intn(2) == 0 {
		g.kw("ORDER")
		g.kw("BY")
		key := g.tok("1")
		g.blocks[i].order = append(g.blocks[i].order, key)
		end = key.End
	}
	if g.r.Intn(2) == 0 {
		g.kw("LIMIT")
		end = g.tok("5").End
	}
	g.blocks[i].span = stmt.Span{Start: first.Start, End: end}
	return g.blocks[i].span
}

// selectBlock writes a select block, without ORDER BY and LIMIT when bare.
func (g *queryGen) selectBlock(depth int, bare bool) stmt.Span {
	i := len(g.blocks)
	g.blocks = append(g.blocks, genBlock{whereInsert: -1})
	start := g.kw("SELECT").Start
	if g.r.Intn(4) == 0 {
		g.kw("DISTINCT")
	}
	for n := 1 + g.r.Intn(3); n > 0; n-- {
		g.selectItem(depth)
		if n > 1 {
			g.tok(",")
		}
	}
	g.kw("FROM")
	end := g.fromList(depth)
	if g.r.Intn(2) == 0 {
		g.kw("WHERE")
		w := g.condition(depth)
		g.blocks[i].where = w
		end = w.End
	} else {
		g.blocks[i].whereInsert = end
	}
	if g.r.Intn(4) == 0 {
		g.kw("GROUP")
		g.kw("BY")
		end = g.tok("a").End
		if g.r.Intn(2) == 0 {
			g.kw("HAVING")
			end = g.tok("count(*) > 1").End
		}
	}
	if g.r.Intn(6) == 0 {
		g.kw("WINDOW")
		end = g.tok("w AS (PARTITION BY a ORDER BY b)").End
	}
	if !bare && g.r.Intn(3) == 0 {
		g.kw("ORDER")
		g.kw("BY")
		for n := 1 + g.r.Intn(3); n > 0; n-- {
			key := g.tok(g.pick("rand()", "a", "2", "f(a, (b))", "a + 1"))
			g.blocks[i].order = append(g.blocks[i].order, key)
			end = key.End
			if g.r.Intn(2) == 0 {
				end = g.kw(g.pick("ASC", "DESC")).End
			}
			if g.r.Intn(3) == 0 {
				end = g.kw(g.pick("NULLS FIRST", "NULLS LAST")).End
			}
			if n > 1 {
				g.tok(",")
			}
		}
	}
	if !bare {
		switch g.r.Intn(5) {
		case 0:
			g.kw("LIMIT")
			end = g.tok("10").End
		case 1:
			g.kw("OFFSET")
			end = g.tok("2").End
			if g.r.Intn(2) == 0 {
				g.kw("FETCH FIRST")
				end = g.kw("3 ROWS ONLY").End
			}
		case 2:
			g.kw("FETCH NEXT")
			end = g.kw("ROW ONLY").End
		}
	}
	g.blocks[i].span = stmt.Span{Start: start, End: end}
	return g.blocks[i].span
}

func (g *queryGen) selectItem(depth int) {
	switch g.r.Intn(8) {
	case 0:
		g.tok("*")
	case 1:
		g.tok("count(*)")
	case 2:
		g.tok("x")
		g.kw("IS DISTINCT FROM")
		g.tok("y")
	case 3:
		g.tok("percentile_cont(0.5)")
		g.kw("WITHIN")
		g.kw("GROUP")
		g.tok("(ORDER BY a)")
	case 4:
		if depth > 0 {
			g.tok("(")
			g.query(depth - 1)
			g.tok(")")
			return
		}
		g.tok("'héllo ✓'")
	case 5:
		g.tok("CASE WHEN a = 1 THEN 'x' END")
		g.kw("AS")
		g.tok(`"naïve"`)
	default:
		g.tok(g.pick("a", "t1.b", "extract(year FROM ts)"))
	}
}

// fromList writes FROM items and returns the end of the last one.
func (g *queryGen) fromList(depth int) int {
	end := g.fromItem(depth)
	for n := g.r.Intn(3); n > 0; n-- {
		switch g.r.Intn(4) {
		case 0:
			g.tok(",")
			end = g.fromItem(depth)
		case 1:
			g.kw("CROSS JOIN")
			end = g.fromItem(depth)
		default:
			g.kw(g.pick("JOIN", "LEFT JOIN", "RIGHT OUTER JOIN", "FULL JOIN", "INNER JOIN"))
			g.fromItem(depth)
			g.kw("ON")
			end = g.tok("a = b").End
		}
	}
	return end
}

// fromItem writes one FROM item and returns its end.
func (g *queryGen) fromItem(depth int) int {
	switch {
	case depth > 0 && g.r.Intn(4) == 0:
		if g.r.Intn(3) == 0 {
			g.kw("LATERAL")
		}
		g.tok("(")
		g.query(depth - 1)
		g.tok(")")
		g.kw("AS")
		return g.tok("d").End
	case g.r.Intn(10) == 0:
		g.tok("(")
		g.values()
		g.tok(")")
		return g.tok("v (x, y)").End
	case g.r.Intn(8) == 0:
		g.tok("UNNEST(arr)")
		g.kw("AS")
		return g.tok("u (x)").End
	}
	var parts []stmt.Span
	for _, p := range strings.Split(g.pick("tbl", "s.tbl", "cat.s.tbl", `"Tbl ✓"`, `"s"."t$p"`, "naïve.tbl"), ".") {
		if len(parts) > 0 {
			g.tok(".")
		}
		parts = append(parts, g.tok(p))
	}
	text := func(s, e int) string { return g.sb.String()[s:e] }
	start, end := parts[0].Start, parts[len(parts)-1].End
	written := text(start, end)
	switch g.r.Intn(4) {
	case 0:
		g.kw("AS")
		end = g.tok("al").End
	case 1:
		end = g.tok("al").End
	case 2:
		g.kw("AS")
		g.tok("al")
		end = g.tok("(x, y)").End
	}
	g.tables = append(g.tables, genTable{written: written, span: text(start, end)})
	if g.r.Intn(5) == 0 {
		g.kw("TABLESAMPLE")
		g.kw(g.pick("SYSTEM", "BERNOULLI"))
		return g.tok("(10)").End
	}
	return end
}

// condition writes a WHERE condition and returns its span.
func (g *queryGen) condition(depth int) stmt.Span {
	var span stmt.Span
	for n := 1 + g.r.Intn(3); n > 0; n-- {
		var s stmt.Span
		switch g.r.Intn(8) {
		case 0:
			s = g.tok("a = 1")
		case 1:
			s = g.tok("b IN ('x', 'y')")
		case 2:
			s = g.tok("ds BETWEEN DATE '2024-01-01' AND DATE '2024-02-01'")
		case 3:
			s = g.tok("(c = 1 OR d = 2)")
		case 4:
			if depth > 0 {
				s = g.kw("EXISTS")
				g.tok("(")
				g.query(depth - 1)
				s.End = g.tok(")").End
			} else {
				s = g.tok("e IS NULL")
			}
		case 5:
			s = g.tok("date(ts) >= DATE '2024-01-01'")
		case 6:
			if depth > 0 {
				s = g.tok("f")
				g.kw(g.pick("IN", "NOT IN"))
				g.tok("(")
				g.query(depth - 1)
				s.End = g.tok(")").End
			} else {
				s = g.tok("'a''b' = g")
			}
		default:
			s = g.tok("x IS NOT DISTINCT FROM y")
		}
		if span.End == 0 {
			span.Start = s.Start
		}
		span.End = s.End
		if n > 1 {
			g.kw("AND")
		}
	}
	return span
}

// TestGeneratedQueries parses random valid queries and checks every block,
// WHERE, ORDER BY key and table span against where the generator wrote
// them. SKIM_GEN_SEED=n runs 100000 queries from seed n instead.
func TestGeneratedQueries(t *testing.T) {
	seed, count := int64(1), 3000
	if v := os.Getenv("SKIM_GEN_SEED"); v != "" {
		seed, _ = strconv.ParseInt(v, 10, 64)
		count = 100000
	}
	r := rand.New(rand.NewSource(seed))
	for n := 0; n < count; n++ {
		g := &queryGen{r: r}
		switch r.Intn(8) {
		case 0:
			g.kw("INSERT INTO")
			g.tables = append(g.tables, genTable{written: "tgt", span: "tgt"})
			g.tok("tgt")
			g.tok("(a, b)")
			g.query(3)
		case 1:
			g.kw("CREATE TABLE")
			g.tables = append(g.tables, genTable{written: "x.tgt", span: "x.tgt"})
			g.tok("x.tgt")
			g.kw("AS")
			g.query(3)
			if r.Intn(2) == 0 {
				g.kw("WITH NO DATA")
			}
		default:
			g.query(3)
		}
		if r.Intn(4) == 0 {
			g.tok(";")
		}
		if r.Intn(4) == 0 {
			g.sb.WriteString(" -- done")
		}
		text := g.sb.String()
		s, err := Parse(text, testSession)
		if err != nil {
			t.Fatalf("Parse(%q): %v", text, err)
		}
		if err := stmttest.Check(s); err != nil {
			t.Fatalf("Parse(%q): %v", text, err)
		}
		if len(s.Blocks) != len(g.blocks) {
			t.Fatalf("Parse(%q): %d blocks, want %d", text, len(s.Blocks), len(g.blocks))
		}
		bySpan := map[stmt.Span]*stmt.Block{}
		for _, b := range s.Blocks {
			bySpan[b.Span] = b
		}
		for _, want := range g.blocks {
			b := bySpan[want.span]
			if b == nil {
				t.Fatalf("Parse(%q): no block spans %q", text, text[want.span.Start:want.span.End])
			}
			if b.HasWhere != (want.where.End > 0) || b.HasWhere && b.Where != want.where {
				t.Fatalf("Parse(%q): block %q where %+v, want %+v", text, text[want.span.Start:want.span.End], b.Where, want.where)
			}
			var order []stmt.Span
			for _, o := range b.OrderBy {
				order = append(order, o.Span)
			}
			if fmt.Sprint(order) != fmt.Sprint(want.order) {
				t.Fatalf("Parse(%q): block %q order keys %v, want %v", text, text[want.span.Start:want.span.End], order, want.order)
			}
			if !b.HasWhere && b.WhereInsert != want.whereInsert {
				t.Fatalf("Parse(%q): block %q where insert %d, want %d", text, text[want.span.Start:want.span.End], b.WhereInsert, want.whereInsert)
			}
		}
		if len(s.Tables) != len(g.tables) {
			t.Fatalf("Parse(%q): %d tables, want %d", text, len(s.Tables), len(g.tables))
		}
		for i, want := range g.tables {
			r := s.Tables[i]
			if r.Written != want.written || text[r.Span.Start:r.Span.End] != want.span {
				t.Fatalf("Parse(%q): table %d is %q at %q, want %q at %q", text, i, r.Written, text[r.Span.Start:r.Span.End], want.written, want.span)
			}
		}
	}
}
