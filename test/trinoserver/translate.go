package trinoserver

import (
	"fmt"
	"strings"

	"github.com/skimdata/skim/test/sqltext"
)

// translate turns one Trino statement, already trimmed by trimStatement,
// into PostgreSQL. It works on tokens, so string literals, quoted
// identifiers and comments are never touched. The rewrites are the few the
// tests need, nothing more:
//
//   - a dotted name of three or more parts loses its first part, the
//     catalog: iceberg.web.events → web.events (the test database has one
//     schema per Trino schema); function calls such as a.b.f() are kept;
//   - rand() → random();
//   - the type names double, tinyint and varbinary, where they are types
//     (after AS, or before a literal as in DOUBLE '1.5') → double precision,
//     smallint, bytea;
//   - the binary literal X'00ff' → '\x00ff'::bytea;
//   - catalog.information_schema.columns and "table$partitions" → the
//     PostgreSQL that answers them (see metadata.go); the $partitions
//     tables read are returned, as they must be created before the
//     statement runs.
//
// Everything else passes as it is: TABLESAMPLE SYSTEM/BERNOULLI (p), DATE
// and TIMESTAMP literals, quoted identifiers, LIMIT and OFFSET in either
// order all mean the same in PostgreSQL.
func translate(toks []sqltext.Token) (string, []partitionsTable) {
	sig := sqltext.Significant(toks)
	at := func(k int) sqltext.Token {
		if k < 0 || k >= len(sig) {
			return sqltext.Token{Kind: sqltext.Space}
		}
		return toks[sig[k]]
	}
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Text
	}
	var partitions []partitionsTable
	for k, i := range sig {
		t := toks[i]
		prevDot := at(k-1).Text == "."
		switch {
		case t.IsName() && !prevDot:
			parts, last := 1, k
			names := []sqltext.Token{t}
			for at(last+1).Text == "." && at(last+2).IsName() {
				parts++
				last += 2
				names = append(names, at(last))
			}
			if at(last+1).Text != "(" {
				if sql, ok := metadataRelation(at(k-1), names, at(last+1), &partitions); ok {
					for j := i + 1; j <= sig[last]; j++ {
						out[j] = ""
					}
					out[i] = sql
					continue
				}
			}
			if parts >= 3 && at(last+1).Text != "(" {
				// Drop the catalog, the dot and any space around it.
				for j := i; j < sig[k+2]; j++ {
					out[j] = ""
				}
				continue
			}
			if t.Kind != sqltext.Ident {
				continue
			}
			if t.Is("rand") && at(k+1).Text == "(" {
				out[i] = "random"
				continue
			}
			if at(k-1).Is("as") || at(k+1).Kind == sqltext.String {
				switch strings.ToLower(t.Text) {
				case "double":
					if !at(k + 1).Is("precision") {
						out[i] = "double precision"
					}
				case "tinyint":
					out[i] = "smallint"
				case "varbinary":
					out[i] = "bytea"
				}
			}
		case t.Kind == sqltext.Bytes:
			out[i] = `'\x` + t.Text[2:len(t.Text)-1] + `'::bytea`
		}
	}
	return strings.Join(out, ""), partitions
}

// bindParameters replaces the ? placeholders of a prepared statement by
// the USING literals, in order, as Trino's EXECUTE does.
func bindParameters(toks []sqltext.Token, args []string) ([]sqltext.Token, error) {
	n := 0
	for _, t := range toks {
		if t.Kind == sqltext.Param {
			n++
		}
	}
	if n != len(args) {
		return nil, fail(invalidParameterUsage, fmt.Sprintf("Incorrect number of parameters: expected %d but found %d", n, len(args)))
	}
	out := make([]sqltext.Token, 0, len(toks))
	next := 0
	for _, t := range toks {
		if t.Kind == sqltext.Param {
			// The literal is lexed again with the statement, so its
			// own rewrites (X'..', DOUBLE '..') apply.
			argToks, err := sqltext.Trino.Lex(args[next])
			if err != nil {
				return nil, fail(syntaxError, fmt.Sprintf("parameter %d: %v", next+1, err))
			}
			out = append(out, argToks...)
			next++
			continue
		}
		out = append(out, t)
	}
	return out, nil
}
