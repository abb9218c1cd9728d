package stmttest

import (
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
)

// model returns a statement that keeps the contract:
// WITH c AS (SELECT * FROM t WHERE x = 1) SELECT * FROM c ORDER BY rand() /* skim:off */
func model() *stmt.Statement {
	text := "WITH c AS (SELECT * FROM t WHERE x = 1) SELECT * FROM c ORDER BY rand() /* skim:off */"
	top := &stmt.Block{Span: stmt.Span{Start: 40, End: 71}, Context: stmt.InTop, WhereInsert: 55,
		OrderBy: []stmt.OrderItem{{Span: stmt.Span{Start: 65, End: 71}, Random: true}}}
	cte := &stmt.Block{Span: stmt.Span{Start: 11, End: 38}, Parent: top, Context: stmt.InCTE, CTE: "c",
		HasWhere: true, Where: stmt.Span{Start: 33, End: 38}, WhereInsert: -1}
	tab := &stmt.TableRef{Name: "a.b.t", Qualified: true, Written: "t", Span: stmt.Span{Start: 25, End: 26}, Block: cte}
	cte.From = []*stmt.FromItem{{Table: tab}}
	top.From = []*stmt.FromItem{{Subquery: cte}}
	return &stmt.Statement{Dialect: stmt.Trino, Text: text, Kind: stmt.KindRead, Verb: "SELECT",
		Blocks: []*stmt.Block{top, cte}, Tables: []*stmt.TableRef{tab},
		Hints: []stmt.Hint{{Name: "off", Span: stmt.Span{Start: 75, End: 83}}}}
}

func TestCheck(t *testing.T) {
	if err := Check(model()); err != nil {
		t.Fatalf("a valid model fails: %v", err)
	}
	spoils := []struct {
		name  string
		spoil func(s *stmt.Statement)
	}{
		{"read without blocks", func(s *stmt.Statement) { s.Blocks = nil }},
		{"outermost block not first", func(s *stmt.Statement) { s.Blocks[0], s.Blocks[1] = s.Blocks[1], s.Blocks[0] }},
		{"empty block", func(s *stmt.Statement) { s.Blocks[1].Span.End = s.Blocks[1].Span.Start }},
		{"block past the text", func(s *stmt.Statement) { s.Blocks[0].Span.End = len(s.Text) + 1 }},
		{"where outside its block", func(s *stmt.Statement) { s.Blocks[1].Where.End = 40 }},
		{"where insert past the text", func(s *stmt.Statement) { s.Blocks[1].WhereInsert = len(s.Text) + 1 }},
		{"where insert outside its block", func(s *stmt.Statement) { s.Blocks[0].WhereInsert = 20 }},
		{"order key outside its block", func(s *stmt.Statement) { s.Blocks[0].OrderBy[0].Span.End = 80 }},
		{"parent not listed", func(s *stmt.Statement) { s.Blocks[1].Parent = &stmt.Block{} }},
		{"operand of another parent", func(s *stmt.Statement) { s.Blocks[0].Operands = []*stmt.Block{{}} }},
		{"subquery not listed", func(s *stmt.Statement) { s.Blocks[0].From[0].Subquery = &stmt.Block{} }},
		{"table of another block", func(s *stmt.Statement) { s.Tables[0].Block = s.Blocks[0] }},
		{"table outside its block", func(s *stmt.Statement) { s.Tables[0].Span = stmt.Span{Start: 5, End: 6} }},
		{"table span not its name", func(s *stmt.Statement) { s.Tables[0].Written = "u" }},
		{"table without a name", func(s *stmt.Statement) { s.Tables[0].Written = "" }},
		{"tables out of order", func(s *stmt.Statement) {
			s.Tables = append(s.Tables, &stmt.TableRef{Written: "SELECT", Span: stmt.Span{Start: 11, End: 17}})
		}},
		{"blocks out of order", func(s *stmt.Statement) {
			s.Blocks = append(s.Blocks, &stmt.Block{Span: stmt.Span{Start: 1, End: 2}, WhereInsert: -1})
		}},
		{"hint past the text", func(s *stmt.Statement) { s.Hints[0].Span.End = len(s.Text) + 1 }},
	}
	for _, b := range spoils {
		s := model()
		b.spoil(s)
		if err := Check(s); err == nil {
			t.Errorf("%s: Check accepts it", b.name)
		}
	}
}
