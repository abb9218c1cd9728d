package bqserver

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind classifies the tokens of a GoogleSQL statement. The lexer knows
// just enough to never look inside literals, backticked names and comments.
type tokenKind int

const (
	tokSpace    tokenKind = iota // whitespace and comments
	tokIdent                     // unquoted identifier or keyword
	tokBacktick                  // `quoted identifier or path`
	tokString                    // 'string', "string", r'raw', '''triple'''
	tokBytes                     // b'bytes', rb'raw bytes'
	tokNumber                    // numeric literal
	tokParam                     // @name or ? query parameter
	tokPunct                     // operator or punctuation
)

// token is one lexeme; the text of all tokens concatenated is the input.
type token struct {
	kind tokenKind
	text string
	pos  int // byte offset in the input
}

// is reports whether t is the unquoted keyword or identifier word, in any
// case.
func (t token) is(word string) bool {
	return t.kind == tokIdent && strings.EqualFold(t.text, word)
}

// isName reports whether t can name something: an identifier, backticked
// or not.
func (t token) isName() bool { return t.kind == tokIdent || t.kind == tokBacktick }

// lex splits a GoogleSQL statement into tokens. It fails only on
// unterminated literals, backticked names and block comments.
func lex(sql string) ([]token, error) {
	var toks []token
	for i := 0; i < len(sql); {
		start := i
		c := sql[i]
		kind := tokPunct
		var err error
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			kind = tokSpace
			for i < len(sql) && strings.IndexByte(" \t\n\r\f", sql[i]) >= 0 {
				i++
			}
		case strings.HasPrefix(sql[i:], "--") || c == '#':
			kind = tokSpace
			if end := strings.IndexByte(sql[i:], '\n'); end >= 0 {
				i += end + 1
			} else {
				i = len(sql)
			}
		case strings.HasPrefix(sql[i:], "/*"):
			kind = tokSpace
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment starting at offset %d", start)
			}
			i += 2 + end + 2
		case c == '`':
			kind = tokBacktick
			i, err = closeQuote(sql, i, "`")
		case c == '\'' || c == '"':
			kind = tokString
			i, err = closeString(sql, i)
		case isDigit(c) || (c == '.' && i+1 < len(sql) && isDigit(sql[i+1])):
			kind = tokNumber
			i = lexNumber(sql, i)
		case c == '?':
			kind = tokParam
			i++
		case c == '@' && i+1 < len(sql) && isIdentStart(sql[i+1:]):
			kind = tokParam
			i = lexIdent(sql, i+1)
		default:
			if n := literalPrefix(sql[i:]); n > 0 {
				kind = tokString
				if strings.ContainsAny(sql[i:i+n], "bB") {
					kind = tokBytes
				}
				i, err = closeString(sql, i+n)
				break
			}
			if isIdentStart(sql[i:]) {
				kind = tokIdent
				i = lexIdent(sql, i)
				break
			}
			_, size := utf8.DecodeRuneInString(sql[i:])
			i += size
			if start+2 <= len(sql) && isTwoCharOp(sql[start:start+2]) {
				i = start + 2
			}
		}
		if err != nil {
			return nil, err
		}
		toks = append(toks, token{kind: kind, text: sql[start:i], pos: start})
	}
	return toks, nil
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

// literalPrefix returns the length of a string literal's r, b, rb or br
// prefix at the start of s, or 0 when s does not start a prefixed literal.
func literalPrefix(s string) int {
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
// is never split around a rewrite.
func isTwoCharOp(s string) bool {
	switch s {
	case "||", "<=", ">=", "<>", "!=", "=>", "->", "<<", ">>", "::":
		return true
	}
	return false
}

// closeString returns the offset just past the string literal whose
// opening quote (single, double or tripled) is at sql[open].
func closeString(sql string, open int) (int, error) {
	q := sql[open : open+1]
	if strings.HasPrefix(sql[open:], q+q+q) {
		q = q + q + q
	}
	return closeQuote(sql, open, q)
}

// closeQuote returns the offset just past the quote q closing the one at
// sql[open]. A backslash escapes the next character, in raw literals too
// (where it is kept): GoogleSQL ends no literal at \'.
func closeQuote(sql string, open int, q string) (int, error) {
	for i := open + len(q); i < len(sql); i++ {
		switch {
		case sql[i] == '\\':
			i++
		case strings.HasPrefix(sql[i:], q):
			return i + len(q), nil
		}
	}
	what := "string literal"
	if q == "`" {
		what = "quoted identifier"
	}
	return 0, fmt.Errorf("unterminated %s starting at offset %d", what, open)
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

// literalValue decodes a string, bytes or backticked token into its value:
// quotes and prefix removed and, unless raw, escape sequences resolved.
func literalValue(t token) (string, error) {
	text := t.text
	raw := false
	for len(text) > 0 && strings.IndexByte("rRbB", text[0]) >= 0 {
		raw = raw || text[0] == 'r' || text[0] == 'R'
		text = text[1:]
	}
	q := text[:1]
	if len(text) >= 6 && strings.HasPrefix(text, q+q+q) {
		q = q + q + q
	}
	body := text[len(q) : len(text)-len(q)]
	if raw || !strings.Contains(body, `\`) {
		return body, nil
	}
	return unescape(body)
}

// unescape resolves GoogleSQL's escape sequences.
func unescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		if i >= len(s) {
			return "", fmt.Errorf("literal ends with a lone backslash")
		}
		switch c := s[i]; c {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '\\', '?', '"', '\'', '`':
			b.WriteByte(c)
		case 'x', 'X', 'u', 'U':
			digits := 2
			switch c {
			case 'u':
				digits = 4
			case 'U':
				digits = 8
			}
			if i+digits >= len(s) {
				return "", fmt.Errorf(`truncated escape \%c`, c)
			}
			v, err := strconv.ParseUint(s[i+1:i+1+digits], 16, 32)
			if err != nil {
				return "", fmt.Errorf(`bad escape \%c%s`, c, s[i+1:i+1+digits])
			}
			if digits == 2 {
				b.WriteByte(byte(v))
			} else {
				b.WriteRune(rune(v))
			}
			i += digits
		default:
			if c < '0' || c > '7' || i+2 >= len(s) {
				return "", fmt.Errorf(`unknown escape \%c`, c)
			}
			v, err := strconv.ParseUint(s[i:i+3], 8, 8)
			if err != nil {
				return "", fmt.Errorf(`bad octal escape \%s`, s[i:i+3])
			}
			b.WriteByte(byte(v))
			i += 2
		}
	}
	return b.String(), nil
}

// significant returns the indexes of the tokens that are not whitespace
// or comments.
func significant(toks []token) []int {
	sig := make([]int, 0, len(toks))
	for i, t := range toks {
		if t.kind != tokSpace {
			sig = append(sig, i)
		}
	}
	return sig
}
