package rewrite

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/skimdata/skim/rewrite/stmt"
)

// chooseSample picks the cheaper of a SYSTEM sample and a random choice of
// whole partitions that still yields n rows of the table, or nil when
// neither reads less than half the original scan.
func (a *analysis) chooseSample(ti *tableInfo, n int64) *sampleChoice {
	var best *sampleChoice
	if c := a.systemSample(ti, n); c != nil {
		best = c
	}
	if c := a.partitionSample(ti, n); c != nil && (best == nil || c.bytes < best.bytes) {
		best = c
	}
	if best == nil || best.bytes > ti.bytes/minSaving {
		return nil
	}
	return best
}

// minSaving is the least factor by which a sample must cut a table's scan
// to be worth a statement the user did not write.
const minSaving = 2

// systemSample sizes TABLESAMPLE SYSTEM (p). SYSTEM sampling keeps or drops
// whole units (Trino splits, BigQuery blocks), so p is sized on the units in
// scope and the rows they hold, not on rows alone.
func (a *analysis) systemSample(ti *tableInfo, n int64) *sampleChoice {
	units := a.units(ti)
	p, ok := systemFraction(units, ti.rows, n, a.opts.MaxShortfall)
	if !ok {
		return nil
	}
	pct := roundPercent(p * 100)
	if pct >= 100 {
		return nil
	}
	f := pct / 100
	return &sampleChoice{percent: pct, rows: scaled(ti.rows, f), bytes: scaled(ti.bytes, f)}
}

// widerSample is a SYSTEM sample fallbackFactor times larger than c, for
// when c comes back short; nil when that reads half the table or more, or
// c is a partition sample, whose shortfall only filters explain.
func (a *analysis) widerSample(ti *tableInfo, c *sampleChoice) *sampleChoice {
	if c.percent <= 0 {
		return nil
	}
	pct := roundPercent(c.percent * fallbackFactor)
	if pct >= 50 {
		return nil
	}
	f := pct / 100
	return &sampleChoice{percent: pct, rows: scaled(ti.rows, f), bytes: scaled(ti.bytes, f)}
}

// units counts the sampling units the statement reads of a table: for
// Trino, a split per file or per split-size of bytes, whichever is more; for
// BigQuery, a block per block-size of bytes of each partition.
func (a *analysis) units(ti *tableInfo) int64 {
	count := func(files, bytes int64) int64 {
		if a.st.Dialect == stmt.BigQuery {
			return max(1, ceilDiv(bytes, a.opts.BigQueryBlockBytes))
		}
		return max(files, ceilDiv(bytes, a.opts.TrinoSplitBytes), 1)
	}
	t := ti.meta
	if len(ti.parts) == 0 {
		return count(t.Files, t.Bytes)
	}
	var u int64
	for _, i := range ti.parts {
		u += count(t.Partitions[i].Files, t.Partitions[i].Bytes)
	}
	return u
}

// partitionSample keeps a seeded random choice of whole partitions holding
// at least twice n rows, the margin covering partition statistics that are
// somewhat out of date.
func (a *analysis) partitionSample(ti *tableInfo, n int64) *sampleChoice {
	t := ti.meta
	if len(ti.parts) < 2 {
		return nil
	}
	if _, err := domainOf(t); err != nil {
		return nil
	}
	order := append([]int(nil), ti.parts...)
	rng := rand.New(rand.NewPCG(a.seed, uint64(len(order))))
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	var chosen []int
	var rows, bytes int64
	for _, i := range order {
		if rows >= 2*n {
			break
		}
		chosen = append(chosen, i)
		rows += t.Partitions[i].Rows
		bytes += t.Partitions[i].Bytes
	}
	if rows < 2*n || len(chosen) == len(ti.parts) {
		return nil
	}
	// Keep the partitions in catalog order so the predicate reads naturally.
	slices.Sort(chosen)
	return &sampleChoice{parts: chosen, rows: rows, bytes: scaled(bytes, ti.colFraction)}
}

// sampleEdits turns a sample choice into edits of the statement text.
func (a *analysis) sampleEdits(ti *tableInfo, c *sampleChoice) []Edit {
	if c.percent > 0 {
		return []Edit{{Start: ti.ref.Span.End, End: ti.ref.Span.End, Text: a.tablesampleClause(c.percent)}}
	}
	pred := a.partitionPredicate(ti, c.parts)
	b := ti.ref.Block
	if b.HasWhere {
		return []Edit{
			{Start: b.Where.Start, End: b.Where.Start, Text: "("},
			{Start: b.Where.End, End: b.Where.End, Text: ") AND " + pred},
		}
	}
	return []Edit{{Start: b.WhereInsert, End: b.WhereInsert, Text: " WHERE " + pred}}
}

// tablesampleClause is the clause, with a leading space, that samples pct
// percent of a table in the statement's dialect.
func (a *analysis) tablesampleClause(pct float64) string {
	if a.st.Dialect == stmt.BigQuery {
		return " TABLESAMPLE SYSTEM (" + formatPercent(pct) + " PERCENT)"
	}
	return " TABLESAMPLE SYSTEM (" + formatPercent(pct) + ")"
}

// partitionPredicate selects the given partitions of a table by its
// partition column, in a form both engines prune on: an IN list of
// values, or for time partitions of a timestamp column, ranges.
func (a *analysis) partitionPredicate(ti *tableInfo, parts []int) string {
	t := ti.meta
	d, _ := domainOf(t)
	col := a.quoteIdent(ti.ref.RefName()) + "." + a.quoteIdent(d.column)
	if d.kind != kindTime || d.granularity == "" {
		vals := make([]string, len(parts))
		for i, p := range parts {
			iv, _ := d.partitionInterval(t.Partitions[p])
			vals[i] = a.literalText(d, iv.lo)
		}
		return col + " IN (" + strings.Join(vals, ", ") + ")"
	}
	ranges := make([]string, len(parts))
	for i, p := range parts {
		iv, _ := d.partitionInterval(t.Partitions[p])
		lo, hi := a.literalText(d, iv.lo), a.literalText(d, iv.hi)
		if !iv.hiOpen {
			ranges[i] = fmt.Sprintf("%s = %s", col, lo)
			continue
		}
		ranges[i] = fmt.Sprintf("%s >= %s AND %s < %s", col, lo, col, hi)
	}
	if len(ranges) == 1 {
		return ranges[0]
	}
	return "(" + strings.Join(ranges, " OR ") + ")"
}

// literalText writes a partition boundary as a SQL literal of the
// column's type.
func (a *analysis) literalText(d partitionDomain, v value) string {
	switch v.kind {
	case kindNumber:
		return formatPercent(v.n)
	case kindString:
		return "'" + strings.ReplaceAll(v.s, "'", "''") + "'"
	}
	if d.isDate {
		return "DATE '" + v.t.Format("2006-01-02") + "'"
	}
	return "TIMESTAMP '" + v.t.Format("2006-01-02 15:04:05") + "'"
}

// quoteIdent quotes an identifier when the dialect would not read it back
// as written.
func (a *analysis) quoteIdent(s string) string {
	plain := s != ""
	for i, r := range s {
		if !(r == '_' || 'a' <= r && r <= 'z' || i > 0 && '0' <= r && r <= '9' || a.st.Dialect == stmt.BigQuery && 'A' <= r && r <= 'Z') {
			plain = false
		}
	}
	if plain && !reservedWords[s] {
		return s
	}
	if a.st.Dialect == stmt.BigQuery {
		return "`" + strings.ReplaceAll(s, "`", "\\`") + "`"
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// reservedWords are words either dialect reads as keywords where an
// identifier is expected.
var reservedWords = map[string]bool{
	"all": true, "and": true, "any": true, "array": true, "as": true, "between": true,
	"by": true, "case": true, "cast": true, "create": true, "cross": true, "cube": true,
	"default": true, "delete": true, "distinct": true, "else": true, "end": true,
	"escape": true, "except": true, "exists": true, "false": true, "fetch": true,
	"for": true, "from": true, "full": true, "group": true, "grouping": true,
	"having": true, "in": true, "inner": true, "insert": true, "intersect": true,
	"interval": true, "into": true, "is": true, "join": true, "lateral": true,
	"left": true, "like": true, "limit": true, "merge": true, "natural": true,
	"not": true, "null": true, "of": true, "offset": true, "on": true, "or": true,
	"order": true, "outer": true, "over": true, "partition": true, "right": true,
	"rollup": true, "select": true, "set": true, "some": true, "table": true,
	"tablesample": true, "then": true, "to": true, "true": true, "union": true,
	"unnest": true, "using": true, "values": true, "when": true, "where": true,
	"window": true, "with": true,
}
