package bigquery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/test/bqserver"
	"github.com/skimdata/skim/test/postgres"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/api/option"
)

// testDemo is the demo the tests describe: 5 daily partitions of 2,000
// events, 2026-11-01 to 2026-11-05, and 50,000 users.
var testDemo = bqserver.DemoOptions{Days: 5, RowsPerDay: 2000, End: time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)}

// demoUsers is the number of users LoadDemo creates.
const demoUsers = 50_000

// testEnv is the PostgreSQL with the demo loaded that all tests share,
// started once by TestMain.
var testEnv struct {
	pool *pgxpool.Pool
	// skip is why the tests skip; empty when PostgreSQL runs.
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
	pool, stop, skip, err := postgres.StartPool(ctx, zap.NewNop())
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "the BigQuery catalog tests need PostgreSQL: %v\n", err)
		return 1
	case skip != "":
		testEnv.skip = "the BigQuery catalog tests run a BigQuery stand-in on PostgreSQL: " + skip
		return m.Run()
	}
	defer stop()
	if err := bqserver.LoadDemo(ctx, pool, testDemo, zap.NewNop()); err != nil {
		fmt.Fprintf(os.Stderr, "load the test demo: %v\n", err)
		return 1
	}
	testEnv.pool = pool
	return m.Run()
}

// bqEnv is a BigQuery stand-in over the demo and a Provider asking it.
type bqEnv struct {
	srv      *bqserver.Server
	provider *Provider
}

// newBQEnv serves the stand-in through handle, which gets the request and
// the stand-in to pass it on to, and points a Provider logging to log at
// it.
func newBQEnv(t *testing.T, log *zap.Logger, handle func(http.ResponseWriter, *http.Request, http.Handler)) *bqEnv {
	t.Helper()
	if testEnv.skip != "" {
		t.Skipf("skipping: %s", testEnv.skip)
	}
	e := &bqEnv{srv: bqserver.New(testEnv.pool, bqserver.Options{}, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handle(w, r, e.srv) }))
	p, err := New(context.Background(), Options{
		Project:       "billing-project",
		ClientOptions: []option.ClientOption{option.WithEndpoint(ts.URL + "/bigquery/v2/"), option.WithoutAuthentication()},
	}, log)
	if err != nil {
		t.Fatal(err)
	}
	e.provider = p
	t.Cleanup(func() {
		p.Close()
		ts.Close()
		e.srv.Reset()
	})
	return e
}

// passOn hands every request to the stand-in.
func passOn(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func columnNames(cols []catalog.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name + " " + c.Type
	}
	return out
}

func TestDescribesAPartitionedTable(t *testing.T) {
	e := newBQEnv(t, zaptest.NewLogger(t), passOn)
	tbl, err := e.provider.Table(testContext(t), "Test-Project.analytics.events")
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Name != "test-project.analytics.events" {
		t.Errorf("name %q", tbl.Name)
	}
	wantCols := []string{"event_ts TIMESTAMP", "user_id INTEGER", "event_name STRING", "page STRING", "country STRING", "payload JSON"}
	if got := columnNames(tbl.Columns); !reflect.DeepEqual(got, wantCols) {
		t.Errorf("columns\n got %q\nwant %q", got, wantCols)
	}
	if want := (&catalog.Partitioning{Column: "event_ts", Granularity: catalog.Day}); !reflect.DeepEqual(tbl.Partitioning, want) {
		t.Errorf("partitioning %+v, want %+v", tbl.Partitioning, want)
	}
	if len(tbl.Partitions) != testDemo.Days {
		t.Fatalf("%d partitions, want %d: %+v", len(tbl.Partitions), testDemo.Days, tbl.Partitions)
	}
	var rows, bytes int64
	for i, p := range tbl.Partitions {
		day := fmt.Sprintf("2026-11-%02d", i+1)
		if !reflect.DeepEqual(p.Values, map[string]string{"event_ts": day}) || p.Rows != int64(testDemo.RowsPerDay) || p.Bytes <= 0 || p.Files != 0 {
			t.Errorf("partition %d: %+v, want event_ts %s with %d rows, bytes and no files", i, p, day, testDemo.RowsPerDay)
		}
		rows += p.Rows
		bytes += p.Bytes
	}
	if want := int64(testDemo.Days * testDemo.RowsPerDay); tbl.Rows != want || rows != want || tbl.Bytes != bytes || bytes <= 0 || tbl.Files != 0 {
		t.Errorf("table %d rows, %d bytes, %d files; partitions sum to %d rows, %d bytes; want %d rows, bytes > 0 and no files",
			tbl.Rows, tbl.Bytes, tbl.Files, rows, bytes, want)
	}

	jobs := e.srv.Jobs()
	want := "SELECT partition_id, total_rows, total_logical_bytes FROM `Test-Project.analytics.INFORMATION_SCHEMA.PARTITIONS` WHERE table_name = @table"
	if len(jobs) != 1 || jobs[0].SQL != want || jobs[0].Project != "billing-project" || jobs[0].UseLegacySQL {
		t.Errorf("jobs %+v, want one GoogleSQL job in billing-project: %s", jobs, want)
	}
}

func TestDescribesAnUnpartitionedTable(t *testing.T) {
	e := newBQEnv(t, zaptest.NewLogger(t), passOn)
	tbl, err := e.provider.Table(testContext(t), "test-project.analytics.users")
	if err != nil {
		t.Fatal(err)
	}
	wantCols := []string{"user_id INTEGER", "country STRING", "created_at TIMESTAMP", "plan STRING"}
	if got := columnNames(tbl.Columns); !reflect.DeepEqual(got, wantCols) {
		t.Errorf("columns\n got %q\nwant %q", got, wantCols)
	}
	if tbl.Rows != demoUsers || tbl.Bytes <= 0 || tbl.Partitioning != nil || tbl.Partitions != nil {
		t.Errorf("users: %d rows, %d bytes, partitioning %+v, %d partitions; want %d rows, bytes, unpartitioned",
			tbl.Rows, tbl.Bytes, tbl.Partitioning, len(tbl.Partitions), demoUsers)
	}
	// Only partitioned tables are worth a billed query.
	if jobs := e.srv.Jobs(); len(jobs) != 0 {
		t.Errorf("sent %d jobs for an unpartitioned table, want none", len(jobs))
	}
}

func TestUnknownTablesAreNotFound(t *testing.T) {
	e := newBQEnv(t, zaptest.NewLogger(t), passOn)
	for _, name := range []string{"test-project.analytics.nope", "test-project.nope.events", "analytics.events", "events",
		"test-project.analytics.", "p.d`x.events", "p`.analytics.events"} {
		_, err := e.provider.Table(testContext(t), name)
		if !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("%s: error %v, want one wrapping catalog.ErrNotFound", name, err)
			continue
		}
		if !strings.Contains(err.Error(), "passes through untouched") {
			t.Errorf("%s: error %q does not say the statement passes through", name, err)
		}
	}
}

func TestOtherFailuresSayTheStatementPassesThrough(t *testing.T) {
	e := newBQEnv(t, zaptest.NewLogger(t), func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":{"code":403,"message":"Access Denied","status":"PERMISSION_DENIED","errors":[{"message":"Access Denied","domain":"global","reason":"accessDenied"}]}}`)
	})
	_, err := e.provider.Table(testContext(t), "test-project.analytics.events")
	if err == nil || errors.Is(err, catalog.ErrNotFound) || !strings.Contains(err.Error(), "passes through untouched") ||
		!strings.Contains(err.Error(), "test-project.analytics.events") || !strings.Contains(err.Error(), "roles/bigquery.metadataViewer") {
		t.Errorf("error %v, want one naming the table, the role to grant and that the statement passes through", err)
	}
}

func TestPartitionsAreOptional(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	e := newBQEnv(t, zap.New(core), func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if strings.Contains(r.URL.Path, "/queries") || strings.Contains(r.URL.Path, "/jobs") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"error":{"code":403,"message":"Access Denied: User does not have bigquery.jobs.create permission","status":"PERMISSION_DENIED","errors":[{"message":"Access Denied","domain":"global","reason":"accessDenied"}]}}`)
			return
		}
		next.ServeHTTP(w, r)
	})
	for range 2 {
		tbl, err := e.provider.Table(testContext(t), "test-project.analytics.events")
		if err != nil {
			t.Fatal(err)
		}
		if tbl.Partitioning == nil || tbl.Partitions != nil || tbl.Rows != int64(testDemo.Days*testDemo.RowsPerDay) {
			t.Errorf("partitioning %+v, %d partitions, %d rows; want day partitioning, no partitions, all rows",
				tbl.Partitioning, len(tbl.Partitions), tbl.Rows)
		}
	}
	if n := logs.Len(); n != 1 {
		t.Errorf("%d warnings over two lookups, want 1: %v", n, logs.All())
	}
}

func TestCachedLookupsSendNoJobs(t *testing.T) {
	e := newBQEnv(t, zaptest.NewLogger(t), passOn)
	cache := catalog.NewCache(e.provider, catalog.CacheOptions{}, zaptest.NewLogger(t))
	ctx := testContext(t)
	first, err := cache.Table(ctx, "test-project.analytics.events")
	if err != nil {
		t.Fatal(err)
	}
	jobs := len(e.srv.Jobs())
	second, err := cache.Table(ctx, "test-project.analytics.events")
	if err != nil {
		t.Fatal(err)
	}
	if jobs != 1 || len(e.srv.Jobs()) != jobs || first != second {
		t.Errorf("%d jobs after the first lookup and %d after the second, same table %v; want 1, 1, true", jobs, len(e.srv.Jobs()), first == second)
	}
}

func TestPartitionValue(t *testing.T) {
	for _, tc := range []struct {
		id    string
		g     catalog.Granularity
		value string
	}{
		{"2026110113", catalog.Hour, "2026-11-01 13:00:00"},
		{"20261101", catalog.Day, "2026-11-01"},
		{"202611", catalog.Month, "2026-11-01"},
		{"2026", catalog.Year, "2026-01-01"},
		{"-20", "", "-20"},
		{"__NULL__", catalog.Day, ""},
		{"__UNPARTITIONED__", catalog.Hour, ""},
		{"__NULL__", "", ""},
		{"20261101", catalog.Hour, ""},
		{"2026110113", catalog.Day, ""},
	} {
		value, ok := partitionValue(tc.id, tc.g)
		if value != tc.value || ok != (tc.value != "") {
			t.Errorf("partitionValue(%q, %q) = %q, %v; want %q", tc.id, tc.g, value, ok, tc.value)
		}
	}
}

func TestDescribe(t *testing.T) {
	ref := tableRef{project: "example.com:Proj", dataset: "Web", table: "Events"}
	schema := bigquery.Schema{
		{Name: "Event_TS", Type: bigquery.TimestampFieldType},
		{Name: "bucket", Type: bigquery.IntegerFieldType},
		{Name: "device", Type: bigquery.RecordFieldType, Schema: bigquery.Schema{{Name: "os", Type: bigquery.StringFieldType}}},
	}
	for _, tc := range []struct {
		name string
		md   bigquery.TableMetadata
		want *catalog.Partitioning
	}{
		{"ingestion time", bigquery.TableMetadata{TimePartitioning: &bigquery.TimePartitioning{Type: bigquery.HourPartitioningType}},
			&catalog.Partitioning{Column: "_partitiontime", Granularity: catalog.Hour}},
		{"default granularity", bigquery.TableMetadata{TimePartitioning: &bigquery.TimePartitioning{Field: "Event_TS"}},
			&catalog.Partitioning{Column: "event_ts", Granularity: catalog.Day}},
		{"month", bigquery.TableMetadata{TimePartitioning: &bigquery.TimePartitioning{Type: bigquery.MonthPartitioningType, Field: "event_ts"}},
			&catalog.Partitioning{Column: "event_ts", Granularity: catalog.Month}},
		{"integer range", bigquery.TableMetadata{RangePartitioning: &bigquery.RangePartitioning{Field: "Bucket"}},
			&catalog.Partitioning{Columns: []string{"bucket"}}},
		{"none", bigquery.TableMetadata{}, nil},
	} {
		md := tc.md
		md.Schema, md.NumRows, md.NumBytes = schema, 7, 700
		md.Clustering = &bigquery.Clustering{Fields: []string{"Bucket"}}
		tbl := describe(ref, &md)
		if !reflect.DeepEqual(tbl.Partitioning, tc.want) {
			t.Errorf("%s: partitioning %+v, want %+v", tc.name, tbl.Partitioning, tc.want)
		}
		want := []string{"event_ts TIMESTAMP", "bucket INTEGER", "device RECORD"}
		if tbl.Name != "example.com:proj.web.events" || tbl.Rows != 7 || tbl.Bytes != 700 ||
			!reflect.DeepEqual(columnNames(tbl.Columns), want) || !reflect.DeepEqual(tbl.Clustering, []string{"bucket"}) {
			t.Errorf("%s: %+v, want %s with 7 rows, 700 bytes, columns %q clustered by bucket", tc.name, tbl, "example.com:proj.web.events", want)
		}
	}
}

func TestParseName(t *testing.T) {
	ref, err := parseName("example.com:proj.Web.Events")
	if err != nil || ref != (tableRef{project: "example.com:proj", dataset: "Web", table: "Events"}) {
		t.Errorf("parseName = %+v, %v", ref, err)
	}
}
