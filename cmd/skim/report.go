package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/proxy/report"
)

const reportUsage = `Usage: skim report --ledger FILE|postgres://... [flags]
       skim report --config skim.yaml [flags]

Adds up the ledger skim serve writes: statements, the bytes they would have
scanned and did scan, and the bytes and money the rewrites saved. Without
--by it prints the totals, the top tables and the top users; with --by, one
row per user, team, table, rule, policy or day (days in UTC). A statement
with several tables or rules counts in full in each of them. docs/finance.md
explains every figure.

--since and --until take a duration back from now (7d, 36h, 90m), a date
(2026-11-01, midnight UTC) or an RFC 3339 time (2026-11-01T09:00:00+01:00);
--until is exclusive, so --since 2026-11-01 --until 2026-12-01 is November.

Flags:
`

// reportCommand implements `skim report`.
func reportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return reportAt(ctx, args, stdout, stderr, time.Now())
}

// reportAt is reportCommand with the time that --since and --until count
// back from.
func reportAt(ctx context.Context, args []string, stdout, stderr io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var window ledgerWindow
	window.register(fs, "7d")
	by := fs.String("by", "", "one row per user, team, table, rule, policy or day (default: totals, top tables and top users)")
	format := fs.String("format", "table", "output format: table (for people), csv (for spreadsheets) or json (for scripts)")
	fs.Usage = func() {
		fmt.Fprint(stderr, reportUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usagef("report: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("report: unexpected argument %q; the ledger goes in --ledger", fs.Arg(0))
	}
	source, span, _, err := window.resolve("report", now)
	if err != nil {
		return err
	}
	var dim report.Dimension
	if *by != "" {
		if dim, err = report.ParseDimension(*by); err != nil {
			return usagef("report: --by %v", err)
		}
	}
	switch *format {
	case "table", "csv", "json":
	default:
		return usagef("report: --format %q is not a format; use table, csv or json", *format)
	}

	sum, stats, err := report.Build(ctx, source, span, report.Options{By: dim})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if stats.Skipped > 0 {
		warnSkipped(stderr, stats)
	}
	switch *format {
	case "csv":
		return writeReportCSV(stdout, sum)
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			*report.Summary
			SkippedLines int `json:"skipped_lines"`
		}{sum, stats.Skipped})
	default:
		writeReportTable(stdout, sum)
		return nil
	}
}

// warnSkipped says that the report leaves lines out, and which, so that
// someone can repair the ledger or knows the figures are short.
func warnSkipped(w io.Writer, stats ledger.ReadStats) {
	what := "lines, which the report leaves out"
	if stats.Skipped == 1 {
		what = "line, which the report leaves out"
	}
	fmt.Fprintf(w, "skim: warning: skipped %d unreadable ledger %s", stats.Skipped, what)
	if len(stats.Problems) < stats.Skipped {
		fmt.Fprintf(w, "; the first %d:\n", len(stats.Problems))
	} else {
		fmt.Fprintln(w, ":")
	}
	for _, p := range stats.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
}

// parseWhen reads a report bound: "now", a duration back from now (Go's
// syntax or a whole number of days), a date (midnight UTC) or an RFC 3339
// time.
func parseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	const help = "use a duration back from now such as 7d or 36h, a date such as 2026-11-01, or an RFC 3339 time such as 2026-11-01T09:00:00Z"
	if s == "now" {
		return now, nil
	}
	if digits, ok := strings.CutSuffix(s, "d"); ok && digits != "" && strings.Trim(digits, "0123456789") == "" {
		n, err := strconv.Atoi(digits)
		if err != nil || n > 100000 {
			return time.Time{}, fmt.Errorf("%q is too many days; %s", s, help)
		}
		return now.AddDate(0, 0, -n), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%q is negative; durations count back from now, so write it without the minus", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time; %s", s, help)
}

// groupColumns returns the headers of a group's figures, for people.
func groupColumns() []string {
	return []string{"statements", "rewritten", "rejected", "bytes before", "bytes scanned", "bytes saved", "money saved"}
}

func groupCells(key string, t report.Totals) []string {
	return []string{key, report.Count(t.Statements), report.Count(t.Rewritten), report.Count(t.Rejected),
		catalog.FormatBytes(t.BytesBefore), catalog.FormatBytes(t.BytesScanned), catalog.FormatBytes(t.BytesSaved), report.Money(t.MoneySaved)}
}

// displayKey names a group for people; the empty key holds the records
// with no value in the dimension.
func displayKey(k string) string {
	if k == "" {
		return "(none)"
	}
	return k
}

// writeReportTable prints the summary as aligned tables for people.
func writeReportTable(w io.Writer, s *report.Summary) {
	fmt.Fprintf(w, "skim report from %s to %s\n\n", s.From.UTC().Format("2006-01-02 15:04 MST"), s.To.UTC().Format("2006-01-02 15:04 MST"))
	t := s.Totals
	if t.Statements == 0 {
		fmt.Fprintln(w, "No statements in the ledger in this period.")
		return
	}
	writeAligned(w, "lrl", nil, [][]string{
		{"statements", report.Count(t.Statements), ""},
		{"rewritten", report.Count(t.Rewritten), report.Percent(t.Rewritten, t.Statements) + " of statements"},
		{"rejected", report.Count(t.Rejected), ""},
		{"bytes before", catalog.FormatBytes(t.BytesBefore), "estimated, as the clients wrote them"},
		{"bytes scanned", catalog.FormatBytes(t.BytesScanned), "billed or processed where the engine said"},
		{"bytes saved", catalog.FormatBytes(t.BytesSaved), report.Percent(t.BytesSaved, t.BytesBefore) + " of bytes before"},
		{"money saved", report.Money(t.MoneySaved), "at each upstream's price per TiB"},
	})
	if s.By == "" {
		for _, sec := range []struct {
			title  string
			groups []report.Group
		}{{"top tables", s.TopTables}, {"top users", s.TopUsers}} {
			fmt.Fprintln(w)
			rows := make([][]string, 0, len(sec.groups))
			for _, g := range sec.groups {
				rows = append(rows, groupCells(displayKey(g.Key), g.Totals))
			}
			writeAligned(w, "lrrrrrrr", append([]string{sec.title}, groupColumns()...), rows)
		}
		return
	}
	fmt.Fprintln(w)
	rows := make([][]string, 0, len(s.Groups)+1)
	for _, g := range s.Groups {
		rows = append(rows, groupCells(displayKey(g.Key), g.Totals))
	}
	rows = append(rows, groupCells("total", s.Totals))
	writeAligned(w, "lrrrrrrr", append([]string{string(s.By)}, groupColumns()...), rows)
	if s.By == report.ByTable || s.By == report.ByRule {
		fmt.Fprintf(w, "\nA statement with several %ss counts in full in each, so the rows can add up to more than the total.\n", s.By)
	}
}

// writeAligned prints rows as columns; align holds 'l' or 'r' for each
// column. A non-nil header is printed with a rule under it, and a last row
// named "total" gets a rule above it.
func writeAligned(w io.Writer, align string, header []string, rows [][]string) {
	widths := make([]int, len(align))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if align[i] == 'r' {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	rule := func() {
		total := 0
		for _, wd := range widths {
			total += wd + 2
		}
		fmt.Fprintln(w, strings.Repeat("-", total-2))
	}
	if header != nil {
		line(header)
		rule()
	}
	for i, r := range rows {
		if header != nil && i > 0 && i == len(rows)-1 && r[0] == "total" {
			rule()
		}
		line(r)
	}
}

// writeReportCSV writes raw numbers for spreadsheets: with --by, one row
// per group under a header naming the dimension; without, the totals, top
// tables and top users, told apart by the section column.
func writeReportCSV(w io.Writer, s *report.Summary) error {
	cw := csv.NewWriter(w)
	figures := []string{"statements", "rewritten", "rejected", "bytes_before", "bytes_scanned", "bytes_saved", "money_saved"}
	cells := func(t report.Totals) []string {
		return []string{strconv.FormatInt(t.Statements, 10), strconv.FormatInt(t.Rewritten, 10), strconv.FormatInt(t.Rejected, 10),
			strconv.FormatInt(t.BytesBefore, 10), strconv.FormatInt(t.BytesScanned, 10), strconv.FormatInt(t.BytesSaved, 10),
			report.RawMoney(t.MoneySaved)}
	}
	if s.By != "" {
		_ = cw.Write(append([]string{string(s.By)}, figures...))
		for _, g := range s.Groups {
			_ = cw.Write(append([]string{g.Key}, cells(g.Totals)...))
		}
	} else {
		_ = cw.Write(append([]string{"section", "key"}, figures...))
		_ = cw.Write(append([]string{"total", ""}, cells(s.Totals)...))
		for _, g := range s.TopTables {
			_ = cw.Write(append([]string{"table", g.Key}, cells(g.Totals)...))
		}
		for _, g := range s.TopUsers {
			_ = cw.Write(append([]string{"user", g.Key}, cells(g.Totals)...))
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: write the CSV: %w", err)
	}
	return nil
}
