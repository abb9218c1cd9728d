package dashboard

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/proxy/ledger"
)

// The helpers below read the page with regular expressions rather than a
// DOM parser: the page is ours, its tags are simple, and they work on both
// the server's HTML and the DOM a browser serializes.

var attrRE = regexp.MustCompile(`([a-zA-Z-]+)="([^"]*)"`)

// startTag returns the attributes of the element with the given id.
func startTag(doc, id string) (map[string]string, bool) {
	re := regexp.MustCompile(`<[a-zA-Z]+\s[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`)
	tag := re.FindString(doc)
	if tag == "" {
		return nil, false
	}
	attrs := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
		attrs[m[1]] = html.UnescapeString(m[2])
	}
	return attrs, true
}

// section returns the markup of the section element with the given id.
func section(doc, id string) string {
	i := strings.Index(doc, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(doc[i:], "</section>")
	if j < 0 {
		return doc[i:]
	}
	return doc[i : i+j]
}

var rowRE = regexp.MustCompile(`(?s)<tr data-key="([^"]*)">(.*?)</tr>`)
var cellRE = regexp.MustCompile(`data-field="([a-z-]+)" data-value="([^"]*)"`)

// topRows reads a top list.
func topRows(doc, id string) []topRow {
	var rows []topRow
	for _, m := range rowRE.FindAllStringSubmatch(section(doc, id), -1) {
		r := topRow{Key: html.UnescapeString(m[1])}
		for _, c := range cellRE.FindAllStringSubmatch(m[2], -1) {
			switch c[1] {
			case "bytes-saved":
				r.BytesSaved = c[2]
			case "money-saved":
				r.MoneySaved = c[2]
			}
		}
		rows = append(rows, r)
	}
	return rows
}

var barRE = regexp.MustCompile(`<rect class="bar" data-day="([0-9-]+)" data-bytes-saved="([0-9]+)" data-money-saved="([0-9.]+)"`)

// bars returns the chart's bytes saved per day, for the days with any.
func bars(doc string) (days int, saved map[string]string) {
	saved = map[string]string{}
	for _, m := range barRE.FindAllStringSubmatch(doc, -1) {
		days++
		if m[2] != "0" {
			saved[m[1]] = m[2]
		}
	}
	return days, saved
}

// checkFixturePage checks the figures of the fixture's page, wherever the
// page came from.
func checkFixturePage(t *testing.T, doc string) {
	t.Helper()
	for id, want := range wantTotals() {
		attrs, ok := startTag(doc, id)
		if !ok {
			t.Errorf("no element #%s", id)
			continue
		}
		if attrs["data-value"] != want {
			t.Errorf("#%s data-value = %q, want %q", id, attrs["data-value"], want)
		}
	}
	for id, want := range wantTops() {
		if got := topRows(doc, id); !reflect.DeepEqual(got, want) {
			t.Errorf("#%s\n got %q\nwant %q", id, got, want)
		}
	}
	days, saved := bars(doc)
	if days != 30 {
		t.Errorf("the chart has %d days, want 30", days)
	}
	wantSaved := map[string]string{"2026-11-01": itoa(tib), "2026-11-20": itoa(tib * 15 / 2), "2026-11-21": itoa(tib*3/2 + 3*tib)}
	if !reflect.DeepEqual(saved, wantSaved) {
		t.Errorf("bars with savings %v, want %v", saved, wantSaved)
	}
	if attrs, _ := startTag(doc, "skipped"); attrs["data-value"] != "1" {
		t.Errorf("#skipped data-value = %q, want 1", attrs["data-value"])
	}
	if attrs, _ := startTag(doc, "period"); attrs["data-days"] != "30" {
		t.Errorf("#period data-days = %q, want 30", attrs["data-days"])
	}
	// Newest rewrite first; the reject and the passthrough are not there.
	var times []string
	for i := 0; ; i++ {
		attrs, ok := startTag(doc, "rewrite-"+itoa(int64(i)))
		if !ok {
			break
		}
		times = append(times, attrs["data-time"])
	}
	wantTimes := []string{"2026-11-21T15:00:00Z", "2026-11-21T09:00:00Z", "2026-11-20T10:00:00Z", "2026-11-01T06:00:00Z"}
	if !reflect.DeepEqual(times, wantTimes) {
		t.Errorf("recent rewrites at %v, want %v", times, wantTimes)
	}
}

func get(t *testing.T, h http.Handler, method, path string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Result().Header, string(body)
}

func fixed(now time.Time) func() time.Time { return func() time.Time { return now } }

func TestDashboard(t *testing.T) {
	h := New(fixtureLedger(t), Options{Now: fixed(fixedNow)}, zap.NewNop())
	code, hdr, body := get(t, h, http.MethodGet, "/")
	if code != http.StatusOK {
		t.Fatalf("status %d:\n%s", code, body)
	}
	if ct := hdr.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	checkFixturePage(t, body)
	for _, want := range []string{
		"13 TiB", "81.25", "Last 30 days: Oct 24, 2026 to Nov 22, 2026", "2026-11-22 12:00 UTC",
		// The token diff marks the clause the rewrite inserted.
		"<ins>TABLESAMPLE SYSTEM (0.0077) </ins>",
		`<div class="del"><span class="sign">- </span>FROM iceberg.web.events e</div>`,
		"ledger.jsonl:8: not a ledger record",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestDashboardEscapes(t *testing.T) {
	h := New(fixtureLedger(t), Options{Now: fixed(fixedNow)}, zap.NewNop())
	_, _, body := get(t, h, http.MethodGet, "/")
	for _, bad := range []string{"<script", "<b>mallory", `evil"<table>`, "</div><script>"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;b&gt;mallory&lt;/b&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks the escaped %q", want)
		}
	}
}

func TestDashboardEmpty(t *testing.T) {
	tests := []struct {
		name string
		recs []ledger.Record
	}{
		{"empty file", nil},
		{"only old records", fixtureRecords()[6:]},
	}
	for _, tt := range tests {
		h := New(writeLedger(t, tt.recs), Options{Now: fixed(fixedNow)}, zap.NewNop())
		code, _, body := get(t, h, http.MethodGet, "/")
		if code != http.StatusOK {
			t.Errorf("%s: status %d", tt.name, code)
		}
		if _, ok := startTag(body, "empty"); !ok || !strings.Contains(body, "No statements in the last 30 days") {
			t.Errorf("%s: no empty state:\n%s", tt.name, body)
		}
		if _, ok := startTag(body, "totals"); ok {
			t.Errorf("%s: an empty page shows totals", tt.name)
		}
	}
}

func TestDashboardUnreadable(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		source  string
		want    []string
		notWant []string
	}{
		{"missing file", dir + "/missing.jsonl", []string{"The ledger could not be read", "no ledger at", "missing.jsonl"}, nil},
		{"a directory", dir, []string{"The ledger could not be read", "read the ledger"}, nil},
		{"database with a password", "postgres://skim:s3cret@127.0.0.1:1/skim?connect_timeout=2", []string{"The ledger could not be read", "postgres://skim:xxxxx@127.0.0.1:1/skim"}, []string{"s3cret"}},
	}
	for _, tt := range tests {
		h := New(tt.source, Options{Now: fixed(fixedNow)}, zap.NewNop())
		code, _, body := get(t, h, http.MethodGet, "/")
		if code != http.StatusInternalServerError {
			t.Errorf("%s: status %d, want 500", tt.name, code)
		}
		if _, ok := startTag(body, "error"); !ok {
			t.Errorf("%s: no #error", tt.name)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the page lacks %q:\n%s", tt.name, w, body)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(body, w) {
				t.Errorf("%s: the page shows %q", tt.name, w)
			}
		}
	}
}

func TestDashboardRoutes(t *testing.T) {
	h := New(fixtureLedger(t), Options{Now: fixed(fixedNow)}, zap.NewNop())
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/", http.StatusOK},
		{http.MethodHead, "/", http.StatusOK},
		{http.MethodGet, "/favicon.ico", http.StatusNotFound},
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		if code, _, _ := get(t, h, tt.method, tt.path); code != tt.want {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, code, tt.want)
		}
	}
}

// clock is a settable clock for the cache tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestDashboardCache(t *testing.T) {
	recs := fixtureRecords()
	path := writeLedger(t, recs[:1])
	statements := func(h http.Handler) string {
		_, _, body := get(t, h, http.MethodGet, "/")
		attrs, _ := startTag(body, "total-statements")
		return attrs["data-value"]
	}
	appendRecord := func() {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(`{"time":"2026-11-22T11:00:00Z","decision":"passthrough"}` + "\n"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		ttl  time.Duration
		// after a record is appended and the clock moves by step
		step time.Duration
		want string
	}{
		{"fresh cache serves the old reading", 0, 10 * time.Second, "1"},
		{"stale cache reads again", 0, 16 * time.Second, "2"},
		{"negative ttl always reads", -1, 0, "2"},
	}
	for _, tt := range tests {
		if err := os.WriteFile(path, nil, 0o640); err != nil {
			t.Fatal(err)
		}
		path = writeLedgerAt(t, path, recs[:1])
		c := &clock{now: fixedNow}
		h := New(path, Options{Now: c.Now, CacheTTL: tt.ttl}, zap.NewNop())
		if got := statements(h); got != "1" {
			t.Fatalf("%s: first load shows %s statements", tt.name, got)
		}
		appendRecord()
		c.advance(tt.step)
		if got := statements(h); got != tt.want {
			t.Errorf("%s: second load shows %s statements, want %s", tt.name, got, tt.want)
		}
	}
}

// writeLedgerAt rewrites the ledger at path with recs.
func writeLedgerAt(t *testing.T, path string, recs []ledger.Record) string {
	t.Helper()
	src := writeLedger(t, recs)
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o640); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSpan(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	tests := []struct {
		window   time.Duration
		loc      *time.Location
		from, to time.Time
	}{
		{0, time.UTC, time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		{24 * time.Hour, time.UTC, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		{36 * time.Hour, time.UTC, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		{7 * 24 * time.Hour, ny, time.Date(2026, 11, 16, 0, 0, 0, 0, ny), time.Date(2026, 11, 23, 0, 0, 0, 0, ny)},
	}
	for _, tt := range tests {
		h := New("unused", Options{Window: tt.window, Location: tt.loc}, nil).(*handler)
		got := h.span(fixedNow)
		if !got.From.Equal(tt.from) || !got.To.Equal(tt.to) {
			t.Errorf("window %v in %v: span %v to %v, want %v to %v", tt.window, tt.loc, got.From, got.To, tt.from, tt.to)
		}
	}
}
