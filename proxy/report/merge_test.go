package report

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/skimdata/skim/proxy/ledger"
)

// spread returns n records at random hours of the days days from first on,
// in no order, with rewrites that share a time, and money that plain
// addition sums differently in another order. The last four are rewrites
// at the latest time, so that a short list of recent rewrites has to
// choose among equals.
func spread(seed uint64, n int, first time.Time, days int) []ledger.Record {
	rng := rand.New(rand.NewPCG(seed, 7))
	pick := func(from []string) string { return from[rng.IntN(len(from))] }
	users := []string{"alice", "bob", "carol", "dave", ""}
	teams := []string{"growth", "finance", "ci"}
	tables := []string{"web.events", "web.pages", "ref.countries", "logs.raw", "sales.orders", "sales.items"}
	rules := []string{"rand_limit", "limit_scan", "partition_filter"}
	decisions := []string{"rewrite", "rewrite", "passthrough", "reject", "advise"}
	recs := make([]ledger.Record, 0, n+4)
	for i := range n {
		r := ledger.Record{
			Time:     first.Add(time.Duration(rng.IntN(days*24)) * time.Hour),
			User:     pick(users),
			Team:     pick(teams),
			Policy:   pick([]string{"notebooks", "pipelines"}),
			Decision: pick(decisions),
			SQL:      fmt.Sprintf("SELECT %d", i),
			// Prices and sizes whose products are not round.
			PricePerTiB:          pick2(rng, 6.25, 5.1, 7.3),
			EstimatedBytesBefore: rng.Int64N(50 * gib),
		}
		r.EstimatedBytesAfter = r.EstimatedBytesBefore / (1 + rng.Int64N(20))
		if rng.IntN(3) == 0 {
			r.BytesBilled = i64(r.EstimatedBytesAfter + rng.Int64N(gib))
			r.Method = "dry_run"
		}
		for range rng.IntN(3) {
			r.Tables = append(r.Tables, pick(tables))
		}
		for range rng.IntN(3) {
			r.Rules = append(r.Rules, pick(rules))
		}
		if r.Decision == "rewrite" {
			r.Rewritten = r.SQL + " -- sampled"
		}
		r.Settle()
		recs = append(recs, r)
	}
	latest := first.Add(time.Duration(days*24-1) * time.Hour)
	for i, user := range []string{"erin", "bob", "alice", "bob"} {
		r := ledger.Record{Time: latest, User: user, Decision: "rewrite", Tables: []string{"web.events"},
			SQL: "SELECT tie", Rewritten: fmt.Sprintf("SELECT tie -- %d", i%3),
			EstimatedBytesBefore: 10 * gib, EstimatedBytesAfter: gib, PricePerTiB: 6.25}
		r.Settle()
		recs = append(recs, r)
	}
	rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	return recs
}

// summaryDiff names the fields in which got and want differ, with both
// values, or returns "" when they are deeply equal.
func summaryDiff(got, want *Summary) string {
	var out strings.Builder
	g, w := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range g.NumField() {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			fmt.Fprintf(&out, "\n%s\n got %+v\nwant %+v", g.Type().Field(i).Name, g.Field(i).Interface(), w.Field(i).Interface())
		}
	}
	return out.String()
}

func pick2(rng *rand.Rand, xs ...float64) float64 { return xs[rng.IntN(len(xs))] }

// inSpan returns the records of recs in span, as ledger.Read would hand
// them over.
func inSpan(recs []ledger.Record, span ledger.Span) []ledger.Record {
	var out []ledger.Record
	for _, r := range recs {
		if span.Contains(r.Time) {
			out = append(out, r)
		}
	}
	return out
}

// daysOf adds recs to parts Days, in turn, and merges them into one.
func daysOf(opts Options, recs []ledger.Record, parts int) *Days {
	ds := make([]*Days, parts)
	for i := range ds {
		ds[i] = NewDays(opts)
	}
	for i, r := range recs {
		ds[i%parts].Add(r)
	}
	for _, o := range ds[1:] {
		ds[0].Merge(o)
	}
	return ds[0]
}

func TestAggregatorMerge(t *testing.T) {
	recs := spread(3, 300, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 5)
	tests := []struct {
		name string
		opts Options
		cuts []int
	}{
		{"into an empty one", Options{Recent: 5}, []int{0}},
		{"an empty one", Options{Recent: 5}, []int{len(recs)}},
		{"halves", Options{Recent: 5}, []int{len(recs) / 2}},
		{"many parts", Options{Top: 2, Recent: 3, By: ByUser}, []int{10, 11, 100, 250, 299}},
		{"one recent", Options{Recent: 1}, []int{1, 150}},
	}
	for _, tt := range tests {
		want := summarize(ledger.Span{}, tt.opts, recs)
		a := New(ledger.Span{}, tt.opts)
		from := 0
		for _, cut := range append(tt.cuts, len(recs)) {
			part := New(ledger.Span{}, tt.opts)
			for _, r := range recs[from:cut] {
				part.Add(r)
			}
			a.Merge(part)
			from = cut
		}
		if d := summaryDiff(a.Summary(), want); d != "" {
			t.Errorf("%s: the merged summary differs from one pass:%s", tt.name, d)
		}
	}
}

// TestRecentTies checks that which of several rewrites of the same time
// are kept does not depend on the order they come in.
func TestRecentTies(t *testing.T) {
	base := at(20, 12)
	recs := []ledger.Record{
		{Time: base, Decision: "rewrite", User: "bob", SQL: "SELECT b"},
		{Time: base, Decision: "rewrite", User: "alice", SQL: "SELECT a"},
		{Time: base, Decision: "rewrite", User: "alice", SQL: "SELECT a", Tables: []string{"t"}},
		{Time: base.Add(-time.Hour), Decision: "rewrite", SQL: "SELECT z"},
	}
	want := summarize(ledger.Span{}, Options{Recent: 2}, recs).Recent
	if len(want) != 2 || want[0].SQL != "SELECT b" || want[1].SQL != "SELECT a" || len(want[1].Tables) != 1 {
		t.Fatalf("recent %+v, want SELECT b, then SELECT a on table t", want)
	}
	orders := [][]int{{3, 2, 1, 0}, {1, 0, 3, 2}, {2, 3, 0, 1}}
	for _, order := range orders {
		var in []ledger.Record
		for _, i := range order {
			in = append(in, recs[i])
		}
		if got := summarize(ledger.Span{}, Options{Recent: 2}, in).Recent; !reflect.DeepEqual(got, want) {
			t.Errorf("order %v: recent %+v, want %+v", order, got, want)
		}
	}
}
