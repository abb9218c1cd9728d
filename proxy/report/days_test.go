package report

import (
	"testing"
	"time"

	"github.com/skimdata/skim/proxy/ledger"
)

func TestDaysSummary(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	nyDay := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, ny) }
	recs := spread(1, 600, day(10), 10)
	tests := []struct {
		name  string
		opts  Options
		span  ledger.Span
		recs  []ledger.Record
		parts int
	}{
		{"one part", Options{Recent: 10}, ledger.Span{From: day(10), To: day(20)}, recs, 1},
		{"merged from parts", Options{Recent: 10}, ledger.Span{From: day(10), To: day(20)}, recs, 7},
		{"short lists", Options{Top: 2, Recent: 2}, ledger.Span{From: day(10), To: day(20)}, recs, 3},
		{"no recent", Options{}, ledger.Span{From: day(10), To: day(20)}, recs, 3},
		{"part of the days", Options{Recent: 5}, ledger.Span{From: day(12), To: day(15)}, recs, 4},
		{"span wider than the records", Options{Recent: 5}, ledger.Span{From: day(1), To: day(25)}, recs, 2},
		{"open span", Options{Recent: 5}, ledger.Span{}, recs, 2},
		{"open end", Options{Recent: 5}, ledger.Span{From: day(15)}, recs, 2},
		{"breakdown by table", Options{By: ByTable, Recent: 3}, ledger.Span{From: day(10), To: day(20)}, recs, 3},
		{"breakdown by day", Options{By: ByDay}, ledger.Span{From: day(11), To: day(19)}, recs, 3},
		{"days in New York", Options{Location: ny, Recent: 4, By: ByDay}, ledger.Span{From: nyDay(11), To: nyDay(18)}, recs, 3},
		{"no records", Options{Recent: 5}, ledger.Span{From: day(10), To: day(20)}, nil, 1},
		{"no records in the span", Options{Recent: 5}, ledger.Span{From: day(1), To: day(5)}, recs, 2},
	}
	for _, tt := range tests {
		want := summarize(tt.span, tt.opts, inSpan(tt.recs, tt.span))
		got := daysOf(tt.opts, tt.recs, tt.parts).Summary(tt.span)
		if d := summaryDiff(got, want); d != "" {
			t.Errorf("%s: the merged days' summary differs from one pass over the records:%s", tt.name, d)
		}
	}
}

// TestDaysSlide moves a week's window a day at a time over records that
// come a batch at a time, as a dashboard's loads do.
func TestDaysSlide(t *testing.T) {
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	recs := spread(2, 900, first, 15)
	opts := Options{Top: 3, Recent: 4}
	d := NewDays(opts)
	var seen []ledger.Record
	batch := len(recs) / 8
	for step := range 8 {
		// A batch read since the last load, merged in.
		news := recs[step*batch : (step+1)*batch]
		delta := NewDays(opts)
		for _, r := range news {
			delta.Add(r)
		}
		d.Merge(delta)
		seen = append(seen, news...)

		span := ledger.Span{From: first.AddDate(0, 0, step), To: first.AddDate(0, 0, step+7)}
		d.DropBefore(span.From)
		want := summarize(span, opts, inSpan(seen, span))
		if diff := summaryDiff(d.Summary(span), want); diff != "" {
			t.Errorf("step %d: the summary differs from one pass over the window's records:%s", step, diff)
		}
		// The days before the window are gone; those after it stay for
		// when the window reaches them.
		if n, most := len(d.days), 15-step; n > most {
			t.Errorf("step %d: %d days kept, want at most %d", step, n, most)
		}
	}
}

// TestDaysSummaryAgain calls Summary again and again as records come to
// the latest day, to an earlier one, and as the span moves, which reuses
// the days merged for an earlier call or merges them afresh.
func TestDaysSummaryAgain(t *testing.T) {
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	pool := spread(4, 2000, first, 12)
	// onDay returns the next n records of pool moved to day d from first.
	next := 0
	onDay := func(d, n int) []ledger.Record {
		out := make([]ledger.Record, n)
		for i := range out {
			r := pool[next%len(pool)]
			next++
			r.Time = first.AddDate(0, 0, d).Add(time.Duration(r.Time.Hour()) * time.Hour)
			out[i] = r
		}
		return out
	}
	window := func(from, to int) ledger.Span {
		return ledger.Span{From: first.AddDate(0, 0, from), To: first.AddDate(0, 0, to)}
	}
	tests := []struct {
		name string
		add  []ledger.Record
		span ledger.Span
	}{
		{"the first records", pool[:1500], window(0, 12)},
		{"nothing new", nil, window(0, 12)},
		{"records of the last day", onDay(11, 20), window(0, 12)},
		{"more of the last day", onDay(11, 5), window(0, 12)},
		{"a record of an earlier day", onDay(3, 1), window(0, 12)},
		{"and of the last day again", onDay(11, 3), window(0, 12)},
		{"the window moves on", onDay(11, 2), window(2, 14)},
		{"a new day", onDay(12, 10), window(2, 14)},
		{"a narrower window", nil, window(5, 9)},
		{"the wide one again", onDay(12, 1), window(2, 14)},
	}
	opts := Options{Top: 3, Recent: 4}
	d := NewDays(opts)
	var all []ledger.Record
	for _, tt := range tests {
		for _, r := range tt.add {
			d.Add(r)
		}
		all = append(all, tt.add...)
		want := summarize(tt.span, opts, inSpan(all, tt.span))
		if diff := summaryDiff(d.Summary(tt.span), want); diff != "" {
			t.Errorf("%s: the summary differs from one pass over the span's records:%s", tt.name, diff)
		}
	}
}
