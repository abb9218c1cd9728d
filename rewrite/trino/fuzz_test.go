package trino

import (
	"math/rand"
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
	"github.com/skimdata/skim/rewrite/stmt/stmttest"
)

// FuzzParse checks that Parse never panics, that it fails only with a
// ParseError, and that every statement it returns keeps the model's
// contract (stmttest.Check): spans lie within the text, table spans start
// with the name as written, block clauses lie within their block.
func FuzzParse(f *testing.F) {
	for _, s := range seedStatements() {
		f.Add(s)
	}
	r := rand.New(rand.NewSource(7))
	for i := 0; i < 50; i++ {
		g := &queryGen{r: r}
		g.query(2)
		f.Add(g.sb.String())
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse(text, testSession)
		if err != nil {
			pe, ok := err.(*stmt.ParseError)
			if !ok {
				t.Fatalf("Parse(%q) error %T is not a ParseError", text, err)
			}
			if pe.Offset < -1 || pe.Offset > len(text) {
				t.Fatalf("Parse(%q) error offset %d out of range", text, pe.Offset)
			}
			return
		}
		if s.Text != text || s.Dialect != stmt.Trino {
			t.Fatalf("Parse(%q) returned text %q, dialect %q", text, s.Text, s.Dialect)
		}
		if err := stmttest.Check(s); err != nil {
			t.Fatalf("Parse(%q): %v", text, err)
		}
	})
}
