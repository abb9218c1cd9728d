package rewrite

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/rewrite/stmt"
)

// RuleDevSample names the dev sampling an enforce policy applies.
const RuleDevSample = "dev_sample"

// DevSample is the sampling an enforce policy applies to every read of a
// table at least MinTableBytes large, whatever the statement does with
// the rows: dev environments asked for approximate data.
//
// Each table is sampled in the first of these ways that applies:
//   - Key names a column the table has and the statement reads it (joins
//     on it, say): rows are kept by a hash of the key's value (and of
//     Seed), so every table carrying the key keeps the same keys and joins
//     between samples keep their matches. The hash reads the whole key
//     column, so this saves no scan; it keeps dev results consistent.
//   - Seed is set and the table has at least two partitions in scope: a
//     seeded choice of Percent of them (at least one), the same on every
//     run for the same table.
//   - Seed is set and the table has the key: the key's hash, as the one
//     way to a reproducible sample, though it reads the key column too.
//   - Otherwise TABLESAMPLE SYSTEM (Percent). Neither Trino nor BigQuery
//     has REPEATABLE, so such a sample differs from run to run.
//
// A statement's skim:seed=N hint replaces Seed.
//
// PartitionsLast first restricts a time-partitioned table to the
// partitions that hold the last PartitionsLast of data.
type DevSample struct {
	// MinTableBytes is the size from which tables are sampled; zero
	// means the engine's MinTableBytes.
	MinTableBytes int64
	// Percent is the share of each table kept; zero means 1.
	Percent float64
	// PartitionsLast, when positive, keeps only recent partitions.
	PartitionsLast time.Duration
	// Seed makes samples reproducible; zero leaves them random.
	Seed uint64
	// Key is the sampling key column; "" samples tables independently.
	Key string
}

// Budget caps what a statement may scan.
type Budget struct {
	// MaxScanBytes caps one statement's estimated scan.
	MaxScanBytes int64
	// DailyScanBytes caps what one user scans in a UTC day; SpentToday is
	// what the user has scanned so far today.
	DailyScanBytes int64
	SpentToday     int64
	// OptOutAllowed says the policy honours skim:off, for the reject
	// message's advice.
	OptOutAllowed bool
}

// hashBuckets is the resolution of key sampling: 0.01%.
const hashBuckets = 10000

// devSample samples every large table the statement reads that no rule
// already sampled, by wrapping its reference in a sampled subquery. A
// subquery keeps the sample local to the table: a predicate added to WHERE
// would also drop the NULL-extended rows of an outer join.
func (a *analysis) devSample(s *DevSample) {
	var ds DevSample
	if s != nil {
		ds = *s
	}
	if ds.MinTableBytes <= 0 {
		ds.MinTableBytes = a.opts.MinTableBytes
	}
	if ds.Percent <= 0 || ds.Percent > 100 {
		ds.Percent = 1
	}
	if a.seedHint != 0 {
		ds.Seed = a.seedHint
	}
	for _, ti := range a.tables {
		switch {
		case ti.meta == nil || ti.ref.Block == nil || ti.sample != nil:
			continue
		case ti.ref.Sampled:
			a.warn(fmt.Sprintf("%s: %s already has a TABLESAMPLE clause; it is left as written", RuleDevSample, ti.ref.Name))
			continue
		case ti.meta.Bytes < ds.MinTableBytes:
			continue
		}
		if q := a.fullNameQualifier(ti); q != "" {
			a.warn(fmt.Sprintf("%s: columns are qualified with %s's full name (%s), which a sampled subquery would hide; it is read whole", RuleDevSample, ti.ref.Name, q))
			continue
		}
		a.devSampleTable(ti, ds)
	}
}

// devSampleTable samples one table as DevSample describes.
func (a *analysis) devSampleTable(ti *tableInfo, ds DevSample) {
	t := ti.meta
	var conds []string
	parts := ti.parts
	how := []string{}
	if ds.PartitionsLast > 0 {
		if cond, recent, ok := a.recentPartitions(ti, ds.PartitionsLast); ok {
			conds = append(conds, cond)
			if recent != nil {
				parts = recent
			}
			how = append(how, "last "+config.FormatDuration(ds.PartitionsLast))
		}
	}
	rows, raw := t.Rows, t.Bytes
	if parts != nil {
		rows, raw = sumPartitions(t, parts)
	}
	bytes := scaled(raw, ti.colFraction)
	clause := ""
	choice := &sampleChoice{}
	key, keyOK := t.Column(ds.Key)
	keyOK = keyOK && ds.Key != "" && !isNestedType(key.Type)
	withKey := ti.colFraction
	if keyOK {
		withKey = a.columnFraction(ti, key.Name)
	}
	switch {
	case keyOK && (withKey == ti.colFraction || ds.Seed != 0 && len(parts) < 2):
		// The statement reads the key anyway (a join on it, say), or
		// the key is the only way to a reproducible sample.
		conds = append(conds, a.keyHash(key.Name, ds))
		choice.rows, choice.bytes = scaled(rows, ds.Percent/100), scaled(raw, withKey)
		desc := fmt.Sprintf("%s%% by a hash of %s", formatPercent(ds.Percent), key.Name)
		if withKey != ti.colFraction {
			desc += ", which it reads for the hash"
		}
		how = append(how, desc)
	case ds.Seed != 0 && len(parts) >= 2:
		chosen := a.seededPartitions(ti, parts, ds)
		conds = append(conds, a.partitionPredicate(ti, chosen))
		r, b := sumPartitions(t, chosen)
		choice.rows, choice.bytes, choice.parts = r, scaled(b, ti.colFraction), chosen
		how = append(how, fmt.Sprintf("%d of %d partitions chosen by seed %d", len(chosen), len(parts), ds.Seed))
	default:
		clause = a.tablesampleClause(ds.Percent)
		choice.rows, choice.bytes = scaled(rows, ds.Percent/100), scaled(bytes, ds.Percent/100)
		choice.percent = ds.Percent
		how = append(how, formatPercent(ds.Percent)+"% TABLESAMPLE SYSTEM")
		if ds.Seed != 0 {
			a.warn(fmt.Sprintf("%s: %s has no %s column and too few partitions for a seeded choice, and the engine's TABLESAMPLE cannot repeat a sample, so its sample differs from run to run", RuleDevSample, ti.ref.Name, keyWord(ds.Key)))
		}
	}
	alias := ti.ref.RefName()
	if choice.parts == nil && len(parts) < len(ti.parts) {
		choice.parts = parts
	}
	// The inner reference keeps the outer name, which partition
	// predicates qualify columns with.
	inner := "SELECT * FROM " + ti.ref.Written + " AS " + a.quoteIdent(alias) + clause
	if len(conds) > 0 {
		inner += " WHERE " + strings.Join(conds, " AND ")
	}
	text := "(" + inner + ") AS " + a.quoteIdent(alias)
	ti.sample = choice
	ti.dev = strings.Join(how, ", ")
	edits := []Edit{{Start: ti.ref.Span.Start, End: ti.ref.Span.End, Text: text}}
	a.steps = append(a.steps, step{
		rule:   RuleDevSample,
		edits:  edits,
		keep:   true,
		reason: fmt.Sprintf("sampled %s (%s) because policy %s enforces dev sampling; %s → %s", ti.ref.Name, ti.dev, policyName(a.req), catalog.FormatBytes(ti.bytes), catalog.FormatBytes(choice.bytes)),
	})
	a.approximate = true
	a.warn(fmt.Sprintf("%s: results are approximate: policy %s samples %s (%s, about %d of %d rows)", RuleDevSample, policyName(a.req), ti.ref.Name, ti.dev, choice.rows, rows))
}

func keyWord(key string) string {
	if key == "" {
		return "sampling key"
	}
	return key
}

// fullNameQualifier returns a column qualifier of ti's block that names
// the table by more than its last part, or "".
func (a *analysis) fullNameQualifier(ti *tableInfo) string {
	for _, c := range a.st.Columns {
		if strings.Contains(c.Qualifier, ".") && strings.HasSuffix(strings.ToLower(ti.ref.Name), strings.ToLower(c.Qualifier)) {
			return c.Qualifier
		}
	}
	return ""
}

// isNestedType reports whether a column type cannot be cast to text.
func isNestedType(typ string) bool {
	t := strings.ToLower(typ)
	for _, p := range []string{"array", "map", "row", "struct", "record", "json", "geography"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// keyHash is a predicate keeping ds.Percent of the key's values, the same
// values in every table and on every run.
func (a *analysis) keyHash(col string, ds DevSample) string {
	n := int64(math.Round(ds.Percent * hashBuckets / 100))
	n = max(1, min(n, hashBuckets))
	q := a.quoteIdent(col)
	salt := ""
	if ds.Seed != 0 {
		salt = fmt.Sprintf("'%d:' || ", ds.Seed)
	}
	if a.st.Dialect == stmt.BigQuery {
		text := "CAST(" + q + " AS STRING)"
		if ds.Seed != 0 {
			text = fmt.Sprintf("CONCAT('%d:', %s)", ds.Seed, text)
		}
		return fmt.Sprintf("ABS(MOD(FARM_FINGERPRINT(%s), %d)) < %d", text, hashBuckets, n)
	}
	return fmt.Sprintf("abs(from_big_endian_64(xxhash64(to_utf8(%sCAST(%s AS varchar)))) %% %d) < %d", salt, q, hashBuckets, n)
}

// seededPartitions picks ds.Percent of parts (at least one) by a seed and
// the table's name, so a table gets the same partitions in every
// statement.
func (a *analysis) seededPartitions(ti *tableInfo, parts []int, ds DevSample) []int {
	k := int(math.Ceil(float64(len(parts)) * ds.Percent / 100))
	k = max(1, min(k, len(parts)))
	h := fnv.New64a()
	h.Write([]byte(ti.ref.Name))
	// Order by the partitions' values, not catalog order, so a catalog
	// that lists them differently picks the same ones.
	order := append([]int(nil), parts...)
	sort.Slice(order, func(i, j int) bool {
		return partitionKey(ti.meta.Partitions[order[i]]) < partitionKey(ti.meta.Partitions[order[j]])
	})
	rng := rand.New(rand.NewPCG(ds.Seed, h.Sum64()))
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	chosen := order[:k]
	slices.Sort(chosen)
	return chosen
}

func partitionKey(p catalog.Partition) string {
	keys := make([]string, 0, len(p.Values))
	for k, v := range p.Values {
		keys = append(keys, k+"="+v)
	}
	sort.Strings(keys)
	return strings.Join(keys, "/")
}

// recentPartitions returns a predicate keeping the partitions of a
// time-partitioned table that hold the last d of data, and those
// partitions (nil when the catalog lists none). ok is false when the table
// is not partitioned by time.
func (a *analysis) recentPartitions(ti *tableInfo, d time.Duration) (cond string, parts []int, ok bool) {
	t := ti.meta
	if t.Partitioning == nil {
		return "", nil, false
	}
	dom, err := domainOf(t)
	if err != nil || dom.kind != kindTime {
		return "", nil, false
	}
	now := a.req.Now
	if now.IsZero() {
		now = time.Now()
	}
	cutoff := now.UTC().Add(-d)
	switch {
	case dom.isDate:
		cutoff = truncate(cutoff, "day")
	case dom.granularity != "":
		cutoff = truncate(cutoff, string(dom.granularity))
	}
	lit := a.literalText(dom, value{kind: kindTime, t: cutoff})
	cond = a.quoteIdent(dom.column) + " >= " + lit
	if len(ti.parts) > 0 {
		parts = []int{}
		for _, i := range ti.parts {
			iv, err := dom.partitionInterval(t.Partitions[i])
			if err != nil {
				return "", nil, false
			}
			if c := iv.hi.t.Compare(cutoff); c > 0 || c == 0 && !iv.hiOpen {
				parts = append(parts, i)
			}
		}
	}
	return cond, parts, true
}

// checkBudget turns res into a rejection when its scan, est bytes, breaks
// the request's budget.
func (a *analysis) checkBudget(res *Result, est int64) {
	req := a.req
	b := req.Budget
	if req.Mode == ModeOff || b.MaxScanBytes <= 0 && b.DailyScanBytes <= 0 {
		return
	}
	var breach string
	daily := false
	switch {
	case b.MaxScanBytes > 0 && est > b.MaxScanBytes:
		breach = fmt.Sprintf("skim estimates this statement scans %s, above the %s a statement may scan under policy %s", catalog.FormatBytes(est), catalog.FormatBytes(b.MaxScanBytes), policyName(req))
	case b.DailyScanBytes > 0 && b.SpentToday+est > b.DailyScanBytes:
		breach = fmt.Sprintf("skim estimates this statement scans %s; with the %s already scanned today that is above the %s a user may scan per day under policy %s", catalog.FormatBytes(est), catalog.FormatBytes(b.SpentToday), catalog.FormatBytes(b.DailyScanBytes), policyName(req))
		daily = true
	default:
		return
	}
	advice := a.budgetAdvice()
	if b.OptOutAllowed {
		advice = append(advice, "add the comment /* skim:off */ to run it anyway")
	}
	if daily {
		advice = append(advice, "wait for the next UTC day")
	}
	if len(advice) == 0 {
		advice = append(advice, "select fewer columns or narrow the statement with filters")
	}
	res.Decision = Reject
	res.Rejection = "budget"
	res.Approximate = false
	res.Rewritten = res.Original
	res.Changed = false
	res.MinRows = 0
	res.Fallbacks = []string{}
	res.Reason = breach + "; to proceed, " + strings.Join(advice, ", or ")
}

// budgetAdvice suggests filters on the partition columns of the tables
// that scan the most.
func (a *analysis) budgetAdvice() []string {
	var out []string
	seen := map[string]bool{}
	tables := append([]*tableInfo(nil), a.tables...)
	sort.SliceStable(tables, func(i, j int) bool { return tables[i].bytes > tables[j].bytes })
	for _, ti := range tables {
		if ti.meta == nil || seen[ti.ref.Name] || len(out) == 2 {
			continue
		}
		seen[ti.ref.Name] = true
		cols := strings.Join(ti.meta.PartitionColumns(), ", ")
		switch {
		case cols == "":
		case ti.parts != nil && len(ti.parts) < len(ti.meta.Partitions):
			out = append(out, fmt.Sprintf("narrow the filter on %s, which keeps %d of the %d partitions of %s", cols, len(ti.parts), len(ti.meta.Partitions), ti.ref.Name))
		default:
			out = append(out, fmt.Sprintf("filter %s on its partition column %s", ti.ref.Name, cols))
		}
	}
	return out
}

// filterColumns lists the table columns the statement's WHERE clauses
// compare, as sorted "table.column" pairs.
func (a *analysis) filterColumns() []string {
	set := map[string]bool{}
	for _, ti := range a.tables {
		b := ti.ref.Block
		if b == nil {
			continue
		}
		add := func(c stmt.ColumnRef) {
			if a.refersTo(ti, c) {
				set[ti.ref.Name+"."+strings.ToLower(c.Name)] = true
			}
		}
		for _, f := range b.Filters {
			add(f.Column)
		}
		for _, c := range b.OpaqueFilterColumns {
			add(c)
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
