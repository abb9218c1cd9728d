package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/proxy/ledger"
)

// writeTestLedger writes records to a new ledger file through the ledger's
// own sink, then appends the extra lines as they are.
func writeTestLedger(t *testing.T, recs []ledger.Record, extra ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	ctx := context.Background()
	sink, err := ledger.Open(ctx, path, ledger.Options{}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		sink.Write(r)
	}
	if err := sink.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(extra) > 0 {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(strings.Join(extra, "\n") + "\n"); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func reportRecords() []ledger.Record {
	billed := int64(14 << 30)
	return []ledger.Record{
		{ID: "1", Time: time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC), Frontend: "trino", User: "alice", Team: "growth",
			Policy: "notebooks", Tables: []string{"iceberg.web.events"}, Rules: []string{"rand_limit"}, Decision: "rewrite",
			EstimatedBytesBefore: 3 << 40, EstimatedBytesAfter: 256 << 20, BytesSaved: 3<<40 - 256<<20, PricePerTiB: 6.25, MoneySaved: 18.7},
		{ID: "2", Time: time.Date(2026, 11, 17, 9, 0, 0, 0, time.UTC), Frontend: "bigquery", User: "bob", Team: "finance",
			Policy: "notebooks", Tables: []string{"proj.analytics.events", "proj.ref.countries"}, Rules: []string{"limit_scan"}, Decision: "rewrite",
			EstimatedBytesBefore: 2 << 40, EstimatedBytesAfter: 12 << 30, BytesBilled: &billed, BytesSaved: 2<<40 - 14<<30, PricePerTiB: 6.25, MoneySaved: 1234.5},
		{ID: "3", Time: time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC), Frontend: "trino", User: "carol", Decision: "passthrough",
			Tables: []string{"hive.ref.countries"}, EstimatedBytesBefore: 16 << 10, EstimatedBytesAfter: 16 << 10},
		{ID: "4", Time: time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC), Frontend: "trino", User: "carol", Team: "ci", Decision: "reject",
			Tables: []string{"iceberg.web.events"}, EstimatedBytesBefore: 40 << 40},
	}
}

func TestReport(t *testing.T) {
	path := writeTestLedger(t, reportRecords())
	bad := writeTestLedger(t, reportRecords()[:1], `{"time":"2026-11-16T10:00:00Z"}`, "not json")
	november := []string{"--since", "2026-11-01", "--until", "2026-12-01"}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  []string
		noOut    []string
	}{
		{
			name: "overview",
			args: append([]string{"report", "--ledger", path}, november...),
			wantOut: []string{
				"skim report from 2026-11-01 00:00 UTC to 2026-12-01 00:00 UTC",
				"statements 4",
				"rewritten 2 50.0% of statements",
				"rejected 1",
				"bytes before 45 TiB",
				"bytes scanned 14 GiB",
				"bytes saved 5.0 TiB",
				"money saved 1,253.20",
				"top tables statements rewritten rejected bytes before bytes scanned bytes saved money saved",
				"iceberg.web.events 2 1 1 43 TiB 256 MiB 3.0 TiB 18.70",
				"proj.analytics.events 1 1 0 2 TiB 14 GiB 2.0 TiB 1,234.50",
				"top users",
				"alice 1 1 0 3 TiB 256 MiB 3.0 TiB 18.70",
				"carol 2 0 1 40 TiB 16 KiB 0 B 0.00",
			},
			noOut: []string{"total "},
		},
		{
			name:    "by table says how joins count",
			args:    append([]string{"report", "--ledger", path, "--by", "table"}, november...),
			wantOut: []string{"table statements", "proj.ref.countries 1", "total 4", "counts in full in each"},
		},
		{
			name:    "by user",
			args:    append([]string{"report", "--ledger", path, "--by", "user"}, november...),
			wantOut: []string{"user statements", "bob 1 1 0 2 TiB 14 GiB 2.0 TiB 1,234.50", "total 4"},
			noOut:   []string{"counts in full in each"},
		},
		{
			name:    "the empty key is shown as none",
			args:    append([]string{"report", "--ledger", path, "--by", "team"}, november...),
			wantOut: []string{"(none) 1"},
		},
		{
			name:    "span selects",
			args:    []string{"report", "--ledger", path, "--since", "2026-11-17T00:00:00Z", "--until", "2026-11-18"},
			wantOut: []string{"statements 2"},
		},
		{
			name:    "empty span",
			args:    []string{"report", "--ledger", path, "--since", "2025-01-01", "--until", "2025-02-01"},
			wantOut: []string{"No statements in the ledger in this period."},
		},
		{
			name:    "skipped lines are counted and shown",
			args:    append([]string{"report", "--ledger", bad}, november...),
			wantOut: []string{"statements 1"},
			wantErr: []string{"skipped 2 unreadable ledger lines", "ledger.jsonl:2: not a ledger record", "ledger.jsonl:3: not a ledger record"},
		},
		{
			name:     "missing ledger",
			args:     []string{"report", "--ledger", filepath.Join(t.TempDir(), "missing.jsonl")},
			wantCode: 1,
			wantErr:  []string{"no ledger at", "missing.jsonl"},
		},
		{
			name:     "no ledger flag",
			args:     []string{"report"},
			wantCode: 2,
			wantErr:  []string{"report: no ledger: pass --ledger FILE"},
		},
		{
			name:     "bad since",
			args:     []string{"report", "--ledger", path, "--since", "last week"},
			wantCode: 2,
			wantErr:  []string{`--since "last week" is not a time; use a duration`},
		},
		{
			name:     "since after until",
			args:     []string{"report", "--ledger", path, "--since", "2026-12-01", "--until", "2026-11-01"},
			wantCode: 2,
			wantErr:  []string{"is not before --until"},
		},
		{
			name:     "bad by",
			args:     []string{"report", "--ledger", path, "--by", "users"},
			wantCode: 2,
			wantErr:  []string{`--by "users" is not a breakdown`},
		},
		{
			name:     "bad format",
			args:     []string{"report", "--ledger", path, "--format", "xml"},
			wantCode: 2,
			wantErr:  []string{`--format "xml" is not a format; use table, csv or json`},
		},
		{
			name:     "stray argument",
			args:     []string{"report", "--ledger", path, "extra"},
			wantCode: 2,
			wantErr:  []string{`unexpected argument "extra"`},
		},
		{
			name:    "help lists the command",
			args:    []string{"help"},
			wantOut: []string{"skim report --ledger FILE"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, strings.NewReader(""), &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			// Columns are padded to their widest cell; TestWriteAligned
			// checks that, and these compare words.
			out := squeeze(stdout.String())
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.noOut {
				if strings.Contains(out, w) {
					t.Errorf("stdout has %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}

// squeeze collapses runs of spaces into one.
func squeeze(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' }), " ")
}

func TestWriteAligned(t *testing.T) {
	var b bytes.Buffer
	writeAligned(&b, "lrl", []string{"name", "n", "note"}, [][]string{{"a", "1,000", "x"}, {"long name", "2", ""}, {"total", "1,002", "y"}})
	want := "" +
		"name           n  note\n" +
		"----------------------\n" +
		"a          1,000  x\n" +
		"long name      2\n" +
		"----------------------\n" +
		"total      1,002  y\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestReportDefaultSpan(t *testing.T) {
	path := writeTestLedger(t, reportRecords())
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	var stdout, stderr bytes.Buffer
	// The default is the last 7 days: 16 November 09:30 onwards, which
	// leaves out alice's rewrite at 09:00.
	if err := reportAt(context.Background(), []string{"--ledger", path, "--format", "json"}, &stdout, &stderr, now); err != nil {
		t.Fatal(err)
	}
	var got struct {
		From, To time.Time
		Totals   struct{ Statements int }
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if !got.From.Equal(now.AddDate(0, 0, -7)) || !got.To.Equal(now) || got.Totals.Statements != 3 {
		t.Errorf("default span %v to %v with %d statements; want the 7 days to %v, 3 statements", got.From, got.To, got.Totals.Statements, now)
	}
}

func TestReportCSV(t *testing.T) {
	path := writeTestLedger(t, reportRecords())
	tests := []struct {
		name string
		args []string
		want [][]string
	}{
		{
			name: "overview",
			args: nil,
			want: [][]string{
				{"section", "key", "statements", "rewritten", "rejected", "bytes_before", "bytes_scanned", "bytes_saved", "money_saved"},
				{"total", "", "4", "2", "1", "49478023266304", "15300837376", "5482257317888", "1253.2"},
				{"table", "iceberg.web.events", "2", "1", "1", "47278999994368", "268435456", "3298266447872", "18.7"},
				{"table", "proj.analytics.events", "1", "1", "0", "2199023255552", "15032385536", "2183990870016", "1234.5"},
				{"table", "proj.ref.countries", "1", "1", "0", "2199023255552", "15032385536", "2183990870016", "1234.5"},
				{"table", "hive.ref.countries", "1", "0", "0", "16384", "16384", "0", "0"},
				{"user", "alice", "1", "1", "0", "3298534883328", "268435456", "3298266447872", "18.7"},
				{"user", "bob", "1", "1", "0", "2199023255552", "15032385536", "2183990870016", "1234.5"},
				{"user", "carol", "2", "0", "1", "43980465127424", "16384", "0", "0"},
			},
		},
		{
			name: "by day, every day of the span",
			args: []string{"--by", "day", "--since", "2026-11-16", "--until", "2026-11-20"},
			want: [][]string{
				{"day", "statements", "rewritten", "rejected", "bytes_before", "bytes_scanned", "bytes_saved", "money_saved"},
				{"2026-11-16", "1", "1", "0", "3298534883328", "268435456", "3298266447872", "18.7"},
				{"2026-11-17", "2", "1", "0", "2199023271936", "15032401920", "2183990870016", "1234.5"},
				{"2026-11-18", "1", "0", "1", "43980465111040", "0", "0", "0"},
				{"2026-11-19", "0", "0", "0", "0", "0", "0", "0"},
			},
		},
		{
			name: "by team",
			args: []string{"--by", "team"},
			want: [][]string{
				{"team", "statements", "rewritten", "rejected", "bytes_before", "bytes_scanned", "bytes_saved", "money_saved"},
				{"growth", "1", "1", "0", "3298534883328", "268435456", "3298266447872", "18.7"},
				{"finance", "1", "1", "0", "2199023255552", "15032385536", "2183990870016", "1234.5"},
				{"", "1", "0", "0", "16384", "16384", "0", "0"},
				{"ci", "1", "0", "1", "43980465111040", "0", "0", "0"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"report", "--ledger", path, "--format", "csv", "--since", "2026-11-01", "--until", "2026-12-01"}, tt.args...)
			var stdout, stderr bytes.Buffer
			if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			got, err := csv.NewReader(&stdout).ReadAll()
			if err != nil {
				t.Fatalf("output is not CSV: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CSV\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestReportJSON(t *testing.T) {
	path := writeTestLedger(t, reportRecords(), "not json")
	var stdout, stderr bytes.Buffer
	args := []string{"report", "--ledger", path, "--format", "json", "--by", "rule", "--since", "2026-11-01", "--until", "2026-12-01"}
	if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	dec := json.NewDecoder(&stdout)
	var got map[string]any
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if dec.More() {
		t.Error("output holds more than one JSON value")
	}
	for _, key := range []string{"from", "to", "time_zone", "totals", "by", "groups", "top_tables", "top_users", "top_rules", "daily", "skipped_lines"} {
		if _, ok := got[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	if got["skipped_lines"] != 1.0 || got["by"] != "rule" || got["from"] != "2026-11-01T00:00:00Z" {
		t.Errorf("skipped_lines %v, by %v, from %v", got["skipped_lines"], got["by"], got["from"])
	}
	totals, _ := got["totals"].(map[string]any)
	want := map[string]any{"statements": 4.0, "rewritten": 2.0, "rejected": 1.0, "bytes_before": 49478023266304.0,
		"bytes_scanned": 15300837376.0, "bytes_saved": 5482257317888.0, "money_saved": 1253.2}
	if !reflect.DeepEqual(totals, want) {
		t.Errorf("totals\n got %v\nwant %v", totals, want)
	}
	groups, _ := got["groups"].([]any)
	var keys []any
	for _, g := range groups {
		keys = append(keys, g.(map[string]any)["key"])
	}
	if want := []any{"rand_limit", "limit_scan", ""}; !reflect.DeepEqual(keys, want) {
		t.Errorf("rule groups %v, want %v", keys, want)
	}
	if !strings.Contains(stderr.String(), "skipped 1 unreadable ledger line") {
		t.Errorf("no warning on stderr: %s", stderr.String())
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{"now", now, ""},
		{"7d", time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC), ""},
		{"0d", now, ""},
		{"36h", time.Date(2026, 11, 21, 21, 30, 0, 0, time.UTC), ""},
		{"90m", time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), ""},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), ""},
		{"2026-11-01T09:00:00+01:00", time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), ""},
		{" 2026-11-01T09:00:00.5Z ", time.Date(2026, 11, 1, 9, 0, 0, 5e8, time.UTC), ""},
		{"-7h", time.Time{}, "negative"},
		{"1.5d", time.Time{}, "is not a time"},
		{"d", time.Time{}, "is not a time"},
		{"9999999d", time.Time{}, "too many days"},
		{"2026-13-01", time.Time{}, "is not a time"},
		{"yesterday", time.Time{}, "is not a time"},
	}
	for _, tt := range tests {
		got, err := parseWhen(tt.in, now)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseWhen(%q) error %v, want %q", tt.in, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("parseWhen(%q): %v", tt.in, err)
		case !got.Equal(tt.want):
			t.Errorf("parseWhen(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestReportConfig: with --config and no --ledger, report reads the
// ledger the configuration names; with neither, it says what to pass.
func TestReportConfig(t *testing.T) {
	path := writeTestLedger(t, reportRecords())
	cfgFile := filepath.Join(t.TempDir(), "skim.yaml")
	if err := os.WriteFile(cfgFile, []byte("ledger: {file: "+path+"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"report", "--config", cfgFile, "--since", "2026-11-01", "--until", "2026-12-01"}, strings.NewReader(""), &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "statements            4\n") {
		t.Errorf("the report does not count the configuration's ledger:\n%s", out.String())
	}
	out.Reset()
	errOut.Reset()
	if code := run([]string{"report"}, strings.NewReader(""), &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), "--config with ledger.file or ledger.postgres") {
		t.Errorf("exit %d, stderr %s", code, errOut.String())
	}
}
