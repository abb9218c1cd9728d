package dashboard

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/proxy/ledger"
)

// lines returns recs as the ledger's sink writes them.
func lines(t *testing.T, recs ...ledger.Record) string {
	t.Helper()
	var b strings.Builder
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func appendText(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func page(t *testing.T, h http.Handler) string {
	t.Helper()
	code, _, body := get(t, h, http.MethodGet, "/")
	if code != http.StatusOK {
		t.Fatalf("status %d:\n%s", code, body)
	}
	return body
}

// freshPage is the page of a dashboard that has read nothing before: one
// read of the whole ledger, as every load once was.
func freshPage(t *testing.T, path string, now time.Time) string {
	t.Helper()
	return page(t, New(path, Options{Now: fixed(now)}, zap.NewNop()))
}

func totalStatements(doc string) string {
	attrs, _ := startTag(doc, "total-statements")
	return attrs["data-value"]
}

func skippedLines(doc string) string {
	attrs, _ := startTag(doc, "skipped")
	return attrs["data-value"]
}

// TestDashboardReadsOn loads the page while the ledger grows, is cut back
// and is replaced, and checks each page against one read of the ledger as
// it then is.
func TestDashboardReadsOn(t *testing.T) {
	recs := fixtureRecords()
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	// A record of today, to add to the page.
	later := ledger.Record{ID: ledger.NewID(), Time: fixedNow.Add(-time.Hour), User: "dave", Decision: "rewrite",
		Tables: []string{"sales.orders"}, Rules: []string{"limit_scan"}, EstimatedBytesBefore: 4 * tib, EstimatedBytesAfter: tib, PricePerTiB: 6.25,
		SQL: "SELECT * FROM sales.orders LIMIT 10", Rewritten: "SELECT * FROM sales.orders TABLESAMPLE SYSTEM (1) LIMIT 10"}
	later.Settle()
	half := lines(t, later)
	half = half[:len(half)/2]

	tests := []struct {
		name   string
		change func()
		// statements and skipped lines the page shows; none for an
		// empty page
		statements, skipped string
	}{
		{"the first records", func() { appendText(t, path, lines(t, recs[:2]...)) }, "2", ""},
		{"records appended", func() { appendText(t, path, lines(t, recs[2:]...)+"{not a record\n") }, "6", "1"},
		{"half a line is not counted yet", func() { appendText(t, path, half) }, "6", "1"},
		{"the line completed", func() { appendText(t, path, lines(t, later)[len(half):]) }, "7", "1"},
		{"nothing new", func() {}, "7", "1"},
		{"only a line that is no record", func() { appendText(t, path, "{not a record either\n") }, "7", "2"},
		{"emptied",
			func() {
				if err := os.Truncate(path, 0); err != nil {
					t.Fatal(err)
				}
			}, "", ""},
		{"truncated and written again",
			func() {
				if err := os.WriteFile(path, []byte(lines(t, recs[3], recs[4])), 0o640); err != nil {
					t.Fatal(err)
				}
			}, "2", ""},
		{"copied, truncated and written past the old end",
			func() {
				if err := os.WriteFile(path, []byte(lines(t, recs...)+lines(t, later)), 0o640); err != nil {
					t.Fatal(err)
				}
			}, "7", ""},
		{"replaced by a new file",
			func() {
				other := filepath.Join(filepath.Dir(path), "new.jsonl")
				if err := os.WriteFile(other, []byte(lines(t, later)+"{}\n"), 0o640); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(other, path); err != nil {
					t.Fatal(err)
				}
			}, "1", "1"},
	}
	c := &clock{now: fixedNow}
	h := New(path, Options{Now: c.Now}, zap.NewNop())
	for _, tt := range tests {
		tt.change()
		// Past the cache's 15 seconds; the window stays the same.
		c.advance(16 * time.Second)
		got := page(t, h)
		if s := totalStatements(got); s != tt.statements {
			t.Errorf("%s: the page shows %s statements, want %s", tt.name, s, tt.statements)
		}
		if s := skippedLines(got); s != tt.skipped {
			t.Errorf("%s: the page shows %q lines skipped, want %q", tt.name, s, tt.skipped)
		}
		if want := freshPage(t, path, c.Now()); got != want {
			t.Errorf("%s: the page differs from one read of the ledger:\n%s", tt.name, firstDifference(got, want))
		}
	}
}

// TestDashboardPartialLine checks that a line a writer is midway through
// counts once it is whole, and never as a line that could not be read.
func TestDashboardPartialLine(t *testing.T) {
	recs := fixtureRecords()
	path := writeLedger(t, recs[:1])
	c := &clock{now: fixedNow}
	h := New(path, Options{Now: c.Now, CacheTTL: -1}, zap.NewNop())
	if got := totalStatements(page(t, h)); got != "1" {
		t.Fatalf("first load shows %s statements", got)
	}
	line := lines(t, recs[1])
	for _, cut := range []int{1, len(line) / 3, len(line) - 1} {
		appendText(t, path, line[:cut])
		got := page(t, h)
		if s := totalStatements(got); s != "1" {
			t.Errorf("with %d bytes of the line: %s statements, want 1", cut, s)
		}
		if _, ok := startTag(got, "skipped"); ok {
			t.Errorf("with %d bytes of the line: the page says lines were skipped", cut)
		}
		appendText(t, path, line[cut:])
		if s := totalStatements(page(t, h)); s != "2" {
			t.Errorf("with the line completed from byte %d: %s statements, want 2", cut, s)
		}
		if err := os.WriteFile(path, []byte(lines(t, recs[0])), 0o640); err != nil {
			t.Fatal(err)
		}
		if s := totalStatements(page(t, h)); s != "1" {
			t.Fatalf("after truncating: %s statements, want 1", s)
		}
	}
}

// TestDashboardWindowSlides moves the clock a day at a time, and back:
// the records of a day that leaves the window leave the page.
func TestDashboardWindowSlides(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	recs := fixtureRecords()
	tests := []struct {
		name string
		loc  *time.Location
		// the clock, a day at a time from fixedNow, and the statements
		// the page then shows
		days       []int
		statements []string
	}{
		// 1 November (a rewrite) leaves the window on 1 December, 10
		// November (a reject) on 10 December.
		{"forward", time.UTC, []int{0, 8, 9, 17, 18}, []string{"6", "6", "5", "5", "4"}},
		// Back past the days dropped: the ledger is read again.
		{"back again", time.UTC, []int{0, 18, 0}, []string{"6", "4", "6"}},
		// Days begin at midnight in New York, where the records are of
		// the same days (1 November 06:00 UTC is 01:00 there, 10
		// November 23:00 UTC is 18:00).
		{"days in New York", ny, []int{0, 9, 18}, []string{"6", "5", "4"}},
	}
	for _, tt := range tests {
		path := writeLedger(t, recs)
		c := &clock{now: fixedNow}
		h := New(path, Options{Now: c.Now, Location: tt.loc}, zap.NewNop())
		for i, d := range tt.days {
			c.mu.Lock()
			c.now = fixedNow.AddDate(0, 0, d)
			c.mu.Unlock()
			got := page(t, h)
			if s := totalStatements(got); s != tt.statements[i] {
				t.Errorf("%s: %d days on, the page shows %s statements, want %s", tt.name, d, s, tt.statements[i])
			}
			want := page(t, New(path, Options{Now: fixed(c.Now()), Location: tt.loc}, zap.NewNop()))
			if got != want {
				t.Errorf("%s: %d days on, the page differs from one read of the ledger:\n%s", tt.name, d, firstDifference(got, want))
			}
		}
	}
}

// TestDashboardConcurrentLoads loads the page from several goroutines
// while the ledger grows; the race detector checks the sharing, and the
// last page must be that of one read.
func TestDashboardConcurrentLoads(t *testing.T) {
	recs := fixtureRecords()
	path := writeLedger(t, nil)
	h := New(path, Options{Now: fixed(fixedNow), CacheTTL: -1}, zap.NewNop())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				if code, _, body := get(t, h, http.MethodGet, "/"); code != http.StatusOK {
					t.Errorf("status %d:\n%s", code, body)
					return
				}
			}
		})
	}
	for _, r := range recs {
		appendText(t, path, lines(t, r))
	}
	wg.Wait()
	if got, want := page(t, h), freshPage(t, path, fixedNow); got != want {
		t.Errorf("the page differs from one read of the ledger:\n%s", firstDifference(got, want))
	}
}

// firstDifference shows where two pages part.
func firstDifference(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-200)
	return "got:  ..." + got[from:min(len(got), i+200)] + "\nwant: ..." + want[from:min(len(want), i+200)]
}
