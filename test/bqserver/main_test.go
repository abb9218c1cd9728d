package bqserver

import (
	"context"
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
	"github.com/skimdata/skim/test/pgtest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"google.golang.org/api/option"
)

// testDemo is the demo the tests query: 10 days × 10,000 events.
var testDemo = DemoOptions{Days: 10, RowsPerDay: 10_000, End: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}

// testEnv is the PostgreSQL all tests share, with the test demo loaded.
var testEnv pgtest.Shared

func TestMain(m *testing.M) {
	os.Exit(testEnv.Main(m, "bqserver", func(ctx context.Context, pool *pgxpool.Pool) error {
		return LoadDemo(ctx, pool, testDemo, zap.NewNop())
	}))
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
	pool := testEnv.Pool(t)
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
