package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/api/option"

	"github.com/skimdata/skim/catalog"
	cbigquery "github.com/skimdata/skim/catalog/bigquery"
	ctrino "github.com/skimdata/skim/catalog/trino"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy"
	pbigquery "github.com/skimdata/skim/proxy/bigquery"
	"github.com/skimdata/skim/proxy/dashboard"
	"github.com/skimdata/skim/proxy/ledger"
	ptrino "github.com/skimdata/skim/proxy/trino"
	"github.com/skimdata/skim/rewrite"
)

const serveUsage = `Usage: skim serve [--config FILE] [flags]

Runs skim in front of a Trino coordinator, BigQuery, or both. Clients
connect to skim instead of the engine; every statement goes through
skim's rules.
Flags override the configuration file.

Flags:
`

// serveFlags are the command-line settings of `skim serve`.
type serveFlags struct {
	config, trinoListen, trinoUpstream, catalog, ledger, adminListen string
	publicURL, tlsCert, tlsKey, upstreamCA                           string
	bigqueryListen, bigqueryUpstream, bigqueryProject                string
	bigqueryMaxBytesBilled                                           string
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "skim configuration file")
	fs.StringVar(&f.trinoListen, "trino-listen", "", `address for Trino clients (default ":8081")`)
	fs.StringVar(&f.trinoUpstream, "trino-upstream", "", "the Trino coordinator's URL, e.g. http://trino:8080")
	fs.StringVar(&f.catalog, "catalog", "", "static catalog YAML file (default: ask Trino and BigQuery themselves, cached)")
	fs.StringVar(&f.ledger, "ledger", "", "where every statement is recorded: a JSON-lines file, or a postgres:// URL")
	fs.StringVar(&f.adminListen, "admin-listen", "", `address of /healthz, /metrics and the dashboard (default "127.0.0.1:9091")`)
	fs.StringVar(&f.publicURL, "public-url", "", "URL clients reach skim at, when behind a load balancer")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "certificate file: serve Trino and BigQuery clients over TLS")
	fs.StringVar(&f.tlsKey, "tls-key", "", "private key file for --tls-cert")
	fs.StringVar(&f.upstreamCA, "upstream-ca", "", "CA certificate file that signs the upstreams' TLS certificates")
	fs.StringVar(&f.bigqueryListen, "bigquery-listen", "", `address for BigQuery clients' API endpoint, e.g. ":8082" (default: off)`)
	fs.StringVar(&f.bigqueryUpstream, "bigquery-upstream", "", "BigQuery's URL (default "+pbigquery.DefaultUpstream+")")
	fs.StringVar(&f.bigqueryMaxBytesBilled, "bigquery-max-bytes-billed", "", "cap every BigQuery query job's maximumBytesBilled, e.g. 1TiB")
	fs.StringVar(&f.bigqueryProject, "bigquery-project", "", "project billed for the live BigQuery catalog's INFORMATION_SCHEMA queries (default: the credentials' project)")
}

// settings merges the configuration file with the flags.
func (f *serveFlags) settings() (*config.Config, error) {
	cfg := config.Default()
	if f.config != "" {
		var err error
		if cfg, err = config.Load(f.config); err != nil {
			return nil, usagef("%v", err)
		}
	}
	for _, o := range []struct {
		dst *string
		val string
	}{
		{&cfg.Trino.Listen, f.trinoListen}, {&cfg.Trino.Upstream, f.trinoUpstream}, {&cfg.Catalog.File, f.catalog},
		{&cfg.Admin.Listen, f.adminListen}, {&cfg.Trino.PublicURL, f.publicURL},
		{&cfg.BigQuery.Listen, f.bigqueryListen}, {&cfg.BigQuery.Upstream, f.bigqueryUpstream},
	} {
		if o.val != "" {
			*o.dst = o.val
		}
	}
	switch {
	case f.ledger == "":
	case ledger.IsPostgres(f.ledger):
		cfg.Ledger.Postgres, cfg.Ledger.File = f.ledger, ""
	default:
		cfg.Ledger.File, cfg.Ledger.Postgres = f.ledger, ""
	}
	if f.bigqueryMaxBytesBilled != "" {
		n, err := catalog.ParseSize(f.bigqueryMaxBytesBilled)
		if err != nil || n <= 0 {
			return nil, usagef("serve: --bigquery-max-bytes-billed %q is not a size such as 1TiB", f.bigqueryMaxBytesBilled)
		}
		cfg.BigQuery.MaxBytesBilled = n
	}
	if cfg.Trino.Listen == "" {
		cfg.Trino.Listen = ":8081"
	}
	if cfg.Admin.Listen == "" {
		cfg.Admin.Listen = "127.0.0.1:9091"
	}
	if cfg.Trino.Upstream == "" && cfg.BigQuery.Listen == "" {
		return nil, usagef("serve: nothing to serve: pass --trino-upstream URL (e.g. http://trino:8080) for Trino clients, --bigquery-listen ADDR for BigQuery clients, or both; to try skim without an engine, run 'skim demo'")
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return nil, usagef("serve: --tls-cert and --tls-key go together")
	}
	return cfg, nil
}

// serve implements `skim serve`.
func serve(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f serveFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, serveUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usagef("serve: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected arguments %q", fs.Args())
	}
	cfg, err := f.settings()
	if err != nil {
		return err
	}
	log := newServerLogger(stderr)
	defer func() { _ = log.Sync() }()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := startServer(ctx, cfg, f, log)
	if err != nil {
		return err
	}
	go watchConfig(ctx, f.config, srv.pipelines, configPoll, log)
	return srv.wait(ctx)
}

// server is a running skim: its frontends and the admin listener.
type server struct {
	// pipelines are the frontends' pipelines, which a reload updates.
	pipelines []*proxy.Pipeline
	servers   []*http.Server
	errs      chan error
	closers   []func()
	log       *zap.Logger
	// addrs are the listeners' addresses, frontends first, then admin.
	addrs    []string
	ledger   ledger.Sink
	metrics  *proxy.Metrics
	registry *prometheus.Registry
	spending *proxy.Spending
}

func (s *server) closeAll() {
	for _, c := range s.closers {
		c()
	}
}

// listener is one HTTP server skim runs.
type listener struct {
	what, addr, flag string
	handler          http.Handler
	tls              bool
}

// startServer opens the ledger and the listeners and serves until the
// server is shut down.
func startServer(ctx context.Context, cfg *config.Config, f serveFlags, log *zap.Logger) (*server, error) {
	s := &server{log: log, registry: prometheus.NewRegistry(), spending: proxy.NewSpending()}
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.metrics = proxy.NewMetrics(s.registry)
	target := cfg.Ledger.Target()
	if target != "" {
		sink, err := ledger.Open(ctx, target, ledger.Options{SpoolDir: cfg.Ledger.SpoolDir}, log)
		if err != nil {
			return nil, fmt.Errorf("serve: the ledger: %w", err)
		}
		s.ledger = sink
		s.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "skim_ledger_backlog_records",
			Help: "Ledger records accepted but not yet stored (buffered or spooled while the database is away).",
		}, func() float64 { return float64(sink.Backlog()) }))
		s.closers = append(s.closers, func() {
			c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := sink.Close(c); err != nil {
				log.Warn("closing the ledger", zap.Error(err))
			}
		})
		s.loadSpending(ctx, cfg, target)
	}
	listeners, err := s.frontends(cfg, f)
	if err != nil {
		s.closeAll()
		return nil, err
	}
	listeners = append(listeners, listener{what: "health checks, metrics and the dashboard", addr: cfg.Admin.Listen, flag: "--admin-listen", handler: adminHandler(s.registry, target, s.log)})
	s.errs = make(chan error, len(listeners))
	var opened []net.Listener
	for _, l := range listeners {
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			for _, o := range opened {
				o.Close()
			}
			s.closeAll()
			return nil, fmt.Errorf("serve: listening for %s on %s: %w; choose another address with %s", l.what, l.addr, err, l.flag)
		}
		opened = append(opened, ln)
		s.addrs = append(s.addrs, ln.Addr().String())
		// No write timeout: results stream for as long as a query runs.
		srv := &http.Server{Handler: l.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: zap.NewStdLog(log)}
		s.servers = append(s.servers, srv)
		go func(l listener) {
			if l.tls {
				s.errs <- srv.ServeTLS(ln, f.tlsCert, f.tlsKey)
			} else {
				s.errs <- srv.Serve(ln)
			}
		}(l)
		log.Info("skim is listening", zap.String("for", l.what), zap.String("address", ln.Addr().String()))
	}
	return s, nil
}

// loadSpending reads today's records when a policy has a daily budget,
// so a restart does not reset what users have scanned.
func (s *server) loadSpending(ctx context.Context, cfg *config.Config, target string) {
	daily := false
	for _, p := range cfg.Policies {
		daily = daily || p.Budget.DailyScanBytesPerUser > 0
	}
	if !daily {
		return
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	st, err := ledger.Read(ctx, target, ledger.Span{From: day}, func(r ledger.Record) error {
		if r.Decision != "reject" {
			s.spending.Add(r.User, r.Time, r.Cost())
		}
		return nil
	})
	if err != nil {
		s.log.Warn("could not read today's ledger records for daily budgets; they count from now", zap.Error(err))
		return
	}
	s.log.Info("daily budgets: read today's ledger records", zap.Int("records", st.Records), zap.Int("skipped", st.Skipped))
}

// newEngine is the rewrite engine the configuration's rewrite settings
// describe, over cat.
func newEngine(cfg *config.Config, cat catalog.Provider, log *zap.Logger) *rewrite.Engine {
	return rewrite.NewEngine(cat, rewrite.Options{
		MinTableBytes:      cfg.Rewrite.MinTableBytes,
		MaxShortfall:       cfg.Rewrite.MaxShortfall,
		TrinoSplitBytes:    cfg.Rewrite.TrinoSplitBytes,
		BigQueryBlockBytes: cfg.Rewrite.BigQueryBlockBytes,
	}, log)
}

// pipeline builds a frontend's pipeline over a catalog.
func (s *server) pipeline(cfg *config.Config, cat catalog.Provider) *proxy.Pipeline {
	p := proxy.NewPipeline(newEngine(cfg, cat, s.log), cfg, proxy.Options{Spending: s.spending}, s.log)
	if s.ledger != nil {
		p.SetLedger(s.ledger)
	}
	p.SetMetrics(s.metrics)
	s.pipelines = append(s.pipelines, p)
	return p
}

// cachedCatalog wraps a live catalog in a cache and exports the cache's
// counters as metrics.
func (s *server) cachedCatalog(frontend string, live catalog.Provider) catalog.Provider {
	cache := catalog.NewCache(live, catalog.CacheOptions{}, s.log)
	for _, c := range []struct {
		result string
		value  func(catalog.CacheStats) uint64
	}{
		{"hit", func(st catalog.CacheStats) uint64 { return st.Hits }},
		{"miss", func(st catalog.CacheStats) uint64 { return st.Misses }},
		{"stale", func(st catalog.CacheStats) uint64 { return st.Stale }},
	} {
		s.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "skim_catalog_lookups_total",
			Help:        "Table lookups in the catalog cache, by frontend and result: hit (fresh entry), miss (waited for the engine), stale (served while refreshing).",
			ConstLabels: prometheus.Labels{"frontend": frontend, "result": c.result},
		}, func() float64 { return float64(c.value(cache.Stats())) }))
	}
	s.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name:        "skim_catalog_errors_total",
		Help:        "Catalog lookups that failed, by frontend.",
		ConstLabels: prometheus.Labels{"frontend": frontend},
	}, func() float64 { return float64(cache.Stats().Errors) }))
	return cache
}

// frontends builds the Trino and BigQuery frontends the configuration asks
// for. Each asks its own engine for table statistics unless a static
// catalog file describes the tables.
func (s *server) frontends(cfg *config.Config, f serveFlags) ([]listener, error) {
	log := s.log
	tlsConfig, err := upstreamTLS(f.upstreamCA)
	if err != nil {
		return nil, err
	}
	var static catalog.Provider
	if cfg.Catalog.File != "" {
		if static, err = catalog.LoadStatic(cfg.Catalog.File); err != nil {
			return nil, usagef("%v", err)
		}
	}
	var out []listener
	if cfg.Trino.Upstream != "" {
		up, err := url.Parse(cfg.Trino.Upstream)
		if err != nil {
			return nil, usagef("serve: --trino-upstream %q: %v", cfg.Trino.Upstream, err)
		}
		cat := static
		if cat == nil {
			live, err := ctrino.New(ctrino.Options{Server: cfg.Trino.Upstream}, log)
			if err != nil {
				return nil, fmt.Errorf("serve: the live Trino catalog: %w", err)
			}
			s.closers = append(s.closers, func() { _ = live.Close() })
			cat = s.cachedCatalog("trino", live)
			log.Info("Trino table statistics come from the coordinator (information_schema, $partitions, SHOW STATS), cached")
		}
		h, err := ptrino.New(s.pipeline(cfg, cat), ptrino.Options{Upstream: up, PublicURL: cfg.Trino.PublicURL, TLSConfig: tlsConfig}, log)
		if err != nil {
			return nil, usagef("%v", err)
		}
		log.Info("Trino frontend", zap.String("upstream", up.Redacted()))
		out = append(out, listener{what: "Trino clients", addr: cfg.Trino.Listen, flag: "--trino-listen", handler: h, tls: f.tlsCert != ""})
	}
	if cfg.BigQuery.Listen != "" {
		opts := pbigquery.Options{TLSConfig: tlsConfig, DryRunOriginal: true, MaximumBytesBilled: cfg.BigQuery.MaxBytesBilled}
		var clientOpts []option.ClientOption
		if cfg.BigQuery.Upstream != "" {
			up, err := url.Parse(cfg.BigQuery.Upstream)
			if err != nil {
				return nil, usagef("serve: --bigquery-upstream %q: %v", cfg.BigQuery.Upstream, err)
			}
			opts.Upstream = up
			clientOpts = append(clientOpts, option.WithEndpoint(strings.TrimSuffix(cfg.BigQuery.Upstream, "/")+"/bigquery/v2/"))
		}
		cat := static
		if cat == nil {
			live, err := cbigquery.New(context.Background(), cbigquery.Options{Project: f.bigqueryProject, ClientOptions: clientOpts}, log)
			if err != nil {
				return nil, fmt.Errorf("serve: the live BigQuery catalog needs credentials of its own (GOOGLE_APPLICATION_CREDENTIALS or gcloud auth application-default login), or pass --catalog FILE: %w", err)
			}
			s.closers = append(s.closers, func() { _ = live.Close() })
			cat = s.cachedCatalog("bigquery", live)
			log.Info("BigQuery table statistics come from tables.get and INFORMATION_SCHEMA.PARTITIONS, cached")
		}
		h, err := pbigquery.New(s.pipeline(cfg, cat), opts, log)
		if err != nil {
			return nil, usagef("%v", err)
		}
		out = append(out, listener{what: "BigQuery clients", addr: cfg.BigQuery.Listen, flag: "--bigquery-listen", handler: h, tls: f.tlsCert != ""})
	}
	return out, nil
}

// wait serves until ctx ends or a listener fails, then shuts down,
// letting running requests finish for up to 30 seconds.
func (s *server) wait(ctx context.Context) error {
	var err error
	select {
	case <-ctx.Done():
	case err = <-s.errs:
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		_ = srv.Shutdown(shutdown)
	}
	// Statements still open get their records before the ledger closes.
	for _, p := range s.pipelines {
		p.Close()
	}
	s.closeAll()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	s.log.Info("skim stopped")
	return err
}

// adminHandler serves health checks, the metrics in registry and, with a
// ledger, the savings dashboard over it. skim serve and skim demo both
// serve it, so the demo shows the pages a deployment has.
func adminHandler(registry prometheus.Gatherer, ledgerTarget string, log *zap.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	if ledgerTarget != "" {
		mux.Handle("/", dashboard.New(ledgerTarget, dashboard.Options{}, log))
	} else {
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, "skim: the dashboard reads the ledger, and none is configured; start skim serve with --ledger FILE or --ledger postgres://…")
		})
	}
	return mux
}

// upstreamTLS trusts an extra CA for the upstreams when given; nil means
// the system's roots.
func upstreamTLS(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("serve: reading --upstream-ca: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usagef("serve: --upstream-ca %s holds no PEM certificate", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// configPoll is how often skim looks at the configuration file for
// changes.
const configPoll = 2 * time.Second

// watchConfig reloads the configuration's policies and teams on SIGHUP
// and when the file changes; a file that does not load keeps the
// configuration in force.
func watchConfig(ctx context.Context, path string, pipelines []*proxy.Pipeline, poll time.Duration, log *zap.Logger) {
	if path == "" {
		return
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	tick := time.NewTicker(poll)
	defer tick.Stop()
	last, _ := config.Read(path)
	for {
		var why string
		var data []byte
		var err error
		select {
		case <-ctx.Done():
			return
		case <-hup:
			why = "SIGHUP"
			data, err = config.Read(path)
		case <-tick.C:
			data, err = config.Read(path)
			// A file being rewritten can be briefly empty or missing:
			// wait for it to settle rather than report it.
			if err != nil || len(data) == 0 || bytes.Equal(data, last) {
				continue
			}
			why = "the file changed"
		}
		var cfg *config.Config
		if err == nil {
			last = data
			cfg, err = config.Parse(path, data)
		}
		if err != nil {
			log.Error("configuration reload failed; keeping the configuration in force", zap.String("file", path), zap.String("trigger", why), zap.Error(err))
			continue
		}
		for _, p := range pipelines {
			p.SetConfig(cfg)
		}
		log.Info("configuration reloaded", zap.String("file", path), zap.String("trigger", why), zap.Int("policies", len(cfg.Policies)))
	}
}

// newServerLogger logs JSON lines at info level to stderr.
func newServerLogger(w io.Writer) *zap.Logger {
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(w), zapcore.InfoLevel))
}
