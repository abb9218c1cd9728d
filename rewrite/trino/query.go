package trino

import (
	"strconv"
	"strings"

	"github.com/skimdata/skim/rewrite/stmt"
	"github.com/valyala/fastjson"
)

// Clauses of a query block, in the order they must appear. FETCH FIRST is
// recorded as cLimit: the parse tree does not tell the two apart.
const (
	cFrom = iota
	cWhere
	cGroup
	cHaving
	cWindow
	cOrder
	cLimit
	cOffset
	numClauses
)

// clauses holds the token index of each clause keyword of a block (-1 when
// absent) and end, the index of the token after the block's last one.
type clauses struct {
	kw  [numClauses]int
	end int
}

// next returns the index of the first clause keyword after token i, or end:
// the clause starting at i ends right before it.
func (c *clauses) next(i int) int {
	n := c.end
	for _, k := range c.kw {
		if k > i && k < n {
			n = k
		}
	}
	return n
}

// tail says which of ORDER BY, LIMIT/FETCH and OFFSET the parse tree gives a
// block: the same keywords after a set operation's last operand belong to
// the set operation instead.
type tail struct {
	order, limit, offset bool
}

// selectStmt holds the fields of a SelectStmt node, read in one pass.
type selectStmt struct {
	targets, from, values, sort                  []*fastjson.Value
	where, group, having, window, distinct, with *fastjson.Value
	limitCount, limitOffset, larg, rarg          *fastjson.Value
	// op is the set operation's keyword, kwNone for a select block.
	op keyword
	// badOp is set for an unknown set operation.
	badOp                    bool
	countLimit, all, locking bool
}

func readSelect(v *fastjson.Value, s *selectStmt) {
	o := object(v)
	if o == nil {
		s.badOp = true
		return
	}
	o.Visit(func(k []byte, x *fastjson.Value) {
		switch string(k) {
		case "targetList":
			s.targets, _ = x.Array()
		case "fromClause":
			s.from, _ = x.Array()
		case "valuesLists":
			s.values, _ = x.Array()
		case "sortClause":
			s.sort, _ = x.Array()
		case "whereClause":
			s.where = x
		case "groupClause":
			s.group = x
		case "havingClause":
			s.having = x
		case "windowClause":
			s.window = x
		case "distinctClause":
			s.distinct = x
		case "withClause":
			s.with = x
		case "limitCount":
			s.limitCount = x
		case "limitOffset":
			s.limitOffset = x
		case "larg":
			s.larg = x
		case "rarg":
			s.rarg = x
		case "op":
			switch string(x.GetStringBytes()) {
			case "SETOP_NONE":
			case "SETOP_UNION":
				s.op = kwUnion
			case "SETOP_INTERSECT":
				s.op = kwIntersect
			case "SETOP_EXCEPT":
				s.op = kwExcept
			default:
				s.badOp = true
			}
		case "limitOption":
			// FETCH ... WITH TIES may return more rows than its count.
			s.countLimit = string(x.GetStringBytes()) == "LIMIT_OPTION_COUNT"
		case "all":
			s.all = x.Type() == fastjson.TypeTrue
		case "lockingClause":
			s.locking = true
		}
	})
}

func (s *selectStmt) tail() tail {
	return tail{order: len(s.sort) > 0, limit: s.limitCount != nil, offset: s.limitOffset != nil}
}

// query models the query expression v (the fields of a SelectStmt) as blk,
// which the caller has given its Parent and Context, and returns the token
// range [start, end) of its text, WITH clause included.
func (b *builder) query(v *fastjson.Value, blk *stmt.Block) (int, int) {
	if b.err != nil {
		return 0, 0
	}
	b.st.Blocks = append(b.st.Blocks, blk)
	var s selectStmt
	readSelect(v, &s)
	if s.badOp {
		b.fail(-1, "unknown set operation")
		return 0, 0
	}
	if s.locking {
		b.locking = true
	}
	mark := len(b.ctes)
	if s.with != nil {
		// A CTE's block sits where the query owning the WITH sits: its
		// Parent is that query's parent, nil at the top level.
		b.with(s.with, blk.Parent)
	}
	var start, end int
	if s.op == kwNone {
		start, end = b.selectBlock(&s, blk)
	} else {
		start, end = b.setOp(&s, blk)
	}
	b.ctes = b.ctes[:mark]
	if s.with != nil && b.err == nil {
		// The query's text starts at WITH, its block's at SELECT.
		w := b.tokAt(s.with.GetInt("location"))
		if w < 0 || w >= start || b.toks[w].kw != kwWith {
			b.fail(-1, "WITH does not match the parse tree")
			return 0, 0
		}
		start = w
	}
	return start, end
}

// with models a WITH clause whose blocks get the given parent, and brings
// its names into scope until the owning query is done.
func (b *builder) with(w *fastjson.Value, parent *stmt.Block) {
	recursive := w.GetBool("recursive")
	items := w.GetArray("ctes")
	entries := make([]cte, len(items))
	for i, it := range items {
		c := it.Get("CommonTableExpr")
		if c == nil {
			b.fail(-1, "unexpected WITH item")
			return
		}
		entries[i].name = lowerString(c.GetStringBytes("ctename"))
		if c.Get("ctequery", "SelectStmt") != nil {
			entries[i].block = &stmt.Block{Parent: parent, Context: stmt.InCTE, CTE: entries[i].name}
		}
	}
	if recursive {
		b.ctes = append(b.ctes, entries...)
	}
	for i, it := range items {
		q := it.Get("CommonTableExpr", "ctequery")
		if e := entries[i]; e.block != nil {
			b.query(q.Get("SelectStmt"), e.block)
		} else {
			b.write = true
			switch t, f := nodeOf(q); t {
			case nInsertStmt, nUpdateStmt, nDeleteStmt, nMergeStmt:
				b.dml(t, f)
			default:
				b.fail(-1, "unsupported WITH item")
			}
		}
		if !recursive {
			b.ctes = append(b.ctes, entries[i])
		}
	}
}

// relation holds the fields of a RangeVar, read in one pass.
type relation struct {
	// names are the catalog, schema and table names written, n of them.
	names [3][]byte
	n     int
	// alias is set when hasAlias; colnames when the alias has a column list.
	alias                   []byte
	hasAlias, colnames, inh bool
	location                int
}

// readRelation reads RangeVar rv; it reports false when rv is not one.
func readRelation(rv *fastjson.Value) (r relation, ok bool) {
	o := object(rv)
	if o == nil {
		return r, false
	}
	var catalog, schema, table []byte
	o.Visit(func(k []byte, x *fastjson.Value) {
		switch string(k) {
		case "catalogname":
			catalog = x.GetStringBytes()
		case "schemaname":
			schema = x.GetStringBytes()
		case "relname":
			table = x.GetStringBytes()
		case "inh":
			r.inh = x.Type() == fastjson.TypeTrue
		case "location":
			r.location = x.GetInt()
		case "alias":
			r.hasAlias = true
			r.alias = x.GetStringBytes("aliasname")
			r.colnames = x.Exists("colnames")
		}
	})
	for _, name := range [...][]byte{catalog, schema, table} {
		if len(name) > 0 {
			r.names[r.n] = name
			r.n++
		}
	}
	return r, r.n > 0
}

// lookupCTE resolves a relation to a CTE in scope: only an unqualified name
// can name one.
func (b *builder) lookupCTE(r *relation) (cte, bool) {
	if r.n != 1 {
		return cte{}, false
	}
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if sameName(b.ctes[i].name, r.names[0]) {
			return b.ctes[i], true
		}
	}
	return cte{}, false
}

// relationOf reads RangeVar rv, failing the statement when it is not one.
func (b *builder) relationOf(rv *fastjson.Value) (relation, bool) {
	r, ok := readRelation(rv)
	if !ok {
		b.fail(-1, "unexpected relation")
	}
	return r, ok
}

// sameName reports whether the name pg_query gives, name, is the normalized
// (lower-cased) name want.
func sameName(want string, name []byte) bool {
	return string(name) == want || strings.ToLower(string(name)) == want
}

// Forms of a select block.
const (
	formSelect = iota // SELECT ...
	formValues        // VALUES (...), ...
	formTable         // TABLE name
)

// selectBlock models a SelectStmt without a set operation.
func (b *builder) selectBlock(s *selectStmt, blk *stmt.Block) (int, int) {
	targets, values, from := s.targets, s.values, s.from
	form := formSelect
	var start int
	switch {
	case len(values) > 0:
		form = formValues
		start = b.valuesStart(values[0])
	case len(targets) == 0:
		b.fail(-1, "empty select list")
	default:
		if loc := targets[0].GetInt("ResTarget", "location"); loc >= 0 {
			start = b.selectStart(loc)
		} else {
			form = formTable
			start = b.tableStart(from)
		}
	}
	if b.err != nil {
		return 0, 0
	}
	tl := s.tail()
	cl := b.scanClauses(start+1, tl)
	if b.err != nil {
		return 0, 0
	}
	if form == formSelect {
		b.expectClause(&cl, cFrom, len(from) > 0)
		b.expectClause(&cl, cWhere, s.where != nil)
		b.expectClause(&cl, cGroup, s.group != nil)
		b.expectClause(&cl, cHaving, s.having != nil)
		b.expectClause(&cl, cWindow, s.window != nil)
	} else {
		for c := cFrom; c <= cWindow; c++ {
			b.expectClause(&cl, c, false)
		}
	}
	b.expectTail(&cl, tl)
	if b.err != nil {
		return 0, 0
	}
	blk.Span = stmt.Span{Start: b.toks[start].start, End: b.toks[cl.end-1].end}
	blk.WhereInsert = -1
	if w := cl.kw[cWhere]; w >= 0 {
		e := cl.next(w)
		if e <= w+1 {
			b.fail(b.toks[w].start, "empty WHERE clause")
			return 0, 0
		}
		blk.HasWhere = true
		blk.Where = stmt.Span{Start: b.toks[w+1].start, End: b.toks[e-1].end}
		if loc := nodeLocation(s.where); loc < blk.Where.Start || loc >= blk.Where.End {
			b.fail(b.toks[w].start, "WHERE clause does not match the parse tree")
			return 0, 0
		}
	} else if f := cl.kw[cFrom]; f >= 0 {
		if e := cl.next(f); e > f+1 {
			blk.WhereInsert = b.toks[e-1].end
		}
	}

	if s.distinct != nil {
		blk.Distinct = true
		b.expr(s.distinct, blk, false)
	}
	for _, t := range targets {
		val := t.Get("ResTarget", "val")
		if t, f := nodeOf(val); t == nColumnRef {
			if ref, star, ok := b.columnRef(f); ok && star {
				blk.Star = append(blk.Star, stmt.Star{Qualifier: ref.Qualifier})
				continue
			}
		}
		b.expr(val, blk, true)
	}
	if form == formTable {
		b.tableForm(from[0], blk)
	} else {
		lo, hi := cl.kw[cFrom], -1
		if lo >= 0 {
			hi = cl.next(lo)
		}
		for _, it := range from {
			b.fromItem(it, blk, false, lo, hi)
		}
	}
	if s.where != nil {
		b.conjuncts(s.where, blk)
	}
	if s.group != nil {
		blk.GroupBy = true
		b.expr(s.group, blk, false)
	}
	if s.having != nil {
		// HAVING without GROUP BY still folds all rows into one group.
		blk.Aggregates = true
		b.expr(s.having, blk, true)
	}
	b.expr(s.window, blk, false)
	for _, row := range values {
		b.expr(row, blk, false)
	}
	b.orderAndLimit(s, blk, &cl)
	return start, cl.end
}

// setOp models a UNION, INTERSECT or EXCEPT and its operands.
func (b *builder) setOp(s *selectStmt, blk *stmt.Block) (int, int) {
	kw := s.op
	switch kw {
	case kwUnion:
		blk.SetOp = "UNION"
	case kwIntersect:
		blk.SetOp = "INTERSECT"
	default:
		blk.SetOp = "EXCEPT"
	}
	all := s.all
	if all {
		blk.SetOp += " ALL"
	}
	larg, rarg := s.larg, s.rarg
	if larg == nil || rarg == nil {
		b.fail(-1, "set operation without operands")
		return 0, 0
	}
	l := &stmt.Block{Parent: blk, Context: stmt.InSetOp}
	r := &stmt.Block{Parent: blk, Context: stmt.InSetOp}
	blk.Operands = []*stmt.Block{l, r}
	ls, le := b.query(larg, l)
	rs, re := b.query(rarg, r)
	if b.err != nil {
		return 0, 0
	}
	ls, le = b.widen(ls, le)
	rs, re = b.widen(rs, re)
	j := le + 1
	if le >= len(b.toks) || b.toks[le].kw != kw {
		b.fail(b.toks[le-1].end, "set operator does not match the parse tree")
		return 0, 0
	}
	if j < len(b.toks) && (b.toks[j].kw == kwAll || b.toks[j].kw == kwDistinct) {
		if (b.toks[j].kw == kwAll) != all {
			b.fail(b.toks[j].start, "set quantifier does not match the parse tree")
			return 0, 0
		}
		j++
	}
	if j != rs {
		b.fail(b.toks[le].start, "set operand does not match the parse tree")
		return 0, 0
	}
	tl := s.tail()
	cl := b.scanClauses(re, tl)
	for c := cFrom; c <= cWindow; c++ {
		b.expectClause(&cl, c, false)
	}
	b.expectTail(&cl, tl)
	if b.err != nil {
		return 0, 0
	}
	blk.Span = stmt.Span{Start: b.toks[ls].start, End: b.toks[cl.end-1].end}
	blk.WhereInsert = -1
	b.orderAndLimit(s, blk, &cl)
	return ls, cl.end
}

// widen extends an operand's token range over the parentheses around it.
// The range is balanced, so a '(' right before and a ')' right after match.
func (b *builder) widen(s, e int) (int, int) {
	for s > 0 && e < len(b.toks) && b.toks[s-1].kind == tokLParen && b.toks[e].kind == tokRParen {
		s--
		e++
	}
	return s, e
}

// selectStart returns the index of the SELECT keyword of a block whose first
// select item starts at byte loc: only ALL, DISTINCT or DISTINCT ON (...)
// may come between.
func (b *builder) selectStart(loc int) int {
	r := b.tokAt(loc)
	if r < 0 {
		b.fail(loc, "select item does not start a token")
		return 0
	}
	j := r - 1
	if j >= 0 && b.toks[j].kind == tokRParen {
		j = b.matchBack(j) - 1
		if j < 1 || b.toks[j].kw != kwOn || b.toks[j-1].kw != kwDistinct {
			b.fail(loc, "SELECT keyword not found")
			return 0
		}
		j -= 2
	} else if j >= 0 && (b.toks[j].kw == kwDistinct || b.toks[j].kw == kwAll) {
		j--
	}
	if j < 0 || b.toks[j].kw != kwSelect {
		b.fail(loc, "SELECT keyword not found")
		return 0
	}
	return j
}

// valuesStart returns the index of the VALUES keyword before the first row;
// only parentheses and the words of a typed literal (INTERVAL '1' DAY) can
// precede the first location inside the row.
func (b *builder) valuesStart(row *fastjson.Value) int {
	loc := minLocation(row)
	j := b.tokAt(loc) - 1
	if j < 0 {
		b.fail(loc, "VALUES row does not start a token")
		return 0
	}
	for j >= 0 && (b.toks[j].kind == tokLParen || b.toks[j].kind == tokWord && b.toks[j].kw != kwValues) {
		j--
	}
	if j < 0 || b.toks[j].kw != kwValues {
		b.fail(loc, "VALUES keyword not found")
		return 0
	}
	return j
}

// tableStart returns the index of the TABLE keyword of a `TABLE name` query,
// which pg_query turns into SELECT * FROM name.
func (b *builder) tableStart(from []*fastjson.Value) int {
	if len(from) == 1 {
		if rv := from[0].Get("RangeVar"); rv != nil {
			if i := b.tokAt(rv.GetInt("location")); i > 0 && b.toks[i-1].kw == kwTable {
				return i - 1
			}
		}
	}
	b.fail(-1, "select item without a location")
	return 0
}

// matchBack returns the index of the '(' matching the ')' at j, or -1.
func (b *builder) matchBack(j int) int {
	depth := 0
	for ; j >= 0; j-- {
		switch b.toks[j].kind {
		case tokRParen:
			depth++
		case tokLParen:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// matchForward returns the index of the ')' matching the '(' at j, or -1.
func (b *builder) matchForward(j int) int {
	depth := 0
	for ; j < len(b.toks); j++ {
		switch b.toks[j].kind {
		case tokLParen:
			depth++
		case tokRParen:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// scanClauses finds the clause keywords of a block from token i on, at
// parenthesis depth 0, up to the block's end: a set operator, a ')' closing
// an enclosing parenthesis, ';', CTAS's WITH [NO] DATA, a locking clause,
// the end of the text, or an ORDER BY, LIMIT, FETCH or OFFSET that tl says
// belongs to an enclosing set operation.
func (b *builder) scanClauses(i int, tl tail) clauses {
	var cl clauses
	for k := range cl.kw {
		cl.kw[k] = -1
	}
	toks := b.toks
	depth := 0
	last := -1
	record := func(c, at int) {
		tailClause := c >= cLimit && last >= cLimit
		if cl.kw[c] >= 0 || (c <= last && !tailClause) {
			b.fail(toks[at].start, "clause out of order")
		}
		cl.kw[c] = at
		last = max(last, c)
	}
scan:
	for ; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tokLParen:
			depth++
			continue
		case tokRParen:
			if depth == 0 {
				break scan
			}
			depth--
			continue
		case tokSemi:
			break scan
		}
		if depth > 0 || t.kind != tokWord {
			continue
		}
		nextKw := kwNone
		if i+1 < len(toks) && toks[i+1].kind == tokWord {
			nextKw = toks[i+1].kw
		}
		switch t.kw {
		case kwUnion, kwIntersect, kwExcept:
			break scan
		case kwFrom:
			// IS [NOT] DISTINCT FROM is an operator, not a clause.
			if i == 0 || toks[i-1].kw != kwDistinct {
				record(cFrom, i)
			}
		case kwWhere:
			record(cWhere, i)
		case kwGroup:
			// WITHIN GROUP (...) is followed by '(' rather than BY.
			if nextKw == kwBy {
				record(cGroup, i)
			}
		case kwHaving:
			record(cHaving, i)
		case kwWindow:
			record(cWindow, i)
		case kwOrder:
			if !tl.order {
				break scan
			}
			record(cOrder, i)
		case kwLimit, kwFetch:
			if !tl.limit {
				break scan
			}
			record(cLimit, i)
		case kwOffset:
			if !tl.offset {
				break scan
			}
			record(cOffset, i)
		case kwWith:
			if nextKw == kwNo || nextKw == kwData {
				break scan
			}
		case kwFor:
			// Postgres's FOR UPDATE and the like.
			break scan
		}
	}
	cl.end = i
	if b.err == nil && (cl.end == 0 || depth != 0) {
		b.fail(-1, "unbalanced block")
	}
	return cl
}

// expectClause checks that the text has clause c exactly when the parse
// tree does.
func (b *builder) expectClause(cl *clauses, c int, want bool) {
	if got := cl.kw[c] >= 0; got != want && b.err == nil {
		off := -1
		if got {
			off = b.toks[cl.kw[c]].start
		}
		b.fail(off, "clause does not match the parse tree")
	}
}

func (b *builder) expectTail(cl *clauses, tl tail) {
	b.expectClause(cl, cOrder, tl.order)
	b.expectClause(cl, cLimit, tl.limit)
	b.expectClause(cl, cOffset, tl.offset)
}

// orderAndLimit models a block's ORDER BY, LIMIT/FETCH and OFFSET.
func (b *builder) orderAndLimit(s *selectStmt, blk *stmt.Block, cl *clauses) {
	if len(s.sort) > 0 {
		b.orderItems(s.sort, blk, cl.kw[cOrder], cl.next(cl.kw[cOrder]))
		for _, it := range s.sort {
			b.expr(it, blk, true)
		}
	}
	if lc := s.limitCount; lc != nil && s.countLimit {
		// LIMIT ALL is a null constant, which has no number text.
		if text, ok := b.numberText(lc.Get("A_Const")); ok {
			if n, err := strconv.ParseInt(text, 10, 64); err == nil && n >= 0 {
				blk.HasLimit, blk.Limit = true, n
			}
		}
	}
	blk.Offset = s.limitOffset != nil
}

// orderItems gives each ORDER BY key the span of its expression: the tokens
// between commas at depth 0 from o (the ORDER keyword) to e, less the
// ASC/DESC and NULLS FIRST/LAST the parse tree says follow it.
func (b *builder) orderItems(sort []*fastjson.Value, blk *stmt.Block, o, e int) {
	toks := b.toks
	if o < 0 || o+1 >= e || toks[o+1].kw != kwBy {
		b.fail(-1, "ORDER BY not found")
		return
	}
	a, depth := o+2, 0
	for j := a; j <= e; j++ {
		if j < e {
			switch toks[j].kind {
			case tokLParen:
				depth++
				continue
			case tokRParen:
				depth--
				continue
			case tokComma:
				if depth != 0 {
					continue
				}
			default:
				continue
			}
		}
		k := len(blk.OrderBy)
		if k >= len(sort) {
			b.fail(toks[a].start, "ORDER BY does not match the parse tree")
			return
		}
		sb := sort[k].Get("SortBy")
		z := b.stripSortOptions(sb, a, j)
		if z <= a {
			b.fail(-1, "ORDER BY does not match the parse tree")
			return
		}
		blk.OrderBy = append(blk.OrderBy, stmt.OrderItem{
			Span:   stmt.Span{Start: toks[a].start, End: toks[z-1].end},
			Random: isRandomCall(sb.Get("node")),
		})
		a = j + 1
	}
	if len(blk.OrderBy) != len(sort) {
		b.fail(toks[o].start, "ORDER BY does not match the parse tree")
	}
}

// stripSortOptions returns the end of the sort key in tokens [a, z), before
// its direction and null ordering; it returns a when they are not as the
// parse tree says.
func (b *builder) stripSortOptions(sb *fastjson.Value, a, z int) int {
	if sb == nil {
		return a
	}
	switch string(sb.GetStringBytes("sortby_nulls")) {
	case "", "SORTBY_NULLS_DEFAULT":
	default:
		if z-a < 3 || b.toks[z-2].kw != kwNulls || (b.toks[z-1].kw != kwFirst && b.toks[z-1].kw != kwLast) {
			return a
		}
		z -= 2
	}
	switch string(sb.GetStringBytes("sortby_dir")) {
	case "", "SORTBY_DEFAULT":
	case "SORTBY_ASC", "SORTBY_DESC":
		if z-a < 2 || (b.toks[z-1].kw != kwAsc && b.toks[z-1].kw != kwDesc) {
			return a
		}
		z--
	default:
		return a
	}
	return z
}

// tableForm models the relation of `TABLE name`. It is not a FROM item a
// TABLESAMPLE clause could follow, so it is Other (or the CTE it names).
func (b *builder) tableForm(it *fastjson.Value, blk *stmt.Block) {
	r, ok := b.relationOf(it.Get("RangeVar"))
	if !ok {
		return
	}
	if c, ok := b.lookupCTE(&r); ok {
		blk.From = append(blk.From, &stmt.FromItem{Subquery: c.block, Other: c.block == nil})
		return
	}
	b.tableRef(&r, blk, false)
	blk.From = append(blk.From, &stmt.FromItem{Other: true})
}

// fromItem models one FROM item, flattening joins in source order. ns says
// an enclosing outer join may extend the item's rows with NULLs; lo and hi
// are the token indexes of the FROM keyword and of the clause's end.
func (b *builder) fromItem(it *fastjson.Value, blk *stmt.Block, ns bool, lo, hi int) {
	if b.err != nil {
		return
	}
	t, f := nodeOf(it)
	switch t {
	case nRangeVar:
		b.rangeVar(f, blk, ns, false, lo, hi)
	case nRangeTableSample:
		b.rangeVar(f.Get("relation", "RangeVar"), blk, ns, true, lo, hi)
		b.expr(f.Get("args"), blk, false)
	case nRangeSubselect:
		q := f.Get("subquery", "SelectStmt")
		if q == nil {
			b.fail(-1, "unsupported derived table")
			return
		}
		sub := &stmt.Block{Parent: blk, Context: stmt.InFrom}
		blk.From = append(blk.From, &stmt.FromItem{Subquery: sub, NullSupplying: ns, Lateral: f.GetBool("lateral")})
		b.query(q, sub)
	case nJoinExpr:
		lns, rns := ns, ns
		switch string(f.GetStringBytes("jointype")) {
		case "JOIN_INNER":
		case "JOIN_LEFT":
			rns = true
		case "JOIN_RIGHT":
			lns = true
		default:
			lns, rns = true, true
		}
		b.fromItem(f.Get("larg"), blk, lns, lo, hi)
		b.fromItem(f.Get("rarg"), blk, rns, lo, hi)
		for _, u := range f.GetArray("usingClause") {
			b.st.Columns = append(b.st.Columns, stmt.ColumnRef{Name: strings.ToLower(string(sval(u))), Block: blk})
		}
		b.expr(f.Get("quals"), blk, false)
	default:
		if f == nil {
			b.fail(-1, "unexpected FROM item")
			return
		}
		// Table functions, UNNEST and the like: their rows are not a
		// table's, and their arguments may refer to earlier items.
		blk.From = append(blk.From, &stmt.FromItem{Other: true, Lateral: true, NullSupplying: ns})
		b.expr(f, blk, false)
	}
}

// rangeVar models a named FROM item: a CTE reference or a table.
func (b *builder) rangeVar(rv *fastjson.Value, blk *stmt.Block, ns, sampled bool, lo, hi int) {
	r, ok := b.relationOf(rv)
	if !ok {
		return
	}
	if c, ok := b.lookupCTE(&r); ok {
		item := &stmt.FromItem{Subquery: c.block, NullSupplying: ns}
		if c.block == nil || sampled {
			item.Subquery, item.Other = nil, true
		}
		blk.From = append(blk.From, item)
		return
	}
	ref := b.tableRef(&r, blk, sampled)
	if ref == nil {
		return
	}
	if i := b.tokAt(ref.Span.Start); i <= lo || i >= hi {
		b.fail(ref.Span.Start, "table outside its FROM clause")
		return
	}
	blk.From = append(blk.From, &stmt.FromItem{Table: ref, NullSupplying: ns})
}

// tableRef builds the reference to the table named by relation r and lists
// it in Tables. Its span covers the name and, when the parse tree has one,
// the alias with its column list: where Trino's grammar puts TABLESAMPLE.
func (b *builder) tableRef(r *relation, blk *stmt.Block, sampled bool) *stmt.TableRef {
	loc := r.location
	i := b.tokAt(loc)
	if i < 0 {
		b.fail(loc, "table name does not start a token")
		return nil
	}
	if !r.inh {
		b.fail(loc, "ONLY is not Trino syntax")
		return nil
	}
	want, nw := r.names, r.n
	toks := b.toks
	var parts [3]string
	np, j := 0, i
	for {
		part, ok := "", j < len(toks)
		if ok {
			part, ok = b.identAt(j)
		}
		if !ok || np == nw || !sameName(part, want[np]) {
			b.fail(loc, "table name does not match the parse tree")
			return nil
		}
		if strings.IndexByte(part, '.') >= 0 {
			// A dotted Name could not tell this part from two.
			b.fail(toks[j].start, "table name part contains a dot")
			return nil
		}
		parts[np] = part
		np++
		j++
		if j < len(toks) && toks[j].kind == tokDot {
			j++
			continue
		}
		break
	}
	if np != nw {
		b.fail(loc, "table name does not match the parse tree")
		return nil
	}
	ref := &stmt.TableRef{Written: b.text[toks[i].start:toks[j-1].end], Sampled: sampled, Block: blk}
	if r.hasAlias {
		if j < len(toks) && toks[j].kw == kwAs {
			j++
		}
		a, ok := "", j < len(toks)
		if ok {
			a, ok = b.identAt(j)
		}
		if !ok || !sameName(a, r.alias) {
			b.fail(loc, "alias does not match the parse tree")
			return nil
		}
		ref.Alias = a
		j++
		if r.colnames {
			k := -1
			if j < len(toks) && toks[j].kind == tokLParen {
				k = b.matchForward(j)
			}
			if k < 0 {
				b.fail(loc, "column aliases do not match the parse tree")
				return nil
			}
			j = k + 1
		}
	}
	if sampled && (j >= len(toks) || toks[j].kw != kwTablesample) {
		b.fail(loc, "TABLESAMPLE does not follow the table")
		return nil
	}
	ref.Span = stmt.Span{Start: toks[i].start, End: toks[j-1].end}
	ref.Name, ref.Qualified = b.qualify(parts[:np])
	b.st.Tables = append(b.st.Tables, ref)
	return ref
}

// qualify applies the session's catalog and schema to a table name's parts.
func (b *builder) qualify(parts []string) (string, bool) {
	catalog, schema := strings.ToLower(b.sess.Catalog), strings.ToLower(b.sess.Schema)
	switch len(parts) {
	case 3:
		return parts[0] + "." + parts[1] + "." + parts[2], true
	case 2:
		if catalog != "" {
			return catalog + "." + parts[0] + "." + parts[1], true
		}
		return parts[0] + "." + parts[1], false
	default:
		if catalog != "" && schema != "" {
			return catalog + "." + schema + "." + parts[0], true
		}
		return parts[0], false
	}
}
