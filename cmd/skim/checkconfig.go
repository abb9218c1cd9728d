package main

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/rewrite"
)

const checkConfigUsage = `Usage: skim check-config FILE

Reads and validates a skim configuration file as 'skim serve --config FILE'
would, including that its catalog file loads. Every problem is reported
with its line and field; the exit code is 1 when there is one. A valid file
is summarized: its frontends, ledger and policies in the order they are
tried.
`

// checkConfig implements `skim check-config`.
func checkConfig(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, checkConfigUsage) }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usagef("check-config: %v", err)
	}
	if fs.NArg() != 1 {
		return usagef("check-config: give exactly one configuration file, e.g. skim check-config skim.yaml")
	}
	path := fs.Arg(0)
	invalid := fmt.Errorf("check-config: %s is not valid; fix the problems above", path)
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return invalid
	}
	if cfg.Catalog.File != "" {
		if _, err := catalog.LoadStatic(cfg.Catalog.File); err != nil {
			fmt.Fprintln(stderr, err)
			return invalid
		}
	}
	writeConfigSummary(stdout, cfg)
	return nil
}

// writeConfigSummary says what a valid configuration does.
func writeConfigSummary(w io.Writer, cfg *config.Config) {
	fmt.Fprintf(w, "%s: ok\n\n", cfg.Path)
	if cfg.Trino.Upstream != "" {
		fmt.Fprintf(w, "trino:     %s → %s\n", orDefault(cfg.Trino.Listen, ":8081"), cfg.Trino.Upstream)
	}
	if cfg.BigQuery.Listen != "" {
		fmt.Fprintf(w, "bigquery:  %s → %s\n", cfg.BigQuery.Listen, orDefault(cfg.BigQuery.Upstream, "https://bigquery.googleapis.com"))
	}
	fmt.Fprintf(w, "admin:     %s\n", orDefault(cfg.Admin.Listen, "127.0.0.1:9091"))
	switch {
	case cfg.Catalog.File != "":
		fmt.Fprintf(w, "catalog:   %s\n", cfg.Catalog.File)
	default:
		fmt.Fprintln(w, "catalog:   the engines themselves, cached")
	}
	switch target := cfg.Ledger.Target(); {
	case target == "":
		fmt.Fprintln(w, "ledger:    none (statements are logged only)")
	case cfg.Ledger.Postgres != "":
		fmt.Fprintf(w, "ledger:    %s (sql: %s)\n", ledger.Redact(target), orDefault(string(cfg.Ledger.SQL), "full"))
	default:
		fmt.Fprintf(w, "ledger:    %s (sql: %s)\n", target, orDefault(string(cfg.Ledger.SQL), "full"))
	}
	fmt.Fprintf(w, "prices:    trino %.2f, bigquery %.2f per TiB\n", cfg.Price("trino"), cfg.Price("bigquery"))
	if len(cfg.Teams) > 0 {
		names := make([]string, len(cfg.Teams))
		for i, t := range cfg.Teams {
			names[i] = t.Name
		}
		fmt.Fprintf(w, "teams:     %s\n", strings.Join(names, ", "))
	}
	fmt.Fprintln(w)
	if len(cfg.Policies) == 0 {
		fmt.Fprintln(w, "policies:  none; every statement gets mode rewrite")
		return
	}
	fmt.Fprintln(w, "policies, first match applies:")
	for i, p := range cfg.Policies {
		fmt.Fprintf(w, "  %d. %s: %s, for %s\n", i+1, p.Name, p.Mode, describeMatch(p.Match))
		if s := p.Sample; s != nil || p.Mode == config.ModeEnforce {
			fmt.Fprintf(w, "     sample: %s\n", describeSample(s, cfg.Rewrite.MinTableBytes))
		}
		if b := p.Budget; b.MaxScanBytes > 0 || b.DailyScanBytesPerUser > 0 {
			var parts []string
			if b.MaxScanBytes > 0 {
				parts = append(parts, catalog.FormatBytes(b.MaxScanBytes)+" per statement")
			}
			if b.DailyScanBytesPerUser > 0 {
				parts = append(parts, catalog.FormatBytes(b.DailyScanBytesPerUser)+" per user per day")
			}
			fmt.Fprintf(w, "     budget: %s\n", strings.Join(parts, ", "))
		}
		if p.NoOptOut {
			fmt.Fprintln(w, "     /* skim:off */ is ignored")
		}
		if p.RejectUnparsed {
			fmt.Fprintln(w, "     statements skim cannot parse are rejected")
		}
	}
}

func describeMatch(m *config.Match) string {
	if m == nil {
		return "everyone else (default)"
	}
	var parts []string
	if len(m.Users) > 0 {
		parts = append(parts, "users "+strings.Join(m.Users, ", "))
	}
	if len(m.Sources) > 0 {
		parts = append(parts, "sources "+strings.Join(m.Sources, ", "))
	}
	if len(m.ClientTags) > 0 {
		parts = append(parts, "client tags "+strings.Join(m.ClientTags, ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(m.Labels)) {
		parts = append(parts, fmt.Sprintf("label %s=%s", k, m.Labels[k]))
	}
	return strings.Join(parts, "; ")
}

// describeSample says what an enforce policy samples; engineMin is
// rewrite.min_table_bytes, which a sample without its own threshold uses.
func describeSample(s *config.Sample, engineMin int64) string {
	if s == nil {
		s = &config.Sample{}
	}
	pct := s.Percent
	if pct == 0 {
		pct = 1
	}
	min := s.MinTableBytes
	if min == 0 {
		min = engineMin
	}
	if min == 0 {
		min = rewrite.DefaultMinTableBytes
	}
	out := fmt.Sprintf("%g%% of every table of %s or more", pct, catalog.FormatBytes(min))
	if s.PartitionsLast > 0 {
		out += fmt.Sprintf(", last %s of time-partitioned tables", config.FormatDuration(s.PartitionsLast))
	}
	if s.Key != "" {
		out += ", by a hash of " + s.Key + " where a table has it"
	}
	if s.Seed != 0 {
		out += fmt.Sprintf(", seed %d", s.Seed)
	} else if s.Key == "" {
		out += ", different on each run"
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
