package dashboard

import (
	"context"
	"slices"
	"time"

	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/proxy/report"
)

// fileTail is what the page's earlier loads read from a ledger file, kept
// so that a load reads only the lines appended since: the figures of each
// day from the window's start on, how far the file was read, and the lines
// it skipped. A month of a busy ledger is millions of records, seconds of
// reading; what a refresh finds new is a few thousand.
type fileTail struct {
	path string
	opts report.Options

	cursor ledger.Cursor
	// days holds the records read from floor on, a day at a time; nil
	// until the first read.
	days  *report.Days
	floor time.Time
	// stats are the lines read and skipped since the start of the file,
	// which the page reports as one read of the file would.
	stats ledger.ReadStats

	// summary is the last load's, for its span; a load that finds
	// nothing new in the same window shows it again.
	summary *report.Summary
	span    ledger.Span
}

func newFileTail(path string, opts report.Options) *fileTail {
	return &fileTail{path: path, opts: opts}
}

// read brings the figures up to date with the file and returns those of
// span, a window of whole days, with the file's read stats. The caller
// serializes calls. On an error what was read before stays as it was, so
// that the next load reads the same lines again.
func (t *fileTail) read(ctx context.Context, span ledger.Span) (*report.Summary, ledger.ReadStats, error) {
	cur := t.cursor
	if t.days == nil || span.From.Before(t.floor) {
		// The days before floor were never kept or have been dropped: a
		// window reaching back past them (the clock set back) needs the
		// file from the start.
		cur = ledger.Cursor{}
	}
	delta := report.NewDays(t.opts)
	// No end to the read: a record stamped ahead of today's end, by a
	// clock ahead of this one, counts once its day is in the window, as
	// a read of the whole file would count it then.
	next, st, err := ledger.Tail(ctx, t.path, cur, ledger.Span{From: span.From}, func(r ledger.Record) error {
		delta.Add(r)
		return nil
	})
	if err != nil {
		return nil, ledger.ReadStats{}, err
	}
	changed := next.FromStart() || st.Records > 0 || !span.From.Equal(t.span.From) || !span.To.Equal(t.span.To)
	if next.FromStart() {
		t.days, t.stats = delta, st
	} else {
		t.days.Merge(delta)
		t.stats.Add(st)
	}
	t.cursor, t.floor = next, span.From
	t.days.DropBefore(span.From)
	if changed {
		t.summary, t.span = t.days.Summary(span), span
	}
	stats := t.stats
	// The page keeps the list while later reads add to t's.
	stats.Problems = slices.Clone(stats.Problems)
	// The records in the window, as one read of it would count them;
	// those read earlier may since have left it.
	stats.Records = int(t.summary.Totals.Statements)
	return t.summary, stats, nil
}
