// Package trino is skim's frontend for Trino's client REST protocol. A
// client posts a statement to /v1/statement; skim runs it through the
// rewrite pipeline, posts the (possibly rewritten) statement to the
// coordinator, and streams every page back with the coordinator's URLs
// replaced by skim's own, so the client keeps talking to skim. Where a
// query lives is written into those URLs, never kept in memory, so a
// restarted skim or another replica serves the next page.
package trino

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy"
	"github.com/skimdata/skim/rewrite"
	"github.com/skimdata/skim/rewrite/stmt"
	rtrino "github.com/skimdata/skim/rewrite/trino"
)

// Options configure the Trino frontend.
type Options struct {
	// Upstream is the coordinator's base URL, e.g. http://trino:8080.
	Upstream *url.URL
	// Name names the upstream in skim's URLs. Default "trino".
	Name string
	// Transport carries requests to the coordinator; default a transport
	// with bounded dial and header timeouts.
	Transport http.RoundTripper
	// TLSConfig configures TLS towards the upstream for the default
	// transport, e.g. a private CA; nil means the system's roots.
	TLSConfig *tls.Config
	// PublicURL is the base URL clients reach skim at; empty means the
	// scheme and Host of each request.
	PublicURL string
	// MaxStatementBytes bounds a statement's size. Default 1 MiB.
	MaxStatementBytes int64
	// MaxGuardRows is the most rows skim buffers to check that a rewritten
	// ORDER BY rand() LIMIT n returned n rows. Default DefaultMaxGuardRows.
	MaxGuardRows int64
	// GuardPoll is how long a guarded page waits for the coordinator
	// before answering the client with an empty page. Default 1s.
	GuardPoll time.Duration
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = "trino"
	}
	if o.Transport == nil {
		o.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost:   256,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: 2 * time.Minute,
			TLSHandshakeTimeout:   10 * time.Second,
			TLSClientConfig:       o.TLSConfig,
			// Pages are large; bigger buffers mean fewer system calls.
			ReadBufferSize:  64 << 10,
			WriteBufferSize: 64 << 10,
		}
	}
	if o.MaxStatementBytes <= 0 {
		o.MaxStatementBytes = 1 << 20
	}
	if o.MaxGuardRows <= 0 {
		o.MaxGuardRows = DefaultMaxGuardRows
	}
	if o.GuardPoll <= 0 {
		o.GuardPoll = time.Second
	}
	return o
}

// DefaultMaxGuardRows is how many rows the frontend counts, by default, to
// guarantee a rewrite's row count.
const DefaultMaxGuardRows = 100_000

// upstream is the coordinator skim forwards to.
type upstream struct {
	name string
	url  *url.URL
}

// Server is an http.Handler speaking Trino's client protocol.
type Server struct {
	opts     Options
	up       *upstream
	pipeline *proxy.Pipeline
	client   *http.Client
	relay    *httputil.ReverseProxy
	log      *zap.Logger
}

// New returns the frontend for one coordinator.
func New(pipeline *proxy.Pipeline, opts Options, log *zap.Logger) (*Server, error) {
	opts = opts.withDefaults()
	if opts.Upstream == nil || opts.Upstream.Host == "" {
		return nil, errors.New("trino frontend: no upstream coordinator URL; set --trino-upstream, e.g. http://trino:8080")
	}
	up := &upstream{name: opts.Name, url: opts.Upstream}
	s := &Server{
		opts:     opts,
		up:       up,
		pipeline: pipeline,
		client:   &http.Client{Transport: opts.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		log:      log,
	}
	s.relay = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up.url)
			pr.Out.Host = up.url.Host
		},
		Transport:     opts.Transport,
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() == nil {
				s.log.Warn("forwarding to the coordinator failed", zap.String("path", r.URL.Path), zap.Error(err))
				http.Error(w, "skim: the Trino coordinator is unreachable: "+err.Error(), http.StatusBadGateway)
			}
		},
	}
	return s, nil
}

// ServeHTTP routes one client request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v1/statement" && r.Method == http.MethodPost:
		s.postStatement(w, r)
	case strings.HasPrefix(r.URL.Path, pagePrefix):
		s.page(w, r)
	case strings.HasPrefix(r.URL.Path, guardPrefix):
		s.guardPage(w, r)
	default:
		// /v1/info, DELETE /v1/query/{id} (the Go client's cancel), the
		// web UI and spooled segments: forwarded as they are.
		s.relay.ServeHTTP(w, r)
	}
}

// postStatement runs a new statement through the pipeline and posts it.
func (s *Server) postStatement(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxStatementBytes+1))
	if err != nil {
		return // the client went away while sending
	}
	if int64(len(body)) > s.opts.MaxStatementBytes {
		s.fail(w, r, statementTooLarge(s.opts.MaxStatementBytes))
		return
	}
	sql := string(body)
	prepared := ""
	if name, ok := rtrino.ExecuteTarget(sql); ok {
		if text, ok := preparedStatement(r.Header, name); ok {
			sql, prepared = text, name
		}
	}
	run, err := s.pipeline.Decide(ctx, proxy.Statement{
		Frontend: "trino",
		Upstream: s.up.url.String(),
		Dialect:  stmt.Trino,
		SQL:      sql,
		Session:  stmt.Session{Catalog: r.Header.Get("X-Trino-Catalog"), Schema: r.Header.Get("X-Trino-Schema")},
		Who:      whoFrom(r.Header),
		MaxRows:  s.opts.MaxGuardRows,
	})
	if err != nil {
		return // ctx ended: the client is gone
	}
	if run.Decision == rewrite.Reject {
		run.Finish()
		s.fail(w, r, rejected(run.Reason))
		return
	}
	n := &note{Run: run.ID, Warning: run.Notice}
	if run.Decision == rewrite.Rewrite && run.Changed {
		n.Rules = run.Rules
	}
	statement := func(sql string) (*http.Request, error) {
		return s.outgoing(ctx, r, http.MethodPost, s.up.target("/v1/statement"), sql, body, prepared)
	}
	if n.rewritten() && run.MinRows > 0 && run.MinRows <= s.opts.MaxGuardRows {
		s.startGuard(w, r, run.Result, n, statement)
		return
	}
	out, err := statement(run.Rewritten)
	if err != nil {
		s.fail(w, r, upstreamError(err))
		return
	}
	s.forward(w, r, out, n)
}

// outgoing builds a request to the coordinator carrying the client's
// headers. For a statement, sql replaces the body, or the prepared
// statement it names when the client sent EXECUTE.
func (s *Server) outgoing(ctx context.Context, r *http.Request, method, target, sql string, body []byte, prepared string) (*http.Request, error) {
	var reader io.Reader
	if method == http.MethodPost {
		if prepared == "" {
			body = []byte(sql)
		}
		reader = bytes.NewReader(body)
	}
	out, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, fmt.Errorf("building the request to %s: %w", target, err)
	}
	copyHeaders(out.Header, r.Header)
	// The header is replaced only when the statement changed, so an
	// untouched statement's header passes exactly as the client wrote it.
	if prepared != "" {
		if current, _ := preparedStatement(r.Header, prepared); current != sql {
			setPreparedStatement(out.Header, prepared, sql)
		}
	}
	out.Host = s.up.url.Host
	return out, nil
}

// forward sends a request to the coordinator and streams its answer back,
// rewriting the page's URLs and adding skim's warning.
func (s *Server) forward(w http.ResponseWriter, r *http.Request, out *http.Request, n *note) {
	sent := time.Now()
	resp, err := s.client.Do(out)
	s.pipeline.ObserveUpstream("trino", time.Since(sent))
	if err != nil {
		if r.Context().Err() != nil {
			s.cancelQuery(out)
			s.ended(n, pageSummary{errMessage: "the client went away"})
			return
		}
		s.ended(n, pageSummary{errMessage: "the Trino coordinator is unreachable: " + err.Error()})
		s.fail(w, r, upstreamError(err))
		return
	}
	defer resp.Body.Close()
	copyHeaders(w.Header(), resp.Header)
	if n.rewritten() {
		w.Header().Set("X-Skim-Rewrite", strings.Join(n.Rules, ","))
	}
	var body io.Reader = resp.Body
	var pages *pageRewriter
	if resp.StatusCode == http.StatusOK && strings.Contains(resp.Header.Get("Content-Type"), "json") {
		w.Header().Del("Content-Length")
		pages = newPageRewriter(resp.Body, s.mapper(r, n), warningJSON(n))
		body = pages
	}
	w.WriteHeader(resp.StatusCode)
	err = stream(w, body)
	switch {
	case pages != nil && pages.complete:
		s.observe(n, pages.summary, pages.nextURI == "")
	case resp.StatusCode >= 400 && out.Method == http.MethodPost:
		s.ended(n, pageSummary{errMessage: fmt.Sprintf("the coordinator refused the statement with HTTP %d", resp.StatusCode)})
	}
	if err == nil || r.Context().Err() == nil || pages != nil && pages.complete {
		// Delivered, or failed on skim's side of the coordinator; clients
		// that close the connection once they have the whole page (the Go
		// client does) have not left the query.
		return
	}
	// The client left mid-page: cancel the query rather than leave it
	// running until the coordinator notices.
	s.ended(n, pageSummary{errMessage: "the client went away"})
	if pages != nil && pages.nextURI != "" {
		s.cancelURL(pages.nextURI)
	} else {
		s.cancelQuery(out)
	}
}

// page serves a GET, HEAD or DELETE of a query page under /skim/.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	route, err := parsePageRoute(r.URL)
	if err != nil || route.upstream != s.up.name {
		http.Error(w, "skim: unknown query path; it was not issued by this skim", http.StatusNotFound)
		return
	}
	out, err := s.outgoing(r.Context(), r, r.Method, s.up.target(route.path), "", nil, "")
	if err != nil {
		http.Error(w, "skim: malformed query path", http.StatusBadRequest)
		return
	}
	if r.Method != http.MethodGet {
		if r.Method == http.MethodDelete {
			s.ended(route.note, pageSummary{errMessage: "cancelled by the client"})
		}
		resp, err := s.client.Do(out)
		if err != nil {
			http.Error(w, "skim: the Trino coordinator is unreachable", http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		copyHeaders(w.Header(), resp.Header)
		w.WriteHeader(resp.StatusCode)
		_ = stream(w, resp.Body)
		return
	}
	s.forward(w, r, out, route.note)
}

// observe tells the pipeline what a page said about its query; final is
// true for the query's last page.
func (s *Server) observe(n *note, sum pageSummary, final bool) {
	if n == nil || n.Run == "" {
		return
	}
	run := s.pipeline.Run(n.Run)
	if run == nil {
		// Decided by another skim, or finished already.
		return
	}
	o := proxy.Outcome{QueryID: sum.queryID, Rows: sum.rows, Error: sum.errMessage}
	if sum.hasProcessed {
		b := sum.processedBytes
		o.BytesProcessed = &b
	}
	run.Observe(o)
	if final || sum.errMessage != "" {
		run.Finish()
	}
}

// ended records that a query ended without a last page.
func (s *Server) ended(n *note, sum pageSummary) {
	s.observe(n, sum, true)
}

// mapper returns the URL mapping for one response.
func (s *Server) mapper(r *http.Request, n *note) func(string) string {
	base := s.up.pageBase(s.publicBase(r), n)
	return func(raw string) string { return s.up.clientURI(base, raw) }
}

func (s *Server) publicBase(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return strings.TrimSuffix(s.opts.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// cancelQuery cancels the query a failed or abandoned request was about:
// Trino cancels a query on DELETE of any of its page URLs.
func (s *Server) cancelQuery(out *http.Request) {
	if out.Method == http.MethodGet && strings.HasPrefix(out.URL.Path, "/v1/statement/") {
		s.cancelURL(out.URL.String())
	}
}

// cancelURL sends DELETE to a coordinator URL, bounded to a second, even
// though the client's request is over.
func (s *Server) cancelURL(raw string) {
	u, err := url.Parse(raw)
	if err != nil || !s.up.owns(u) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, s.up.target(u.EscapedPath()), nil)
	if err != nil {
		return
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.log.Warn("cancelling an abandoned query failed", zap.String("path", u.Path), zap.Error(err))
		return
	}
	resp.Body.Close()
	s.log.Info("cancelled the query of a client that went away", zap.String("path", u.Path))
}

// flushEvery bounds how long streamed bytes wait in skim's buffers.
const flushEvery = 50 * time.Millisecond

// stream copies a response body to the client. It flushes when the body
// ends and at least every flushEvery, so a page arriving slowly still
// reaches the client as it comes, without a flush per read.
func stream(w http.ResponseWriter, body io.Reader) error {
	rc := http.NewResponseController(w)
	buf := make([]byte, 64<<10)
	last := time.Now()
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			if now := time.Now(); now.Sub(last) >= flushEvery {
				if ferr := rc.Flush(); ferr != nil {
					return ferr
				}
				last = now
			}
		}
		if err == io.EOF {
			return rc.Flush()
		}
		if err != nil {
			return err
		}
	}
}

// hopHeaders are connection-level headers a proxy must not forward.
var hopHeaders = map[string]bool{
	"Connection": true, "Proxy-Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Content-Length": true, "Host": true, "Accept-Encoding": true,
}

// copyHeaders copies every end-to-end header: all X-Trino-* headers,
// Authorization and cookies pass unchanged both ways.
func copyHeaders(dst, src http.Header) {
	for k, vs := range src {
		if hopHeaders[k] {
			continue
		}
		dst[k] = append([]string(nil), vs...)
	}
}

// whoFrom reads the sender from Trino's headers. Client tags of the form
// key=value also serve as labels, which policies can match and the
// ledger keeps (team=growth, env=dev).
func whoFrom(h http.Header) config.Who {
	who := config.Who{User: h.Get("X-Trino-User"), Source: h.Get("X-Trino-Source")}
	for _, v := range h.Values("X-Trino-Client-Tags") {
		for _, tag := range strings.Split(v, ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				who.ClientTags = append(who.ClientTags, tag)
				if k, val, ok := strings.Cut(tag, "="); ok && k != "" {
					if who.Labels == nil {
						who.Labels = map[string]string{}
					}
					who.Labels[k] = val
				}
			}
		}
	}
	return who
}

// preparedStatement finds a prepared statement's text in the
// X-Trino-Prepared-Statement headers: comma-separated name=value pairs,
// both URL-encoded.
func preparedStatement(h http.Header, name string) (string, bool) {
	for _, v := range h.Values("X-Trino-Prepared-Statement") {
		for _, pair := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				continue
			}
			if dk, err := url.QueryUnescape(k); err == nil && strings.EqualFold(dk, name) {
				text, err := url.QueryUnescape(val)
				return text, err == nil
			}
		}
	}
	return "", false
}

// setPreparedStatement replaces one prepared statement's text.
func setPreparedStatement(h http.Header, name, sql string) {
	vals := h.Values("X-Trino-Prepared-Statement")
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		pairs := strings.Split(v, ",")
		for i, pair := range pairs {
			k, _, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if dk, err := url.QueryUnescape(k); ok && err == nil && strings.EqualFold(dk, name) {
				pairs[i] = k + "=" + url.QueryEscape(sql)
			}
		}
		out = append(out, strings.Join(pairs, ","))
	}
	h["X-Trino-Prepared-Statement"] = out
}

// skimWarningCode is the code of skim's Trino warning; Trino's own codes
// stay below 0x0100_0000.
const skimWarningCode = 0x0534_4b00

func warningJSON(n *note) []byte {
	if n == nil || n.Warning == "" {
		return nil
	}
	b, _ := json.Marshal(map[string]any{
		"warningCode": map[string]any{"code": skimWarningCode, "name": "SKIM_REWRITE"},
		"message":     n.Warning,
	})
	return b
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
