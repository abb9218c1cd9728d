package trinoserver

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
)

const (
	// maxStatementBytes matches Trino's default query.max-length.
	maxStatementBytes = 1_000_000
	// writeTimeout bounds every response, the long poll included.
	writeTimeout = 30 * time.Second
	// trinoVersion is the Trino release this server claims to be.
	trinoVersion = "468"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// PageRows is the most rows a page carries; default 1000.
	PageRows int
	// ExternalURL returns the base URL (scheme://host[:port], no trailing
	// slash) that nextUri and infoUri start with. The default is
	// http://Host of the request, which is right unless a proxy that
	// rewrites nothing sits in between.
	ExternalURL func(r *http.Request) string
	// IdleTimeout is how long a query lives without its client polling
	// before it is cancelled and forgotten; default 60 s.
	IdleTimeout time.Duration
}

// Received is one statement as it reached the server, for tests to check
// what the proxy in front of it sent.
type Received struct {
	// ID is the Trino query ID the server gave it.
	ID string
	// SQL is the request body exactly as received.
	SQL string
	// Statement is the Trino statement that ran: SQL itself, or for
	// EXECUTE the prepared statement with its parameters bound.
	Statement string
	// Executed is what ran on PostgreSQL after translation; empty until
	// the query starts and for statements answered by the server itself
	// (SET SESSION, USE, PREPARE, START TRANSACTION, ...).
	Executed string
	// User, Catalog, Schema, Source and TraceToken are the X-Trino-User,
	// -Catalog, -Schema, -Source and -Trace-Token headers.
	User, Catalog, Schema, Source, TraceToken string
	// ClientTags is X-Trino-Client-Tags, split at commas.
	ClientTags []string
	// Session holds the X-Trino-Session properties.
	Session map[string]string
	// Headers are all request headers. The server never logs them, since
	// Authorization and X-Trino-Extra-Credential carry credentials.
	Headers http.Header
}

// Server is an http.Handler speaking Trino's client protocol that runs
// statements on PostgreSQL. It is safe for concurrent use.
type Server struct {
	pool    *pgxpool.Pool
	opts    Options
	log     *zap.Logger
	started time.Time
	mux     *http.ServeMux

	mu       sync.Mutex
	queries  map[string]*query
	received []*Received
	seq      int
}

// New returns a server running statements on pool. Each query takes a
// connection of its own from the pool for as long as it runs.
func New(pool *pgxpool.Pool, opts Options, log *zap.Logger) *Server {
	if opts.PageRows <= 0 {
		opts.PageRows = 1000
	}
	if opts.ExternalURL == nil {
		opts.ExternalURL = requestURL
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 60 * time.Second
	}
	if log == nil {
		log = zap.NewNop()
	}
	s := &Server{pool: pool, opts: opts, log: log, started: time.Now(), queries: map[string]*query{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/statement", s.postStatement)
	mux.HandleFunc("GET /v1/statement/{kind}/{id}/{slug}/{token}", s.getPage) // and HEAD
	mux.HandleFunc("DELETE /v1/statement/{kind}/{id}/{slug}/{token}", s.deletePage)
	mux.HandleFunc("DELETE /v1/query/{id}", s.deleteQuery)
	mux.HandleFunc("GET /v1/info", s.info)
	s.mux = mux
	return s
}

func requestURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// ServeHTTP serves Trino's client REST API: /v1/statement and the pages
// after it, /v1/query/{id} (DELETE only) and /v1/info.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("handler panicked", zap.String("method", r.Method), zap.String("path", r.URL.Path),
				zap.Any("panic", v), zap.Stack("stack"))
			http.Error(w, "internal server error", http.StatusInternalServerError)
		}
	}()
	// Not every ResponseWriter supports deadlines; those are unbounded.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(writeTimeout))
	s.log.Debug("request", zap.String("method", r.Method), zap.String("path", r.URL.Path))
	s.mux.ServeHTTP(w, r)
}

// Statements returns every statement received since New or Reset, in
// order. The server keeps them all until Reset.
func (s *Server) Statements() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.received))
	for i, r := range s.received {
		out[i] = *r
		out[i].Headers = r.Headers.Clone()
		out[i].ClientTags = append([]string(nil), r.ClientTags...)
		session := make(map[string]string, len(r.Session))
		for k, v := range r.Session {
			session[k] = v
		}
		out[i].Session = session
	}
	return out
}

// Reset cancels every query and forgets the statements received.
func (s *Server) Reset() {
	s.mu.Lock()
	queries := s.queries
	s.queries = map[string]*query{}
	s.received = nil
	s.mu.Unlock()
	for _, q := range queries {
		q.idle.Stop()
		q.cancel()
	}
}

func (s *Server) postStatement(w http.ResponseWriter, r *http.Request) {
	user := r.Header.Get("X-Trino-User")
	if user == "" {
		http.Error(w, "User must be set", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxStatementBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, fmt.Sprintf("Query text length exceeds the maximum length of %d", maxStatementBytes), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "could not read the statement: "+err.Error(), http.StatusBadRequest)
		return
	}
	sql := string(body)
	if strings.TrimSpace(sql) == "" {
		http.Error(w, "SQL statement is empty", http.StatusBadRequest)
		return
	}
	sess := parseSession(r.Header)
	q := s.register(r, sql, planStatement(sql, sess), sess)
	s.log.Info("statement received", zap.String("query_id", q.id), zap.String("user", user), zap.String("sql", abbreviate(sql, 300)))

	base := s.opts.ExternalURL(r)
	q.mu.Lock()
	defer q.mu.Unlock()
	q.nextKind, q.nextToken = queuedPage, 1
	pg, err := q.newPage("statement", 0, base, results{
		NextURI: q.nextURI(base, queuedPage, 1),
		Stats:   q.stats("QUEUED"),
	}, nil)
	if err != nil {
		s.log.Error("render page", zap.Error(err))
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writePage(w, pg)
}

// register records a statement and creates its query, not yet started.
func (s *Server) register(r *http.Request, sql string, p *plan, sess session) *query {
	rec := &Received{
		SQL:        sql,
		Statement:  p.statement,
		User:       r.Header.Get("X-Trino-User"),
		Catalog:    sess.catalog,
		Schema:     sess.schema,
		Source:     r.Header.Get("X-Trino-Source"),
		TraceToken: r.Header.Get("X-Trino-Trace-Token"),
		Session:    parsePairs(r.Header.Values("X-Trino-Session")),
		Headers:    r.Header.Clone(),
	}
	for _, v := range r.Header.Values("X-Trino-Client-Tags") {
		for _, tag := range strings.Split(v, ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				rec.ClientTags = append(rec.ClientTags, tag)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := &query{
		srv:     s,
		slug:    "y" + randomString(32, "0123456789abcdef"),
		rec:     rec,
		plan:    p,
		schema:  sess.schema,
		created: time.Now(),
		ctx:     ctx,
		cancel:  cancel,
		results: make(chan batch, resultBuffer),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	// Trino's query ID format: date_time_sequence_coordinator.
	q.id = fmt.Sprintf("%s_%05d_%s", q.created.UTC().Format("20060102_150405"), s.seq%100000, randomString(5, "abcdefghijklmnopqrstuvwxyz"))
	rec.ID = q.id
	s.received = append(s.received, rec)
	s.queries[q.id] = q
	q.idle = time.AfterFunc(s.opts.IdleTimeout, func() { s.expire(q) })
	return q
}

// lookup finds a query by the ID and slug of a nextUri.
func (s *Server) lookup(id, slug string) *query {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries[id]
	if q == nil || (slug != "" && q.slug != slug) {
		return nil
	}
	return q
}

// forget cancels a query and drops it, so its pages answer 404.
func (s *Server) forget(q *query) {
	s.mu.Lock()
	if s.queries[q.id] == q {
		delete(s.queries, q.id)
	}
	s.mu.Unlock()
	q.idle.Stop()
	q.cancel()
}

// expire forgets a query its client stopped polling: normally one whose
// last page was served, else one abandoned while running.
func (s *Server) expire(q *query) {
	q.mu.Lock()
	finished := q.final != nil
	q.mu.Unlock()
	s.forget(q)
	if finished {
		s.log.Debug("finished query expired", zap.String("query_id", q.id))
		return
	}
	s.log.Warn("query abandoned by its client: cancelled", zap.String("query_id", q.id), zap.Duration("idle", s.opts.IdleTimeout))
}

func (s *Server) getPage(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	token, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	q := s.lookup(r.PathValue("id"), r.PathValue("slug"))
	if err != nil || (kind != queuedPage && kind != executingPage) || q == nil {
		http.Error(w, "Query not found", http.StatusNotFound)
		return
	}
	q.touch()
	if r.Method == http.MethodHead {
		// The Go client's heartbeat: the query is alive, nothing moves.
		w.WriteHeader(http.StatusOK)
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.last != nil && q.last.kind == kind && q.last.token == token {
		writePage(w, q.last) // a retry gets the same page again
		return
	}
	if kind != q.nextKind || token != q.nextToken {
		http.Error(w, fmt.Sprintf("page %s/%d of query %s is gone; follow nextUri in order", kind, token, q.id), http.StatusGone)
		return
	}
	base := s.opts.ExternalURL(r)
	var pg *page
	if kind == queuedPage {
		pg, err = q.queuedPage(token, base)
	} else {
		pg, err = q.executingPage(r.Context(), token, base)
	}
	if err != nil {
		s.log.Error("render page", zap.String("query_id", q.id), zap.Error(err))
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	q.last = pg
	writePage(w, pg)
}

func (s *Server) deletePage(w http.ResponseWriter, r *http.Request) {
	q := s.lookup(r.PathValue("id"), r.PathValue("slug"))
	if q == nil {
		http.Error(w, "Query not found", http.StatusNotFound)
		return
	}
	s.forget(q)
	s.log.Info("query cancelled by its client", zap.String("query_id", q.id), zap.String("via", "DELETE nextUri"))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteQuery(w http.ResponseWriter, r *http.Request) {
	q := s.lookup(r.PathValue("id"), "")
	if q == nil {
		http.Error(w, "Query not found", http.StatusNotFound)
		return
	}
	s.forget(q)
	s.log.Info("query cancelled by its client", zap.String("query_id", q.id), zap.String("via", "DELETE /v1/query"))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) info(w http.ResponseWriter, _ *http.Request) {
	body, err := json.Marshal(map[string]any{
		"nodeVersion": map[string]string{"version": trinoVersion},
		"environment": "test",
		"coordinator": true,
		"starting":    false,
		"uptime":      formatDuration(time.Since(s.started)),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body) // a client gone away is no error of ours
}

func writePage(w http.ResponseWriter, pg *page) {
	for k, vs := range pg.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(pg.body) // a client gone away retries or gives up
}

// formatDuration writes a duration as Trino does: two decimals in the
// largest unit that keeps the number at least 1 ("1.00m", "12.50s").
func formatDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%.2fd", d.Hours()/24)
	case d >= time.Hour:
		return fmt.Sprintf("%.2fh", d.Hours())
	case d >= time.Minute:
		return fmt.Sprintf("%.2fm", d.Minutes())
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
