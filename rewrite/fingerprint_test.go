package rewrite

import (
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
)

func TestFingerprint(t *testing.T) {
	tests := []struct {
		name       string
		dialect    stmt.Dialect
		a, b       string
		same       bool
		normalized string
	}{
		{"other values", stmt.Trino,
			"SELECT * FROM t WHERE id = 42 AND name = 'bob'",
			"select *  from T where ID = 7 and NAME = 'it''s'", true,
			"select * from t where id = ? and name = ?"},
		{"comments and layout", stmt.Trino,
			"/* cell 3 */ SELECT a,\n  b FROM t -- all\nLIMIT 10",
			"SELECT a, b FROM t LIMIT 1000", true,
			"select a, b from t limit ?"},
		{"IN lists of any length", stmt.Trino,
			"SELECT 1 FROM t WHERE x IN (1, 2, 3)",
			"SELECT 1 FROM t WHERE x IN (4)", true,
			"select ? from t where x in (?)"},
		{"quoted identifiers keep their case", stmt.Trino,
			`SELECT "A" FROM t`, `SELECT "a" FROM t`, false,
			`select "A" from t`},
		{"dates and decimals", stmt.Trino,
			"SELECT * FROM t WHERE d = DATE '2026-11-01' AND x > 1.5e3",
			"SELECT * FROM t WHERE d = DATE '2020-01-01' AND x > .5", true,
			"select * from t where d = date ? and x > ?"},
		{"BigQuery strings, raw strings and # comments", stmt.BigQuery,
			"SELECT * FROM `p.d.t` WHERE s = \"x\\\"y\" # note\nAND r = r'a' AND t = '''multi\nline'''",
			"SELECT * FROM `p.d.t` WHERE s = 'z' AND r = r'b' AND t = \"\"\"q\"\"\"", true,
			"select * from `p.d.t` where s = ? and r = ? and t = ?"},
		{"doubled quotes and an unterminated identifier", stmt.Trino,
			`SELECT "a""b", "open FROM t`, `SELECT "a""b", "open from t`, false,
			`select "a""b", "open FROM t`},
		{"an unterminated backquoted name", stmt.BigQuery,
			"SELECT * FROM `p.d.T", "SELECT * FROM `p.d.t", false,
			"select * from `p.d.T"},
		{"a different table", stmt.Trino, "SELECT * FROM a", "SELECT * FROM b", false, "select * from a"},
		{"a different dialect", stmt.Trino, "SELECT 1", "", false, "select ?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa, na := Fingerprint(tt.a, tt.dialect)
			if na != tt.normalized {
				t.Errorf("normalized %q, want %q", na, tt.normalized)
			}
			b, d := tt.b, tt.dialect
			if b == "" {
				b, d = tt.a, stmt.BigQuery
			}
			fb, _ := Fingerprint(b, d)
			if (fa == fb) != tt.same {
				t.Errorf("same fingerprint = %v, want %v (%s, %s)", fa == fb, tt.same, fa, fb)
			}
			if len(fa) != 16 {
				t.Errorf("fingerprint %q is not 16 hex digits", fa)
			}
		})
	}
}

// FuzzFingerprint checks, on any text, that normalizing is a fixed point:
// the normalized text normalizes to itself and has the same fingerprint,
// so a statement and its normalized form in the ledger count as one.
func FuzzFingerprint(f *testing.F) {
	for _, s := range []string{"SELECT 'a''b' FROM t -- x", "SELECT \"x\" FROM `y` # z", "/* unterminated", "'''", "1.2e+5", "r'x' b\"y\"", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		for _, d := range []stmt.Dialect{stmt.Trino, stmt.BigQuery} {
			fp, norm := Fingerprint(sql, d)
			fp2, norm2 := Fingerprint(norm, d)
			if norm2 != norm || fp2 != fp {
				t.Fatalf("%s: %q normalizes to %q, which normalizes to %q", d, sql, norm, norm2)
			}
			if len(norm) > 2*len(sql)+2 {
				t.Fatalf("normalized text grew from %d to %d bytes", len(sql), len(norm))
			}
		}
	})
}
