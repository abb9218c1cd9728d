package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy"
	pbigquery "github.com/skimdata/skim/proxy/bigquery"
	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/rewrite"
	"github.com/skimdata/skim/test/bqserver"
)

// bqProject is the project every BigQuery test names.
const bqProject = "test-project"

// bqDemo is the BigQuery demo, loaded into the PostgreSQL that TestMain
// started for the Trino tests, in a schema of its own: 10 days × 20,000
// events (about 49 MB as the test server bills them) and 50,000 users.
var bqDemo = bqserver.DemoOptions{Dataset: "analytics", Days: 10, RowsPerDay: 20_000, End: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}

// bqEnv is the BigQuery test server the BigQuery tests share, started on
// first use so that the Trino tests do not pay for it. Like env.upstream,
// tests use it in turn, never in parallel.
var bqEnv struct {
	once sync.Once
	err  error
	// server runs statements on env.pool; requests records every HTTP
	// request that reached it.
	server   *bqserver.Server
	url      string
	requests recorder
	// catalog describes the demo as bqCatalogYAML measured it.
	catalog     *catalog.Static
	catalogYAML []byte
}

// bqUpstream starts the BigQuery test server on first use, and forgets
// every job and request so far, so a test sees only its own.
func bqUpstream(t *testing.T) {
	t.Helper()
	if env.skip != "" {
		t.Skipf("skipping: %s", env.skip)
	}
	bqEnv.once.Do(func() { bqEnv.err = startBigQueryServer() })
	if bqEnv.err != nil {
		t.Fatal(bqEnv.err)
	}
	bqEnv.server.Reset()
	bqEnv.requests.reset()
}

func startBigQueryServer() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := zap.NewNop()
	if err := bqserver.LoadDemo(ctx, env.pool, bqDemo, log); err != nil {
		return fmt.Errorf("loading the BigQuery demo: %w", err)
	}
	bqEnv.server = bqserver.New(env.pool, bqserver.Options{Project: bqProject}, log)
	// Never closed: like TestMain's servers it lives as long as the test
	// binary, and which test is the last to use it is not known.
	srv := httptest.NewServer(bqEnv.requests.wrap(bqEnv.server))
	bqEnv.url = srv.URL
	var err error
	if bqEnv.catalogYAML, err = bqCatalogYAML(ctx); err != nil {
		return fmt.Errorf("describing the BigQuery demo: %w", err)
	}
	if bqEnv.catalog, err = catalog.ParseStatic("bigquery-demo-catalog.yaml", bqEnv.catalogYAML); err != nil {
		return fmt.Errorf("reading the BigQuery demo catalog: %w\n%s", err, bqEnv.catalogYAML)
	}
	return nil
}

// bqCatalogYAML writes a static skim catalog of the demo's events and
// users, measured the way the test server bills: rows and bytes from
// tables.get, each column's bytes and each day's bytes from a dry run that
// reads just that column or day, each day's rows from a count in
// PostgreSQL. skim then estimates what the server will report.
func bqCatalogYAML(ctx context.Context) ([]byte, error) {
	c, err := bigquery.NewClient(ctx, bqProject, option.WithEndpoint(bqEnv.url+"/bigquery/v2/"), option.WithoutAuthentication())
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ds := bqDemo.Dataset
	var b strings.Builder
	b.WriteString("tables:\n")
	for _, table := range []string{"events", "users"} {
		name := bqProject + "." + ds + "." + table
		md, err := c.Dataset(ds).Table(table).Metadata(ctx)
		if err != nil {
			return nil, fmt.Errorf("tables.get %s: %w", name, err)
		}
		fmt.Fprintf(&b, "  - name: %s\n    rows: %d\n    bytes: %d\n", name, md.NumRows, md.NumBytes)
		columns := make([]string, len(md.Schema))
		for i, f := range md.Schema {
			n, err := bqDryRun(ctx, c, fmt.Sprintf("SELECT %s FROM `%s`", f.Name, name))
			if err != nil {
				return nil, err
			}
			columns[i] = fmt.Sprintf("{name: %s, type: %s, bytes: %d}", f.Name, f.Type, n)
		}
		fmt.Fprintf(&b, "    columns: [%s]\n", strings.Join(columns, ", "))
		tp := md.TimePartitioning
		if tp == nil {
			continue
		}
		if tp.Type != bigquery.DayPartitioningType {
			return nil, fmt.Errorf("%s is partitioned by %s; the catalog writer knows days only", name, tp.Type)
		}
		fmt.Fprintf(&b, "    partitioning: {column: %s, granularity: day}\n    partitions:\n", tp.Field)
		col := pgx.Identifier{tp.Field}.Sanitize()
		rows, err := env.pool.Query(ctx, `SELECT to_char(`+col+` AT TIME ZONE 'UTC', 'YYYY-MM-DD'), count(*)
			FROM `+pgx.Identifier{ds, table}.Sanitize()+` GROUP BY 1 ORDER BY 1`)
		if err != nil {
			return nil, fmt.Errorf("count the rows of %s by day: %w", name, err)
		}
		var day string
		var n int64
		counts := map[string]int64{}
		var days []string
		if _, err := pgx.ForEachRow(rows, []any{&day, &n}, func() error {
			counts[day] = n
			days = append(days, day)
			return nil
		}); err != nil {
			return nil, fmt.Errorf("count the rows of %s by day: %w", name, err)
		}
		for _, day := range days {
			start, _ := time.Parse(time.DateOnly, day)
			bytes, err := bqDryRun(ctx, c, fmt.Sprintf("SELECT * FROM `%s` WHERE %s >= '%s' AND %s < '%s'",
				name, tp.Field, day, tp.Field, start.AddDate(0, 0, 1).Format(time.DateOnly)))
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "      - {values: {%s: %q}, rows: %d, bytes: %d}\n", tp.Field, day, counts[day], bytes)
		}
	}
	return []byte(b.String()), nil
}

// bqDryRun returns the bytes a statement would process.
func bqDryRun(ctx context.Context, c *bigquery.Client, sql string) (int64, error) {
	q := c.Query(sql)
	q.DryRun = true
	job, err := q.Run(ctx)
	if err != nil {
		return 0, fmt.Errorf("dry run of %s: %w", sql, err)
	}
	return job.LastStatus().Statistics.TotalBytesProcessed, nil
}

// bqSkim is skim's BigQuery frontend in front of the test server.
type bqSkim struct {
	url string
	// requests records every HTTP request that reached skim.
	requests recorder
}

// startBQSkim starts skim's BigQuery frontend with the demo catalog;
// tables above 1 MiB are sampled, in blocks of 256 KiB, as the demo is
// small. The original of every rewrite is dry-run in the background.
func startBQSkim(t *testing.T, opts pbigquery.Options) *bqSkim {
	t.Helper()
	// A logger writing to t would panic when a background dry run logs
	// after the test ends.
	return startBQSkimLogged(t, opts, zap.NewNop())
}

// startBQSkimLogged starts skim's BigQuery frontend logging to log.
func startBQSkimLogged(t *testing.T, opts pbigquery.Options, log *zap.Logger) *bqSkim {
	t.Helper()
	return startBQSkimSetup(t, bqSetup{bigquery: opts, log: log})
}

// bqSetup says how to start skim's BigQuery frontend; zero fields take
// the default configuration, no ledger and no log.
type bqSetup struct {
	config   *config.Config
	ledger   ledger.Sink
	bigquery pbigquery.Options
	log      *zap.Logger
}

// startBQSkimSetup starts skim's BigQuery frontend as setup says.
func startBQSkimSetup(t *testing.T, setup bqSetup) *bqSkim {
	t.Helper()
	bqUpstream(t)
	cfg, opts, log := setup.config, setup.bigquery, setup.log
	if cfg == nil {
		cfg = config.Default()
	}
	if log == nil {
		log = zap.NewNop()
	}
	engine := rewrite.NewEngine(bqEnv.catalog, rewrite.Options{MinTableBytes: 1 << 20, BigQueryBlockBytes: 256 << 10}, log)
	pipeline := proxy.NewPipeline(engine, cfg, proxy.Options{}, log)
	if setup.ledger != nil {
		pipeline.SetLedger(setup.ledger)
	}
	up, err := url.Parse(bqEnv.url)
	if err != nil {
		t.Fatal(err)
	}
	opts.Upstream = up
	opts.DryRunOriginal = true
	frontend, err := pbigquery.New(pipeline, opts, log)
	if err != nil {
		t.Fatal(err)
	}
	s := &bqSkim{}
	srv := httptest.NewServer(s.requests.wrap(frontend))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// bqClient returns the official Go client for base (skim or the test
// server), without authentication unless opts say otherwise.
func bqClient(t *testing.T, base string, opts ...option.ClientOption) *bigquery.Client {
	t.Helper()
	if len(opts) == 0 {
		opts = []option.ClientOption{option.WithoutAuthentication()}
	}
	opts = append(opts, option.WithEndpoint(base+"/bigquery/v2/"))
	c, err := bigquery.NewClient(context.Background(), bqProject, opts...)
	if err != nil {
		t.Fatalf("bigquery.NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func bqContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// bqRead runs q with Query.Read and returns its schema and every row.
func bqRead(t *testing.T, ctx context.Context, q *bigquery.Query) (bigquery.Schema, [][]bigquery.Value) {
	t.Helper()
	it, err := q.Read(ctx)
	if err != nil {
		t.Fatalf("%s: %v", q.Q, err)
	}
	return it.Schema, bqRows(t, it)
}

func bqRows(t *testing.T, it *bigquery.RowIterator) [][]bigquery.Value {
	t.Helper()
	var rows [][]bigquery.Value
	for {
		var row []bigquery.Value
		err := it.Next(&row)
		if errors.Is(err, iterator.Done) {
			return rows
		}
		if err != nil {
			t.Fatalf("RowIterator.Next: %v", err)
		}
		rows = append(rows, row)
	}
}

// bqJob returns the one job that is not a dry run whose SQL contains
// substr. skim's dry runs of originals arrive in the background, so tests
// look for the jobs they sent rather than count all of them.
func bqJob(t *testing.T, substr string) bqserver.Job {
	t.Helper()
	var found []bqserver.Job
	for _, j := range bqEnv.server.Jobs() {
		if !j.DryRun && strings.Contains(j.SQL, substr) {
			found = append(found, j)
		}
	}
	if len(found) != 1 {
		t.Fatalf("the test server received %d jobs with %q, want 1: %+v", len(found), substr, bqEnv.server.Jobs())
	}
	return found[0]
}

// bqWaitDryRun waits for skim's background dry run of sql to reach the
// test server and be estimated.
func bqWaitDryRun(t *testing.T, sql string) bqserver.Job {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, j := range bqEnv.server.Jobs() {
			if j.DryRun && j.SQL == sql && j.State == "DONE" {
				return j
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no dry run of %s reached the test server: %+v", sql, bqEnv.server.Jobs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// bqAPIError checks that err is a *googleapi.Error with this status and
// reason.
func bqAPIError(t *testing.T, err error, code int, reason string) *googleapi.Error {
	t.Helper()
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		t.Fatalf("error %v (%T) is not a *googleapi.Error", err, err)
	}
	if gerr.Code != code || len(gerr.Errors) == 0 || gerr.Errors[0].Reason != reason {
		t.Fatalf("error = %d %+v, want %d with reason %s", gerr.Code, gerr.Errors, code, reason)
	}
	return gerr
}
