package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/proxy/ledger"
)

// adviseFixture writes a static catalog and a ledger into dir and returns
// their paths. The numbers: hive.web.events spans 30 days of 1 GiB, so a
// week's filter on event_ts keeps 7/30 of a statement's 3 GiB and saves
// 2.3 GiB; three such statements save 6.9 GiB.
func adviseFixture(t *testing.T, dir string, now time.Time) (catalogFile, ledgerFile string) {
	t.Helper()
	var cat strings.Builder
	cat.WriteString(`tables:
  - name: hive.web.events
    rows: 0
    bytes: 0
    columns:
      - {name: event_date, type: date}
      - {name: event_ts, type: timestamp}
      - {name: country, type: varchar}
    partitioning: {columns: [event_date]}
    partitions:
`)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		fmt.Fprintf(&cat, "      - {values: {event_date: %q}, rows: 1000, bytes: 1GiB}\n", day.AddDate(0, 0, i).Format(time.DateOnly))
	}
	cat.WriteString(`  - name: myproj.analytics.logs
    rows: 1000
    bytes: 10GiB
    columns:
      - {name: log_date, type: DATE}
      - {name: level, type: STRING}
      - {name: host, type: STRING}
    partitioning: {column: log_date, granularity: day}
    clustering: [level]
`)
	catalogFile = filepath.Join(dir, "catalog.yaml")
	if err := os.WriteFile(catalogFile, []byte(cat.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	gib := int64(1 << 30)
	recent := now.Add(-time.Hour)
	recs := []ledger.Record{
		{Time: recent, Frontend: "trino", Decision: "passthrough", Tables: []string{"hive.web.events"},
			FilterColumns: []string{"hive.web.events.event_ts"}, EstimatedBytesBefore: 3 * gib, EstimatedBytesAfter: 3 * gib},
		{Time: recent, Frontend: "trino", Decision: "passthrough", Tables: []string{"hive.web.events"},
			FilterColumns: []string{"hive.web.events.event_ts", "hive.web.events.event_date"}, BytesProcessed: &[]int64{3 * gib}[0]},
		{Time: recent, Frontend: "trino", Decision: "rewrite", Tables: []string{"hive.web.events"},
			FilterColumns: []string{"hive.web.events.event_ts"}, EstimatedBytesBefore: 30 * gib, EstimatedBytesAfter: 3 * gib},
		{Time: recent, Frontend: "bigquery", Decision: "passthrough", Tables: []string{"myproj.analytics.logs"},
			FilterColumns: []string{"myproj.analytics.logs.level", "myproj.analytics.logs.log_date", "myproj.analytics.logs.host"}, BytesProcessed: &[]int64{gib}[0]},
		{Time: recent, Frontend: "trino", Decision: "passthrough", Tables: []string{"hive.x.unknown"},
			FilterColumns: []string{"hive.x.unknown.a"}, EstimatedBytesBefore: 5 * gib, EstimatedBytesAfter: 5 * gib},
		// Older than the default 30 days.
		{Time: now.AddDate(0, 0, -40), Frontend: "trino", Decision: "passthrough", Tables: []string{"hive.old.table"},
			EstimatedBytesBefore: 1, EstimatedBytesAfter: 1},
	}
	var lines bytes.Buffer
	for i, r := range recs {
		r.ID = fmt.Sprint(i)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		lines.Write(b)
		lines.WriteByte('\n')
		if i == 2 {
			lines.WriteString("{\"time\": \"garbage\n")
		}
	}
	ledgerFile = filepath.Join(dir, "ledger.jsonl")
	if err := os.WriteFile(ledgerFile, lines.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return catalogFile, ledgerFile
}

func TestAdvise(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	catalogFile, ledgerFile := adviseFixture(t, dir, now)
	configFile := filepath.Join(dir, "skim.yaml")
	if err := os.WriteFile(configFile, []byte("catalog:\n  file: catalog.yaml\nledger:\n  file: ledger.jsonl\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantErr  error
		wantOut  []string
		notOut   []string
		wantWarn []string
	}{
		{
			name: "table",
			args: []string{"--ledger", ledgerFile, "--catalog", catalogFile},
			wantOut: []string{
				"5 statements from 2026-11-01 12:00 UTC to 2026-12-01 12:00 UTC, 3 tables read by them",
				"hive.web.events: 30 GiB, partitioned by event_date, not clustered",
				"  3 statements scanned 9 GiB; best: partition by event_ts, saving about 6.9 GiB (76.7%)",
				"  column      type       statements  share  scanned  keeps  partition saves  cluster saves  advice               why\n",
				"  event_ts    timestamp           3   100%    9 GiB  23.3%          6.9 GiB        3.5 GiB  partition            7 of 30 days\n",
				"  event_date  date                1  33.3%    3 GiB      —                —              —  partitioned already\n",
				// BigQuery has one partitioning column: cluster instead.
				"myproj.analytics.logs: 10 GiB, partitioned by day(log_date), clustered by level",
				"  1 statement scanned 1 GiB; best: cluster by host, saving about 256 MiB (25.0%)",
				"  host      STRING           1   100%    1 GiB    50%          512 MiB        256 MiB  cluster              default: not a date or timestamp column\n",
				"  level     STRING           1   100%    1 GiB    50%          341 MiB              —  clustered already    default: not a date or timestamp column\n",
				"hive.x.unknown: unknown to the catalog\n  1 statement scanned 5 GiB; savings unknown",
				"  a       ?              1   100%    5 GiB      —                —              —\n",
				"docs/advise.md",
			},
			notOut:   []string{"hive.old.table"},
			wantWarn: []string{"skipped 1 unreadable ledger line", "ledger.jsonl:4"},
		},
		{
			name:    "json",
			args:    []string{"--config", configFile, "--format", "json"},
			wantOut: []string{`"name": "hive.web.events"`, `"best_column": "event_ts"`, `"best_action": "partition"`, `"skipped_lines": 1`, `"since": "2026-11-01T12:00:00Z"`, `"days_read": 7`},
		},
		{
			name:    "one table",
			args:    []string{"--ledger", ledgerFile, "--catalog", catalogFile, "--table", "MYPROJ.analytics.logs"},
			wantOut: []string{"1 statement from", "myproj.analytics.logs: 10 GiB"},
			notOut:  []string{"hive.web.events"},
		},
		{
			name:    "top",
			args:    []string{"--ledger", ledgerFile, "--catalog", catalogFile, "--top", "1"},
			wantOut: []string{"hive.web.events: 30 GiB", "2 tables more; --top 0 lists them all"},
			notOut:  []string{"hive.x.unknown"},
		},
		{
			name:     "no catalog",
			args:     []string{"--ledger", ledgerFile},
			wantOut:  []string{"hive.web.events: no catalog given", "savings unknown"},
			wantWarn: []string{"no catalog, so no savings are estimated"},
		},
		{
			name:    "a span of dates",
			args:    []string{"--ledger", ledgerFile, "--since", "2026-10-01", "--until", "2026-10-31"},
			wantOut: []string{"1 statement from 2026-10-01 00:00 UTC to 2026-10-31 00:00 UTC, 1 table read by them", "hive.old.table"},
		},
		{name: "missing ledger", args: []string{"--ledger", filepath.Join(dir, "nope.jsonl")}, wantWarn: []string{"no ledger at"}},
		{name: "no ledger", args: []string{"--catalog", catalogFile}, wantErr: &usageError{}},
		{name: "bad since", args: []string{"--ledger", ledgerFile, "--since", "yesterday"}, wantErr: &usageError{}},
		{name: "bad format", args: []string{"--ledger", ledgerFile, "--format", "csv"}, wantErr: &usageError{}},
		{name: "bad catalog", args: []string{"--ledger", ledgerFile, "--catalog", ledgerFile}, wantErr: &usageError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := adviseAt(context.Background(), tt.args, &out, &errOut, zap.NewNop(), now)
			if tt.name == "missing ledger" {
				if err == nil || !strings.Contains(err.Error(), "no ledger at") {
					t.Fatalf("err = %v, want a missing ledger", err)
				}
				return
			}
			if tt.wantErr != nil {
				if _, ok := err.(*usageError); !ok {
					t.Fatalf("err = %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("advise: %v\nstderr: %s", err, errOut.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.notOut {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.wantWarn {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
		})
	}
}

// The JSON output is one object a script can decode.
func TestAdviseJSON(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	catalogFile, ledgerFile := adviseFixture(t, t.TempDir(), now)
	var out, errOut bytes.Buffer
	if err := adviseAt(context.Background(), []string{"--ledger", ledgerFile, "--catalog", catalogFile, "--format", "json"}, &out, &errOut, zap.NewNop(), now); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Statements int `json:"statements"`
		Tables     []struct {
			Name      string `json:"name"`
			InCatalog bool   `json:"in_catalog"`
			Note      string `json:"note"`
			Savings   int64  `json:"savings"`
			Columns   []struct {
				Name             string `json:"name"`
				Partitioned      bool   `json:"partitioned"`
				PartitionSavings int64  `json:"partition_savings"`
			} `json:"columns"`
		} `json:"tables"`
		SkippedLines int `json:"skipped_lines"`
	}
	dec := json.NewDecoder(&out)
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if dec.More() {
		t.Error("more than one JSON value")
	}
	if got.Statements != 5 || got.SkippedLines != 1 || len(got.Tables) != 3 {
		t.Fatalf("got %+v", got)
	}
	ev := got.Tables[0]
	wantSaved := int64(9<<30) * 23 / 30
	if ev.Name != "hive.web.events" || !ev.InCatalog || ev.Savings < wantSaved-1 || ev.Savings > wantSaved+1 {
		t.Errorf("events %+v, want savings %d", ev, wantSaved)
	}
	if c := ev.Columns[1]; c.Name != "event_date" || !c.Partitioned || c.PartitionSavings != 0 {
		t.Errorf("event_date %+v", c)
	}
	if u := got.Tables[2]; u.Name != "hive.x.unknown" || u.InCatalog || u.Note != "unknown to the catalog" {
		t.Errorf("unknown table %+v", u)
	}
}

// advise is registered as a command.
func TestAdviseCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"advise", "--ledger", filepath.Join(t.TempDir(), "none.jsonl")}, nil, &out, &errOut); code != exitFail {
		t.Errorf("exit code %d, want %d; stderr %s", code, exitFail, errOut.String())
	}
	if !strings.Contains(errOut.String(), "skim: advise: no ledger at") {
		t.Errorf("stderr %q", errOut.String())
	}
	out.Reset()
	run([]string{"help"}, nil, &out, &errOut)
	if !strings.Contains(out.String(), "skim advise --ledger FILE") {
		t.Errorf("usage lacks advise:\n%s", out.String())
	}
}
