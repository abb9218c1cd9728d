// Package report adds up the ledger for the people who pay for the engines:
// how many statements went through skim, what they would have scanned, what
// they did scan, and the bytes and money the rewrites saved, in total and
// broken down by user, team, table, rule, policy or day.
//
// An Aggregator takes records one at a time and keeps only running totals
// per group and a bounded list of recent rewrites, so a report over a ledger
// of any length needs memory in proportion to the number of distinct users,
// tables, rules, policies and days, not to the number of statements.
// Aggregators merge, and Days keeps one per calendar day, so that a report
// over a window of days that moves (the dashboard's) reads each record once
// and lets days leave the window.
//
// Records with several tables or rules count in each of their groups: a
// statement joining two tables adds its statement, its bytes and its savings
// to both tables' rows, in full. Per table that answers "what did the
// statements reading this table cost and save"; it also means the rows of a
// table or rule breakdown can add up to more than the totals. The user,
// team, policy and day breakdowns put each record in exactly one group and
// add up to the totals. A record with no tables or no rules counts in the
// group with the empty key, so that every breakdown covers every statement.
package report

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/skimdata/skim/proxy/ledger"
)

// Dimension is what a breakdown groups records by.
type Dimension string

// The dimensions a Summary can be broken down by.
const (
	ByUser   Dimension = "user"
	ByTeam   Dimension = "team"
	ByTable  Dimension = "table"
	ByRule   Dimension = "rule"
	ByPolicy Dimension = "policy"
	ByDay    Dimension = "day"
)

// dimensions lists every dimension, in the order help texts show them.
func dimensions() []Dimension {
	return []Dimension{ByUser, ByTeam, ByTable, ByRule, ByPolicy, ByDay}
}

// ParseDimension returns the dimension named s.
func ParseDimension(s string) (Dimension, error) {
	for _, d := range dimensions() {
		if string(d) == s {
			return d, nil
		}
	}
	return "", fmt.Errorf("%q is not a breakdown; use user, team, table, rule, policy or day", s)
}

// DayLayout is how a day's key is written: the calendar date in the
// report's time zone.
const DayLayout = "2006-01-02"

// Totals are the figures summed over a set of records.
type Totals struct {
	// Statements counts every record; Rewritten those skim rewrote and
	// Rejected those it refused to run.
	Statements int64 `json:"statements"`
	Rewritten  int64 `json:"rewritten"`
	Rejected   int64 `json:"rejected"`
	// BytesBefore is skim's estimate of what the statements as the
	// clients wrote them would scan.
	BytesBefore int64 `json:"bytes_before"`
	// BytesScanned is what the statements that ran did scan: see
	// ledger.Record.Cost.
	BytesScanned int64 `json:"bytes_scanned"`
	// BytesSaved and MoneySaved are the sums of the records' own figures
	// (ledger.Record.Settle): only rewrites save anything.
	BytesSaved int64   `json:"bytes_saved"`
	MoneySaved float64 `json:"money_saved"`
}

// Add counts r in t.
func (t *Totals) Add(r ledger.Record) {
	t.Statements++
	switch r.Decision {
	case "rewrite":
		t.Rewritten++
	case "reject":
		t.Rejected++
	}
	t.BytesBefore += r.EstimatedBytesBefore
	t.BytesScanned += r.Cost()
	t.BytesSaved += r.BytesSaved
	t.MoneySaved += r.MoneySaved
}

// Group is one row of a breakdown: a user, team, table, rule, policy or
// day, and the totals of its records. Key is empty for the records that
// have no value in the dimension (no user reported, no rule applied).
type Group struct {
	Key string `json:"key"`
	Totals
}

// Rewrite is one rewritten statement, for showing what skim did.
type Rewrite struct {
	Time   time.Time `json:"time"`
	User   string    `json:"user,omitempty"`
	Team   string    `json:"team,omitempty"`
	Policy string    `json:"policy,omitempty"`
	Rules  []string  `json:"rules,omitempty"`
	Tables []string  `json:"tables,omitempty"`
	// SQL and Rewritten are as the ledger holds them: possibly with
	// literals replaced, possibly empty when the ledger keeps no text.
	SQL          string  `json:"sql,omitempty"`
	Rewritten    string  `json:"rewritten,omitempty"`
	BytesBefore  int64   `json:"bytes_before"`
	BytesScanned int64   `json:"bytes_scanned"`
	BytesSaved   int64   `json:"bytes_saved"`
	MoneySaved   float64 `json:"money_saved"`
}

// Summary is a report over the records of a span.
type Summary struct {
	// From and To are the span's bounds (To exclusive); zero when open.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// Location is the time zone days are counted in.
	Location string `json:"time_zone"`
	Totals   Totals `json:"totals"`
	// By and Groups are the breakdown asked for in Options.By, every
	// group of it, in Sort order.
	By     Dimension `json:"by,omitempty"`
	Groups []Group   `json:"groups,omitempty"`
	// TopTables, TopUsers and TopRules are the Options.Top largest groups
	// of those dimensions, in Sort order.
	TopTables []Group `json:"top_tables"`
	TopUsers  []Group `json:"top_users"`
	TopRules  []Group `json:"top_rules"`
	// Daily holds one group per calendar day, oldest first, with the days
	// without statements present and zero: from the span's first day (or
	// the first record's) to its last (or the last record's).
	Daily []Group `json:"daily"`
	// Recent holds the Options.Recent latest rewrites, newest first.
	Recent []Rewrite `json:"recent,omitempty"`
}

// Options shape a Summary.
type Options struct {
	// By is the breakdown to include in full; empty for none.
	By Dimension
	// Top is how many groups the top lists hold. Default 10.
	Top int
	// Recent is how many of the latest rewrites to keep; 0 keeps none.
	Recent int
	// Location is the time zone that days begin in. Default UTC.
	Location *time.Location
}

// withDefaults returns o with the defaults in place of what is unset.
func (o Options) withDefaults() Options {
	if o.Top <= 0 {
		o.Top = 10
	}
	if o.Recent < 0 {
		o.Recent = 0
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return o
}

// Aggregator builds a Summary from records handed to it one by one, in any
// order. Aggregators given parts of a set of records and merged make the
// same Summary as one given all of them, whatever the parts and the order:
// money is summed exactly and the latest rewrites have a total order. Its
// zero value is not usable; call New.
type Aggregator struct {
	opts   Options
	span   ledger.Span
	totals tally
	groups map[Dimension]map[string]*tally
	recent recentHeap
	// first and last are the earliest and latest record times seen.
	first, last time.Time
}

// tally is a group's running totals. Totals.Add sums money with +=, whose
// result depends on the order of the records; the exact sum kept beside it
// does not, and is what the Summary shows.
type tally struct {
	t     Totals
	money exactSum
}

func (g *tally) add(r ledger.Record) {
	g.t.Add(r)
	g.money.add(r.MoneySaved)
}

func (g *tally) merge(o *tally) {
	g.t.Statements += o.t.Statements
	g.t.Rewritten += o.t.Rewritten
	g.t.Rejected += o.t.Rejected
	g.t.BytesBefore += o.t.BytesBefore
	g.t.BytesScanned += o.t.BytesScanned
	g.t.BytesSaved += o.t.BytesSaved
	g.money.merge(&o.money)
}

// totals returns the figures with the exact sum of money.
func (g *tally) totals() Totals {
	t := g.t
	t.MoneySaved = g.money.value()
	return t
}

// New returns an aggregator for the records of span. The span only sets
// the Summary's bounds and the days of its daily series; Add counts every
// record it is given.
func New(span ledger.Span, opts Options) *Aggregator {
	a := &Aggregator{opts: opts.withDefaults(), span: span, groups: map[Dimension]map[string]*tally{}}
	for _, d := range dimensions() {
		a.groups[d] = map[string]*tally{}
	}
	return a
}

// Add counts one record.
func (a *Aggregator) Add(r ledger.Record) {
	a.totals.add(r)
	if a.first.IsZero() || r.Time.Before(a.first) {
		a.first = r.Time
	}
	if a.last.IsZero() || r.Time.After(a.last) {
		a.last = r.Time
	}
	a.addTo(ByUser, r, r.User)
	a.addTo(ByTeam, r, r.Team)
	a.addTo(ByPolicy, r, r.Policy)
	a.addTo(ByDay, r, r.Time.In(a.opts.Location).Format(DayLayout))
	a.addEach(ByTable, r, r.Tables)
	a.addEach(ByRule, r, r.Rules)
	if r.Decision == "rewrite" && a.opts.Recent > 0 {
		if len(a.recent) == a.opts.Recent && r.Time.Before(a.recent[0].Time) {
			// Older than every rewrite kept: skip building it.
			return
		}
		a.keepRecent(Rewrite{
			Time: r.Time, User: r.User, Team: r.Team, Policy: r.Policy,
			Rules: r.Rules, Tables: r.Tables, SQL: r.SQL, Rewritten: r.Rewritten,
			BytesBefore: r.EstimatedBytesBefore, BytesScanned: r.Cost(),
			BytesSaved: r.BytesSaved, MoneySaved: r.MoneySaved,
		})
	}
}

// addEach counts r once in the group of each distinct key, or in the
// empty key's group when there are none.
func (a *Aggregator) addEach(d Dimension, r ledger.Record, keys []string) {
	if len(keys) == 0 {
		a.addTo(d, r, "")
		return
	}
	for i, k := range keys {
		// A record that lists a table twice still read it once.
		if !slices.Contains(keys[:i], k) {
			a.addTo(d, r, k)
		}
	}
}

func (a *Aggregator) addTo(d Dimension, r ledger.Record, key string) {
	g := a.groups[d][key]
	if g == nil {
		g = &tally{}
		a.groups[d][key] = g
	}
	g.add(r)
}

// keepRecent holds rw if it is among the latest Options.Recent rewrites
// seen; a min-heap in compareRewrites order keeps the bound whatever order
// records come in, and keeps the same ones whatever that order.
func (a *Aggregator) keepRecent(rw Rewrite) {
	if len(a.recent) == a.opts.Recent {
		if compareRewrites(rw, a.recent[0]) <= 0 {
			return
		}
		heap.Pop(&a.recent)
	}
	heap.Push(&a.recent, rw)
}

// compareRewrites orders rewrites oldest first. Rewrites of the same time
// are ordered by their other fields, so that which of them a bounded list
// keeps, and in what order it shows them, does not depend on the order the
// records came in; rewrites it finds equal are alike in every field shown.
func compareRewrites(x, y Rewrite) int {
	if c := x.Time.Compare(y.Time); c != 0 {
		return c
	}
	return cmp.Or(
		cmp.Compare(x.SQL, y.SQL),
		cmp.Compare(x.Rewritten, y.Rewritten),
		cmp.Compare(x.User, y.User),
		cmp.Compare(x.Team, y.Team),
		cmp.Compare(x.Policy, y.Policy),
		slices.Compare(x.Tables, y.Tables),
		slices.Compare(x.Rules, y.Rules),
		cmp.Compare(x.BytesBefore, y.BytesBefore),
		cmp.Compare(x.BytesScanned, y.BytesScanned),
		cmp.Compare(x.BytesSaved, y.BytesSaved),
		cmp.Compare(x.MoneySaved, y.MoneySaved),
	)
}

// Merge adds the records o was given to a, as if a had been given them
// too; o is left as it was. Both must have been made with the same
// Location and Recent, so that days and the latest rewrites mean the same.
func (a *Aggregator) Merge(o *Aggregator) {
	a.totals.merge(&o.totals)
	if !o.first.IsZero() && (a.first.IsZero() || o.first.Before(a.first)) {
		a.first = o.first
	}
	if !o.last.IsZero() && (a.last.IsZero() || o.last.After(a.last)) {
		a.last = o.last
	}
	for d, groups := range o.groups {
		mine := a.groups[d]
		for k, g := range groups {
			if m := mine[k]; m != nil {
				m.merge(g)
				continue
			}
			m := &tally{}
			m.merge(g)
			mine[k] = m
		}
	}
	if a.opts.Recent > 0 {
		for _, rw := range o.recent {
			a.keepRecent(rw)
		}
	}
}

// Summary returns the report of the records added so far. The aggregator
// may go on taking records afterwards.
func (a *Aggregator) Summary() *Summary {
	s := &Summary{
		From:      a.span.From,
		To:        a.span.To,
		Location:  a.opts.Location.String(),
		Totals:    a.totals.totals(),
		By:        a.opts.By,
		TopTables: top(a.sorted(ByTable), a.opts.Top),
		TopUsers:  top(a.sorted(ByUser), a.opts.Top),
		TopRules:  top(a.sorted(ByRule), a.opts.Top),
		Daily:     a.daily(),
	}
	switch a.opts.By {
	case "":
	case ByDay:
		s.Groups = s.Daily
	default:
		s.Groups = a.sorted(a.opts.By)
	}
	s.Recent = slices.Clone(a.recent)
	slices.SortFunc(s.Recent, func(x, y Rewrite) int { return compareRewrites(y, x) })
	return s
}

// sorted returns the groups of d, largest first.
func (a *Aggregator) sorted(d Dimension) []Group {
	out := make([]Group, 0, len(a.groups[d]))
	for k, g := range a.groups[d] {
		out = append(out, Group{Key: k, Totals: g.totals()})
	}
	slices.SortFunc(out, compareGroups)
	return out
}

// compareGroups orders groups for a breakdown: most bytes saved first, then most
// money saved, most statements, and by key, so that the order is the same
// on every run.
func compareGroups(x, y Group) int {
	return cmp.Or(
		cmp.Compare(y.BytesSaved, x.BytesSaved),
		cmp.Compare(y.MoneySaved, x.MoneySaved),
		cmp.Compare(y.Statements, x.Statements),
		cmp.Compare(x.Key, y.Key),
	)
}

func top(gs []Group, n int) []Group {
	if len(gs) > n {
		gs = gs[:n]
	}
	return gs
}

// maxDays bounds the daily series, so that an open or enormous span does
// not produce a series of millions of empty days.
const maxDays = 3700

// daily returns one group per day from the span's first day to its last,
// each bound falling back to the records' own when the span is open.
func (a *Aggregator) daily() []Group {
	first, last := a.span.From, a.span.To
	if !last.IsZero() {
		// To is exclusive: a span ending at midnight ends the day before.
		last = last.Add(-time.Nanosecond)
	}
	if first.IsZero() || (!a.first.IsZero() && a.first.Before(first)) {
		first = a.first
	}
	if last.IsZero() || (!a.last.IsZero() && a.last.After(last)) {
		last = a.last
	}
	if first.IsZero() || last.IsZero() || last.Before(first) {
		return []Group{}
	}
	loc := a.opts.Location
	y, m, d := first.In(loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, loc)
	lastKey := last.In(loc).Format(DayLayout)
	if n := last.Sub(day) / (24 * time.Hour); n >= maxDays {
		// Keep the latest days: they are the ones people look at.
		y, m, d = last.In(loc).AddDate(0, 0, -(maxDays - 1)).Date()
		day = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	var out []Group
	for {
		key := day.Format(DayLayout)
		g := Group{Key: key}
		if t := a.groups[ByDay][key]; t != nil {
			g.Totals = t.totals()
		}
		out = append(out, g)
		if key >= lastKey {
			return out
		}
		// AddDate rather than 24h: days across a DST change are 23 or
		// 25 hours long.
		day = day.AddDate(0, 0, 1)
	}
}

// Build reads the records of span from source (a ledger file or a
// PostgreSQL URL, as ledger.Read takes) and returns their summary, with how
// the read went: unreadable records are skipped and counted there, not
// fatal.
func Build(ctx context.Context, source string, span ledger.Span, opts Options) (*Summary, ledger.ReadStats, error) {
	a := New(span, opts)
	stats, err := ledger.Read(ctx, source, span, func(r ledger.Record) error {
		a.Add(r)
		return nil
	})
	if err != nil {
		return nil, stats, err
	}
	return a.Summary(), stats, nil
}

// recentHeap is a min-heap of rewrites in compareRewrites order: its root is
// the oldest rewrite kept, the first to go when a newer one comes.
type recentHeap []Rewrite

func (h recentHeap) Len() int           { return len(h) }
func (h recentHeap) Less(i, j int) bool { return compareRewrites(h[i], h[j]) < 0 }
func (h recentHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *recentHeap) Push(x any)        { *h = append(*h, x.(Rewrite)) }
func (h *recentHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
