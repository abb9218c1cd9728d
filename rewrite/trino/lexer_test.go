package trino

import (
	"strings"
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
)

func TestLex(t *testing.T) {
	tests := []struct {
		text     string
		tokens   []string // token texts
		kinds    []tokKind
		comments []string
	}{
		{
			text:   "SELECT a.b, \"x\"\"y\" FROM t;",
			tokens: []string{"SELECT", "a", ".", "b", ",", `"x""y"`, "FROM", "t", ";"},
			kinds:  []tokKind{tokWord, tokWord, tokDot, tokWord, tokComma, tokQuoted, tokWord, tokWord, tokSemi},
		},
		{
			text:   "'it''s' U&'\\0041' X'0A' x'0b'",
			tokens: []string{"'it''s'", "U&'\\0041'", "X'0A'", "x'0b'"},
			kinds:  []tokKind{tokString, tokString, tokString, tokString},
		},
		{
			text:   "1 1.5 .5 1e3 1.5E-3 0x1F 1_000 $1",
			tokens: []string{"1", "1.5", ".5", "1e3", "1.5E-3", "0x1F", "1_000", "$1"},
			kinds:  []tokKind{tokNumber, tokNumber, tokNumber, tokNumber, tokNumber, tokNumber, tokNumber, tokParam},
		},
		{
			text:   "a<=b>=c<>d!=e||f->g=>h<i",
			tokens: []string{"a", "<=", "b", ">=", "c", "<>", "d", "!=", "e", "||", "f", "->", "g", "=>", "h", "<", "i"},
		},
		{
			text:     "a -- one\n/* two */b--three",
			tokens:   []string{"a", "b"},
			comments: []string{"-- one", "/* two */", "--three"},
		},
		{
			text:     "x+--c\r\ny",
			tokens:   []string{"x", "+", "y"},
			comments: []string{"--c"},
		},
		{
			text:   "'héllo ✓' \"naïve\" été t$p",
			tokens: []string{"'héllo ✓'", `"naïve"`, "été", "t$p"},
			kinds:  []tokKind{tokString, tokQuoted, tokWord, tokWord},
		},
		{
			text:     "'/* not a comment */' /* '-- nor a string' */",
			tokens:   []string{"'/* not a comment */'"},
			comments: []string{"/* '-- nor a string' */"},
		},
		{
			text:   "f(x)[1]",
			tokens: []string{"f", "(", "x", ")", "[", "1", "]"},
		},
	}
	for _, tt := range tests {
		toks, comments, err := lex(tt.text, nil, nil)
		if err != nil {
			t.Errorf("lex(%q): %v", tt.text, err)
			continue
		}
		var got []string
		for _, tok := range toks {
			got = append(got, tt.text[tok.start:tok.end])
		}
		if strings.Join(got, "|") != strings.Join(tt.tokens, "|") {
			t.Errorf("lex(%q) tokens = %q, want %q", tt.text, got, tt.tokens)
		}
		for i, k := range tt.kinds {
			if i < len(toks) && toks[i].kind != k {
				t.Errorf("lex(%q) token %q kind = %d, want %d", tt.text, got[i], toks[i].kind, k)
			}
		}
		var gotC []string
		for _, c := range comments {
			gotC = append(gotC, tt.text[c.Start:c.End])
		}
		if strings.Join(gotC, "|") != strings.Join(tt.comments, "|") {
			t.Errorf("lex(%q) comments = %q, want %q", tt.text, gotC, tt.comments)
		}
	}
}

func TestLexKeywords(t *testing.T) {
	toks, _, err := lex(`Select FROM where "from" fromage tablesample WITHIN`, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []keyword{kwSelect, kwFrom, kwWhere, kwNone, kwNone, kwTablesample, kwNone}
	for i, w := range want {
		if toks[i].kw != w {
			t.Errorf("token %d keyword = %d, want %d", i, toks[i].kw, w)
		}
	}
}

func TestLexErrors(t *testing.T) {
	tests := []struct {
		text   string
		offset int
	}{
		{"SELECT 'abc", 7},
		{`SELECT "abc`, 7},
		{`SELECT ""`, 7},
		{"SELECT /* abc", 7},
		{"SELECT /* a /* b */ c */ 1", 12},
		{"SELECT E'\\n'", 7},
		{"SELECT b'101'", 7},
		{"SELECT N'x'", 7},
		{"SELECT $$x$$", 7},
		{`SELECT U&"x"`, 7},
		{"SELECT x::int", 8},
		{"SELECT 12abc", 9},
		{"SELECT 1\x00", 8},
	}
	for _, tt := range tests {
		_, _, le := lex(tt.text, nil, nil)
		if le == nil {
			t.Errorf("lex(%q) succeeded, want an error", tt.text)
			continue
		}
		if le.offset != tt.offset {
			t.Errorf("lex(%q) error offset = %d, want %d (%s)", tt.text, le.offset, tt.offset, le.msg)
		}
	}
}

// FuzzLex checks that the lexer never panics and that tokens and comments
// are ordered, disjoint and within the text.
func FuzzLex(f *testing.F) {
	for _, s := range seedStatements() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		toks, comments, err := lex(text, nil, nil)
		if err != nil {
			return
		}
		var spans []stmt.Span
		for _, tok := range toks {
			spans = append(spans, stmt.Span{Start: tok.start, End: tok.end})
		}
		spans = append(spans, comments...)
		for _, s := range spans {
			if s.Start < 0 || s.Start >= s.End || s.End > len(text) {
				t.Fatalf("bad span %+v in %q", s, text)
			}
		}
		for i := 1; i < len(toks); i++ {
			if toks[i].start < toks[i-1].end {
				t.Fatalf("overlapping tokens in %q", text)
			}
		}
	})
}

func TestLookupKeyword(t *testing.T) {
	all := map[string]keyword{
		"all": kwAll, "as": kwAs, "asc": kwAsc, "by": kwBy, "data": kwData, "desc": kwDesc,
		"distinct": kwDistinct, "except": kwExcept, "fetch": kwFetch, "first": kwFirst, "for": kwFor,
		"from": kwFrom, "group": kwGroup, "having": kwHaving, "intersect": kwIntersect, "last": kwLast,
		"limit": kwLimit, "no": kwNo, "nulls": kwNulls, "offset": kwOffset, "on": kwOn, "order": kwOrder,
		"select": kwSelect, "table": kwTable, "tablesample": kwTablesample, "union": kwUnion,
		"values": kwValues, "where": kwWhere, "window": kwWindow, "with": kwWith,
	}
	for w, want := range all {
		for _, s := range []string{w, strings.ToUpper(w), strings.ToUpper(w[:1]) + w[1:]} {
			if got := lookupKeyword(s); got != want {
				t.Errorf("lookupKeyword(%q) = %d, want %d", s, got, want)
			}
		}
	}
	for _, w := range []string{"a", "an", "ass", "dat_", "fromage", "tables", "wit", "with_", "selec", "distinc", "l@st", "0n"} {
		if got := lookupKeyword(w); got != kwNone {
			t.Errorf("lookupKeyword(%q) = %d, want none", w, got)
		}
	}
}
