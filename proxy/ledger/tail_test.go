package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// rec is a ledger line for record id at minute min of 2026-01-01.
func rec(id string, min int) string {
	return fmt.Sprintf(`{"id":%q,"time":"2026-01-01T10:%02d:00Z","frontend":"trino","decision":"rewrite"}`+"\n", id, min)
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// tail reads path on from cur and returns the ids read.
func tail(t *testing.T, path string, cur Cursor, span Span) (Cursor, ReadStats, []string) {
	t.Helper()
	var ids []string
	next, st, err := Tail(context.Background(), path, cur, span, func(r Record) error {
		ids = append(ids, r.ID)
		return nil
	})
	if err != nil {
		t.Fatalf("Tail: %v", err)
	}
	return next, st, ids
}

func TestTail(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.jsonl")
	// Each step changes the file, then reads it on from the last cursor.
	tests := []struct {
		name      string
		change    func()
		ids       string
		fromStart bool
		skipped   int
		problem   string
	}{
		{"first read; a partial line is left",
			func() { appendTo(t, path, rec("a", 1)+rec("b", 2)+`{"id":"c","ti`) },
			"a,b", true, 0, ""},
		{"nothing new", func() {}, "", false, 0, ""},
		{"the partial line completed, and more",
			func() {
				appendTo(t, path, `me":"2026-01-01T10:03:00Z","decision":"advise"}`+"\n"+"not json\n\n"+rec("d", 4))
			},
			"c,d", false, 1, path + ":4: not a ledger record"},
		{"appended again", func() { appendTo(t, path, rec("e", 5)) }, "e", false, 0, ""},
		{"truncated",
			func() { writeFile(t, path, rec("f", 6)) },
			"f", true, 0, ""},
		{"copied, truncated and written past the offset",
			func() { writeFile(t, path, rec("g", 7)+rec("h", 8)+rec("i", 9)) },
			"g,h,i", true, 0, ""},
		{"a record out of the span", func() { appendTo(t, path, rec("j", 59)) }, "", false, 0, ""},
		{"replaced by another file",
			func() {
				other := filepath.Join(dir, "new.jsonl")
				writeFile(t, other, rec("k", 10)+"{}\n")
				if err := os.Rename(other, path); err != nil {
					t.Fatal(err)
				}
			},
			"k", true, 1, path + ":2: not a ledger record (no time or decision)"},
	}
	span := Span{To: time.Date(2026, 1, 1, 10, 30, 0, 0, time.UTC)}
	var cur Cursor
	for _, tt := range tests {
		tt.change()
		next, st, ids := tail(t, path, cur, span)
		if got := strings.Join(ids, ","); got != tt.ids {
			t.Errorf("%s: read %q, want %q", tt.name, got, tt.ids)
		}
		if next.FromStart() != tt.fromStart {
			t.Errorf("%s: FromStart %v, want %v", tt.name, next.FromStart(), tt.fromStart)
		}
		if st.Records != len(ids) || st.Skipped != tt.skipped {
			t.Errorf("%s: stats %+v, want %d records, %d skipped", tt.name, st, len(ids), tt.skipped)
		}
		if tt.problem != "" && (len(st.Problems) != 1 || !strings.HasPrefix(st.Problems[0], tt.problem)) {
			t.Errorf("%s: problems %q, want one starting %q", tt.name, st.Problems, tt.problem)
		}
		// The offset is past every whole line, never into a partial one.
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(strings.LastIndexByte(string(b), '\n') + 1); next.offset != want {
			t.Errorf("%s: offset %d, want %d", tt.name, next.offset, want)
		}
		cur = next
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTailAsRead checks that a file read on in pieces, as a writer adds to
// it a little at a time and cuts lines anywhere, gives what one Read of the
// whole file gives: the same records in the same order, the same lines
// skipped, and problems naming the same lines.
func TestTailAsRead(t *testing.T) {
	var lines []string
	for i := range 40 {
		switch i % 9 {
		case 4:
			lines = append(lines, "not json\n")
		case 7:
			lines = append(lines, "\n")
		default:
			lines = append(lines, rec(fmt.Sprint(i), i%60))
		}
	}
	text := strings.Join(lines, "")
	span := Span{From: time.Date(2026, 1, 1, 10, 5, 0, 0, time.UTC)}
	for _, step := range []int{1, 7, 50, 97, len(text)} {
		path := filepath.Join(t.TempDir(), "ledger.jsonl")
		writeFile(t, path, "")
		var cur Cursor
		var got []string
		var stats ReadStats
		for from := 0; from < len(text); from += step {
			appendTo(t, path, text[from:min(from+step, len(text))])
			next, st, ids := tail(t, path, cur, span)
			if next.FromStart() && from > 0 {
				t.Fatalf("step %d: read from the start at byte %d", step, from)
			}
			got = append(got, ids...)
			stats.Add(st)
			cur = next
		}
		var want []string
		wantStats, err := Read(context.Background(), path, span, func(r Record) error {
			want = append(want, r.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(stats, wantStats) {
			t.Errorf("pieces of %d bytes: read %v with %+v; Read gives %v with %+v", step, got, stats, want, wantStats)
		}
	}
}

func TestTailErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	writeFile(t, path, rec("a", 1))
	cur, _, _ := tail(t, path, Cursor{}, Span{})
	appendTo(t, path, rec("b", 2)+rec("c", 3))

	// A callback's error stops the read, and the cursor stays where it
	// was, so that the next read hands the same records over again.
	stop := errors.New("enough")
	got, _, err := Tail(context.Background(), path, cur, Span{}, func(Record) error { return stop })
	if !errors.Is(err, stop) || got.offset != cur.offset {
		t.Errorf("Tail with a failing callback: %v at offset %d, want the callback's error at %d", err, got.offset, cur.offset)
	}
	if _, _, ids := tail(t, path, got, Span{}); strings.Join(ids, ",") != "b,c" {
		t.Errorf("after the error, read %v, want b,c", ids)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Tail(ctx, path, Cursor{}, Span{}, func(Record) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Tail with a canceled context: %v", err)
	}

	missing := filepath.Join(t.TempDir(), "nope.jsonl")
	if got, _, err := Tail(context.Background(), missing, cur, Span{}, func(Record) error { return nil }); !errors.Is(err, os.ErrNotExist) ||
		!strings.Contains(err.Error(), "--ledger") || got.offset != cur.offset {
		t.Errorf("Tail of a missing file: %v, offset %d; want a not-exist error naming --ledger and the cursor as given", err, got.offset)
	}

	_, _, err = Tail(context.Background(), "postgres://skim:s3cret@db/skim", Cursor{}, Span{}, func(Record) error { return nil })
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Tail of a database: %v, want an error without the password", err)
	}
}

func TestReadStatsAdd(t *testing.T) {
	problems := func(prefix string, n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("%s%d", prefix, i))
		}
		return out
	}
	tests := []struct {
		name string
		a, b ReadStats
		want ReadStats
	}{
		{"nothing", ReadStats{}, ReadStats{}, ReadStats{}},
		{"counts add", ReadStats{Records: 2, Skipped: 1, Problems: []string{"x"}}, ReadStats{Records: 3, Skipped: 1, Problems: []string{"y"}},
			ReadStats{Records: 5, Skipped: 2, Problems: []string{"x", "y"}}},
		{"the first problems are kept", ReadStats{Skipped: 8, Problems: problems("a", 8)}, ReadStats{Skipped: 5, Problems: problems("b", 5)},
			ReadStats{Skipped: 13, Problems: append(problems("a", 8), problems("b", 2)...)}},
		{"a full list stays", ReadStats{Skipped: 30, Problems: problems("a", maxProblems)}, ReadStats{Skipped: 1, Problems: []string{"b"}},
			ReadStats{Skipped: 31, Problems: problems("a", maxProblems)}},
	}
	for _, tt := range tests {
		got := tt.a
		got.Add(tt.b)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
