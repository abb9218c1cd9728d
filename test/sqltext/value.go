package sqltext

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Value decodes a String, Bytes or QuotedName token into what it stands
// for: quotes and prefix removed and, unless the literal is raw, escapes
// resolved. Trino's literals always decode; a GoogleSQL literal fails on
// an unknown or truncated escape.
func (d Dialect) Value(t Token) (string, error) {
	if d == Trino {
		if t.Kind == Bytes {
			b, err := hex.DecodeString(t.Text[2 : len(t.Text)-1])
			return string(b), err
		}
		q := t.Text[:1]
		return strings.ReplaceAll(t.Text[1:len(t.Text)-1], q+q, q), nil
	}
	text := t.Text
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
