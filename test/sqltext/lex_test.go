package sqltext

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// kindNames spell the kinds in test failures.
var kindNames = [...]string{Space: "Space", Ident: "Ident", QuotedName: "QuotedName", String: "String",
	Bytes: "Bytes", Number: "Number", Param: "Param", Punct: "Punct"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// lexed renders tokens as "Kind:text" pairs, the significant ones only.
func lexed(toks []Token) []string {
	var out []string
	for _, t := range Words(toks) {
		out = append(out, t.Kind.String()+":"+t.Text)
	}
	return out
}

func TestLex(t *testing.T) {
	for _, tc := range []struct {
		name    string
		dialect Dialect
		in      string
		want    []string
	}{
		{"trino statement", Trino,
			"SELECT a<=b, c||'x''y' , \"q\"\"r\", 1.5e3, .5, ? /* c */ -- d\nFROM t",
			[]string{"Ident:SELECT", "Ident:a", "Punct:<=", "Ident:b", "Punct:,", "Ident:c", "Punct:||", "String:'x''y'",
				"Punct:,", `QuotedName:"q""r"`, "Punct:,", "Number:1.5e3", "Punct:,", "Number:.5", "Punct:,", "Param:?",
				"Ident:FROM", "Ident:t"}},
		{"trino binary literal", Trino, "X'00ff' x'AB' x", []string{"Bytes:X'00ff'", "Bytes:x'AB'", "Ident:x"}},
		{"trino has no backslash escapes", Trino, `'a\' 'b'`, []string{`String:'a\'`, "String:'b'"}},
		{"trino has no backticks, # comments, @ parameters or prefixes", Trino, "`a` # @p r'x' b'y'",
			[]string{"Punct:`", "Ident:a", "Punct:`", "Punct:#", "Punct:@", "Ident:p", "Ident:r", "String:'x'", "Ident:b", "String:'y'"}},
		{"trino has no shift operators", Trino, "a<<b>>c", []string{"Ident:a", "Punct:<", "Punct:<", "Ident:b", "Punct:>", "Punct:>", "Ident:c"}},
		{"trino operators", Trino, "a<>b!=c=>d->e::f", []string{"Ident:a", "Punct:<>", "Ident:b", "Punct:!=", "Ident:c",
			"Punct:=>", "Ident:d", "Punct:->", "Ident:e", "Punct:::", "Ident:f"}},
		{"non-ASCII identifiers", Trino, "naïve_1 ✓", []string{"Ident:naïve_1", "Punct:✓"}},
		{"numbers", Trino, "1 1.5 1e9 1E+3 1e- 2.", []string{"Number:1", "Number:1.5", "Number:1e9", "Number:1E+3",
			"Number:1", "Ident:e", "Punct:-", "Number:2."}},

		{"googlesql strings", GoogleSQL, `"it's" 'a\'b' '''x'y''' """a"b""" ''`,
			[]string{`String:"it's"`, `String:'a\'b'`, "String:'''x'y'''", `String:"""a"b"""`, "String:''"}},
		{"googlesql prefixes", GoogleSQL, `r'\d+' R"x" b'\x00' rb'y' Br"z" rr'a' bb'b'`,
			[]string{`String:r'\d+'`, `String:R"x"`, `Bytes:b'\x00'`, "Bytes:rb'y'", `Bytes:Br"z"`,
				"Ident:rr", "String:'a'", "Ident:bb", "String:'b'"}},
		{"googlesql raw literals end at no escaped quote", GoogleSQL, `r'a\'b' c`, []string{`String:r'a\'b'`, "Ident:c"}},
		{"googlesql backticks", GoogleSQL, "`p.d.t` `a\\`b`", []string{"QuotedName:`p.d.t`", "QuotedName:`a\\`b`"}},
		{"googlesql comments", GoogleSQL, "a # b\nc -- d\ne /* f */", []string{"Ident:a", "Ident:c", "Ident:e"}},
		{"googlesql parameters", GoogleSQL, "@a_1 ? @ @1 @@x", []string{"Param:@a_1", "Param:?", "Punct:@", "Punct:@",
			"Number:1", "Punct:@", "Param:@x"}},
		{"googlesql has no binary X literals", GoogleSQL, "x'00'", []string{"Ident:x", "String:'00'"}},
		{"googlesql shift operators", GoogleSQL, "a<<b>>c", []string{"Ident:a", "Punct:<<", "Ident:b", "Punct:>>", "Ident:c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			toks, err := tc.dialect.Lex(tc.in)
			if err != nil {
				t.Fatalf("Lex(%q): %v", tc.in, err)
			}
			if got := Join(toks); got != tc.in {
				t.Errorf("tokens do not join back to the input:\n got %q\nwant %q", got, tc.in)
			}
			if got := lexed(toks); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Lex(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLexErrors(t *testing.T) {
	for _, tc := range []struct {
		dialect  Dialect
		in, want string
	}{
		{Trino, "SELECT 'x", "unterminated string literal starting at offset 7"},
		{Trino, `SELECT "x`, "unterminated quoted identifier starting at offset 7"},
		{Trino, "SELECT /* x", "unterminated comment starting at offset 7"},
		{Trino, "SELECT X'00", "unterminated string literal starting at offset 8"},
		{Trino, `SELECT 'x\'`, ""},
		{Trino, "SELECT `x", ""},
		{GoogleSQL, "SELECT 'x", "unterminated string literal starting at offset 7"},
		{GoogleSQL, `SELECT "x`, "unterminated string literal starting at offset 7"},
		{GoogleSQL, `SELECT 'x\'`, "unterminated string literal starting at offset 7"},
		{GoogleSQL, `SELECT 'x\`, "unterminated string literal starting at offset 7"},
		{GoogleSQL, "SELECT '''x''", "unterminated string literal starting at offset 7"},
		{GoogleSQL, "SELECT rb'x", "unterminated string literal starting at offset 9"},
		{GoogleSQL, "SELECT `x", "unterminated quoted identifier starting at offset 7"},
		{GoogleSQL, "SELECT /* x", "unterminated comment starting at offset 7"},
	} {
		_, err := tc.dialect.Lex(tc.in)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("Lex(%q): %v, want no error", tc.in, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("Lex(%q): %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestValue(t *testing.T) {
	for _, tc := range []struct {
		dialect  Dialect
		in, want string
	}{
		{Trino, `'it''s'`, "it's"},
		{Trino, `''`, ""},
		{Trino, `'a\n'`, `a\n`},
		{Trino, `"Mixed ""Case"""`, `Mixed "Case"`},
		{Trino, `X'4142'`, "AB"},
		{GoogleSQL, `'plain'`, "plain"},
		{GoogleSQL, `"double"`, "double"},
		{GoogleSQL, `'esc\'aped\\'`, `esc'aped\`},
		{GoogleSQL, `r'\n stays'`, `\n stays`},
		{GoogleSQL, `'''tri'ple'''`, "tri'ple"},
		{GoogleSQL, `"""a"b"""`, `a"b`},
		{GoogleSQL, `''''''`, ""},
		{GoogleSQL, `'\x41\u00e9\101\n'`, "Aé" + "A\n"},
		{GoogleSQL, `'\a\b\f\r\t\v\?\"\` + "`" + `'`, "\a\b\f\r\t\v?\"`"},
		{GoogleSQL, `'\U0001F600'`, "😀"},
		{GoogleSQL, `b'\x00\xff'`, "\x00\xff"},
		{GoogleSQL, `rb'\x00'`, `\x00`},
		{GoogleSQL, "`back\\`tick`", "back`tick"},
	} {
		toks, err := tc.dialect.Lex(tc.in)
		if err != nil || len(toks) != 1 {
			t.Fatalf("Lex(%s) = %v, %v; want one token", tc.in, toks, err)
		}
		got, err := tc.dialect.Value(toks[0])
		if err != nil || got != tc.want {
			t.Errorf("Value(%s) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestValueErrors(t *testing.T) {
	for _, in := range []string{`'\q'`, `'\x4'`, `'\xzz'`, `'\u00'`, `'\8'`, `'\1'`, `'\400'`} {
		toks, err := GoogleSQL.Lex(in)
		if err != nil || len(toks) != 1 {
			t.Fatalf("Lex(%s) = %v, %v; want one token", in, toks, err)
		}
		if got, err := GoogleSQL.Value(toks[0]); err == nil {
			t.Errorf("Value(%s) = %q, want an error", in, got)
		}
	}
}

func TestTrimStatement(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		second   int
	}{
		{"SELECT 1", "SELECT 1", -1},
		{"SELECT 1;", "SELECT 1", -1},
		{" SELECT 1 ; ; -- done\n", " SELECT 1", -1},
		{"SELECT ';'", "SELECT ';'", -1},
		{"SELECT 1; SELECT 2", "SELECT 1; SELECT 2", 8},
		{"", "", -1},
	} {
		toks, err := Trino.Lex(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		stmt, second := TrimStatement(toks)
		if got := Join(stmt); got != tc.want || second != tc.second {
			t.Errorf("TrimStatement(%q) = %q, %d; want %q, %d", tc.in, got, second, tc.want, tc.second)
		}
	}
}

func TestSignificant(t *testing.T) {
	toks, err := Trino.Lex("SELECT /* c */ a ,b")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Significant(toks), []int{0, 4, 6, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("Significant = %v, want %v", got, want)
	}
}

// FuzzLex checks what the servers' rewrites rely on for any input, in
// both dialects: the tokens join back to the input, each token starts
// where the previous one ended, and no token is empty.
func FuzzLex(f *testing.F) {
	for _, s := range []string{
		"SELECT a<=b, c||'x''y' , \"q\"\"r\", 1.5e3, .5, ? /* c */ -- d\nFROM t",
		`SELECT "it's", 'a\'b', r'\d+', '''x'y''', b'\x00\xff', @p, ` + "`p.d.t`" + ` # c`,
		"X'00' rb\"x\" 1e+ ; naïve ✓ \xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, d := range []Dialect{Trino, GoogleSQL} {
			toks, err := d.Lex(in)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "unterminated ") {
					t.Fatalf("dialect %d: Lex(%q): unexpected error %v", d, in, err)
				}
				continue
			}
			pos := 0
			for _, tok := range toks {
				if tok.Text == "" || tok.Pos != pos {
					t.Fatalf("dialect %d: Lex(%q): token %+v at offset %d", d, in, tok, pos)
				}
				pos += len(tok.Text)
			}
			if got := Join(toks); got != in {
				t.Fatalf("dialect %d: tokens join to %q, not the input %q", d, got, in)
			}
			if d == GoogleSQL {
				for _, tok := range toks {
					if tok.Kind == String || tok.Kind == Bytes || tok.Kind == QuotedName {
						_, _ = d.Value(tok) // must not panic
					}
				}
			}
		}
	})
}
