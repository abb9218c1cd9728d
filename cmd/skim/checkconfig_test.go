package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	engineMin := write("min.yaml", "rewrite: {min_table_bytes: 5GiB}\npolicies: [{name: d, mode: enforce, match: {labels: {zone: a, env: dev}}}]\n")
	pg := write("pg.yaml", "ledger: {postgres: \"postgres://skim:hunter2@db/skim?sslpassword=hunter3\"}\npolicies: [{name: d, mode: enforce}]\n")
	bad := write("bad.yaml", "policies:\n  - name: a\n    mode: enforced\n    budget: {max_scan_bytes: lots}\n")
	badCatalog := write("badcat.yaml", "catalog: {file: missing-catalog.yaml}\n")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  []string
		notWant  []string
	}{
		{
			name:     "the example is valid and summarized",
			args:     []string{"check-config", "../../config/testdata/skim.yaml"},
			wantOut:  []string{"skim.yaml: ok", "3. dev: enforce, for client tags dev; label env=dev", "by a hash of user_id", "budget: 1 TiB per statement, 10 TiB per user per day", "5. default: advise, for everyone else (default)"},
			wantCode: 0,
		},
		{
			name:     "a PostgreSQL ledger's password is not shown",
			args:     []string{"check-config", pg},
			wantOut:  []string{"ledger:    postgres://skim:xxxxx@db/skim?sslpassword=xxxxx", "sample: 1% of every table of 1 GiB or more, different on each run"},
			notWant:  []string{"hunter2", "hunter3"},
			wantCode: 0,
		},
		{
			name:     "a sample without its own threshold uses rewrite.min_table_bytes",
			args:     []string{"check-config", engineMin},
			wantOut:  []string{"sample: 1% of every table of 5 GiB or more", "for label env=dev; label zone=a"},
			wantCode: 0,
		},
		{
			name:     "every problem with its line and field",
			args:     []string{"check-config", bad},
			wantErr:  []string{"bad.yaml:3: policies[0].mode: \"enforced\" is not a mode; valid modes: off, advise, rewrite, enforce", "bad.yaml:4: policies[0].budget.max_scan_bytes:", "is not valid; fix the problems above"},
			wantCode: 1,
		},
		{
			name:     "the catalog file must load",
			args:     []string{"check-config", badCatalog},
			wantErr:  []string{"missing-catalog.yaml"},
			wantCode: 1,
		},
		{
			name:     "a missing file",
			args:     []string{"check-config", filepath.Join(dir, "nope.yaml")},
			wantErr:  []string{"nope.yaml"},
			wantCode: 1,
		},
		{
			name:     "no file is a usage error",
			args:     []string{"check-config"},
			wantErr:  []string{"give exactly one configuration file"},
			wantCode: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, strings.NewReader(""), &out, &errOut)
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out.String(), errOut.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out.String()+errOut.String(), w) {
					t.Errorf("output shows %q", w)
				}
			}
		})
	}
}
