package bigquery

import (
	"errors"
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
	"github.com/skimdata/skim/rewrite/stmt/stmttest"
)

// FuzzParse checks that Parse never panics, that it fails only with a
// ParseError, and that every statement it returns keeps the model's
// contract (stmttest.Check).
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
		if err := stmttest.Check(st); err != nil {
			t.Fatalf("Parse(%q): %v", sql, err)
		}
	})
}
