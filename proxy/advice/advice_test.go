package advice

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/proxy/ledger"
)

// testCatalog builds a catalog whose numbers make the expected savings
// easy to work out by hand.
func testCatalog(t *testing.T) catalog.Provider {
	t.Helper()
	var b strings.Builder
	b.WriteString("tables:\n")
	// 30 days of one GiB each, partitioned by the date column.
	b.WriteString(`  - name: hive.web.events
    rows: 0
    bytes: 0
    columns:
      - {name: event_date, type: date}
      - {name: event_ts, type: "timestamp(6)"}
      - {name: country, type: varchar}
    partitioning: {columns: [event_date]}
    partitions:
`)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		fmt.Fprintf(&b, "      - {values: {event_date: %q}, rows: 1000, bytes: 1GiB}\n", day.AddDate(0, 0, i).Format(time.DateOnly))
	}
	// Hive's text partitions: ten days.
	b.WriteString(`  - name: hive.web.page_views
    rows: 0
    bytes: 0
    columns:
      - {name: dt, type: varchar}
      - {name: ts, type: timestamp}
    partitioning: {columns: [dt]}
    partitions:
`)
	for i := range 10 {
		fmt.Fprintf(&b, "      - {values: {dt: %q}, rows: 1000, bytes: 1000}\n", day.AddDate(0, 0, i).Format(time.DateOnly))
	}
	// BigQuery: twenty days, clustered by user_id.
	b.WriteString(`  - name: myproj.analytics.events
    rows: 0
    bytes: 0
    columns:
      - {name: event_ts, type: TIMESTAMP}
      - {name: user_id, type: INT64}
      - {name: created, type: DATE}
    partitioning: {column: event_ts, granularity: day}
    clustering: [user_id]
    partitions:
`)
	for i := range 20 {
		fmt.Fprintf(&b, "      - {values: {event_ts: %q}, rows: 1000, bytes: 1000}\n", day.AddDate(0, 0, i).Format(time.DateOnly))
	}
	// Four days only: a week's filter reads all of it.
	b.WriteString(`  - name: hive.web.recent
    rows: 0
    bytes: 0
    columns:
      - {name: day, type: date}
      - {name: ts, type: timestamp}
    partitioning: {columns: [day]}
    partitions:
`)
	for i := range 4 {
		fmt.Fprintf(&b, "      - {values: {day: %q}, rows: 10, bytes: 10}\n", day.AddDate(0, 0, i).Format(time.DateOnly))
	}
	b.WriteString(`  - name: iceberg.web.sessions
    rows: 1000
    bytes: 3000
    columns:
      - {name: started_at, type: "timestamp(6) with time zone"}
      - {name: device, type: varchar}
  - name: hive.ref.users
    rows: 10
    bytes: 1000
    columns:
      - {name: id, type: bigint}
`)
	cat, err := catalog.ParseStatic("catalog.yaml", []byte(b.String()))
	if err != nil {
		t.Fatalf("test catalog: %v", err)
	}
	return cat
}

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// rec is a passthrough statement that scanned bytes (skim's estimate).
func rec(bytes int64, tables []string, filters ...string) ledger.Record {
	return ledger.Record{
		Time: t0, Frontend: "trino", Decision: "passthrough",
		Tables: tables, FilterColumns: filters,
		EstimatedBytesBefore: bytes, EstimatedBytesAfter: bytes,
	}
}

func ptr(n int64) *int64 { return &n }

// The projections compared: everything but the explanatory text.
type wantColumn struct {
	name                   string
	statements             int
	scanned                int64
	partitioned, clustered bool
	partSaved, clusSaved   int64
	action                 string
}

type wantTable struct {
	name       string
	note       string
	statements int
	scanned    int64
	savings    int64
	best       string
	columns    []wantColumn
}

func project(rep *Report) []wantTable {
	var out []wantTable
	for _, t := range rep.Tables {
		w := wantTable{name: t.Name, note: t.Note, statements: t.Statements, scanned: t.BytesScanned, savings: t.Savings}
		if t.BestColumn != "" {
			w.best = t.BestAction + " " + t.BestColumn
		}
		for _, c := range t.Columns {
			w.columns = append(w.columns, wantColumn{c.Name, c.Statements, c.BytesScanned, c.Partitioned, c.Clustered, c.PartitionSavings, c.ClusteringSavings, c.Action})
		}
		out = append(out, w)
	}
	return out
}

func TestAdvisor(t *testing.T) {
	const events = "hive.web.events"
	tests := []struct {
		name    string
		opts    Options
		records []ledger.Record
		want    []wantTable
	}{
		{
			// s = 7/30: 3000 × 23/30 = 2300, clustering half of it.
			name:    "a timestamp column of a table partitioned by day",
			records: []ledger.Record{rec(3000, []string{events}, events+".event_ts")},
			want: []wantTable{{name: events, statements: 1, scanned: 3000, savings: 2300, best: "partition event_ts",
				columns: []wantColumn{{"event_ts", 1, 3000, false, false, 2300, 1150, Partition}}}},
		},
		{
			name: "the partitioning column is pruned already",
			records: []ledger.Record{
				rec(1000, []string{events}, events+".event_date"),
				rec(3000, []string{events}),
			},
			want: []wantTable{{name: events, statements: 2, scanned: 4000,
				columns: []wantColumn{{"event_date", 1, 1000, true, false, 0, 0, ""}}}},
		},
		{
			// Not a date: the default selectivity, and clustering advised.
			name:    "a text column is advised for clustering",
			records: []ledger.Record{rec(3000, []string{events}, events+".country")},
			want: []wantTable{{name: events, statements: 1, scanned: 3000, savings: 750, best: "cluster country",
				columns: []wantColumn{{"country", 1, 3000, false, false, 1500, 750, Cluster}}}},
		},
		{
			// s = 7/10 from the text partitions' dates.
			name:    "Hive text partitions with dates give the day count",
			records: []ledger.Record{rec(1000, []string{"hive.web.page_views"}, "hive.web.page_views.ts")},
			want: []wantTable{{name: "hive.web.page_views", statements: 1, scanned: 1000, savings: 300, best: "partition ts",
				columns: []wantColumn{{"ts", 1, 1000, false, false, 300, 150, Partition}}}},
		},
		{
			name:    "a table shorter than a week saves nothing",
			records: []ledger.Record{rec(40, []string{"hive.web.recent"}, "hive.web.recent.ts", "hive.web.recent.day")},
			want: []wantTable{{name: "hive.web.recent", statements: 1, scanned: 40,
				columns: []wantColumn{
					{"day", 1, 40, true, false, 0, 0, ""},
					{"ts", 1, 40, false, false, 0, 0, ""},
				}}},
		},
		{
			// Unpartitioned, no partitions to count days: the default
			// selectivity even for a timestamp.
			name:    "an unpartitioned table's timestamp takes the default",
			records: []ledger.Record{rec(3000, []string{"iceberg.web.sessions"}, "iceberg.web.sessions.started_at")},
			want: []wantTable{{name: "iceberg.web.sessions", statements: 1, scanned: 3000, savings: 1500, best: "partition started_at",
				columns: []wantColumn{{"started_at", 1, 3000, false, false, 1500, 750, Partition}}}},
		},
		{
			// user_id is clustered: with s = ½ and factor ½ the clustered
			// scan is ¾ of the table, the partitioned ½; 1500 → 1000.
			// created is a date, but BigQuery has one partitioning column
			// and it is taken: s = 7/20, 2000 × 13/20 × ½ = 650.
			name: "BigQuery: clustered column, and a second date column",
			records: []ledger.Record{
				{Time: t0, Frontend: "bigquery", Decision: "passthrough", Tables: []string{"myproj.analytics.events"},
					FilterColumns: []string{"myproj.analytics.events.user_id"}, EstimatedBytesBefore: 99, BytesProcessed: ptr(1500)},
				{Time: t0, Frontend: "bigquery", Decision: "passthrough", Tables: []string{"myproj.analytics.events"},
					FilterColumns: []string{"myproj.analytics.events.created", "myproj.analytics.events.event_ts"}, BytesBilled: ptr(2000)},
			},
			want: []wantTable{{name: "myproj.analytics.events", statements: 2, scanned: 3500, savings: 650, best: "cluster created",
				columns: []wantColumn{
					{"created", 1, 2000, false, false, 1300, 650, Cluster},
					{"event_ts", 1, 2000, true, false, 0, 0, ""},
					{"user_id", 1, 1500, false, true, 500, 0, ""},
				}}},
		},
		{
			name: "a table the catalog does not know is listed without savings",
			records: []ledger.Record{
				rec(500, []string{"hive.x.unknown"}, "hive.x.unknown.a"),
				rec(3000, []string{events}, events+".event_ts"),
			},
			want: []wantTable{
				{name: events, statements: 1, scanned: 3000, savings: 2300, best: "partition event_ts",
					columns: []wantColumn{{"event_ts", 1, 3000, false, false, 2300, 1150, Partition}}},
				{name: "hive.x.unknown", note: "unknown to the catalog", statements: 1, scanned: 500,
					columns: []wantColumn{{"a", 1, 500, false, false, 0, 0, ""}}},
			},
		},
		{
			// sessions is 3000 bytes, users 1000: ¾ and ¼ of 4000.
			name:    "a join splits its bytes by table size",
			records: []ledger.Record{rec(4000, []string{"iceberg.web.sessions", "hive.ref.users"}, "iceberg.web.sessions.device", "hive.ref.users.id")},
			want: []wantTable{
				{name: "iceberg.web.sessions", statements: 1, scanned: 3000, savings: 750, best: "cluster device",
					columns: []wantColumn{{"device", 1, 3000, false, false, 1500, 750, Cluster}}},
				{name: "hive.ref.users", statements: 1, scanned: 1000, savings: 250, best: "cluster id",
					columns: []wantColumn{{"id", 1, 1000, false, false, 500, 250, Cluster}}},
			},
		},
		{
			name:    "a join with an unknown table splits equally",
			records: []ledger.Record{rec(4000, []string{"iceberg.web.sessions", "hive.x.unknown"})},
			want: []wantTable{
				{name: "hive.x.unknown", note: "unknown to the catalog", statements: 1, scanned: 2000, columns: nil},
				{name: "iceberg.web.sessions", statements: 1, scanned: 2000, columns: nil},
			},
		},
		{
			name: "rejected statements scanned nothing; rewritten ones their sample",
			records: []ledger.Record{
				{Time: t0, Decision: "reject", Tables: []string{events}, FilterColumns: []string{events + ".country"}, EstimatedBytesBefore: 1 << 40},
				{Time: t0, Decision: "rewrite", Tables: []string{events}, FilterColumns: []string{events + ".country"}, EstimatedBytesBefore: 1 << 40, EstimatedBytesAfter: 400},
			},
			want: []wantTable{{name: events, statements: 1, scanned: 400, savings: 100, best: "cluster country",
				columns: []wantColumn{{"country", 1, 400, false, false, 200, 100, Cluster}}}},
		},
		{
			name: "repeated filters count once; a filter's table counts as read; names compare in lower case",
			records: []ledger.Record{
				rec(3000, []string{"HIVE.WEB.EVENTS"}, "hive.web.events.Country", "HIVE.WEB.EVENTS.COUNTRY"),
				rec(1000, nil, "iceberg.web.sessions.device"),
			},
			want: []wantTable{
				{name: events, statements: 1, scanned: 3000, savings: 750, best: "cluster country",
					columns: []wantColumn{{"country", 1, 3000, false, false, 1500, 750, Cluster}}},
				{name: "iceberg.web.sessions", statements: 1, scanned: 1000, savings: 250, best: "cluster device",
					columns: []wantColumn{{"device", 1, 1000, false, false, 500, 250, Cluster}}},
			},
		},
		{
			name: "one table asked for",
			opts: Options{Table: "Iceberg.Web.Sessions"},
			records: []ledger.Record{
				rec(3000, []string{events}, events+".event_ts"),
				rec(4000, []string{"iceberg.web.sessions", "hive.ref.users"}, "iceberg.web.sessions.device"),
			},
			want: []wantTable{{name: "iceberg.web.sessions", statements: 1, scanned: 3000, savings: 750, best: "cluster device",
				columns: []wantColumn{{"device", 1, 3000, false, false, 1500, 750, Cluster}}}},
		},
		{
			// A fortnight of a 30-day table: s = ½.
			name:    "the estimate's parameters are options",
			opts:    Options{DaysRead: 15, UnknownSelectivity: 0.1, ClusteringFactor: 0.2},
			records: []ledger.Record{rec(3000, []string{events}, events+".event_ts", events+".country")},
			want: []wantTable{{name: events, statements: 1, scanned: 3000, savings: 1500, best: "partition event_ts",
				columns: []wantColumn{
					{"event_ts", 1, 3000, false, false, 1500, 300, Partition},
					{"country", 1, 3000, false, false, 2700, 540, Cluster},
				}}},
		},
		{
			name: "tables sort by savings, then bytes",
			records: []ledger.Record{
				rec(100, []string{"hive.x.big"}),
				rec(50, []string{"hive.x.small"}),
				rec(10, []string{"iceberg.web.sessions"}, "iceberg.web.sessions.device"),
			},
			want: []wantTable{
				{name: "iceberg.web.sessions", statements: 1, scanned: 10, savings: 3, best: "cluster device",
					columns: []wantColumn{{"device", 1, 10, false, false, 5, 3, Cluster}}},
				{name: "hive.x.big", note: "unknown to the catalog", statements: 1, scanned: 100},
				{name: "hive.x.small", note: "unknown to the catalog", statements: 1, scanned: 50},
			},
		},
	}
	cat := testCatalog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAdvisor(cat, tt.opts, zap.NewNop())
			for _, r := range tt.records {
				if err := a.add(context.Background(), r); err != nil {
					t.Fatalf("Add: %v", err)
				}
			}
			got := project(a.report())
			for i := range got {
				if len(got[i].columns) == 0 {
					got[i].columns = nil
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestReportDetails(t *testing.T) {
	a := newAdvisor(testCatalog(t), Options{}, zap.NewNop())
	later := t0.Add(time.Hour)
	for _, r := range []ledger.Record{
		rec(3000, []string{"hive.web.events"}, "hive.web.events.event_ts"),
		{Time: later, Frontend: "bigquery", Decision: "passthrough", Tables: []string{"hive.web.events"}, EstimatedBytesBefore: 1},
		{Time: later, Decision: "reject"},
	} {
		if err := a.add(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	rep := a.report()
	if rep.Statements != 2 || rep.Rejected != 1 || !rep.First.Equal(t0) || !rep.Last.Equal(later) {
		t.Errorf("statements %d rejected %d first %v last %v", rep.Statements, rep.Rejected, rep.First, rep.Last)
	}
	if rep.Assumptions != (Assumptions{DaysRead: 7, UnknownSelectivity: 0.5, ClusteringFactor: 0.5}) {
		t.Errorf("assumptions %+v", rep.Assumptions)
	}
	tab := rep.Tables[0]
	if !tab.InCatalog || tab.Bytes != 30<<30 || tab.Days != 30 || !reflect.DeepEqual(tab.Partitioning, []string{"event_date"}) ||
		!reflect.DeepEqual(tab.Frontends, []string{"bigquery", "trino"}) {
		t.Errorf("table %+v", tab)
	}
	c := tab.Columns[0]
	if c.Type != "timestamp(6)" || c.Share != 0.5 || math.Abs(c.Selectivity-7.0/30) > 1e-12 || c.Basis != "7 of 30 days" {
		t.Errorf("column %+v", c)
	}
}

func TestNoCatalog(t *testing.T) {
	a := newAdvisor(nil, Options{}, zap.NewNop())
	if err := a.add(context.Background(), rec(10, []string{"a.b.c"}, "a.b.c.d")); err != nil {
		t.Fatal(err)
	}
	tab := a.report().Tables[0]
	if tab.InCatalog || tab.Note != "no catalog given" || tab.Columns[0].Statements != 1 || tab.Savings != 0 {
		t.Errorf("table %+v", tab)
	}
}

// failing is a catalog that cannot be reached.
type failing struct{}

func (failing) Table(context.Context, string) (*catalog.Table, error) {
	return nil, fmt.Errorf("coordinator unreachable")
}

func TestCatalogFailure(t *testing.T) {
	a := newAdvisor(failing{}, Options{}, zap.NewNop())
	if err := a.add(context.Background(), rec(10, []string{"a.b.c"})); err != nil {
		t.Fatalf("a failing lookup should not stop the advice: %v", err)
	}
	if n := a.report().Tables[0].Note; !strings.Contains(n, "coordinator unreachable") {
		t.Errorf("note %q", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := newAdvisor(failing{}, Options{}, zap.NewNop()).add(ctx, rec(10, []string{"a.b.c"})); err == nil {
		t.Error("a cancelled context should stop the advice")
	}
}

func TestSpanDays(t *testing.T) {
	part := func(col string, values ...string) []catalog.Partition {
		var ps []catalog.Partition
		for _, v := range values {
			ps = append(ps, catalog.Partition{Values: map[string]string{col: v}})
		}
		return ps
	}
	tests := []struct {
		name  string
		table catalog.Table
		want  float64
	}{
		{"unpartitioned", catalog.Table{}, 0},
		{"no partitions listed", catalog.Table{Partitioning: &catalog.Partitioning{Column: "ts", Granularity: catalog.Day}}, 0},
		{"days with a gap", catalog.Table{Partitioning: &catalog.Partitioning{Column: "ts", Granularity: catalog.Day},
			Partitions: part("ts", "2026-11-01", "2026-11-10")}, 10},
		{"hours", catalog.Table{Partitioning: &catalog.Partitioning{Column: "ts", Granularity: catalog.Hour},
			Partitions: part("ts", "2026-11-01 00:00:00", "2026-11-02 23:00:00")}, 2},
		{"months", catalog.Table{Partitioning: &catalog.Partitioning{Column: "ts", Granularity: catalog.Month},
			Partitions: part("ts", "2026-01-01", "2026-02-01")}, 59},
		{"years", catalog.Table{Partitioning: &catalog.Partitioning{Column: "ts", Granularity: catalog.Year},
			Partitions: part("ts", "2025-01-01")}, 365},
		{"identity, not dates", catalog.Table{Partitioning: &catalog.Partitioning{Columns: []string{"country"}},
			Partitions: part("country", "de", "fr")}, 0},
		{"identity dates in upper case", catalog.Table{Partitioning: &catalog.Partitioning{Columns: []string{"dt"}},
			Partitions: part("DT", "2026-11-01", "2026-11-03")}, 3},
		{"no more days than rows", catalog.Table{Rows: 2, Partitioning: &catalog.Partitioning{Columns: []string{"dt"}},
			Partitions: part("dt", "2026-11-01", "2026-11-30")}, 2},
	}
	for _, tt := range tests {
		if got := spanDays(&tt.table); got != tt.want {
			t.Errorf("%s: %v days, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSplitPair(t *testing.T) {
	tests := []struct {
		pair         string
		tables       []string
		table, colum string
	}{
		{"hive.web.events.event_date", nil, "hive.web.events", "event_date"},
		{"hive.web.events.a.b", []string{"hive.web.events"}, "hive.web.events", "a.b"},
		{"hive.web.events.a.b", []string{"hive.web", "hive.web.events"}, "hive.web.events", "a.b"},
		{"nodot", nil, "", ""},
	}
	for _, tt := range tests {
		if tab, col := splitPair(tt.pair, tt.tables); tab != tt.table || col != tt.colum {
			t.Errorf("splitPair(%q, %q) = %q, %q; want %q, %q", tt.pair, tt.tables, tab, col, tt.table, tt.colum)
		}
	}
}

func TestRunStreamsTheLedger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	lines := []string{
		`{"time":"2026-11-30T10:00:00Z","decision":"passthrough","tables":["hive.web.events"],"filter_columns":["hive.web.events.event_ts"],"estimated_bytes_before":3000,"estimated_bytes_after":3000}`,
		`not json`,
		`{"time":"2026-10-01T10:00:00Z","decision":"passthrough","tables":["hive.web.events"],"estimated_bytes_before":5,"estimated_bytes_after":5}`,
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	span := ledger.Span{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	rep, st, err := Run(context.Background(), path, span, testCatalog(t), Options{}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if st.Skipped != 1 || st.Records != 1 {
		t.Errorf("stats %+v", st)
	}
	if len(rep.Tables) != 1 || rep.Tables[0].Savings != 2300 || rep.Statements != 1 {
		t.Errorf("report %+v", rep)
	}
	if _, _, err := Run(context.Background(), filepath.Join(t.TempDir(), "missing"), span, nil, Options{}, zap.NewNop()); err == nil {
		t.Error("a missing ledger should be an error")
	}
}
