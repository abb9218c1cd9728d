package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/test/postgres"
)

// syncBuffer is a bytes.Buffer safe to read while the demo writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestDemo runs the README's first command with a small dataset: it must
// show the rewrite saving bytes, record both of its queries in the ledger
// it tells the user to report on, serve the dashboard and metrics it
// points at, and keep serving until stopped.
func TestDemo(t *testing.T) {
	// Not t.TempDir: run as root, PostgreSQL runs as the postgres user,
	// who must be able to enter the directory.
	dir, err := os.MkdirTemp("", "skim-demo-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- demo(ctx, []string{"--days", "3", "--rows-per-day", "20000", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--data", filepath.Join(dir, "pg")}, &out, &errs)
	}()
	deadline := time.After(2 * time.Minute)
	for !strings.Contains(out.String(), "skim is serving Trino clients") {
		select {
		case err := <-done:
			if errors.Is(err, postgres.ErrNotInstalled) && os.Getenv("CI") == "" {
				t.Skipf("skipping: %v", err)
			}
			t.Fatalf("demo stopped early: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errs.String())
		case <-deadline:
			t.Fatalf("demo did not start within 2 minutes:\n%s", out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	text := out.String()
	rows := regexp.MustCompile(`(?m)^  with[^\n]*?(\d+) rows`).FindAllStringSubmatch(text, -1)
	if len(rows) != 2 || rows[0][1] != "1000" || rows[1][1] != "1000" {
		t.Errorf("the demo query should return 1000 rows with and without skim:\n%s", text)
	}
	if !strings.Contains(text, "warning: skim rewrote this statement") {
		t.Errorf("the demo shows no rewrite:\n%s", text)
	}

	// The ledger is the file the "report:" line names, next to the
	// catalog, and holds the query without and with skim.
	m := regexp.MustCompile(`(?m)^  report: +go run \./cmd/skim report --ledger (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("the demo does not show how to report on its ledger:\n%s", text)
	}
	ledgerFile := m[1]
	if want := filepath.Join(dir, "demo-ledger.jsonl"); ledgerFile != want {
		t.Errorf("the ledger is %s, want %s, next to the catalog", ledgerFile, want)
	}
	records := waitForRecords(t, ledgerFile, 2)
	var off, rewritten int
	for _, r := range records {
		switch {
		case strings.Contains(r.SQL, "skim:off") && r.Decision == "passthrough":
			off++
		case strings.HasPrefix(r.SQL, demoQuery) && r.Decision == "rewrite" && r.Rewritten != "" && r.Rewritten != r.SQL && r.BytesSaved > 0 && r.MoneySaved > 0:
			rewritten++
		}
		if r.User != "demo" || r.Frontend != "trino" || r.Rows == nil || *r.Rows != 1000 {
			t.Errorf("record %+v: want user demo, frontend trino and 1000 rows", r)
		}
	}
	if len(records) != 2 || off != 1 || rewritten != 1 {
		t.Errorf("the ledger holds %d records (%d with skim:off, %d rewritten), want the demo query once with skim:off and once rewritten: %+v", len(records), off, rewritten, records)
	}

	// The dashboard and the metrics answer on the address shown.
	m = regexp.MustCompile(`(?m)^  dashboard: +(http://\S+/) `).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("the demo does not show the dashboard's URL:\n%s", text)
	}
	get(t, m[1])
	metrics := get(t, m[1]+"metrics")
	for _, want := range []string{
		`skim_statements_total{decision="passthrough",frontend="trino"} 1`,
		`skim_statements_total{decision="rewrite",frontend="trino"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, metrics)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not stop after its context ended")
	}
}

// waitForRecords reads the ledger file until it holds at least n records:
// the demo's file sink flushes its buffer every second.
func waitForRecords(t *testing.T, path string, n int) []ledger.Record {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var records []ledger.Record
		_, err := ledger.Read(context.Background(), path, ledger.Span{}, func(r ledger.Record) error {
			records = append(records, r)
			return nil
		})
		if err == nil && len(records) >= n || time.Now().After(deadline) {
			if err != nil {
				t.Fatalf("reading the demo's ledger: %v", err)
			}
			return records
		}
		time.Sleep(100 * time.Millisecond)
	}
}
