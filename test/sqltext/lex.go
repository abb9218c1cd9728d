// Package sqltext splits the SQL text of the test servers' statements
// into tokens, in Trino's dialect or in GoogleSQL's. The servers rewrite
// statements token by token, so the lexer knows just enough to never look
// inside literals, quoted names and comments: it does not parse, and the
// text of all tokens concatenated is always the input.
package sqltext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Dialect is the SQL dialect a statement is written in. The dialects
// differ in their quotes, comments, literal prefixes and parameters.
type Dialect int

const (
	// Trino: 'string' with '' for a quote, "quoted identifier" with ""
	// for a double quote, X'hex' binary literals, ? parameters.
	Trino Dialect = iota
	// GoogleSQL (BigQuery): 'string' and "string", '''triple-quoted'''
	// and """triple-quoted""", r (raw) and b (bytes) prefixes, a
	// backslash escaping the next character, `quoted identifier or path`,
	// # comments, ? and @name parameters.
	GoogleSQL
)

// Kind classifies a token.
type Kind int

const (
	Space      Kind = iota // whitespace and comments
	Ident                  // unquoted identifier or keyword
	QuotedName             // Trino's "name", GoogleSQL's `name` or `path.of.names`
	String                 // string literal
	Bytes                  // Trino's X'hex', GoogleSQL's b'bytes' and rb'raw bytes'
	Number                 // numeric literal
	Param                  // ? or, in GoogleSQL, @name query parameter
	Punct                  // operator or punctuation
)

// Token is one lexeme of a statement.
type Token struct {
	Kind Kind
	Text string
	Pos  int // byte offset in the input
}

// Is reports whether t is the unquoted keyword or identifier word, in any
// case.
func (t Token) Is(word string) bool {
	return t.Kind == Ident && strings.EqualFold(t.Text, word)
}

// IsName reports whether t can name something: an identifier, quoted or
// not.
func (t Token) IsName() bool { return t.Kind == Ident || t.Kind == QuotedName }

// Lex splits sql into tokens. It fails only on unterminated literals,
// quoted names and block comments.
func (d Dialect) Lex(sql string) ([]Token, error) {
	var toks []Token
	for i := 0; i < len(sql); {
		start := i
		c := sql[i]
		kind := Punct
		var err error
		switch {
		case isSpace(c):
			kind = Space
			for i < len(sql) && isSpace(sql[i]) {
				i++
			}
		case strings.HasPrefix(sql[i:], "--") || (c == '#' && d == GoogleSQL):
			kind = Space
			if end := strings.IndexByte(sql[i:], '\n'); end >= 0 {
				i += end + 1
			} else {
				i = len(sql)
			}
		case strings.HasPrefix(sql[i:], "/*"):
			kind = Space
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment starting at offset %d", start)
			}
			i += 2 + end + 2
		case c == '\'' || (c == '"' && d == GoogleSQL):
			kind = String
			i, err = d.closeString(sql, i)
		case c == '"': // Trino
			kind = QuotedName
			i, err = closeDoubled(sql, i)
		case c == '`' && d == GoogleSQL:
			kind = QuotedName
			i, err = closeEscaped(sql, i, "`")
		case (c == 'x' || c == 'X') && d == Trino && strings.HasPrefix(sql[i+1:], "'"):
			kind = Bytes
			i, err = closeDoubled(sql, i+1)
		case isDigit(c) || (c == '.' && i+1 < len(sql) && isDigit(sql[i+1])):
			kind = Number
			i = lexNumber(sql, i)
		case c == '?':
			kind = Param
			i++
		case c == '@' && d == GoogleSQL && isIdentStart(sql[i+1:]):
			kind = Param
			i = lexIdent(sql, i+1)
		default:
			if n := d.literalPrefix(sql[i:]); n > 0 {
				kind = String
				if strings.ContainsAny(sql[i:i+n], "bB") {
					kind = Bytes
				}
				i, err = d.closeString(sql, i+n)
				break
			}
			if isIdentStart(sql[i:]) {
				kind = Ident
				i = lexIdent(sql, i)
				break
			}
			_, size := utf8.DecodeRuneInString(sql[i:])
			i += size
			if start+2 <= len(sql) && d.isTwoCharOp(sql[start:start+2]) {
				i = start + 2
			}
		}
		if err != nil {
			return nil, err
		}
		toks = append(toks, Token{Kind: kind, Text: sql[start:i], Pos: start})
	}
	return toks, nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || unicode.IsLetter(r)
}

// lexIdent returns the offset just past the identifier starting at i.
func lexIdent(sql string, i int) int {
	for i < len(sql) {
		r, size := utf8.DecodeRuneInString(sql[i:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		i += size
	}
	return i
}

func lexNumber(sql string, i int) int {
	for i < len(sql) && (isDigit(sql[i]) || sql[i] == '.') {
		i++
	}
	if i < len(sql) && (sql[i] == 'e' || sql[i] == 'E') {
		j := i + 1
		if j < len(sql) && (sql[j] == '+' || sql[j] == '-') {
			j++
		}
		if j < len(sql) && isDigit(sql[j]) {
			i = j
			for i < len(sql) && isDigit(sql[i]) {
				i++
			}
		}
	}
	return i
}

// literalPrefix returns the length of a GoogleSQL string literal's r, b,
// rb or br prefix at the start of s, or 0 when s does not start a
// prefixed literal. Trino has no prefixes but X, which Lex reads apart as
// it is no string.
func (d Dialect) literalPrefix(s string) int {
	if d != GoogleSQL {
		return 0
	}
	n := 0
	for n < 2 && n < len(s) && strings.IndexByte("rRbB", s[n]) >= 0 {
		n++
	}
	if n == 2 && strings.EqualFold(s[:1], s[1:2]) {
		return 0 // rr or bb is no prefix
	}
	if n > 0 && n < len(s) && (s[n] == '\'' || s[n] == '"') {
		return n
	}
	return 0
}

// isTwoCharOp reports the operators lexed as one token, so that e.g. `<=`
// is never split around a rewrite. Trino has no shift operators.
func (d Dialect) isTwoCharOp(s string) bool {
	switch s {
	case "||", "<=", ">=", "<>", "!=", "=>", "->", "::":
		return true
	case "<<", ">>":
		return d == GoogleSQL
	}
	return false
}

// closeString returns the offset just past the string literal whose
// opening quote is at sql[open].
func (d Dialect) closeString(sql string, open int) (int, error) {
	if d == Trino {
		return closeDoubled(sql, open)
	}
	q := sql[open : open+1]
	if strings.HasPrefix(sql[open:], q+q+q) {
		q = q + q + q
	}
	return closeEscaped(sql, open, q)
}

// closeDoubled returns the offset just past the quote closing the one at
// sql[open], where a doubled quote is an escaped one, as in Trino.
func closeDoubled(sql string, open int) (int, error) {
	quote := sql[open]
	for i := open + 1; i < len(sql); i++ {
		if sql[i] != quote {
			continue
		}
		if i+1 < len(sql) && sql[i+1] == quote {
			i++
			continue
		}
		return i + 1, nil
	}
	return 0, unterminated(quote == '"', open)
}

// closeEscaped returns the offset just past the quote q closing the one
// at sql[open], where a backslash escapes the next character, as in
// GoogleSQL. It does in raw literals too (where it is kept): GoogleSQL
// ends no literal at \'.
func closeEscaped(sql string, open int, q string) (int, error) {
	for i := open + len(q); i < len(sql); i++ {
		switch {
		case sql[i] == '\\':
			i++
		case strings.HasPrefix(sql[i:], q):
			return i + len(q), nil
		}
	}
	return 0, unterminated(q == "`", open)
}

func unterminated(name bool, open int) error {
	what := "string literal"
	if name {
		what = "quoted identifier"
	}
	return fmt.Errorf("unterminated %s starting at offset %d", what, open)
}

// Significant returns the indexes of the tokens that are not whitespace
// or comments.
func Significant(toks []Token) []int {
	sig := make([]int, 0, len(toks))
	for i, t := range toks {
		if t.Kind != Space {
			sig = append(sig, i)
		}
	}
	return sig
}

// Words returns the tokens that are not whitespace or comments.
func Words(toks []Token) []Token {
	sig := Significant(toks)
	out := make([]Token, len(sig))
	for k, i := range sig {
		out[k] = toks[i]
	}
	return out
}

// Join concatenates tokens' text.
func Join(toks []Token) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.Text)
	}
	return b.String()
}

// TrimStatement returns toks without the semicolons, whitespace and
// comments that end a statement. second is the offset of a semicolon
// before them, where a second statement starts, or -1 when toks hold one
// statement: the servers run one statement per request.
func TrimStatement(toks []Token) (stmt []Token, second int) {
	end := len(toks)
	for end > 0 && (toks[end-1].Kind == Space || toks[end-1].Text == ";") {
		end--
	}
	for _, t := range toks[:end] {
		if t.Text == ";" {
			return toks[:end], t.Pos
		}
	}
	return toks[:end], -1
}
