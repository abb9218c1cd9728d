package dashboard

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/proxy/report"
	"github.com/skimdata/skim/rewrite/textdiff"
)

// view is everything the page shows, formatted; the template only lays it
// out. Raw figures travel next to the formatted ones so that the page
// carries them in data-value attributes for scripts and tests.
type view struct {
	Source    string
	Period    string
	AsOf      string
	Days      int
	Error     string
	Empty     bool
	Skipped   int
	Problems  []string
	Totals    []stat
	Chart     chart
	TopRules  []groupRow
	TopTables []groupRow
	TopUsers  []groupRow
	Recent    []rewriteView
}

// stat is one of the totals.
type stat struct {
	ID, Label, Value, Raw, Note string
	Hero                        bool
}

// groupRow is one line of a top list.
type groupRow struct {
	Key string
	// LabelParts is the name cut at its dots, so that a long table name
	// wraps between its parts rather than inside one.
	LabelParts                   []string
	Statements, Rewritten        int64
	BytesSaved                   int64
	BytesSavedText               string
	MoneySaved, MoneySavedText   string
	Share                        string
	StatementsText, RewrittenTxt string
}

// rewriteView is one of the latest rewrites.
type rewriteView struct {
	Time, TimeRaw      string
	User, Team, Policy string
	Rules, Tables      string
	BytesBefore        string
	BytesScanned       string
	BytesSaved         string
	BytesSavedRaw      int64
	MoneySaved         string
	Lines              []textdiff.Line
	NoText, Truncated  bool
}

// maxShownSQL bounds the text of one statement on the page: the ledger may
// hold statements of megabytes, and the page lists several.
const maxShownSQL = 16 << 10

func (h *handler) buildView(s *report.Summary, stats ledger.ReadStats, now time.Time) *view {
	loc := h.opts.Location
	last := s.To.Add(-time.Nanosecond)
	v := &view{
		Source:   h.shown,
		Days:     len(s.Daily),
		Period:   fmt.Sprintf("%s to %s", s.From.In(loc).Format("Jan 2, 2006"), last.In(loc).Format("Jan 2, 2006")),
		AsOf:     now.In(loc).Format("2006-01-02 15:04 MST"),
		Empty:    s.Totals.Statements == 0,
		Skipped:  stats.Skipped,
		Problems: stats.Problems,
		Chart:    buildChart(s.Daily),
	}
	t := s.Totals
	v.Totals = []stat{
		{ID: "total-bytes-saved", Label: "bytes saved", Value: catalog.FormatBytes(t.BytesSaved), Raw: itoa(t.BytesSaved),
			Note: report.Percent(t.BytesSaved, t.BytesBefore) + " of what the statements would have scanned", Hero: true},
		{ID: "total-money-saved", Label: "money saved", Value: report.Money(t.MoneySaved), Raw: report.RawMoney(t.MoneySaved),
			Note: "at each upstream's price per TiB", Hero: true},
		{ID: "total-statements", Label: "statements", Value: report.Count(t.Statements), Raw: itoa(t.Statements), Note: "through skim"},
		{ID: "total-rewritten", Label: "rewritten", Value: report.Count(t.Rewritten), Raw: itoa(t.Rewritten),
			Note: report.Percent(t.Rewritten, t.Statements) + " of statements"},
		{ID: "total-rejected", Label: "rejected", Value: report.Count(t.Rejected), Raw: itoa(t.Rejected), Note: "refused by a policy"},
		{ID: "total-bytes-before", Label: "bytes before", Value: catalog.FormatBytes(t.BytesBefore), Raw: itoa(t.BytesBefore),
			Note: "estimated, as the clients wrote them"},
		{ID: "total-bytes-scanned", Label: "bytes scanned", Value: catalog.FormatBytes(t.BytesScanned), Raw: itoa(t.BytesScanned),
			Note: "billed or processed where the engine said"},
	}
	v.TopRules = groupRows(s.TopRules, "(no rule)")
	v.TopTables = groupRows(s.TopTables, "(no table)")
	v.TopUsers = groupRows(s.TopUsers, "(unknown)")
	for _, r := range s.Recent {
		v.Recent = append(v.Recent, rewriteRow(r, loc))
	}
	return v
}

func groupRows(gs []report.Group, none string) []groupRow {
	var most int64
	for _, g := range gs {
		most = max(most, g.BytesSaved)
	}
	rows := make([]groupRow, 0, len(gs))
	for _, g := range gs {
		label := g.Key
		if label == "" {
			label = none
		}
		share := 0.0
		if most > 0 {
			share = 100 * float64(g.BytesSaved) / float64(most)
		}
		rows = append(rows, groupRow{
			Key: g.Key, LabelParts: strings.Split(label, "."), Statements: g.Statements, Rewritten: g.Rewritten,
			StatementsText: report.Count(g.Statements), RewrittenTxt: report.Count(g.Rewritten),
			BytesSaved: g.BytesSaved, BytesSavedText: catalog.FormatBytes(g.BytesSaved),
			MoneySaved: report.RawMoney(g.MoneySaved), MoneySavedText: report.Money(g.MoneySaved),
			Share: num(share),
		})
	}
	return rows
}

func rewriteRow(r report.Rewrite, loc *time.Location) rewriteView {
	rv := rewriteView{
		Time: r.Time.In(loc).Format("2006-01-02 15:04:05 MST"), TimeRaw: r.Time.UTC().Format(time.RFC3339Nano),
		User: orDash(r.User), Team: orDash(r.Team), Policy: orDash(r.Policy),
		Rules: orDash(strings.Join(r.Rules, ", ")), Tables: orDash(strings.Join(r.Tables, ", ")),
		BytesBefore: catalog.FormatBytes(r.BytesBefore), BytesScanned: catalog.FormatBytes(r.BytesScanned),
		BytesSaved: catalog.FormatBytes(r.BytesSaved), BytesSavedRaw: r.BytesSaved, MoneySaved: report.Money(r.MoneySaved),
	}
	if r.SQL == "" && r.Rewritten == "" {
		rv.NoText = true
		return rv
	}
	a, ta := clip(r.SQL)
	b, tb := clip(r.Rewritten)
	rv.Truncated = ta || tb
	rv.Lines = textdiff.Lines(a, b)
	return rv
}

// clip cuts s to maxShownSQL bytes on a character boundary.
func clip(s string) (string, bool) {
	if len(s) <= maxShownSQL {
		return s, false
	}
	cut := maxShownSQL
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
