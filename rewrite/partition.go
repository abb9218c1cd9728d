package rewrite

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/rewrite/stmt"
)

// A partition's value on its partition column is an interval: a single
// point for identity partitions (dt = '2026-11-20'), or a half-open time
// range for time partitions (a day partition of a timestamp column holds
// [2026-11-20 00:00, 2026-11-21 00:00)). A filter keeps a partition when some
// value of that interval could satisfy it.

type valueKind int

const (
	kindTime valueKind = iota
	kindNumber
	kindString
)

// value is a comparable constant of one kind.
type value struct {
	kind valueKind
	t    time.Time
	n    float64
	s    string
}

func (a value) compare(b value) int {
	switch a.kind {
	case kindTime:
		return a.t.Compare(b.t)
	case kindNumber:
		switch {
		case a.n < b.n:
			return -1
		case a.n > b.n:
			return 1
		}
		return 0
	}
	return strings.Compare(a.s, b.s)
}

// interval is [lo, hi] or, when hiOpen, [lo, hi).
type interval struct {
	lo, hi value
	hiOpen bool
}

// partitionDomain describes how one table's partition values compare.
type partitionDomain struct {
	column      string
	kind        valueKind
	granularity catalog.Granularity // "" for identity partitions
	// isDate is true for a DATE column, whose values are whole days.
	isDate bool
}

// domainOf returns the domain of t's single partition column; tables
// partitioned by several columns are not pruned by skim.
func domainOf(t *catalog.Table) (partitionDomain, error) {
	cols := t.PartitionColumns()
	if len(cols) != 1 {
		return partitionDomain{}, fmt.Errorf("%s is partitioned by %d columns; skim prunes single-column partitioning only", t.Name, len(cols))
	}
	d := partitionDomain{column: cols[0], granularity: t.Partitioning.Granularity}
	typ := ""
	if c, ok := t.Column(cols[0]); ok {
		typ = strings.ToLower(c.Type)
	}
	d.isDate = isDateType(typ)
	switch {
	case d.granularity != "", strings.HasPrefix(typ, "date"), strings.HasPrefix(typ, "timestamp"):
		d.kind = kindTime
		// A DATE column holds whole days: its day partitions are points.
		if d.granularity == catalog.Day && d.isDate {
			d.granularity = ""
		}
	case isNumericType(typ):
		d.kind = kindNumber
	default:
		d.kind = kindString
	}
	return d, nil
}

func isDateType(typ string) bool {
	return strings.HasPrefix(typ, "date") && !strings.HasPrefix(typ, "datetime")
}

func isNumericType(typ string) bool {
	for _, p := range []string{"int", "bigint", "smallint", "tinyint", "integer", "int64", "numeric", "decimal", "double", "real", "float"} {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}

// partitionInterval returns the values partition p holds.
func (d partitionDomain) partitionInterval(p catalog.Partition) (interval, error) {
	raw, ok := p.Values[d.column]
	if !ok {
		for k, v := range p.Values {
			if strings.EqualFold(k, d.column) {
				raw, ok = v, true
			}
		}
	}
	if !ok {
		return interval{}, fmt.Errorf("a partition has no value for %s", d.column)
	}
	switch d.kind {
	case kindNumber:
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return interval{}, fmt.Errorf("partition value %q of %s is not a number", raw, d.column)
		}
		v := value{kind: kindNumber, n: n}
		return interval{lo: v, hi: v}, nil
	case kindString:
		v := value{kind: kindString, s: raw}
		return interval{lo: v, hi: v}, nil
	}
	lo, err := parseTime(raw)
	if err != nil {
		return interval{}, fmt.Errorf("partition value %q of %s: %w", raw, d.column, err)
	}
	if d.granularity == "" {
		v := value{kind: kindTime, t: lo}
		return interval{lo: v, hi: v}, nil
	}
	lo = truncate(lo, string(d.granularity))
	return interval{lo: value{kind: kindTime, t: lo}, hi: value{kind: kindTime, t: next(lo, string(d.granularity))}, hiOpen: true}, nil
}

var timeLayouts = []string{
	"2006-01-02",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04",
	"2006-01-02 15",
	"2006-01-02T15",
	"2006-01",
	"2006",
}

// parseTime reads a date or timestamp literal; zone names after the time
// (Trino's TIMESTAMP '... UTC') are ignored, as partition boundaries are UTC.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, ok := parseDate(s); ok {
		return t, nil
	}
	if i := strings.LastIndexByte(s, ' '); i > 10 && strings.IndexFunc(s[i+1:], func(r rune) bool { return r >= 'A' && r <= 'z' }) >= 0 {
		s = s[:i]
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date or timestamp (want YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)", s)
}

// parseDate reads YYYY-MM-DD without time.Parse: partition values are
// read on every statement, and nearly all of them are plain dates.
func parseDate(s string) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	num := func(part string) (int, bool) {
		n := 0
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, false
			}
			n = n*10 + int(part[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // 2026-02-30 does not exist
	}
	return t, true
}

func truncate(t time.Time, unit string) time.Time {
	switch unit {
	case "hour":
		return t.Truncate(time.Hour)
	case "month":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "year":
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func next(t time.Time, unit string) time.Time {
	switch unit {
	case "hour":
		return t.Add(time.Hour)
	case "month":
		return t.AddDate(0, 1, 0)
	case "year":
		return t.AddDate(1, 0, 0)
	}
	return t.AddDate(0, 0, 1)
}

// literal converts a filter literal into the domain's kind.
func (d partitionDomain) literal(l stmt.Literal) (value, error) {
	switch d.kind {
	case kindTime:
		if l.Kind == stmt.LitNumber {
			return value{}, fmt.Errorf("%s is compared with the number %s", d.column, l.Text)
		}
		t, err := parseTime(l.Text)
		if err != nil {
			return value{}, err
		}
		return value{kind: kindTime, t: t}, nil
	case kindNumber:
		n, err := strconv.ParseFloat(l.Text, 64)
		if err != nil {
			return value{}, fmt.Errorf("%s is compared with %q, not a number", d.column, l.Text)
		}
		return value{kind: kindNumber, n: n}, nil
	}
	if l.Kind == stmt.LitNumber {
		return value{}, fmt.Errorf("%s is a string column compared with the number %s", d.column, l.Text)
	}
	return value{kind: kindString, s: l.Text}, nil
}

// filterValues is a filter with its literals converted into a domain's
// kind on first use, so pruning converts them once per table rather than
// once per partition.
type filterValues struct {
	f    stmt.Filter
	done bool
	vals []value
	err  error
}

// values returns the filter's literals in d's kind; a truncated column is
// compared as a time.
func (fv *filterValues) values(d partitionDomain) ([]value, error) {
	if fv.done {
		return fv.vals, fv.err
	}
	fv.done = true
	if fv.f.Truncate != "" {
		d.kind = kindTime
	}
	vals := make([]value, len(fv.f.Values))
	for i, l := range fv.f.Values {
		v, err := d.literal(l)
		if err != nil {
			fv.err = err
			return nil, err
		}
		vals[i] = v
	}
	fv.vals = vals
	return vals, nil
}

// mayMatch reports whether some value of iv could satisfy the filter.
func (d partitionDomain) mayMatch(iv interval, fv *filterValues) (bool, error) {
	f := fv.f
	if f.Truncate != "" {
		if d.kind == kindString {
			// A varchar date partition truncated to a day: read it as a date.
			t, err := parseTime(iv.lo.s)
			if err != nil {
				return false, fmt.Errorf("%s(%s): %w", f.Truncate, d.column, err)
			}
			iv = interval{lo: value{kind: kindTime, t: t}, hi: value{kind: kindTime, t: t}}
			d.kind = kindTime
		}
		if d.kind != kindTime {
			return false, fmt.Errorf("%s is not a date or timestamp column and cannot be truncated", d.column)
		}
		lo := truncate(iv.lo.t, f.Truncate)
		hi := iv.hi.t
		if iv.hiOpen {
			hi = hi.Add(-time.Nanosecond)
		}
		iv = interval{lo: value{kind: kindTime, t: lo}, hi: value{kind: kindTime, t: truncate(hi, f.Truncate)}}
	}
	vals, err := fv.values(d)
	if err != nil {
		return false, err
	}
	if len(vals) == 0 {
		return false, fmt.Errorf("filter on %s has no values", d.column)
	}
	// below reports whether some x in iv has x < v (or x <= v when orEqual).
	below := func(v value, orEqual bool) bool {
		c := iv.lo.compare(v)
		return c < 0 || orEqual && c == 0
	}
	// above reports whether some x in iv has x > v (or x >= v when orEqual).
	above := func(v value, orEqual bool) bool {
		c := iv.hi.compare(v)
		if iv.hiOpen {
			return c > 0
		}
		return c > 0 || orEqual && c == 0
	}
	contains := func(v value) bool { return below(v, true) && above(v, true) }
	switch f.Op {
	case stmt.OpEq:
		return contains(vals[0]), nil
	case stmt.OpIn:
		for _, v := range vals {
			if contains(v) {
				return true, nil
			}
		}
		return false, nil
	case stmt.OpNe:
		point := !iv.hiOpen && iv.lo.compare(iv.hi) == 0
		return !point || iv.lo.compare(vals[0]) != 0, nil
	case stmt.OpLt:
		return below(vals[0], false), nil
	case stmt.OpLe:
		return below(vals[0], true), nil
	case stmt.OpGt:
		return above(vals[0], false), nil
	case stmt.OpGe:
		return above(vals[0], true), nil
	case stmt.OpBetween:
		if len(vals) != 2 {
			return false, fmt.Errorf("BETWEEN on %s needs two values", d.column)
		}
		return above(vals[0], true) && below(vals[1], true) && vals[0].compare(vals[1]) <= 0, nil
	}
	return false, fmt.Errorf("operator %s on %s is not supported", f.Op, d.column)
}

// prunePartitions returns the indexes of t's partitions that filters may
// match. An error means a filter on the partition column could not be
// evaluated, so the partitions read are unknown.
func prunePartitions(t *catalog.Table, filters []stmt.Filter) ([]int, error) {
	all := allPartitions(t)
	if len(filters) == 0 {
		return all, nil
	}
	d, err := domainOf(t)
	if err != nil {
		return nil, err
	}
	fvs := make([]filterValues, len(filters))
	for i, f := range filters {
		fvs[i].f = f
	}
	kept := all[:0]
	for i, p := range t.Partitions {
		iv, err := d.partitionInterval(p)
		if err != nil {
			return nil, err
		}
		keep := true
		for j := range fvs {
			ok, err := d.mayMatch(iv, &fvs[j])
			if err != nil {
				return nil, err
			}
			if !ok {
				keep = false
				break
			}
		}
		if keep {
			kept = append(kept, i)
		}
	}
	return kept, nil
}
