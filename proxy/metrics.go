package proxy

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/rewrite"
)

// Metrics are the pipeline's Prometheus metrics. They live in the registry
// given to NewMetrics, never in a global one.
type Metrics struct {
	statements *prometheus.CounterVec
	rules      *prometheus.CounterVec
	rewrite    *prometheus.HistogramVec
	upstream   *prometheus.HistogramVec
	scanned    *prometheus.CounterVec
	saved      *prometheus.CounterVec
	money      *prometheus.CounterVec
	errors     *prometheus.CounterVec
}

// NewMetrics creates the pipeline's metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		statements: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skim_statements_total",
			Help: "Statements skim decided on, by frontend and decision (rewrite, passthrough, reject).",
		}, []string{"frontend", "decision"}),
		rules: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skim_rule_rewrites_total",
			Help: "Statements each rule rewrote, by frontend and rule.",
		}, []string{"frontend", "rule"}),
		rewrite: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "skim_rewrite_duration_seconds",
			Help:    "Time skim spent deciding on a statement: parsing, catalog lookups and rules.",
			Buckets: []float64{25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 50e-3, 250e-3, 1},
		}, []string{"frontend"}),
		upstream: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "skim_upstream_request_duration_seconds",
			Help:    "Time until the upstream answered a request skim forwarded, headers only.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"frontend"}),
		scanned: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skim_scanned_bytes_total",
			Help: "Bytes the statements skim let through scanned: the upstream's figure where it reported one, else skim's estimate.",
		}, []string{"frontend"}),
		saved: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skim_saved_bytes_total",
			Help: "Bytes rewritten statements did not scan, against the original statement's estimate.",
		}, []string{"frontend"}),
		money: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skim_saved_money_total",
			Help: "Saved bytes at the configured price per TiB.",
		}, []string{"frontend"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skim_statement_errors_total",
			Help: "Statements that ended with an error, by frontend.",
		}, []string{"frontend"}),
	}
	reg.MustRegister(m.statements, m.rules, m.rewrite, m.upstream, m.scanned, m.saved, m.money, m.errors)
	return m
}

func (m *Metrics) decided(frontend string, res *rewrite.Result, took time.Duration) {
	m.statements.WithLabelValues(frontend, string(res.Decision)).Inc()
	if res.Decision == rewrite.Rewrite {
		for _, r := range res.Rules {
			m.rules.WithLabelValues(frontend, r).Inc()
		}
	}
	m.rewrite.WithLabelValues(frontend).Observe(took.Seconds())
}

func (m *Metrics) recorded(rec ledger.Record) {
	m.scanned.WithLabelValues(rec.Frontend).Add(float64(rec.Cost()))
	m.saved.WithLabelValues(rec.Frontend).Add(float64(rec.BytesSaved))
	m.money.WithLabelValues(rec.Frontend).Add(rec.MoneySaved)
	if rec.Error != "" {
		m.errors.WithLabelValues(rec.Frontend).Inc()
	}
}
