package postgres

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap/zaptest"
)

// start starts a server or skips the test when PostgreSQL is not installed
// outside CI; in CI (CI set) a missing install fails the test.
func start(t *testing.T, ctx context.Context, opts Options) *Server {
	t.Helper()
	s, err := Start(ctx, opts, zaptest.NewLogger(t))
	if errors.Is(err, ErrNotInstalled) && os.Getenv("CI") == "" {
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return s
}

func query(t *testing.T, ctx context.Context, dsn, sql string) string {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	defer conn.Close(ctx)
	var out string
	if err := conn.QueryRow(ctx, sql).Scan(&out); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// TestStartStopTwice starts a server in a temporary directory, then one in
// a directory of the caller's, which a third start reuses.
func TestStartStopTwice(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	began := time.Now()
	s := start(t, ctx, Options{})
	t.Logf("started in a temporary directory on port %d in %s", s.Port(), time.Since(began).Round(time.Millisecond))
	if got := query(t, ctx, s.DSN(), "SELECT current_user::text"); got != User {
		t.Errorf("current_user = %q, want %q", got, User)
	}
	if got := query(t, ctx, s.DSN(), "SHOW fsync"); got != "off" {
		t.Errorf("fsync = %q, want off", got)
	}
	dir := s.Dir()
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temporary directory %s still there after Stop (stat: %v)", dir, err)
	}
	if conn, err := pgx.Connect(ctx, s.DSN()); err == nil {
		conn.Close(ctx)
		t.Errorf("server still accepts connections after Stop")
	}

	// As root the postgres user must be able to enter the parent, which
	// t.TempDir keeps private.
	parent, err := os.MkdirTemp("", "skim-postgres-reuse-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(parent, "data")
	began = time.Now()
	s = start(t, ctx, Options{Dir: dir})
	t.Logf("started in %s in %s", dir, time.Since(began).Round(time.Millisecond))
	conn, err := pgx.Connect(ctx, s.DSN())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		t.Errorf("Stop removed the caller's directory: %v", err)
	}

	began = time.Now()
	s = start(t, ctx, Options{Dir: dir})
	defer s.Stop()
	t.Logf("restarted in %s in %s", dir, time.Since(began).Round(time.Millisecond))
	if got := query(t, ctx, s.DSN(), "SELECT v FROM kept"); got != "still here" {
		t.Errorf("reused cluster lost its data: got %q", got)
	}
}

func TestMissingBinariesSayHowToInstall(t *testing.T) {
	if !strings.Contains(ErrNotInstalled.Error(), "apt-get install -y postgresql") {
		t.Errorf("ErrNotInstalled does not say how to install PostgreSQL: %q", ErrNotInstalled)
	}
}

// TestPauseResume pauses a server, sees it refuse connections, and resumes
// it on the same port with its data.
func TestPauseResume(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	s := start(t, ctx, Options{})
	defer s.Stop()
	dsn := s.DSN()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	if err := s.Resume(ctx); err == nil {
		t.Errorf("Resume of a running server succeeded")
	}
	if err := s.Pause(); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	if err := s.Pause(); err != nil {
		t.Errorf("second Pause: %v", err)
	}
	if conn, err := pgx.Connect(ctx, dsn); err == nil {
		conn.Close(ctx)
		t.Errorf("paused server accepts connections")
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "PG_VERSION")); err != nil {
		t.Errorf("Pause removed the data directory: %v", err)
	}

	if err := s.Resume(ctx); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if s.DSN() != dsn {
		t.Errorf("DSN after Resume = %s, want %s", s.DSN(), dsn)
	}
	if got := query(t, ctx, dsn, "SELECT v FROM kept"); got != "still here" {
		t.Errorf("resumed server lost its data: got %q", got)
	}
	dir := s.Dir()
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temporary directory %s still there after Stop (stat: %v)", dir, err)
	}
}
