// Package bigquery is skim's frontend for BigQuery's REST API v2. Clients
// point their API endpoint at skim; skim runs the SQL of query jobs
// (jobs.query and jobs.insert) through the rewrite pipeline and forwards
// every request to BigQuery with the client's own credentials. Responses
// stream back unchanged. skim holds no credentials of its own.
package bigquery

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy"
	"github.com/skimdata/skim/rewrite"
	"github.com/skimdata/skim/rewrite/stmt"
)

// DefaultUpstream is BigQuery's public endpoint.
const DefaultUpstream = "https://bigquery.googleapis.com"

// Options configure the BigQuery frontend.
type Options struct {
	// Upstream is BigQuery's base URL; default DefaultUpstream.
	Upstream *url.URL
	// Transport carries requests upstream; default a transport with
	// bounded dial and header timeouts.
	Transport http.RoundTripper
	// TLSConfig configures TLS towards the upstream for the default
	// transport, e.g. a private CA; nil means the system's roots.
	TLSConfig *tls.Config
	// MaxRequestBytes bounds a job request's body. Default 10 MiB.
	MaxRequestBytes int64
	// DryRunOriginal, when true, dry-runs the original statement of every
	// rewritten job in the background, with the client's credentials, to
	// learn what it would have billed.
	DryRunOriginal bool
	// MaximumBytesBilled, when positive, caps every query job skim
	// forwards: a job asking for more, or for no cap, gets this one.
	MaximumBytesBilled int64
}

// MaxRows is the rows this frontend can count to guarantee a rewrite's
// row count: none. Results stream to the client as BigQuery sends them,
// so only rewrites whose rows the catalog guarantees are made.
const MaxRows = -1

// Server is an http.Handler serving BigQuery's REST API.
type Server struct {
	opts     Options
	pipeline *proxy.Pipeline
	client   *http.Client
	relay    *httputil.ReverseProxy
	log      *zap.Logger
}

// New returns the BigQuery frontend.
func New(pipeline *proxy.Pipeline, opts Options, log *zap.Logger) (*Server, error) {
	if opts.Upstream == nil {
		u, _ := url.Parse(DefaultUpstream)
		opts.Upstream = u
	}
	if opts.Upstream.Host == "" {
		return nil, errors.New("bigquery frontend: the upstream URL has no host; set --bigquery-upstream, e.g. https://bigquery.googleapis.com")
	}
	if opts.Transport == nil {
		opts.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   256,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: 5 * time.Minute,
			TLSHandshakeTimeout:   10 * time.Second,
			TLSClientConfig:       opts.TLSConfig,
		}
	}
	if opts.MaxRequestBytes <= 0 {
		opts.MaxRequestBytes = 10 << 20
	}
	s := &Server{opts: opts, pipeline: pipeline, log: log, client: &http.Client{Transport: opts.Transport}}
	up := opts.Upstream
	s.relay = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up)
			pr.Out.Host = up.Host
		},
		Transport:     opts.Transport,
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				return
			}
			s.log.Warn("forwarding to BigQuery failed", zap.String("path", r.URL.Path), zap.Error(err))
			writeError(w, http.StatusServiceUnavailable, "backendError", "UNAVAILABLE",
				"skim could not reach BigQuery; check --bigquery-upstream and the network: "+err.Error())
		},
	}
	return s, nil
}

// Paths of the two methods that carry SQL.
var (
	queriesPath = regexp.MustCompile(`^(?:/bigquery/v2)?/projects/([^/]+)/queries$`)
	jobsPath    = regexp.MustCompile(`^(?:/bigquery/v2)?/projects/([^/]+)/jobs$`)
)

// ServeHTTP routes one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if m := queriesPath.FindStringSubmatch(r.URL.Path); m != nil {
			s.queryJob(w, r, m[1], false)
			return
		}
		if m := jobsPath.FindStringSubmatch(r.URL.Path); m != nil {
			s.queryJob(w, r, m[1], true)
			return
		}
	}
	s.relay.ServeHTTP(w, r)
}

// queryJob handles jobs.query (insert false) and jobs.insert (insert true).
func (s *Server) queryJob(w http.ResponseWriter, r *http.Request, project string, insert bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxRequestBytes+1))
	if err != nil {
		return
	}
	if int64(len(body)) > s.opts.MaxRequestBytes {
		writeError(w, http.StatusBadRequest, "invalid", "INVALID_ARGUMENT",
			fmt.Sprintf("skim rejected the request: its body is larger than %s", catalog.FormatBytes(s.opts.MaxRequestBytes)))
		return
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		// Not ours to judge: BigQuery answers malformed requests itself.
		s.forward(w, r, body, "")
		return
	}
	job := jobView(doc, insert)
	if job.query == nil {
		// A load, copy or extract job: forwarded as it is.
		s.forward(w, r, body, "")
		return
	}
	sql, _ := job.query["query"].(string)
	sess := stmt.Session{Catalog: project}
	if ds, ok := job.query["defaultDataset"].(map[string]any); ok {
		if p, _ := ds["projectId"].(string); p != "" {
			sess.Catalog = p
		}
		sess.Schema, _ = ds["datasetId"].(string)
	}
	st := proxy.Statement{
		Frontend: "bigquery", Upstream: s.opts.Upstream.String(), Dialect: stmt.BigQuery, SQL: sql, Session: sess,
		Who:     config.Who{Source: r.Header.Get("User-Agent"), Labels: job.labels()},
		MaxRows: MaxRows,
	}
	var run *proxy.Run
	if job.legacy() {
		// Legacy SQL is never rewritten, but it is recorded, and the byte
		// cap holds for it too, or it would be the way around the cap.
		run = s.pipeline.Pass(st, "legacy SQL is never rewritten")
	} else {
		var err error
		if run, err = s.pipeline.Decide(r.Context(), st); err != nil {
			return
		}
	}
	if run.Decision == rewrite.Reject {
		run.Finish()
		reason := "invalidQuery"
		if run.Rejection == "budget" {
			reason = "bytesBilledLimitExceeded"
		}
		writeError(w, http.StatusBadRequest, reason, "INVALID_ARGUMENT", "skim rejected the statement: "+run.Reason)
		return
	}
	rules := ""
	if run.Decision == rewrite.Rewrite && run.Changed {
		job.query["query"] = run.Rewritten
		rules = strings.Join(run.Rules, ",")
		job.setLabel("skim-rule", labelValue(rules))
	}
	changed := rules != ""
	if s.opts.MaximumBytesBilled > 0 && job.capBytes(s.opts.MaximumBytesBilled) {
		changed = true
	}
	if run.Notice != "" {
		// The REST API has no warnings; clients that look can read it.
		w.Header().Set("X-Skim-Notice", headerText(run.Notice))
	}
	out := body
	if changed {
		if b, err := json.Marshal(doc); err == nil {
			out = b
		}
	}
	rec := &capture{statusRecorder: statusRecorder{ResponseWriter: w, status: http.StatusOK}}
	sent := time.Now()
	s.forward(rec, r, out, rules)
	if !rec.answered.IsZero() {
		s.pipeline.ObserveUpstream("bigquery", rec.answered.Sub(sent))
	}
	reply := scanJobReply(rec.prefix)
	run.Observe(reply.outcome())
	if rec.status >= 300 && reply.errMessage == "" {
		run.Observe(proxy.Outcome{Error: fmt.Sprintf("BigQuery answered HTTP %d", rec.status)})
	}
	if rec.status < 300 && !job.dryRun() {
		// The goroutines outlive the request, so they get the
		// credentials rather than the request; the record waits for
		// them.
		auth := r.Header.Get("Authorization")
		if rules != "" && s.opts.DryRunOriginal {
			run.Hold()
			go s.dryRun(auth, project, sql, job.query, run)
		}
		// Following a job costs API calls with the client's
		// credentials; it is worth them for rewrites, whose savings
		// need the bill. Other jobs keep what their reply said.
		if rules != "" && !reply.done() {
			run.Hold()
			go s.followJob(auth, reply, run)
		}
	}
	run.Finish()
}

// forward sends a (possibly rewritten) body upstream and streams the
// answer back.
func (s *Server) forward(w http.ResponseWriter, r *http.Request, body []byte, rules string) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	if rules != "" {
		w.Header().Set("X-Skim-Rewrite", rules)
	}
	s.relay.ServeHTTP(w, r)
}

// statusRecorder remembers the status a response was sent with, and when
// its headers were: the upstream's answer time, which metrics count.
type statusRecorder struct {
	http.ResponseWriter
	status   int
	answered time.Time
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status, r.answered = code, time.Now()
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController flush the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// job gives access to the query parts of a jobs.query or jobs.insert body.
type job struct {
	doc    map[string]any
	insert bool
	// query is the QueryRequest (jobs.query) or configuration.query
	// (jobs.insert); nil when the job has no query.
	query map[string]any
	// config is configuration (jobs.insert only).
	config map[string]any
}

func jobView(doc map[string]any, insert bool) job {
	j := job{doc: doc, insert: insert}
	if !insert {
		if _, ok := doc["query"].(string); ok {
			j.query = doc
		}
		return j
	}
	j.config, _ = doc["configuration"].(map[string]any)
	if j.config != nil {
		if q, ok := j.config["query"].(map[string]any); ok {
			if _, ok := q["query"].(string); ok {
				j.query = q
			}
		}
	}
	return j
}

// legacy reports whether the job asks for legacy SQL. useLegacySql
// defaults to true in both jobs.query and jobs.insert, unless the text
// opts in with #standardSQL.
func (j job) legacy() bool {
	v, set := j.query["useLegacySql"]
	b, _ := v.(bool)
	if set {
		return b
	}
	sql, _ := j.query["query"].(string)
	return !strings.HasPrefix(strings.TrimSpace(strings.ToLower(sql)), "#standardsql")
}

func (j job) dryRun() bool {
	if j.insert {
		b, _ := j.config["dryRun"].(bool)
		return b
	}
	b, _ := j.doc["dryRun"].(bool)
	return b
}

// labels returns the job's labels, as policies match them.
func (j job) labels() map[string]string {
	owner := j.doc
	if j.insert {
		owner = j.config
	}
	raw, _ := owner["labels"].(map[string]any)
	if len(raw) == 0 {
		return nil
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if sv, ok := v.(string); ok {
			out[k] = sv
		}
	}
	return out
}

// headerText makes text safe for an HTTP header value: no control
// characters.
func headerText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// setLabel adds a job label: jobs.insert keeps labels on configuration,
// jobs.query on the request itself.
func (j job) setLabel(key, value string) {
	owner := j.doc
	if j.insert {
		owner = j.config
	}
	labels, _ := owner["labels"].(map[string]any)
	if labels == nil {
		labels = map[string]any{}
		owner["labels"] = labels
	}
	labels[key] = value
}

// capBytes lowers maximumBytesBilled to limit (an int64, which the API
// writes as a string) and reports whether it changed the job.
func (j job) capBytes(limit int64) bool {
	if cur, ok := j.query["maximumBytesBilled"]; ok {
		if n, err := strconv.ParseInt(fmt.Sprint(cur), 10, 64); err == nil && n > 0 && n <= limit {
			return false
		}
	}
	j.query["maximumBytesBilled"] = strconv.FormatInt(limit, 10)
	return true
}

// labelValue makes a label value BigQuery accepts: lower case letters,
// digits, - and _.
func labelValue(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	return b.String()
}

// dryRun asks BigQuery, with the client's credentials, what the original
// statement would have processed, and records it.
func (s *Server) dryRun(auth, project, sql string, query map[string]any, run *proxy.Run) {
	defer run.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := map[string]any{"query": sql, "useLegacySql": false}
	// What the statement needs to plan: its dataset, parameters and
	// connection properties.
	for _, key := range []string{"defaultDataset", "queryParameters", "parameterMode", "connectionProperties"} {
		if v, ok := query[key]; ok {
			q[key] = v
		}
	}
	body, _ := json.Marshal(map[string]any{"configuration": map[string]any{"dryRun": true, "query": q}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.jobsURL(project), bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.log.Warn("dry run of the original statement failed", zap.Error(err))
		return
	}
	defer resp.Body.Close()
	var out struct {
		Statistics struct {
			TotalBytesProcessed json.RawMessage `json:"totalBytesProcessed"`
		} `json:"statistics"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		s.log.Warn("dry run of the original statement was refused", zap.Int("status", resp.StatusCode))
		return
	}
	bp := int64String(out.Statistics.TotalBytesProcessed)
	if bp == nil {
		return
	}
	before := *bp
	s.log.Info("dry run of the original statement",
		zap.String("id", run.ID), zap.Strings("rules", run.Rules), zap.Int64("bytes_before", before),
		zap.Int64("estimated_bytes_before", run.Estimate.BytesBefore))
	run.Observe(proxy.Outcome{BytesBefore: &before})
}

// jobsURL is BigQuery's jobs collection of a project, under the upstream.
func (s *Server) jobsURL(project string) string {
	return strings.TrimSuffix(s.opts.Upstream.String(), "/") + "/bigquery/v2/projects/" + url.PathEscape(project) + "/jobs"
}

// writeError answers in BigQuery's error shape, so client libraries raise
// their usual errors. Refusals use 4xx with reasons clients do not retry.
func writeError(w http.ResponseWriter, code int, reason, status, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": msg, "status": status,
		"errors": []any{map[string]any{"message": msg, "domain": "global", "reason": reason}},
	}})
}
