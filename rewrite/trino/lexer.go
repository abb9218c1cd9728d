package trino

import "github.com/skimdata/skim/rewrite/stmt"

// tokKind classifies a token.
type tokKind uint8

// Token kinds. Keywords are plain words: Trino reserves few of them, so the
// parser, not the lexer, decides what a word means.
const (
	tokWord   tokKind = iota + 1 // unquoted identifier or keyword
	tokQuoted                    // "quoted identifier"
	tokString                    // 'string', X'hex', U&'unicode'
	tokNumber                    // 42, 1.5, 1e3, 0x1F, 1_000
	tokParam                     // $1
	tokOp                        // operators and other punctuation
	tokLParen
	tokRParen
	tokComma
	tokDot
	tokSemi
)

// keyword identifies the words the span finder looks for; every other word
// is kwNone.
type keyword uint8

const (
	kwNone keyword = iota
	kwAll
	kwAs
	kwAsc
	kwBy
	kwData
	kwDesc
	kwDistinct
	kwExcept
	kwFetch
	kwFirst
	kwFor
	kwFrom
	kwGroup
	kwHaving
	kwIntersect
	kwLast
	kwLimit
	kwNo
	kwNulls
	kwOffset
	kwOn
	kwOrder
	kwSelect
	kwTable
	kwTablesample
	kwUnion
	kwValues
	kwWhere
	kwWindow
	kwWith
)

// token is one lexical token: its byte span in the text, its kind and, for
// words, the keyword it spells.
type token struct {
	start, end int
	kind       tokKind
	kw         keyword
}

// lexError reports text the lexer cannot tokenize the way Trino would.
type lexError struct {
	offset int
	msg    string
}

// lex splits text into tokens and comments, appending to the given slices so
// that callers can reuse their storage. Comments never appear among the
// tokens. Besides malformed text it rejects syntax that Postgres's lexer (the
// one pg_query runs) reads differently from Trino's: nested block comments,
// strings prefixed with E, B or N, dollar quoting, U&"..." identifiers and
// :: casts.
func lex(text string, toks []token, comments []stmt.Span) ([]token, []stmt.Span, *lexError) {
	n := len(text)
	i := 0
	for i < n {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case isIdentStart(c):
			t, err := lexWord(text, i)
			if err != nil {
				return toks, comments, err
			}
			toks = append(toks, t)
			i = t.end
		case c == '-' && i+1 < n && text[i+1] == '-':
			j := i + 2
			for j < n && text[j] != '\n' && text[j] != '\r' {
				j++
			}
			comments = append(comments, stmt.Span{Start: i, End: j})
			i = j
		case c == '/' && i+1 < n && text[i+1] == '*':
			j, err := blockCommentEnd(text, i)
			if err != nil {
				return toks, comments, err
			}
			comments = append(comments, stmt.Span{Start: i, End: j})
			i = j
		case c == '\'':
			j, err := stringEnd(text, i)
			if err != nil {
				return toks, comments, err
			}
			toks = append(toks, token{start: i, end: j, kind: tokString})
			i = j
		case c == '"':
			j, err := quotedEnd(text, i)
			if err != nil {
				return toks, comments, err
			}
			toks = append(toks, token{start: i, end: j, kind: tokQuoted})
			i = j
		case isDigit(c) || c == '.' && i+1 < n && isDigit(text[i+1]):
			j, err := numberEnd(text, i)
			if err != nil {
				return toks, comments, err
			}
			toks = append(toks, token{start: i, end: j, kind: tokNumber})
			i = j
		case c == '$':
			j := i + 1
			for j < n && isDigit(text[j]) {
				j++
			}
			if j == i+1 {
				return toks, comments, &lexError{i, "dollar quoting is not Trino syntax"}
			}
			toks = append(toks, token{start: i, end: j, kind: tokParam})
			i = j
		case c == 0:
			return toks, comments, &lexError{i, "NUL byte in statement"}
		default:
			t, err := lexPunct(text, i)
			if err != nil {
				return toks, comments, err
			}
			toks = append(toks, t)
			i = t.end
		}
	}
	return toks, comments, nil
}

// blockCommentEnd returns the offset after the comment starting at i. Trino
// block comments do not nest but Postgres's do, so a `/*` inside one would
// make the two parsers disagree on where it ends: that is an error.
func blockCommentEnd(text string, i int) (int, *lexError) {
	for j := i + 2; j+1 < len(text); j++ {
		if text[j] == '*' && text[j+1] == '/' {
			return j + 2, nil
		}
		if text[j] == '/' && text[j+1] == '*' {
			return 0, &lexError{j, "nested block comment"}
		}
	}
	return 0, &lexError{i, "unterminated block comment"}
}

// stringEnd returns the offset after the string literal whose opening quote
// is at i; a doubled quote inside it is an escaped quote.
func stringEnd(text string, i int) (int, *lexError) {
	for j := i + 1; j < len(text); j++ {
		if text[j] == '\'' {
			if j+1 < len(text) && text[j+1] == '\'' {
				j++
				continue
			}
			return j + 1, nil
		}
	}
	return 0, &lexError{i, "unterminated string literal"}
}

// quotedEnd returns the offset after the quoted identifier whose opening
// quote is at i; a doubled quote inside it is an escaped quote.
func quotedEnd(text string, i int) (int, *lexError) {
	for j := i + 1; j < len(text); j++ {
		if text[j] == '"' {
			if j+1 < len(text) && text[j+1] == '"' {
				j++
				continue
			}
			if j == i+1 {
				return 0, &lexError{i, "empty quoted identifier"}
			}
			return j + 1, nil
		}
	}
	return 0, &lexError{i, "unterminated quoted identifier"}
}

// lexWord lexes an unquoted word at i, or a string literal with a one-word
// prefix (X'..', U&'..').
func lexWord(text string, i int) (token, *lexError) {
	n := len(text)
	j := i + 1
	for j < n && isIdentCont(text[j]) {
		j++
	}
	if j == i+1 && j < n {
		switch text[i] {
		case 'x', 'X':
			if text[j] == '\'' {
				end, err := stringEnd(text, j)
				return token{start: i, end: end, kind: tokString}, err
			}
		case 'u', 'U':
			if j+1 < n && text[j] == '&' {
				if text[j+1] == '\'' {
					end, err := stringEnd(text, j+1)
					return token{start: i, end: end, kind: tokString}, err
				}
				if text[j+1] == '"' {
					return token{}, &lexError{i, `U&"" identifiers are not supported`}
				}
			}
		case 'e', 'E', 'b', 'B', 'n', 'N':
			if text[j] == '\'' {
				return token{}, &lexError{i, "string prefix is not Trino syntax"}
			}
		}
	}
	return token{start: i, end: j, kind: tokWord, kw: lookupKeyword(text[i:j])}, nil
}

// numberEnd returns the offset after the numeric literal at i.
func numberEnd(text string, i int) (int, *lexError) {
	n := len(text)
	j := i
	if text[j] == '0' && j+2 < n && isRadix(text[j+1]) {
		j += 2
		for j < n && (isHexDigit(text[j]) || text[j] == '_') {
			j++
		}
	} else {
		j = digitsEnd(text, j)
		if j < n && text[j] == '.' && !(j+1 < n && text[j+1] == '.') {
			j = digitsEnd(text, j+1)
		}
		if j < n && (text[j] == 'e' || text[j] == 'E') {
			k := j + 1
			if k < n && (text[k] == '+' || text[k] == '-') {
				k++
			}
			if k < n && isDigit(text[k]) {
				j = digitsEnd(text, k)
			}
		}
	}
	if j < n && isIdentCont(text[j]) {
		return 0, &lexError{j, "trailing junk after numeric literal"}
	}
	return j, nil
}

func digitsEnd(text string, j int) int {
	for j < len(text) && (isDigit(text[j]) || text[j] == '_') {
		j++
	}
	return j
}

// lexPunct lexes punctuation and operators at i. Only the two-byte operators
// Trino has are joined; anything else is one byte per token, which keeps
// every token boundary Postgres's lexer sees a boundary here too.
func lexPunct(text string, i int) (token, *lexError) {
	t := token{start: i, end: i + 1, kind: tokOp}
	switch text[i] {
	case '(':
		t.kind = tokLParen
	case ')':
		t.kind = tokRParen
	case ',':
		t.kind = tokComma
	case '.':
		t.kind = tokDot
	case ';':
		t.kind = tokSemi
	case ':':
		if i+1 < len(text) && text[i+1] == ':' {
			return t, &lexError{i, ":: casts are not Trino syntax"}
		}
	default:
		if i+1 < len(text) {
			switch text[i : i+2] {
			case "<=", ">=", "<>", "!=", "||", "->", "=>":
				t.end = i + 2
			}
		}
	}
	return t, nil
}

// isIdentStart and isIdentCont follow Postgres: bytes of multi-byte UTF-8
// characters count as letters, and $ may continue a word.
func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

func isIdentCont(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isRadix(c byte) bool {
	switch c {
	case 'x', 'X', 'o', 'O', 'b', 'B':
		return true
	}
	return false
}

// lookupKeyword returns the keyword a word spells, ignoring case. Most
// words are not keywords, so it picks at most one candidate by length and
// first letter before comparing.
func lookupKeyword(w string) keyword {
	if len(w) < 2 {
		return kwNone
	}
	var kw keyword
	var spelling string
	c := w[0] | 0x20
	switch len(w) {
	case 2:
		switch c {
		case 'a':
			kw, spelling = kwAs, "as"
		case 'b':
			kw, spelling = kwBy, "by"
		case 'n':
			kw, spelling = kwNo, "no"
		case 'o':
			kw, spelling = kwOn, "on"
		}
	case 3:
		switch c {
		case 'a':
			if w[2]|0x20 == 'l' {
				kw, spelling = kwAll, "all"
			} else {
				kw, spelling = kwAsc, "asc"
			}
		case 'f':
			kw, spelling = kwFor, "for"
		}
	case 4:
		switch c {
		case 'd':
			if w[1]|0x20 == 'a' {
				kw, spelling = kwData, "data"
			} else {
				kw, spelling = kwDesc, "desc"
			}
		case 'f':
			kw, spelling = kwFrom, "from"
		case 'l':
			kw, spelling = kwLast, "last"
		case 'w':
			kw, spelling = kwWith, "with"
		}
	case 5:
		switch c {
		case 'f':
			if w[1]|0x20 == 'e' {
				kw, spelling = kwFetch, "fetch"
			} else {
				kw, spelling = kwFirst, "first"
			}
		case 'g':
			kw, spelling = kwGroup, "group"
		case 'l':
			kw, spelling = kwLimit, "limit"
		case 'n':
			kw, spelling = kwNulls, "nulls"
		case 'o':
			kw, spelling = kwOrder, "order"
		case 't':
			kw, spelling = kwTable, "table"
		case 'u':
			kw, spelling = kwUnion, "union"
		case 'w':
			kw, spelling = kwWhere, "where"
		}
	case 6:
		switch c {
		case 'e':
			kw, spelling = kwExcept, "except"
		case 'h':
			kw, spelling = kwHaving, "having"
		case 'o':
			kw, spelling = kwOffset, "offset"
		case 's':
			kw, spelling = kwSelect, "select"
		case 'v':
			kw, spelling = kwValues, "values"
		case 'w':
			kw, spelling = kwWindow, "window"
		}
	case 8:
		kw, spelling = kwDistinct, "distinct"
	case 9:
		kw, spelling = kwIntersect, "intersect"
	case 11:
		kw, spelling = kwTablesample, "tablesample"
	}
	if kw == kwNone {
		return kwNone
	}
	// OR-ing 0x20 lower-cases ASCII letters and maps no other byte to one.
	for i := 0; i < len(w); i++ {
		if w[i]|0x20 != spelling[i] {
			return kwNone
		}
	}
	return kw
}
