package trino

import (
	"strings"
)

// ExecuteTarget reports whether sql is `EXECUTE name [USING ...]` and
// returns the prepared statement's name, lower-cased unless quoted. Clients
// such as trino-go-client send the real statement in the
// X-Trino-Prepared-Statement header and only EXECUTE in the body, so a
// frontend needs the name to find, and rewrite, the statement it runs.
func ExecuteTarget(sql string) (string, bool) {
	toks, _, err := lex(sql, nil, nil)
	if err != nil || len(toks) < 2 {
		return "", false
	}
	first, name := toks[0], toks[1]
	if first.kind != tokWord || !strings.EqualFold(sql[first.start:first.end], "execute") {
		return "", false
	}
	if len(toks) > 2 {
		next := toks[2]
		using := next.kind == tokWord && strings.EqualFold(sql[next.start:next.end], "using")
		if !using && next.kind != tokSemi {
			return "", false
		}
	}
	switch name.kind {
	case tokWord:
		if strings.EqualFold(sql[name.start:name.end], "immediate") {
			return "", false
		}
		return strings.ToLower(sql[name.start:name.end]), true
	case tokQuoted:
		return strings.ReplaceAll(sql[name.start+1:name.end-1], `""`, `"`), true
	}
	return "", false
}
