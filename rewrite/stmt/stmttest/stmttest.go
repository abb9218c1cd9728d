// Package stmttest checks the contract every dialect's parser keeps when it
// builds a stmt.Statement. The parsers' tests and fuzzers call it on every
// statement they parse.
package stmttest

import (
	"fmt"
	"strings"

	"github.com/skimdata/skim/rewrite/stmt"
)

// Check returns what is wrong with a parsed statement, or nil. A statement
// must keep these:
//   - a read lists at least one block, the outermost query first;
//   - every span lies within the text: blocks (never empty), WHERE
//     conditions, ORDER BY keys, table references and hints, and a WHERE
//     insertion point is -1 or an offset of the text;
//   - a block's WHERE condition, ORDER BY keys and table references lie
//     within the block, and so does its WHERE insertion point when it has
//     no WHERE;
//   - blocks after the outermost, and table references, are listed in
//     source order;
//   - the blocks a statement links to (parents, set operands, FROM
//     subqueries, the blocks of table references) are its listed blocks,
//     and a set operand's parent is its set operation;
//   - a table reference lies in the FROM clause of its own block, and its
//     span starts with its non-empty name as written.
func Check(s *stmt.Statement) error {
	n := len(s.Text)
	in := func(sp stmt.Span) bool { return 0 <= sp.Start && sp.Start <= sp.End && sp.End <= n }
	within := func(sp, outer stmt.Span) bool { return outer.Start <= sp.Start && sp.End <= outer.End }
	if s.Kind == stmt.KindRead && (len(s.Blocks) == 0 || s.Blocks[0].Context != stmt.InTop) {
		return fmt.Errorf("a read whose first block is not the outermost query")
	}
	listed := map[*stmt.Block]bool{}
	for _, b := range s.Blocks {
		listed[b] = true
	}
	for i, b := range s.Blocks {
		if !in(b.Span) || b.Span.Start == b.Span.End {
			return fmt.Errorf("block %d span %+v out of range", i, b.Span)
		}
		if b.HasWhere && (!in(b.Where) || !within(b.Where, b.Span)) {
			return fmt.Errorf("block %d where %+v outside block %+v", i, b.Where, b.Span)
		}
		if b.WhereInsert < -1 || b.WhereInsert > n {
			return fmt.Errorf("block %d where insert %d outside the text", i, b.WhereInsert)
		}
		if !b.HasWhere && b.WhereInsert != -1 && (b.WhereInsert <= b.Span.Start || b.WhereInsert > b.Span.End) {
			return fmt.Errorf("block %d where insert %d outside block %+v", i, b.WhereInsert, b.Span)
		}
		for _, o := range b.OrderBy {
			if !in(o.Span) || !within(o.Span, b.Span) {
				return fmt.Errorf("block %d order key %+v outside block %+v", i, o.Span, b.Span)
			}
		}
		if b.Parent != nil && !listed[b.Parent] {
			return fmt.Errorf("block %d has a parent that is not listed", i)
		}
		for _, o := range b.Operands {
			if !listed[o] || o.Parent != b {
				return fmt.Errorf("block %d has an operand that is not listed or has another parent", i)
			}
		}
		for _, f := range b.From {
			if f.Subquery != nil && !listed[f.Subquery] {
				return fmt.Errorf("block %d reads a subquery that is not listed", i)
			}
			if f.Table != nil && (f.Table.Block != b || !within(f.Table.Span, b.Span)) {
				return fmt.Errorf("block %d table %q not inside it", i, f.Table.Written)
			}
		}
		if i >= 2 && b.Span.Start < s.Blocks[i-1].Span.Start {
			return fmt.Errorf("blocks %d and %d out of source order", i-1, i)
		}
	}
	for i, r := range s.Tables {
		if !in(r.Span) {
			return fmt.Errorf("table span %+v out of range", r.Span)
		}
		if r.Written == "" {
			return fmt.Errorf("table reference at %+v has no name as written", r.Span)
		}
		if !strings.HasPrefix(s.Text[r.Span.Start:r.Span.End], r.Written) {
			return fmt.Errorf("table span %q does not start with %q", s.Text[r.Span.Start:r.Span.End], r.Written)
		}
		if r.Block != nil && !listed[r.Block] {
			return fmt.Errorf("table %q belongs to a block that is not listed", r.Written)
		}
		if i > 0 && s.Tables[i-1].Span.Start > r.Span.Start {
			return fmt.Errorf("tables %q and %q out of source order", s.Tables[i-1].Written, r.Written)
		}
	}
	for _, h := range s.Hints {
		if !in(h.Span) {
			return fmt.Errorf("hint span %+v out of range", h.Span)
		}
	}
	return nil
}
