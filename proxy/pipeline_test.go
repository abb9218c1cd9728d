package proxy

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/rewrite"
	"github.com/skimdata/skim/rewrite/stmt"
)

// clock is a settable time for pipelines under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is a pipeline over the example catalog writing to a ledger file.
type harness struct {
	t        *testing.T
	pipeline *Pipeline
	sink     ledger.Sink
	path     string
	clock    *clock
}

func newHarness(t *testing.T, cfgYAML string) *harness {
	t.Helper()
	cat, err := catalog.LoadStatic("../catalog/testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	if cfgYAML != "" {
		if cfg, err = config.Parse("skim.yaml", []byte(cfgYAML)); err != nil {
			t.Fatal(err)
		}
	}
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "ledger.jsonl"), clock: &clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}}
	h.sink, err = ledger.Open(context.Background(), h.path, ledger.Options{}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	engine := rewrite.NewEngine(cat, rewrite.Options{}, zap.NewNop())
	h.pipeline = NewPipeline(engine, cfg, Options{Now: h.clock.Now, AbandonAfter: time.Hour}, zap.NewNop())
	h.pipeline.SetLedger(h.sink)
	return h
}

func (h *harness) decide(s Statement) *Run {
	h.t.Helper()
	if s.Frontend == "" {
		s.Frontend, s.Dialect = "trino", stmt.Trino
	}
	run, err := h.pipeline.Decide(context.Background(), s)
	if err != nil {
		h.t.Fatal(err)
	}
	return run
}

// records closes the sink and reads back what it stored.
func (h *harness) records() []ledger.Record {
	h.t.Helper()
	if err := h.sink.Close(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	var out []ledger.Record
	if _, err := ledger.Read(context.Background(), h.path, ledger.Span{}, func(r ledger.Record) error {
		out = append(out, r)
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	return out
}

func i64(n int64) *int64 { return &n }

const randLimit = "SELECT user_id FROM iceberg.web.events ORDER BY rand() LIMIT 1000"

func TestRunWritesOneRecord(t *testing.T) {
	h := newHarness(t, "trino: {price_per_tib: 5}\nteams: {growth: [\"ali*\"]}\npolicies: [{name: nb, mode: rewrite}]\n")
	run := h.decide(Statement{SQL: randLimit, Upstream: "http://admin:secret@trino:8080", Who: config.Who{User: "alice", Source: "jupyter", ClientTags: []string{"x"}}})
	if run.Decision != rewrite.Rewrite || !strings.HasPrefix(run.Notice, "skim rewrote this statement") {
		t.Fatalf("decision %s, notice %q", run.Decision, run.Notice)
	}
	if h.pipeline.Run(run.ID) != run {
		t.Fatal("an unfinished run is not found by its id")
	}
	h.clock.add(250 * time.Millisecond)
	run.Observe(Outcome{QueryID: "q1", Rows: 600, BytesProcessed: i64(100)})
	run.Observe(Outcome{Rows: 400, BytesProcessed: i64(900)})
	run.Finish()
	run.Finish()
	run.Observe(Outcome{Error: "too late"})
	if h.pipeline.Run(run.ID) != nil {
		t.Error("a finished run is still pending")
	}
	recs := h.records()
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	r := recs[0]
	switch {
	case r.ID != run.ID || r.QueryID != "q1" || r.Rows == nil || *r.Rows != 1000 || *r.BytesProcessed != 900:
		t.Errorf("outcome not recorded: %+v", r)
	case r.Upstream != "http://trino:8080":
		t.Errorf("upstream %q keeps its credentials", r.Upstream)
	case r.Team != "growth" || r.Policy != "nb" || r.Mode != "rewrite" || r.User != "alice" || r.Source != "jupyter":
		t.Errorf("who and policy: %+v", r)
	case r.LatencyMS != 250 || r.Error != "":
		t.Errorf("latency %v, error %q", r.LatencyMS, r.Error)
	case r.BytesSaved != r.EstimatedBytesBefore-r.EstimatedBytesAfter || r.BytesSaved <= 0 || r.MoneySaved <= 0 || r.PricePerTiB != 5:
		t.Errorf("savings: %+v", r)
	case r.SQL != randLimit || !strings.Contains(r.Rewritten, "TABLESAMPLE") || r.Fingerprint == "":
		t.Errorf("text: %+v", r)
	}
}

func TestRunWaitsForHolds(t *testing.T) {
	h := newHarness(t, "")
	run := h.decide(Statement{Frontend: "bigquery", Dialect: stmt.BigQuery, SQL: "SELECT * FROM `myproj.analytics.events` LIMIT 10"})
	run.Hold()
	run.Hold()
	run.Finish()
	if h.pipeline.Run(run.ID) == nil {
		t.Fatal("the record was written while held")
	}
	run.Observe(Outcome{BytesBefore: i64(5 << 40)})
	run.Release()
	run.Observe(Outcome{BytesBilled: i64(1 << 30), BytesProcessed: i64(1 << 29)})
	run.Release()
	recs := h.records()
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	r := recs[0]
	if r.Method != "dry_run" || r.EstimatedBytesBefore != 5<<40 || r.BytesSaved != 5<<40-1<<29 {
		t.Errorf("dry run and bill not used: %+v", r)
	}
	if want := float64(r.BytesSaved) / (1 << 40) * config.DefaultBigQueryPricePerTiB; r.MoneySaved != want {
		t.Errorf("money saved %v, want %v at BigQuery's list price", r.MoneySaved, want)
	}
}

func TestAbandonedAndOpenRuns(t *testing.T) {
	h := newHarness(t, "")
	quiet := h.decide(Statement{SQL: "SELECT 1"})
	held := h.decide(Statement{SQL: "SELECT 3"})
	held.Hold()
	h.clock.add(2 * time.Hour)
	// A statement arriving later sweeps the quiet one.
	open := h.decide(Statement{SQL: "SELECT 2"})
	if h.pipeline.Run(quiet.ID) != nil {
		t.Error("a run quiet for longer than AbandonAfter is still pending")
	}
	if h.pipeline.Run(held.ID) == nil {
		t.Error("a held run was abandoned while its frontend still follows it")
	}
	held.Finish()
	held.Release()
	h.pipeline.Close()
	if h.pipeline.Run(open.ID) != nil {
		t.Error("Close left a run pending")
	}
	recs := h.records()
	if len(recs) != 3 || !strings.Contains(recs[0].Error, "stopped asking") || recs[1].SQL != "SELECT 3" || recs[1].Error != "" || !strings.Contains(recs[2].Error, "skim stopped") {
		t.Errorf("records: %+v", recs)
	}
}

func TestPolicies(t *testing.T) {
	h := newHarness(t, `
ledger: {file: l.jsonl, sql: normalized}
policies:
  - name: dev
    mode: enforce
    match: {labels: {env: dev}}
    sample: {percent: 1, key: user_id, seed: 7}
    opt_out: false
  - name: capped
    mode: rewrite
    match: {users: [capped]}
    budget: {daily_scan_bytes_per_user: 3TiB}
  - name: advised
    mode: advise
    match: {users: [adv]}
`)
	dev := h.decide(Statement{SQL: "SELECT count(*) FROM iceberg.web.sessions WHERE user_id = 42 /* skim:off */", Who: config.Who{User: "x", Labels: map[string]string{"env": "dev"}}})
	if dev.Decision != rewrite.Rewrite || !dev.Approximate || !strings.Contains(dev.Notice, "approximate") || strings.Contains(dev.Notice, "skim:off") {
		t.Errorf("enforce: %s approximate=%v notice %q", dev.Decision, dev.Approximate, dev.Notice)
	}
	dev.Finish()

	// The first statement fits the day's budget; what it scanned counts
	// against the second.
	first := h.decide(Statement{SQL: "SELECT * FROM iceberg.web.events WHERE event_date = DATE '2026-11-20'", Who: config.Who{User: "capped"}})
	if first.Decision == rewrite.Reject {
		t.Fatalf("the first statement was rejected: %s", first.Reason)
	}
	first.Observe(Outcome{BytesProcessed: i64(2 << 40)})
	first.Finish()
	second := h.decide(Statement{SQL: "SELECT * FROM iceberg.web.events WHERE event_date = DATE '2026-11-21'", Who: config.Who{User: "capped"}})
	if second.Decision != rewrite.Reject || second.Rejection != "budget" || !strings.Contains(second.Reason, "2 TiB already scanned today") || !strings.Contains(second.Reason, "wait for the next UTC day") {
		t.Errorf("daily budget: %s %q", second.Decision, second.Reason)
	}
	second.Finish()
	other := h.decide(Statement{SQL: "SELECT * FROM iceberg.web.events WHERE event_date = DATE '2026-11-21'", Who: config.Who{User: "capped2"}})
	other.Finish()

	adv := h.decide(Statement{SQL: randLimit, Who: config.Who{User: "adv"}})
	if adv.Decision != rewrite.Passthrough || !strings.HasPrefix(adv.Notice, "skim advice:") {
		t.Errorf("advise: %s %q", adv.Decision, adv.Notice)
	}
	adv.Finish()

	recs := h.records()
	if len(recs) != 5 {
		t.Fatalf("%d records, want 5", len(recs))
	}
	if r := recs[0]; r.Policy != "dev" || r.Mode != "enforce" || strings.Contains(r.SQL, "42") || !strings.Contains(r.SQL, "user_id = ?") || r.Labels["env"] != "dev" {
		t.Errorf("enforce record with normalized SQL: %+v", r)
	}
	if r := recs[2]; r.Decision != "reject" || r.BytesSaved != 0 || r.Cost() != 0 || !strings.HasPrefix(r.Error, "rejected by skim: ") {
		t.Errorf("rejected record: %+v", r)
	}
	if r := recs[4]; r.Decision != "advise" || r.BytesSaved != 0 {
		t.Errorf("advise record: %+v", r)
	}
}

func TestSpending(t *testing.T) {
	s := NewSpending()
	day1 := time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC)
	day2 := day1.Add(2 * time.Hour)
	s.Add("a", day1, 5)
	s.Add("a", day1, 0)
	s.Add("b", day1, 1)
	if s.Today("a", day1) != 5 || s.Today("b", day1) != 1 || s.Today("a", day2) != 0 {
		t.Fatal("day one tallies")
	}
	s.Add("a", day2, 7)
	s.Add("a", day1, 100) // a late record of a past day is not counted
	if s.Today("a", day2) != 7 || s.Today("a", day1) != 0 || s.Today("b", day2) != 0 || len(s.bytes) != 1 {
		t.Errorf("after the day changed: %v", s.bytes)
	}
}

func TestWithoutCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"http://u:p@trino:8080/x":         "http://trino:8080/x",
		"https://bigquery.googleapis.com": "https://bigquery.googleapis.com",
		"":                                "",
	} {
		if got := withoutCredentials(in); got != want {
			t.Errorf("withoutCredentials(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShorten(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"abcdefghijkl", 10, "abcdefg…"},
		{"ééééé", 8, "éé…"},
	} {
		if got := shorten(tt.in, tt.n); got != tt.want || len(got) > tt.n {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
