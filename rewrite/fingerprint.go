package rewrite

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/skimdata/skim/rewrite/stmt"
)

// Fingerprint returns the statement with its literals replaced by ?, its
// comments dropped, its words lower-cased and its spacing normalised, and a
// short hash of that text. The same query run with other values has the
// same fingerprint, so the ledger can count it as one. It works on any
// text, parsed or not: it only tells strings, numbers and comments apart.
func Fingerprint(sql string, d stmt.Dialect) (fingerprint, normalized string) {
	toks := fingerprintTokens(sql, d)
	toks = collapseLists(toks)
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && needsSpace(toks[i-1], t) {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	normalized = b.String()
	sum := sha256.Sum256([]byte(string(d) + "\x00" + normalized))
	return hex.EncodeToString(sum[:8]), normalized
}

// fingerprintTokens splits sql into words, quoted identifiers, symbols and
// ? for each literal.
func fingerprintTokens(sql string, d stmt.Dialect) []string {
	bq := d == stmt.BigQuery
	var out []string
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && strings.HasPrefix(sql[i:], "--"), bq && c == '#':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return out
			}
			i += end + 4
		case c == '\'' || bq && c == '"':
			i = skipString(sql, i, bq, false)
			out = append(out, "?")
		case c == '"' || c == '`':
			// A quoted identifier ends like a Trino string: at its
			// closing quote, a doubled quote standing for one.
			j := skipString(sql, i, false, false)
			out = append(out, sql[i:j])
			i = j
		case isDigit(c) || c == '.' && i+1 < len(sql) && isDigit(sql[i+1]):
			j := i
			for j < len(sql) && (isDigit(sql[j]) || sql[j] == '.' || isWordChar(sql[j]) || (sql[j] == '+' || sql[j] == '-') && (sql[j-1] == 'e' || sql[j-1] == 'E')) {
				j++
			}
			out = append(out, "?")
			i = j
		case isWordChar(c):
			j := i
			for j < len(sql) && (isWordChar(sql[j]) || isDigit(sql[j])) {
				j++
			}
			word := asciiLower(sql[i:j])
			if bq && j < len(sql) && (sql[j] == '\'' || sql[j] == '"') && (word == "r" || word == "b" || word == "rb" || word == "br") {
				// A raw or bytes literal: the prefix belongs to the string.
				i = skipString(sql, j, true, strings.Contains(word, "r"))
				out = append(out, "?")
				continue
			}
			out = append(out, word)
			i = j
		default:
			out = append(out, sql[i:i+1])
			i++
		}
	}
	return out
}

// skipString returns the offset just past the string literal at i. In
// BigQuery (bq) a literal may be triple-quoted and, unless raw, uses
// backslash escapes; in Trino a quote is escaped by doubling it.
func skipString(sql string, i int, bq, raw bool) int {
	q := sql[i]
	if bq && strings.HasPrefix(sql[i:], strings.Repeat(string(q), 3)) {
		end := strings.Index(sql[i+3:], strings.Repeat(string(q), 3))
		if end < 0 {
			return len(sql)
		}
		return i + 3 + end + 3
	}
	for j := i + 1; j < len(sql); j++ {
		switch {
		case bq && !raw && sql[j] == '\\':
			j++
		case !bq && sql[j] == q && j+1 < len(sql) && sql[j+1] == q:
			j++
		case sql[j] == q:
			return j + 1
		}
	}
	return len(sql)
}

// collapseLists turns (?, ?, ?) into (?), so IN lists of any length match.
func collapseLists(toks []string) []string {
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		if toks[i] == "(" && i+2 < len(toks) && toks[i+1] == "?" {
			j := i + 2
			for j+1 < len(toks) && toks[j] == "," && toks[j+1] == "?" {
				j += 2
			}
			if j < len(toks) && toks[j] == ")" {
				out = append(out, "(", "?", ")")
				i = j
				continue
			}
		}
		out = append(out, toks[i])
	}
	return out
}

// needsSpace says whether a space separates two adjacent tokens.
func needsSpace(prev, next string) bool {
	switch next {
	case ",", ")", ".", ";":
		return false
	}
	switch prev {
	case "(", ".":
		return false
	}
	return true
}

// asciiLower lower-cases ASCII letters only, leaving every other byte, so
// identifiers in any script (or invalid UTF-8) keep their bytes.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordChar(c byte) bool {
	return c == '_' || c == '$' || c == '@' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}
