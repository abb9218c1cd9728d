package bigquery

import (
	"errors"
	"strings"
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
)

// FuzzParse checks that Parse never panics and that every position it
// reports lies within the text.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.sql)
	}
	for _, c := range errorCases {
		f.Add(c.sql)
	}
	f.Add(realistic)
	f.Fuzz(func(t *testing.T, sql string) {
		st, err := Parse(sql, session)
		if err != nil {
			var pe *stmt.ParseError
			if !errors.As(err, &pe) || st != nil {
				t.Fatalf("Parse(%q) = %v, %v; want only a *stmt.ParseError", sql, st, err)
			}
			if pe.Offset < -1 || pe.Offset > len(sql) {
				t.Fatalf("Parse(%q): error offset %d outside the text", sql, pe.Offset)
			}
			return
		}
		checkModel(t, st)
	})
}

// checkModel checks the invariants every model must keep.
func checkModel(t *testing.T, st *stmt.Statement) {
	t.Helper()
	n := len(st.Text)
	inText := func(what string, sp stmt.Span) {
		t.Helper()
		if sp.Start < 0 || sp.Start > sp.End || sp.End > n {
			t.Fatalf("%q: %s span %v outside the text", st.Text, what, sp)
		}
	}
	known := map[*stmt.Block]bool{}
	for _, b := range st.Blocks {
		known[b] = true
	}
	if st.Kind == stmt.KindRead && (len(st.Blocks) == 0 || st.Blocks[0].Context != stmt.InTop) {
		t.Fatalf("%q: a read whose first block is not the outermost query", st.Text)
	}
	for _, b := range st.Blocks {
		inText("block", b.Span)
		if b.HasWhere {
			inText("where", b.Where)
		}
		if b.WhereInsert < -1 || b.WhereInsert > n {
			t.Fatalf("%q: where insertion %d outside the text", st.Text, b.WhereInsert)
		}
		for _, o := range b.OrderBy {
			inText("order key", o.Span)
		}
		if b.Parent != nil && !known[b.Parent] {
			t.Fatalf("%q: block parent not listed", st.Text)
		}
		for _, o := range b.Operands {
			if !known[o] || o.Parent != b {
				t.Fatalf("%q: operand not listed or of another parent", st.Text)
			}
		}
		for _, it := range b.From {
			if it.Subquery != nil && !known[it.Subquery] {
				t.Fatalf("%q: FROM subquery not listed", st.Text)
			}
			if it.Table != nil && it.Table.Block != b {
				t.Fatalf("%q: table of another block", st.Text)
			}
		}
	}
	for i, r := range st.Tables {
		inText("table", r.Span)
		if !strings.HasPrefix(st.Text[r.Span.Start:], r.Written) {
			t.Fatalf("%q: table span %v does not start with %q", st.Text, r.Span, r.Written)
		}
		if r.Block != nil && !known[r.Block] {
			t.Fatalf("%q: table block not listed", st.Text)
		}
		if i > 0 && st.Tables[i-1].Span.Start > r.Span.Start {
			t.Fatalf("%q: tables out of order", st.Text)
		}
	}
	for _, h := range st.Hints {
		inText("hint", h.Span)
	}
}
