package trino

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/skimdata/skim/catalog"
	"go.uber.org/zap/zaptest"
)

func TestRowFields(t *testing.T) {
	got, err := rowFields(`row(ts_day date, "my ""odd"", col" varchar(3), nested row(a integer, b decimal(10,2)))`)
	if err != nil {
		t.Fatal(err)
	}
	want := []field{{"ts_day", "date"}, {`my "odd", col`, "varchar(3)"}, {"nested", "row(a integer, b decimal(10,2))"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, bad := range []string{"varchar", `row("x date)`, "row(x)"} {
		if _, err := rowFields(bad); err == nil {
			t.Errorf("rowFields(%q) did not fail", bad)
		}
	}
}

func TestFixedWidth(t *testing.T) {
	for typ, want := range map[string]int64{
		"bigint": 8, "INTEGER": 4, "date": 4, "boolean": 1, "double": 8, "timestamp(6)": 8, "timestamp(9)": 12,
		"timestamp(3) with time zone": 8, "timestamp(6) with time zone": 12, "decimal(10,2)": 8, "decimal(38,0)": 16,
		"varchar": 0, "varchar(10)": 0, "array(bigint)": 0, "row(a integer)": 0, "json": 0,
	} {
		if got := fixedWidth(typ); got != want {
			t.Errorf("fixedWidth(%q) = %d, want %d", typ, got, want)
		}
	}
}

var testRef = tableRef{catalog: "hive", schema: "web", table: "page_views"}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestDescribeHivePartitionsSpreadsTheTableStatistics(t *testing.T) {
	cols := []catalog.Column{{Name: "dt", Type: "date"}, {Name: "country", Type: "varchar"}, {Name: "v", Type: "bigint"}}
	pt := &partitionsTable{
		fields: []field{{"dt", "date"}, {"country", "varchar"}},
		parts: []partitionRow{
			{values: []any{day("2026-11-02"), "US"}},
			{values: []any{day("2026-11-01"), "US"}},
			{values: []any{day("2026-11-01"), "DE"}},
		},
	}
	st := &tableStats{rows: 10, hasRows: true, columns: map[string]columnStats{
		"country": {dataSize: 50, hasDataSize: true},
		"v":       {nullsFraction: 0.5},
	}}
	tbl, err := describe(testRef, cols, pt, st, nil, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	// dt: 4 bytes × 10 rows; country: its data_size; v: 8 × 10 × half.
	if got := []int64{tbl.Columns[0].Bytes, tbl.Columns[1].Bytes, tbl.Columns[2].Bytes}; !reflect.DeepEqual(got, []int64{40, 50, 40}) {
		t.Errorf("column bytes %v, want [40 50 40]", got)
	}
	if tbl.Rows != 10 || tbl.Bytes != 130 || tbl.Files != 0 {
		t.Errorf("table %d rows, %d bytes, %d files; want 10, 130, 0", tbl.Rows, tbl.Bytes, tbl.Files)
	}
	if want := (&catalog.Partitioning{Columns: []string{"dt", "country"}}); !reflect.DeepEqual(tbl.Partitioning, want) {
		t.Errorf("partitioning %+v, want %+v", tbl.Partitioning, want)
	}
	want := []catalog.Partition{
		{Values: map[string]string{"dt": "2026-11-01", "country": "DE"}, Rows: 4, Bytes: 44},
		{Values: map[string]string{"dt": "2026-11-01", "country": "US"}, Rows: 3, Bytes: 43},
		{Values: map[string]string{"dt": "2026-11-02", "country": "US"}, Rows: 3, Bytes: 43},
	}
	if !reflect.DeepEqual(tbl.Partitions, want) {
		t.Errorf("partitions\n got %+v\nwant %+v", tbl.Partitions, want)
	}

	// Without a row count there is nothing to size the table by.
	_, err = describe(testRef, cols, pt, &tableStats{columns: map[string]columnStats{}}, nil, zaptest.NewLogger(t))
	if err == nil || !strings.Contains(err.Error(), "ANALYZE") {
		t.Errorf("no row count: error %v, want one saying to run ANALYZE", err)
	}
	statsErr := errors.New("SHOW STATS: access denied")
	if _, err := describe(testRef, cols, pt, nil, statsErr, zaptest.NewLogger(t)); !errors.Is(err, statsErr) {
		t.Errorf("failed SHOW STATS: error %v, want it passed on", err)
	}
}

func TestDescribeIcebergTransforms(t *testing.T) {
	cols := []catalog.Column{{Name: "event_ts", Type: "timestamp(6)"}, {Name: "user_id", Type: "bigint"}, {Name: "country", Type: "varchar"}}
	pt := &partitionsTable{
		fields:  []field{{"event_ts_day", "date"}, {"user_id_bucket", "integer"}, {"country", "varchar"}},
		hasRows: true, hasBytes: true, hasFiles: true,
		parts: []partitionRow{
			{values: []any{day("2026-11-02"), int64(1), "US"}, rows: 10, bytes: 100, files: 1},
			{values: []any{day("2026-11-01"), int64(1), "US"}, rows: 20, bytes: 200, files: 2},
			{values: []any{day("2026-11-01"), int64(2), "DE"}, rows: 30, bytes: 300, files: 3},
		},
	}
	// SHOW STATS failing costs the column sizes only: $partitions has
	// the table's.
	tbl, err := describe(testRef, cols, pt, nil, errors.New("SHOW STATS: not supported"), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (&catalog.Partitioning{Column: "event_ts", Granularity: catalog.Day}); !reflect.DeepEqual(tbl.Partitioning, want) {
		t.Errorf("partitioning %+v, want %+v", tbl.Partitioning, want)
	}
	want := []catalog.Partition{
		{Values: map[string]string{"event_ts": "2026-11-01"}, Rows: 50, Bytes: 500, Files: 5},
		{Values: map[string]string{"event_ts": "2026-11-02"}, Rows: 10, Bytes: 100, Files: 1},
	}
	if !reflect.DeepEqual(tbl.Partitions, want) {
		t.Errorf("partitions\n got %+v\nwant %+v", tbl.Partitions, want)
	}
	if tbl.Rows != 60 || tbl.Bytes != 600 || tbl.Files != 6 {
		t.Errorf("table %d rows, %d bytes, %d files; want 60, 600, 6", tbl.Rows, tbl.Bytes, tbl.Files)
	}

	// Identity fields alone partition by their columns; integers sort by
	// value.
	pt.fields = []field{{"country", "varchar"}, {"user_id", "bigint"}}
	pt.parts = []partitionRow{
		{values: []any{"US", int64(10)}, rows: 1},
		{values: []any{"US", int64(9)}, rows: 1},
	}
	tbl, err = describe(testRef, cols, pt, nil, errors.New("no stats"), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{tbl.Partitions[0].Values["user_id"], tbl.Partitions[1].Values["user_id"]}; !reflect.DeepEqual(got, []string{"9", "10"}) {
		t.Errorf("user_id partitions in order %q, want 9, 10", got)
	}

	// A NULL key leaves the partitions unknown but the totals counted.
	pt.parts = append(pt.parts, partitionRow{values: []any{nil, int64(1)}, rows: 5})
	tbl, err = describe(testRef, cols, pt, nil, errors.New("no stats"), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Partitions != nil || tbl.Rows != 7 || tbl.Partitioning == nil {
		t.Errorf("with a NULL key: %d partitions, %d rows, partitioning %+v; want none, 7, the columns", len(tbl.Partitions), tbl.Rows, tbl.Partitioning)
	}
}

func TestTimeTransformValues(t *testing.T) {
	cases := []struct {
		v    any
		g    catalog.Granularity
		want string
	}{
		{day("2026-11-01"), catalog.Day, "2026-11-01"},
		{int64(20758), catalog.Day, "2026-11-01"},
		{int64((2026-1970)*12 + 10), catalog.Month, "2026-11-01"},
		{int64(2026 - 1970), catalog.Year, "2026-01-01"},
		{int64(time.Date(2026, 11, 1, 13, 0, 0, 0, time.UTC).Unix() / 3600), catalog.Hour, "2026-11-01 13:00:00"},
		{time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC), catalog.Month, "2026-11-01"},
	}
	for _, c := range cases {
		if got, ok := timeValue(c.v, c.g); !ok || got != c.want {
			t.Errorf("timeValue(%v, %s) = %q, %v; want %q", c.v, c.g, got, ok, c.want)
		}
	}
	if _, ok := timeValue(nil, catalog.Day); ok {
		t.Error("NULL gave a time value")
	}
}
