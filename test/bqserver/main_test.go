package bqserver

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/skimdata/skim/test/postgres"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"google.golang.org/api/option"
)

// testDemo is the demo the tests query: 10 days × 10,000 events.
var testDemo = DemoOptions{Days: 10, RowsPerDay: 10_000, End: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}

// testEnv is the PostgreSQL all tests share, started once by TestMain.
var testEnv struct {
	pool *pgxpool.Pool
	// skip is why tests that need PostgreSQL skip; empty when it runs.
	skip string
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests starts PostgreSQL and loads the demo. Without PostgreSQL the
// tests that need it skip, unless CI is set: then they must not pass
// without running.
func runTests(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := zap.NewNop()
	pool, stop, skip, err := postgres.StartPool(ctx, log)
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "bqserver tests need PostgreSQL: %v\n", err)
		return 1
	case skip != "":
		testEnv.skip = skip
		return m.Run()
	}
	defer stop()
	began := time.Now()
	if err := LoadDemo(ctx, pool, testDemo, log); err != nil {
		fmt.Fprintf(os.Stderr, "load the test demo: %v\n", err)
		return 1
	}
	fmt.Printf("test demo (%d days × %d events) loaded in %s\n", testDemo.Days, testDemo.RowsPerDay, time.Since(began).Round(time.Millisecond))
	testEnv.pool = pool
	return m.Run()
}

// needPostgres skips a test when PostgreSQL is not installed (outside CI).
func needPostgres(t *testing.T) *pgxpool.Pool {
	t.Helper()
	if testEnv.skip != "" {
		t.Skipf("skipping: %s", testEnv.skip)
	}
	return testEnv.pool
}

// bqEnv is a Server behind an httptest.Server, with a record of the
// requests that reached it.
type bqEnv struct {
	srv *Server
	ts  *httptest.Server

	mu       sync.Mutex
	requests []string // "METHOD path"
}

func newEnv(t *testing.T, opts Options) *bqEnv {
	t.Helper()
	pool := needPostgres(t)
	e := &bqEnv{srv: New(pool, opts, zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel)))}
	e.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.requests = append(e.requests, r.Method+" "+r.URL.Path)
		e.mu.Unlock()
		e.srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		e.ts.Close()
		e.srv.Reset()
	})
	return e
}

// requestLog returns the requests so far whose "METHOD path" contains
// substr.
func (e *bqEnv) requestLog(substr string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, r := range e.requests {
		if strings.Contains(r, substr) {
			out = append(out, r)
		}
	}
	return out
}

// client returns the official Go client pointed at the server, without
// authentication unless opts say otherwise.
func (e *bqEnv) client(t *testing.T, opts ...option.ClientOption) *bigquery.Client {
	t.Helper()
	if len(opts) == 0 {
		opts = []option.ClientOption{option.WithoutAuthentication()}
	}
	opts = append(opts, option.WithEndpoint(e.ts.URL+"/bigquery/v2/"))
	c, err := bigquery.NewClient(context.Background(), "test-project", opts...)
	if err != nil {
		t.Fatalf("bigquery.NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// do sends a raw request and returns the status and body.
func (e *bqEnv) do(t *testing.T, method, path, contentType, body string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, string(data)
}

// testContext is the context of one test: bounded, so a hang fails it.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
