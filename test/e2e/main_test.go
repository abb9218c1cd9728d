// Package e2e drives skim with real Trino clients against the
// PostgreSQL-backed Trino-protocol test server: client → skim → server →
// PostgreSQL, every part real.
package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy"
	"github.com/skimdata/skim/proxy/ledger"
	ptrino "github.com/skimdata/skim/proxy/trino"
	"github.com/skimdata/skim/rewrite"
	"github.com/skimdata/skim/test/postgres"
	"github.com/skimdata/skim/test/trinoserver"
)

// demo is the events table the tests query: 10 days of 100,000 rows.
var demo = trinoserver.DemoOptions{Days: 10, RowsPerDay: 100_000, End: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}

// env is what every test shares, started once by TestMain. Tests use the
// one test server in turn, never in parallel, since they read what reached
// it.
var env struct {
	skip    string
	pool    *pgxpool.Pool
	catalog *catalog.Static
	// catalogYAML is the demo catalog as DemoCatalog wrote it.
	catalogYAML []byte
	// upstream is the test server and its URL; requests records every
	// HTTP request that reached it, pages included.
	upstream    *trinoserver.Server
	upstreamURL string
	requests    recorder
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	log := zap.NewNop()
	pool, stop, skip, err := postgres.StartPool(ctx, log)
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "e2e tests need PostgreSQL: %v\n", err)
		return 1
	case skip != "":
		env.skip = skip
		return m.Run()
	}
	defer stop()
	if err := trinoserver.LoadDemo(ctx, pool, demo, log); err != nil {
		fmt.Fprintf(os.Stderr, "loading the demo: %v\n", err)
		return 1
	}
	if env.catalogYAML, err = trinoserver.DemoCatalog(ctx, pool, "demo"); err != nil {
		fmt.Fprintf(os.Stderr, "describing the demo: %v\n", err)
		return 1
	}
	if env.catalog, err = catalog.ParseStatic("demo-catalog.yaml", env.catalogYAML); err != nil {
		fmt.Fprintf(os.Stderr, "reading the demo catalog: %v\n", err)
		return 1
	}
	env.pool = pool
	env.upstream = trinoserver.New(pool, trinoserver.Options{}, log)
	up := httptest.NewServer(env.requests.wrap(env.upstream))
	defer up.Close()
	env.upstreamURL = up.URL
	return m.Run()
}

// skim is one skim frontend in front of the test server.
type skim struct {
	url string
	srv *httptest.Server
}

// startSkim starts a skim frontend with the demo catalog; tables above
// 1 MiB are sampled, as the demo is small.
func startSkim(t *testing.T, opts ptrino.Options) *skim {
	t.Helper()
	return startSkimWith(t, env.catalog, opts)
}

// startSkimWith starts a skim frontend that sizes its samples with cat.
func startSkimWith(t *testing.T, cat catalog.Provider, opts ptrino.Options) *skim {
	t.Helper()
	return startSkimSetup(t, skimSetup{catalog: cat, trino: opts})
}

// skimSetup says how to start a skim frontend; zero fields take the
// demo's catalog, the default configuration and no ledger.
type skimSetup struct {
	catalog catalog.Provider
	config  *config.Config
	ledger  ledger.Sink
	trino   ptrino.Options
}

// startSkimSetup starts a skim Trino frontend as setup says.
func startSkimSetup(t *testing.T, setup skimSetup) *skim {
	t.Helper()
	if env.skip != "" {
		t.Skipf("skipping: %s", env.skip)
	}
	cat, cfg, opts := setup.catalog, setup.config, setup.trino
	if cat == nil {
		cat = env.catalog
	}
	if cfg == nil {
		cfg = config.Default()
	}
	log := zap.NewNop()
	engine := rewrite.NewEngine(cat, rewrite.Options{MinTableBytes: 1 << 20}, log)
	pipeline := proxy.NewPipeline(engine, cfg, proxy.Options{}, log)
	if setup.ledger != nil {
		pipeline.SetLedger(setup.ledger)
	}
	up, _ := url.Parse(env.upstreamURL)
	if opts.Upstream == nil {
		opts.Upstream = up
	}
	frontend, err := ptrino.New(pipeline, opts, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(frontend)
	t.Cleanup(srv.Close)
	return &skim{url: srv.URL, srv: srv}
}

// resetUpstream cancels every query on the test server and forgets what
// reached it, so a test sees only its own statements and requests.
func resetUpstream(t *testing.T) {
	t.Helper()
	if env.skip != "" {
		t.Skipf("skipping: %s", env.skip)
	}
	env.upstream.Reset()
	env.requests.reset()
}

// upstreamRequest is one HTTP request as it reached the test server.
type upstreamRequest struct {
	Method, Path string
	Header       http.Header
}

// recorder keeps every request to the test server: Statements records
// only statements, while the tests also need the pages, DELETEs and the
// headers of each.
type recorder struct {
	mu  sync.Mutex
	log []upstreamRequest
}

func (r *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.log = append(r.log, upstreamRequest{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone()})
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	})
}

func (r *recorder) all() []upstreamRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]upstreamRequest(nil), r.log...)
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = nil
}
