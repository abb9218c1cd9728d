package ledger

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeLedger writes lines to a ledger file and returns its path.
func writeLedger(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadFileSpanAndBadLines(t *testing.T) {
	path := writeLedger(t,
		`{"id":"a","time":"2026-01-01T09:00:00Z","frontend":"trino","decision":"rewrite"}`,
		``,
		`{"id":"b","time":"2026-01-01T10:00:00Z","frontend":"trino","decision":"passthrough"}`,
		`{"id":"c","time":"2026-01-01T10:30:00Z",`,
		`   `,
		`{"level":"info","msg":"not a record"}`,
		`{"id":"d","time":"2026-01-01T11:00:00Z","frontend":"bigquery","decision":"reject"}`,
		`{"id":"e","time":"2026-01-01T12:00:00Z","frontend":"bigquery","decision":"rewrite"}`,
		"\r",
		`{"id":"f","time":"2026-01-01T11:59:59Z","frontend":"trino","decision":"advise"}`, // no newline at the end
	)
	span := Span{
		From: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC),
		To:   time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC),
	}
	var ids []string
	st, err := Read(context.Background(), path, span, func(r Record) error {
		ids = append(ids, r.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// From is inclusive, To exclusive; file order is kept.
	if got, want := strings.Join(ids, ","), "b,d,f"; got != want {
		t.Errorf("records read = %s, want %s", got, want)
	}
	if st.Records != 3 || st.Skipped != 2 {
		t.Errorf("stats = %+v, want 3 records and 2 skipped", st)
	}
	if len(st.Problems) != 2 ||
		!strings.HasPrefix(st.Problems[0], path+":4: not a ledger record") ||
		!strings.HasPrefix(st.Problems[1], path+":6: not a ledger record (no time or decision)") {
		t.Errorf("problems = %q, want lines 4 and 6 of %s", st.Problems, path)
	}
}

func TestReadFileOpenSpanReadsAll(t *testing.T) {
	path := writeLedger(t,
		`{"id":"a","time":"2026-01-01T09:00:00Z","decision":"rewrite","tables":["c.s.t"],"bytes_processed":7}`,
		`{"id":"b","time":"2026-01-01T10:00:00+02:00","decision":"passthrough"}`,
		``,
	)
	var got []Record
	st, err := Read(context.Background(), path, Span{}, func(r Record) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 2 || st.Skipped != 0 || len(st.Problems) != 0 || len(got) != 2 {
		t.Fatalf("stats = %+v, records %d; want 2 records, nothing skipped", st, len(got))
	}
	if got[0].Tables[0] != "c.s.t" || got[0].BytesProcessed == nil || *got[0].BytesProcessed != 7 {
		t.Errorf("first record = %+v", got[0])
	}
}

func TestReadFileProblemsAreBounded(t *testing.T) {
	lines := make([]string, 0, 30)
	for range 30 {
		lines = append(lines, "not json")
	}
	st, err := Read(context.Background(), writeLedger(t, lines...), Span{}, func(Record) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Skipped != 30 || len(st.Problems) != maxProblems {
		t.Errorf("skipped %d with %d problems, want 30 with %d", st.Skipped, len(st.Problems), maxProblems)
	}
}

func TestReadFileStopsOnCallbackError(t *testing.T) {
	path := writeLedger(t,
		`{"id":"a","time":"2026-01-01T09:00:00Z","decision":"rewrite"}`,
		`{"id":"b","time":"2026-01-01T10:00:00Z","decision":"rewrite"}`,
	)
	stop := errors.New("enough")
	n := 0
	_, err := Read(context.Background(), path, Span{}, func(Record) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Read returned %v after %d records, want the callback's error after 1", err, n)
	}
}

func TestReadMissingFileSaysWhatToPass(t *testing.T) {
	_, err := Read(context.Background(), filepath.Join(t.TempDir(), "nope.jsonl"), Span{}, func(Record) error { return nil })
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "--ledger") {
		t.Errorf("Read of a missing file = %v, want a not-exist error naming --ledger", err)
	}
}

func TestSpanContains(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 1, 1, h, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		span Span
		t    time.Time
		want bool
	}{
		{Span{}, at(1), true},
		{Span{From: at(2)}, at(1), false},
		{Span{From: at(2)}, at(2), true},
		{Span{To: at(2)}, at(2), false},
		{Span{To: at(2)}, at(1), true},
		{Span{From: at(1), To: at(3)}, at(2), true},
	} {
		if got := c.span.Contains(c.t); got != c.want {
			t.Errorf("%+v.Contains(%s) = %v, want %v", c.span, c.t, got, c.want)
		}
	}
}
