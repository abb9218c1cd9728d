package dashboard

import (
	"html/template"
	"io"

	"github.com/skimdata/skim/rewrite/textdiff"
)

// pageTemplate renders the dashboard. html/template escapes every value by
// its context, which matters here: statements, user names and table names
// come from clients.
type pageTemplate struct {
	t *template.Template
}

func newPageTemplate() *pageTemplate {
	funcs := template.FuncMap{
		"lineClass": func(o textdiff.Op) string {
			switch o {
			case textdiff.Removed:
				return "del"
			case textdiff.Added:
				return "add"
			}
			return "same"
		},
		"isRemoved": func(o textdiff.Op) bool { return o == textdiff.Removed },
		"top": func(id, title, what string, rows []groupRow) topList {
			return topList{ID: id, Title: title, What: what, Rows: rows}
		},
	}
	// The template is a constant: a parse error is a bug caught by every
	// test, never a run-time condition.
	return &pageTemplate{t: template.Must(template.New("page").Funcs(funcs).Parse(pageHTML))}
}

// topList is what the "top" template shows: one top list.
type topList struct {
	ID, Title, What string
	Rows            []groupRow
}

func (p *pageTemplate) execute(w io.Writer, v *view) error {
	return p.t.Execute(w, v)
}

// pageHTML is the page. Fonts are named (DejaVu first) so that the page
// looks the same wherever the fonts are installed; the layout has fixed
// widths up to 1200 pixels so that screenshots compare.
const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>skim savings</title>
<style>
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1d2430;font:14px/1.45 "DejaVu Sans",Verdana,sans-serif}
main{max-width:1200px;margin:0 auto;padding:20px 20px 40px}
header{display:flex;align-items:baseline;justify-content:space-between;flex-wrap:wrap;gap:8px;margin-bottom:16px}
h1{font-size:22px;margin:0}
h2{font-size:15px;margin:0 0 10px}
.sub{color:#5b6577;margin:0}
code,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:14px 16px;margin-bottom:16px}
.totals{display:grid;grid-template-columns:repeat(10,1fr);gap:12px;margin-bottom:16px}
.stat{grid-column:span 2;background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 14px}
.stat.hero{grid-column:span 5;background:#0f5c4d;border-color:#0f5c4d;color:#fff}
.stat.hero .value{font-size:30px}
.stat .label{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#5b6577}
.stat.hero .label,.stat.hero .note{color:#cfe9e2}
.stat .value{font-size:24px;font-weight:bold;margin:2px 0}
.stat .note{font-size:12px;color:#5b6577}
.legend{display:flex;gap:18px;font-size:12px;color:#5b6577;margin:-4px 0 6px}
.legend span::before{content:"";display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-2px;background:#2f8f7a}
.legend span.money::before{height:3px;vertical-align:3px;background:#c0612b}
svg{display:block;width:100%;height:auto}
svg text{font:12px "DejaVu Sans",Verdana,sans-serif;fill:#5b6577}
svg .grid{stroke:#e6e9ee}
svg .base{stroke:#9aa3b2}
svg .bar{fill:#2f8f7a}
svg .money{fill:none;stroke:#c0612b;stroke-width:2}
svg .dot{fill:#c0612b}
.tops{display:grid;grid-template-columns:1fr 1fr;gap:16px}
#top-tables{grid-column:1/-1}
.tops .card{margin-bottom:0}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #eef0f3;vertical-align:top}
th{font-size:12px;font-weight:normal;color:#5b6577}
td.num,th.num{text-align:right;white-space:nowrap}
td.key{overflow-wrap:break-word}
.share{height:4px;background:#2f8f7a;border-radius:2px;margin-top:3px}
.recent{margin-top:16px}
.rewrite{border-top:1px solid #eef0f3;padding:10px 0}
.rewrite:first-of-type{border-top:none;padding-top:0}
.meta{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12.5px;color:#5b6577;margin-bottom:6px}
.meta b{color:#1d2430;font-weight:normal}
.diff{border:1px solid #e6e9ee;border-radius:4px;background:#fbfbfc;padding:6px 0}
.diff div{white-space:pre-wrap;overflow-wrap:anywhere;padding:0 10px;min-height:1.45em}
.diff .del{background:#fdecec}
.diff .add{background:#e8f6ee}
.diff del{background:#f6c4c4;text-decoration:none}
.diff ins{background:#b8e6cb;text-decoration:none}
.diff .sign{color:#8a93a3;user-select:none}
.notice{background:#fff8e6;border:1px solid #f0d48a;border-radius:6px;padding:10px 14px;margin-bottom:16px}
.notice ul{margin:6px 0 0;padding-left:20px}
.empty,.error{text-align:center;padding:48px 20px}
.error{border-color:#e3a3a3;background:#fff5f5}
.muted{color:#5b6577}
</style>
</head>
<body>
<main>
<header>
<h1>skim savings</h1>
<p class="sub">{{if .Period}}<span id="period" data-days="{{.Days}}">Last {{.Days}} days: {{.Period}}</span> · as of <span id="as-of">{{.AsOf}}</span> · {{end}}ledger <code id="ledger">{{.Source}}</code></p>
</header>
{{- if .Error}}
<section class="card error" id="error" role="alert">
<h2>The ledger could not be read</h2>
<p class="mono" id="error-message">{{.Error}}</p>
<p class="muted">Check that the ledger exists and that skim may read it, then reload the page.</p>
</section>
{{- else}}
{{- if .Skipped}}
<section class="notice" id="skipped" data-value="{{.Skipped}}">
<b>{{.Skipped}} ledger line{{if ne .Skipped 1}}s{{end}} could not be read</b> and {{if ne .Skipped 1}}are{{else}}is{{end}} left out of these figures.
<ul>{{range .Problems}}<li class="mono">{{.}}</li>{{end}}</ul>
</section>
{{- end}}
{{- if .Empty}}
<section class="card empty" id="empty">
<h2>No statements in the last {{.Days}} days</h2>
<p class="muted">skim adds a line to the ledger for every statement it serves. Once clients send statements through skim, this page shows what the rewrites saved.</p>
</section>
{{- else}}
<section class="totals" id="totals">
{{- range .Totals}}
<div class="stat{{if .Hero}} hero{{end}}" id="{{.ID}}" data-value="{{.Raw}}"><div class="label">{{.Label}}</div><div class="value">{{.Value}}</div><div class="note">{{.Note}}</div></div>
{{- end}}
</section>
<section class="card" id="daily">
<h2>Saved per day</h2>
<div class="legend"><span>bytes saved (left axis)</span>{{if .Chart.HasMoney}}<span class="money">money saved (right axis)</span>{{end}}</div>
{{- with .Chart}}
<svg id="chart" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="bytes and money saved per day">
{{- range .Grid}}
<line class="grid" x1="{{$.Chart.Left}}" x2="{{$.Chart.Right}}" y1="{{.Y}}" y2="{{.Y}}"/>
<text x="{{$.Chart.BytesAxisX}}" y="{{.LabelOffsetY}}" text-anchor="end">{{.BytesLabel}}</text>
{{- if .MoneyLabel}}<text x="{{$.Chart.MoneyAxisX}}" y="{{.LabelOffsetY}}">{{.MoneyLabel}}</text>{{end}}
{{- end}}
{{- range .Bars}}
<rect class="bar" data-day="{{.Day}}" data-bytes-saved="{{.BytesSaved}}" data-money-saved="{{.MoneySaved}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>
{{- end}}
<line class="base" x1="{{.Left}}" x2="{{.Right}}" y1="{{.Bottom}}" y2="{{.Bottom}}"/>
{{- if .HasMoney}}
<polyline class="money" points="{{.MoneyLine}}"/>
{{- range .Dots}}
<circle class="dot" data-day="{{.Day}}" data-money-saved="{{.MoneySaved}}" cx="{{.X}}" cy="{{.Y}}" r="3"/>
{{- end}}
{{- end}}
{{- range .Labels}}
<text x="{{.X}}" y="{{$.Chart.LabelY}}" text-anchor="middle">{{.Text}}</text>
{{- end}}
</svg>
{{- end}}
</section>
<div class="tops">
{{template "top" (top "top-tables" "Top tables" "table" .TopTables)}}
{{template "top" (top "top-rules" "Top rules" "rule" .TopRules)}}
{{template "top" (top "top-users" "Top users" "user" .TopUsers)}}
</div>
<section class="card recent" id="recent">
<h2>Latest rewrites</h2>
{{- range $i, $r := .Recent}}
<article class="rewrite" id="rewrite-{{$i}}" data-time="{{.TimeRaw}}" data-bytes-saved="{{.BytesSavedRaw}}">
<div class="meta"><span><b>{{.Time}}</b></span><span>user <b>{{.User}}</b></span><span>team <b>{{.Team}}</b></span><span>policy <b>{{.Policy}}</b></span><span>rules <b>{{.Rules}}</b></span><span>tables <b>{{.Tables}}</b></span><span>scan <b>{{.BytesBefore}} → {{.BytesScanned}}</b></span><span>saved <b>{{.BytesSaved}}</b>, <b>{{.MoneySaved}}</b></span></div>
{{- if .NoText}}
<p class="muted">The ledger keeps no statement text for this rewrite.</p>
{{- else}}
<div class="diff mono">
{{- range .Lines}}
<div class="{{lineClass .Op}}"><span class="sign">{{.Op.Sign}} </span>{{$del := isRemoved .Op}}{{range .Segments}}{{if .Changed}}{{if $del}}<del>{{.Text}}</del>{{else}}<ins>{{.Text}}</ins>{{end}}{{else}}{{.Text}}{{end}}{{end}}</div>
{{- end}}
</div>
{{- if .Truncated}}<p class="muted">The statement is longer than the page shows.</p>{{end}}
{{- end}}
</article>
{{- else}}
<p class="muted" id="no-rewrites">No rewrites in this period.</p>
{{- end}}
</section>
{{- end}}
{{- end}}
</main>
</body>
</html>
{{define "top"}}
<section class="card" id="{{.ID}}">
<h2>{{.Title}}</h2>
<table>
<thead><tr><th>{{.What}}</th><th class="num">rewrites</th><th class="num">bytes saved</th><th class="num">money saved</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr data-key="{{.Key}}"><td class="key">{{range $i, $p := .LabelParts}}{{if $i}}.<wbr>{{end}}{{$p}}{{end}}<div class="share" style="width:{{.Share}}%"></div></td><td class="num" data-field="rewritten" data-value="{{.Rewritten}}">{{.RewrittenTxt}} / {{.StatementsText}}</td><td class="num" data-field="bytes-saved" data-value="{{.BytesSaved}}">{{.BytesSavedText}}</td><td class="num" data-field="money-saved" data-value="{{.MoneySaved}}">{{.MoneySavedText}}</td></tr>
{{- else}}
<tr><td colspan="4" class="muted">none</td></tr>
{{- end}}
</tbody>
</table>
</section>
{{end}}`
