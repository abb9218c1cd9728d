package ledger

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// collector is a store that keeps what it is given, or fails.
type collector struct {
	got  []Record
	fail error
}

func (c *collector) store(_ context.Context, recs []Record) error {
	if c.fail != nil {
		return c.fail
	}
	c.got = append(c.got, recs...)
	return nil
}

func spoolRecords(n int) []Record {
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{ID: fmt.Sprintf("r%03d", i), Time: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC), Decision: "rewrite"}
	}
	return recs
}

// TestSpoolFileOfALiveWriterIsLeftAlone plays two processes sharing a
// spool directory: flock locks belong to open files, so two spools in one
// process conflict as two processes would.
func TestSpoolFileOfALiveWriterIsLeftAlone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writer := newSpool(dir, "k1")
	other := newSpool(dir, "k1")
	if writer.proc == other.proc {
		t.Fatalf("two spools share the name part %s", writer.proc)
	}
	if err := writer.add(spoolRecords(3), true); err != nil {
		t.Fatal(err)
	}
	if err := writer.add(spoolRecords(5)[3:], false); err != nil {
		t.Fatal(err)
	}
	if writer.pending() != 5 {
		t.Errorf("writer pending = %d, want 5", writer.pending())
	}

	files, records, err := other.adopt(ctx)
	if err != nil || files != 0 || records != 0 {
		t.Errorf("adopt of a live writer's file = %d files, %d records, %v; want none", files, records, err)
	}
	paths, err := other.files()
	if err != nil || len(paths) != 1 {
		t.Fatalf("files = %v, %v; want the writer's one", paths, err)
	}
	var c collector
	if _, err := other.replay(ctx, paths[0], 2, c.store); !errors.Is(err, errBusy) {
		t.Errorf("replay of a live writer's file = %v, want errBusy", err)
	}

	// Once sealed, as a writer does before replaying or when it exits, the
	// file is anyone's.
	if err := writer.seal(); err != nil {
		t.Fatal(err)
	}
	files, records, err = other.adopt(ctx)
	if err != nil || files != 1 || records != 5 || other.pending() != 5 {
		t.Errorf("adopt of a sealed file = %d files, %d records, %v, pending %d; want 1, 5", files, records, err, other.pending())
	}
	st, err := other.replay(ctx, paths[0], 2, c.store)
	if err != nil || st.Records != 5 || len(c.got) != 5 {
		t.Fatalf("replay = %+v, %v, stored %d; want 5 records", st, err, len(c.got))
	}
	if _, err := os.Stat(paths[0]); !os.IsNotExist(err) {
		t.Errorf("replayed file is still there: %v", err)
	}
	if other.pending() != 0 {
		t.Errorf("pending after replay = %d, want 0", other.pending())
	}
	// The writer counted the file too and learns that it is gone.
	if _, err := writer.files(); err != nil || writer.pending() != 0 {
		t.Errorf("writer pending after another replayed its file = %d (%v), want 0", writer.pending(), err)
	}
}

func TestSpoolKeepsAFileWhoseReplayFails(t *testing.T) {
	ctx := context.Background()
	sp := newSpool(t.TempDir(), "k1")
	if err := sp.add(spoolRecords(7), true); err != nil {
		t.Fatal(err)
	}
	if err := sp.seal(); err != nil {
		t.Fatal(err)
	}
	paths, _ := sp.files()
	down := errors.New("connection refused")
	c := collector{fail: down}
	if _, err := sp.replay(ctx, paths[0], 3, c.store); !errors.Is(err, down) {
		t.Fatalf("replay = %v, want the store's error", err)
	}
	if _, err := os.Stat(paths[0]); err != nil || sp.pending() != 7 {
		t.Fatalf("after a failed replay: stat %v, pending %d; want the file kept and 7 pending", err, sp.pending())
	}
	c.fail = nil
	if _, err := sp.replay(ctx, paths[0], 3, c.store); err != nil || len(c.got) != 7 || sp.pending() != 0 {
		t.Errorf("second replay: %v, stored %d, pending %d; want 7 stored, none pending", err, len(c.got), sp.pending())
	}
}

func TestSpoolSkipsTornLinesAndOtherDatabases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sp := newSpool(dir, "k1")
	torn := filepath.Join(dir, "ledger-k1-0000000000000000001-1-ab-1.jsonl")
	if err := os.WriteFile(torn, []byte(`{"id":"a","time":"2026-01-01T00:00:00Z","decision":"rewrite"}`+"\n"+`{"id":"b","ti`), 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "ledger-k2-0000000000000000001-1-ab-1.jsonl")
	if err := os.WriteFile(foreign, []byte(`{"id":"z","time":"2026-01-01T00:00:00Z","decision":"rewrite"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, records, err := sp.adopt(ctx); err != nil || records != 1 {
		t.Fatalf("adopt = %d records, %v; want the 1 whole record of this database", records, err)
	}
	var c collector
	st, err := sp.replay(ctx, torn, 10, c.store)
	if err != nil || st.Records != 1 || st.Skipped != 1 || len(c.got) != 1 || c.got[0].ID != "a" {
		t.Errorf("replay = %+v, %v, stored %v; want a stored and the torn line skipped", st, err, c.got)
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Errorf("another database's spool file was touched: %v", err)
	}
}

func TestSpoolAfterCloseSyncsAndReleases(t *testing.T) {
	dir := t.TempDir()
	sp := newSpool(dir, "k1")
	if err := sp.close(); err != nil {
		t.Fatal(err)
	}
	if err := sp.add(spoolRecords(1), false); err != nil {
		t.Fatal(err)
	}
	// The file is finished at once, so another process may replay it.
	other := newSpool(dir, "k1")
	if _, records, err := other.adopt(context.Background()); err != nil || records != 1 {
		t.Errorf("adopt after a closed spool's add = %d records, %v; want 1", records, err)
	}
}

func TestCleanMakesRecordsStorable(t *testing.T) {
	tags := []string{"ok", "bad\x00tag"}
	labels := map[string]string{"k\xff": "v"}
	r := Record{SQL: "select '\x00'", Reason: "\xffx", ClientTags: tags, Labels: labels, PricePerTiB: math.NaN(), LatencyMS: math.Inf(1)}
	clean(&r)
	if r.SQL != "select ''" || r.Reason != "\uFFFDx" || r.ClientTags[1] != "badtag" || r.Labels["k\uFFFD"] != "v" || r.PricePerTiB != 0 || r.LatencyMS != 0 {
		t.Errorf("clean = %+v", r)
	}
	if tags[1] != "bad\x00tag" || labels["k\xff"] != "v" {
		t.Errorf("clean changed the caller's list or labels")
	}
}
