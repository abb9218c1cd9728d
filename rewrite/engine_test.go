package rewrite

import (
	"context"
	"strings"
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
)

func TestMaxRows(t *testing.T) {
	engine := testEngine(t)
	tests := []struct {
		name     string
		sql      string
		maxRows  int64
		decision Decision
		reason   string
	}{
		{"filtered rows above what the caller counts", "SELECT * FROM iceberg.web.events WHERE country = 'DE' ORDER BY rand() LIMIT 200000", 100000, Passthrough, "above the 100000 rows skim can count"},
		{"filtered rows within what the caller counts", "SELECT * FROM iceberg.web.events WHERE country = 'DE' ORDER BY rand() LIMIT 200000", 0, Rewrite, ""},
		{"catalog-guaranteed rows need no count", "SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 200000", 100000, Rewrite, ""},
		{"a caller that cannot count rows", "SELECT * FROM iceberg.web.events WHERE country = 'DE' ORDER BY rand() LIMIT 10", -1, Passthrough, "cannot count the rows"},
		{"a caller that cannot count rows, rows guaranteed", "SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 10", -1, Rewrite, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := engine.Rewrite(context.Background(), Request{SQL: tt.sql, Dialect: stmt.Trino, MaxRows: tt.maxRows})
			if err != nil {
				t.Fatal(err)
			}
			if res.Decision != tt.decision || !strings.Contains(res.Reason, tt.reason) {
				t.Errorf("decision %s, reason %q; want %s containing %q", res.Decision, res.Reason, tt.decision, tt.reason)
			}
		})
	}
}

func TestModes(t *testing.T) {
	engine := testEngine(t)
	const sql = "SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 10"
	for _, tt := range []struct {
		mode     Mode
		decision Decision
		reason   string
		warning  string
	}{
		{ModeOff, Passthrough, "policy p is off", ""},
		{ModeAdvise, Passthrough, "policy p only advises; skim would rewrite: rand_limit", "skim advice:"},
		{ModeRewrite, Rewrite, "rand_limit: sampled", ""},
	} {
		res, err := engine.Rewrite(context.Background(), Request{SQL: sql, Dialect: stmt.Trino, Mode: tt.mode, Policy: "p"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Decision != tt.decision || !strings.Contains(res.Reason, tt.reason) {
			t.Errorf("%s: decision %s, reason %q", tt.mode, res.Decision, res.Reason)
		}
		if tt.warning != "" && (len(res.Warnings) == 0 || !strings.Contains(strings.Join(res.Warnings, " "), tt.warning)) {
			t.Errorf("%s: warnings %q lack %q", tt.mode, res.Warnings, tt.warning)
		}
		if res.Decision != Rewrite && res.Rewritten != sql {
			t.Errorf("%s changed the statement", tt.mode)
		}
		if tt.mode == ModeAdvise && res.Estimate.BytesAfter != res.Estimate.BytesBefore {
			t.Errorf("advice reports bytes after %d != before %d", res.Estimate.BytesAfter, res.Estimate.BytesBefore)
		}
	}
}
