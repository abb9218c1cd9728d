package trinoserver

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind classifies the tokens of a SQL statement. The lexer knows just
// enough to never look inside literals, quoted identifiers and comments.
type tokenKind int

const (
	tokSpace  tokenKind = iota // whitespace and comments
	tokIdent                   // unquoted identifier or keyword
	tokQuoted                  // "quoted identifier"
	tokString                  // 'string literal'
	tokBinary                  // X'hex' binary literal
	tokNumber                  // numeric literal
	tokParam                   // ? parameter placeholder
	tokPunct                   // operator or punctuation
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

// name returns an identifier's name: unquoted ones lower-cased, as Trino
// folds them, quoted ones without quotes.
func (t token) name() string {
	if t.kind == tokQuoted {
		return strings.ReplaceAll(t.text[1:len(t.text)-1], `""`, `"`)
	}
	return strings.ToLower(t.text)
}

// isName reports whether t can name something: an identifier, quoted or not.
func (t token) isName() bool { return t.kind == tokIdent || t.kind == tokQuoted }

// stringValue returns a string literal's value without quotes.
func (t token) stringValue() string {
	return strings.ReplaceAll(t.text[1:len(t.text)-1], "''", "'")
}

// isTwoCharOp reports the operators lexed as one token, so that e.g. `<=`
// is never split around a rewrite.
func isTwoCharOp(s string) bool {
	switch s {
	case "||", "<=", ">=", "<>", "!=", "=>", "->", "::":
		return true
	}
	return false
}

// lex splits sql into tokens. It fails only on unterminated strings, quoted
// identifiers and block comments.
func lex(sql string) ([]token, error) {
	var toks []token
	for i := 0; i < len(sql); {
		start := i
		c := sql[i]
		kind := tokPunct
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			kind = tokSpace
			for i < len(sql) && strings.IndexByte(" \t\n\r\f", sql[i]) >= 0 {
				i++
			}
		case strings.HasPrefix(sql[i:], "--"):
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
		case c == '\'':
			kind = tokString
			end, err := closeQuote(sql, i, '\'')
			if err != nil {
				return nil, err
			}
			i = end
		case c == '"':
			kind = tokQuoted
			end, err := closeQuote(sql, i, '"')
			if err != nil {
				return nil, err
			}
			i = end
		case (c == 'x' || c == 'X') && i+1 < len(sql) && sql[i+1] == '\'':
			kind = tokBinary
			end, err := closeQuote(sql, i+1, '\'')
			if err != nil {
				return nil, err
			}
			i = end
		case isDigit(c) || (c == '.' && i+1 < len(sql) && isDigit(sql[i+1])):
			kind = tokNumber
			i = lexNumber(sql, i)
		case c == '?':
			kind = tokParam
			i++
		default:
			r, size := utf8.DecodeRuneInString(sql[i:])
			if r == '_' || unicode.IsLetter(r) {
				kind = tokIdent
				i += size
				for i < len(sql) {
					r, size := utf8.DecodeRuneInString(sql[i:])
					if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
						break
					}
					i += size
				}
				break
			}
			i += size
			if start+2 <= len(sql) && isTwoCharOp(sql[start:start+2]) {
				i = start + 2
			}
		}
		toks = append(toks, token{kind: kind, text: sql[start:i], pos: start})
	}
	return toks, nil
}

// closeQuote returns the offset just past the quote closing the one at
// sql[open]; a doubled quote is an escaped one.
func closeQuote(sql string, open int, quote byte) (int, error) {
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
	what := "string literal"
	if quote == '"' {
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

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// words returns the significant tokens: everything but whitespace and
// comments.
func words(toks []token) []token {
	out := make([]token, 0, len(toks))
	for _, t := range toks {
		if t.kind != tokSpace {
			out = append(out, t)
		}
	}
	return out
}

// join concatenates tokens' text.
func join(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.text)
	}
	return b.String()
}

// trimStatement drops a statement's trailing semicolons, whitespace and
// comments, and rejects a second statement after a semicolon: Trino runs
// one statement per request.
func trimStatement(toks []token) ([]token, error) {
	end := len(toks)
	for end > 0 && (toks[end-1].kind == tokSpace || toks[end-1].text == ";") {
		end--
	}
	for _, t := range toks[:end] {
		if t.text == ";" {
			return nil, fmt.Errorf("more than one statement at offset %d; send one statement per request", t.pos)
		}
	}
	start := 0
	for start < end && toks[start].kind == tokSpace {
		start++
	}
	return toks[start:end], nil
}
