// Package advice tells data owners how consumers filter their tables, so
// that they can partition and cluster the tables by what consumers filter
// on. It reads the ledger one record at a time and, for every table, adds
// up the statements that read it, the bytes they scanned and the columns
// they filter on, and estimates the bytes each column would have saved as
// the table's partitioning or clustering column.
//
// # The estimate
//
// A ledger record carries the bytes of a whole statement, not of each
// table, and the columns it filters on, not the predicates. The estimate
// therefore rests on these assumptions, all of them stated in the report:
//
//   - A statement scanned its upstream's own figure (bytes processed, else
//     billed), else skim's estimate of the statement it sent. A rejected
//     statement scanned nothing and is left out.
//   - A statement reading several tables scanned them in proportion to
//     their sizes in the catalog; when one of them is not in the catalog,
//     in equal parts.
//   - A statement that filters on column c and scanned B bytes of table T
//     would, with T partitioned by c, scan B × s, where s is the share of
//     T a filter on c selects. For a date or timestamp column (or a column
//     whose partition values are dates), a statement is taken to read
//     Options.DaysRead days (a week) of the D days the table's partitions
//     span: s = DaysRead / D, at most 1. When the catalog gives no D, or
//     for any other column, s is Options.UnknownSelectivity (one half).
//   - Clustering (BigQuery clustering, Iceberg sort order) prunes blocks
//     or files by value ranges, which overlap; it saves
//     Options.ClusteringFactor (one half) of what partitioning would.
//   - A column that is already a partitioning column saves nothing: its
//     statements are pruned already. A column that is already a
//     clustering column saves nothing as a clustering column, and as a
//     partitioning column only the difference between the clustered and
//     the partitioned scan.
//   - Savings of different columns overlap, so a table's potential saving
//     is that of its best column, not their sum.
//
// Partitioning is advised only for date and timestamp columns: for other
// columns the ledger says nothing of how many distinct values they hold,
// and partitioning by a column of many values makes many small
// partitions, so clustering is advised instead. BigQuery allows one
// partitioning column, so a BigQuery table that is already partitioned is
// advised to cluster.
package advice

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/proxy/ledger"
)

// Defaults of Options.
const (
	// DefaultDaysRead is a week: the window most dashboards and ad-hoc
	// queries look at, and wide enough not to flatter partitioning.
	DefaultDaysRead = 7
	// DefaultUnknownSelectivity is deliberately modest: a filter whose
	// selectivity nothing tells is taken to keep half the table.
	DefaultUnknownSelectivity = 0.5
	// DefaultClusteringFactor says clustering prunes half as well as
	// partitioning.
	DefaultClusteringFactor = 0.5
)

// Options tune the advice. Zero fields take the defaults above.
type Options struct {
	// Table, when set, restricts the advice to this fully qualified table.
	Table string
	// DaysRead is how many days a statement that filters on a date or
	// timestamp column is taken to read.
	DaysRead float64
	// UnknownSelectivity is the share of a table that a filter keeps when
	// the catalog gives no better number; above 0 and at most 1.
	UnknownSelectivity float64
	// ClusteringFactor is the share of partitioning's saving that
	// clustering by the same column achieves; above 0 and at most 1.
	ClusteringFactor float64
}

func (o *Options) setDefaults() {
	o.Table = strings.ToLower(strings.TrimSpace(o.Table))
	if o.DaysRead <= 0 {
		o.DaysRead = DefaultDaysRead
	}
	if o.UnknownSelectivity <= 0 || o.UnknownSelectivity > 1 {
		o.UnknownSelectivity = DefaultUnknownSelectivity
	}
	if o.ClusteringFactor <= 0 || o.ClusteringFactor > 1 {
		o.ClusteringFactor = DefaultClusteringFactor
	}
}

// Actions a Column advises.
const (
	// Partition: partition the table by the column (by day for a date or
	// timestamp column).
	Partition = "partition"
	// Cluster: cluster (BigQuery) or sort (Iceberg) the table by the
	// column.
	Cluster = "cluster"
)

// Report is the advice for every table the ledger's statements read.
type Report struct {
	// Statements is how many records were considered: those in the span
	// that read the table asked for (every table when none was), rejected
	// statements excluded.
	Statements int `json:"statements"`
	// Rejected counts the rejected statements left out.
	Rejected int `json:"rejected"`
	// First and Last are the times of the oldest and newest statements
	// considered; zero when there were none.
	First time.Time `json:"first,omitzero"`
	Last  time.Time `json:"last,omitzero"`
	// Tables are sorted by potential saving, then bytes scanned, then name.
	Tables []Table `json:"tables"`
	// Assumptions are the estimate's parameters.
	Assumptions Assumptions `json:"assumptions"`
}

// Assumptions are the parameters the savings were estimated with; see the
// package documentation.
type Assumptions struct {
	DaysRead           float64 `json:"days_read"`
	UnknownSelectivity float64 `json:"unknown_selectivity"`
	ClusteringFactor   float64 `json:"clustering_factor"`
}

// Table is the advice for one table.
type Table struct {
	// Name is the fully qualified name, lower case.
	Name string `json:"name"`
	// InCatalog says whether the catalog describes the table; when it
	// does not, Note says why and no saving is estimated.
	InCatalog bool   `json:"in_catalog"`
	Note      string `json:"note,omitempty"`
	// Bytes is the table's size in the catalog.
	Bytes int64 `json:"bytes,omitempty"`
	// Days is how many days the table's partitions span, 0 when unknown.
	Days float64 `json:"days,omitempty"`
	// Partitioning lists the current partitioning: a column, or
	// "day(event_ts)" for time partitioning. Clustering lists the
	// current clustering or sort columns.
	Partitioning []string `json:"partitioning,omitempty"`
	Clustering   []string `json:"clustering,omitempty"`
	// Frontends are the skim frontends ("trino", "bigquery") the
	// statements came through.
	Frontends []string `json:"frontends,omitempty"`
	// Statements read the table and scanned BytesScanned of it.
	Statements   int   `json:"statements"`
	BytesScanned int64 `json:"bytes_scanned"`
	// Columns are the columns statements filter on, sorted by Savings,
	// then statements, then name.
	Columns []Column `json:"columns"`
	// Savings is the best column's saving, with that column and its
	// action; zero and empty when no column would save anything.
	Savings    int64  `json:"savings"`
	BestColumn string `json:"best_column,omitempty"`
	BestAction string `json:"best_action,omitempty"`
}

// Column is what statements did with one column of a table and what
// partitioning or clustering by it would have saved.
type Column struct {
	Name string `json:"name"`
	// Type is the catalog's column type, empty when unknown.
	Type string `json:"type,omitempty"`
	// Statements filter on the column; Share is their share of the
	// table's statements; BytesScanned is what they scanned of the table.
	Statements   int     `json:"statements"`
	Share        float64 `json:"share"`
	BytesScanned int64   `json:"bytes_scanned"`
	// Partitioned and Clustered say whether the column already is a
	// partitioning or clustering column.
	Partitioned bool `json:"partitioned,omitempty"`
	Clustered   bool `json:"clustered,omitempty"`
	// Selectivity is the share of the table a filter on the column is
	// taken to keep, and Basis where that number comes from; zero and
	// empty for a table the catalog does not know.
	Selectivity float64 `json:"selectivity,omitempty"`
	Basis       string  `json:"basis,omitempty"`
	// PartitionSavings and ClusteringSavings are the bytes the statements
	// would not have scanned had the table been partitioned, or
	// clustered, by the column.
	PartitionSavings  int64 `json:"partition_savings"`
	ClusteringSavings int64 `json:"clustering_savings"`
	// Action is what the advice is for this column, Partition or Cluster,
	// and Savings that action's saving; empty and zero when neither
	// would help.
	Action  string `json:"action,omitempty"`
	Savings int64  `json:"savings"`
}

// advisor adds up ledger records one at a time; it holds a few numbers per
// table and column, never the records. It is not safe for concurrent use.
type advisor struct {
	cat    catalog.Provider
	opts   Options
	log    *zap.Logger
	tables map[string]*tableSum
	rep    Report
}

// tableSum accumulates one table. Bytes are float64 because a statement's
// bytes are split among its tables in fractions.
type tableSum struct {
	meta       *catalog.Table // nil when the catalog does not know the table
	note       string
	days       float64
	frontends  map[string]bool
	statements int
	bytes      float64
	columns    map[string]*columnSum
}

type columnSum struct {
	typ                  string
	partitioned          bool
	clustered            bool
	timeColumn           bool
	selectivity          float64
	basis                string
	statements           int
	bytes                float64
	partSaved, clusSaved float64
}

// newAdvisor returns an advisor that looks tables up in cat, which may be
// nil when there is no catalog: then every table is listed without savings.
func newAdvisor(cat catalog.Provider, opts Options, log *zap.Logger) *advisor {
	opts.setDefaults()
	return &advisor{
		cat:    cat,
		opts:   opts,
		log:    log,
		tables: make(map[string]*tableSum),
		rep: Report{Assumptions: Assumptions{
			DaysRead:           opts.DaysRead,
			UnknownSelectivity: opts.UnknownSelectivity,
			ClusteringFactor:   opts.ClusteringFactor,
		}},
	}
}

// Run reads the ledger at source (a JSON-lines file or a postgres:// URL)
// over span and returns the advice, with how the read went.
func Run(ctx context.Context, source string, span ledger.Span, cat catalog.Provider, opts Options, log *zap.Logger) (*Report, ledger.ReadStats, error) {
	a := newAdvisor(cat, opts, log)
	st, err := ledger.Read(ctx, source, span, func(r ledger.Record) error { return a.add(ctx, r) })
	if err != nil {
		return nil, st, err
	}
	return a.report(), st, nil
}

// add counts one record. It fails only when ctx ends during a catalog
// lookup.
func (a *advisor) add(ctx context.Context, r ledger.Record) error {
	if r.Decision == "reject" {
		a.rep.Rejected++
		return nil
	}
	tables, filters := split(r)
	if a.opts.Table != "" && !slices.Contains(tables, a.opts.Table) {
		return nil
	}
	sums := make([]*tableSum, len(tables))
	for i, name := range tables {
		s, err := a.table(ctx, name)
		if err != nil {
			return err
		}
		sums[i] = s
	}
	a.rep.Statements++
	if a.rep.First.IsZero() || r.Time.Before(a.rep.First) {
		a.rep.First = r.Time
	}
	if r.Time.After(a.rep.Last) {
		a.rep.Last = r.Time
	}

	scanned := float64(r.Processed())
	weights := shares(sums)
	for i, name := range tables {
		if a.opts.Table != "" && name != a.opts.Table {
			continue
		}
		s := sums[i]
		b := scanned * weights[i]
		s.statements++
		s.bytes += b
		if r.Frontend != "" {
			s.frontends[r.Frontend] = true
		}
		for _, col := range filters[name] {
			c := s.column(col, a.opts)
			c.statements++
			c.bytes += b
			if s.meta == nil {
				continue
			}
			p, cl := savings(b, c, a.opts.ClusteringFactor)
			c.partSaved += p
			c.clusSaved += cl
		}
	}
	return nil
}

// table returns the sum for name, looking the table up on first sight.
func (a *advisor) table(ctx context.Context, name string) (*tableSum, error) {
	if s, ok := a.tables[name]; ok {
		return s, nil
	}
	s := &tableSum{frontends: make(map[string]bool), columns: make(map[string]*columnSum)}
	switch {
	case a.cat == nil:
		s.note = "no catalog given"
	default:
		t, err := a.cat.Table(ctx, name)
		switch {
		case err == nil:
			s.meta = t
			s.days = spanDays(t)
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(err, catalog.ErrNotFound):
			s.note = "unknown to the catalog"
		default:
			// One table the catalog cannot describe should not cost the
			// advice on every other table.
			a.log.Warn("catalog lookup failed; the table is listed without savings", zap.String("table", name), zap.Error(err))
			s.note = fmt.Sprintf("catalog lookup failed: %v", err)
		}
	}
	a.tables[name] = s
	return s, nil
}

// column returns the sum for a column, deciding on first sight what the
// catalog says about it.
func (s *tableSum) column(name string, opts Options) *columnSum {
	if c, ok := s.columns[name]; ok {
		return c
	}
	c := &columnSum{}
	s.columns[name] = c
	t := s.meta
	if t == nil {
		return c
	}
	if col, ok := t.Column(name); ok {
		c.typ = col.Type
	}
	c.partitioned = containsFold(t.PartitionColumns(), name)
	c.clustered = containsFold(t.Clustering, name)
	c.timeColumn = isTimeType(c.typ) || dateValued(t, name)
	c.selectivity, c.basis = selectivity(c.timeColumn, s.days, opts)
	return c
}

// report returns the advice for the records added so far.
func (a *advisor) report() *Report {
	rep := a.rep
	rep.Tables = make([]Table, 0, len(a.tables))
	for name, s := range a.tables {
		if a.opts.Table != "" && name != a.opts.Table {
			continue
		}
		rep.Tables = append(rep.Tables, s.advice(name))
	}
	slices.SortFunc(rep.Tables, func(x, y Table) int {
		switch {
		case x.Savings != y.Savings:
			return cmp.Compare(y.Savings, x.Savings)
		case x.BytesScanned != y.BytesScanned:
			return cmp.Compare(y.BytesScanned, x.BytesScanned)
		}
		return strings.Compare(x.Name, y.Name)
	})
	return &rep
}

func (s *tableSum) advice(name string) Table {
	t := Table{
		Name:         name,
		InCatalog:    s.meta != nil,
		Note:         s.note,
		Days:         s.days,
		Statements:   s.statements,
		BytesScanned: int64(s.bytes + 0.5),
		Columns:      make([]Column, 0, len(s.columns)),
	}
	for f := range s.frontends {
		t.Frontends = append(t.Frontends, f)
	}
	slices.Sort(t.Frontends)
	// BigQuery tables have one partitioning column; a second one is not
	// an option there.
	onePartitioning := false
	if m := s.meta; m != nil {
		t.Bytes = m.Bytes
		if p := m.Partitioning; p != nil {
			switch {
			case p.Column != "" && p.Granularity != "":
				t.Partitioning = []string{fmt.Sprintf("%s(%s)", p.Granularity, p.Column)}
			case p.Column != "":
				t.Partitioning = []string{p.Column}
			default:
				t.Partitioning = slices.Clone(p.Columns)
			}
			onePartitioning = s.frontends["bigquery"]
		}
		t.Clustering = slices.Clone(m.Clustering)
	}
	for name, c := range s.columns {
		col := Column{
			Name:              name,
			Type:              c.typ,
			Statements:        c.statements,
			BytesScanned:      int64(c.bytes + 0.5),
			Partitioned:       c.partitioned,
			Clustered:         c.clustered,
			Selectivity:       c.selectivity,
			Basis:             c.basis,
			PartitionSavings:  int64(c.partSaved + 0.5),
			ClusteringSavings: int64(c.clusSaved + 0.5),
		}
		if s.statements > 0 {
			col.Share = float64(c.statements) / float64(s.statements)
		}
		switch {
		case c.timeColumn && !onePartitioning && col.PartitionSavings > 0:
			col.Action, col.Savings = Partition, col.PartitionSavings
		case col.ClusteringSavings > 0:
			col.Action, col.Savings = Cluster, col.ClusteringSavings
		}
		t.Columns = append(t.Columns, col)
	}
	slices.SortFunc(t.Columns, func(x, y Column) int {
		switch {
		case x.Savings != y.Savings:
			return cmp.Compare(y.Savings, x.Savings)
		case x.Statements != y.Statements:
			return cmp.Compare(y.Statements, x.Statements)
		}
		return strings.Compare(x.Name, y.Name)
	})
	if len(t.Columns) > 0 && t.Columns[0].Savings > 0 {
		best := t.Columns[0]
		t.Savings, t.BestColumn, t.BestAction = best.Savings, best.Name, best.Action
	}
	return t
}

// split returns the distinct tables a record reads, lower case, and the
// distinct columns it filters on per table. A filter column's table counts
// as read even if Tables leaves it out.
func split(r ledger.Record) (tables []string, filters map[string][]string) {
	for _, t := range r.Tables {
		t = strings.ToLower(t)
		if t != "" && !slices.Contains(tables, t) {
			tables = append(tables, t)
		}
	}
	filters = make(map[string][]string)
	for _, pair := range r.FilterColumns {
		t, c := splitPair(strings.ToLower(pair), tables)
		if t == "" || c == "" {
			continue
		}
		if !slices.Contains(tables, t) {
			tables = append(tables, t)
		}
		if !slices.Contains(filters[t], c) {
			filters[t] = append(filters[t], c)
		}
	}
	return tables, filters
}

// splitPair splits "catalog.schema.table.column". The longest table of the
// record that prefixes the pair wins, so a quoted column name with a dot
// stays whole; otherwise the column is what follows the last dot.
func splitPair(pair string, tables []string) (table, column string) {
	for _, t := range tables {
		if rest, ok := strings.CutPrefix(pair, t+"."); ok && len(t) > len(table) {
			table, column = t, rest
		}
	}
	if table != "" {
		return table, column
	}
	i := strings.LastIndexByte(pair, '.')
	if i < 0 {
		return "", ""
	}
	return pair[:i], pair[i+1:]
}

// shares splits a statement's bytes among its tables: by catalog size when
// the catalog sizes them all, equally otherwise.
func shares(sums []*tableSum) []float64 {
	w := make([]float64, len(sums))
	var total float64
	for _, s := range sums {
		if s.meta == nil || s.meta.Bytes <= 0 {
			total = 0
			break
		}
		total += float64(s.meta.Bytes)
	}
	for i, s := range sums {
		if total > 0 {
			w[i] = float64(s.meta.Bytes) / total
		} else {
			w[i] = 1 / float64(len(sums))
		}
	}
	return w
}

// savings estimates what b bytes a statement scanned through a filter on c
// would have saved with the table partitioned, and clustered, by c.
func savings(b float64, c *columnSum, factor float64) (partition, cluster float64) {
	s := c.selectivity
	switch {
	case c.partitioned:
		// Already pruned by this column.
		return 0, 0
	case c.clustered:
		// b is the clustered scan, b = full × (1 − factor(1 − s)); the
		// partitioned scan would be full × s.
		return b - b*s/(1-factor*(1-s)), 0
	}
	return b * (1 - s), b * (1 - s) * factor
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
