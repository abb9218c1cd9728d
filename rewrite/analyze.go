package rewrite

import (
	"context"
	"fmt"
	"strings"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/rewrite/stmt"
)

// analysis is one statement with its tables looked up and their scans
// estimated; rules add steps to it.
type analysis struct {
	opts     Options
	req      Request
	st       *stmt.Statement
	seed     uint64
	tables   []*tableInfo
	byRef    map[*stmt.TableRef]*tableInfo
	warnings []string
	steps    []step
	declines []decline
	minRows  int64
	// approximate is set when a dev sample changes the answer.
	approximate bool
	// seedHint is the statement's skim:seed hint, 0 when it has none.
	seedHint uint64
}

// tableInfo is one table reference and what it reads.
type tableInfo struct {
	ref  *stmt.TableRef
	meta *catalog.Table
	// missing says why meta is nil.
	missing string
	// parts are the partitions the statement reads, nil when the table
	// has no known partitions; partsErr says why they are unknown.
	parts    []int
	partsErr error
	// colFraction is the share of the table's bytes in referenced columns.
	colFraction float64
	rows, bytes int64
	sample      *sampleChoice
	// dev describes the table's dev sample, "" when it has none.
	dev string
}

// sampleChoice is how a rule samples a table.
type sampleChoice struct {
	// percent is the TABLESAMPLE SYSTEM percentage; 0 for a partition sample.
	percent float64
	// parts are the partitions a partition sample keeps.
	parts       []int
	rows, bytes int64
}

// step is one rewrite a rule made.
type step struct {
	rule     string
	edits    []Edit
	fallback []Edit
	// keep marks edits every fallback keeps too: a dev sample stays when
	// a rule's sample comes back short.
	keep   bool
	reason string
}

// decline is a rule's reason for not rewriting a block.
type decline struct {
	rule, reason string
}

func (e *Engine) analyze(ctx context.Context, req Request, st *stmt.Statement) (*analysis, error) {
	a := &analysis{opts: e.opts, req: req, st: st, seed: seedFor(req), byRef: map[*stmt.TableRef]*tableInfo{}}
	looked := map[string]*catalog.Table{}
	failed := map[string]string{}
	for _, ref := range st.Tables {
		ti := &tableInfo{ref: ref, colFraction: 1}
		a.tables = append(a.tables, ti)
		a.byRef[ref] = ti
		switch {
		case !ref.Qualified:
			ti.missing = fmt.Sprintf("%s is not fully qualified and the session has no default %s", ref.Written, defaultsName(req.Dialect))
		case looked[ref.Name] != nil:
			ti.meta = looked[ref.Name]
		case failed[ref.Name] != "":
			ti.missing = failed[ref.Name]
		default:
			t, err := e.catalog.Table(ctx, ref.Name)
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			if err != nil {
				ti.missing = lookupError(ref.Name, err)
				failed[ref.Name] = ti.missing
				break
			}
			looked[ref.Name] = t
			ti.meta = t
		}
	}
	// Measuring looks at the other tables of a block, so it waits until
	// every table is looked up.
	for _, ti := range a.tables {
		if ti.meta == nil {
			a.warn(fmt.Sprintf("%s; its bytes are not counted", ti.missing))
			continue
		}
		a.measure(ti)
	}
	return a, nil
}

func defaultsName(d stmt.Dialect) string {
	if d == stmt.BigQuery {
		return "project and dataset"
	}
	return "catalog and schema"
}

func (a *analysis) warn(w string) {
	for _, have := range a.warnings {
		if have == w {
			return
		}
	}
	a.warnings = append(a.warnings, w)
}

// measure estimates what the original statement reads of one table.
func (a *analysis) measure(ti *tableInfo) {
	t := ti.meta
	ti.colFraction = a.columnFraction(ti)
	if len(t.Partitions) > 0 {
		parts, err := prunePartitions(t, a.partitionFilters(ti))
		if err == nil {
			err = a.opaquePartitionFilter(ti)
		}
		if err == nil && ti.ref.Block != nil {
			err = a.ambiguousPartitionFilter(ti)
		}
		if err != nil {
			ti.partsErr = err
			parts = allPartitions(t)
			a.warn(fmt.Sprintf("%s: %v; counting all its partitions", ti.ref.Name, err))
		}
		ti.parts = parts
		ti.rows, ti.bytes = sumPartitions(t, parts)
	} else {
		ti.rows, ti.bytes = t.Rows, t.Bytes
	}
	ti.bytes = scaled(ti.bytes, ti.colFraction)
}

func allPartitions(t *catalog.Table) []int {
	all := make([]int, len(t.Partitions))
	for i := range all {
		all[i] = i
	}
	return all
}

func sumPartitions(t *catalog.Table, parts []int) (rows, bytes int64) {
	for _, i := range parts {
		rows += t.Partitions[i].Rows
		bytes += t.Partitions[i].Bytes
	}
	return rows, bytes
}

func scaled(n int64, f float64) int64 {
	return int64(float64(n)*f + 0.5)
}

// refersTo reports whether column reference c, seen in block b, may name a
// column of table ti.
func (a *analysis) refersTo(ti *tableInfo, c stmt.ColumnRef) bool {
	if c.Qualifier != "" {
		return strings.EqualFold(c.Qualifier, ti.ref.RefName())
	}
	if ti.meta == nil {
		return false
	}
	_, ok := ti.meta.Column(c.Name)
	return ok
}

// partitionFilters returns the filters of the table's block on its
// partition column.
func (a *analysis) partitionFilters(ti *tableInfo) []stmt.Filter {
	if ti.ref.Block == nil {
		return nil
	}
	cols := ti.meta.PartitionColumns()
	var out []stmt.Filter
	for _, f := range ti.ref.Block.Filters {
		if a.refersTo(ti, f.Column) && containsFold(cols, f.Column.Name) {
			out = append(out, f)
		}
	}
	return out
}

// ambiguousPartitionFilter reports an unqualified filter column that names
// the table's partition column while another FROM item of its block (an
// UNNEST, a derived table, a table the catalog does not know) might
// provide a column of that name too: skim cannot tell which one it filters.
func (a *analysis) ambiguousPartitionFilter(ti *tableInfo) error {
	b := ti.ref.Block
	cols := ti.meta.PartitionColumns()
	for _, f := range b.Filters {
		c := f.Column
		if c.Qualifier != "" || !containsFold(cols, c.Name) {
			continue
		}
		for _, fi := range b.From {
			if fi.Table == ti.ref {
				continue
			}
			other := a.byRef[fi.Table]
			if fi.Table == nil || other == nil || other.meta == nil {
				return fmt.Errorf("the unqualified column %s in a filter may belong to another FROM item; qualify it with the table's name or alias", c.Name)
			}
			if _, has := other.meta.Column(c.Name); has {
				return fmt.Errorf("the unqualified column %s in a filter is ambiguous between %s and %s", c.Name, ti.ref.Name, other.ref.Name)
			}
		}
	}
	return nil
}

// opaquePartitionFilter reports a WHERE conjunct on the table's partition
// column that skim cannot evaluate: the partitions read are then unknown.
func (a *analysis) opaquePartitionFilter(ti *tableInfo) error {
	if ti.ref.Block == nil {
		return nil
	}
	cols := ti.meta.PartitionColumns()
	for _, c := range ti.ref.Block.OpaqueFilterColumns {
		if a.refersTo(ti, c) && containsFold(cols, c.Name) {
			return fmt.Errorf("a filter on partition column %s is not a comparison with constants skim can evaluate", c.Name)
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// columnFraction is the share of the table's bytes held by the columns the
// statement references, and the extra columns; 1 when the catalog has no
// column sizes.
func (a *analysis) columnFraction(ti *tableInfo, extra ...string) float64 {
	t := ti.meta
	var total int64
	for _, c := range t.Columns {
		total += c.Bytes
	}
	if total == 0 {
		return 1
	}
	used := map[string]bool{}
	for _, s := range a.starsOver(ti) {
		for _, c := range t.Columns {
			if !containsFold(s.Except, c.Name) {
				used[strings.ToLower(c.Name)] = true
			}
		}
	}
	for _, c := range a.st.Columns {
		if a.refersTo(ti, c) {
			used[strings.ToLower(c.Name)] = true
		}
	}
	for _, c := range extra {
		used[strings.ToLower(c)] = true
	}
	var sum int64
	for _, c := range t.Columns {
		if used[strings.ToLower(c.Name)] {
			sum += c.Bytes
		}
	}
	return float64(sum) / float64(total)
}

// starsOver returns the * items that expand to the table's columns: those
// of its own block, unqualified or qualified with its name, and those of
// blocks that read its block as a derived table or CTE.
func (a *analysis) starsOver(ti *tableInfo) []stmt.Star {
	var out []stmt.Star
	for _, b := range a.st.Blocks {
		for _, s := range b.Star {
			switch {
			case b == ti.ref.Block:
				if s.Qualifier == "" || strings.EqualFold(s.Qualifier, ti.ref.RefName()) {
					out = append(out, s)
				}
			case s.Qualifier == "" && reaches(b, ti.ref.Block, 0):
				out = append(out, stmt.Star{})
			}
		}
	}
	return out
}

// reaches reports whether block from reads block to through its FROM
// items or set operands.
func reaches(from, to *stmt.Block, depth int) bool {
	if depth > 32 {
		return false
	}
	for _, fi := range from.From {
		if fi.Subquery != nil && (fi.Subquery == to || reaches(fi.Subquery, to, depth+1)) {
			return true
		}
	}
	for _, op := range from.Operands {
		if op == to || reaches(op, to, depth+1) {
			return true
		}
	}
	return false
}

// estimate sums the bytes before and after over all table references.
func (a *analysis) estimate() Estimate {
	est := Estimate{Method: "catalog"}
	for _, ti := range a.tables {
		est.BytesBefore += ti.bytes
		if ti.sample != nil {
			est.BytesAfter += ti.sample.bytes
		} else {
			est.BytesAfter += ti.bytes
		}
	}
	return est
}

func (a *analysis) tableResults() []TableResult {
	out := make([]TableResult, 0, len(a.tables))
	for _, ti := range a.tables {
		tr := TableResult{Name: ti.ref.Name, RowsBefore: ti.rows, RowsAfter: ti.rows, BytesBefore: ti.bytes, BytesAfter: ti.bytes}
		if ti.meta != nil {
			tr.PartitionsTotal = len(ti.meta.Partitions)
			tr.PartitionsSelected = len(ti.parts)
		}
		if s := ti.sample; s != nil {
			tr.Sample = ti.dev
			tr.RowsAfter, tr.BytesAfter = s.rows, s.bytes
			if s.percent > 0 {
				p := s.percent
				tr.SamplePercent = &p
			}
			if s.parts != nil {
				tr.PartitionsSelected = len(s.parts)
			}
		}
		out = append(out, tr)
	}
	return out
}

// tablesBefore reports the tables as the original statement reads them.
func (a *analysis) tablesBefore() []TableResult {
	for _, ti := range a.tables {
		ti.sample = nil
	}
	return a.tableResults()
}

func (a *analysis) splice() (rewritten string, fallbacks []string, err error) {
	var edits, fallback, kept []Edit
	for _, s := range a.steps {
		edits = append(edits, s.edits...)
		fallback = append(fallback, s.fallback...)
		if s.keep {
			kept = append(kept, s.edits...)
			fallback = append(fallback, s.edits...)
		}
	}
	rewritten, err = Splice(a.st.Text, edits)
	if err != nil {
		return "", nil, err
	}
	base, err := Splice(a.st.Text, kept)
	if err != nil {
		return "", nil, err
	}
	if len(fallback) > len(kept) {
		f, err := Splice(a.st.Text, fallback)
		if err != nil {
			return "", nil, err
		}
		// A partition sample for more rows can be the same partitions.
		if f != rewritten {
			fallbacks = append(fallbacks, f)
		}
	}
	if base != rewritten {
		fallbacks = append(fallbacks, base)
	}
	return rewritten, fallbacks, nil
}

func (a *analysis) appliedRules() []string {
	var out []string
	for _, s := range a.steps {
		if !containsFold(out, s.rule) {
			out = append(out, s.rule)
		}
	}
	return out
}

func (a *analysis) applyReason() string {
	var rs []string
	for _, s := range a.steps {
		rs = append(rs, s.rule+": "+s.reason)
	}
	return joinReasons(rs)
}

func (a *analysis) declinedRules() []string {
	out := []string{}
	for _, d := range a.declines {
		if !containsFold(out, d.rule) {
			out = append(out, d.rule)
		}
	}
	return out
}

func (a *analysis) declineReason() string {
	if len(a.declines) == 0 {
		return noRuleReason(a.st)
	}
	var rs []string
	for _, d := range a.declines {
		rs = append(rs, d.rule+": "+d.reason)
	}
	return joinReasons(rs)
}

func noRuleReason(st *stmt.Statement) string {
	if st.Dialect == stmt.BigQuery {
		return "no rule applies: the statement has no ORDER BY RAND() LIMIT and no LIMIT without ORDER BY"
	}
	return "no rule applies: the statement has no ORDER BY rand() LIMIT"
}
