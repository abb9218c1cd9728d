package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const exampleCatalog = "../../catalog/testdata/example.yaml"

func TestExplain(t *testing.T) {
	dir := t.TempDir()
	badCatalog := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badCatalog, []byte("tables:\n  - name: events\n    rows: 1\n    bytes: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const randLimit = "SELECT user_id FROM iceberg.web.events ORDER BY rand() LIMIT 10"
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantOut    []string
		wantErr    []string
		notWantOut []string
	}{
		{
			name:     "human report with a diff",
			args:     []string{"explain", "--catalog", exampleCatalog, randLimit},
			wantCode: 0,
			wantOut: []string{"decision: rewrite", "rules:    rand_limit", "-" + randLimit,
				"+SELECT user_id FROM iceberg.web.events TABLESAMPLE SYSTEM (", "scan:     2.4 TiB → ", "guarantee: if fewer than 10 rows"},
		},
		{
			name:     "statement from stdin with session defaults",
			args:     []string{"explain", "--dialect", "bigquery", "--catalog", exampleCatalog, "--default-catalog", "myproj", "--default-schema", "analytics", "-"},
			stdin:    "SELECT page FROM events LIMIT 10\n",
			wantCode: 0,
			wantOut:  []string{"decision: rewrite", "limit_scan", "TABLESAMPLE SYSTEM (0.81 PERCENT)"},
		},
		{
			name:     "partition sample",
			args:     []string{"explain", "--dialect", "bigquery", "--catalog", exampleCatalog, "SELECT message FROM `myproj.analytics.logs` ORDER BY RAND() LIMIT 100"},
			wantCode: 0,
			wantOut:  []string{"decision: rewrite", "myproj.analytics.logs: sample of whole partitions, partitions 1/10"},
		},
		{
			name:       "passthrough shows the statement unchanged",
			args:       []string{"explain", "--catalog", exampleCatalog, "SELECT * FROM hive.ref.countries ORDER BY rand() LIMIT 5"},
			wantCode:   0,
			wantOut:    []string{"decision: passthrough", "hive.ref.countries is 16 KiB, below the 1 GiB sampling threshold", "statement (unchanged):"},
			notWantOut: []string{"+++ rewritten"},
		},
		{
			name:     "advise policy rewrites nothing",
			args:     []string{"explain", "--config", "../../config/testdata/skim.yaml", "--policy", "pipelines", randLimit},
			wantCode: 0,
			wantOut:  []string{"decision: passthrough", "policy pipelines only advises; skim would rewrite: rand_limit", "skim advice:"},
		},
		{
			name:     "enforce policy samples an aggregate by the sampling key",
			args:     []string{"explain", "--config", "../../config/testdata/skim.yaml", "--policy", "dev", "SELECT device, count(*) FROM iceberg.web.sessions GROUP BY device"},
			wantCode: 0,
			wantOut: []string{"decision: rewrite", "rules:    dev_sample", "answer:   approximate", "dev sample: 1% by a hash of user_id",
				"xxhash64(to_utf8('42:' || CAST(user_id AS varchar)))"},
		},
		{
			name:     "budget rejects a full scan",
			args:     []string{"explain", "--config", "../../config/testdata/skim.yaml", "--policy", "dev", "--json", "SELECT * FROM iceberg.web.events /* skim:off */"},
			wantCode: 0,
			wantOut: []string{`"decision": "reject"`, `"rejection": "budget"`, "above the 1 TiB a statement may scan under policy dev",
				"filter iceberg.web.events on its partition column event_date", "does not allow opting out"},
			notWantOut: []string{"skim:off */ to run it anyway"},
		},
		{
			name:     "off policy",
			args:     []string{"explain", "--config", "../../config/testdata/skim.yaml", "--policy", "ci", randLimit},
			wantCode: 0,
			wantOut:  []string{"decision: passthrough", "policy ci is off"},
		},
		{
			name:     "unknown policy",
			args:     []string{"explain", "--config", "../../config/testdata/skim.yaml", "--policy", "nope", randLimit},
			wantCode: 2,
			wantErr:  []string{"nope"},
		},
		{
			name:     "unparseable statement passes through",
			args:     []string{"explain", "--catalog", exampleCatalog, "SELEKT 1"},
			wantCode: 0,
			wantOut:  []string{"decision: passthrough", "could not parse"},
		},
		{
			name:     "no catalog",
			args:     []string{"explain", randLimit},
			wantCode: 2,
			wantErr:  []string{"no catalog: pass --catalog FILE"},
		},
		{
			name:     "missing catalog file",
			args:     []string{"explain", "--catalog", filepath.Join(dir, "missing.yaml"), randLimit},
			wantCode: 2,
			wantErr:  []string{"missing.yaml"},
		},
		{
			name:     "invalid catalog names file, line and field",
			args:     []string{"explain", "--catalog", badCatalog, randLimit},
			wantCode: 2,
			wantErr:  []string{"bad.yaml:2: tables[0].name"},
		},
		{
			name:     "bad dialect",
			args:     []string{"explain", "--dialect", "mysql", "--catalog", exampleCatalog, randLimit},
			wantCode: 2,
			wantErr:  []string{`--dialect "mysql" is not a dialect`},
		},
		{
			name:     "empty stdin",
			args:     []string{"explain", "--catalog", exampleCatalog},
			wantCode: 2,
			wantErr:  []string{"no statement"},
		},
		{
			name:     "unknown flag",
			args:     []string{"explain", "--frobnicate"},
			wantCode: 2,
			wantErr:  []string{"frobnicate"},
		},
		{
			name:     "unknown command",
			args:     []string{"frobnicate"},
			wantCode: 2,
			wantErr:  []string{`unknown command "frobnicate"`},
		},
		{
			name:     "no command",
			args:     nil,
			wantCode: 2,
			wantErr:  []string{"Usage:"},
		},
		{
			name:     "help",
			args:     []string{"help"},
			wantCode: 0,
			wantOut:  []string{"skim explain"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.notWantOut {
				if strings.Contains(stdout.String(), w) {
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

func TestExplainJSON(t *testing.T) {
	for _, sql := range []string{
		"SELECT user_id FROM iceberg.web.events ORDER BY rand() LIMIT 10",
		"SELECT * FROM hive.ref.countries ORDER BY rand() LIMIT 5",
		"INSERT INTO iceberg.web.events SELECT * FROM iceberg.web.events",
	} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"explain", "--json", "--catalog", exampleCatalog, sql}, strings.NewReader(""), &stdout, &stderr); code != 0 {
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
		for _, key := range []string{"dialect", "original", "rewritten", "changed", "decision", "reason", "rules", "tables", "estimate", "warnings"} {
			if _, ok := got[key]; !ok {
				t.Errorf("%s: JSON lacks %q", sql, key)
			}
		}
		if got["decision"] != "rewrite" && got["rewritten"] != got["original"] {
			t.Errorf("%s: a %v changed the statement", sql, got["decision"])
		}
		tables, _ := got["tables"].([]any)
		for _, tb := range tables {
			for _, key := range []string{"name", "sample_percent", "partitions_selected", "partitions_total", "rows_before", "rows_after", "bytes_before", "bytes_after"} {
				if _, ok := tb.(map[string]any)[key]; !ok {
					t.Errorf("%s: table lacks %q", sql, key)
				}
			}
		}
		est, _ := got["estimate"].(map[string]any)
		for _, key := range []string{"bytes_before", "bytes_after", "method"} {
			if _, ok := est[key]; !ok {
				t.Errorf("%s: estimate lacks %q", sql, key)
			}
		}
	}
}
