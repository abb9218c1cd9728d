package rewrite

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/rewrite/bigquery"
	"github.com/skimdata/skim/rewrite/stmt"
	"github.com/skimdata/skim/rewrite/trino"
)

// Options tune the engine. The zero value of a field means its default.
type Options struct {
	// MinTableBytes is the sampling threshold: smaller tables are read
	// whole. Default 1 GiB, which is also about the size below which
	// BigQuery reads a table whole even when asked to sample it.
	MinTableBytes int64
	// MaxShortfall is the largest accepted chance that a sample returns
	// fewer rows than asked. Default 1e-6.
	MaxShortfall float64
	// TrinoSplitBytes is the size of the splits Trino's SYSTEM sampling
	// keeps or drops, used when the catalog does not count files.
	// Default 64 MiB, Trino's Hive max split size.
	TrinoSplitBytes int64
	// BigQueryBlockBytes is the size of the blocks BigQuery's SYSTEM
	// sampling keeps or drops. Default 1 GiB.
	BigQueryBlockBytes int64
	// ParseCacheEntries is how many parsed statements the engine keeps.
	// Default 4096; negative turns the cache off.
	ParseCacheEntries int
}

// DefaultMinTableBytes is the sampling threshold when Options does not
// set one.
const DefaultMinTableBytes = 1 << 30

func (o Options) withDefaults() Options {
	if o.MinTableBytes <= 0 {
		o.MinTableBytes = DefaultMinTableBytes
	}
	if o.MaxShortfall <= 0 {
		o.MaxShortfall = 1e-6
	}
	if o.TrinoSplitBytes <= 0 {
		o.TrinoSplitBytes = 64 << 20
	}
	if o.BigQueryBlockBytes <= 0 {
		o.BigQueryBlockBytes = 1 << 30
	}
	if o.ParseCacheEntries == 0 {
		o.ParseCacheEntries = 4096
	}
	return o
}

// Request is one statement to rewrite.
type Request struct {
	SQL     string
	Dialect stmt.Dialect
	// Session supplies the default catalog and schema (Trino) or project
	// and dataset (BigQuery) for unqualified names.
	Session stmt.Session
	// Seed seeds the choice of partitions; the same seed gives the same
	// sample. Zero derives a seed from the statement text.
	Seed uint64
	// MaxRows is the most rows the caller can buffer and count to
	// guarantee a rewrite's row count (Result.MinRows). A rewrite whose
	// rows are not guaranteed by the catalog alone, and that needs more,
	// passes through. Zero means no limit; negative means the caller
	// cannot count rows at all, so only rewrites whose rows the catalog
	// guarantees are made.
	MaxRows int64
	// Mode is what the policy lets skim do; zero means ModeRewrite.
	Mode Mode
	// Policy names the policy that chose Mode, for reasons.
	Policy string
	// Sample is the sampling ModeEnforce applies to every large table;
	// nil means the defaults of DevSample.
	Sample *DevSample
	// Budget caps what the statement may scan; zero fields are no cap.
	Budget Budget
	// NoOptOut ignores skim:off hints: the policy does not let users
	// turn skim off.
	NoOptOut bool
	// RejectUnparsed rejects statements skim cannot parse instead of
	// passing them through.
	RejectUnparsed bool
	// Now is the time partitions_last counts back from; zero means the
	// current time.
	Now time.Time
}

// Mode is what a policy lets skim do with statements.
type Mode string

// Modes.
const (
	// ModeOff passes every statement through untouched.
	ModeOff Mode = "off"
	// ModeAdvise rewrites nothing but says what a rewrite would save.
	ModeAdvise Mode = "advise"
	// ModeRewrite applies the rules that keep answers correct.
	ModeRewrite Mode = "rewrite"
	// ModeEnforce also samples every read of a large table, trading exact
	// answers for cheap ones; responses say so.
	ModeEnforce Mode = "enforce"
)

// Decision is what skim does with a statement.
type Decision string

// Decisions.
const (
	Rewrite     Decision = "rewrite"
	Passthrough Decision = "passthrough"
	Reject      Decision = "reject"
)

// Result is the engine's answer for one statement.
type Result struct {
	Dialect   stmt.Dialect `json:"dialect"`
	Original  string       `json:"original"`
	Rewritten string       `json:"rewritten"`
	Changed   bool         `json:"changed"`
	Decision  Decision     `json:"decision"`
	// Reason says in words a user can read why skim decided as it did.
	Reason string `json:"reason"`
	// Rules names the rules that rewrote the statement, or that declined
	// it for the reason given.
	Rules    []string      `json:"rules"`
	Tables   []TableResult `json:"tables"`
	Estimate Estimate      `json:"estimate"`
	Warnings []string      `json:"warnings"`
	// MinRows is the number of rows the rewritten statement must return;
	// when it returns fewer, run Fallbacks in order until one does (the
	// last is the original statement). Zero when no check is needed.
	MinRows   int64    `json:"min_rows"`
	Fallbacks []string `json:"fallbacks"`
	// Rejection says why a rejected statement was rejected: "budget" or
	// "unparsed"; "" for other decisions.
	Rejection string `json:"rejection,omitempty"`
	// Approximate is true when the rewrite changes the answer (dev
	// sampling under an enforce policy); the client must be told.
	Approximate bool `json:"approximate"`
	// Fingerprint identifies the statement with its literals stripped;
	// Normalized is that text.
	Fingerprint string `json:"fingerprint"`
	Normalized  string `json:"normalized"`
	// FilterColumns are the "table.column" pairs the statement's WHERE
	// clauses filter on, for partitioning advice.
	FilterColumns []string `json:"filter_columns"`
	// Statement is the parsed model, nil when parsing failed.
	Statement *stmt.Statement `json:"-"`
}

// TableResult is what one table reference reads before and after.
type TableResult struct {
	Name string `json:"name"`
	// SamplePercent is the TABLESAMPLE SYSTEM percentage, nil when the
	// table is not sampled that way.
	SamplePercent      *float64 `json:"sample_percent"`
	PartitionsSelected int      `json:"partitions_selected"`
	PartitionsTotal    int      `json:"partitions_total"`
	RowsBefore         int64    `json:"rows_before"`
	RowsAfter          int64    `json:"rows_after"`
	BytesBefore        int64    `json:"bytes_before"`
	BytesAfter         int64    `json:"bytes_after"`
	// Sample describes a dev sample, "" when the table has none.
	Sample string `json:"sample,omitempty"`
}

// Estimate is the statement's total bytes scanned before and after.
type Estimate struct {
	BytesBefore int64  `json:"bytes_before"`
	BytesAfter  int64  `json:"bytes_after"`
	Method      string `json:"method"`
}

// Engine rewrites statements. It is safe for concurrent use.
type Engine struct {
	catalog catalog.Provider
	opts    Options
	parsed  *parseCache
	log     *zap.Logger
}

// NewEngine returns an engine that looks tables up in cat.
func NewEngine(cat catalog.Provider, opts Options, log *zap.Logger) *Engine {
	opts = opts.withDefaults()
	return &Engine{catalog: cat, opts: opts, parsed: newParseCache(opts.ParseCacheEntries), log: log}
}

// Rewrite decides what to do with one statement. It returns an error only
// when ctx ends; every other problem is a passthrough with its reason.
func (e *Engine) Rewrite(ctx context.Context, req Request) (*Result, error) {
	res := &Result{
		Dialect:       req.Dialect,
		Original:      req.SQL,
		Rewritten:     req.SQL,
		Decision:      Passthrough,
		Rules:         []string{},
		Tables:        []TableResult{},
		Warnings:      []string{},
		Fallbacks:     []string{},
		FilterColumns: []string{},
		Estimate:      Estimate{Method: "catalog"},
	}
	p := e.parsed.parse(req)
	st, err := p.st, p.err
	res.Fingerprint, res.Normalized = p.fingerprint, p.normalized
	if err != nil {
		res.Reason = fmt.Sprintf("skim could not parse the statement, so it passes through untouched (%v)", err)
		if req.RejectUnparsed && req.Mode != ModeOff {
			res.Decision = Reject
			res.Rejection = "unparsed"
			res.Reason = fmt.Sprintf("policy %s rejects statements skim cannot parse: %v; fix the statement, or ask for a policy that lets it pass", policyName(req), err)
		}
		return res, nil
	}
	res.Statement = st
	var seedHint uint64
	if h, ok := st.Hint("seed"); ok {
		if seed, err := strconv.ParseUint(h, 10, 64); err == nil && seed != 0 {
			req.Seed, seedHint = seed, seed
		} else {
			res.Warnings = append(res.Warnings, fmt.Sprintf("skim:seed=%s is not a positive integer; it is ignored", h))
		}
	}
	switch {
	case req.Mode == ModeOff:
		res.Reason = fmt.Sprintf("policy %s is off: every statement passes through untouched", policyName(req))
	case st.HasHint("off") && req.NoOptOut:
		res.Warnings = append(res.Warnings, fmt.Sprintf("policy %s does not allow opting out; the skim:off hint is ignored", policyName(req)))
	case st.HasHint("off"):
		res.Rules = []string{RuleOptOut}
		res.Reason = "a skim:off hint turns every rule off for this statement"
	}
	a, err := e.analyze(ctx, req, st)
	if err != nil {
		return nil, err
	}
	a.seedHint = seedHint
	res.FilterColumns = a.filterColumns()
	res.Warnings = append(res.Warnings, a.warnings...)
	warned := len(a.warnings)
	if res.Reason != "" {
		res.Tables = a.tableResults()
		res.Estimate = a.estimate()
		return res, nil
	}
	if st.Kind != stmt.KindRead {
		res.Reason = describeNonRead(st)
		res.Tables = a.tableResults()
		res.Estimate = a.estimate()
		a.checkBudget(res, res.Estimate.BytesBefore)
		return res, nil
	}
	a.applyRules()
	if req.Mode == ModeEnforce {
		a.devSample(req.Sample)
	}
	res.Estimate = a.estimate()
	res.Tables = a.tableResults()
	res.Warnings = append(res.Warnings, a.warnings[warned:]...)
	if len(a.steps) == 0 {
		res.Rules = a.declinedRules()
		res.Reason = a.declineReason()
		a.checkBudget(res, res.Estimate.BytesBefore)
		return res, nil
	}
	rewritten, fallbacks, err := a.splice()
	if err != nil {
		// A rule produced edits that do not fit together: never guess.
		e.log.Error("rewrite produced inconsistent edits; passing through", zap.Error(err))
		res.Reason = "skim could not apply its rewrite consistently, so the statement passes through untouched"
		res.Tables = a.tablesBefore()
		res.Estimate = Estimate{BytesBefore: res.Estimate.BytesBefore, BytesAfter: res.Estimate.BytesBefore, Method: "catalog"}
		a.checkBudget(res, res.Estimate.BytesBefore)
		return res, nil
	}
	if req.Mode == ModeAdvise {
		res.Rules = a.appliedRules()
		res.Reason = fmt.Sprintf("policy %s only advises; skim would rewrite: %s", policyName(req), a.applyReason())
		res.Warnings = append(res.Warnings, fmt.Sprintf("skim advice: %s would read %s instead of %s: %s", rewrittenWord(res.Rules), catalog.FormatBytes(res.Estimate.BytesAfter), catalog.FormatBytes(res.Estimate.BytesBefore), rewritten))
		res.Tables = a.tablesBefore()
		res.Estimate.BytesAfter = res.Estimate.BytesBefore
		a.checkBudget(res, res.Estimate.BytesBefore)
		return res, nil
	}
	res.Decision = Rewrite
	res.Rewritten = rewritten
	res.Changed = rewritten != req.SQL
	res.Rules = a.appliedRules()
	res.Reason = a.applyReason()
	res.MinRows = a.minRows
	res.Fallbacks = fallbacks
	res.Approximate = a.approximate
	a.checkBudget(res, res.Estimate.BytesAfter)
	return res, nil
}

func parse(req Request) (*stmt.Statement, error) {
	switch req.Dialect {
	case stmt.Trino:
		return trino.Parse(req.SQL, req.Session)
	case stmt.BigQuery:
		return bigquery.Parse(req.SQL, req.Session)
	}
	return nil, fmt.Errorf("unknown dialect %q (want trino or bigquery)", req.Dialect)
}

func describeNonRead(st *stmt.Statement) string {
	if st.Kind == stmt.KindWrite {
		return fmt.Sprintf("%s writes data; skim never rewrites a statement that writes", st.Verb)
	}
	return fmt.Sprintf("%s is not a query; skim only rewrites reads", st.Verb)
}

func policyName(req Request) string {
	if req.Policy == "" {
		return "(unnamed)"
	}
	return req.Policy
}

func rewrittenWord(rules []string) string {
	return "the statement rewritten by " + strings.Join(rules, ", ")
}

// seedFor derives the partition-choice seed.
func seedFor(req Request) uint64 {
	if req.Seed != 0 {
		return req.Seed
	}
	h := fnv.New64a()
	h.Write([]byte(req.SQL))
	return h.Sum64()
}

// lookupError words a catalog failure for a reason.
func lookupError(name string, err error) string {
	if errors.Is(err, catalog.ErrNotFound) {
		return fmt.Sprintf("%s is not in the catalog", name)
	}
	return fmt.Sprintf("the catalog could not describe %s: %v", name, err)
}

// joinReasons joins distinct reasons in order.
func joinReasons(reasons []string) string {
	seen := map[string]bool{}
	var out []string
	for _, r := range reasons {
		if r != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return strings.Join(out, "; ")
}
