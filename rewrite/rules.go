package rewrite

import (
	"fmt"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/rewrite/stmt"
)

// Rule names, as they appear in every output.
const (
	RuleRandLimit = "rand_limit"
	RuleLimitScan = "limit_scan"
	RuleOptOut    = "skim:off"
)

// applyRules offers every query block to the rules in turn. Each rule owns
// the blocks it recognises; a block the rule cannot rewrite safely leaves a
// decline with its reason.
func (a *analysis) applyRules() {
	for _, b := range a.st.Blocks {
		switch {
		case b.HasLimit && b.RandomOrder():
			a.randLimit(b)
		case b.HasLimit && len(b.OrderBy) == 0 && a.st.Dialect == stmt.BigQuery:
			a.limitScan(b)
		}
	}
}

// randLimit is the rand_limit rule: SELECT ... ORDER BY rand() LIMIT n asks
// for any n rows drawn at random, so reading a random sample of the largest
// table that still holds n rows returns an equally correct answer. ORDER BY
// rand() LIMIT n stays on top, so the rows within the sample stay random.
func (a *analysis) randLimit(b *stmt.Block) {
	what := "ORDER BY rand() LIMIT"
	if a.st.Dialect == stmt.BigQuery {
		what = "ORDER BY RAND() LIMIT"
	}
	if reason := answerDependsOnAllRows(b, what); reason != "" {
		a.declines = append(a.declines, decline{RuleRandLimit, reason})
		return
	}
	a.sampleBlock(RuleRandLimit, b)
}

// limitScan is the limit_scan rule (BigQuery): SELECT ... LIMIT n without
// ORDER BY may return any n rows, yet BigQuery bills the full scan; a sample
// that still holds n rows bills far less.
func (a *analysis) limitScan(b *stmt.Block) {
	if reason := answerDependsOnAllRows(b, "LIMIT"); reason != "" {
		a.declines = append(a.declines, decline{RuleLimitScan, reason})
		return
	}
	a.sampleBlock(RuleLimitScan, b)
}

// answerDependsOnAllRows says why the block's answer would change if it read
// fewer rows, or "" when any n rows are a correct answer.
func answerDependsOnAllRows(b *stmt.Block, what string) string {
	switch {
	case b.SetOp != "":
		return fmt.Sprintf("the %s applies to a set operation (%s), whose rows depend on every input row", what, b.SetOp)
	case b.GroupBy:
		return fmt.Sprintf("the %s block has GROUP BY, whose groups depend on every row", what)
	case b.Aggregates:
		return fmt.Sprintf("the %s block computes aggregates over every row", what)
	case b.Distinct:
		return fmt.Sprintf("the %s block has DISTINCT, which depends on every row", what)
	case b.Windows:
		return fmt.Sprintf("the %s block has window functions, which depend on every row", what)
	case b.Offset:
		return fmt.Sprintf("the %s block has OFFSET", what)
	case b.Limit <= 0:
		return fmt.Sprintf("the %s block asks for no rows", what)
	}
	return ""
}

// candidate is a table a block could sample, and how it is reached.
type candidate struct {
	ti *tableInfo
	// via lists the CTEs and derived tables the block reads it through.
	via []*stmt.Block
}

// sampleBlock samples the largest table block b reads so that b still
// returns its LIMIT rows, and records the step or the reason it declined.
func (a *analysis) sampleBlock(rule string, b *stmt.Block) {
	n := b.Limit
	cands, joined, why := a.candidates(b, nil, 0)
	if len(cands) == 0 {
		if why == "" {
			why = "the block reads no table"
		}
		a.declines = append(a.declines, decline{rule, why})
		return
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if c.ti.bytes > best.ti.bytes {
			best = c
		}
	}
	ti := best.ti
	name := ti.ref.Name
	switch {
	case ti.sample != nil:
		a.declines = append(a.declines, decline{rule, fmt.Sprintf("%s is already sampled by another rule", name)})
		return
	case ti.partsErr != nil:
		a.declines = append(a.declines, decline{rule, fmt.Sprintf("%s: %v, so the rows in scope are unknown", name, ti.partsErr)})
		return
	case ti.meta.Bytes < a.opts.MinTableBytes:
		a.declines = append(a.declines, decline{rule, fmt.Sprintf("%s is %s, below the %s sampling threshold", name, catalog.FormatBytes(ti.meta.Bytes), catalog.FormatBytes(a.opts.MinTableBytes))})
		return
	case ti.bytes < a.opts.MinTableBytes:
		a.declines = append(a.declines, decline{rule, fmt.Sprintf("the statement reads %s of %s, below the %s sampling threshold", catalog.FormatBytes(ti.bytes), name, catalog.FormatBytes(a.opts.MinTableBytes))})
		return
	case n >= ti.rows:
		a.declines = append(a.declines, decline{rule, fmt.Sprintf("LIMIT %d asks for at least the %d rows %s holds in scope", n, ti.rows, name)})
		return
	}
	unknownRows := joined || a.filtersRows(b, ti)
	for _, v := range best.via {
		unknownRows = unknownRows || a.filtersRows(v, ti)
	}
	if unknownRows && a.req.MaxRows < 0 {
		a.declines = append(a.declines, decline{rule, fmt.Sprintf("filters or joins keep an unknown share of the rows of a sample of %s, and this frontend cannot count the rows that come back to run a fallback", name)})
		return
	}
	if unknownRows && b != a.st.Blocks[0] {
		a.declines = append(a.declines, decline{rule, fmt.Sprintf("the LIMIT is inside a subquery or CTE, where skim cannot count the sample's rows, and its joins or filters make the rows of a sample of %s unpredictable", name)})
		return
	}
	if unknownRows && a.req.MaxRows > 0 && n > a.req.MaxRows {
		a.declines = append(a.declines, decline{rule, fmt.Sprintf("LIMIT %d is above the %d rows skim can count to make sure a sample of %s, whose filters or joins keep an unknown share of rows, returns them all", n, a.req.MaxRows, name)})
		return
	}
	choice := a.chooseSample(ti, n)
	if choice == nil {
		a.declines = append(a.declines, decline{rule, fmt.Sprintf("no sample of %s that keeps %d rows with a shortfall chance below %g reads less than half of the original scan", name, n, a.opts.MaxShortfall)})
		return
	}
	fallback := a.chooseSample(ti, n*fallbackFactor)
	if fallback != nil && fallback.percent == choice.percent && len(fallback.parts) == len(choice.parts) {
		// Ten times the rows still fit the same sample: widen it instead.
		fallback = a.widerSample(ti, choice)
	}
	ti.sample = choice
	s := step{rule: rule, edits: a.sampleEdits(ti, choice)}
	if fallback != nil {
		s.fallback = a.sampleEdits(ti, fallback)
	}
	s.reason = a.describeSample(ti, choice, n)
	a.steps = append(a.steps, s)
	if b == a.st.Blocks[0] {
		a.minRows = n
	}
	if unknownRows {
		a.warn(fmt.Sprintf("%s: filters or joins keep an unknown share of the sampled rows; if fewer than %d rows come back, run the fallback", rule, n))
	}
}

// filtersRows reports whether block b's WHERE drops rows of the sampled
// table by anything but its partition column, whose effect the catalog
// already counts.
func (a *analysis) filtersRows(b *stmt.Block, ti *tableInfo) bool {
	if b.OtherFilters {
		return true
	}
	cols := ti.meta.PartitionColumns()
	for _, f := range b.Filters {
		if b != ti.ref.Block || !a.refersTo(ti, f.Column) || !containsFold(cols, f.Column.Name) {
			return true
		}
	}
	return false
}

// fallbackFactor is how many more rows the first fallback sample targets.
const fallbackFactor = 10

// candidates lists the tables block b reads that it may sample: base tables
// in its FROM clause, and those of CTEs and derived tables it reads whose
// rows are just filtered rows of their own tables. joined is true when the
// rows of b are a join, so a sample's share of them is unknown.
func (a *analysis) candidates(b *stmt.Block, via []*stmt.Block, depth int) (cands []candidate, joined bool, why string) {
	if depth > 16 {
		return nil, false, "CTEs nest too deeply"
	}
	for _, fi := range b.From {
		switch {
		case fi.NullSupplying:
			why = "the table sits on the NULL-extended side of an outer join, where sampling would invent rows"
		case fi.Table != nil:
			ti := a.byRef[fi.Table]
			switch {
			case ti == nil:
			case ti.meta == nil:
				why = ti.missing
			case fi.Table.Sampled:
				why = fmt.Sprintf("%s is already sampled", ti.ref.Name)
			default:
				cands = append(cands, candidate{ti: ti, via: via})
			}
		case fi.Subquery != nil:
			sub := fi.Subquery
			if reason := a.opaqueSubquery(sub, fi); reason != "" {
				why = reason
				continue
			}
			more, subJoined, subWhy := a.candidates(sub, append(via[:len(via):len(via)], sub), depth+1)
			cands = append(cands, more...)
			joined = joined || subJoined
			if subWhy != "" {
				why = subWhy
			}
		}
	}
	return cands, joined || len(b.From) > 1, why
}

// opaqueSubquery says why skim does not sample through a derived table or
// CTE, or "" when its rows are filtered rows of the tables it reads.
func (a *analysis) opaqueSubquery(sub *stmt.Block, fi *stmt.FromItem) string {
	what := "a derived table"
	if sub.Context == stmt.InCTE {
		what = "CTE " + sub.CTE
	}
	switch {
	case fi.Lateral:
		return fmt.Sprintf("%s is LATERAL", what)
	case sub.SetOp != "" || sub.GroupBy || sub.Aggregates || sub.Distinct || sub.Windows || sub.HasLimit || sub.Offset || len(sub.OrderBy) > 0:
		return fmt.Sprintf("%s aggregates, orders, limits or combines rows, so its sample would not be a sample of its rows", what)
	case sub.Context == stmt.InCTE && a.references(sub) > 1:
		return fmt.Sprintf("%s is read more than once, and sampling it would change the other reads", what)
	}
	return ""
}

// references counts the FROM items that read block sub.
func (a *analysis) references(sub *stmt.Block) int {
	n := 0
	for _, b := range a.st.Blocks {
		for _, fi := range b.From {
			if fi.Subquery == sub {
				n++
			}
		}
	}
	return n
}

// describeSample words a sample for the reason.
func (a *analysis) describeSample(ti *tableInfo, c *sampleChoice, n int64) string {
	before := catalog.FormatBytes(ti.bytes)
	after := catalog.FormatBytes(c.bytes)
	if c.percent > 0 {
		return fmt.Sprintf("sampled %s%% of %s (TABLESAMPLE SYSTEM), enough for %d rows with a shortfall chance below %g; %s → %s", formatPercent(c.percent), ti.ref.Name, n, a.opts.MaxShortfall, before, after)
	}
	return fmt.Sprintf("read %d of %d partitions of %s, chosen at random, holding %d rows for the %d asked; %s → %s", len(c.parts), len(ti.parts), ti.ref.Name, c.rows, n, before, after)
}
