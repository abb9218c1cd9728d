// Package stmt is skim's dialect-neutral model of a SQL statement. The
// dialect packages (trino, bigquery) translate their parser's tree into it;
// the rules read nothing else, so none of them knows which parser ran.
package stmt

import (
	"fmt"
	"strings"
)

// Dialect names the SQL dialect of a statement.
type Dialect string

// Dialects skim understands.
const (
	Trino    Dialect = "trino"
	BigQuery Dialect = "bigquery"
)

// Session holds the defaults a client's session applies to unqualified table
// names: catalog and schema for Trino, project and dataset for BigQuery.
type Session struct {
	Catalog string
	Schema  string
}

// Span is a half-open byte range [Start, End) of the statement text.
type Span struct {
	Start, End int
}

// Kind says whether a statement reads or writes.
type Kind int

// Statement kinds. Only reads are ever rewritten.
const (
	KindOther Kind = iota // SHOW, SET, EXPLAIN, EXECUTE, ...
	KindRead              // a query
	KindWrite             // INSERT, CTAS, MERGE, UPDATE, DELETE, DDL, ...
)

func (k Kind) String() string {
	switch k {
	case KindRead:
		return "read"
	case KindWrite:
		return "write"
	}
	return "other"
}

// Statement is the dialect-neutral model of one parsed statement: just what
// the rules need to decide whether a rewrite keeps the answer correct, and
// the byte positions they need to splice the original text.
type Statement struct {
	Dialect Dialect
	Text    string
	Kind    Kind
	// Verb is the statement's leading keyword as the parser saw it
	// (SELECT, INSERT, CREATE TABLE AS, ...), for reasons and the ledger.
	Verb string
	// Blocks lists every query block in source order: select blocks and set
	// operations, including those in CTEs and subqueries. Blocks[0] is the
	// outermost query of a read.
	Blocks []*Block
	// Tables lists every table reference in the statement, in source order.
	// References to CTEs are not tables and are not listed.
	Tables []*TableRef
	// Columns lists every column reference, for column pruning estimates.
	Columns []ColumnRef
	// Hints are the `skim:` hints found in comments.
	Hints []Hint
}

// Block is one query block: a SELECT with its clauses, or a set operation
// (UNION, INTERSECT, EXCEPT) whose ORDER BY and LIMIT apply to the combined
// rows.
type Block struct {
	// Span covers the block from SELECT (or the first operand) to its last
	// clause.
	Span Span
	// Parent is the enclosing block, nil for the outermost.
	Parent *Block
	// Context says where the block sits in its parent.
	Context Context
	// CTE is the name of the CTE this block defines, when Context is InCTE.
	CTE string

	// SetOp is "" for a select block, else UNION, UNION ALL, INTERSECT,
	// INTERSECT ALL, EXCEPT or EXCEPT ALL; Operands then holds the operand
	// blocks.
	SetOp    string
	Operands []*Block

	// From lists the items of the FROM clause, flattened across joins.
	From []*FromItem
	// Where is the WHERE condition's span; HasWhere is false when the block
	// has none, and WhereInsert is then the offset right after the FROM
	// clause's last token, where a WHERE clause can be added.
	HasWhere    bool
	Where       Span
	WhereInsert int
	// Filters are the top-level AND-ed comparisons of WHERE between a
	// column and literals.
	Filters []Filter
	// OpaqueFilterColumns lists columns that appear in top-level WHERE
	// conjuncts skim cannot evaluate (functions of columns, subqueries, ...).
	OpaqueFilterColumns []ColumnRef
	// OtherFilters is true when WHERE holds a conjunct that is not a
	// column-literal comparison; its selectivity is unknown.
	OtherFilters bool

	Distinct   bool
	GroupBy    bool
	Aggregates bool
	Windows    bool
	// Star lists the SELECT * and t.* items of the select list.
	Star []Star

	OrderBy []OrderItem
	// Limit is the row count of LIMIT n or FETCH FIRST n ROWS; HasLimit is
	// false when there is none or it is not a literal.
	HasLimit bool
	Limit    int64
	// Offset is true when the block skips rows (OFFSET).
	Offset bool
}

// Context says where a block appears.
type Context int

// Block contexts.
const (
	InTop   Context = iota // the outermost query
	InCTE                  // a WITH item
	InFrom                 // a derived table in FROM
	InExpr                 // a scalar, IN, EXISTS or ARRAY subquery
	InSetOp                // an operand of a set operation
	InWrite                // the query inside INSERT ... SELECT or CTAS
)

// RandomOrder reports whether the block's first ORDER BY key is a call to a
// random-number function, so any rows are as good as any other.
func (b *Block) RandomOrder() bool {
	return len(b.OrderBy) > 0 && b.OrderBy[0].Random
}

// FromItem is one item of a FROM clause.
type FromItem struct {
	// Table is set for a base table or CTE reference.
	Table *TableRef
	// Subquery is set for a derived table (SELECT in parentheses) or a
	// reference to a CTE, pointing at the CTE's block.
	Subquery *Block
	// Other is true for table functions, UNNEST, VALUES and the like.
	Other bool
	// NullSupplying is true when an outer join may extend this item's rows
	// with NULLs (the right side of LEFT JOIN, both sides of FULL JOIN):
	// sampling such an item would invent rows the original never returned.
	NullSupplying bool
	// Lateral is true for LATERAL items and correlated table functions.
	Lateral bool
}

// TableRef is a reference to a base table.
type TableRef struct {
	// Name is the fully qualified, lower-cased name after applying the
	// session's defaults; Qualified is false when the defaults were missing
	// and Name holds only the parts that were written.
	Name      string
	Qualified bool
	// Written is the name exactly as it appears in the text.
	Written string
	// Alias is the alias, or "" when there is none.
	Alias string
	// Span covers the name and its alias; a TABLESAMPLE clause goes at
	// Span.End.
	Span Span
	// Sampled is true when the reference already has a TABLESAMPLE clause.
	Sampled bool
	// Block is the block whose FROM clause holds the reference; nil for
	// the table a write targets.
	Block *Block
}

// RefName is the name columns use to qualify this table: its alias, or the
// last part of its name.
func (t *TableRef) RefName() string {
	if t.Alias != "" {
		return t.Alias
	}
	return lastPart(t.Name)
}

// ColumnRef is a column reference, with its qualifier ("" when unqualified).
type ColumnRef struct {
	Qualifier string
	Name      string
	// Block is the block the reference appears in.
	Block *Block
}

// Star is a * or t.* item; Except lists columns removed by SELECT * EXCEPT.
type Star struct {
	Qualifier string
	Except    []string
}

// OrderItem is one ORDER BY key.
type OrderItem struct {
	Span   Span
	Random bool
}

// Op is a comparison operator in a filter.
type Op string

// Filter operators.
const (
	OpEq      Op = "="
	OpNe      Op = "<>"
	OpLt      Op = "<"
	OpLe      Op = "<="
	OpGt      Op = ">"
	OpGe      Op = ">="
	OpIn      Op = "IN"
	OpBetween Op = "BETWEEN"
)

// Filter is a comparison of a column (possibly truncated to a date) with
// literal values: col = v, col IN (v, ...), col BETWEEN a AND b, ...
type Filter struct {
	Column ColumnRef
	// Truncate is "" or the unit the column is truncated to before the
	// comparison: "day" for DATE(ts), date_trunc('day', ts), CAST(ts AS
	// DATE); "month", "year" or "hour" for date_trunc and its BigQuery
	// equivalents.
	Truncate string
	Op       Op
	Values   []Literal
}

// LiteralKind says how to compare a literal.
type LiteralKind int

// Literal kinds.
const (
	LitString LiteralKind = iota
	LitNumber
	LitDate      // DATE '2026-11-01'
	LitTimestamp // TIMESTAMP '2026-11-01 10:00:00'
)

// Literal is a constant in a filter, as text.
type Literal struct {
	Kind LiteralKind
	Text string
}

// Hint is a `skim:` hint in a comment: skim:off, skim:seed=42, ...
type Hint struct {
	Name  string
	Value string
	Span  Span
}

// Hint returns the value of the statement's first hint of the name; ok is
// false when it has none.
func (s *Statement) Hint(name string) (value string, ok bool) {
	for _, h := range s.Hints {
		if h.Name == name {
			return h.Value, true
		}
	}
	return "", false
}

// HasHint reports whether the statement carries the named hint.
func (s *Statement) HasHint(name string) bool {
	_, ok := s.Hint(name)
	return ok
}

func lastPart(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			return name[i+1:]
		}
	}
	return name
}

// ParseError says a dialect's parser did not understand a statement. skim
// never guesses: such a statement passes through untouched.
type ParseError struct {
	Dialect Dialect
	// Offset is the byte offset of the error, -1 when unknown.
	Offset int
	Msg    string
}

func (e *ParseError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("%s parser: at byte %d: %s", e.Dialect, e.Offset, e.Msg)
	}
	return fmt.Sprintf("%s parser: %s", e.Dialect, e.Msg)
}

// CommentHints returns the `skim:` hints in the text of one comment
// (delimiters included), which starts at byte offset start of the statement.
// A hint is `skim:name` or `skim:name=value`; several may share a comment,
// separated by spaces or commas. Names are lower-cased.
func CommentHints(comment string, start int) []Hint {
	var hints []Hint
	for i := 0; i+5 <= len(comment); i++ {
		if !strings.EqualFold(comment[i:i+5], "skim:") || (i > 0 && isWordByte(comment[i-1])) {
			continue
		}
		j := i + 5
		for j < len(comment) && isWordByte(comment[j]) {
			j++
		}
		if j == i+5 {
			continue
		}
		h := Hint{Name: strings.ToLower(comment[i+5 : j])}
		if j < len(comment) && comment[j] == '=' {
			k := j + 1
			for k < len(comment) && !isHintEnd(comment, k) {
				k++
			}
			h.Value = comment[j+1 : k]
			j = k
		}
		h.Span = Span{start + i, start + j}
		hints = append(hints, h)
		i = j - 1
	}
	return hints
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isHintEnd(s string, i int) bool {
	switch s[i] {
	case ' ', '\t', '\n', '\r', ',':
		return true
	case '*':
		return i+1 < len(s) && s[i+1] == '/'
	}
	return false
}
