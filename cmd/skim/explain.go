package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy"
	pbigquery "github.com/skimdata/skim/proxy/bigquery"
	ptrino "github.com/skimdata/skim/proxy/trino"
	"github.com/skimdata/skim/rewrite"
	"github.com/skimdata/skim/rewrite/stmt"
	"github.com/skimdata/skim/rewrite/textdiff"
)

const explainUsage = `Usage: skim explain --catalog FILE [flags] [SQL | -]

Shows what skim would do to one statement: the rewrite as a diff, the rules,
the reason, and the bytes scanned before and after. The statement is the
arguments joined by spaces, or standard input when it is '-' or absent.

Flags:
`

// explain implements `skim explain`.
func explain(args []string, stdin io.Reader, stdout, stderr io.Writer, log *zap.Logger) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dialect := fs.String("dialect", "trino", "SQL dialect: trino or bigquery")
	catalogFile := fs.String("catalog", "", "static catalog YAML file (default: the config file's catalog.file)")
	configFile := fs.String("config", "", "skim configuration file")
	policyName := fs.String("policy", "", "apply this policy of the configuration (default: the configuration's default policy)")
	defCatalog := fs.String("default-catalog", "", "session catalog (Trino) or project (BigQuery) for unqualified names")
	defSchema := fs.String("default-schema", "", "session schema (Trino) or dataset (BigQuery) for unqualified names")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the human-readable report")
	seed := fs.Uint64("seed", 0, "seed for partition choices (default: derived from the statement)")
	fs.Usage = func() {
		fmt.Fprint(stderr, explainUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usagef("explain: %v", err)
	}
	d := stmt.Dialect(*dialect)
	if d != stmt.Trino && d != stmt.BigQuery {
		return usagef("explain: --dialect %q is not a dialect; use trino or bigquery", *dialect)
	}
	sql, err := readStatement(fs.Args(), stdin)
	if err != nil {
		return err
	}

	cfg := config.Default()
	if *configFile != "" {
		if cfg, err = config.Load(*configFile); err != nil {
			return usagef("%v", err)
		}
	}
	if *catalogFile == "" {
		*catalogFile = cfg.Catalog.File
	}
	if *catalogFile == "" {
		return usagef("explain: no catalog: pass --catalog FILE (a static catalog YAML file) or set catalog.file in the configuration")
	}
	cat, err := catalog.LoadStatic(*catalogFile)
	if err != nil {
		return usagef("%v", err)
	}
	policy, err := choosePolicy(cfg, *policyName)
	if err != nil {
		return err
	}

	engine := newEngine(cfg, cat, log)
	req := rewrite.Request{
		SQL:     sql,
		Dialect: d,
		Session: stmt.Session{Catalog: *defCatalog, Schema: *defSchema},
		Seed:    *seed,
	}
	proxy.ApplyPolicy(&req, policy)
	// Decide as skim serve would: each frontend counts rows differently.
	if d == stmt.Trino {
		req.MaxRows = ptrino.DefaultMaxGuardRows
	} else {
		req.MaxRows = pbigquery.MaxRows
	}
	res, err := engine.Rewrite(context.Background(), req)
	if err != nil {
		return fmt.Errorf("explain: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	writeReport(stdout, res)
	return nil
}

// readStatement takes the statement from the arguments, or from stdin when
// there are none or the only one is "-".
func readStatement(args []string, stdin io.Reader) (string, error) {
	if len(args) > 0 && !(len(args) == 1 && args[0] == "-") {
		return strings.Join(args, " "), nil
	}
	b, err := io.ReadAll(stdin)
	if err != nil {
		return "", fmt.Errorf("explain: reading the statement from standard input: %w", err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", usagef("explain: no statement: pass it as an argument or on standard input")
	}
	return string(b), nil
}

func choosePolicy(cfg *config.Config, name string) (*config.Policy, error) {
	if name == "" {
		return cfg.PolicyFor(config.Who{}), nil
	}
	p, err := cfg.Policy(name)
	if err != nil {
		return nil, usagef("explain: %v", err)
	}
	return p, nil
}

// writeReport prints a result for people.
func writeReport(w io.Writer, res *rewrite.Result) {
	rules := "none"
	if len(res.Rules) > 0 {
		rules = strings.Join(res.Rules, ", ")
	}
	fmt.Fprintf(w, "decision: %s\n", res.Decision)
	fmt.Fprintf(w, "rules:    %s\n", rules)
	fmt.Fprintf(w, "reason:   %s\n", res.Reason)
	if res.Approximate {
		fmt.Fprintln(w, "answer:   approximate (dev sampling); clients are told so")
	}
	est := res.Estimate
	fmt.Fprintf(w, "scan:     %s → %s%s (estimated from the %s)\n", catalog.FormatBytes(est.BytesBefore), catalog.FormatBytes(est.BytesAfter), savedPercent(est.BytesBefore, est.BytesAfter), est.Method)
	fmt.Fprintln(w)
	if res.Changed {
		fmt.Fprintln(w, "--- original")
		fmt.Fprintln(w, "+++ rewritten")
		for _, l := range textdiff.Lines(res.Original, res.Rewritten) {
			fmt.Fprintln(w, l.Op.Sign()+l.Text)
		}
	} else {
		fmt.Fprintln(w, "statement (unchanged):")
		for _, l := range strings.Split(strings.TrimRight(res.Original, "\n"), "\n") {
			fmt.Fprintln(w, "  "+l)
		}
	}
	if len(res.Tables) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "tables:")
		for _, t := range res.Tables {
			sample := "not sampled"
			switch {
			case t.Sample != "":
				sample = "dev sample: " + t.Sample
			case t.SamplePercent != nil:
				sample = fmt.Sprintf("sample %s%%", strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.6f", *t.SamplePercent), "0"), "."))
			case t.BytesAfter < t.BytesBefore:
				sample = "sample of whole partitions"
			}
			parts := ""
			if t.PartitionsTotal > 0 {
				parts = fmt.Sprintf(", partitions %d/%d", t.PartitionsSelected, t.PartitionsTotal)
			}
			fmt.Fprintf(w, "  %s: %s%s, rows %s → %s, bytes %s → %s\n", t.Name, sample, parts,
				humanCount(t.RowsBefore), humanCount(t.RowsAfter), catalog.FormatBytes(t.BytesBefore), catalog.FormatBytes(t.BytesAfter))
		}
	}
	if res.MinRows > 0 && res.Dialect == stmt.Trino {
		last := "the last being the original"
		if res.Approximate {
			last = "the last being the dev-sampled statement"
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "guarantee: if fewer than %d rows come back, skim runs %d fallback statement(s), %s\n", res.MinRows, len(res.Fallbacks), last)
	}
	if len(res.Warnings) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "warnings:")
		for _, warn := range res.Warnings {
			fmt.Fprintf(w, "  - %s\n", warn)
		}
	}
}

func savedPercent(before, after int64) string {
	if before <= 0 || after >= before {
		return ""
	}
	return fmt.Sprintf(" (-%.2f%%)", 100*float64(before-after)/float64(before))
}

// humanCount writes a row count for people: 250, 950 thousand, 28.1 billion.
func humanCount(n int64) string {
	units := []string{"", " thousand", " million", " billion", " trillion"}
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d", n)
	}
	return fmt.Sprintf("%.1f%s", f, units[i])
}
