package trino

import (
	"strconv"
	"strings"

	"github.com/skimdata/skim/rewrite/stmt"
	"github.com/valyala/fastjson"
)

// expr walks v, an expression, a list of them or a struct holding them, of
// block blk (nil outside any query block): it records column references and
// models subqueries as blocks. calls says whether function calls count
// toward blk's Aggregates and Windows, as they do in the select list,
// HAVING and ORDER BY.
func (b *builder) expr(v *fastjson.Value, blk *stmt.Block, calls bool) {
	if v == nil || b.err != nil {
		return
	}
	switch v.Type() {
	case fastjson.TypeArray:
		a, _ := v.Array()
		for _, x := range a {
			b.expr(x, blk, calls)
		}
	case fastjson.TypeObject:
		o, _ := v.Object()
		o.Visit(func(k []byte, x *fastjson.Value) {
			// Node types are capitalized, field names are not.
			if len(k) > 0 && 'A' <= k[0] && k[0] <= 'Z' {
				b.node(nodeTypeOf(k), x, blk, calls)
			} else if !leafField(k) {
				b.expr(x, blk, calls)
			}
		})
	}
}

// leafField reports whether a field never holds a column reference, a
// call or a subquery (names, operators, enumerations): the walk skips it,
// which matters for speed as every node has a location.
func leafField(k []byte) bool {
	switch string(k) {
	case "location", "funcname", "funcformat", "name", "kind", "alias":
		return true
	}
	return false
}

// node walks one node of type t with fields f.
func (b *builder) node(t nodeType, f *fastjson.Value, blk *stmt.Block, calls bool) {
	switch t {
	case nColumnRef:
		if ref, star, ok := b.columnRef(f); ok && !star {
			ref.Block = blk
			b.st.Columns = append(b.st.Columns, ref)
		}
	case nFuncCall:
		b.funcCall(f, blk, calls)
	case nSelectStmt:
		b.query(f, &stmt.Block{Parent: blk, Context: stmt.InExpr})
	case nRangeVar, nRangeSubselect, nJoinExpr, nRangeFunction, nRangeTableSample:
		b.fail(-1, "relation inside an expression")
	case nAConst, nString, nAStar:
	default:
		b.expr(f, blk, calls)
	}
}

// call holds what the walk needs of a FuncCall, read in one pass.
type call struct {
	name  []byte // the last part of the name
	parts int    // the number of parts of the name
	args  []*fastjson.Value
	// over is set for window calls; aggregate for aggregate syntax (*,
	// DISTINCT, FILTER, WITHIN GROUP, ORDER BY among the arguments);
	// variadic for VARIADIC arguments.
	over, aggregate, variadic bool
}

func readCall(f *fastjson.Value, c *call) {
	object(f).Visit(c.read)
}

// read takes in field k of a FuncCall.
func (c *call) read(k []byte, x *fastjson.Value) {
	switch string(k) {
	case "funcname":
		parts, _ := x.Array()
		c.parts = len(parts)
		if len(parts) > 0 {
			c.name = sval(parts[len(parts)-1])
		}
	case "args":
		c.args, _ = x.Array()
	case "over":
		c.over = true
	case "agg_star", "agg_distinct", "agg_within_group":
		c.aggregate = c.aggregate || x.Type() == fastjson.TypeTrue
	case "agg_filter", "agg_order":
		c.aggregate = true
	case "func_variadic":
		c.variadic = x.Type() == fastjson.TypeTrue
	}
}

// funcCall walks a FuncCall's arguments and, when calls is set, marks blk
// as aggregating or windowing when the call does.
func (b *builder) funcCall(f *fastjson.Value, blk *stmt.Block, calls bool) {
	var c call
	object(f).Visit(func(k []byte, x *fastjson.Value) {
		c.read(k, x)
		switch string(k) {
		case "args", "agg_filter", "agg_order", "over":
			b.expr(x, blk, calls)
		}
	})
	if !calls || blk == nil {
		return
	}
	if c.over {
		blk.Windows = true
	} else if c.aggregate || stmt.IsAggregate(string(c.name)) {
		blk.Aggregates = true
	}
}

// isRandomCall reports whether v is a call without arguments of a random
// number function, such as rand() or random().
func isRandomCall(v *fastjson.Value) bool {
	t, f := nodeOf(v)
	if t != nFuncCall {
		return false
	}
	var c call
	readCall(f, &c)
	return c.parts == 1 && len(c.args) == 0 && !c.over && !c.aggregate && stmt.IsRandom(string(c.name))
}

// columnRef reads a ColumnRef: the last name and its qualifier, the one
// before it (a.b.c is column c of table b of schema a), or a star.
func (b *builder) columnRef(f *fastjson.Value) (ref stmt.ColumnRef, star, ok bool) {
	var fields []*fastjson.Value
	loc := -1
	object(f).Visit(func(k []byte, x *fastjson.Value) {
		switch string(k) {
		case "fields":
			fields, _ = x.Array()
		case "location":
			loc = x.GetInt()
		}
	})
	n := len(fields)
	if n == 0 {
		return ref, false, false
	}
	star = fields[n-1].Exists("A_Star")
	if b.dottedName(b.tokAt(loc), n, star, &ref) {
		return ref, star, true
	}
	if n >= 2 {
		ref.Qualifier = lowerString(sval(fields[n-2]))
	}
	if !star {
		ref.Name = lowerString(sval(fields[n-1]))
	}
	return ref, star, star || ref.Name != ""
}

// dottedName reads the last two names of a ColumnRef of n fields from the
// tokens at i, which must spell exactly n names (the last a * when star)
// separated by dots: the text then says what the parse tree does, and names
// written in lower case need no copying.
func (b *builder) dottedName(i, n int, star bool, ref *stmt.ColumnRef) bool {
	if i < 0 {
		return false
	}
	end := i + 2*n - 1
	if end > len(b.toks) || (end < len(b.toks) && b.toks[end].kind == tokDot) {
		return false
	}
	for k := 0; k < n; k++ {
		j := i + 2*k
		if k > 0 && b.toks[j-1].kind != tokDot {
			return false
		}
		if k == n-1 && star {
			t := b.toks[j]
			if t.kind != tokOp || b.text[t.start] != '*' {
				return false
			}
			continue
		}
		name, ok := b.identAt(j)
		if !ok {
			return false
		}
		switch k {
		case n - 2:
			ref.Qualifier = name
		case n - 1:
			ref.Name = name
		}
	}
	return true
}

// object returns v's object, nil when v is not one; Visit and Len accept
// nil.
func object(v *fastjson.Value) *fastjson.Object {
	if v == nil || v.Type() != fastjson.TypeObject {
		return nil
	}
	o, _ := v.Object()
	return o
}

// sval returns the text of a String node.
func sval(v *fastjson.Value) []byte {
	return v.GetStringBytes("String", "sval")
}

// lowerString returns b lower-cased as a new string: Trino names are
// case-insensitive, quoted or not.
func lowerString(b []byte) string {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(string(b))
		}
	}
	return string(b)
}

// lowerASCII lower-cases the ASCII letters of b into buf, to compare words
// without allocating.
func lowerASCII(buf []byte, b []byte) []byte {
	buf = buf[:0]
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// minLocation returns the smallest location in v's subtree, -1 if none.
func minLocation(v *fastjson.Value) int {
	m := -1
	var walk func(v *fastjson.Value)
	walk = func(v *fastjson.Value) {
		switch v.Type() {
		case fastjson.TypeArray:
			a, _ := v.Array()
			for _, x := range a {
				walk(x)
			}
		case fastjson.TypeObject:
			o, _ := v.Object()
			o.Visit(func(k []byte, x *fastjson.Value) {
				if string(k) == "location" && x.Type() == fastjson.TypeNumber {
					if l := x.GetInt(); l >= 0 && (m < 0 || l < m) {
						m = l
					}
					return
				}
				walk(x)
			})
		}
	}
	if v != nil {
		walk(v)
	}
	return m
}

// nodeLocation returns the location of node v itself, which lies inside
// the node's text, or the smallest in its subtree when it has none.
func nodeLocation(v *fastjson.Value) int {
	if _, f := nodeOf(v); f != nil {
		if l := f.Get("location"); l != nil {
			if n, err := l.Int(); err == nil && n >= 0 {
				return n
			}
		}
	}
	return minLocation(v)
}

// conjuncts splits a WHERE condition at its top-level ANDs and files each
// conjunct as a Filter or, when it is anything else, as opaque; it records
// the condition's column references and subqueries on the way.
func (b *builder) conjuncts(v *fastjson.Value, blk *stmt.Block) {
	if be := v.Get("BoolExpr"); be != nil && string(be.GetStringBytes("boolop")) == "AND_EXPR" {
		for _, a := range be.GetArray("args") {
			b.conjuncts(a, blk)
		}
		return
	}
	if f, ok := b.filter(v); ok {
		f.Column.Block = blk
		blk.Filters = append(blk.Filters, f)
		b.st.Columns = append(b.st.Columns, f.Column)
		return
	}
	blk.OtherFilters = true
	// Every column of the conjunct is opaque, in subqueries too: they may
	// be correlated.
	first := len(b.st.Columns)
	b.expr(v, blk, false)
	for _, c := range b.st.Columns[first:] {
		c.Block = blk
		blk.OpaqueFilterColumns = append(blk.OpaqueFilterColumns, c)
	}
}

// comparison maps pg_query's name of a comparison operator to the model's
// operator and to the one that applies when the operands swap sides; the
// parser has already turned != into <>.
func comparison(name string) (op, flipped stmt.Op, ok bool) {
	switch name {
	case "=":
		return stmt.OpEq, stmt.OpEq, true
	case "<>":
		return stmt.OpNe, stmt.OpNe, true
	case "<":
		return stmt.OpLt, stmt.OpGt, true
	case "<=":
		return stmt.OpLe, stmt.OpGe, true
	case ">":
		return stmt.OpGt, stmt.OpLt, true
	case ">=":
		return stmt.OpGe, stmt.OpLe, true
	}
	return "", "", false
}

// filter reads a conjunct comparing a column with literals: col op lit,
// lit op col, col IN (lits), col BETWEEN lit AND lit.
func (b *builder) filter(v *fastjson.Value) (stmt.Filter, bool) {
	var f stmt.Filter
	t, e := nodeOf(v)
	if t != nAExpr {
		return f, false
	}
	var kind, op []byte
	var lexpr, rexpr *fastjson.Value
	names := 0
	object(e).Visit(func(k []byte, x *fastjson.Value) {
		switch string(k) {
		case "kind":
			kind = x.GetStringBytes()
		case "name":
			a, _ := x.Array()
			if names = len(a); names == 1 {
				op = sval(a[0])
			}
		case "lexpr":
			lexpr = x
		case "rexpr":
			rexpr = x
		}
	})
	if names != 1 {
		return f, false
	}
	switch string(kind) {
	case "AEXPR_OP":
		cmp, flipped, ok := comparison(string(op))
		if !ok {
			break
		}
		if col, trunc, ok := b.columnSide(lexpr); ok {
			if lit, ok := b.literal(rexpr); ok {
				return stmt.Filter{Column: col, Truncate: trunc, Op: cmp, Values: []stmt.Literal{lit}}, true
			}
		}
		if col, trunc, ok := b.columnSide(rexpr); ok {
			if lit, ok := b.literal(lexpr); ok {
				return stmt.Filter{Column: col, Truncate: trunc, Op: flipped, Values: []stmt.Literal{lit}}, true
			}
		}
	case "AEXPR_IN":
		// NOT IN is the same node with operator <>.
		if string(op) == "=" {
			return b.listFilter(lexpr, rexpr, stmt.OpIn, 0)
		}
	case "AEXPR_BETWEEN":
		return b.listFilter(lexpr, rexpr, stmt.OpBetween, 2)
	}
	return f, false
}

// listFilter reads col IN (...) or col BETWEEN a AND b; n is the required
// number of values, 0 for any.
func (b *builder) listFilter(lexpr, rexpr *fastjson.Value, op stmt.Op, n int) (stmt.Filter, bool) {
	col, trunc, ok := b.columnSide(lexpr)
	items := rexpr.GetArray("List", "items")
	if !ok || len(items) == 0 || (n > 0 && len(items) != n) {
		return stmt.Filter{}, false
	}
	vals := make([]stmt.Literal, len(items))
	for i, it := range items {
		if vals[i], ok = b.literal(it); !ok {
			return stmt.Filter{}, false
		}
	}
	return stmt.Filter{Column: col, Truncate: trunc, Op: op, Values: vals}, true
}

// columnSide reads the column side of a filter: a column, or a column
// truncated by date(c), CAST(c AS date) or date_trunc('unit', c).
func (b *builder) columnSide(v *fastjson.Value) (stmt.ColumnRef, string, bool) {
	t, f := nodeOf(v)
	switch t {
	case nColumnRef:
		ref, star, ok := b.columnRef(f)
		return ref, "", ok && !star
	case nTypeCast:
		if typeClass(f.Get("typeName")) == "date" {
			if ref, star, ok := b.columnRef(f.Get("arg", "ColumnRef")); ok && !star {
				return ref, "day", true
			}
		}
	case nFuncCall:
		var c call
		readCall(f, &c)
		if c.parts != 1 || c.over || c.aggregate || c.variadic {
			break
		}
		var buf [16]byte
		switch string(lowerASCII(buf[:], c.name)) {
		case "date":
			if len(c.args) == 1 {
				if ref, star, ok := b.columnRef(c.args[0].Get("ColumnRef")); ok && !star {
					return ref, "day", true
				}
			}
		case "date_trunc":
			if len(c.args) != 2 {
				break
			}
			unit := lowerASCII(buf[:], c.args[0].GetStringBytes("A_Const", "sval", "sval"))
			for _, u := range [...]string{"day", "hour", "month", "year"} {
				if string(unit) != u {
					continue
				}
				if ref, star, ok := b.columnRef(c.args[1].Get("ColumnRef")); ok && !star {
					return ref, u, true
				}
			}
		}
	}
	return stmt.ColumnRef{}, "", false
}

// literal reads a constant: a string, a number, DATE '...', TIMESTAMP '...'
// or a cast of a constant to a character or numeric type.
func (b *builder) literal(v *fastjson.Value) (stmt.Literal, bool) {
	t, f := nodeOf(v)
	switch t {
	case nAConst:
		if sv := f.Get("sval"); sv != nil {
			return stmt.Literal{Kind: stmt.LitString, Text: b.stringText(f, sv)}, true
		}
		if s, ok := b.numberText(f); ok {
			return stmt.Literal{Kind: stmt.LitNumber, Text: s}, true
		}
	case nTypeCast:
		c := f.Get("arg", "A_Const")
		if c == nil {
			break
		}
		sv := c.Get("sval")
		switch typeClass(f.Get("typeName")) {
		case "date":
			if sv != nil && !f.Exists("typeName", "typmods") {
				return stmt.Literal{Kind: stmt.LitDate, Text: b.stringText(c, sv)}, true
			}
		case "timestamp":
			if sv != nil {
				return stmt.Literal{Kind: stmt.LitTimestamp, Text: b.stringText(c, sv)}, true
			}
		case "char":
			if sv != nil {
				return stmt.Literal{Kind: stmt.LitString, Text: b.stringText(c, sv)}, true
			}
			if s, ok := b.numberText(c); ok {
				return stmt.Literal{Kind: stmt.LitString, Text: s}, true
			}
		case "number":
			if s, ok := b.numberText(c); ok {
				return stmt.Literal{Kind: stmt.LitNumber, Text: s}, true
			}
		}
	}
	return stmt.Literal{}, false
}

// stringText returns the value of the string constant c, whose sval field
// is sv. A literal without escapes is taken from the text, which saves
// copying it.
func (b *builder) stringText(c, sv *fastjson.Value) string {
	raw := sv.GetStringBytes("sval")
	if i := b.tokAt(c.GetInt("location")); i >= 0 {
		if t := b.toks[i]; t.kind == tokString && b.text[t.start] == '\'' {
			if w := b.text[t.start+1 : t.end-1]; w == string(raw) {
				return w
			}
		}
	}
	return string(raw)
}

// typeClass classifies a TypeName: "date", "timestamp" (with or without
// time zone, any precision), "char" (varchar), "number", or "" for any
// other type, whose literals skim does not compare.
func typeClass(tn *fastjson.Value) string {
	names := tn.GetArray("names")
	if tn.Exists("arrayBounds") || len(names) == 0 || len(names) > 2 ||
		(len(names) == 2 && string(sval(names[0])) != "pg_catalog") {
		return ""
	}
	var buf [16]byte
	switch string(lowerASCII(buf[:], sval(names[len(names)-1]))) {
	case "date":
		return "date"
	case "timestamp", "timestamptz":
		return "timestamp"
	case "varchar", "text":
		return "char"
	case "int2", "int4", "int8", "smallint", "integer", "int", "bigint", "tinyint",
		"float4", "float8", "real", "double", "numeric", "decimal":
		return "number"
	}
	return ""
}

// numberText returns the text of a numeric A_Const, normalized to decimal
// for integers.
func (b *builder) numberText(c *fastjson.Value) (string, bool) {
	if b.params[c.GetInt("location")] {
		return "", false // a ? parameter, whose value is not in the text
	}
	if iv := c.Get("ival"); iv != nil {
		if x := iv.Get("ival"); x != nil {
			n, err := x.Int64()
			return strconv.FormatInt(n, 10), err == nil
		}
		// pg_query's JSON leaves out zero and negative integers alike, so
		// the value is read from the text.
		i := b.tokAt(c.GetInt("location"))
		if i < 0 {
			return "", false
		}
		neg := false
		if t := b.toks[i]; t.kind == tokOp && b.text[t.start:t.end] == "-" {
			neg = true
			i++
		}
		if i >= len(b.toks) || b.toks[i].kind != tokNumber {
			return "", false
		}
		t := b.toks[i]
		s, ok := integerText(b.text[t.start:t.end])
		if neg && s != "0" {
			s = "-" + s
		}
		return s, ok
	}
	if fv := c.Get("fval"); fv != nil {
		s := string(fv.GetStringBytes("fval"))
		neg := strings.HasPrefix(s, "-")
		if i, ok := integerText(strings.TrimPrefix(s, "-")); ok {
			if neg && i != "0" {
				i = "-" + i
			}
			return i, true
		}
		return strings.ReplaceAll(s, "_", ""), s != ""
	}
	return "", false
}

// integerText converts an unsigned integer literal (decimal, 0x, 0o or 0b,
// with optional _ separators) to decimal; it fails on anything else.
func integerText(s string) (string, bool) {
	s = strings.ReplaceAll(s, "_", "")
	base := 10
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 10 {
			s = s[2:]
		}
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}
