// Package proxy holds what skim's wire frontends share: the per-statement
// pipeline that picks a policy and asks the rewrite engine what to do.
// The frontends (proxy/trino, and BigQuery next) speak their protocols and
// never parse SQL themselves.
package proxy

import (
	"context"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/rewrite"
	"github.com/skimdata/skim/rewrite/stmt"
)

// Statement is one statement as a frontend received it.
type Statement struct {
	Frontend string
	Dialect  stmt.Dialect
	SQL      string
	Session  stmt.Session
	Who      config.Who
	// MaxRows is the most rows the frontend can count to guarantee a
	// rewrite's row count; zero means no limit.
	MaxRows int64
}

// Pipeline decides what to do with each statement. It is safe for
// concurrent use, and its configuration can be swapped while it runs.
type Pipeline struct {
	engine *rewrite.Engine
	config atomic.Pointer[config.Config]
	log    *zap.Logger
	ledger *zap.Logger
}

// NewPipeline returns a pipeline over engine with the policies of cfg.
func NewPipeline(engine *rewrite.Engine, cfg *config.Config, log *zap.Logger) *Pipeline {
	p := &Pipeline{engine: engine, log: log}
	p.config.Store(cfg)
	return p
}

// SetLedger records every statement's decision as one JSON line in
// ledger, before the statement runs.
func (p *Pipeline) SetLedger(ledger *zap.Logger) {
	p.ledger = ledger
}

// SetConfig replaces the policies for statements that arrive from now on.
func (p *Pipeline) SetConfig(cfg *config.Config) {
	p.config.Store(cfg)
}

// Decide picks the statement's policy and runs the engine. It fails only
// when ctx ends; a statement skim does not understand passes through.
func (p *Pipeline) Decide(ctx context.Context, s Statement) (*rewrite.Result, error) {
	start := time.Now()
	req := rewrite.Request{SQL: s.SQL, Dialect: s.Dialect, Session: s.Session, MaxRows: s.MaxRows}
	if pol := p.config.Load().PolicyFor(s.Who); pol != nil {
		req.Mode = rewrite.Mode(pol.Mode)
		req.Policy = pol.Name
	}
	res, err := p.engine.Rewrite(ctx, req)
	if err != nil {
		return nil, err
	}
	fields := []zap.Field{
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
		zap.Duration("rewrite_time", time.Since(start)),
	}
	p.log.Info("statement", fields...)
	if p.ledger != nil {
		tables := make([]string, len(res.Tables))
		for i, t := range res.Tables {
			tables[i] = t.Name
		}
		p.ledger.Info("", append(fields, zap.Strings("tables", tables), zap.Bool("changed", res.Changed))...)
	}
	return res, nil
}
