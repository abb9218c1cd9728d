package bigquery

import (
	"slices"
	"strings"

	"github.com/cloudspannerecosystem/memefish/ast"

	"github.com/skimdata/skim/rewrite/stmt"
)

// expr walks an expression of block b: it records its column references,
// notes aggregate calls, and translates its subqueries into blocks. An
// expression kind it does not know is refused rather than skipped, so that
// no subquery or column goes unseen.
func (t *translator) expr(e ast.Expr, b *stmt.Block, sc *scope) error {
	switch e := e.(type) {
	case nil:
		return nil
	case *ast.Ident:
		t.identColumn(e, b)
		return nil
	case *ast.Path:
		t.pathColumn(e.Idents, b)
		return nil
	case *ast.Param, *ast.NullLiteral, *ast.BoolLiteral, *ast.IntLiteral, *ast.FloatLiteral,
		*ast.StringLiteral, *ast.BytesLiteral, *ast.DateLiteral, *ast.TimestampLiteral,
		*ast.NumericLiteral, *ast.JSONLiteral, *ast.IntervalLiteralSingle, *ast.IntervalLiteralRange:
		return nil
	case *ast.BinaryExpr:
		return t.exprs(b, sc, e.Left, e.Right)
	case *ast.UnaryExpr:
		return t.expr(e.Expr, b, sc)
	case *ast.InExpr:
		if err := t.expr(e.Left, b, sc); err != nil {
			return err
		}
		switch r := e.Right.(type) {
		case *ast.UnnestInCondition:
			return t.expr(r.Expr, b, sc)
		case *ast.SubQueryInCondition:
			return t.subquery(r.Query, b, sc)
		case *ast.ValuesInCondition:
			return t.exprs(b, sc, r.Exprs...)
		}
		return failAt(e.Pos(), "unsupported IN condition")
	case *ast.IsNullExpr:
		return t.expr(e.Left, b, sc)
	case *ast.IsBoolExpr:
		return t.expr(e.Left, b, sc)
	case *ast.BetweenExpr:
		return t.exprs(b, sc, e.Left, e.RightStart, e.RightEnd)
	case *ast.SelectorExpr:
		return t.expr(e.Expr, b, sc)
	case *ast.IndexExpr:
		if err := t.expr(e.Expr, b, sc); err != nil {
			return err
		}
		switch i := e.Index.(type) {
		case *ast.ExprArg:
			return t.expr(i.Expr, b, sc)
		case *ast.SubscriptSpecifierKeyword:
			return t.expr(i.Expr, b, sc)
		}
		return failAt(e.Pos(), "unsupported subscript")
	case *ast.CallExpr:
		return t.call(e, b, sc)
	case *ast.CountStarExpr:
		b.Aggregates = true
		return nil
	case *ast.CastExpr:
		return t.expr(e.Expr, b, sc)
	case *ast.ExtractExpr:
		if e.AtTimeZone != nil {
			return t.exprs(b, sc, e.Expr, e.AtTimeZone.Expr)
		}
		return t.expr(e.Expr, b, sc)
	case *ast.WithExpr:
		return t.withExpr(e, b, sc)
	case *ast.ReplaceFieldsExpr:
		if err := t.expr(e.Expr, b, sc); err != nil {
			return err
		}
		for _, f := range e.Fields {
			if err := t.expr(f.Expr, b, sc); err != nil {
				return err
			}
		}
		return nil
	case *ast.CaseExpr:
		if err := t.expr(e.Expr, b, sc); err != nil {
			return err
		}
		for _, w := range e.Whens {
			if err := t.exprs(b, sc, w.Cond, w.Then); err != nil {
				return err
			}
		}
		if e.Else != nil {
			return t.expr(e.Else.Expr, b, sc)
		}
		return nil
	case *ast.IfExpr:
		return t.exprs(b, sc, e.Expr, e.TrueResult, e.ElseResult)
	case *ast.ParenExpr:
		return t.expr(e.Expr, b, sc)
	case *ast.ScalarSubQuery:
		return t.subquery(e.Query, b, sc)
	case *ast.ArraySubQuery:
		return t.subquery(e.Query, b, sc)
	case *ast.ExistsSubQuery:
		return t.subquery(e.Query, b, sc)
	case *ast.ArrayLiteral:
		return t.exprs(b, sc, e.Values...)
	case *ast.TupleStructLiteral:
		return t.exprs(b, sc, e.Values...)
	case *ast.TypedStructLiteral:
		return t.exprs(b, sc, e.Values...)
	case *ast.TypelessStructLiteral:
		for _, v := range e.Values {
			if err := t.fieldValue(v, b, sc); err != nil {
				return err
			}
		}
		return nil
	case *ast.NewConstructor:
		for _, v := range e.Args {
			if err := t.fieldValue(v, b, sc); err != nil {
				return err
			}
		}
		return nil
	case *ast.BracedNewConstructor:
		return t.braced(e.Body, b, sc)
	case *ast.BracedConstructor:
		return t.braced(e, b, sc)
	}
	return failAt(e.Pos(), "unsupported expression")
}

func (t *translator) exprs(b *stmt.Block, sc *scope, es ...ast.Expr) error {
	for _, e := range es {
		if err := t.expr(e, b, sc); err != nil {
			return err
		}
	}
	return nil
}

func (t *translator) subquery(q ast.QueryExpr, b *stmt.Block, sc *scope) error {
	_, _, err := t.query(q, sc, b, stmt.InExpr)
	return err
}

// fieldValue walks a value of a STRUCT(...) or NEW constructor: an
// expression, possibly named by AS.
func (t *translator) fieldValue(v ast.Node, b *stmt.Block, sc *scope) error {
	switch v := v.(type) {
	case *ast.ExprArg:
		return t.expr(v.Expr, b, sc)
	case *ast.Alias:
		return t.expr(v.Expr, b, sc)
	}
	return failAt(v.Pos(), "unsupported constructor argument")
}

func (t *translator) braced(c *ast.BracedConstructor, b *stmt.Block, sc *scope) error {
	if c == nil {
		return nil
	}
	for _, f := range c.Fields {
		switch v := f.Value.(type) {
		case *ast.BracedConstructor:
			if err := t.braced(v, b, sc); err != nil {
				return err
			}
		case *ast.BracedConstructorFieldValueExpr:
			if err := t.expr(v.Expr, b, sc); err != nil {
				return err
			}
		default:
			return failAt(f.Pos(), "unsupported constructor field")
		}
	}
	return nil
}

// withExpr walks WITH(x AS ..., expr), whose variables are not columns.
func (t *translator) withExpr(w *ast.WithExpr, b *stmt.Block, sc *scope) error {
	depth := len(t.bound)
	defer func() { t.bound = t.bound[:depth] }()
	for _, v := range w.Vars {
		if err := t.expr(v.Expr, b, sc); err != nil {
			return err
		}
		t.bound = append(t.bound, strings.ToLower(v.Name.Name))
	}
	return t.expr(w.Expr, b, sc)
}

// call walks a function call. The date-part argument of DATE_TRUNC and its
// kin is a keyword, not a column.
func (t *translator) call(c *ast.CallExpr, b *stmt.Block, sc *scope) error {
	name := funcName(c.Func)
	if aggregateCall(c, name) {
		b.Aggregates = true
	}
	part := datePartArg(name)
	for i, arg := range c.Args {
		switch arg := arg.(type) {
		case *ast.ExprArg:
			if i == part && isDatePart(arg.Expr) {
				continue
			}
			if err := t.expr(arg.Expr, b, sc); err != nil {
				return err
			}
		case *ast.LambdaArg:
			if err := t.lambda(arg, b, sc); err != nil {
				return err
			}
		default:
			return failAt(arg.Pos(), "unsupported function argument")
		}
	}
	for _, arg := range c.NamedArgs {
		if err := t.expr(arg.Value, b, sc); err != nil {
			return err
		}
	}
	switch h := c.Having.(type) {
	case *ast.HavingMax:
		if err := t.expr(h.Expr, b, sc); err != nil {
			return err
		}
	case *ast.HavingMin:
		if err := t.expr(h.Expr, b, sc); err != nil {
			return err
		}
	}
	if c.OrderBy != nil {
		for _, item := range c.OrderBy.Items {
			if err := t.expr(item.Expr, b, sc); err != nil {
				return err
			}
		}
	}
	return nil
}

// lambda walks the body of a lambda argument, whose parameters are not
// columns.
func (t *translator) lambda(l *ast.LambdaArg, b *stmt.Block, sc *scope) error {
	depth := len(t.bound)
	defer func() { t.bound = t.bound[:depth] }()
	for _, p := range l.Args {
		t.bound = append(t.bound, strings.ToLower(p.Name))
	}
	return t.expr(l.Expr, b, sc)
}

// funcName returns a function's lower-cased dotted name.
func funcName(p *ast.Path) string {
	if p == nil {
		return ""
	}
	name, _ := pathName(p)
	return name
}

// aggregateCall reports whether a call may fold rows together. When unsure
// it says yes: calling a scalar function an aggregate only forgoes a
// rewrite, the reverse could change an answer.
func aggregateCall(c *ast.CallExpr, name string) bool {
	// These modifiers exist only for aggregate (or analytic) calls.
	if c.Distinct || c.Having != nil || c.OrderBy != nil || c.Limit != nil || c.NullHandling != nil {
		return true
	}
	name = strings.TrimPrefix(name, "safe.")
	if stmt.IsAggregate(name) || bigQueryAggregate(name) {
		return true
	}
	// Persistent user-defined functions are dataset-qualified and may be
	// aggregates; built-in namespaces are known.
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		switch name[:i] {
		case "net", "hll_count", "kll_quantiles", "aead", "keys":
			return false
		}
		return true
	}
	return false
}

// bigQueryAggregate knows the BigQuery aggregates stmt.IsAggregate lacks.
func bigQueryAggregate(name string) bool {
	switch name {
	case "array_concat_agg", "st_accum":
		return true
	}
	return strings.HasPrefix(name, "kll_quantiles.init_") || strings.HasPrefix(name, "kll_quantiles.merge_")
}

// datePartArg returns the index of the date-part argument of a date
// function, or -1.
func datePartArg(name string) int {
	switch strings.TrimPrefix(name, "safe.") {
	case "date_trunc", "datetime_trunc", "timestamp_trunc", "time_trunc", "last_day":
		return 1
	case "date_diff", "datetime_diff", "timestamp_diff", "time_diff":
		return 2
	}
	return -1
}

// isDatePart reports whether e looks like a date part: DAY, WEEK(MONDAY).
func isDatePart(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return true
	case *ast.CallExpr:
		return funcName(e.Func) == "week"
	}
	return false
}

// randomCall reports whether e calls a random-number function without
// arguments.
func randomCall(e ast.Expr) bool {
	c, ok := e.(*ast.CallExpr)
	return ok && len(c.Args) == 0 && len(c.NamedArgs) == 0 && stmt.IsRandom(funcName(c.Func))
}

// identColumn records an unqualified column reference.
func (t *translator) identColumn(id *ast.Ident, b *stmt.Block) {
	if ref, ok := t.identRef(id, b); ok {
		t.st.Columns = append(t.st.Columns, ref)
	}
}

// pathColumn records a qualified column reference a.b (or a struct field
// access a.b.c, which is as much as the model can say).
func (t *translator) pathColumn(path []*ast.Ident, b *stmt.Block) {
	if ref, ok := t.pathRef(path, b); ok {
		t.st.Columns = append(t.st.Columns, ref)
	}
}

func (t *translator) identRef(id *ast.Ident, b *stmt.Block) (stmt.ColumnRef, bool) {
	if t.isBound(id.Name) || t.isKeywordValue(id) {
		return stmt.ColumnRef{}, false
	}
	return stmt.ColumnRef{Name: columnName(id.Name), Block: b}, true
}

func (t *translator) pathRef(path []*ast.Ident, b *stmt.Block) (stmt.ColumnRef, bool) {
	switch {
	case len(path) == 0:
		return stmt.ColumnRef{}, false
	case len(path) == 1:
		return t.identRef(path[0], b)
	case t.isBound(path[0].Name):
		return stmt.ColumnRef{}, false
	}
	return stmt.ColumnRef{Qualifier: strings.ToLower(path[0].Name), Name: columnName(path[1].Name), Block: b}, true
}

func (t *translator) isBound(name string) bool {
	return len(t.bound) > 0 && slices.Contains(t.bound, strings.ToLower(name))
}

// isKeywordValue reports whether id is one of the date functions BigQuery
// lets one call without parentheses.
func (t *translator) isKeywordValue(id *ast.Ident) bool {
	if t.backticked(id) {
		return false
	}
	switch strings.ToLower(id.Name) {
	case "current_date", "current_datetime", "current_time", "current_timestamp":
		return true
	}
	return false
}

// backticked reports whether an identifier is written in backticks, which
// makes it a name even when it spells a keyword.
func (t *translator) backticked(id *ast.Ident) bool {
	return id.NamePos >= 0 && int(id.NamePos) < len(t.text) && t.text[id.NamePos] == '`'
}

// columnName lower-cases a column name, except BigQuery's partitioning
// pseudo-columns, which keep their conventional upper case.
func columnName(name string) string {
	switch upper := strings.ToUpper(name); upper {
	case "_PARTITIONTIME", "_PARTITIONDATE":
		return upper
	}
	return strings.ToLower(name)
}
