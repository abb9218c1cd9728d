package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/proxy/advice"
	"github.com/skimdata/skim/proxy/report"
)

const adviseUsage = `Usage: skim advise --ledger FILE|postgres://... [--catalog FILE | --config FILE] [flags]

Tells data owners how consumers filter their tables: for every table the
ledger's statements read, the statements and bytes they scanned, the
columns they filter on, and the bytes partitioning or clustering the table
by each column would have saved, set against the table's current
partitioning and clustering from the catalog. Tables are sorted by what
their best column would save. docs/advise.md explains the estimate.

--since and --until take a duration back from now (30d, 36h), a date
(2026-11-01, midnight UTC) or an RFC 3339 time; --until is exclusive.

Flags:
`

// adviseCommand implements `skim advise`.
func adviseCommand(ctx context.Context, args []string, stdout, stderr io.Writer, log *zap.Logger) error {
	return adviseAt(ctx, args, stdout, stderr, log, time.Now())
}

// adviseAt is adviseCommand with the time that --since and --until count
// back from.
func adviseAt(ctx context.Context, args []string, stdout, stderr io.Writer, log *zap.Logger, now time.Time) error {
	fs := flag.NewFlagSet("advise", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var window ledgerWindow
	window.register(fs, "30d")
	catalogFile := fs.String("catalog", "", "static catalog YAML file (default: the configuration's catalog.file)")
	table := fs.String("table", "", "advise on this fully qualified table only")
	top := fs.Int("top", 20, "list the N tables that would save the most; 0 lists all")
	format := fs.String("format", "table", "output format: table (for people) or json (for scripts)")
	fs.Usage = func() {
		fmt.Fprint(stderr, adviseUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usagef("advise: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("advise: unexpected argument %q; the ledger goes in --ledger", fs.Arg(0))
	}
	if *format != "table" && *format != "json" {
		return usagef("advise: --format %q is not a format; use table or json", *format)
	}
	if *top < 0 {
		return usagef("advise: --top %d is negative; give the number of tables to list, or 0 for all", *top)
	}
	source, span, cfg, err := window.resolve("advise", now)
	if err != nil {
		return err
	}
	if cfg != nil && *catalogFile == "" {
		*catalogFile = cfg.Catalog.File
	}
	// Without a catalog the filter counts still tell the owner a lot;
	// only the savings need the tables' sizes and partitioning.
	var cat catalog.Provider
	if *catalogFile != "" {
		static, err := catalog.LoadStatic(*catalogFile)
		if err != nil {
			return usagef("%v", err)
		}
		cat = static
	} else {
		fmt.Fprintln(stderr, "skim: warning: no catalog, so no savings are estimated; pass --catalog FILE or a --config with catalog.file")
	}

	rep, stats, err := advice.Run(ctx, source, span, cat, advice.Options{Table: *table}, log)
	if err != nil {
		return fmt.Errorf("advise: %w", err)
	}
	if stats.Skipped > 0 {
		warnSkipped(stderr, stats)
	}
	omitted := 0
	if *top > 0 && len(rep.Tables) > *top {
		omitted = len(rep.Tables) - *top
		rep.Tables = rep.Tables[:*top]
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			Since time.Time `json:"since"`
			Until time.Time `json:"until"`
			*advice.Report
			OmittedTables int `json:"omitted_tables"`
			SkippedLines  int `json:"skipped_lines"`
		}{span.From, span.To, rep, omitted, stats.Skipped})
	}
	writeAdvice(stdout, rep, span.From, span.To, omitted)
	return nil
}

// writeAdvice prints the advice for people: per table a summary line and
// one row per filtered column.
func writeAdvice(w io.Writer, rep *advice.Report, from, to time.Time, omitted int) {
	const day = "2006-01-02 15:04 MST"
	fmt.Fprintf(w, "%s from %s to %s, %s read by them\n",
		countNoun(rep.Statements, "statement"), from.UTC().Format(day), to.UTC().Format(day), countNoun(len(rep.Tables)+omitted, "table"))
	if rep.Rejected > 0 {
		fmt.Fprintf(w, "(%s rejected statements scanned nothing and are left out)\n", report.Count(int64(rep.Rejected)))
	}
	for _, t := range rep.Tables {
		fmt.Fprintln(w)
		writeTableAdvice(w, t)
	}
	if omitted > 0 {
		fmt.Fprintf(w, "\n%s more; --top 0 lists them all\n", countNoun(omitted, "table"))
	}
	a := rep.Assumptions
	fmt.Fprintf(w, "\nSavings are estimates: a filter on a date or timestamp is taken to read %s days of the days the table's partitions span,\n"+
		"any other filter (or one on a table with no dated partitions) %s of the table, and clustering to save %s of what partitioning would.\n"+
		"Savings of different columns overlap; docs/advise.md explains the estimate.\n",
		strconv.FormatFloat(a.DaysRead, 'f', -1, 64), formatShare(a.UnknownSelectivity), formatShare(a.ClusteringFactor))
}

func writeTableAdvice(w io.Writer, t advice.Table) {
	var about []string
	if t.InCatalog {
		about = append(about, catalog.FormatBytes(t.Bytes))
		if len(t.Partitioning) > 0 {
			about = append(about, "partitioned by "+strings.Join(t.Partitioning, ", "))
		} else {
			about = append(about, "not partitioned")
		}
		if len(t.Clustering) > 0 {
			about = append(about, "clustered by "+strings.Join(t.Clustering, ", "))
		} else {
			about = append(about, "not clustered")
		}
	} else {
		about = append(about, t.Note)
	}
	fmt.Fprintf(w, "%s: %s\n", t.Name, strings.Join(about, ", "))
	best := "no column would save anything"
	switch {
	case !t.InCatalog:
		best = "savings unknown"
	case t.Savings > 0:
		best = fmt.Sprintf("best: %s by %s, saving about %s (%s)", t.BestAction, t.BestColumn, catalog.FormatBytes(t.Savings), report.Percent(t.Savings, t.BytesScanned))
	}
	fmt.Fprintf(w, "  %s scanned %s; %s\n", countNoun(t.Statements, "statement"), catalog.FormatBytes(t.BytesScanned), best)
	if len(t.Columns) == 0 {
		fmt.Fprintln(w, "  no statement filters on a column")
		return
	}
	fmt.Fprintln(w)
	rows := make([][]string, 0, len(t.Columns))
	for _, c := range t.Columns {
		typ := c.Type
		if typ == "" {
			typ = "?"
		}
		keeps, part, clus, why := "—", "—", "—", ""
		if t.InCatalog {
			keeps, why = formatShare(c.Selectivity), c.Basis
			part, clus = catalog.FormatBytes(c.PartitionSavings), catalog.FormatBytes(c.ClusteringSavings)
		}
		act := c.Action
		switch {
		case c.Partitioned:
			act, keeps, part, clus, why = "partitioned already", "—", "—", "—", ""
		case c.Clustered:
			act, clus = "clustered already", "—"
		case act == "" && t.InCatalog:
			act = "none"
		}
		rows = append(rows, []string{c.Name, typ, report.Count(int64(c.Statements)), formatShare(c.Share),
			catalog.FormatBytes(c.BytesScanned), keeps, part, clus, act, why})
	}
	var b strings.Builder
	writeAligned(&b, "llrrrrrrll",
		[]string{"column", "type", "statements", "share", "scanned", "keeps", "partition saves", "cluster saves", "advice", "why"}, rows)
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		if line != "" {
			fmt.Fprint(w, "  "+line)
		}
	}
}

// formatShare writes a fraction as a percentage for people.
func formatShare(f float64) string {
	s := strconv.FormatFloat(100*f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

// countNoun writes a count of things, thousands grouped.
func countNoun(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return report.Count(int64(n)) + " " + thing + "s"
}
