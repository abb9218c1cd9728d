// Package trino is skim's Trino frontend. It parses a statement with
// pg_query (Postgres's own parser, which reads most of Trino's query syntax
// the same way), walks the JSON parse tree and builds a stmt.Statement.
//
// pg_query's locations mark operators and names rather than where a clause
// starts or ends, so the byte spans the rules splice at come from this
// package's lexer instead, and are checked against the parse tree: whenever
// the two disagree the statement is refused with a *stmt.ParseError rather
// than described with an offset that might be wrong.
package trino

import (
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/pganalyze/pg_query_go/v5/parser"
	"github.com/skimdata/skim/rewrite/stmt"
	"github.com/valyala/fastjson"
)

// scratch is the working memory of one Parse call: the JSON parser, whose
// buffers make reading pg_query's tree nearly allocation-free once warm, and
// the token and comment slices. Nothing in it outlives the call.
type scratch struct {
	json     fastjson.Parser
	toks     []token
	comments []stmt.Span
}

// scratchPool recycles scratch between calls. It is the package's only
// shared state; each scratch serves one call at a time.
var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooledTokens bounds the token buffer kept for reuse, so that one huge
// statement does not pin its memory.
const maxPooledTokens = 1 << 14

// maxIdentLen is the length from which Postgres truncates identifiers
// (NAMEDATALEN); the names in its tree would then not be the names written.
const maxIdentLen = 64

// Parse parses one Trino statement. sess.Catalog and sess.Schema are the
// session's defaults (X-Trino-Catalog, X-Trino-Schema), applied to partly
// qualified table names. A trailing semicolon is allowed; anything this
// package cannot describe with certainty is a *stmt.ParseError.
func Parse(text string, sess stmt.Session) (*stmt.Statement, error) {
	sc := scratchPool.Get().(*scratch)
	defer func() {
		if cap(sc.toks) > maxPooledTokens {
			sc.toks = nil
		}
		scratchPool.Put(sc)
	}()
	toks, comments, lerr := lex(text, sc.toks[:0], sc.comments[:0])
	sc.toks, sc.comments = toks, comments
	if lerr != nil {
		return nil, parseError(lerr.offset, lerr.msg)
	}
	st := &stmt.Statement{Dialect: stmt.Trino, Text: text}
	for _, c := range comments {
		st.Hints = append(st.Hints, stmt.CommentHints(text[c.Start:c.End], c.Start)...)
	}
	if n := len(toks); n > 0 && toks[n-1].kind == tokSemi {
		toks = toks[:n-1]
	}
	if len(toks) == 0 {
		return nil, parseError(-1, "empty statement")
	}
	for _, t := range toks {
		if t.kind == tokSemi {
			return nil, parseError(t.start, "several statements")
		}
	}
	if kind, verb, ok := keywordStatement(text, toks); ok {
		st.Kind, st.Verb = kind, verb
		return st, nil
	}
	for _, t := range toks {
		if (t.kind == tokWord && t.end-t.start >= maxIdentLen) || (t.kind == tokQuoted && t.end-t.start-2 >= maxIdentLen) {
			return nil, parseError(t.start, "identifier too long")
		}
	}

	// Trino's ? parameters (prepared statements) are not Postgres syntax.
	// Each becomes a 0 of the same length for pg_query, and the builder
	// reads a constant at a parameter's offset as unknown, never as 0.
	parseText, params := withoutParams(text, toks)
	js, err := parser.ParseToJSON(parseText)
	if err != nil {
		var pe *parser.Error
		if errors.As(err, &pe) {
			return nil, parseError(charOffset(text, pe.Cursorpos-1), pe.Message)
		}
		return nil, parseError(-1, err.Error())
	}
	tree, err := sc.json.Parse(js)
	if err != nil {
		return nil, parseError(-1, "reading parse tree: "+err.Error())
	}
	stmts := tree.GetArray("stmts")
	if len(stmts) != 1 {
		return nil, parseError(-1, "expected exactly one statement")
	}
	typ, node := nodeOf(stmts[0].Get("stmt"))
	if node == nil {
		return nil, parseError(-1, "empty parse tree")
	}

	b := &builder{text: text, toks: toks, sess: sess, st: st, params: params}
	b.statement(typ, node)
	if b.err != nil {
		return nil, b.err
	}
	if b.write {
		st.Kind = stmt.KindWrite
	} else if b.locking && st.Kind == stmt.KindRead {
		st.Kind = stmt.KindOther
	}
	orderBlocks(st.Blocks, b.main)
	slices.SortStableFunc(st.Tables, func(x, y *stmt.TableRef) int { return x.Span.Start - y.Span.Start })
	return st, nil
}

// builder turns one parse tree into a Statement.
type builder struct {
	text string
	toks []token
	sess stmt.Session
	st   *stmt.Statement
	// main is the statement's outermost query, listed first in Blocks.
	main *stmt.Block
	// ctes are the WITH names in scope, innermost last.
	ctes []cte
	// write is set by data-modifying CTEs, locking by FOR UPDATE/SHARE.
	write, locking bool
	err            *stmt.ParseError
	// params holds the offsets of ? parameters.
	params map[int]bool
}

// withoutParams replaces each ? parameter token by 0.
func withoutParams(text string, toks []token) (string, map[int]bool) {
	var params map[int]bool
	var buf []byte
	for _, t := range toks {
		if t.kind == tokOp && t.end == t.start+1 && text[t.start] == '?' {
			if buf == nil {
				buf = []byte(text)
				params = map[int]bool{}
			}
			buf[t.start] = '0'
			params[t.start] = true
		}
	}
	if buf == nil {
		return text, nil
	}
	return string(buf), params
}

// cte is a WITH name in scope; block is nil for a data-modifying CTE.
type cte struct {
	name  string
	block *stmt.Block
}

// fail records the first reason the statement cannot be described.
func (b *builder) fail(offset int, msg string) {
	if b.err == nil {
		b.err = parseError(offset, msg)
	}
}

func parseError(offset int, msg string) *stmt.ParseError {
	return &stmt.ParseError{Dialect: stmt.Trino, Offset: offset, Msg: msg}
}

// charOffset converts Postgres's error position, counted in characters,
// to a byte offset.
func charOffset(text string, chars int) int {
	if chars < 0 {
		return -1
	}
	for i := range text {
		if chars == 0 {
			return i
		}
		chars--
	}
	return len(text)
}

// statement models the top-level statement node f of type t.
func (b *builder) statement(t nodeType, f *fastjson.Value) {
	st := b.st
	switch t {
	case nSelectStmt:
		st.Kind, st.Verb = stmt.KindRead, "SELECT"
		if f.Get("intoClause") != nil {
			st.Kind, st.Verb = stmt.KindWrite, "SELECT INTO"
			return
		}
		b.main = &stmt.Block{Context: stmt.InTop}
		b.query(f, b.main)
	case nInsertStmt, nUpdateStmt, nDeleteStmt, nMergeStmt:
		st.Kind = stmt.KindWrite
		st.Verb = b.dml(t, f)
	case nCreateTableAsStmt:
		st.Kind, st.Verb = stmt.KindWrite, "CREATE TABLE AS"
		if string(f.GetStringBytes("objtype")) == "OBJECT_MATVIEW" {
			st.Verb = "CREATE MATERIALIZED VIEW"
		}
		if r, ok := b.relationOf(f.Get("into", "rel")); ok {
			b.tableRef(&r, nil, false)
		}
		if q := f.Get("query", "SelectStmt"); q != nil {
			b.main = &stmt.Block{Context: stmt.InWrite}
			b.query(q, b.main)
		}
	case nCreateStmt:
		st.Kind, st.Verb = stmt.KindWrite, "CREATE TABLE"
	case nViewStmt:
		st.Kind, st.Verb = stmt.KindWrite, "CREATE VIEW"
	case nCopyStmt:
		st.Kind, st.Verb = stmt.KindWrite, "COPY"
	default:
		st.Kind, st.Verb = stmt.KindOther, strings.ToUpper(b.text[b.toks[0].start:b.toks[0].end])
		if b.toks[0].kind == tokWord && strings.EqualFold(st.Verb, "create") {
			st.Kind, st.Verb = stmt.KindWrite, verbWords(b.text, b.toks, 2)
		}
	}
}

// dml models an INSERT, UPDATE, DELETE or MERGE, at the top level or in a
// data-modifying CTE, and returns its verb. Target tables are listed in
// Tables with a nil Block: they are written, not read by any block.
func (b *builder) dml(t nodeType, f *fastjson.Value) string {
	mark := len(b.ctes)
	defer func() { b.ctes = b.ctes[:mark] }()
	if f.Get("returningList") != nil {
		b.fail(-1, "RETURNING is not Trino syntax")
		return ""
	}
	if w := f.Get("withClause"); w != nil {
		b.with(w, nil)
	}
	if r, ok := b.relationOf(f.Get("relation")); ok {
		b.tableRef(&r, nil, false)
	}
	switch t {
	case nInsertStmt:
		if f.Get("onConflictClause") != nil {
			b.fail(-1, "ON CONFLICT is not Trino syntax")
			return ""
		}
		if q := f.Get("selectStmt", "SelectStmt"); q != nil {
			blk := &stmt.Block{Context: stmt.InWrite}
			if b.main == nil {
				b.main = blk
			}
			b.query(q, blk)
		}
		return "INSERT"
	case nUpdateStmt:
		if f.Get("fromClause") != nil {
			b.fail(-1, "UPDATE ... FROM is not Trino syntax")
			return ""
		}
		b.expr(f.Get("targetList"), nil, false)
		b.expr(f.Get("whereClause"), nil, false)
		return "UPDATE"
	case nDeleteStmt:
		if f.Get("usingClause") != nil {
			b.fail(-1, "DELETE ... USING is not Trino syntax")
			return ""
		}
		b.expr(f.Get("whereClause"), nil, false)
		return "DELETE"
	default:
		switch src, sf := nodeOf(f.Get("sourceRelation")); src {
		case nRangeVar:
			r, ok := b.relationOf(sf)
			if _, isCTE := b.lookupCTE(&r); ok && !isCTE {
				b.tableRef(&r, nil, false)
			}
		case nRangeSubselect:
			if q := sf.Get("subquery", "SelectStmt"); q != nil {
				b.query(q, &stmt.Block{Context: stmt.InWrite})
			}
		default:
			b.fail(-1, "unsupported MERGE source")
		}
		b.expr(f.Get("joinCondition"), nil, false)
		b.expr(f.Get("mergeWhenClauses"), nil, false)
		return "MERGE"
	}
}

// keywordStatement classifies statements by their first word when their
// kind does not depend on anything else: they are never rewritten, and many
// are Trino syntax Postgres does not accept (SHOW CREATE, EXECUTE ... USING).
func keywordStatement(text string, toks []token) (stmt.Kind, string, bool) {
	if toks[0].kind != tokWord {
		return 0, "", false
	}
	switch strings.ToLower(text[toks[0].start:toks[0].end]) {
	case "explain":
		if len(toks) > 1 && strings.EqualFold(text[toks[1].start:toks[1].end], "analyze") {
			return stmt.KindOther, "EXPLAIN ANALYZE", true
		}
		return stmt.KindOther, "EXPLAIN", true
	case "show", "start":
		return stmt.KindOther, verbWords(text, toks, 2), true
	case "set", "reset":
		if len(toks) > 1 && strings.EqualFold(text[toks[1].start:toks[1].end], "session") {
			return stmt.KindOther, verbWords(text, toks, 2), true
		}
		return stmt.KindOther, verbWords(text, toks, 1), true
	case "describe", "desc", "prepare", "execute", "deallocate", "use", "call",
		"begin", "commit", "rollback", "analyze":
		return stmt.KindOther, verbWords(text, toks, 1), true
	case "drop", "alter":
		return stmt.KindWrite, verbWords(text, toks, 2), true
	case "truncate", "comment", "grant", "revoke", "deny", "refresh":
		return stmt.KindWrite, verbWords(text, toks, 1), true
	}
	return 0, "", false
}

// verbWords upper-cases the statement's first n words.
func verbWords(text string, toks []token, n int) string {
	var sb strings.Builder
	for i := 0; i < n && i < len(toks) && toks[i].kind == tokWord; i++ {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(strings.ToUpper(text[toks[i].start:toks[i].end]))
	}
	return sb.String()
}

// orderBlocks puts the outermost query first and the other blocks in source
// order of their start; a set operation precedes its first operand, which
// starts at the same offset, because it was listed first.
func orderBlocks(blocks []*stmt.Block, main *stmt.Block) {
	if i := slices.Index(blocks, main); i > 0 {
		copy(blocks[1:i+1], blocks[:i])
		blocks[0] = main
	}
	rest := blocks
	if main != nil && len(blocks) > 0 {
		rest = blocks[1:]
	}
	slices.SortStableFunc(rest, func(x, y *stmt.Block) int { return x.Span.Start - y.Span.Start })
}

// nodeType identifies the pg_query node types the walk treats specially.
type nodeType uint8

const (
	nOther nodeType = iota
	nAConst
	nAExpr
	nAStar
	nBoolExpr
	nColumnRef
	nFuncCall
	nJoinExpr
	nRangeFunction
	nRangeSubselect
	nRangeTableSample
	nRangeVar
	nSelectStmt
	nString
	nTypeCast
	nInsertStmt
	nUpdateStmt
	nDeleteStmt
	nMergeStmt
	nCreateTableAsStmt
	nCreateStmt
	nViewStmt
	nCopyStmt
)

func nodeTypeOf(name []byte) nodeType {
	switch string(name) {
	case "A_Const":
		return nAConst
	case "A_Expr":
		return nAExpr
	case "A_Star":
		return nAStar
	case "BoolExpr":
		return nBoolExpr
	case "ColumnRef":
		return nColumnRef
	case "FuncCall":
		return nFuncCall
	case "JoinExpr":
		return nJoinExpr
	case "RangeFunction":
		return nRangeFunction
	case "RangeSubselect":
		return nRangeSubselect
	case "RangeTableSample":
		return nRangeTableSample
	case "RangeVar":
		return nRangeVar
	case "SelectStmt":
		return nSelectStmt
	case "String":
		return nString
	case "TypeCast":
		return nTypeCast
	case "InsertStmt":
		return nInsertStmt
	case "UpdateStmt":
		return nUpdateStmt
	case "DeleteStmt":
		return nDeleteStmt
	case "MergeStmt":
		return nMergeStmt
	case "CreateTableAsStmt":
		return nCreateTableAsStmt
	case "CreateStmt":
		return nCreateStmt
	case "ViewStmt":
		return nViewStmt
	case "CopyStmt":
		return nCopyStmt
	}
	return nOther
}

// nodeOf unwraps a pg_query node, {"Type": {fields}}, into its type and
// fields; fields is nil when v is not a node.
func nodeOf(v *fastjson.Value) (nodeType, *fastjson.Value) {
	o := object(v)
	if o == nil || o.Len() != 1 {
		return nOther, nil
	}
	t := nOther
	var fields *fastjson.Value
	o.Visit(func(k []byte, x *fastjson.Value) {
		t, fields = nodeTypeOf(k), x
	})
	if fields == nil || fields.Type() != fastjson.TypeObject {
		return nOther, nil
	}
	return t, fields
}

// identAt returns the normalized name the identifier token i spells:
// Trino names are case-insensitive, quoted or not.
func (b *builder) identAt(i int) (string, bool) {
	t := b.toks[i]
	switch t.kind {
	case tokWord:
		return strings.ToLower(b.text[t.start:t.end]), true
	case tokQuoted:
		return strings.ToLower(strings.ReplaceAll(b.text[t.start+1:t.end-1], `""`, `"`)), true
	}
	return "", false
}

// tokAt returns the index of the token starting at byte offset off, or -1.
func (b *builder) tokAt(off int) int {
	lo, hi := 0, len(b.toks)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if b.toks[m].start < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(b.toks) && b.toks[lo].start == off {
		return lo
	}
	return -1
}
