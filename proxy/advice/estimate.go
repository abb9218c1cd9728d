package advice

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/skimdata/skim/catalog"
)

// selectivity is the share of a table a filter on a column keeps, and
// where that number comes from. days is how many days the table spans, 0
// when unknown.
func selectivity(timeColumn bool, days float64, opts Options) (float64, string) {
	switch {
	case !timeColumn:
		return opts.UnknownSelectivity, "default: not a date or timestamp column"
	case days <= 0:
		return opts.UnknownSelectivity, "default: the catalog lists no dated partitions"
	case days <= opts.DaysRead:
		return 1, fmt.Sprintf("the table spans %s days, no more than a statement reads", trimFloat(days))
	}
	return opts.DaysRead / days, fmt.Sprintf("%s of %s days", trimFloat(opts.DaysRead), trimFloat(days))
}

// isTimeType reports whether a column type holds dates or times of day
// with their date: Trino's date and timestamp(p) [with time zone],
// BigQuery's DATE, DATETIME and TIMESTAMP.
func isTimeType(typ string) bool {
	t := strings.ToLower(strings.TrimSpace(typ))
	return strings.HasPrefix(t, "date") || strings.HasPrefix(t, "timestamp")
}

// dateValued reports whether column is a partitioning column whose
// partition values are dates, like Hive's dt varchar partitions.
func dateValued(t *catalog.Table, column string) bool {
	if !containsFold(t.PartitionColumns(), column) || len(t.Partitions) == 0 {
		return false
	}
	for _, p := range t.Partitions {
		if _, ok := partitionStart(p, column); !ok {
			return false
		}
	}
	return true
}

// spanDays is how many days a table's partitions span, from the start of
// the oldest to the end of the newest, or 0 when the catalog lists no
// partitions with dates. Gaps count: they are days a filter may select
// and find empty. The day count is at most the table's rows, since a
// table cannot hold more days of data than rows.
func spanDays(t *catalog.Table) float64 {
	if t.Partitioning == nil || len(t.Partitions) == 0 {
		return 0
	}
	column, gran := t.Partitioning.Column, t.Partitioning.Granularity
	if column == "" {
		// Identity partitioning: the first column whose values are dates.
		gran = catalog.Day
		for _, c := range t.Partitioning.Columns {
			if dateValued(t, c) {
				column = c
				break
			}
		}
	}
	if column == "" {
		return 0
	}
	var first, last time.Time
	for _, p := range t.Partitions {
		start, ok := partitionStart(p, column)
		if !ok {
			return 0
		}
		end := periodEnd(start, gran)
		if first.IsZero() || start.Before(first) {
			first = start
		}
		if end.After(last) {
			last = end
		}
	}
	days := math.Ceil(last.Sub(first).Hours() / 24)
	if t.Rows > 0 && days > float64(t.Rows) {
		days = float64(t.Rows)
	}
	return days
}

// partitionStart parses a partition's value of column as the start of its
// period: a DATE or TIMESTAMP literal, as the catalog stores them.
func partitionStart(p catalog.Partition, column string) (time.Time, bool) {
	v, ok := p.Values[column]
	if !ok {
		for k, x := range p.Values {
			if strings.EqualFold(k, column) {
				v, ok = x, true
				break
			}
		}
	}
	if !ok {
		return time.Time{}, false
	}
	for _, layout := range []string{time.DateOnly, time.DateTime, "2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// periodEnd is the end of the partition period starting at start.
func periodEnd(start time.Time, g catalog.Granularity) time.Time {
	switch g {
	case catalog.Hour:
		return start.Add(time.Hour)
	case catalog.Month:
		return start.AddDate(0, 1, 0)
	case catalog.Year:
		return start.AddDate(1, 0, 0)
	}
	return start.AddDate(0, 0, 1)
}

// trimFloat prints a day count without needless decimals.
func trimFloat(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
