package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy"
	"github.com/skimdata/skim/proxy/ledger"
	ptrino "github.com/skimdata/skim/proxy/trino"
	"github.com/skimdata/skim/test/postgres"
	"github.com/skimdata/skim/test/trinoserver"
)

const demoUsage = `Usage: skim demo [flags]

Starts skim in front of a Trino-protocol server backed by a local
PostgreSQL holding a generated, daily-partitioned events table, runs a
sample query through skim, and keeps serving so you can connect any Trino
client. Every statement is recorded in a ledger file, which skim report
adds up and the dashboard on --admin-listen shows. No Trino is needed;
PostgreSQL must be installed (apt-get install -y postgresql).

Flags:
`

// demoQuery is the statement the demo runs through skim.
const demoQuery = "SELECT user_id, event_type, page FROM events ORDER BY rand() LIMIT 1000"

// demo implements `skim demo`.
func demo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8081", "address for Trino clients")
	adminListen := fs.String("admin-listen", "127.0.0.1:9091", "address of /healthz, /metrics and the dashboard")
	days := fs.Int("days", 30, "days of events to generate")
	perDay := fs.Int("rows-per-day", 100_000, "events per day")
	dataDir := fs.String("data", defaultDemoDir(), "PostgreSQL data directory, kept between runs")
	fs.Usage = func() {
		fmt.Fprint(stderr, demoUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usagef("demo: %v", err)
	}
	if *days < 1 || *perDay < 1000 {
		return usagef("demo: --days must be at least 1 and --rows-per-day at least 1000")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := zap.NewNop()
	say := func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }

	say("Starting PostgreSQL in %s ...", *dataDir)
	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		return fmt.Errorf("demo: creating %s: %w", *dataDir, err)
	}
	pg, err := postgres.Start(ctx, postgres.Options{Dir: *dataDir}, log)
	if errors.Is(err, postgres.ErrNotInstalled) {
		return fmt.Errorf("demo needs PostgreSQL: %w", err)
	}
	if err != nil {
		return fmt.Errorf("demo: starting PostgreSQL: %w", err)
	}
	defer pg.Stop()
	pool, err := pgxpool.New(ctx, pg.DSN())
	if err != nil {
		return fmt.Errorf("demo: connecting to PostgreSQL: %w", err)
	}
	defer pool.Close()

	opts := trinoserver.DemoOptions{Days: *days, RowsPerDay: *perDay}
	want := int64(*days) * int64(*perDay)
	var have int64
	if pool.QueryRow(ctx, "SELECT count(*) FROM web.events").Scan(&have) != nil || have != want {
		say("Generating %d days × %d events (%d rows) ...", *days, *perDay, want)
		began := time.Now()
		if err := trinoserver.LoadDemo(ctx, pool, opts, log); err != nil {
			return fmt.Errorf("demo: loading the demo data: %w", err)
		}
		say("  done in %s", time.Since(began).Round(100*time.Millisecond))
	}
	yaml, err := trinoserver.DemoCatalog(ctx, pool, "demo")
	if err != nil {
		return fmt.Errorf("demo: describing the demo tables: %w", err)
	}
	catFile := filepath.Join(filepath.Dir(*dataDir), "demo-catalog.yaml")
	if err := os.WriteFile(catFile, yaml, 0o644); err != nil {
		return fmt.Errorf("demo: writing the demo catalog: %w", err)
	}
	cat, err := catalog.LoadStatic(catFile)
	if err != nil {
		return fmt.Errorf("demo: reading the demo catalog: %w", err)
	}

	// The ledger sits next to the catalog, so that it outlives the demo
	// for skim report, and grows with every run like a real one.
	ledgerFile := filepath.Join(filepath.Dir(*dataDir), "demo-ledger.jsonl")
	sink, err := ledger.Open(ctx, ledgerFile, ledger.Options{}, log)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// Deferred first so that it runs last: the pipeline below writes the
	// records of statements still open when it closes.
	defer func() {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := sink.Close(c); err != nil {
			fmt.Fprintf(stderr, "skim demo: closing the ledger %s: %v; its last records may be missing\n", ledgerFile, err)
		}
	}()

	// The Trino-protocol server skim forwards to.
	upLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	upSrv := &http.Server{Handler: trinoserver.New(pool, trinoserver.Options{}, log), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = upSrv.Serve(upLn) }()
	defer upSrv.Close()
	upURL, _ := url.Parse("http://" + upLn.Addr().String())

	// The demo tables are small, so skim samples anything above 1 MiB;
	// a price per TiB scanned makes the report and dashboard show money
	// as well as bytes.
	cfg := config.Default()
	cfg.Rewrite.MinTableBytes = 1 << 20
	price := demoPricePerTiB
	cfg.Trino.PricePerTiB = &price
	registry := prometheus.NewRegistry()
	pipeline := (&server{log: log, ledger: sink, metrics: proxy.NewMetrics(registry)}).pipeline(cfg, cat)
	defer pipeline.Close()
	frontend, err := ptrino.New(pipeline, ptrino.Options{Upstream: upURL}, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("demo: listening on %s: %w; choose another address with --listen", *listen, err)
	}
	skimSrv := &http.Server{Handler: frontend, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = skimSrv.Serve(ln) }()
	defer skimSrv.Close()
	base := "http://" + ln.Addr().String()

	adminLn, err := net.Listen("tcp", *adminListen)
	if err != nil {
		return fmt.Errorf("demo: listening for the dashboard on %s: %w; choose another address with --admin-listen", *adminListen, err)
	}
	adminSrv := &http.Server{Handler: adminHandler(registry, ledgerFile, log), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = adminSrv.Serve(adminLn) }()
	defer adminSrv.Close()
	dashboardURL := "http://" + adminLn.Addr().String() + "/"

	say("\nRunning through skim: %s", demoQuery)
	full, err := runDemoQuery(ctx, base, "/* skim:off */ "+demoQuery)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	sampled, err := runDemoQuery(ctx, base, demoQuery)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	say("  without skim (skim:off): %d rows, %s scanned", full.rows, catalog.FormatBytes(full.bytes))
	say("  with skim:               %d rows, %s scanned", sampled.rows, catalog.FormatBytes(sampled.bytes))
	for _, w := range sampled.warnings {
		say("  warning: %s", w)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	say(`
skim is serving Trino clients on %s (Ctrl-C stops it). Try:
  trino --server %s --catalog demo --schema web --execute "%s"
  python:    trino.dbapi.connect(host="%s", port=%s, user="you", catalog="demo", schema="web")
  go:        sql.Open("trino", "http://you@%s?catalog=demo&schema=web")
  skim:      go run ./cmd/skim explain --catalog %s --default-catalog demo --default-schema web "%s"
  report:    go run ./cmd/skim report --ledger %s
  dashboard: %s (metrics on %smetrics)
`, base, base, demoQuery, host, port, ln.Addr().String(), catFile, demoQuery, ledgerFile, dashboardURL, dashboardURL)
	<-ctx.Done()
	say("Stopping.")
	return nil
}

// demoPricePerTiB is the demo's price of a TiB scanned, in dollars.
const demoPricePerTiB = 5.0

// defaultDemoDir is where the demo keeps its PostgreSQL. Run as root,
// PostgreSQL runs as the postgres user, who cannot enter root's home, so
// root's demo lives under the temporary directory.
func defaultDemoDir() string {
	if cache, err := os.UserCacheDir(); err == nil && os.Geteuid() != 0 {
		return filepath.Join(cache, "skim", "demo-postgres")
	}
	return filepath.Join(os.TempDir(), "skim-demo", "postgres")
}

// demoResult is what the demo shows of one query.
type demoResult struct {
	rows     int
	bytes    int64
	warnings []string
}

// runDemoQuery runs sql through skim with Trino's client protocol and
// reports the rows, the bytes the server scanned, and the warnings.
func runDemoQuery(ctx context.Context, base, sql string) (demoResult, error) {
	var res demoResult
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/statement", strings.NewReader(sql))
	if err != nil {
		return res, err
	}
	req.Header.Set("X-Trino-User", "demo")
	req.Header.Set("X-Trino-Catalog", "demo")
	req.Header.Set("X-Trino-Schema", "web")
	for {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return res, fmt.Errorf("running the sample query: %w", err)
		}
		var page struct {
			NextURI string            `json:"nextUri"`
			Data    []json.RawMessage `json:"data"`
			Stats   struct {
				ProcessedBytes int64 `json:"processedBytes"`
			} `json:"stats"`
			Error *struct {
				Message string `json:"message"`
			} `json:"error"`
			Warnings []struct {
				Message string `json:"message"`
			} `json:"warnings"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			return res, fmt.Errorf("reading a page of the sample query: %w", err)
		}
		if page.Error != nil {
			return res, fmt.Errorf("the sample query failed: %s", page.Error.Message)
		}
		res.rows += len(page.Data)
		res.bytes = page.Stats.ProcessedBytes
		for _, w := range page.Warnings {
			if !contains(res.warnings, w.Message) {
				res.warnings = append(res.warnings, w.Message)
			}
		}
		if page.NextURI == "" {
			return res, nil
		}
		if req, err = http.NewRequestWithContext(ctx, http.MethodGet, page.NextURI, nil); err != nil {
			return res, err
		}
		req.Header.Set("X-Trino-User", "demo")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
