// Package dashboard serves a page of what skim saved, for skim's admin
// listener: totals, bytes and money saved per day, the top rules, tables and
// users, and the latest rewrites with the statement as written and as
// rewritten. The page is rendered on the server, with its style and chart
// inline and no script, so that it works behind any proxy and shows the
// same thing in every browser.
package dashboard

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/proxy/report"
)

// Options tune the dashboard.
type Options struct {
	// Window is how far back the page looks, in whole calendar days
	// counting today (rounded up). Default 30 days.
	Window time.Duration
	// CacheTTL is how long a reading of the ledger serves page loads, so
	// that a page open on several screens does not read the ledger for
	// each. Default 15 seconds; negative reads on every load.
	CacheTTL time.Duration
	// Now returns the current time. Default time.Now; tests fix it.
	Now func() time.Time
	// Location is the time zone days begin in and times are shown in.
	// Default UTC.
	Location *time.Location
	// Top is how many rules, tables and users the top lists show.
	// Default 10.
	Top int
	// Recent is how many of the latest rewrites the page shows.
	// Default 10.
	Recent int
}

// handler serves the dashboard; see New.
type handler struct {
	source string
	// shown is the source as the page names it, without a password.
	shown string
	opts  Options
	log   *zap.Logger
	page  *pageTemplate

	// mu guards the cache and the file's figures, and makes concurrent
	// loads wait for one read of the ledger rather than each start their
	// own.
	mu       sync.Mutex
	cached   *view
	cachedAt time.Time
	// file keeps what earlier loads read from a ledger file; nil for a
	// PostgreSQL ledger.
	file *fileTail
}

// New returns the dashboard of the ledger at source (a ledger file or a
// postgres:// URL, as ledger.Read takes), to be served at "/". Other paths
// answer 404, so that it can sit at the root of a mux beside more specific
// handlers such as /healthz.
//
// A ledger file is read once, then on from where the last load stopped:
// the dashboard keeps its figures a day at a time and lets the days that
// leave the window go, and reads the file again from the start when it was
// rotated or truncated. A PostgreSQL ledger is read in full on each load
// the cache does not serve.
func New(source string, opts Options, log *zap.Logger) http.Handler {
	if opts.Window <= 0 {
		opts.Window = 30 * 24 * time.Hour
	}
	if opts.CacheTTL == 0 {
		opts.CacheTTL = 15 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Top <= 0 {
		opts.Top = 10
	}
	if opts.Recent <= 0 {
		opts.Recent = 10
	}
	if log == nil {
		log = zap.NewNop()
	}
	h := &handler{source: source, shown: ledger.Redact(source), opts: opts, log: log, page: newPageTemplate()}
	if !ledger.IsPostgres(source) {
		h.file = newFileTail(source, h.reportOptions())
	}
	return h
}

func (h *handler) reportOptions() report.Options {
	return report.Options{Top: h.opts.Top, Recent: h.opts.Recent, Location: h.opts.Location}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the dashboard only answers GET", http.StatusMethodNotAllowed)
		return
	}
	hdr := w.Header()
	// The page has no script and loads nothing: say so to the browser,
	// so that a statement's text can never become active content.
	hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Type", "text/html; charset=utf-8")

	v, err := h.load(r.Context())
	status := http.StatusOK
	if err != nil {
		if r.Context().Err() != nil {
			// The browser went away; nobody reads the answer.
			return
		}
		h.log.Warn("the dashboard could not read the ledger", zap.String("ledger", h.shown), zap.Error(err))
		status = http.StatusInternalServerError
		v = h.errorView(err)
	}
	var buf bytes.Buffer
	if err := h.page.execute(&buf, v); err != nil {
		h.log.Error("the dashboard could not render its page", zap.Error(err))
		http.Error(w, "skim could not render the dashboard; the log has the details", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// load returns the page's data, from the cache while it is fresh.
func (h *handler) load(ctx context.Context) (*view, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.opts.Now()
	if h.cached != nil && h.opts.CacheTTL > 0 && now.Sub(h.cachedAt) < h.opts.CacheTTL && !now.Before(h.cachedAt) {
		return h.cached, nil
	}
	span := h.span(now)
	sum, stats, err := h.read(ctx, span)
	if err != nil {
		// The ledger package's errors name the ledger and what to do
		// already.
		return nil, err
	}
	v := h.buildView(sum, stats, now)
	h.cached, h.cachedAt = v, now
	return v, nil
}

// read returns the figures of span and how reading the ledger went.
func (h *handler) read(ctx context.Context, span ledger.Span) (*report.Summary, ledger.ReadStats, error) {
	if h.file != nil {
		return h.file.read(ctx, span)
	}
	// A PostgreSQL ledger is read in full each time. A record's time is
	// its statement's arrival, but the record is stored when the
	// statement ends, or later from the spool, so rows do not arrive in
	// time order; reading on from the last load would need the order
	// rows were stored in, which the table does not keep.
	return report.Build(ctx, h.source, span, h.reportOptions())
}

// span is the window ending today: whole calendar days, today included,
// up to the end of today so that a record stamped a moment ahead of this
// process's clock still counts.
func (h *handler) span(now time.Time) ledger.Span {
	days := int((h.opts.Window + 24*time.Hour - 1) / (24 * time.Hour))
	y, m, d := now.In(h.opts.Location).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, h.opts.Location)
	return ledger.Span{From: today.AddDate(0, 0, -(days - 1)), To: today.AddDate(0, 0, 1)}
}

// errorView is the page for a ledger that cannot be read.
func (h *handler) errorView(err error) *view {
	msg := err.Error()
	if h.shown != h.source {
		msg = strings.ReplaceAll(msg, h.source, h.shown)
	}
	return &view{Source: h.shown, Error: msg}
}
