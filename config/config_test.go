package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// yamlLines joins lines into a file, so that tests can count lines.
func yamlLines(lines ...string) []byte {
	return []byte(strings.Join(lines, "\n") + "\n")
}

func TestLoadExample(t *testing.T) {
	cfg, err := Load("testdata/skim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	catalogFile, err := filepath.Abs("../catalog/testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ledgerFile, err := filepath.Abs("testdata/ledger.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	spoolDir, err := filepath.Abs("testdata/spool")
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Rewrite: Rewrite{
			MinTableBytes:      1 << 30,
			MaxShortfall:       1e-6,
			TrinoSplitBytes:    64 << 20,
			BigQueryBlockBytes: 1 << 30,
		},
		Catalog:  Catalog{File: catalogFile},
		Trino:    Trino{Listen: ":8081", Upstream: "http://trino:8080", PublicURL: "https://skim.example.com", PricePerTiB: ptr(5.0)},
		BigQuery: BigQuery{Listen: ":8082", Upstream: "https://bigquery.googleapis.com", MaxBytesBilled: 10 << 40, PricePerTiB: ptr(6.25)},
		Admin:    Admin{Listen: "127.0.0.1:9091"},
		Ledger:   Ledger{File: ledgerFile, SQL: SQLNormalized, SpoolDir: spoolDir},
		Teams:    []Team{{Name: "growth", Users: []string{"alice", "growth-*"}}, {Name: "platform", Users: []string{"svc-*"}}},
		Policies: []Policy{
			{Name: "ci", Mode: ModeOff, Match: &Match{Users: []string{"ci-*", "svc-build"}}},
			{Name: "pipelines", Mode: ModeAdvise, Match: &Match{Sources: []string{"dbt*", "airflow"}}},
			{
				Name: "dev", Mode: ModeEnforce,
				Match:          &Match{ClientTags: []string{"dev"}, Labels: map[string]string{"env": "dev"}},
				Sample:         &Sample{MinTableBytes: 1 << 30, Percent: 1, PartitionsLast: 7 * 24 * time.Hour, Seed: 42, Key: "user_id"},
				Budget:         Budget{MaxScanBytes: 1 << 40, DailyScanBytesPerUser: 10 << 40},
				NoOptOut:       true,
				RejectUnparsed: true,
			},
			{Name: "notebooks", Mode: ModeRewrite, Match: &Match{
				Users: []string{"*"}, Sources: []string{"jupyter*"}, ClientTags: []string{"dev", "explore-*"},
			}},
			{Name: "default", Mode: ModeAdvise},
		},
		Path: "testdata/skim.yaml",
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("Load:\n got %+v\nwant %+v", cfg, want)
	}
	if _, err := os.Stat(cfg.Catalog.File); err != nil {
		t.Errorf("the example's catalog file should exist: %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/no-such-file.yaml")
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "testdata/no-such-file.yaml") {
		t.Errorf("Load of a missing file: got %v, want a not-exist error naming the file", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestParseValid(t *testing.T) {
	t.Setenv("SKIM_TEST_PW", "s3cret")
	tests := []struct {
		name string
		src  []byte
		want *Config
	}{
		{
			name: "sizes in every notation",
			src: yamlLines(
				"rewrite:",
				"  min_table_bytes: 1073741824",
				"  trino_split_bytes: 64 MB",
				"  bigquery_block_bytes: 1.5GiB",
				"  max_shortfall: 0.001",
			),
			want: &Config{
				Rewrite:  Rewrite{MinTableBytes: 1 << 30, TrinoSplitBytes: 64e6, BigQueryBlockBytes: 3 << 29, MaxShortfall: 0.001},
				Policies: Default().Policies,
			},
		},
		{
			name: "an empty mapping takes every default",
			src:  []byte("{}\n"),
			want: &Config{Policies: Default().Policies},
		},
		{
			name: "empty sections and policies take the defaults",
			src:  yamlLines("rewrite:", "catalog:", "policies:", "  # - {name: a, mode: off}"),
			want: &Config{Policies: Default().Policies},
		},
		{
			name: "an explicit empty policy list leaves none",
			src:  []byte("policies: []\n"),
			want: &Config{Policies: []Policy{}},
		},
		{
			name: "policies in any order, anchors and aliases",
			src: yamlLines(
				"policies:",
				"  - name: a",
				"    mode: &m advise",
				"    match: &ci {users: [ci-*]}",
				"  - {name: b, mode: *m, match: {client_tags: [x], sources: []}}",
				"  - {name: c, mode: off}",
			),
			want: &Config{Policies: []Policy{
				{Name: "a", Mode: ModeAdvise, Match: &Match{Users: []string{"ci-*"}}},
				{Name: "b", Mode: ModeAdvise, Match: &Match{ClientTags: []string{"x"}}},
				{Name: "c", Mode: ModeOff},
			}},
		},
		{
			name: "enforce, sample, budget, opt-out, labels, teams, prices and a postgres ledger",
			src: yamlLines(
				"trino: {price_per_tib: 5}",
				"bigquery: {price_per_tib: $0}",
				"ledger: {postgres: \"postgres://skim:${SKIM_TEST_PW}@db/skim\", sql: normalized}",
				"teams:",
				"  growth: [alice, \"growth-*\"]",
				"  platform: [\"svc-*\"]",
				"policies:",
				"  - name: dev",
				"    match: {users: [\"ci-*\"], labels: {env: dev}}",
				"    mode: enforce",
				"    sample: {min_table_bytes: 1GiB, percent: 0.5%, partitions_last: 7d, seed: 42, key: User_ID}",
				"    budget: {max_scan_bytes: 1TiB, daily_scan_bytes_per_user: 10TiB}",
				"    opt_out: false",
				"    unparsed: reject",
				"  - {name: rest, mode: rewrite}",
			),
			want: &Config{
				Trino:    Trino{PricePerTiB: ptr(5.0)},
				BigQuery: BigQuery{PricePerTiB: ptr(0.0)},
				Ledger:   Ledger{Postgres: "postgres://skim:s3cret@db/skim", SQL: SQLNormalized},
				Teams:    []Team{{Name: "growth", Users: []string{"alice", "growth-*"}}, {Name: "platform", Users: []string{"svc-*"}}},
				Policies: []Policy{
					{
						Name: "dev", Mode: ModeEnforce,
						Match:          &Match{Users: []string{"ci-*"}, Labels: map[string]string{"env": "dev"}},
						Sample:         &Sample{MinTableBytes: 1 << 30, Percent: 0.5, PartitionsLast: 7 * 24 * time.Hour, Seed: 42, Key: "user_id"},
						Budget:         Budget{MaxScanBytes: 1 << 40, DailyScanBytesPerUser: 10 << 40},
						NoOptOut:       true,
						RejectUnparsed: true,
					},
					{Name: "rest", Mode: ModeRewrite},
				},
			},
		},
		{
			name: "a policy with a match after the default-less list",
			src:  yamlLines("policies:", "  - {name: only, mode: rewrite, match: {users: [alice]}}"),
			want: &Config{Policies: []Policy{{Name: "only", Mode: ModeRewrite, Match: &Match{Users: []string{"alice"}}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("skim.yaml", tt.src)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Path = "skim.yaml"
			if !reflect.DeepEqual(cfg, tt.want) {
				t.Errorf("Parse:\n got %+v\nwant %+v", cfg, tt.want)
			}
		})
	}
}

// wantErr is one line of a Parse error: file:line: field: message.
type wantErr struct {
	line  int    // 0 for problems with no line
	field string // empty for problems at the top level
	msg   string // a part of the message
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  []byte
		want []wantErr
	}{
		{
			name: "unknown mode",
			src: yamlLines(
				"rewrite:",
				"  min_table_bytes: 1GiB",
				"policies:",
				"  - name: a",
				"    mode: rewrite",
				"    match: {users: [x]}",
				"  - name: b",
				"    mode: enforced",
			),
			want: []wantErr{{8, "policies[1].mode", `"enforced" is not a mode; valid modes: off, advise, rewrite, enforce`}},
		},
		{
			name: "not a size",
			src:  yamlLines("# skim", "rewrite:", "  min_table_bytes: 1 GBB"),
			want: []wantErr{{3, "rewrite.min_table_bytes", `invalid size "1 GBB": unknown unit "GBB"; write a whole number of bytes or a number with a unit`}},
		},
		{
			name: "negative and zero sizes",
			src:  yamlLines("rewrite:", "  trino_split_bytes: -64MiB", "  bigquery_block_bytes: 0"),
			want: []wantErr{
				{2, "rewrite.trino_split_bytes", "cannot be negative"},
				{3, "rewrite.bigquery_block_bytes", "a size of 0 is not allowed; remove the line to use the default"},
			},
		},
		{
			name: "size given as a list or nothing",
			src:  yamlLines("rewrite:", "  min_table_bytes: [1GiB]", "  trino_split_bytes:"),
			want: []wantErr{
				{2, "rewrite.min_table_bytes", "expected a size such as 1GiB, 512MiB or 1073741824, not a list"},
				{3, "rewrite.trino_split_bytes", "no value; expected a size such as 1GiB"},
			},
		},
		{
			name: "max_shortfall out of range",
			src:  []byte("rewrite: {max_shortfall: 0.5}\n"),
			want: []wantErr{{1, "rewrite.max_shortfall", "0.5 is out of range; expected a probability above 0 and below 0.01, such as 1e-6"}},
		},
		{
			name: "max_shortfall bounds are exclusive",
			src:  []byte("rewrite: {max_shortfall: 0.01}\n"),
			want: []wantErr{{1, "rewrite.max_shortfall", "0.01 is out of range"}},
		},
		{
			name: "max_shortfall zero",
			src:  []byte("rewrite: {max_shortfall: 0}\n"),
			want: []wantErr{{1, "rewrite.max_shortfall", "0 is out of range"}},
		},
		{
			name: "max_shortfall negative",
			src:  []byte("rewrite:\n  max_shortfall: -1e-6\n"),
			want: []wantErr{{2, "rewrite.max_shortfall", "-1e-6 is out of range"}},
		},
		{
			name: "max_shortfall not a number",
			src:  []byte("rewrite:\n  max_shortfall: tiny\n"),
			want: []wantErr{{2, "rewrite.max_shortfall", `"tiny" is not a number; expected a probability above 0 and below 0.01`}},
		},
		{
			name: "unknown rewrite field",
			src:  yamlLines("rewrite:", "  min_bytes: 1GiB"),
			want: []wantErr{{2, "rewrite", `unknown field "min_bytes"; valid fields: min_table_bytes, max_shortfall, trino_split_bytes, bigquery_block_bytes`}},
		},
		{
			name: "policy settings out of range",
			src: yamlLines(
				"ledger: {file: l.jsonl, postgres: \"postgres://u:${SKIM_UNSET_VAR}@h/d\", sql: some}",
				"policies:",
				"  - name: a",
				"    mode: rewrite",
				"    sample: {percent: 150, partitions_last: 7 days, seed: -1}",
				"    budget: {max_scan_bytes: 0}",
				"    opt_out: maybe",
				"    unparsed: guess",
			),
			want: []wantErr{
				{1, "ledger.postgres", "environment variable SKIM_UNSET_VAR is not set"},
				{1, "ledger.sql", `"some" is not valid; expected full`},
				{1, "ledger", "both file (line 1) and postgres are set"},
				{5, "policies[0].sample.percent", `"150" is not valid`},
				{5, "policies[0].sample.partitions_last", `"7 days" is not valid; expected a duration such as 7d`},
				{5, "policies[0].sample.seed", `"-1" is not valid; expected a positive integer`},
				{5, "policies[0].sample", "sample applies only to mode enforce"},
				{6, "policies[0].budget.max_scan_bytes", "a size of 0 is not allowed"},
				{7, "policies[0].opt_out", `"maybe" is not valid; expected true`},
				{8, "policies[0].unparsed", `"guess" is not valid; expected pass`},
			},
		},
		{
			name: "unknown top-level, catalog, policy and match fields",
			src: yamlLines(
				"listeners: []",
				"catalog: {path: x.yaml}",
				"policies:",
				"  - name: a",
				"    mode: off",
				"    when: {users: [x]}",
				"    match: {user: [x], users: [y]}",
			),
			want: []wantErr{
				{1, "", `unknown field "listeners"; valid fields: rewrite, catalog, trino, bigquery, admin, ledger, teams, policies`},
				{2, "catalog", `unknown field "path"; valid fields: file`},
				{6, "policies[0]", `unknown field "when"; valid fields: name, mode, match, sample, budget, opt_out, unparsed`},
				{7, "policies[0].match", `unknown field "user"; valid fields: users, sources, client_tags, labels`},
			},
		},
		{
			name: "field set twice",
			src:  yamlLines("rewrite:", "  min_table_bytes: 1GiB", "  min_table_bytes: 2GiB"),
			want: []wantErr{{3, "rewrite.min_table_bytes", "set twice (first at line 2); remove one"}},
		},
		{
			name: "duplicate policy names",
			src: yamlLines(
				"policies:",
				"  - {name: a, mode: off, match: {users: [x]}}",
				"  - {name: b, mode: off, match: {users: [y]}}",
				"  - {name: a, mode: off}",
			),
			want: []wantErr{{4, "policies[2].name", `duplicate policy name "a" (first at line 2); give each policy a unique name`}},
		},
		{
			name: "empty, null and missing policy names",
			src: yamlLines(
				"policies:",
				`  - {name: "", mode: off, match: {users: [x]}}`,
				"  - {name: , mode: off, match: {users: [y]}}",
				"  - {mode: off}",
			),
			want: []wantErr{
				{2, "policies[0].name", "empty policy name; give each policy a unique name"},
				{3, "policies[1].name", "no value; expected a unique policy name"},
				{4, "policies[2]", "missing name; give each policy a unique name"},
			},
		},
		{
			name: "missing and empty mode",
			src:  yamlLines("policies:", "  - name: a", "    match: {users: [x]}", "  - name: b", "    mode:"),
			want: []wantErr{
				{2, "policies[0]", "missing mode; valid modes: off, advise, rewrite"},
				{5, "policies[1].mode", "no value; expected a mode: off, advise, rewrite"},
			},
		},
		{
			name: "second default policy",
			src: yamlLines(
				"policies:",
				"  - name: first",
				"    mode: rewrite",
				"  - name: second",
				"    mode: off",
			),
			want: []wantErr{{4, "policies[1]", `policy "second" has no match, but policy "first" (line 2) is already the default; only one policy may go without a match`}},
		},
		{
			name: "policy after the default",
			src: yamlLines(
				"policies:",
				"  - {name: everyone, mode: rewrite}",
				"  - {name: ci, mode: off, match: {users: [ci-*]}}",
			),
			want: []wantErr{{3, "policies[1]", `policy "ci" can never apply: policy "everyone" (line 2) comes first and, as the default, fits everyone; move the default to the end of the list`}},
		},
		{
			name: "invalid glob patterns",
			src: yamlLines(
				"policies:",
				"  - name: a",
				"    mode: off",
				`    match: {users: ["ci-["], sources: [ok, "a\\"], client_tags: ["[]"]}`,
			),
			want: []wantErr{
				{4, "policies[0].match.users[0]", `"ci-[" is not a valid pattern (syntax error in pattern); use * for any run of characters`},
				{4, "policies[0].match.sources[1]", `"a\\" is not a valid pattern`},
				{4, "policies[0].match.client_tags[0]", `"[]" is not a valid pattern`},
			},
		},
		{
			name: "match without patterns",
			src: yamlLines(
				"policies:",
				"  - {name: a, mode: off, match: {}}",
				"  - {name: b, mode: off, match: {users: []}}",
				"  - {name: c, mode: off, match: }",
			),
			want: []wantErr{
				{2, "policies[0].match", "no patterns; list users, sources, client_tags or labels patterns, or remove match to make this the default policy"},
				{3, "policies[1].match", "no patterns"},
				{4, "policies[2].match", "no value; list users, sources, client_tags or labels patterns"},
			},
		},
		{
			name: "wrong shapes",
			src: yamlLines(
				"rewrite: [min_table_bytes]",
				"catalog: catalog.yaml",
				"policies:",
				"  - default",
				"  - name: [a]",
				"    mode: {off: true}",
				"    match: [users]",
				"  - name: c",
				"    mode: off",
				"    match: {users: ci-*, sources: [[x]]}",
			),
			want: []wantErr{
				{1, "rewrite", "expected a mapping such as {min_table_bytes: 1GiB}, not a list"},
				{2, "catalog", `expected a mapping such as {file: catalog.yaml}, not the value "catalog.yaml"`},
				{4, "policies[0]", `expected a policy such as {name: default, mode: rewrite}, not the value "default"`},
				{5, "policies[1].name", "expected a unique policy name, not a list"},
				{6, "policies[1].mode", "expected a mode: off, advise, rewrite, enforce, not a mapping"},
				{7, "policies[1].match", `expected a mapping such as {users: ["ci-*"]}, not a list`},
				{10, "policies[2].match.users", `expected a list of patterns such as ["ci-*"], not the value "ci-*"`},
				{10, "policies[2].match.sources[0]", `expected a pattern such as "ci-*", not a list`},
			},
		},
		{
			name: "policies not a list",
			src:  yamlLines("policies:", "  default: {mode: off}"),
			want: []wantErr{{2, "policies", "expected a list of policies such as [{name: default, mode: rewrite}], not a mapping"}},
		},
		{
			name: "empty catalog file",
			src:  yamlLines("catalog:", `  file: ""`),
			want: []wantErr{{2, "catalog.file", "empty path; give the path of a catalog file such as catalog.yaml or remove the line"}},
		},
		{
			name: "errors are collected and sorted by line",
			src: yamlLines(
				"policies:",
				"  - {name: all, mode: rewrite}",
				"  - {name: late, mode: sometimes, match: {users: [x]}}",
				"rewrite:",
				"  max_shortfall: 1",
			),
			want: []wantErr{
				{3, "policies[1].mode", `"sometimes" is not a mode`},
				{3, "policies[1]", `policy "late" can never apply`},
				{5, "rewrite.max_shortfall", "1 is out of range"},
			},
		},
		{
			name: "empty file",
			src:  nil,
			want: []wantErr{{0, "", "the file is empty; it should be a YAML mapping with the sections rewrite, catalog and policies"}},
		},
		{
			name: "only comments",
			src:  yamlLines("# rewrite:", "#   min_table_bytes: 1GiB"),
			want: []wantErr{{0, "", "the file is empty"}},
		},
		{
			name: "only a null",
			src:  yamlLines("---", "~"),
			want: []wantErr{{0, "", "the file is empty"}},
		},
		{
			name: "top level is a list",
			src:  yamlLines("- rewrite"),
			want: []wantErr{{1, "", "expected a mapping with the sections rewrite, catalog and policies, not a list"}},
		},
		{
			name: "two documents",
			src:  yamlLines("rewrite: {}", "---", "policies: []"),
			want: []wantErr{{2, "", `a second YAML document starts here; skim reads one, so remove the "---"`}},
		},
		{
			name: "syntax error on the first line",
			src:  yamlLines("rewrite: min_table_bytes: 1GiB", "policies: []"),
			want: []wantErr{{1, "", "invalid YAML: mapping values are not allowed in this context; check the indentation"}},
		},
		{
			name: "syntax error: key indented too little",
			src:  yamlLines("rewrite:", "  min_table_bytes: 1GiB", " max_shortfall: 1e-6"),
			want: []wantErr{{3, "", "invalid YAML: did not find expected key"}},
		},
		{
			name: "syntax error: policy key indented too little",
			src: yamlLines(
				"rewrite:",
				"  min_table_bytes: 1GiB",
				"policies:",
				"  - name: a",
				"    mode: off",
				"   match: {users: [x]}",
			),
			want: []wantErr{{6, "", "invalid YAML: did not find expected '-' indicator"}},
		},
		{
			name: "syntax error: unclosed flow sequence",
			src: yamlLines(
				"policies:",
				"  - name: a",
				"    mode: off",
				"    match: {users: [a, b}",
			),
			want: []wantErr{{4, "", "invalid YAML: did not find expected ',' or ']'"}},
		},
		{
			name: "syntax error: tab indentation",
			src:  yamlLines("policies:", "  - name: a", "\tmode: off"),
			want: []wantErr{{3, "", "invalid YAML: found a tab character that violates indentation"}},
		},
		{
			name: "syntax error: unterminated quote",
			src:  yamlLines("rewrite:", "  min_table_bytes: 1GiB", `catalog: {file: "x.yaml}`),
			want: []wantErr{{3, "", "invalid YAML: found unexpected end of stream"}},
		},
		{
			name: "syntax error: unknown anchor",
			src:  yamlLines("policies:", "  - name: a", "    mode: *nope"),
			want: []wantErr{{3, "", "invalid YAML: unknown anchor 'nope' referenced"}},
		},
		{
			name: "invalid UTF-8",
			src:  yamlLines("rewrite:", "  min_table_bytes: 1GiB", "# caf\xe9"),
			want: []wantErr{{3, "", "the file is not valid UTF-8 here; save it as UTF-8"}},
		},
		{
			name: "control character",
			src:  yamlLines("policies:", "  - {name: a\x00, mode: off}"),
			want: []wantErr{{2, "", "character U+0000 is not allowed in YAML; remove it"}},
		},
		{
			name: "UTF-16",
			src:  []byte("\xff\xfer\x00e\x00"),
			want: []wantErr{{1, "", "the file is UTF-16; save it as UTF-8"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("skim.yaml", tt.src)
			if err == nil {
				t.Fatalf("Parse succeeded with %+v; want errors", cfg)
			}
			checkErrorLines(t, err, tt.want)
		})
	}
}

// checkErrorLines checks that err has exactly one line per wanted problem,
// in order, each naming the file, the line and the field.
func checkErrorLines(t *testing.T, err error, want []wantErr) {
	t.Helper()
	got := strings.Split(err.Error(), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d error lines, want %d:\n%v", len(got), len(want), err)
	}
	for i, w := range want {
		prefix := "skim.yaml"
		if w.line > 0 {
			prefix += fmt.Sprintf(":%d", w.line)
		}
		prefix += ": "
		if w.field != "" {
			prefix += w.field + ": "
		}
		if !strings.HasPrefix(got[i], prefix) || !strings.Contains(got[i][len(prefix):], w.msg) {
			t.Errorf("error line %d:\n got %s\nwant %s...%s...", i, got[i], prefix, w.msg)
		}
	}
}

func TestParseErrorsWrap(t *testing.T) {
	_, err := Parse("skim.yaml", []byte("policies: [{name: a, mode: off, match: {users: ['[']}}]\n"))
	if !errors.Is(err, path.ErrBadPattern) {
		t.Errorf("error %v should wrap path.ErrBadPattern", err)
	}
}

func TestParseErrorLimit(t *testing.T) {
	src := []string{"policies:"}
	for i := range 25 {
		src = append(src, fmt.Sprintf("  - {name: p%d, mode: bad, match: {users: [u%d]}}", i, i))
	}
	_, err := Parse("skim.yaml", yamlLines(src...))
	want := make([]wantErr, 0, 21)
	for i := range 20 {
		want = append(want, wantErr{i + 2, fmt.Sprintf("policies[%d].mode", i), `"bad" is not a mode`})
	}
	want = append(want, wantErr{0, "", "5 more problems not shown; fix the ones above and load the file again"})
	checkErrorLines(t, err, want)
}

func TestCatalogPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		configFile, catalogFile, want string
	}{
		{"/etc/skim/skim.yaml", "catalog.yaml", "/etc/skim/catalog.yaml"},
		{"/etc/skim/skim.yaml", "../shared/catalog.yaml", "/etc/shared/catalog.yaml"},
		{"/etc/skim/skim.yaml", "/var/lib/skim/catalog.yaml", "/var/lib/skim/catalog.yaml"},
		{"skim.yaml", "catalog.yaml", filepath.Join(wd, "catalog.yaml")},
		{"deploy/skim.yaml", "./cat/c.yaml", filepath.Join(wd, "deploy/cat/c.yaml")},
	}
	for _, tt := range tests {
		cfg, err := Parse(tt.configFile, []byte("catalog: {file: "+tt.catalogFile+"}\n"))
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.configFile, err)
			continue
		}
		if cfg.Catalog.File != tt.want {
			t.Errorf("catalog %q in %q: got %q, want %q", tt.catalogFile, tt.configFile, cfg.Catalog.File, tt.want)
		}
	}
}

func TestPolicyFor(t *testing.T) {
	withDefault, err := Parse("skim.yaml", yamlLines(
		"policies:",
		"  - {name: ci, mode: off, match: {users: [ci-*, build]}}",
		"  - {name: dbt, mode: advise, match: {sources: [dbt*]}}",
		"  - {name: dev-notebooks, mode: rewrite, match: {users: [a*], sources: [jupyter], client_tags: [dev, \"exp-?\"]}}",
		"  - {name: default, mode: advise}",
	))
	if err != nil {
		t.Fatal(err)
	}
	noDefault := &Config{Policies: withDefault.Policies[:3]}
	tests := []struct {
		name string
		cfg  *Config
		who  Who
		want string // "" for no policy
	}{
		{"user glob", withDefault, Who{User: "ci-nightly"}, "ci"},
		{"user literal", withDefault, Who{User: "build", Source: "dbt-core"}, "ci"},
		{"first fit wins", withDefault, Who{User: "ci-1", Source: "dbt"}, "ci"},
		{"source glob", withDefault, Who{User: "bob", Source: "dbt-core"}, "dbt"},
		{"glob does not cross slashes", withDefault, Who{User: "ci-x/y"}, "default"},
		{"all lists match, one tag fits", withDefault, Who{User: "ann", Source: "jupyter", ClientTags: []string{"team-x", "exp-1"}}, "dev-notebooks"},
		{"tags but wrong source", withDefault, Who{User: "ann", Source: "cli", ClientTags: []string{"dev"}}, "default"},
		{"no tags", withDefault, Who{User: "ann", Source: "jupyter"}, "default"},
		{"no matching tag", withDefault, Who{User: "ann", Source: "jupyter", ClientTags: []string{"exp-10"}}, "default"},
		{"empty who falls to default", withDefault, Who{}, "default"},
		{"nil without default", noDefault, Who{User: "bob"}, ""},
		{"match without default", noDefault, Who{User: "ci-1"}, "ci"},
		{"Default fits everyone", Default(), Who{User: "anyone"}, "default"},
		{"no policies", &Config{}, Who{User: "anyone"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cfg.PolicyFor(tt.who)
			switch {
			case got == nil && tt.want != "":
				t.Errorf("PolicyFor(%+v) = nil, want %q", tt.who, tt.want)
			case got != nil && got.Name != tt.want:
				t.Errorf("PolicyFor(%+v) = %q, want %q", tt.who, got.Name, tt.want)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	cfg, err := Load("testdata/skim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cfg     *Config
		policy  string
		wantErr string // "" for success
	}{
		{"known", cfg, "notebooks", ""},
		{"unknown", cfg, "note", `no policy named "note" in testdata/skim.yaml; valid policies: ci, pipelines, dev, notebooks, default`},
		{"names are exact", cfg, "CI", `no policy named "CI"`},
		{"built-in default", Default(), "default", ""},
		{"unknown in built-in", Default(), "x", `no policy named "x" in the built-in configuration; valid policies: default`},
		{"no policies", &Config{Path: "skim.yaml"}, "x", `no policy named "x": skim.yaml defines no policies; add one under policies`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.cfg.Policy(tt.policy)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Policy(%q): %v", tt.policy, err)
			case tt.wantErr == "" && p.Name != tt.policy:
				t.Errorf("Policy(%q) returned %q", tt.policy, p.Name)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Policy(%q): got error %v, want %q", tt.policy, err, tt.wantErr)
			}
		})
	}
}

func TestDefault(t *testing.T) {
	a, b := Default(), Default()
	want := &Config{Policies: []Policy{{Name: "default", Mode: ModeRewrite}}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("Default() = %+v, want %+v", a, want)
	}
	// Each call returns its own copy, so callers may change it.
	a.Policies[0].Mode = ModeOff
	if b.Policies[0].Mode != ModeRewrite {
		t.Error("Default() results share their policies")
	}
}

func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("testdata/skim.yaml"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"{}",
		"policies: []",
		"rewrite: {min_table_bytes: 1GiB, max_shortfall: 1e-6}",
		"policies: [{name: a, mode: off, match: {users: ['[']}}, {name: b, mode: rewrite}]",
		"a: &x [*x]",
		"policies: &p [*p]",
		"rewrite:\n  min_table_bytes: 1GiB\n max_shortfall: 1e-6\n",
		"- a\n---\n- b\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data)
		if err != nil {
			if cfg != nil {
				t.Fatal("Parse returned both a config and an error")
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz.yaml") {
					t.Fatalf("error line %q does not name the file", line)
				}
			}
			return
		}
		defaults := 0
		for _, p := range cfg.Policies {
			if p.Match == nil {
				defaults++
			}
		}
		if defaults > 1 {
			t.Fatalf("accepted %d default policies", defaults)
		}
		cfg.PolicyFor(Who{User: "u", Source: "s", ClientTags: []string{"t"}})
	})
}

func TestParseServeSections(t *testing.T) {
	cfg, err := Parse("/etc/skim/skim.yaml", []byte("trino:\n  listen: \":8081\"\n  upstream: http://trino:8080\n  public_url: https://skim.example.com\nadmin:\n  listen: 127.0.0.1:9091\nledger:\n  file: ledger.jsonl\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Trino{Listen: ":8081", Upstream: "http://trino:8080", PublicURL: "https://skim.example.com"}
	if cfg.Trino != want || cfg.Admin.Listen != "127.0.0.1:9091" || cfg.Ledger.File != "/etc/skim/ledger.jsonl" {
		t.Errorf("got %+v %+v %+v", cfg.Trino, cfg.Admin, cfg.Ledger)
	}
	bq, err := Parse("skim.yaml", []byte("bigquery:\n  listen: \":8082\"\n  max_bytes_billed: 1TiB\n"))
	if err != nil || bq.BigQuery.MaxBytesBilled != 1<<40 || bq.BigQuery.Listen != ":8082" {
		t.Errorf("bigquery section: %+v, %v", bq.BigQuery, err)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"bigquery:\n  max_bytes_billed: lots\n", `skim.yaml:2: bigquery.max_bytes_billed`},
		{"trino:\n  listen: 8081\n", `skim.yaml:2: trino.listen: "8081" is not a listen address`},
		{"trino:\n  upstream: trino:8080\n", `skim.yaml:2: trino.upstream: "trino:8080" is not an http or https URL`},
		{"admin:\n  port: 1\n", `skim.yaml:2: admin: unknown field "port"; valid fields: listen`},
		{"ledger:\n  file: \"\"\n", `skim.yaml:2: ledger.file: empty path`},
	} {
		_, err := Parse("skim.yaml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tt.yaml, err, tt.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{7 * 24 * time.Hour, "7d"},
		{36 * time.Hour, "36h0m0s"},
		{90 * time.Minute, "1h30m0s"},
	} {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
		if back, err := ParseDuration(FormatDuration(tt.d)); err != nil || back != tt.d {
			t.Errorf("ParseDuration(FormatDuration(%v)) = %v, %v", tt.d, back, err)
		}
	}
}
