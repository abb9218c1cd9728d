package bigquery

import (
	"strconv"
	"strings"

	"github.com/cloudspannerecosystem/memefish/ast"
	"github.com/cloudspannerecosystem/memefish/token"

	"github.com/skimdata/skim/rewrite/stmt"
)

// scope holds the names a query block can see: the CTEs of enclosing WITH
// clauses and the range variables (names of FROM items) of the enclosing
// blocks. A nil scope sees nothing.
type scope struct {
	outer  *scope
	ctes   map[string]*stmt.Block
	ranges []string
}

// cte returns the block of the CTE named name (lower-cased), or nil.
func (s *scope) cte(name string) *stmt.Block {
	for ; s != nil; s = s.outer {
		if b, ok := s.ctes[name]; ok {
			return b
		}
	}
	return nil
}

// hasRange reports whether name (lower-cased) is a visible range variable.
func (s *scope) hasRange(name string) bool {
	for ; s != nil; s = s.outer {
		for _, r := range s.ranges {
			if r == name {
				return true
			}
		}
	}
	return false
}

func (s *scope) addRange(name string) {
	if name != "" {
		s.ranges = append(s.ranges, name)
	}
}

func (t *translator) newBlock(n ast.Node, parent *stmt.Block, ctx stmt.Context) *stmt.Block {
	b := &stmt.Block{Span: span(n), Parent: parent, Context: ctx, WhereInsert: -1}
	t.st.Blocks = append(t.st.Blocks, b)
	return b
}

func span(n ast.Node) stmt.Span {
	return stmt.Span{Start: int(n.Pos()), End: int(n.End())}
}

// query translates a query expression into blocks and returns the block it
// stands for, with the scope its ORDER BY sees. Parentheses are transparent:
// a parenthesised query is the block inside.
func (t *translator) query(q ast.QueryExpr, sc *scope, parent *stmt.Block, ctx stmt.Context) (*stmt.Block, *scope, error) {
	switch q := q.(type) {
	case *ast.Select:
		b := t.newBlock(q, parent, ctx)
		inner, err := t.selectBlock(q, b, sc)
		return b, inner, err
	case *ast.CompoundQuery:
		b := t.newBlock(q, parent, ctx)
		op, err := setOp(q)
		if err != nil {
			return nil, nil, err
		}
		b.SetOp = op
		for _, operand := range q.Queries {
			ob, _, err := t.query(operand, sc, b, stmt.InSetOp)
			if err != nil {
				return nil, nil, err
			}
			b.Operands = append(b.Operands, ob)
		}
		return b, sc, nil
	case *ast.SubQuery:
		return t.query(q.Query, sc, parent, ctx)
	case *ast.Query:
		return t.queryWithClauses(q, sc, parent, ctx)
	case *ast.FromQuery:
		return nil, nil, failAt(q.Pos(), "pipe syntax is not supported")
	case nil:
		return nil, nil, failAt(token.InvalidPos, "missing query")
	}
	return nil, nil, failAt(q.Pos(), "unsupported query")
}

// queryWithClauses translates a query with its WITH, ORDER BY and LIMIT,
// attaching ORDER BY and LIMIT to the block they apply to.
func (t *translator) queryWithClauses(q *ast.Query, sc *scope, parent *stmt.Block, ctx stmt.Context) (*stmt.Block, *scope, error) {
	if len(q.PipeOperators) > 0 {
		return nil, nil, failAt(q.PipeOperators[0].Pos(), "pipe syntax is not supported")
	}
	if q.ForUpdate != nil {
		return nil, nil, failAt(q.ForUpdate.Pos(), "FOR UPDATE is not BigQuery")
	}
	if q.With != nil {
		var err error
		if sc, err = t.with(q.With, sc, parent); err != nil {
			return nil, nil, err
		}
	}
	b, inner, err := t.query(q.Query, sc, parent, ctx)
	if err != nil || q.OrderBy == nil && q.Limit == nil {
		return b, inner, err
	}
	// (SELECT ... LIMIT 5) LIMIT 3 is two row limits on one block, which
	// the model cannot express.
	if t.tailed[b] {
		return nil, nil, failAt(q.Query.End(), "ORDER BY or LIMIT on a parenthesised query that has its own")
	}
	t.tailed[b] = true
	// The span starts at the parenthesis when the clauses follow one, so
	// that it covers balanced text.
	b.Span = stmt.Span{Start: min(b.Span.Start, int(q.Query.Pos())), End: int(q.End())}
	if q.OrderBy != nil {
		for _, item := range q.OrderBy.Items {
			if err := t.expr(item.Expr, b, inner); err != nil {
				return nil, nil, err
			}
			b.OrderBy = append(b.OrderBy, stmt.OrderItem{Span: span(item), Random: randomCall(item.Expr)})
		}
	}
	if q.Limit != nil {
		b.Limit, b.HasLimit = rowCount(q.Limit.Count)
		b.Offset = q.Limit.Offset != nil
	}
	return b, inner, nil
}

// with translates the CTEs of a WITH clause and returns the scope in which
// they are visible. Each CTE sees the ones before it. A CTE block's Parent
// is the block enclosing the WITH clause: nil at the top of the statement,
// since the main query is a sibling of its CTEs, not their container.
func (t *translator) with(w *ast.With, sc *scope, parent *stmt.Block) (*scope, error) {
	inner := &scope{outer: sc, ctes: map[string]*stmt.Block{}}
	for _, cte := range w.CTEs {
		b, _, err := t.query(cte.QueryExpr, inner, parent, stmt.InCTE)
		if err != nil {
			return nil, err
		}
		name := strings.ToLower(cte.Name.Name)
		b.CTE = name
		inner.ctes[name] = b
	}
	return inner, nil
}

func setOp(q *ast.CompoundQuery) (string, error) {
	switch {
	case q.Op == ast.SetOpUnion && q.AllOrDistinct == ast.AllOrDistinctAll:
		return "UNION ALL", nil
	case q.AllOrDistinct == ast.AllOrDistinctDistinct:
		switch q.Op {
		case ast.SetOpUnion, ast.SetOpIntersect, ast.SetOpExcept:
			return string(q.Op), nil
		}
	}
	// BigQuery has no INTERSECT ALL or EXCEPT ALL.
	return "", failAt(q.Pos(), "unsupported set operation %s %s", q.Op, q.AllOrDistinct)
}

// rowCount returns the value of a literal LIMIT count.
func rowCount(v ast.IntValue) (int64, bool) {
	lit, ok := v.(*ast.IntLiteral)
	if !ok {
		return 0, false
	}
	digits, base := lit.Value, 10
	if lit.Base == 16 {
		digits, base = digits[min(2, len(digits)):], 16
	}
	n, err := strconv.ParseInt(digits, base, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// selectBlock fills a select block and returns the scope of its clauses.
func (t *translator) selectBlock(s *ast.Select, b *stmt.Block, outer *scope) (*scope, error) {
	sc := &scope{outer: outer}
	// FROM first: its range variables are visible in every other clause.
	if s.From != nil {
		items, err := t.fromItems(s.From.Source, b, sc)
		if err != nil {
			return nil, err
		}
		b.From = items
		b.WhereInsert = int(s.From.End())
	}
	b.Distinct = s.AllOrDistinct == ast.AllOrDistinctDistinct
	for _, item := range s.Results {
		if err := t.selectItem(item, b, sc); err != nil {
			return nil, err
		}
	}
	if s.Where != nil {
		if err := t.where(s.Where.Expr, b, sc); err != nil {
			return nil, err
		}
	}
	if s.GroupBy != nil {
		b.GroupBy = true
		for _, e := range s.GroupBy.Exprs {
			if err := t.expr(e, b, sc); err != nil {
				return nil, err
			}
		}
	}
	if s.Having != nil {
		// GoogleSQL accepts HAVING only where rows are grouped: without
		// GROUP BY it means the block aggregates, even if skim does not
		// recognise the aggregate function.
		b.Aggregates = b.Aggregates || !b.GroupBy
		if err := t.expr(s.Having.Expr, b, sc); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

func (t *translator) selectItem(item ast.SelectItem, b *stmt.Block, sc *scope) error {
	switch item := item.(type) {
	case *ast.Star:
		b.Star = append(b.Star, stmt.Star{Except: exceptNames(item.Except)})
		return t.replaced(item.Replace, b, sc)
	case *ast.DotStar:
		if q, ok := pathName(item.Expr); ok {
			b.Star = append(b.Star, stmt.Star{Qualifier: q, Except: exceptNames(item.Except)})
		} else if err := t.expr(item.Expr, b, sc); err != nil {
			// expr.* over a computed struct reads no table's columns.
			return err
		}
		return t.replaced(item.Replace, b, sc)
	case *ast.Alias:
		return t.expr(item.Expr, b, sc)
	case *ast.ExprSelectItem:
		return t.expr(item.Expr, b, sc)
	}
	return failAt(item.Pos(), "unsupported select item")
}

// pathName returns the lower-cased dotted name of an identifier or path.
func pathName(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.Ident:
		return strings.ToLower(e.Name), true
	case *ast.Path:
		parts := make([]string, len(e.Idents))
		for i, id := range e.Idents {
			parts[i] = strings.ToLower(id.Name)
		}
		return strings.Join(parts, "."), true
	}
	return "", false
}

func exceptNames(ex *ast.StarModifierExcept) []string {
	if ex == nil {
		return nil
	}
	names := make([]string, len(ex.Columns))
	for i, c := range ex.Columns {
		names[i] = strings.ToLower(c.Name)
	}
	return names
}

func (t *translator) replaced(r *ast.StarModifierReplace, b *stmt.Block, sc *scope) error {
	if r == nil {
		return nil
	}
	for _, c := range r.Columns {
		if err := t.expr(c.Expr, b, sc); err != nil {
			return err
		}
	}
	return nil
}

// where records the WHERE condition and splits it into filters.
func (t *translator) where(cond ast.Expr, b *stmt.Block, sc *scope) error {
	b.HasWhere = true
	b.Where = span(cond)
	for _, c := range conjuncts(cond, nil) {
		mark := len(t.st.Columns)
		if err := t.expr(c, b, sc); err != nil {
			return err
		}
		if f, ok := t.filter(c, b); ok {
			b.Filters = append(b.Filters, f)
			continue
		}
		b.OtherFilters = true
		b.OpaqueFilterColumns = append(b.OpaqueFilterColumns, t.st.Columns[mark:]...)
	}
	return nil
}

// conjuncts appends the top-level AND operands of e to list, looking
// through parentheses.
func conjuncts(e ast.Expr, list []ast.Expr) []ast.Expr {
	switch x := e.(type) {
	case *ast.BinaryExpr:
		if x.Op == ast.OpAnd {
			return conjuncts(x.Right, conjuncts(x.Left, list))
		}
	case *ast.ParenExpr:
		return conjuncts(x.Expr, list)
	}
	return append(list, e)
}
