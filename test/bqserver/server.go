package bqserver

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
)

const (
	// defaultWait is how long jobs.query and jobs.getQueryResults wait for
	// a job without timeoutMs, as BigQuery does.
	defaultWait = 10 * time.Second
	// maxWait bounds any timeoutMs.
	maxWait = time.Minute
	// maxRequestBytes bounds request bodies; BigQuery's own limit on a
	// query request is 10 MB.
	maxRequestBytes = 10 << 20
	// location is where every job and table claims to be.
	location = "US"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Project is the project the server stands for, named in table
	// resources and error messages; default "test-project". Requests may
	// name any project: the project part of every name is ignored.
	Project string
	// PageRows is the most rows a page of results carries; default 1000.
	PageRows int
	// JobDelay keeps every new job PENDING for the first half of this
	// long and RUNNING for the second half before its statement runs, so
	// clients have to poll. Zero runs jobs at once.
	JobDelay time.Duration
}

// Job is one query job as the server received it, for tests to check what
// the proxy in front of it sent.
type Job struct {
	// ID is the job ID: the client's for jobs.insert, the server's for
	// jobs.query.
	ID string
	// Project is the project of the request path.
	Project string
	// SQL is the query exactly as received.
	SQL string
	// Executed is the PostgreSQL statement it was translated to (for dry
	// runs, the one planned); empty until the job runs, and for a query
	// that could not be translated.
	Executed string
	// DryRun and UseLegacySQL are the job's dryRun and useLegacySql
	// (which BigQuery, and so the server, takes as true when absent).
	DryRun, UseLegacySQL bool
	// Labels are the job's labels.
	Labels map[string]string
	// MaximumBytesBilled is the job's maximumBytesBilled; 0 for none.
	MaximumBytesBilled int64
	// DefaultDataset is the dataset ID of the job's defaultDataset.
	DefaultDataset string
	// Authorization is the request's Authorization header. The server
	// never logs it.
	Authorization string
	// BytesProcessed and BytesBilled are the job's totalBytesProcessed
	// and totalBytesBilled once it is done; for a dry run, the estimate
	// and 0.
	BytesProcessed, BytesBilled int64
	// State is PENDING, RUNNING or DONE.
	State string
	// Error is the message of a failed job's errorResult.
	Error string
}

// Server is an http.Handler serving BigQuery's REST API v2 for query jobs
// and table metadata, running every statement on PostgreSQL. It is safe
// for concurrent use.
type Server struct {
	pool    *pgxpool.Pool
	opts    Options
	log     *zap.Logger
	started time.Time
	mux     *http.ServeMux

	mu sync.Mutex
	// jobs are all query jobs received, dry runs included, in order.
	jobs []*job
	// byID holds the jobs clients can look up, by project and job ID.
	byID map[string]*job
	// byRequest holds jobs.query jobs by requestId, so that a retried
	// request gets its first job back.
	byRequest map[string]*job
}

// New returns a server running statements on pool. Each running job takes
// a connection of its own from the pool.
func New(pool *pgxpool.Pool, opts Options, log *zap.Logger) *Server {
	if opts.Project == "" {
		opts.Project = "test-project"
	}
	if opts.PageRows <= 0 {
		opts.PageRows = 1000
	}
	if log == nil {
		log = zap.NewNop()
	}
	s := &Server{
		pool: pool, opts: opts, log: log, started: time.Now(),
		byID: map[string]*job{}, byRequest: map[string]*job{},
	}
	mux := http.NewServeMux()
	// Clients differ in the base they resolve paths against, so every
	// route is served with and without /bigquery/v2.
	for _, base := range []string{"/bigquery/v2", ""} {
		mux.HandleFunc("POST "+base+"/projects/{project}/queries", s.query)
		mux.HandleFunc("GET "+base+"/projects/{project}/queries/{job}", s.queryResults)
		mux.HandleFunc("POST "+base+"/projects/{project}/jobs", s.insertJob)
		mux.HandleFunc("GET "+base+"/projects/{project}/jobs/{job}", s.getJob)
		mux.HandleFunc("POST "+base+"/projects/{project}/jobs/{job}/cancel", s.cancelJob)
		mux.HandleFunc("GET "+base+"/projects/{project}/datasets/{dataset}/tables/{table}", s.getTable)
		mux.HandleFunc("GET "+base+"/projects/{project}/datasets/{dataset}/tables/{table}/data", s.listTableData)
	}
	mux.HandleFunc("POST /upload/bigquery/v2/projects/{project}/jobs", s.insertJob)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, notFound("URL "+r.URL.Path+" is not served by this test server"))
	})
	s.mux = mux
	return s
}

// ServeHTTP serves BigQuery's REST API v2: jobs.query, jobs.insert (query
// jobs, multipart uploads included), jobs.get, jobs.getQueryResults,
// jobs.cancel, tables.get and tabledata.list.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("handler panicked", zap.String("method", r.Method), zap.String("path", r.URL.Path),
				zap.Any("panic", v), zap.Stack("stack"))
			writeError(w, internalError(fmt.Errorf("panic: %v", v)))
		}
	}()
	s.log.Debug("request", zap.String("method", r.Method), zap.String("path", r.URL.Path))
	s.mux.ServeHTTP(w, r)
}

// Jobs returns every query job received since New or Reset, in order.
func (s *Server) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, len(s.jobs))
	for i, j := range s.jobs {
		out[i] = Job{
			ID:                 j.id,
			Project:            j.project,
			SQL:                j.cfg.sql,
			Executed:           j.executed,
			DryRun:             j.cfg.dryRun,
			UseLegacySQL:       j.cfg.legacy,
			Labels:             maps.Clone(j.cfg.labels),
			MaximumBytesBilled: j.cfg.maxBytesBilled,
			DefaultDataset:     j.cfg.defaultDataset,
			Authorization:      j.authorization,
			State:              j.state,
		}
		if j.res != nil {
			out[i].BytesProcessed, out[i].BytesBilled = j.res.bytes.processed, j.res.bytes.billed
		}
		if j.err != nil {
			out[i].Error = j.err.message
		}
	}
	return out
}

// Reset cancels the jobs still running, waits for them to end and forgets
// every job.
func (s *Server) Reset() {
	s.mu.Lock()
	jobs := s.jobs
	s.jobs, s.byID, s.byRequest = nil, map[string]*job{}, map[string]*job{}
	s.mu.Unlock()
	for _, j := range jobs {
		j.cancel()
		<-j.done
	}
}

// datasetReference names a dataset.
type datasetReference struct {
	ProjectID string `json:"projectId"`
	DatasetID string `json:"datasetId"`
}

// flexInt is an int64 a request may send as a JSON string (as the API
// says every int64 is) or as a number.
type flexInt int64

// UnmarshalJSON reads "123", 123 or null.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %s: %w", b, err)
	}
	*n = flexInt(v)
	return nil
}

// queryRequest is the body of jobs.query.
type queryRequest struct {
	Query              string            `json:"query"`
	UseLegacySQL       *bool             `json:"useLegacySql"`
	MaximumBytesBilled flexInt           `json:"maximumBytesBilled"`
	Labels             map[string]string `json:"labels"`
	RequestID          string            `json:"requestId"`
	Location           string            `json:"location"`
	DefaultDataset     *datasetReference `json:"defaultDataset"`
	QueryParameters    []queryParameter  `json:"queryParameters"`
	FormatOptions      struct {
		UseInt64Timestamp bool `json:"useInt64Timestamp"`
	} `json:"formatOptions"`
	TimeoutMs  *flexInt `json:"timeoutMs"`
	MaxResults *flexInt `json:"maxResults"`
	DryRun     bool     `json:"dryRun"`
}

// jobConfiguration is the part of a Job's configuration the server reads.
type jobConfiguration struct {
	Query *struct {
		Query              string            `json:"query"`
		UseLegacySQL       *bool             `json:"useLegacySql"`
		MaximumBytesBilled flexInt           `json:"maximumBytesBilled"`
		DefaultDataset     *datasetReference `json:"defaultDataset"`
		QueryParameters    []queryParameter  `json:"queryParameters"`
	} `json:"query"`
	Labels map[string]string `json:"labels"`
	DryRun bool              `json:"dryRun"`
}

// jobRequest is the body of jobs.insert.
type jobRequest struct {
	JobReference  *jobReference   `json:"jobReference"`
	Configuration json.RawMessage `json:"configuration"`
}

func decodeJSON(data []byte, v any) *apiError {
	if err := json.Unmarshal(data, v); err != nil {
		return invalid("Invalid JSON payload received: " + err.Error())
	}
	return nil
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		return nil, invalid("read the request body: " + err.Error())
	}
	return data, nil
}

// legacy reports whether a query is legacy SQL: as BigQuery has it,
// useLegacySql defaults to true, unless the query starts with
// #standardSQL.
func legacy(useLegacySQL *bool, sql string) bool {
	if useLegacySQL != nil {
		return *useLegacySQL
	}
	return !strings.HasPrefix(strings.ToLower(strings.TrimSpace(sql)), "#standardsql")
}

// query serves jobs.query: it starts a job and waits up to timeoutMs for
// it, answering with the first page of results when it is done in time.
func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	body, apiErr := readBody(w, r)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	var req queryRequest
	if apiErr := decodeJSON(body, &req); apiErr != nil {
		writeError(w, apiErr)
		return
	}
	if strings.TrimSpace(req.Query) == "" {
		writeError(w, invalid("Required parameter is missing: query"))
		return
	}
	project := r.PathValue("project")
	s.mu.Lock()
	j := s.byRequest[req.RequestID]
	s.mu.Unlock()
	if j == nil {
		cfg := jobConfig{
			sql:            req.Query,
			legacy:         legacy(req.UseLegacySQL, req.Query),
			dryRun:         req.DryRun,
			maxBytesBilled: int64(req.MaximumBytesBilled),
			labels:         req.Labels,
			params:         req.QueryParameters,
		}
		if d := req.DefaultDataset; d != nil {
			cfg.defaultDataset = d.DatasetID
		}
		conf := map[string]any{"jobType": "QUERY", "dryRun": cfg.dryRun, "query": cfg.echo()}
		if len(cfg.labels) > 0 {
			conf["labels"] = cfg.labels
		}
		j = s.newJob(r, project, newID("job_"), req.Location, cfg, conf)
		if cfg.dryRun {
			s.runDry(r.Context(), j)
			if j.err != nil {
				writeError(w, j.err)
				return
			}
			writeJSON(w, http.StatusOK, j.queryResponse(0, nil, req.FormatOptions.UseInt64Timestamp, s.opts.PageRows))
			return
		}
		s.register(j, req.RequestID)
		s.start(j)
	}
	waitFor(r.Context(), j, timeout(req.TimeoutMs))
	s.writeResults(w, j, 0, req.MaxResults, req.FormatOptions.UseInt64Timestamp, false)
}

// timeout is the wait a timeoutMs asks for.
func timeout(ms *flexInt) time.Duration {
	if ms == nil {
		return defaultWait
	}
	return min(time.Duration(*ms)*time.Millisecond, maxWait)
}

// insertJob serves jobs.insert for query jobs, with the job as the body or
// as the first part of a multipart/related upload.
func (s *Server) insertJob(w http.ResponseWriter, r *http.Request) {
	body, apiErr := readBody(w, r)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	if mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && strings.HasPrefix(mediaType, "multipart/") {
		part, err := multipart.NewReader(strings.NewReader(string(body)), params["boundary"]).NextPart()
		if err != nil {
			writeError(w, invalid("read the first part of the multipart upload: "+err.Error()))
			return
		}
		if body, err = io.ReadAll(part); err != nil {
			writeError(w, invalid("read the first part of the multipart upload: "+err.Error()))
			return
		}
	}
	var req jobRequest
	if apiErr := decodeJSON(body, &req); apiErr != nil {
		writeError(w, apiErr)
		return
	}
	var conf jobConfiguration
	if apiErr := decodeJSON(req.Configuration, &conf); apiErr != nil || conf.Query == nil {
		writeError(w, invalid("this test server runs query jobs only: configuration.query is required"))
		return
	}
	// The configuration goes back in the job resource as it came, as
	// BigQuery's does; UseNumber keeps its int64s exact.
	echo := map[string]any{}
	dec := json.NewDecoder(strings.NewReader(string(req.Configuration)))
	dec.UseNumber()
	if err := dec.Decode(&echo); err != nil {
		writeError(w, invalid("Invalid JSON payload received: "+err.Error()))
		return
	}
	echo["jobType"] = "QUERY"
	q := conf.Query
	cfg := jobConfig{
		sql:            q.Query,
		legacy:         legacy(q.UseLegacySQL, q.Query),
		dryRun:         conf.DryRun,
		maxBytesBilled: int64(q.MaximumBytesBilled),
		labels:         conf.Labels,
		params:         q.QueryParameters,
	}
	if q.DefaultDataset != nil {
		cfg.defaultDataset = q.DefaultDataset.DatasetID
	}
	project := r.PathValue("project")
	id, loc := newID("job_"), ""
	if ref := req.JobReference; ref != nil {
		if ref.JobID != "" {
			id = ref.JobID
		}
		loc = ref.Location
	}
	if cfg.sql == "" {
		writeError(w, invalid("Required parameter is missing: configuration.query.query"))
		return
	}
	if !cfg.dryRun {
		s.mu.Lock()
		_, taken := s.byID[project+"/"+id]
		s.mu.Unlock()
		if taken {
			writeError(w, &apiError{code: http.StatusConflict, reason: "duplicate",
				message: fmt.Sprintf("Already Exists: Job %s:%s.%s", project, location, id)})
			return
		}
	}
	j := s.newJob(r, project, id, loc, cfg, echo)
	if cfg.dryRun {
		s.runDry(r.Context(), j)
		if j.err != nil {
			writeError(w, j.err)
			return
		}
		writeJSON(w, http.StatusOK, s.resource(j))
		return
	}
	s.register(j, "")
	s.start(j)
	writeJSON(w, http.StatusOK, s.resource(j))
}

// lookup finds the job of a request path, or answers 404.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) *job {
	project, id := r.PathValue("project"), r.PathValue("job")
	s.mu.Lock()
	j := s.byID[project+"/"+id]
	s.mu.Unlock()
	if j == nil {
		writeError(w, notFound(fmt.Sprintf("Job %s:%s.%s", project, location, id)))
	}
	return j
}

// getJob serves jobs.get.
func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	if j := s.lookup(w, r); j != nil {
		writeJSON(w, http.StatusOK, s.resource(j))
	}
}

// cancelJob serves jobs.cancel: it cancels the job's statement, on
// PostgreSQL too, and answers at once, as BigQuery does.
func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request) {
	j := s.lookup(w, r)
	if j == nil {
		return
	}
	j.cancel()
	writeJSON(w, http.StatusOK, map[string]any{"kind": "bigquery#jobCancelResponse", "job": s.resource(j)})
}

// queryResults serves jobs.getQueryResults: it waits up to timeoutMs for
// the job, then answers with a page of its results, or with its error.
func (s *Server) queryResults(w http.ResponseWriter, r *http.Request) {
	j := s.lookup(w, r)
	if j == nil {
		return
	}
	q := r.URL.Query()
	var ms, maxResults *flexInt
	for name, dst := range map[string]**flexInt{"timeoutMs": &ms, "maxResults": &maxResults} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				writeError(w, invalid(fmt.Sprintf("Invalid %s: %q", name, v)))
				return
			}
			*dst = (*flexInt)(&n)
		}
	}
	start, apiErr := pageStart(q.Get("pageToken"), q.Get("startIndex"))
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	waitFor(r.Context(), j, timeout(ms))
	s.writeResults(w, j, start, maxResults, q.Get("formatOptions.useInt64Timestamp") == "true", true)
}

// pageToken encodes the row a following page starts at; pageStart reads
// it back, or startIndex when there is no token.
func pageToken(next int) string { return "row" + strconv.Itoa(next) }

func pageStart(token, startIndex string) (int, *apiError) {
	if token != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(token, "row"))
		if !strings.HasPrefix(token, "row") || err != nil || n < 0 {
			return 0, invalid("Invalid page token: " + token)
		}
		return n, nil
	}
	if startIndex == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(startIndex)
	if err != nil || n < 0 {
		return 0, invalid("Invalid startIndex: " + startIndex)
	}
	return n, nil
}

// waitFor waits until the job is done, d has passed or ctx is done.
func waitFor(ctx context.Context, j *job, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-j.done:
	case <-timer.C:
	case <-ctx.Done():
	}
}

// writeResults answers jobs.query or jobs.getQueryResults for a job: not
// complete yet, its error, or the page of rows from start.
func (s *Server) writeResults(w http.ResponseWriter, j *job, start int, maxResults *flexInt, int64Timestamps, getResults bool) {
	s.mu.Lock()
	state, apiErr := j.state, j.err
	s.mu.Unlock()
	if state == stateDone && apiErr != nil {
		writeError(w, apiErr)
		return
	}
	var resp *queryResponse
	if state != stateDone {
		resp = &queryResponse{JobReference: j.reference(), JobComplete: false}
	} else {
		var limit *int
		if maxResults != nil {
			n := int(*maxResults)
			limit = &n
		}
		resp = j.queryResponse(start, limit, int64Timestamps, s.opts.PageRows)
	}
	resp.Kind = "bigquery#queryResponse"
	if getResults {
		resp.Kind = "bigquery#getQueryResultsResponse"
		resp.QueryID = ""
	}
	writeJSON(w, http.StatusOK, resp)
}

// newID returns a fresh random ID with the given prefix, in the alphabet
// of BigQuery's job IDs.
func newID(prefix string) string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// newJob records a job as received.
func (s *Server) newJob(r *http.Request, project, id, loc string, cfg jobConfig, conf map[string]any) *job {
	if loc == "" {
		loc = location
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &job{
		id: id, project: project, location: loc, cfg: cfg, configuration: conf,
		authorization: r.Header.Get("Authorization"),
		created:       time.Now(),
		ctx:           ctx, cancel: cancel,
		done:  make(chan struct{}),
		state: statePending,
	}
	s.mu.Lock()
	s.jobs = append(s.jobs, j)
	s.mu.Unlock()
	return j
}

// register makes a job visible to jobs.get, getQueryResults and cancel,
// and to retries of its jobs.query request.
func (s *Server) register(j *job, requestID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[j.project+"/"+j.id] = j
	if requestID != "" {
		s.byRequest[requestID] = j
	}
}

// runDry answers a dry run on the spot: BigQuery checks and estimates a
// dry run synchronously and keeps no job of it.
func (s *Server) runDry(ctx context.Context, j *job) {
	res, err := s.dryRun(ctx, &j.cfg, func(sql string) { s.setExecuted(j, sql) })
	s.finish(j, res, err)
	close(j.done)
}

// start runs a job in the background.
func (s *Server) start(j *job) {
	go func() {
		defer close(j.done)
		res, err := s.runJob(j)
		s.finish(j, res, err)
	}()
}

// runJob waits out Options.JobDelay (PENDING, then RUNNING) and runs the
// statement.
func (s *Server) runJob(j *job) (res *result, err error) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("job panicked", zap.String("job_id", j.id), zap.Any("panic", v), zap.Stack("stack"))
			res, err = nil, internalError(fmt.Errorf("panic: %v", v))
		}
	}()
	if !sleep(j.ctx, s.opts.JobDelay/2) {
		return nil, stopped()
	}
	s.mu.Lock()
	j.state, j.started = stateRunning, time.Now()
	s.mu.Unlock()
	if !sleep(j.ctx, time.Until(j.created.Add(s.opts.JobDelay))) {
		return nil, stopped()
	}
	return s.execute(j.ctx, &j.cfg, func(sql string) { s.setExecuted(j, sql) })
}

// sleep waits for d or until ctx is done; it reports whether ctx is still
// live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
		}
	}
	return ctx.Err() == nil
}

func (s *Server) setExecuted(j *job, sql string) {
	s.mu.Lock()
	j.executed = sql
	s.mu.Unlock()
}

// finish marks a job DONE with its outcome.
func (s *Server) finish(j *job, res *result, err error) {
	var apiErr *apiError
	if err != nil {
		apiErr = toAPIError(err, s.opts.Project)
		if j.ctx.Err() != nil && !errors.Is(err, context.Canceled) && apiErr.reason == "internalError" {
			apiErr = stopped() // the connection was closed under a cancelled statement
		}
	}
	now := time.Now()
	s.mu.Lock()
	j.state, j.ended, j.res, j.err = stateDone, now, res, apiErr
	if j.started.IsZero() {
		j.started = now
	}
	s.mu.Unlock()
	j.cancel() // release the context
	if apiErr != nil {
		level := s.log.Info
		if apiErr.reason == "internalError" {
			level = s.log.Error
		}
		level("job failed", zap.String("job_id", j.id), zap.String("reason", apiErr.reason), zap.String("message", apiErr.message))
		return
	}
	s.log.Debug("job done", zap.String("job_id", j.id), zap.Bool("dry_run", j.cfg.dryRun),
		zap.Int("rows", len(res.rows)),
		zap.Int64("bytes_processed", res.bytes.processed),
		zap.Int64("bytes_billed", res.bytes.billed),
		zap.Stringers("tables", res.bytes.tables))
}
