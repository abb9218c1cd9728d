// Package bigquery is skim's GoogleSQL frontend: it parses a BigQuery
// statement with memefish and translates the tree into the dialect-neutral
// stmt model. Whatever memefish cannot parse, and whatever the model cannot
// describe faithfully, comes back as a *stmt.ParseError, so that the
// statement passes through untouched.
package bigquery

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cloudspannerecosystem/memefish"
	"github.com/cloudspannerecosystem/memefish/ast"
	"github.com/cloudspannerecosystem/memefish/token"

	"github.com/skimdata/skim/rewrite/stmt"
)

// maxNesting bounds the nesting of brackets. memefish looks ahead over runs
// of "(" in quadratic time, so a deeply nested statement would stall the
// proxy; hand-written queries stay far below this.
const maxNesting = 200

// Parse parses one GoogleSQL statement. sess.Catalog is the default project
// and sess.Schema the default dataset, applied to unqualified table names.
// A trailing semicolon is accepted; a script of several statements is not.
func Parse(text string, sess stmt.Session) (*stmt.Statement, error) {
	hints, err := scan(text)
	if err != nil {
		return nil, err
	}
	node, err := parseOne(text)
	if err != nil {
		return nil, err
	}
	st := &stmt.Statement{Dialect: stmt.BigQuery, Text: text, Hints: hints}
	t := &translator{text: text, sess: sess, st: st, tailed: map[*stmt.Block]bool{}}
	if err := t.statement(node); err != nil {
		return nil, err
	}
	t.order()
	return st, nil
}

// scan lexes the whole text once, before parsing, to collect the skim hints
// from its comments and to refuse pathological nesting.
func scan(text string) (hints []stmt.Hint, err error) {
	defer recoverParser(&err)
	lex := &memefish.Lexer{File: &token.File{Buffer: text}}
	depth := 0
	for {
		if err := lex.NextToken(); err != nil {
			return nil, parseError(err)
		}
		for _, c := range lex.Token.Comments {
			hints = append(hints, stmt.CommentHints(c.Raw, int(c.Pos))...)
		}
		switch lex.Token.Kind {
		case token.TokenEOF:
			return hints, nil
		case "(", "[", "{":
			depth++
			if depth > maxNesting {
				return nil, failAt(lex.Token.Pos, "brackets nested deeper than %d", maxNesting)
			}
		case ")", "]", "}":
			depth--
		}
	}
}

// parseOne parses text as exactly one statement.
func parseOne(text string) (node ast.Statement, err error) {
	defer recoverParser(&err)
	nodes, err := memefish.ParseStatements("", text)
	if err != nil {
		return nil, parseError(err)
	}
	switch len(nodes) {
	case 0:
		return nil, &stmt.ParseError{Dialect: stmt.BigQuery, Offset: -1, Msg: "no statement"}
	case 1:
		return nodes[0], nil
	}
	return nil, failAt(nodes[1].Pos(), "a script of %d statements is not supported", len(nodes))
}

// recoverParser turns a panic escaping memefish into a ParseError. memefish
// recovers its own syntax errors; anything else is a bug of the parser (such
// as formatting an error positioned past the end of the text), and the
// statement must then pass through rather than crash skim.
func recoverParser(err *error) {
	if r := recover(); r != nil {
		*err = &stmt.ParseError{Dialect: stmt.BigQuery, Offset: -1, Msg: fmt.Sprintf("parser failure: %v", r)}
	}
}

// parseError converts a memefish error, keeping the first error's position
// and the first line of its message.
func parseError(err error) *stmt.ParseError {
	var first *memefish.Error
	switch e := err.(type) {
	case memefish.MultiError:
		if len(e) > 0 {
			first = e[0]
		}
	case *memefish.Error:
		first = e
	}
	if first == nil {
		return &stmt.ParseError{Dialect: stmt.BigQuery, Offset: -1, Msg: firstLine(err.Error())}
	}
	offset := -1
	if first.Position != nil && !first.Position.Pos.Invalid() {
		offset = int(first.Position.Pos)
	}
	return &stmt.ParseError{Dialect: stmt.BigQuery, Offset: offset, Msg: firstLine(first.Message)}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// failAt reports a construct skim declines to model.
func failAt(pos token.Pos, format string, args ...any) *stmt.ParseError {
	offset := int(pos)
	if pos.Invalid() {
		offset = -1
	}
	return &stmt.ParseError{Dialect: stmt.BigQuery, Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

// translator builds the model of one statement.
type translator struct {
	text string
	sess stmt.Session
	st   *stmt.Statement
	// top is the outermost query block, nil when there is none.
	top *stmt.Block
	// tailed holds the blocks that already took an ORDER BY or LIMIT, so a
	// second one, from an enclosing parenthesised query, is refused.
	tailed map[*stmt.Block]bool
	// bound lists the lower-cased lambda parameters and WITH-expression
	// variables in scope: identifiers that are not columns.
	bound []string
}

// statement fills the statement's kind, verb, blocks and tables.
func (t *translator) statement(node ast.Statement) error {
	st := t.st
	switch n := node.(type) {
	case *ast.QueryStatement:
		st.Kind, st.Verb = stmt.KindRead, "SELECT"
		top, _, err := t.query(n.Query, nil, nil, stmt.InTop)
		t.top = top
		return err
	case *ast.Insert:
		st.Kind, st.Verb = stmt.KindWrite, "INSERT"
		t.target(n.TableName, n.TableHint, n.As)
		if in, ok := n.Input.(*ast.SubQueryInput); ok {
			top, _, err := t.query(in.Query, nil, nil, stmt.InWrite)
			t.top = top
			return err
		}
		return nil
	case *ast.Update:
		st.Kind, st.Verb = stmt.KindWrite, "UPDATE"
		t.target(n.TableName, n.TableHint, n.As)
		return nil
	case *ast.Delete:
		st.Kind, st.Verb = stmt.KindWrite, "DELETE"
		t.target(n.TableName, n.TableHint, n.As)
		return nil
	case *ast.BadStatement, *ast.BadDDL, *ast.BadDML:
		return failAt(n.Pos(), "unparsable statement")
	case *ast.GQLGraphQuery:
		st.Kind, st.Verb = stmt.KindOther, "GRAPH"
		return nil
	case *ast.Grant, *ast.Revoke, *ast.CreateRole, *ast.DropRole, *ast.Analyze, *ast.AlterStatistics:
		// Access control and statistics leave the data as it is.
		st.Kind, st.Verb = stmt.KindOther, verb(n)
		return nil
	case ast.DDL, *ast.Call:
		// DDL creates, alters or drops what holds data; a procedure may
		// write anything.
		st.Kind, st.Verb = stmt.KindWrite, verb(n)
		return nil
	}
	st.Kind, st.Verb = stmt.KindOther, verb(node)
	return nil
}

// verb names a statement after its node type: CreateSearchIndex becomes
// CREATE SEARCH INDEX.
func verb(node ast.Statement) string {
	name := fmt.Sprintf("%T", node)
	name = name[strings.LastIndexByte(name, '.')+1:]
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if i > 0 && 'A' <= c && c <= 'Z' && 'a' <= name[i-1] && name[i-1] <= 'z' {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ToUpper(string(c)))
	}
	return b.String()
}

// order puts the blocks in source order of their start, an enclosing block
// before the blocks it starts with, and then moves the outermost query to
// the front: its WITH clause, if any, comes first in the text.
func (t *translator) order() {
	blocks := t.st.Blocks
	sort.SliceStable(blocks, func(i, j int) bool {
		a, b := blocks[i].Span, blocks[j].Span
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.End > b.End
	})
	for i, b := range blocks {
		if b == t.top {
			copy(blocks[1:i+1], blocks[:i])
			blocks[0] = b
			break
		}
	}
	tables := t.st.Tables
	sort.SliceStable(tables, func(i, j int) bool { return tables[i].Span.Start < tables[j].Span.Start })
}
