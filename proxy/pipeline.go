// Package proxy holds what skim's wire frontends share: the per-statement
// pipeline that picks a policy, asks the rewrite engine what to do, and
// writes each statement's ledger record once the frontend has seen how it
// ended. The frontends (proxy/trino, proxy/bigquery) speak their protocols
// and never parse SQL themselves.
package proxy

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/rewrite"
	"github.com/skimdata/skim/rewrite/stmt"
)

// Statement is one statement as a frontend received it.
type Statement struct {
	Frontend string
	// Upstream is the engine's URL; credentials in it never reach the
	// ledger.
	Upstream string
	Dialect  stmt.Dialect
	SQL      string
	Session  stmt.Session
	Who      config.Who
	// MaxRows is the most rows the frontend can count to guarantee a
	// rewrite's row count; zero means no limit.
	MaxRows int64
	// Received is when the statement arrived; zero means now.
	Received time.Time
}

// Options tune a Pipeline.
type Options struct {
	// AbandonAfter is how long a run may go without news from its
	// frontend before its record is written with what is known (a
	// client that stopped polling). Default 30 minutes.
	AbandonAfter time.Duration
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// Spending tallies users' daily scans; default a tally of the
	// pipeline's own.
	Spending *Spending
}

// Pipeline decides what to do with each statement and records it. It is
// safe for concurrent use, and its configuration can be swapped while it
// runs.
type Pipeline struct {
	engine  *rewrite.Engine
	config  atomic.Pointer[config.Config]
	log     *zap.Logger
	opts    Options
	ledger  ledger.Sink
	metrics *Metrics

	mu        sync.Mutex
	pending   map[string]*Run
	lastSweep time.Time
}

// NewPipeline returns a pipeline over engine with the policies of cfg.
func NewPipeline(engine *rewrite.Engine, cfg *config.Config, opts Options, log *zap.Logger) *Pipeline {
	if opts.AbandonAfter <= 0 {
		opts.AbandonAfter = 30 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Spending == nil {
		opts.Spending = NewSpending()
	}
	p := &Pipeline{engine: engine, log: log, opts: opts, pending: map[string]*Run{}}
	p.config.Store(cfg)
	return p
}

// SetLedger makes the pipeline write every statement's record to sink.
func (p *Pipeline) SetLedger(sink ledger.Sink) { p.ledger = sink }

// SetMetrics makes the pipeline count statements in m.
func (p *Pipeline) SetMetrics(m *Metrics) { p.metrics = m }

// SetConfig replaces the policies for statements that arrive from now on.
func (p *Pipeline) SetConfig(cfg *config.Config) { p.config.Store(cfg) }

// Config returns the configuration in force.
func (p *Pipeline) Config() *config.Config { return p.config.Load() }

// Decide picks the statement's policy and runs the engine. It fails only
// when ctx ends; a statement skim does not understand passes through. The
// frontend must call the Run's Finish once the statement is over.
func (p *Pipeline) Decide(ctx context.Context, s Statement) (*Run, error) {
	start := p.opts.Now()
	if s.Received.IsZero() {
		s.Received = start
	}
	cfg := p.config.Load()
	req := rewrite.Request{SQL: s.SQL, Dialect: s.Dialect, Session: s.Session, MaxRows: s.MaxRows, Now: start}
	ApplyPolicy(&req, cfg.PolicyFor(s.Who))
	switch {
	case req.Budget.DailyScanBytes <= 0:
	case s.Who.User == "":
		// A statement with no user (BigQuery's API carries none) cannot
		// be charged to anyone's day.
		req.Budget.DailyScanBytes = 0
	default:
		req.Budget.SpentToday = p.opts.Spending.Today(s.Who.User, start)
	}
	res, err := p.engine.Rewrite(ctx, req)
	if err != nil {
		return nil, err
	}
	return p.begin(cfg, s, req, res, start), nil
}

// Pass records a statement the frontend passes through without asking the
// engine, for a reason of the protocol's (BigQuery's legacy SQL, say):
// it still leaves a ledger record. The frontend must call Finish.
func (p *Pipeline) Pass(s Statement, reason string) *Run {
	start := p.opts.Now()
	if s.Received.IsZero() {
		s.Received = start
	}
	cfg := p.config.Load()
	req := rewrite.Request{SQL: s.SQL, Dialect: s.Dialect, Session: s.Session}
	if pol := cfg.PolicyFor(s.Who); pol != nil {
		req.Mode, req.Policy = rewrite.Mode(pol.Mode), pol.Name
	}
	res := &rewrite.Result{
		Dialect: s.Dialect, Original: s.SQL, Rewritten: s.SQL, Decision: rewrite.Passthrough, Reason: reason,
		Rules: []string{}, Tables: []rewrite.TableResult{}, Warnings: []string{}, Fallbacks: []string{}, FilterColumns: []string{},
	}
	res.Fingerprint, res.Normalized = rewrite.Fingerprint(s.SQL, s.Dialect)
	return p.begin(cfg, s, req, res, start)
}

// begin starts the run of a decided statement: its record, its metrics
// and its log line.
func (p *Pipeline) begin(cfg *config.Config, s Statement, req rewrite.Request, res *rewrite.Result, start time.Time) *Run {
	p.sweep(start)
	decided := p.opts.Now()
	run := &Run{Result: res, ID: ledger.NewID(), p: p, lastNews: decided}
	run.Notice = shorten(notice(res, req), maxNoticeBytes)
	run.rec = p.record(cfg, s, req, res, run.ID)
	if res.Decision == rewrite.Reject {
		// The statement ends here: the frontend answers and finishes.
		run.rec.Error = "rejected by skim: " + res.Reason
	}
	run.rec.RewriteMS = float64(decided.Sub(start).Microseconds()) / 1000
	if p.metrics != nil {
		p.metrics.decided(s.Frontend, res, decided.Sub(start))
	}
	p.log.Info("statement",
		zap.String("id", run.ID),
		zap.String("frontend", s.Frontend),
		zap.String("user", s.Who.User),
		zap.String("source", s.Who.Source),
		zap.Strings("client_tags", s.Who.ClientTags),
		zap.String("policy", req.Policy),
		zap.String("decision", string(res.Decision)),
		zap.Strings("rules", res.Rules),
		zap.String("reason", res.Reason),
		zap.Int64("bytes_before", res.Estimate.BytesBefore),
		zap.Int64("bytes_after", res.Estimate.BytesAfter),
		zap.String("method", res.Estimate.Method),
		zap.Duration("rewrite_time", decided.Sub(start)),
	)
	p.mu.Lock()
	p.pending[run.ID] = run
	p.mu.Unlock()
	return run
}

// ApplyPolicy sets what pol lets the engine do with req: its mode,
// dev sampling, budget, opt-out and unparsed settings. A nil policy
// leaves req as it is.
func ApplyPolicy(req *rewrite.Request, pol *config.Policy) {
	if pol == nil {
		return
	}
	req.Mode = rewrite.Mode(pol.Mode)
	req.Policy = pol.Name
	req.NoOptOut = pol.NoOptOut
	req.RejectUnparsed = pol.RejectUnparsed
	if sm := pol.Sample; sm != nil {
		req.Sample = &rewrite.DevSample{MinTableBytes: sm.MinTableBytes, Percent: sm.Percent, PartitionsLast: sm.PartitionsLast, Seed: sm.Seed, Key: sm.Key}
	}
	req.Budget = rewrite.Budget{
		MaxScanBytes:   pol.Budget.MaxScanBytes,
		DailyScanBytes: pol.Budget.DailyScanBytesPerUser,
		OptOutAllowed:  !pol.NoOptOut,
	}
}

// Run returns the unfinished run with the given id, or nil when it is
// finished or another skim decided it.
func (p *Pipeline) Run(id string) *Run {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pending[id]
}

// ObserveUpstream counts one round trip to the upstream, for metrics.
func (p *Pipeline) ObserveUpstream(frontend string, d time.Duration) {
	if p.metrics != nil {
		p.metrics.upstream.WithLabelValues(frontend).Observe(d.Seconds())
	}
}

// Close writes the records of every unfinished run, as they stand.
func (p *Pipeline) Close() {
	p.mu.Lock()
	runs := make([]*Run, 0, len(p.pending))
	for _, r := range p.pending {
		runs = append(runs, r)
	}
	p.mu.Unlock()
	for _, r := range runs {
		r.abandon("skim stopped before the statement finished")
	}
}

// sweep writes the records of runs whose frontend has gone quiet, at most
// once a minute.
func (p *Pipeline) sweep(now time.Time) {
	p.mu.Lock()
	if now.Sub(p.lastSweep) < time.Minute {
		p.mu.Unlock()
		return
	}
	p.lastSweep = now
	var stale []*Run
	for _, r := range p.pending {
		if r.abandoned(now, p.opts.AbandonAfter) {
			stale = append(stale, r)
		}
	}
	p.mu.Unlock()
	for _, r := range stale {
		r.abandon("the client stopped asking for results; the outcome is unknown")
	}
}

// record starts a run's ledger record from the decision.
func (p *Pipeline) record(cfg *config.Config, s Statement, req rewrite.Request, res *rewrite.Result, id string) ledger.Record {
	rec := ledger.Record{
		ID:                   id,
		Time:                 s.Received.UTC(),
		Frontend:             s.Frontend,
		Upstream:             withoutCredentials(s.Upstream),
		User:                 s.Who.User,
		Source:               s.Who.Source,
		ClientTags:           s.Who.ClientTags,
		Labels:               s.Who.Labels,
		Team:                 teamOf(cfg, s.Who),
		Policy:               req.Policy,
		Mode:                 string(req.Mode),
		Fingerprint:          res.Fingerprint,
		FilterColumns:        res.FilterColumns,
		Rules:                res.Rules,
		Decision:             string(res.Decision),
		Reason:               res.Reason,
		Method:               res.Estimate.Method,
		EstimatedBytesBefore: res.Estimate.BytesBefore,
		EstimatedBytesAfter:  res.Estimate.BytesAfter,
		PricePerTiB:          cfg.Price(s.Frontend),
	}
	if rec.Mode == "" {
		rec.Mode = string(rewrite.ModeRewrite)
	}
	if req.Mode == rewrite.ModeAdvise && len(res.Rules) > 0 && res.Decision == rewrite.Passthrough {
		rec.Decision = "advise"
	}
	for _, t := range res.Tables {
		if !slices.Contains(rec.Tables, t.Name) {
			rec.Tables = append(rec.Tables, t.Name)
		}
	}
	switch cfg.Ledger.SQL {
	case config.SQLNone:
	case config.SQLNormalized:
		rec.SQL = res.Normalized
		if res.Changed {
			_, rec.Rewritten = rewrite.Fingerprint(res.Rewritten, res.Dialect)
		}
	default:
		rec.SQL = res.Original
		if res.Changed {
			rec.Rewritten = res.Rewritten
		}
	}
	return rec
}

// teamOf is the configured team of the user, else the client's "team"
// tag or label.
func teamOf(cfg *config.Config, who config.Who) string {
	if t := cfg.TeamOf(who.User); t != "" {
		return t
	}
	return who.Labels["team"]
}

// withoutCredentials drops the user and password of a URL.
func withoutCredentials(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// maxNoticeBytes bounds a notice: Trino's travels in every page's URL and
// BigQuery's in a response header, which load balancers cap at a few KiB,
// while advice can quote a whole statement.
const maxNoticeBytes = 1500

// shorten cuts s to at most n bytes, at a character boundary, marking the
// cut with an ellipsis.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// notice is what the client is told about the statement, "" when skim
// has nothing to say: a rewrite, approximate data, or advice.
func notice(res *rewrite.Result, req rewrite.Request) string {
	span := fmt.Sprintf("whole statement: %s → %s estimated", catalog.FormatBytes(res.Estimate.BytesBefore), catalog.FormatBytes(res.Estimate.BytesAfter))
	switch {
	case res.Decision == rewrite.Rewrite && res.Changed && res.Approximate:
		msg := fmt.Sprintf("skim sampled this statement's tables, so its results are approximate: %s (%s).", res.Reason, span)
		if !req.NoOptOut {
			msg += " Add /* skim:off */ to read all the data."
		}
		return msg
	case res.Decision == rewrite.Rewrite && res.Changed:
		return fmt.Sprintf("skim rewrote this statement, %s (%s). Add /* skim:off */ to run it unchanged.", res.Reason, span)
	}
	for _, w := range res.Warnings {
		if strings.HasPrefix(w, "skim advice:") {
			return w
		}
	}
	return ""
}
