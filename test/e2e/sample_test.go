package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/skimdata/skim/catalog"
	ptrino "github.com/skimdata/skim/proxy/trino"
)

// TestRandLimitSampleReadsLess runs ORDER BY rand() LIMIT 1000 over the
// 1,000,000 demo events 200 times: every run must return exactly 1000
// rows while the test server reports reading far fewer bytes than the
// same statement run with skim off.
func TestRandLimitSampleReadsLess(t *testing.T) {
	s := startSkim(t, ptrino.Options{})
	raw := newRawClient(t)
	const query = "SELECT * FROM demo.web.events ORDER BY rand() LIMIT 1000"
	resetUpstream(t)
	offPages := raw.run(s.url, "/* skim:off */ "+query)
	full := finalPage(t, offPages).Stats.ProcessedBytes
	if n := rowCount(offPages); n != 1000 {
		t.Fatalf("with skim off: %d rows, want 1000", n)
	}
	if st := env.upstream.Statements(); len(st) != 1 || offPages[0].header.Get("X-Skim-Rewrite") != "" {
		t.Fatalf("a skim:off statement was rewritten: %+v", st)
	}
	if full < 200<<20 {
		t.Fatalf("a full scan of the events read only %s", catalog.FormatBytes(full))
	}

	const trials = 200
	var sum, lo, hi int64
	for i := range trials {
		pages := raw.run(s.url, query)
		if n := rowCount(pages); n != 1000 {
			t.Errorf("trial %d: %d rows, want 1000", i, n)
		}
		if pages[0].header.Get("X-Skim-Rewrite") == "" {
			t.Fatalf("trial %d was not rewritten", i)
		}
		b := finalPage(t, pages).Stats.ProcessedBytes
		sum += b
		if i == 0 || b < lo {
			lo = b
		}
		hi = max(hi, b)
	}
	mean := sum / trials
	t.Logf("processedBytes over %d trials: sampled mean %s (min %s, max %s), full scan %s: the sample reads %.1f%%",
		trials, catalog.FormatBytes(mean), catalog.FormatBytes(lo), catalog.FormatBytes(hi), catalog.FormatBytes(full),
		100*float64(mean)/float64(full))
	if mean*4 > full {
		t.Errorf("the sample reads %s on average, not far fewer than the full scan's %s", catalog.FormatBytes(mean), catalog.FormatBytes(full))
	}
}

// TestGuardFallback gives skim a catalog that claims the events table
// holds 1000 times the rows it has, so its sample is sized far too small
// and comes back short: the client must still get exactly n rows, and the
// upstream must see the attempts start one after the other, in order,
// until one holds the rows; the last queued attempt is the original
// statement.
func TestGuardFallback(t *testing.T) {
	s := startSkimWith(t, scaledCatalog(t, "demo.web.events", 1000), ptrino.Options{})
	db := openTrino(t, s.url, "")
	const query = "SELECT user_id, event_date FROM demo.web.events ORDER BY rand() LIMIT 1000"
	resetUpstream(t)
	if _, rows := queryRows(t, db, query); len(rows) != 1000 {
		t.Errorf("got %d rows, want 1000", len(rows))
	}
	st := env.upstream.Statements()
	if len(st) < 2 || !strings.Contains(st[0].SQL, "TABLESAMPLE SYSTEM") || st[len(st)-1].SQL != query {
		t.Fatalf("the upstream received %d statements, want samples then the original:\n%+v", len(st), st)
	}
	// Where each attempt's first page (which starts it) and last page
	// were requested, in the order requests reached the upstream.
	first, last := map[string]int{}, map[string]int{}
	for i, r := range env.requests.all() {
		id := queryID(r.Path)
		if r.Method != http.MethodGet || id == "" {
			continue
		}
		if _, ok := first[id]; !ok && strings.HasPrefix(r.Path, "/v1/statement/queued/") {
			first[id] = i
		}
		last[id] = i
	}
	ran := 0
	for i, a := range st {
		if a.Executed == "" {
			continue
		}
		if ran != i {
			t.Errorf("attempt %d ran although attempt %d did not", i+1, ran+1)
		}
		ran++
		if i > 0 && first[a.ID] < last[st[i-1].ID] {
			t.Errorf("attempt %d started before attempt %d finished", i+1, i)
		}
	}
	t.Logf("%d of %d queued attempts ran", ran, len(st))
	if ran < 2 {
		t.Errorf("only %d attempt ran; the short sample should have been followed by a fallback", ran)
	}
}

// TestRandLimitAboveGuardRows asks for more rows than skim buffers to guard
// (Options.MaxGuardRows, 100,000 by default) with a filter that keeps a
// quarter of the rows, so the sample holds fewer matching rows than asked.
// A rewrite skim cannot guard must not run: the client must still get
// exactly n rows, as it does with skim off.
func TestRandLimitAboveGuardRows(t *testing.T) {
	s := startSkim(t, ptrino.Options{})
	raw := newRawClient(t)
	const query = "SELECT user_id FROM events WHERE event_type = 'click' ORDER BY rand() LIMIT 120000"
	if n := rowCount(raw.run(s.url, "/* skim:off */ "+query)); n != 120_000 {
		t.Fatalf("with skim off: %d rows, want 120000", n)
	}
	resetUpstream(t)
	pages := raw.run(s.url, query)
	if n := rowCount(pages); n != 120_000 {
		t.Errorf("got %d rows, want 120000; rewritten %q, the upstream ran %q", n,
			pages[0].header.Get("X-Skim-Rewrite"), env.upstream.Statements()[0].SQL)
	}
}
