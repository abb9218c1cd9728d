package catalog

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const validCatalog = `# A small catalog touching every field.
tables:
  - name: Iceberg.Web.Events
    rows: 0            # summed from the partitions
    bytes: 0
    columns:
      - {name: Event_Date, type: date, bytes: 1KiB}
      - {name: user_id, type: bigint, bytes: 2048}
      - {name: properties, type: varchar}
    partitioning: {columns: [EVENT_DATE]}
    partitions:
      - {values: {event_date: "2026-11-01"}, rows: 100, bytes: 1MiB, files: 2}
      - {values: {Event_Date: 2026-11-02}, rows: 200, bytes: "2 MiB", files: 3}
    clustering: [User_ID]
  - name: myproj.analytics.events
    rows: 1000         # given totals win over the partitions' sums
    bytes: 1.5GiB
    files: 0
    columns:
      - name: event_ts
        type: TIMESTAMP
      - name: user_id
        type: INT64
    partitioning: {column: event_ts, granularity: Day}
    partitions:
      - {values: {event_ts: "2026-11-01"}, rows: 10, bytes: 100}
      - {values: {event_ts: "20261102"}, rows: 20, bytes: 200}
  - name: hive.ref.countries
    rows: 250
    bytes: 16384
    files: 1
`

func TestParseStaticValid(t *testing.T) {
	s, err := ParseStatic("catalog.yaml", []byte(validCatalog))
	if err != nil {
		t.Fatalf("ParseStatic: %v", err)
	}
	want := []*Table{
		{
			Name: "hive.ref.countries", Rows: 250, Bytes: 16384, Files: 1,
		},
		{
			Name: "iceberg.web.events", Rows: 300, Bytes: 3 << 20, Files: 5,
			Columns: []Column{
				{Name: "event_date", Type: "date", Bytes: 1024},
				{Name: "user_id", Type: "bigint", Bytes: 2048},
				{Name: "properties", Type: "varchar"},
			},
			Partitioning: &Partitioning{Columns: []string{"event_date"}},
			Partitions: []Partition{
				{Values: map[string]string{"event_date": "2026-11-01"}, Rows: 100, Bytes: 1 << 20, Files: 2},
				{Values: map[string]string{"event_date": "2026-11-02"}, Rows: 200, Bytes: 2 << 20, Files: 3},
			},
			Clustering: []string{"user_id"},
		},
		{
			Name: "myproj.analytics.events", Rows: 1000, Bytes: 3 << 29,
			Columns: []Column{
				{Name: "event_ts", Type: "TIMESTAMP"},
				{Name: "user_id", Type: "INT64"},
			},
			Partitioning: &Partitioning{Column: "event_ts", Granularity: Day},
			Partitions: []Partition{
				{Values: map[string]string{"event_ts": "2026-11-01"}, Rows: 10, Bytes: 100},
				{Values: map[string]string{"event_ts": "2026-11-02"}, Rows: 20, Bytes: 200},
			},
		},
	}
	got := s.Tables()
	if len(got) != len(want) {
		t.Fatalf("Tables() returned %d tables, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("table %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
		byName, err := s.Table(t.Context(), want[i].Name)
		if err != nil {
			t.Errorf("Table(%q): %v", want[i].Name, err)
		} else if !reflect.DeepEqual(byName, want[i]) {
			t.Errorf("Table(%q) = %+v, want %+v", want[i].Name, byName, want[i])
		}
	}
}

func TestStaticLookup(t *testing.T) {
	s, err := ParseStatic("catalog.yaml", []byte(validCatalog))
	if err != nil {
		t.Fatalf("ParseStatic: %v", err)
	}
	ctx := context.Background()
	for _, name := range []string{"iceberg.web.events", "ICEBERG.WEB.EVENTS", "Iceberg.web.Events"} {
		tb, err := s.Table(ctx, name)
		if err != nil {
			t.Errorf("Table(%q): %v", name, err)
			continue
		}
		if tb.Name != "iceberg.web.events" {
			t.Errorf("Table(%q).Name = %q, want iceberg.web.events", name, tb.Name)
		}
	}

	_, err = s.Table(ctx, "iceberg.web.nope")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Table(unknown) error = %v, want one wrapping ErrNotFound", err)
	}
	for _, want := range []string{`"iceberg.web.nope"`, "catalog.yaml", "add it to the catalog file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Table(unknown) error %q does not mention %q", err, want)
		}
	}
}

// TestStaticCopySafe checks that callers cannot change the catalog through
// the tables it returns.
func TestStaticSharing(t *testing.T) {
	s, err := ParseStatic("catalog.yaml", []byte(validCatalog))
	if err != nil {
		t.Fatalf("ParseStatic: %v", err)
	}
	ctx := t.Context()
	a, _ := s.Table(ctx, "iceberg.web.events")
	b, _ := s.Table(ctx, "ICEBERG.web.events")
	if a != b {
		t.Error("Table copies a table on every lookup; lookups sit on every statement's path and must share it")
	}
	for _, tb := range s.Tables() {
		if tb.Name != "iceberg.web.events" {
			continue
		}
		tb.Rows = -1
		tb.Columns[0].Name = "changed"
		tb.Partitions[0].Values["event_date"] = "changed"
	}
	c, _ := s.Table(ctx, "iceberg.web.events")
	if c.Rows != 300 || c.Columns[0].Name != "event_date" || c.Partitions[0].Values["event_date"] != "2026-11-01" {
		t.Errorf("catalog changed through a table Tables returned: %+v", c)
	}
}

func TestDerivedTotals(t *testing.T) {
	const head = "tables:\n  - name: a.b.c\n"
	const parts = "    partitioning: {columns: [p]}\n" +
		"    partitions:\n" +
		"      - {values: {p: x}, rows: 1, bytes: 10, files: 100}\n" +
		"      - {values: {p: y}, rows: 2, bytes: 20, files: 200}\n"
	tests := []struct {
		name               string
		totals             string
		rows, bytes, files int64
	}{
		{"all summed", "", 3, 30, 300},
		{"zeros summed", "    rows: 0\n    bytes: 0\n    files: 0\n", 3, 30, 300},
		{"given kept", "    rows: 7\n    bytes: 1KiB\n    files: 9\n", 7, 1024, 9},
		{"mixed", "    rows: 7\n", 7, 30, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseStatic("catalog.yaml", []byte(head+tt.totals+parts))
			if err != nil {
				t.Fatalf("ParseStatic: %v", err)
			}
			tb, err := s.Table(t.Context(), "a.b.c")
			if err != nil {
				t.Fatalf("Table: %v", err)
			}
			if tb.Rows != tt.rows || tb.Bytes != tt.bytes || tb.Files != tt.files {
				t.Errorf("rows, bytes, files = %d, %d, %d; want %d, %d, %d",
					tb.Rows, tb.Bytes, tb.Files, tt.rows, tt.bytes, tt.files)
			}
		})
	}
}

// TestTimePartitionValues checks the accepted forms of time partition values
// and their normalization to the start of the period.
func TestTimePartitionValues(t *testing.T) {
	tests := []struct {
		gran, typ, value, want string
	}{
		{"hour", "timestamp", "2026-11-01 13", "2026-11-01 13:00:00"},
		{"hour", "timestamp", "2026-11-01T13", "2026-11-01 13:00:00"},
		{"hour", "timestamp", "2026-11-01 13:00", "2026-11-01 13:00:00"},
		{"hour", "timestamp", "2026-11-01T13:00:00", "2026-11-01 13:00:00"},
		{"hour", "timestamp", "2026-11-01T13:00:00Z", "2026-11-01 13:00:00"},
		{"hour", "timestamp", "2026-11-01T15:00:00+02:00", "2026-11-01 13:00:00"},
		{"hour", "timestamp", "2026110113", "2026-11-01 13:00:00"},
		{"day", "date", "2026-11-01", "2026-11-01"},
		{"day", "timestamp", "20261101", "2026-11-01"},
		{"month", "date", "2026-11", "2026-11-01"},
		{"month", "date", "2026-11-01", "2026-11-01"},
		{"month", "date", "202611", "2026-11-01"},
		{"year", "date", "2026", "2026-01-01"},
		{"year", "datetime", "2026-01-01", "2026-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.gran+"/"+tt.value, func(t *testing.T) {
			src := fmt.Sprintf("tables:\n  - name: a.b.c\n    columns: [{name: ts, type: %s}]\n"+
				"    partitioning: {column: ts, granularity: %s}\n"+
				"    partitions: [{values: {ts: %q}, rows: 1, bytes: 1}]\n", tt.typ, tt.gran, tt.value)
			s, err := ParseStatic("catalog.yaml", []byte(src))
			if err != nil {
				t.Fatalf("ParseStatic: %v", err)
			}
			tb, _ := s.Table(t.Context(), "a.b.c")
			if got := tb.Partitions[0].Values["ts"]; got != tt.want {
				t.Errorf("value %q stored as %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}

func TestParseStaticAliases(t *testing.T) {
	src := `tables:
  - name: a.b.one
    rows: 1
    bytes: 1
    columns: &cols [{name: id, type: bigint}, {name: dt, type: date}]
  - name: a.b.two
    rows: &rows 2
    bytes: 2
    columns: *cols
    partitioning: {columns: [dt]}
    partitions: [{values: {dt: "2026-11-01"}, rows: *rows, bytes: 2}]
`
	s, err := ParseStatic("catalog.yaml", []byte(src))
	if err != nil {
		t.Fatalf("ParseStatic: %v", err)
	}
	tb, _ := s.Table(t.Context(), "a.b.two")
	if len(tb.Columns) != 2 || tb.Partitions[0].Rows != 2 {
		t.Errorf("aliases not followed: %+v", tb)
	}
}

// twoTables comes before the tables under test in some error cases, so that
// the line and index in the message are not trivially 1 and 0.
const twoTables = `tables:
  - name: hive.ref.countries
    rows: 250
    bytes: 16KiB
  - name: hive.ref.users
    rows: 80000000
    bytes: 12GB
`

func TestParseStaticErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// want are substrings of the error, most of them
		// "catalog.yaml:LINE: PATH: message".
		want []string
		// count is the expected number of problems, when checked (>0).
		count int
	}{
		{
			name: "partition column not a partitioning column",
			src: twoTables + `  - name: iceberg.web.events
    columns:
      - {name: event_date, type: date}
      - {name: user_id, type: bigint}
    partitioning: {columns: [event_date]}
    partitions:
      - {values: {event_dte: "2026-11-01"}, rows: 1, bytes: 1}
`,
			want: []string{
				`catalog.yaml:14: tables[2].partitions[0].values: partition column "event_dte" is not a partitioning column of iceberg.web.events (partitioning columns: event_date)`,
				`catalog.yaml:14: tables[2].partitions[0].values: missing partitioning column "event_date"`,
			},
			count: 2,
		},
		{
			name: "name not qualified",
			src:  "# catalog\ntables:\n  - name: events\n    rows: 1\n    bytes: 1\n",
			want: []string{`catalog.yaml:3: tables[0].name: "events" must be fully qualified as catalog.schema.table or project.dataset.table`},
		},
		{
			name: "name with four parts",
			src:  twoTables + "  - name: a.b.c.d\n    rows: 1\n    bytes: 1\n",
			want: []string{`catalog.yaml:8: tables[2].name: "a.b.c.d" must be fully qualified`},
		},
		{
			name: "name with empty part",
			src:  "tables:\n  - name: a..c\n    rows: 1\n    bytes: 1\n",
			want: []string{`catalog.yaml:2: tables[0].name: "a..c" must be fully qualified`},
		},
		{
			name: "name in backticks",
			src:  "tables:\n  - name: \"`p.d.t`\"\n    rows: 1\n    bytes: 1\n",
			want: []string{"catalog.yaml:2: tables[0].name:", "without quotes or backticks"},
		},
		{
			name: "name missing",
			src:  "tables:\n  - rows: 1\n    bytes: 1\n",
			want: []string{"catalog.yaml:2: tables[0]: missing field name"},
		},
		{
			name: "name not text",
			src:  "tables:\n  - name: [a, b]\n    rows: 1\n    bytes: 1\n",
			want: []string{"catalog.yaml:2: tables[0].name: must be the fully qualified table name"},
		},
		{
			name:  "unknown table field",
			src:   "tables:\n  - name: a.b.c\n    row: 1\n    rows: 1\n    bytes: 1\n",
			want:  []string{`catalog.yaml:3: tables[0]: unknown field "row"; valid fields: name, rows, bytes, files, columns, partitioning, partitions, clustering`},
			count: 1,
		},
		{
			name: "unknown top-level field",
			src:  "tables: [{name: a.b.c, rows: 1, bytes: 1}]\nversion: 2\n",
			want: []string{`catalog.yaml:2: unknown field "version"; valid fields: tables`},
		},
		{
			name: "unknown column field",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    columns:\n      - {name: id, type: int, size: 3}\n",
			want: []string{`catalog.yaml:6: tables[0].columns[0]: unknown field "size"; valid fields: name, type, bytes`},
		},
		{
			name: "unknown partitioning field",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    partitioning: {column: ts, granularity: day, transform: x}\n",
			want: []string{`catalog.yaml:5: tables[0].partitioning: unknown field "transform"; valid fields: columns, column, granularity`},
		},
		{
			name: "unknown partition field",
			src:  "tables:\n  - name: a.b.c\n    partitioning: {columns: [p]}\n    partitions:\n      - {values: {p: x}, rows: 1, bytes: 1, size: 1}\n",
			want: []string{`catalog.yaml:5: tables[0].partitions[0]: unknown field "size"; valid fields: values, rows, bytes, files`},
		},
		{
			name: "field given twice",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    rows: 2\n",
			want: []string{`catalog.yaml:5: tables[0]: field "rows" appears twice (first at line 3)`},
		},
		{
			name: "negative numbers",
			src: `tables:
  - name: a.b.c
    rows: -1
    bytes: -5
    files: -2
    columns: [{name: id, type: bigint, bytes: -1}]
    partitioning: {columns: [id]}
    partitions: [{values: {id: 1}, rows: -3, bytes: "-1 KiB", files: -4}]
`,
			want: []string{
				"catalog.yaml:3: tables[0].rows: must not be negative, found -1",
				"catalog.yaml:4: tables[0].bytes: must not be negative, found -5",
				"catalog.yaml:5: tables[0].files: must not be negative, found -2",
				"catalog.yaml:6: tables[0].columns[0].bytes: must not be negative",
				"catalog.yaml:8: tables[0].partitions[0].rows: must not be negative, found -3",
				`catalog.yaml:8: tables[0].partitions[0].bytes: invalid size "-1 KiB": sizes cannot be negative`,
				"catalog.yaml:8: tables[0].partitions[0].files: must not be negative, found -4",
			},
			count: 7,
		},
		{
			name: "numbers that are not whole",
			src:  "tables:\n  - name: a.b.c\n    rows: 1.5e9\n    bytes: 2e12\n    files: many\n",
			want: []string{
				`catalog.yaml:3: tables[0].rows: must be a whole number like 120450000000, found "1.5e9" (write it out in full`,
				`catalog.yaml:4: tables[0].bytes: must be a size, found "2e12"`,
				`catalog.yaml:5: tables[0].files: must be a whole number like 120450000000, found "many"`,
			},
		},
		{
			name: "number too large",
			src:  "tables:\n  - name: a.b.c\n    rows: 99999999999999999999\n    bytes: 9999999PiB\n    files: -99999999999999999999\n",
			want: []string{
				"catalog.yaml:3: tables[0].rows: 99999999999999999999 does not fit in 64 bits",
				"catalog.yaml:5: tables[0].files: -99999999999999999999 does not fit in 64 bits",
				`catalog.yaml:4: tables[0].bytes: invalid size "9999999PiB": too large`,
			},
		},
		{
			name: "bad size unit",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 12 XB\n",
			want: []string{`catalog.yaml:4: tables[0].bytes: invalid size "12 XB": unknown unit "XB"; write a whole number of bytes or a number with a unit: B, KiB`},
		},
		{
			name: "empty values",
			src:  "tables:\n  - name: a.b.c\n    rows:\n    bytes: ''\n",
			want: []string{
				"catalog.yaml:3: tables[0].rows: has no value",
				"catalog.yaml:4: tables[0].bytes: empty size",
			},
		},
		{
			name: "rows and bytes missing",
			src:  "tables:\n  - name: a.b.c\n    files: 1\n",
			want: []string{
				"catalog.yaml:2: tables[0]: missing field rows",
				"catalog.yaml:2: tables[0]: missing field bytes",
			},
			count: 2,
		},
		{
			name: "duplicate table names",
			src:  twoTables + "  - name: HIVE.Ref.Countries\n    rows: 1\n    bytes: 1\n",
			want: []string{`catalog.yaml:8: tables[2].name: duplicate table "hive.ref.countries" (first defined at line 2)`},
		},
		{
			name: "duplicate column names",
			src: `tables:
  - name: a.b.c
    rows: 1
    bytes: 1
    columns:
      - {name: id, type: bigint}
      - {name: ID, type: varchar}
`,
			want: []string{`catalog.yaml:7: tables[0].columns[1].name: duplicate column "id" in a.b.c (first at line 6)`},
		},
		{
			name: "column missing name and type",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    columns:\n      - {bytes: 1}\n",
			want: []string{
				"catalog.yaml:6: tables[0].columns[0]: missing field name",
				"catalog.yaml:6: tables[0].columns[0]: missing field type",
			},
		},
		{
			name: "columns not a list",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    columns: {id: bigint}\n",
			want: []string{"catalog.yaml:5: tables[0].columns: must be a list of columns, found a mapping"},
		},
		{
			name: "partitioning column not among columns",
			src: `tables:
  - name: a.b.c
    rows: 1
    bytes: 1
    columns: [{name: dt, type: varchar}, {name: id, type: bigint}]
    partitioning: {columns: [dt, day]}
`,
			want: []string{`catalog.yaml:6: tables[0].partitioning.columns[1]: partition column "day" is not a column of a.b.c (columns: dt, id)`},
		},
		{
			name: "time partitioning column not among columns",
			src: `tables:
  - name: a.b.c
    rows: 1
    bytes: 1
    columns: [{name: ts, type: timestamp}]
    partitioning:
      column: event_ts
      granularity: day
`,
			want: []string{`catalog.yaml:7: tables[0].partitioning.column: "event_ts" is not a column of a.b.c (columns: ts)`},
		},
		{
			name: "time partitioning on a non-time column",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    columns: [{name: id, type: bigint}]\n    partitioning: {column: id, granularity: day}\n",
			want: []string{`catalog.yaml:6: tables[0].partitioning.column: column "id" has type bigint; time partitioning needs a date, datetime or timestamp column`},
		},
		{
			name: "granularity invalid",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    partitioning:\n      column: ts\n      granularity: week\n",
			want: []string{`catalog.yaml:7: tables[0].partitioning.granularity: "week" is not a granularity; use one of hour, day, month, year`},
		},
		{
			name: "hour granularity on a date column",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    columns: [{name: d, type: DATE}]\n    partitioning: {column: d, granularity: hour}\n",
			want: []string{`catalog.yaml:6: tables[0].partitioning.granularity: hour does not fit column "d" of type DATE; use day, month or year`},
		},
		{
			name: "granularity missing",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    partitioning: {column: ts}\n",
			want: []string{"catalog.yaml:5: tables[0].partitioning: missing field granularity; time partitioning needs one of hour, day, month, year"},
		},
		{
			name: "granularity with identity columns",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    partitioning: {columns: [dt], granularity: day}\n",
			want: []string{"catalog.yaml:5: tables[0].partitioning.granularity: granularity only applies to time partitioning"},
		},
		{
			name: "partitioning with both columns and column",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    partitioning: {columns: [dt], column: ts, granularity: day}\n",
			want: []string{"catalog.yaml:5: tables[0].partitioning: give either columns: (identity partitioning, e.g. {columns: [dt]}) or column: with granularity: (time partitioning, e.g. {column: event_ts, granularity: day}), not both"},
		},
		{
			name: "partitioning with neither columns nor column",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    partitioning: {granularity: day}\n",
			want: []string{"catalog.yaml:5: tables[0].partitioning: missing columns: or column:"},
		},
		{
			name: "partitioning columns empty",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    partitioning: {columns: []}\n",
			want: []string{"catalog.yaml:5: tables[0].partitioning.columns: the list is empty"},
		},
		{
			name: "partitions empty",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    partitioning: {columns: [dt]}\n    partitions: []\n",
			want: []string{"catalog.yaml:6: tables[0].partitions: the list is empty"},
		},
		{
			name: "partition totals overflow",
			src: `tables:
  - name: a.b.c
    rows: 1
    partitioning: {columns: [dt]}
    partitions:
      - {values: {dt: a}, rows: 1, bytes: 9223372036854775807}
      - {values: {dt: b}, rows: 1, bytes: 1}
`,
			want:  []string{"catalog.yaml:6: tables[0].partitions: the partitions' bytes add up to more than fits in 64 bits"},
			count: 1,
		},
		{
			name: "tables without value",
			src:  "tables:\n",
			want: []string{"catalog.yaml:1: tables: the file has no tables"},
		},
		{
			name: "partitions without partitioning",
			src:  "tables:\n  - name: a.b.c\n    partitions: [{values: {dt: x}, rows: 1, bytes: 1}]\n",
			want: []string{"catalog.yaml:3: tables[0].partitions: partitions are listed but the table has no partitioning"},
		},
		{
			name: "partition values missing a partitioning column",
			src: `tables:
  - name: a.b.c
    partitioning: {columns: [dt, hour]}
    partitions:
      - {values: {dt: "2026-11-01", hour: "13"}, rows: 1, bytes: 1}
      - values: {dt: "2026-11-01"}
        rows: 1
        bytes: 1
`,
			want: []string{`catalog.yaml:6: tables[0].partitions[1].values: missing partitioning column "hour"; every partition needs a value for each of: dt, hour`},
		},
		{
			name: "partition values, rows and bytes missing",
			src:  "tables:\n  - name: a.b.c\n    partitioning: {columns: [dt]}\n    partitions:\n      - {files: 1}\n",
			want: []string{
				"catalog.yaml:5: tables[0].partitions[0]: missing field values",
				"catalog.yaml:5: tables[0].partitions[0]: missing field rows",
				"catalog.yaml:5: tables[0].partitions[0]: missing field bytes",
			},
		},
		{
			name: "duplicate partition",
			src: `tables:
  - name: a.b.c
    columns: [{name: ts, type: timestamp}]
    partitioning: {column: ts, granularity: day}
    partitions:
      - {values: {ts: "2026-11-01"}, rows: 1, bytes: 1}
      - {values: {ts: "20261101"}, rows: 1, bytes: 1}
`,
			want: []string{"catalog.yaml:7: tables[0].partitions[1].values: duplicate partition (same values as the one at line 6)"},
		},
		{
			name: "partition column given twice",
			src:  "tables:\n  - name: a.b.c\n    partitioning: {columns: [dt]}\n    partitions:\n      - {values: {dt: a, DT: b}, rows: 1, bytes: 1}\n",
			want: []string{`catalog.yaml:5: tables[0].partitions[0].values: partition column "dt" appears twice`},
		},
		{
			name: "time partition values that do not parse",
			src: `tables:
  - name: a.b.c
    columns: [{name: h, type: timestamp}, {name: d, type: date}]
  - name: a.b.hour
    partitioning: {column: ts, granularity: hour}
    partitions:
      - {values: {ts: "2026-11-01"}, rows: 1, bytes: 1}
      - {values: {ts: "2026-11-01 13:30:00"}, rows: 1, bytes: 1}
  - name: a.b.day
    partitioning: {column: ts, granularity: day}
    partitions:
      - {values: {ts: "2026-11-1"}, rows: 1, bytes: 1}
      - {values: {ts: "2026-02-30"}, rows: 1, bytes: 1}
  - name: a.b.month
    partitioning: {column: ts, granularity: month}
    partitions:
      - {values: {ts: "2026-11-15"}, rows: 1, bytes: 1}
      - {values: {ts: "Nov 2026"}, rows: 1, bytes: 1}
  - name: a.b.year
    partitioning: {column: ts, granularity: year}
    partitions:
      - {values: {ts: "26"}, rows: 1, bytes: 1}
`,
			want: []string{
				`catalog.yaml:7: tables[1].partitions[0].values.ts: "2026-11-01" is not a valid hour partition value; write it as "2026-11-01 13", "2026-11-01T13", "2026-11-01 13:00:00", "2026-11-01T13:00:00Z" or BigQuery's "2026110113"`,
				`catalog.yaml:8: tables[1].partitions[1].values.ts: "2026-11-01 13:30:00" is not at the start of an hour`,
				`catalog.yaml:12: tables[2].partitions[0].values.ts: "2026-11-1" is not a valid day partition value; write it as "2026-11-01" or BigQuery's "20261101"`,
				`catalog.yaml:13: tables[2].partitions[1].values.ts: "2026-02-30" is not a valid day partition value`,
				`catalog.yaml:17: tables[3].partitions[0].values.ts: "2026-11-15" is not at the start of a month; write it as "2026-11", "2026-11-01" or BigQuery's "202611"`,
				`catalog.yaml:18: tables[3].partitions[1].values.ts: "Nov 2026" is not a valid month partition value`,
				`catalog.yaml:22: tables[4].partitions[0].values.ts: "26" is not a valid year partition value; write it as "2026" or "2026-01-01"`,
			},
		},
		{
			name: "identity partition on a date column",
			src: `tables:
  - name: a.b.c
    columns: [{name: d, type: date}]
    partitioning: {columns: [d]}
    partitions:
      - {values: {d: "2026-11-01"}, rows: 1, bytes: 1}
      - {values: {d: "11/02/2026"}, rows: 1, bytes: 1}
`,
			want:  []string{`catalog.yaml:7: tables[0].partitions[1].values.d: "11/02/2026" is not a date; column "d" has type date, so write its value as YYYY-MM-DD`},
			count: 1,
		},
		{
			name: "clustering column unknown",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    columns: [{name: id, type: bigint}]\n    clustering:\n      - id\n      - user\n",
			want: []string{`catalog.yaml:8: tables[0].clustering[1]: clustering column "user" is not a column of a.b.c (columns: id)`},
		},
		{
			name: "clustering column twice",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    bytes: 1\n    clustering: [id, ID]\n",
			want: []string{`catalog.yaml:5: tables[0].clustering[1]: clustering column "id" is listed twice`},
		},
		{
			name: "syntax error: bad indentation",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n   bytes: 2\n",
			want: []string{"catalog.yaml:4: YAML syntax error: "},
		},
		{
			name: "syntax error: unclosed flow list",
			src:  "tables:\n  - name: a.b.c\n    rows: 1\n    columns: [{name: id, type: bigint}\n",
			want: []string{"catalog.yaml:4: YAML syntax error: did not find expected ',' or ']'"},
		},
		{
			name: "syntax error: tab",
			src:  "tables:\n  - name: a.b.c\n\trows: 1\n",
			want: []string{"catalog.yaml:3: YAML syntax error: "},
		},
		{
			name: "syntax error: unknown anchor",
			src:  "tables:\n  - name: a.b.c\n    rows: *n\n    bytes: 1\n",
			want: []string{"catalog.yaml:3: YAML syntax error: unknown anchor 'n' referenced"},
		},
		{
			name: "empty file",
			src:  "",
			want: []string{`catalog.yaml: the file has no tables; it should contain a "tables:" list`},
		},
		{
			name: "only comments",
			src:  "# nothing yet\n",
			want: []string{`catalog.yaml: the file has no tables; it should contain a "tables:" list`},
		},
		{
			name: "empty tables",
			src:  "tables: []\n",
			want: []string{`catalog.yaml:1: tables: the file has no tables`},
		},
		{
			name: "tables not a list",
			src:  "tables:\n  name: a.b.c\n",
			want: []string{`catalog.yaml:2: tables: must be a list of tables, found a mapping`},
		},
		{
			name: "top level a list",
			src:  "- name: a.b.c\n",
			want: []string{`catalog.yaml:1: the file must be a mapping with a tables: list, found a list`},
		},
		{
			name: "two documents",
			src:  "tables: [{name: a.b.c, rows: 1, bytes: 1}]\n---\ntables: []\n",
			want: []string{`catalog.yaml:2: the file holds more than one YAML document`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseStatic("catalog.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("ParseStatic succeeded with %d tables, want an error", len(s.tables))
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain\n  %s\ngot:\n%v", want, err)
				}
			}
			if tt.count > 0 && len(pe.Problems) != tt.count {
				t.Errorf("got %d problems, want %d:\n%v", len(pe.Problems), tt.count, err)
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(pe.Problems) {
				t.Errorf("error has %d lines for %d problems", n, len(pe.Problems))
			}
		})
	}
}

func TestParseStaticManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("tables:\n")
	for i := range 30 {
		fmt.Fprintf(&b, "  - {name: t%d, rows: 1, bytes: 1}\n", i)
	}
	_, err := ParseStatic("catalog.yaml", []byte(b.String()))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v, want a *ParseError", err)
	}
	if len(pe.Problems) != maxProblems || pe.Omitted != 30-maxProblems {
		t.Errorf("got %d problems and %d omitted, want %d and %d", len(pe.Problems), pe.Omitted, maxProblems, 30-maxProblems)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxProblems+1 {
		t.Errorf("error has %d lines, want %d", len(lines), maxProblems+1)
	}
	if !strings.HasPrefix(lines[0], `catalog.yaml:2: tables[0].name: "t0"`) {
		t.Errorf("first line = %q", lines[0])
	}
	if want := "catalog.yaml: 10 more problems not shown"; !strings.HasPrefix(lines[len(lines)-1], want) {
		t.Errorf("last line = %q, want it to start with %q", lines[len(lines)-1], want)
	}
}

func TestLoadStatic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.yaml")
	if err := os.WriteFile(path, []byte("tables:\n  - name: events\n    rows: 1\n    bytes: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadStatic(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":2: tables[0].name:") {
		t.Errorf("LoadStatic error = %v, want one naming %s:2", err, path)
	}

	_, err = LoadStatic(filepath.Join(t.TempDir(), "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadStatic(missing) error = %v, want one wrapping os.ErrNotExist", err)
	}
}

// TestExampleCatalog loads testdata/example.yaml, which the docs use, and
// checks that its numbers are consistent.
func TestExampleCatalog(t *testing.T) {
	s, err := LoadStatic(filepath.Join("testdata", "example.yaml"))
	if err != nil {
		t.Fatalf("LoadStatic: %v", err)
	}
	want := []struct {
		name       string
		rows       int64
		bytes      int64
		files      int64
		partitions int
	}{
		{"hive.ref.countries", 250, 16384, 1, 0},
		{"hive.ref.users", 80_000_000, 12_000_000_000, 64, 0},
		{"hive.web.page_views", 2_797_605_850, 561_242_945_749, 891, 14},
		{"iceberg.web.events", 118_987_845_517, 44_555_606_053_050, 13_450, 30},
		{"iceberg.web.sessions", 2_000_000_000, 600_000_000_000, 3000, 0},
		{"myproj.analytics.events", 1_522_040_465, 1_824_688_968_250, 0, 30},
		{"myproj.analytics.logs", 198_883_021, 49_804_567_783, 0, 10},
		{"myproj.analytics.small_dim", 1000, 200_000, 0, 0},
		{"myproj.analytics.users", 40_000_000, 8_000_000_000, 0, 0},
	}
	tables := s.Tables()
	if len(tables) != len(want) {
		t.Fatalf("example has %d tables, want %d", len(tables), len(want))
	}
	for i, w := range want {
		tb := tables[i]
		if tb.Name != w.name || tb.Rows != w.rows || tb.Bytes != w.bytes || tb.Files != w.files || len(tb.Partitions) != w.partitions {
			t.Errorf("table %d = %s rows %d bytes %d files %d partitions %d; want %+v",
				i, tb.Name, tb.Rows, tb.Bytes, tb.Files, len(tb.Partitions), w)
		}
		var colBytes int64
		for _, c := range tb.Columns {
			colBytes += c.Bytes
		}
		if colBytes != tb.Bytes {
			t.Errorf("%s: columns add up to %d bytes, table has %d", tb.Name, colBytes, tb.Bytes)
		}
		if len(tb.Partitions) == 0 {
			continue
		}
		var rows, size, files int64
		for _, p := range tb.Partitions {
			rows += p.Rows
			size += p.Bytes
			files += p.Files
		}
		if rows != tb.Rows || size != tb.Bytes || files != tb.Files {
			t.Errorf("%s: partitions add up to rows %d bytes %d files %d; table has %d, %d, %d",
				tb.Name, rows, size, files, tb.Rows, tb.Bytes, tb.Files)
		}
	}

	events, err := s.Table(t.Context(), "myproj.analytics.events")
	if err != nil {
		t.Fatal(err)
	}
	if p := events.Partitioning; p == nil || p.Column != "event_ts" || p.Granularity != Day {
		t.Errorf("myproj.analytics.events partitioning = %+v, want event_ts by day", p)
	}
	if got := events.Partitions[29].Values["event_ts"]; got != "2026-11-25" {
		t.Errorf("last partition of myproj.analytics.events = %q, want 2026-11-25", got)
	}
	if !reflect.DeepEqual(events.Clustering, []string{"user_id"}) {
		t.Errorf("myproj.analytics.events clustering = %v, want [user_id]", events.Clustering)
	}
}

func FuzzParseStatic(f *testing.F) {
	f.Add([]byte(validCatalog))
	f.Add([]byte(twoTables))
	f.Add([]byte("tables:\n  - name: a.b.c\n    partitioning: {column: ts, granularity: hour}\n" +
		"    partitions: [{values: {ts: \"2026-11-01T13:00:00Z\"}, rows: 1, bytes: 1}]\n"))
	f.Add([]byte("tables:\n  - name: a.b.c\n    rows: 1\n   bytes: 2\n"))
	f.Add([]byte("tables: [{name: a.b.c, rows: &r 1, bytes: *r, columns: [{name: x, type: y}], clustering: [x]}]"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseStatic("fuzz.yaml", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 || len(pe.Problems) > maxProblems {
				t.Fatalf("bad error %T: %v", err, err)
			}
			return
		}
		tables := s.Tables()
		if len(tables) == 0 {
			t.Fatal("parsed a catalog without tables")
		}
		for _, tb := range tables {
			if tb.Rows < 0 || tb.Bytes < 0 || tb.Files < 0 {
				t.Errorf("%s: negative totals %+v", tb.Name, tb)
			}
			if tb.Name != strings.ToLower(tb.Name) {
				t.Errorf("name %q not lower-cased", tb.Name)
			}
			got, err := s.Table(t.Context(), strings.ToUpper(tb.Name))
			if err != nil || !reflect.DeepEqual(got, tb) {
				t.Errorf("Table(%q) = %+v, %v; want %+v", tb.Name, got, err, tb)
			}
		}
	})
}
