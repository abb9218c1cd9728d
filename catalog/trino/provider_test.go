package trino

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/test/postgres"
	"github.com/skimdata/skim/test/trinoserver"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
)

// testDemo is the demo the tests describe: 5 daily partitions of 20,000
// events, 2026-11-01 to 2026-11-05.
var testDemo = trinoserver.DemoOptions{Days: 5, RowsPerDay: 20000, End: time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)}

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

func runTests(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pool, stop, skip, err := postgres.StartPool(ctx, zap.NewNop())
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "the Trino catalog tests need PostgreSQL: %v\n", err)
		return 1
	case skip != "":
		testEnv.skip = "the Trino catalog tests run a Trino stand-in on PostgreSQL: " + skip
		return m.Run()
	}
	defer stop()
	if err := trinoserver.LoadDemo(ctx, pool, testDemo, zap.NewNop()); err != nil {
		fmt.Fprintf(os.Stderr, "load the test demo: %v\n", err)
		return 1
	}
	testEnv.pool = pool
	return m.Run()
}

// trinoEnv is a Trino stand-in over the demo and a Provider asking it.
type trinoEnv struct {
	srv      *trinoserver.Server
	ts       *httptest.Server
	provider *Provider
}

func newTrinoEnv(t *testing.T, opts Options) *trinoEnv {
	t.Helper()
	if testEnv.skip != "" {
		t.Skipf("skipping: %s", testEnv.skip)
	}
	log := zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	e := &trinoEnv{srv: trinoserver.New(testEnv.pool, trinoserver.Options{}, log)}
	e.ts = httptest.NewServer(e.srv)
	opts.Server = e.ts.URL
	p, err := New(opts, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	e.provider = p
	t.Cleanup(func() {
		p.Close()
		e.srv.Reset()
		e.ts.Close()
	})
	return e
}

func columnNames(cols []catalog.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name + " " + c.Type
	}
	return out
}

func TestDescribesAPartitionedTable(t *testing.T) {
	e := newTrinoEnv(t, Options{})
	ctx := context.Background()
	tbl, err := e.provider.Table(ctx, "Demo.Web.Events")
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Name != "demo.web.events" {
		t.Errorf("name %q", tbl.Name)
	}
	wantCols := []string{"event_date date", "event_ts timestamp(6)", "user_id bigint", "session_id varchar",
		"event_type varchar", "page varchar", "country varchar", "properties varchar"}
	if got := columnNames(tbl.Columns); !reflect.DeepEqual(got, wantCols) {
		t.Errorf("columns\n got %q\nwant %q", got, wantCols)
	}
	for _, c := range tbl.Columns {
		if c.Bytes <= 0 {
			t.Errorf("column %s has no size", c.Name)
		}
	}
	if props, _ := tbl.Column("properties"); props.Bytes < 100*100000 {
		t.Errorf("properties (about 200 bytes a row) is %d bytes over 100,000 rows", props.Bytes)
	}
	if want := (&catalog.Partitioning{Columns: []string{"event_date"}}); !reflect.DeepEqual(tbl.Partitioning, want) {
		t.Errorf("partitioning %+v, want %+v", tbl.Partitioning, want)
	}
	if len(tbl.Partitions) != testDemo.Days {
		t.Fatalf("%d partitions, want %d", len(tbl.Partitions), testDemo.Days)
	}
	var rows, bytes, files int64
	for i, p := range tbl.Partitions {
		day := fmt.Sprintf("2026-11-%02d", i+1)
		if !reflect.DeepEqual(p.Values, map[string]string{"event_date": day}) || p.Rows != 20000 || p.Bytes <= 0 || p.Files < 1 {
			t.Errorf("partition %d: %+v, want event_date %s with 20000 rows, bytes and files", i, p, day)
		}
		rows += p.Rows
		bytes += p.Bytes
		files += p.Files
	}
	if tbl.Rows != 100000 || rows != 100000 || tbl.Bytes != bytes || tbl.Files != files || bytes <= 0 {
		t.Errorf("table %d rows, %d bytes, %d files; partitions sum to %d, %d, %d; want 100000 rows and bytes > 0",
			tbl.Rows, tbl.Bytes, tbl.Files, rows, bytes, files)
	}

	statements := e.srv.Statements()
	want := []string{
		`SELECT column_name, data_type FROM "demo".information_schema.columns WHERE table_schema = 'web' AND table_name = 'events' ORDER BY ordinal_position`,
		`SELECT * FROM "demo"."web"."events$partitions"`,
		`SHOW STATS FOR "demo"."web"."events"`,
	}
	var got []string
	for _, s := range statements {
		got = append(got, s.SQL)
		if s.User != "skim" || s.Source != "skim-catalog" {
			t.Errorf("%s: sent as user %q, source %q; want skim, skim-catalog", s.SQL, s.User, s.Source)
		}
	}
	// The last two run at once, in either order.
	if len(got) != 3 || got[0] != want[0] || !(got[1] == want[1] && got[2] == want[2] || got[1] == want[2] && got[2] == want[1]) {
		t.Errorf("statements\n got %q\nwant %q", got, want)
	}
}

func TestDescribesAnUnpartitionedTable(t *testing.T) {
	e := newTrinoEnv(t, Options{})
	tbl, err := e.provider.Table(context.Background(), "demo.web.users")
	if err != nil {
		t.Fatal(err)
	}
	wantCols := []string{"id bigint", "country varchar", "signup_date date", "plan varchar"}
	if got := columnNames(tbl.Columns); !reflect.DeepEqual(got, wantCols) {
		t.Errorf("columns\n got %q\nwant %q", got, wantCols)
	}
	if tbl.Rows != 100000 || tbl.Bytes <= 0 || tbl.Files < 1 || tbl.Partitioning != nil || tbl.Partitions != nil {
		t.Errorf("users: %d rows, %d bytes, %d files, partitioning %+v, %d partitions; want 100000 rows, bytes and files, unpartitioned",
			tbl.Rows, tbl.Bytes, tbl.Files, tbl.Partitioning, len(tbl.Partitions))
	}
	// SHOW STATS gives data_size for varchar only; fixed-width columns
	// are their width times the rows.
	if id, _ := tbl.Column("id"); id.Bytes != 8*100000 {
		t.Errorf("id (bigint) is %d bytes, want 8 × 100000", id.Bytes)
	}
	if plan, _ := tbl.Column("plan"); plan.Bytes <= 0 {
		t.Errorf("plan (varchar) has no size")
	}
}

func TestUnknownTablesAreNotFound(t *testing.T) {
	e := newTrinoEnv(t, Options{})
	for _, name := range []string{"demo.web.nope", "demo.nope.events", "web.events", "a.b.c.d", "demo..events"} {
		_, err := e.provider.Table(context.Background(), name)
		if !errors.Is(err, catalog.ErrNotFound) {
			t.Errorf("%s: error %v, want one wrapping catalog.ErrNotFound", name, err)
			continue
		}
		if !strings.Contains(err.Error(), "passes through untouched") {
			t.Errorf("%s: error %q does not say the statement passes through", name, err)
		}
	}
}

func TestStoppedServerFailsWithinTheQueryTimeout(t *testing.T) {
	e := newTrinoEnv(t, Options{QueryTimeout: time.Second})
	e.ts.Close()
	began := time.Now()
	_, err := e.provider.Table(context.Background(), "demo.web.events")
	took := time.Since(began)
	if err == nil || errors.Is(err, catalog.ErrNotFound) {
		t.Fatalf("error %v, want a failure other than not found", err)
	}
	for _, want := range []string{"demo.web.events", "passes through untouched", e.ts.URL} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if took > 3*time.Second {
		t.Errorf("failing took %s with a 1s query timeout", took)
	}
	t.Logf("stopped server: %v (after %s)", err, took.Round(time.Millisecond))
}

func TestCachedLookupsDoNotReachTheServer(t *testing.T) {
	e := newTrinoEnv(t, Options{})
	cache := catalog.NewCache(e.provider, catalog.CacheOptions{}, zaptest.NewLogger(t))
	ctx := context.Background()
	first, err := cache.Table(ctx, "demo.web.events")
	if err != nil {
		t.Fatal(err)
	}
	asked := len(e.srv.Statements())
	if asked != 3 {
		t.Errorf("first lookup sent %d statements, want 3", asked)
	}
	second, err := cache.Table(ctx, "demo.web.events")
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Error("the second lookup returned another table")
	}
	if n := len(e.srv.Statements()); n != asked {
		t.Errorf("the second lookup sent %d statements to the server, want none", n-asked)
	}
	if got, want := cache.Stats(), (catalog.CacheStats{Hits: 1, Misses: 1}); got != want {
		t.Errorf("cache stats %+v, want %+v", got, want)
	}
}

func TestReadsHiveShapedPartitions(t *testing.T) {
	e := newTrinoEnv(t, Options{})
	ctx := context.Background()
	// Hive's $partitions is one column per partition key; any query of
	// that shape shows how trino-go-client hands over the values.
	rows, err := e.provider.db.QueryContext(ctx, `SELECT DISTINCT event_date, country FROM demo.web.events WHERE country IN ('US', 'DE')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	pt, err := readPartitions(rows)
	if err != nil {
		t.Fatal(err)
	}
	if want := []field{{"event_date", "date"}, {"country", "varchar"}}; !reflect.DeepEqual(pt.fields, want) || pt.hasRows || pt.hasBytes || pt.hasFiles {
		t.Fatalf("read %+v, want fields %+v and no sizes", pt, want)
	}
	cols := []catalog.Column{{Name: "event_date", Type: "date"}, {Name: "country", Type: "varchar"}}
	st := &tableStats{rows: 1000, hasRows: true, columns: map[string]columnStats{"country": {dataSize: 2000, hasDataSize: true}}}
	tbl, err := describe(tableRef{"hive", "web", "events"}, cols, pt, st, nil, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Partitions) != 2*testDemo.Days {
		t.Fatalf("%d partitions, want %d", len(tbl.Partitions), 2*testDemo.Days)
	}
	first := tbl.Partitions[0]
	if want := map[string]string{"event_date": "2026-11-01", "country": "DE"}; !reflect.DeepEqual(first.Values, want) || first.Rows != 100 || first.Bytes != 600 {
		t.Errorf("first partition %+v, want %v with 100 rows and 600 bytes", first, want)
	}
}
