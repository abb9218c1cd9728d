package rewrite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
	"github.com/skimdata/skim/rewrite/trino"
)

// FuzzRewrite runs the whole engine on arbitrary text in both dialects:
// it never panics, a passthrough is byte-identical, and every rewritten
// Trino statement parses again.
func FuzzRewrite(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.sql")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, chunk := range strings.Split(string(data), "-- case: ")[1:] {
			_, sql, _ := strings.Cut(chunk, "\n")
			f.Add(sql, strings.Contains(file, "bigquery"))
		}
	}
	engine := testEngine(f)
	f.Fuzz(func(t *testing.T, sql string, bigQuery bool) {
		req := Request{SQL: sql, Dialect: stmt.Trino, Session: stmt.Session{Catalog: "iceberg", Schema: "web"}}
		if bigQuery {
			req.Dialect = stmt.BigQuery
			req.Session = stmt.Session{Catalog: "myproj", Schema: "analytics"}
		}
		res, err := engine.Rewrite(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if res.Decision != Rewrite {
			if res.Rewritten != sql {
				t.Fatalf("%s changed the statement", res.Decision)
			}
			return
		}
		if !bigQuery {
			if _, err := trino.Parse(res.Rewritten, req.Session); err != nil {
				t.Fatalf("rewritten statement does not parse: %v\n%s", err, res.Rewritten)
			}
		}
	})
}
