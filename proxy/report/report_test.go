package report

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/proxy/ledger"
)

func i64(n int64) *int64 { return &n }

// at returns a time on 2026-11-<day> at hour:00 UTC.
func at(day, hour int) time.Time {
	return time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC)
}

const gib = 1 << 30

// records is a small ledger: three rewrites, a passthrough and a reject,
// over three days, with a join of two tables and a record with no user.
func records() []ledger.Record {
	return []ledger.Record{
		{Time: at(16, 9), User: "alice", Team: "growth", Policy: "notebooks", Decision: "rewrite",
			Tables: []string{"web.events"}, Rules: []string{"rand_limit"},
			EstimatedBytesBefore: 100 * gib, EstimatedBytesAfter: 2 * gib, BytesSaved: 98 * gib, MoneySaved: 0.6,
			SQL: "SELECT 1", Rewritten: "SELECT 1 -- sampled"},
		{Time: at(16, 10), User: "bob", Team: "growth", Policy: "notebooks", Decision: "passthrough",
			Tables: []string{"web.events"}, EstimatedBytesBefore: 10 * gib, EstimatedBytesAfter: 10 * gib},
		{Time: at(17, 8), User: "bob", Team: "finance", Policy: "notebooks", Decision: "rewrite",
			Tables: []string{"web.events", "ref.countries", "web.events"}, Rules: []string{"rand_limit", "limit_scan"},
			EstimatedBytesBefore: 50 * gib, EstimatedBytesAfter: 5 * gib, BytesBilled: i64(4 * gib),
			BytesSaved: 46 * gib, MoneySaved: 0.3, SQL: "SELECT 2", Rewritten: "SELECT 2 -- sampled"},
		{Time: at(18, 23), Team: "ci", Policy: "pipelines", Decision: "reject",
			Tables: []string{"logs.raw"}, EstimatedBytesBefore: 500 * gib},
		{Time: at(18, 7), User: "alice", Team: "growth", Policy: "notebooks", Decision: "rewrite",
			Tables: []string{"logs.raw"}, Rules: []string{"limit_scan"},
			EstimatedBytesBefore: 20 * gib, EstimatedBytesAfter: 1 * gib, BytesProcessed: i64(3 * gib),
			BytesSaved: 17 * gib, MoneySaved: 0.1, SQL: "SELECT 3", Rewritten: "SELECT 3 -- sampled"},
	}
}

func summarize(span ledger.Span, opts Options, recs []ledger.Record) *Summary {
	a := New(span, opts)
	for _, r := range recs {
		a.Add(r)
	}
	return a.Summary()
}

func TestParseDimension(t *testing.T) {
	for _, d := range dimensions() {
		if got, err := ParseDimension(string(d)); err != nil || got != d {
			t.Errorf("ParseDimension(%q) = %q, %v", d, got, err)
		}
	}
	if _, err := ParseDimension("users"); err == nil || !strings.Contains(err.Error(), "use user, team, table, rule, policy or day") {
		t.Errorf("ParseDimension(users) error = %v, want the list of breakdowns", err)
	}
}

func TestTotals(t *testing.T) {
	s := summarize(ledger.Span{}, Options{}, records())
	want := Totals{
		Statements:   5,
		Rewritten:    3,
		Rejected:     1,
		BytesBefore:  680 * gib,
		BytesScanned: (2 + 10 + 4 + 0 + 3) * gib,
		BytesSaved:   (98 + 46 + 17) * gib,
		MoneySaved:   1.0,
	}
	got := s.Totals
	if d := got.MoneySaved - want.MoneySaved; d > 1e-9 || d < -1e-9 {
		t.Errorf("money saved %v, want %v", got.MoneySaved, want.MoneySaved)
	}
	got.MoneySaved = want.MoneySaved
	if got != want {
		t.Errorf("totals\n got %+v\nwant %+v", got, want)
	}
}

// key and statements and bytes saved of a group, for compact expectations.
type row struct {
	key        string
	statements int64
	savedGiB   int64
}

func rows(gs []Group) []row {
	out := []row{}
	for _, g := range gs {
		out = append(out, row{g.Key, g.Statements, g.BytesSaved / gib})
	}
	return out
}

func TestBreakdowns(t *testing.T) {
	tests := []struct {
		by   Dimension
		span ledger.Span
		want []row
	}{
		{ByUser, ledger.Span{}, []row{{"alice", 2, 115}, {"bob", 2, 46}, {"", 1, 0}}},
		{ByTeam, ledger.Span{}, []row{{"growth", 3, 115}, {"finance", 1, 46}, {"ci", 1, 0}}},
		// The join counts in full in both its tables, once each although
		// it lists web.events twice.
		{ByTable, ledger.Span{}, []row{{"web.events", 3, 144}, {"ref.countries", 1, 46}, {"logs.raw", 2, 17}}},
		// Statements no rule touched are the empty key's.
		{ByRule, ledger.Span{}, []row{{"rand_limit", 2, 144}, {"limit_scan", 2, 63}, {"", 2, 0}}},
		{ByPolicy, ledger.Span{}, []row{{"notebooks", 4, 161}, {"pipelines", 1, 0}}},
		// Days are chronological, and the span's empty days are there.
		{ByDay, ledger.Span{From: at(15, 12), To: at(20, 0)}, []row{
			{"2026-11-15", 0, 0}, {"2026-11-16", 2, 98}, {"2026-11-17", 1, 46}, {"2026-11-18", 2, 17}, {"2026-11-19", 0, 0}}},
		// An open span runs from the first record's day to the last's.
		{ByDay, ledger.Span{}, []row{{"2026-11-16", 2, 98}, {"2026-11-17", 1, 46}, {"2026-11-18", 2, 17}}},
	}
	for _, tt := range tests {
		s := summarize(tt.span, Options{By: tt.by}, records())
		if s.By != tt.by {
			t.Errorf("by %s: Summary.By = %q", tt.by, s.By)
		}
		if got := rows(s.Groups); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("by %s (span %v):\n got %v\nwant %v", tt.by, tt.span, got, tt.want)
		}
	}
}

func TestDaysInTimeZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	// 2026-11-17 03:00 UTC is the evening of the 16th in New York.
	recs := []ledger.Record{{Time: at(17, 3), Decision: "passthrough"}, {Time: at(17, 15), Decision: "passthrough"}}
	s := summarize(ledger.Span{}, Options{By: ByDay, Location: ny}, recs)
	want := []row{{"2026-11-16", 1, 0}, {"2026-11-17", 1, 0}}
	if got := rows(s.Groups); !reflect.DeepEqual(got, want) {
		t.Errorf("days in New York: got %v, want %v", got, want)
	}
	if s.Location != "America/New_York" {
		t.Errorf("Location = %q", s.Location)
	}
	// A span across the end of daylight saving time (1 November 2026)
	// still has one group per calendar day.
	s = summarize(ledger.Span{From: time.Date(2026, 10, 31, 0, 0, 0, 0, ny), To: time.Date(2026, 11, 3, 0, 0, 0, 0, ny)}, Options{Location: ny}, nil)
	if got := rows(s.Daily); !reflect.DeepEqual(got, []row{{"2026-10-31", 0, 0}, {"2026-11-01", 0, 0}, {"2026-11-02", 0, 0}}) {
		t.Errorf("days across DST: %v", got)
	}
}

func TestDailyBounded(t *testing.T) {
	s := summarize(ledger.Span{From: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), To: at(20, 0)}, Options{}, records())
	if len(s.Daily) != maxDays {
		t.Fatalf("%d days, want the latest %d", len(s.Daily), maxDays)
	}
	if last := s.Daily[len(s.Daily)-1].Key; last != "2026-11-19" {
		t.Errorf("last day %s, want 2026-11-19", last)
	}
}

func TestTopLists(t *testing.T) {
	tests := []struct {
		name   string
		top    int
		tables []row
		users  []row
		rules  []row
	}{
		{"default holds all here", 0,
			[]row{{"web.events", 3, 144}, {"ref.countries", 1, 46}, {"logs.raw", 2, 17}},
			[]row{{"alice", 2, 115}, {"bob", 2, 46}, {"", 1, 0}},
			[]row{{"rand_limit", 2, 144}, {"limit_scan", 2, 63}, {"", 2, 0}}},
		{"bounded", 1,
			[]row{{"web.events", 3, 144}},
			[]row{{"alice", 2, 115}},
			[]row{{"rand_limit", 2, 144}}},
	}
	for _, tt := range tests {
		s := summarize(ledger.Span{}, Options{Top: tt.top}, records())
		if s.Groups != nil {
			t.Errorf("%s: groups %v without a breakdown", tt.name, s.Groups)
		}
		for _, c := range []struct {
			what      string
			got, want []row
		}{{"tables", rows(s.TopTables), tt.tables}, {"users", rows(s.TopUsers), tt.users}, {"rules", rows(s.TopRules), tt.rules}} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s: top %s\n got %v\nwant %v", tt.name, c.what, c.got, c.want)
			}
		}
	}
}

func TestCompareTies(t *testing.T) {
	gs := []Group{
		{Key: "b", Totals: Totals{Statements: 1}},
		{Key: "a", Totals: Totals{Statements: 1}},
		{Key: "c", Totals: Totals{Statements: 2}},
		{Key: "d", Totals: Totals{Statements: 1, MoneySaved: 1}},
		{Key: "e", Totals: Totals{BytesSaved: 1}},
	}
	var keys []string
	for _, g := range sortedCopy(gs) {
		keys = append(keys, g.Key)
	}
	if want := []string{"e", "d", "c", "a", "b"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("order %v, want %v", keys, want)
	}
}

func sortedCopy(gs []Group) []Group {
	a := New(ledger.Span{}, Options{})
	for _, g := range gs {
		tl := &tally{t: g.Totals}
		tl.money.add(g.MoneySaved)
		a.groups[ByUser][g.Key] = tl
	}
	return a.sorted(ByUser)
}

func TestRecent(t *testing.T) {
	recs := records()
	tests := []struct {
		name string
		n    int
		recs []ledger.Record
		want []string
	}{
		{"none kept by default", 0, recs, nil},
		{"newest first", 10, recs, []string{"SELECT 3", "SELECT 2", "SELECT 1"}},
		{"bounded", 2, recs, []string{"SELECT 3", "SELECT 2"}},
		{"out of order input", 2, []ledger.Record{recs[4], recs[0], recs[2]}, []string{"SELECT 3", "SELECT 2"}},
	}
	for _, tt := range tests {
		s := summarize(ledger.Span{}, Options{Recent: tt.n}, tt.recs)
		var got []string
		for _, r := range s.Recent {
			got = append(got, r.SQL)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: recent %v, want %v", tt.name, got, tt.want)
		}
	}
	s := summarize(ledger.Span{}, Options{Recent: 1}, recs)
	want := Rewrite{Time: at(18, 7), User: "alice", Team: "growth", Policy: "notebooks", Rules: []string{"limit_scan"},
		Tables: []string{"logs.raw"}, SQL: "SELECT 3", Rewritten: "SELECT 3 -- sampled",
		BytesBefore: 20 * gib, BytesScanned: 3 * gib, BytesSaved: 17 * gib, MoneySaved: 0.1}
	if !reflect.DeepEqual(s.Recent, []Rewrite{want}) {
		t.Errorf("recent rewrite\n got %+v\nwant %+v", s.Recent, want)
	}
}

func TestEmpty(t *testing.T) {
	s := summarize(ledger.Span{}, Options{By: ByUser}, nil)
	if s.Totals != (Totals{}) || len(s.Groups) != 0 || len(s.Daily) != 0 || len(s.TopTables) != 0 {
		t.Errorf("empty summary %+v", s)
	}
}

func TestBuild(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.jsonl")
	ctx := context.Background()
	sink, err := ledger.Open(ctx, path, ledger.Options{}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records() {
		sink.Write(r)
	}
	if err := sink.Close(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("not json\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()

	tests := []struct {
		name       string
		source     string
		span       ledger.Span
		statements int64
		skipped    int
		wantErr    string
	}{
		{"whole ledger", path, ledger.Span{}, 5, 1, ""},
		{"span", path, ledger.Span{From: at(17, 0), To: at(18, 0)}, 1, 1, ""},
		{"missing ledger", filepath.Join(dir, "missing.jsonl"), ledger.Span{}, 0, 0, "no ledger at"},
	}
	for _, tt := range tests {
		s, stats, err := Build(ctx, tt.source, tt.span, Options{By: ByTable})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if s.Totals.Statements != tt.statements || stats.Skipped != tt.skipped {
			t.Errorf("%s: %d statements, %d skipped; want %d, %d", tt.name, s.Totals.Statements, stats.Skipped, tt.statements, tt.skipped)
		}
		if !s.From.Equal(tt.span.From) || !s.To.Equal(tt.span.To) {
			t.Errorf("%s: summary span %v–%v", tt.name, s.From, s.To)
		}
		if len(stats.Problems) != tt.skipped || (tt.skipped > 0 && !strings.Contains(stats.Problems[0], "ledger.jsonl:6")) {
			t.Errorf("%s: problems %q", tt.name, stats.Problems)
		}
	}
}
