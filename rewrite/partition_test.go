package rewrite

import (
	"reflect"
	"testing"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/rewrite/stmt"
)

func daysTable(col, typ string, gran catalog.Granularity, days ...string) *catalog.Table {
	t := &catalog.Table{Name: "c.s.t", Columns: []catalog.Column{{Name: col, Type: typ}}}
	if gran != "" {
		t.Partitioning = &catalog.Partitioning{Column: col, Granularity: gran}
	} else {
		t.Partitioning = &catalog.Partitioning{Columns: []string{col}}
	}
	for _, d := range days {
		t.Partitions = append(t.Partitions, catalog.Partition{Values: map[string]string{col: d}, Rows: 10, Bytes: 100})
	}
	return t
}

func lit(k stmt.LiteralKind, s ...string) []stmt.Literal {
	out := make([]stmt.Literal, len(s))
	for i, v := range s {
		out[i] = stmt.Literal{Kind: k, Text: v}
	}
	return out
}

func TestPrunePartitions(t *testing.T) {
	dateT := daysTable("d", "date", "", "2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04")
	tsT := daysTable("ts", "TIMESTAMP", catalog.Day, "2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04")
	strT := daysTable("dt", "varchar", "", "2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04")
	intT := daysTable("h", "integer", "", "1", "2", "3", "10")
	col := func(n string) stmt.ColumnRef { return stmt.ColumnRef{Name: n} }
	tests := []struct {
		name    string
		table   *catalog.Table
		filters []stmt.Filter
		want    []int
		wantErr bool
	}{
		{"no filter", dateT, nil, []int{0, 1, 2, 3}, false},
		{"date eq", dateT, []stmt.Filter{{Column: col("d"), Op: stmt.OpEq, Values: lit(stmt.LitDate, "2026-11-02")}}, []int{1}, false},
		{"date range", dateT, []stmt.Filter{
			{Column: col("d"), Op: stmt.OpGe, Values: lit(stmt.LitDate, "2026-11-02")},
			{Column: col("d"), Op: stmt.OpLt, Values: lit(stmt.LitDate, "2026-11-04")}}, []int{1, 2}, false},
		{"date between", dateT, []stmt.Filter{{Column: col("d"), Op: stmt.OpBetween, Values: lit(stmt.LitString, "2026-11-03", "2026-11-09")}}, []int{2, 3}, false},
		{"date in", dateT, []stmt.Filter{{Column: col("d"), Op: stmt.OpIn, Values: lit(stmt.LitDate, "2026-11-01", "2026-11-04")}}, []int{0, 3}, false},
		{"date ne", dateT, []stmt.Filter{{Column: col("d"), Op: stmt.OpNe, Values: lit(stmt.LitDate, "2026-11-01")}}, []int{1, 2, 3}, false},
		{"timestamp point in day", tsT, []stmt.Filter{{Column: col("ts"), Op: stmt.OpEq, Values: lit(stmt.LitTimestamp, "2026-11-03 12:30:00")}}, []int{2}, false},
		{"timestamp after noon", tsT, []stmt.Filter{{Column: col("ts"), Op: stmt.OpGt, Values: lit(stmt.LitTimestamp, "2026-11-03 12:00:00")}}, []int{2, 3}, false},
		{"timestamp lt midnight excludes that day", tsT, []stmt.Filter{{Column: col("ts"), Op: stmt.OpLt, Values: lit(stmt.LitTimestamp, "2026-11-03 00:00:00")}}, []int{0, 1}, false},
		{"DATE(ts) eq", tsT, []stmt.Filter{{Column: col("ts"), Truncate: "day", Op: stmt.OpEq, Values: lit(stmt.LitString, "2026-11-02")}}, []int{1}, false},
		{"date_trunc month", tsT, []stmt.Filter{{Column: col("ts"), Truncate: "month", Op: stmt.OpEq, Values: lit(stmt.LitDate, "2026-11-01")}}, []int{0, 1, 2, 3}, false},
		{"varchar date range", strT, []stmt.Filter{{Column: col("dt"), Op: stmt.OpGe, Values: lit(stmt.LitString, "2026-11-03")}}, []int{2, 3}, false},
		{"varchar cast to date", strT, []stmt.Filter{{Column: col("dt"), Truncate: "day", Op: stmt.OpEq, Values: lit(stmt.LitDate, "2026-11-03")}}, []int{2}, false},
		{"integer compares numerically", intT, []stmt.Filter{{Column: col("h"), Op: stmt.OpGe, Values: lit(stmt.LitNumber, "3")}}, []int{2, 3}, false},
		{"integer vs word", intT, []stmt.Filter{{Column: col("h"), Op: stmt.OpEq, Values: lit(stmt.LitString, "x")}}, nil, true},
		{"date vs garbage", dateT, []stmt.Filter{{Column: col("d"), Op: stmt.OpEq, Values: lit(stmt.LitString, "yesterday")}}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := prunePartitions(tt.table, tt.filters)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"2026-11-01", "2026-11-01 00:00:00", true},
		{"2026-02-30", "", false},
		{"2026-11-01 13:45:00", "2026-11-01 13:45:00", true},
		{"2026-11-01 13:45:00.123 UTC", "2026-11-01 13:45:00", true},
		{"2026-11-01T13:45:00Z", "2026-11-01 13:45:00", true},
		{"2026-11", "2026-11-01 00:00:00", true},
		{"yesterday", "", false},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseTime(%q) err = %v, want ok %v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && got.Format("2006-01-02 15:04:05") != tt.want {
			t.Errorf("parseTime(%q) = %v, want %s", tt.in, got, tt.want)
		}
	}
}
