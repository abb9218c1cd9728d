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
// show the rewrite saving bytes and keep serving until stopped.
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
		done <- demo(ctx, []string{"--days", "3", "--rows-per-day", "20000", "--listen", "127.0.0.1:0", "--data", filepath.Join(dir, "pg")}, &out, &errs)
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
