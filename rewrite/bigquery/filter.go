package bigquery

import (
	"slices"
	"strings"

	"github.com/cloudspannerecosystem/memefish/ast"

	"github.com/skimdata/skim/rewrite/stmt"
)

// filter returns the filter a WHERE conjunct expresses when it compares one
// column, possibly truncated to a date unit, with literals.
func (t *translator) filter(e ast.Expr, b *stmt.Block) (stmt.Filter, bool) {
	switch e := e.(type) {
	case *ast.BinaryExpr:
		op, ok := comparison(e.Op)
		if !ok {
			break
		}
		if col, unit, ok := t.filterColumn(e.Left, b); ok {
			if lit, ok := literal(e.Right); ok {
				return stmt.Filter{Column: col, Truncate: unit, Op: op, Values: []stmt.Literal{lit}}, true
			}
		}
		if col, unit, ok := t.filterColumn(e.Right, b); ok {
			if lit, ok := literal(e.Left); ok {
				return stmt.Filter{Column: col, Truncate: unit, Op: flip(op), Values: []stmt.Literal{lit}}, true
			}
		}
	case *ast.InExpr:
		values, ok := e.Right.(*ast.ValuesInCondition)
		if e.Not || !ok {
			break
		}
		col, unit, ok := t.filterColumn(e.Left, b)
		if !ok {
			break
		}
		f := stmt.Filter{Column: col, Truncate: unit, Op: stmt.OpIn}
		for _, v := range values.Exprs {
			lit, ok := literal(v)
			if !ok {
				return stmt.Filter{}, false
			}
			f.Values = append(f.Values, lit)
		}
		return f, true
	case *ast.BetweenExpr:
		if e.Not {
			break
		}
		col, unit, ok := t.filterColumn(e.Left, b)
		if !ok {
			break
		}
		lo, okLo := literal(e.RightStart)
		hi, okHi := literal(e.RightEnd)
		if okLo && okHi {
			return stmt.Filter{Column: col, Truncate: unit, Op: stmt.OpBetween, Values: []stmt.Literal{lo, hi}}, true
		}
	}
	return stmt.Filter{}, false
}

func comparison(op ast.BinaryOp) (stmt.Op, bool) {
	switch op {
	case ast.OpEqual:
		return stmt.OpEq, true
	case ast.OpNotEqual:
		return stmt.OpNe, true
	case ast.OpLess:
		return stmt.OpLt, true
	case ast.OpLessEqual:
		return stmt.OpLe, true
	case ast.OpGreater:
		return stmt.OpGt, true
	case ast.OpGreaterEqual:
		return stmt.OpGe, true
	}
	return "", false
}

// flip turns lit op col into col op' lit.
func flip(op stmt.Op) stmt.Op {
	switch op {
	case stmt.OpLt:
		return stmt.OpGt
	case stmt.OpLe:
		return stmt.OpGe
	case stmt.OpGt:
		return stmt.OpLt
	case stmt.OpGe:
		return stmt.OpLe
	}
	return op
}

// filterColumn recognises the column side of a filter: a column, or a
// column truncated to a date unit by DATE(col), CAST(col AS DATE),
// EXTRACT(DATE FROM col) or a *_TRUNC function. Time zone arguments make
// the truncation unknown, so they are not recognised.
func (t *translator) filterColumn(e ast.Expr, b *stmt.Block) (stmt.ColumnRef, string, bool) {
	e = unparen(e)
	if ref, ok := t.plainColumn(e, b); ok {
		return ref, "", true
	}
	switch e := e.(type) {
	case *ast.CallExpr:
		args, ok := plainArgs(e)
		if !ok {
			break
		}
		var units []string
		switch funcName(e.Func) {
		case "date":
			if len(args) == 1 {
				ref, ok := t.plainColumn(unparen(args[0]), b)
				return ref, "day", ok
			}
		case "timestamp_trunc", "datetime_trunc":
			units = []string{"day", "hour", "month", "year"}
		case "date_trunc":
			units = []string{"day", "month", "year"}
		}
		if len(units) == 0 || len(args) != 2 {
			break
		}
		unit, ok := t.keyword(args[1])
		if !ok || !slices.Contains(units, unit) {
			break
		}
		ref, ok := t.plainColumn(unparen(args[0]), b)
		return ref, unit, ok
	case *ast.CastExpr:
		if typ, ok := e.Type.(*ast.SimpleType); ok && !e.Safe && typ.Name == ast.DateTypeName {
			ref, ok := t.plainColumn(unparen(e.Expr), b)
			return ref, "day", ok
		}
	case *ast.ExtractExpr:
		if e.AtTimeZone == nil && e.Part != nil && strings.EqualFold(e.Part.Name, "date") {
			ref, ok := t.plainColumn(unparen(e.Expr), b)
			return ref, "day", ok
		}
	}
	return stmt.ColumnRef{}, "", false
}

// plainColumn recognises a column written as name or qualifier.name; a
// longer path is a struct field, not a column.
func (t *translator) plainColumn(e ast.Expr, b *stmt.Block) (stmt.ColumnRef, bool) {
	switch e := e.(type) {
	case *ast.Ident:
		return t.identRef(e, b)
	case *ast.Path:
		if len(e.Idents) <= 2 {
			return t.pathRef(e.Idents, b)
		}
	}
	return stmt.ColumnRef{}, false
}

// keyword returns the lower-cased name of an unquoted identifier used as a
// keyword, like the DAY of DATE_TRUNC(d, DAY).
func (t *translator) keyword(e ast.Expr) (string, bool) {
	id, ok := e.(*ast.Ident)
	if !ok || t.backticked(id) {
		return "", false
	}
	return strings.ToLower(id.Name), true
}

// plainArgs returns the arguments of a call without modifiers or named
// arguments.
func plainArgs(c *ast.CallExpr) ([]ast.Expr, bool) {
	if c.Distinct || len(c.NamedArgs) > 0 || c.NullHandling != nil || c.Having != nil ||
		c.OrderBy != nil || c.Limit != nil || c.Hint != nil {
		return nil, false
	}
	args := make([]ast.Expr, len(c.Args))
	for i, a := range c.Args {
		ea, ok := a.(*ast.ExprArg)
		if !ok {
			return nil, false
		}
		args[i] = ea.Expr
	}
	return args, true
}

// literal recognises a constant: a string, a decimal number, a DATE or
// TIMESTAMP literal, or DATE('...'), TIMESTAMP('...'), DATETIME('...').
func literal(e ast.Expr) (stmt.Literal, bool) {
	switch e := unparen(e).(type) {
	case *ast.StringLiteral:
		return stmt.Literal{Kind: stmt.LitString, Text: e.Value}, true
	case *ast.IntLiteral, *ast.FloatLiteral:
		return number(e)
	case *ast.UnaryExpr:
		if e.Op == ast.OpMinus {
			if lit, ok := number(e.Expr); ok {
				lit.Text = "-" + lit.Text
				return lit, true
			}
		}
	case *ast.DateLiteral:
		return stmt.Literal{Kind: stmt.LitDate, Text: e.Value.Value}, true
	case *ast.TimestampLiteral:
		return stmt.Literal{Kind: stmt.LitTimestamp, Text: e.Value.Value}, true
	case *ast.CallExpr:
		args, ok := plainArgs(e)
		if !ok || len(args) != 1 {
			break
		}
		s, ok := args[0].(*ast.StringLiteral)
		if !ok {
			break
		}
		switch funcName(e.Func) {
		case "date":
			return stmt.Literal{Kind: stmt.LitDate, Text: s.Value}, true
		case "timestamp", "datetime":
			return stmt.Literal{Kind: stmt.LitTimestamp, Text: s.Value}, true
		}
	}
	return stmt.Literal{}, false
}

// number recognises a decimal integer or floating-point literal; hex
// integers are left out so that every LitNumber reads as a decimal.
func number(e ast.Expr) (stmt.Literal, bool) {
	switch e := e.(type) {
	case *ast.IntLiteral:
		if e.Base == 10 {
			return stmt.Literal{Kind: stmt.LitNumber, Text: e.Value}, true
		}
	case *ast.FloatLiteral:
		return stmt.Literal{Kind: stmt.LitNumber, Text: e.Value}, true
	}
	return stmt.Literal{}, false
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}
