package dashboard

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/proxy/ledger"
)

// benchRecords writes n records to w at random times from from to to,
// among 200 users, 2,000 tables and 30 rules, with statement text as the
// ledger keeps it: some 530 bytes a line.
func benchRecords(tb testing.TB, w *bufio.Writer, rng *rand.Rand, n int, from, to time.Time) {
	tb.Helper()
	span := to.Sub(from)
	for range n {
		table := fmt.Sprintf("iceberg.s%d.t%d", rng.IntN(40), rng.IntN(50))
		r := ledger.Record{
			ID: ledger.NewID(), Time: from.Add(time.Duration(rng.Int64N(int64(span)))), Frontend: "trino",
			User: fmt.Sprintf("user%d", rng.IntN(200)), Team: fmt.Sprintf("team%d", rng.IntN(20)), Policy: "notebooks",
			Decision: "passthrough", Tables: []string{table}, EstimatedBytesBefore: rng.Int64N(tib),
			SQL: "SELECT user_id, page FROM " + table + " WHERE event_date >= DATE '2026-11-01' LIMIT 1000", PricePerTiB: 6.25,
		}
		r.EstimatedBytesAfter = r.EstimatedBytesBefore
		if rng.IntN(3) == 0 {
			r.Decision = "rewrite"
			r.Rules = []string{fmt.Sprintf("rule%d", rng.IntN(30))}
			r.EstimatedBytesAfter = r.EstimatedBytesBefore / 100
			r.Rewritten = "SELECT user_id, page FROM " + table + " TABLESAMPLE SYSTEM (1) WHERE event_date >= DATE '2026-11-01' LIMIT 1000"
		}
		r.Settle()
		line, err := json.Marshal(r)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkRefresh measures a page load of a 1,000,000-record ledger file
// (some 530 MB, spread over the 30-day window): the first, which reads the
// whole file, as every load past the cache once did, and one after 1,000
// records were appended, which reads only those.
func BenchmarkRefresh(b *testing.B) {
	const n = 1_000_000
	path := filepath.Join(b.TempDir(), "ledger.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	monthAgo := fixedNow.AddDate(0, 0, -29).Truncate(24 * time.Hour)
	benchRecords(b, bufio.NewWriterSize(f, 1<<20), rng, n, monthAgo, fixedNow)
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	load := func(b *testing.B, h http.Handler) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	opts := Options{Now: fixed(fixedNow), CacheTTL: -1}

	b.Run("full", func(b *testing.B) {
		for b.Loop() {
			load(b, New(path, opts, zap.NewNop()))
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("append_1000", func(b *testing.B) {
		h := New(path, opts, zap.NewNop())
		load(b, h)
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		w := bufio.NewWriterSize(f, 1<<20)
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			benchRecords(b, w, rng, 1000, fixedNow.Add(-time.Hour), fixedNow)
			b.StartTimer()
			load(b, h)
		}
	})
}
