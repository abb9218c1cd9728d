package trinoserver

import (
	"fmt"
	"strings"
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
func translate(toks []token) (string, []partitionsTable) {
	sig := make([]int, 0, len(toks)) // indexes of the significant tokens
	for i, t := range toks {
		if t.kind != tokSpace {
			sig = append(sig, i)
		}
	}
	at := func(k int) token {
		if k < 0 || k >= len(sig) {
			return token{kind: tokSpace}
		}
		return toks[sig[k]]
	}
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.text
	}
	var partitions []partitionsTable
	for k, i := range sig {
		t := toks[i]
		prevDot := at(k-1).text == "."
		switch {
		case t.isName() && !prevDot:
			parts, last := 1, k
			names := []token{t}
			for at(last+1).text == "." && at(last+2).isName() {
				parts++
				last += 2
				names = append(names, at(last))
			}
			if at(last+1).text != "(" {
				if sql, ok := metadataRelation(at(k-1), names, at(last+1), &partitions); ok {
					for j := i + 1; j <= sig[last]; j++ {
						out[j] = ""
					}
					out[i] = sql
					continue
				}
			}
			if parts >= 3 && at(last+1).text != "(" {
				// Drop the catalog, the dot and any space around it.
				for j := i; j < sig[k+2]; j++ {
					out[j] = ""
				}
				continue
			}
			if t.kind != tokIdent {
				continue
			}
			if t.is("rand") && at(k+1).text == "(" {
				out[i] = "random"
				continue
			}
			if at(k-1).is("as") || at(k+1).kind == tokString {
				switch strings.ToLower(t.text) {
				case "double":
					if !at(k + 1).is("precision") {
						out[i] = "double precision"
					}
				case "tinyint":
					out[i] = "smallint"
				case "varbinary":
					out[i] = "bytea"
				}
			}
		case t.kind == tokBinary:
			out[i] = `'\x` + t.text[2:len(t.text)-1] + `'::bytea`
		}
	}
	return strings.Join(out, ""), partitions
}

// bindParameters replaces the ? placeholders of a prepared statement by
// the USING literals, in order, as Trino's EXECUTE does.
func bindParameters(toks []token, args []string) ([]token, error) {
	n := 0
	for _, t := range toks {
		if t.kind == tokParam {
			n++
		}
	}
	if n != len(args) {
		return nil, fail(invalidParameterUsage, fmt.Sprintf("Incorrect number of parameters: expected %d but found %d", n, len(args)))
	}
	out := make([]token, 0, len(toks))
	next := 0
	for _, t := range toks {
		if t.kind == tokParam {
			// The literal is lexed again with the statement, so its
			// own rewrites (X'..', DOUBLE '..') apply.
			argToks, err := lex(args[next])
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
