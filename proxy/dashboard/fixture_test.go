package dashboard

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/proxy/ledger"
)

const (
	gib = int64(1) << 30
	tib = int64(1) << 40
)

// fixedNow is the dashboard's clock in the tests: the 30-day window is
// 24 October to 22 November 2026.
var fixedNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func i64(n int64) *int64 { return &n }

// fixtureRecords is a ledger whose figures are easy to check by hand, at
// 6.25 per TiB:
//
//	rewrites: 8 TiB → 0.5 TiB (alice), 2 TiB → billed 0.5 TiB (bob),
//	          4 TiB → processed 1 TiB over two tables (alice),
//	          1 TiB → 0 (mallory, hostile text)
//	others:   a passthrough of 100 GiB (carol), a reject of 50 TiB
//	          (mallory), and a rewrite of 100 TiB outside the window.
//
// Totals in the window: 6 statements, 4 rewritten, 1 rejected, 65 TiB +
// 100 GiB before, 2 TiB + 100 GiB scanned, 13 TiB and 81.25 saved.
func fixtureRecords() []ledger.Record {
	recs := []ledger.Record{
		{Time: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Frontend: "trino", User: "alice", Team: "growth", Policy: "notebooks",
			Decision: "rewrite", Tables: []string{"iceberg.web.events"}, Rules: []string{"rand_limit"},
			EstimatedBytesBefore: 8 * tib, EstimatedBytesAfter: tib / 2, PricePerTiB: 6.25,
			SQL:       "SELECT user_id, page FROM iceberg.web.events ORDER BY rand() LIMIT 1000",
			Rewritten: "SELECT user_id, page FROM iceberg.web.events TABLESAMPLE SYSTEM (0.0077) ORDER BY rand() LIMIT 1000"},
		{Time: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), Frontend: "bigquery", User: "bob", Team: "finance", Policy: "notebooks",
			Decision: "rewrite", Tables: []string{"proj.analytics.events"}, Rules: []string{"limit_scan"},
			EstimatedBytesBefore: 2 * tib, EstimatedBytesAfter: tib / 4, BytesBilled: i64(tib / 2), Method: "dry_run", PricePerTiB: 6.25,
			SQL:       "SELECT * FROM `proj.analytics.events` LIMIT 100",
			Rewritten: "SELECT * FROM `proj.analytics.events` TABLESAMPLE SYSTEM (0.81 PERCENT) LIMIT 100"},
		{Time: time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC), Frontend: "trino", User: "alice", Team: "growth", Policy: "notebooks",
			Decision: "rewrite", Tables: []string{"iceberg.web.events", "iceberg.ref.countries"}, Rules: []string{"rand_limit"},
			EstimatedBytesBefore: 4 * tib, EstimatedBytesAfter: tib, BytesProcessed: i64(tib), PricePerTiB: 6.25,
			SQL: "SELECT e.user_id, c.name\nFROM iceberg.web.events e\nJOIN iceberg.ref.countries c ON c.code = e.country\n" +
				"WHERE e.event_date >= DATE '2026-11-01'\nORDER BY rand()\nLIMIT 500",
			Rewritten: "SELECT e.user_id, c.name\nFROM iceberg.web.events e TABLESAMPLE SYSTEM (0.02)\nJOIN iceberg.ref.countries c ON c.code = e.country\n" +
				"WHERE e.event_date >= DATE '2026-11-01'\nORDER BY rand()\nLIMIT 500"},
		{Time: time.Date(2026, 11, 15, 8, 30, 0, 0, time.UTC), Frontend: "trino", User: "carol", Team: "growth", Policy: "notebooks",
			Decision: "passthrough", Tables: []string{"iceberg.web.events"}, EstimatedBytesBefore: 100 * gib, EstimatedBytesAfter: 100 * gib,
			SQL: "SELECT count(*) FROM iceberg.web.events"},
		{Time: time.Date(2026, 11, 10, 23, 0, 0, 0, time.UTC), Frontend: "trino", User: "<b>mallory</b>", Team: "ci", Policy: "pipelines",
			Decision: "reject", Tables: []string{"logs.raw"}, EstimatedBytesBefore: 50 * tib,
			SQL: "SELECT * FROM logs.raw"},
		{Time: time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), Frontend: "trino", User: "<b>mallory</b>", Team: "ci", Policy: "pipelines",
			Decision: "rewrite", Tables: []string{`evil"<table>`}, Rules: []string{"rand_limit"},
			EstimatedBytesBefore: tib, EstimatedBytesAfter: 0, PricePerTiB: 6.25,
			SQL:       "SELECT '</div><script>alert(1)</script>' FROM t ORDER BY rand() LIMIT 1",
			Rewritten: "SELECT '</div><script>alert(1)</script>' FROM t TABLESAMPLE SYSTEM (1) ORDER BY rand() LIMIT 1"},
		// Outside the window.
		{Time: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC), Frontend: "trino", User: "alice", Decision: "rewrite",
			Tables: []string{"iceberg.web.events"}, Rules: []string{"rand_limit"}, EstimatedBytesBefore: 101 * tib, EstimatedBytesAfter: tib, PricePerTiB: 6.25},
	}
	for i := range recs {
		recs[i].ID = ledger.NewID()
		recs[i].Settle()
	}
	return recs
}

// writeLedger writes recs through the ledger's own sink and appends the
// extra lines as they are; it returns the file's path.
func writeLedger(t *testing.T, recs []ledger.Record, extra ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	ctx := context.Background()
	sink, err := ledger.Open(ctx, path, ledger.Options{}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		sink.Write(r)
	}
	if err := sink.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(extra) > 0 {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(strings.Join(extra, "\n") + "\n"); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// fixtureLedger is the fixture's ledger with one unreadable line.
func fixtureLedger(t *testing.T) string {
	return writeLedger(t, fixtureRecords(), "{not a record")
}

// wantValues are the data-value attributes the fixture's page must carry,
// by element id.
func wantTotals() map[string]string {
	return map[string]string{
		"total-statements":    "6",
		"total-rewritten":     "4",
		"total-rejected":      "1",
		"total-bytes-before":  itoa(65*tib + 100*gib),
		"total-bytes-scanned": itoa(2*tib + 100*gib),
		"total-bytes-saved":   itoa(13 * tib),
		"total-money-saved":   "81.25",
	}
}

// topRow is one row of a top list as the page carries it.
type topRow struct {
	Key, BytesSaved, MoneySaved string
}

func wantTops() map[string][]topRow {
	return map[string][]topRow{
		"top-tables": {
			{"iceberg.web.events", itoa(tib*15/2 + 3*tib), "65.625"},
			{"iceberg.ref.countries", itoa(3 * tib), "18.75"},
			{"proj.analytics.events", itoa(tib * 3 / 2), "9.375"},
			{`evil"<table>`, itoa(tib), "6.25"},
			{"logs.raw", "0", "0"},
		},
		"top-users": {
			{"alice", itoa(tib*15/2 + 3*tib), "65.625"},
			{"bob", itoa(tib * 3 / 2), "9.375"},
			{"<b>mallory</b>", itoa(tib), "6.25"},
			{"carol", "0", "0"},
		},
		"top-rules": {
			{"rand_limit", itoa(tib*15/2 + 3*tib + tib), "71.875"},
			{"limit_scan", itoa(tib * 3 / 2), "9.375"},
			{"", "0", "0"},
		},
	}
}
