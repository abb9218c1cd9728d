package report

import (
	"math"
	"time"

	"github.com/skimdata/skim/proxy/ledger"
)

// Days adds up records a calendar day at a time, one Aggregator per day in
// Options.Location, for a report over a window of days that moves: records
// that come later are added or merged in, days that leave the window are
// dropped, and the days that stay are never read again. Summary merges the
// days of a span and comes out the same, to the last bit, as an Aggregator
// given the span's records in one pass.
//
// A Days holds at most Options.Recent rewrites and one total per user,
// team, table, rule and policy for each day, so its size grows with the
// number of days kept, not with the records. Its zero value is not usable;
// call NewDays.
type Days struct {
	opts Options
	days map[dayNumber]*Aggregator
	// changed holds the days given records since the last Summary.
	changed map[dayNumber]bool
	// merged is the merge of the days in mergedDays, none changed since,
	// so that a Summary merges only the days that changed: merging a
	// month of days each time costs more than the records a refresh
	// finds new.
	merged     *Aggregator
	mergedDays map[dayNumber]bool
}

// dayNumber is a calendar date as year*10000 + month*100 + day: one map key
// per day that orders as the dates do, for any year.
type dayNumber int64

func dayOf(t time.Time, loc *time.Location) dayNumber {
	y, m, d := t.In(loc).Date()
	return dayNumber(int64(y)*10000 + int64(m)*100 + int64(d))
}

// NewDays returns an empty Days. The options' Location sets where days
// begin; By and Top only shape the Summary.
func NewDays(opts Options) *Days {
	// The defaults are settled once, so that every day's aggregator and
	// the Summary's agree on them.
	return &Days{opts: opts.withDefaults(), days: map[dayNumber]*Aggregator{}, changed: map[dayNumber]bool{}}
}

// Add counts one record in its day.
func (d *Days) Add(r ledger.Record) {
	k := dayOf(r.Time, d.opts.Location)
	a := d.days[k]
	if a == nil {
		a = New(ledger.Span{}, d.opts)
		d.days[k] = a
	}
	a.Add(r)
	d.changed[k] = true
}

// Merge adds the records o was given to d, as if d had been given them. It
// takes o's days over rather than copy them: o must not be used after.
// Both must have been made with the same Options.
func (d *Days) Merge(o *Days) {
	for k, a := range o.days {
		d.changed[k] = true
		if mine := d.days[k]; mine != nil {
			mine.Merge(a)
			continue
		}
		d.days[k] = a
	}
	o.days, o.changed = nil, nil
}

// DropBefore forgets the days before the one t falls in.
func (d *Days) DropBefore(t time.Time) {
	first := dayOf(t, d.opts.Location)
	for k := range d.days {
		if k < first {
			delete(d.days, k)
		}
	}
}

// Summary returns the report of the days span touches: from the day its
// From falls in to the day before its exclusive To, a zero bound being
// open. Days count in full, so a span of whole days in Options.Location,
// as a dashboard's window is, gives the figures of exactly the records in
// it; the Summary's bounds are span's.
//
// Summary keeps the merge of the days that did not change since the last
// call for the next, so that it merges again only the days that get new
// records (today's, as a rule). Like the rest of Days, it is not safe for
// concurrent use.
func (d *Days) Summary(span ledger.Span) *Summary {
	first, last := dayNumber(math.MinInt64), dayNumber(math.MaxInt64)
	if !span.From.IsZero() {
		first = dayOf(span.From, d.opts.Location)
	}
	if !span.To.IsZero() {
		last = dayOf(span.To.Add(-time.Nanosecond), d.opts.Location)
	}
	in := func(k dayNumber) bool { return first <= k && k <= last }
	for k := range d.mergedDays {
		if !in(k) || d.changed[k] || d.days[k] == nil {
			d.merged = nil
			break
		}
	}
	if d.merged == nil {
		d.merged, d.mergedDays = New(ledger.Span{}, d.opts), map[dayNumber]bool{}
	}
	// The days that stayed as they were since the last call are likely
	// to stay so: merge them once, for this call and the next.
	for k, day := range d.days {
		if in(k) && !d.changed[k] && !d.mergedDays[k] {
			d.merged.Merge(day)
			d.mergedDays[k] = true
		}
	}
	a := New(span, d.opts)
	a.Merge(d.merged)
	for k := range d.changed {
		if day := d.days[k]; day != nil && in(k) {
			a.Merge(day)
		}
	}
	clear(d.changed)
	return a.Summary()
}
