package bqserver

import (
	"context"
	"strconv"
	"time"
)

// Job states, as status.state spells them.
const (
	statePending = "PENDING"
	stateRunning = "RUNNING"
	stateDone    = "DONE"
)

// jobConfig is what a query job asks for, from jobs.query or jobs.insert.
type jobConfig struct {
	sql            string
	legacy         bool
	dryRun         bool
	maxBytesBilled int64
	labels         map[string]string
	defaultDataset string
	params         []queryParameter
}

// echo is the configuration.query of a job made by jobs.query.
func (c *jobConfig) echo() map[string]any {
	q := map[string]any{"query": c.sql, "useLegacySql": c.legacy, "priority": "INTERACTIVE"}
	if c.maxBytesBilled > 0 {
		q["maximumBytesBilled"] = strconv.FormatInt(c.maxBytesBilled, 10)
	}
	if c.defaultDataset != "" {
		q["defaultDataset"] = map[string]string{"datasetId": c.defaultDataset}
	}
	if len(c.params) > 0 {
		q["queryParameters"] = c.params
	}
	return q
}

// job is one query job.
type job struct {
	id, project, location string
	cfg                   jobConfig
	// configuration is the job's configuration as job resources show it.
	configuration map[string]any
	authorization string
	created       time.Time
	// ctx is cancelled by jobs.cancel and Reset; done is closed when the
	// job is DONE.
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	// Guarded by Server.mu.
	state          string
	started, ended time.Time
	executed       string
	res            *result
	err            *apiError
}

// jobReference is a JobReference.
type jobReference struct {
	ProjectID string `json:"projectId"`
	JobID     string `json:"jobId,omitempty"`
	Location  string `json:"location,omitempty"`
}

func (j *job) reference() jobReference {
	return jobReference{ProjectID: j.project, JobID: j.id, Location: j.location}
}

// tableReference is a TableReference.
type tableReference struct {
	ProjectID string `json:"projectId"`
	DatasetID string `json:"datasetId"`
	TableID   string `json:"tableId"`
}

type dmlStats struct {
	InsertedRowCount int64 `json:"insertedRowCount,string"`
	DeletedRowCount  int64 `json:"deletedRowCount,string"`
	UpdatedRowCount  int64 `json:"updatedRowCount,string"`
}

// queryResponse is a QueryResponse or a GetQueryResultsResponse. Every
// int64 is a JSON string, as the API has it.
type queryResponse struct {
	Kind                string         `json:"kind"`
	JobReference        jobReference   `json:"jobReference"`
	JobComplete         bool           `json:"jobComplete"`
	Schema              *schema        `json:"schema,omitempty"`
	Rows                []rowJSON      `json:"rows,omitempty"`
	TotalRows           *int64         `json:"totalRows,string,omitempty"`
	PageToken           string         `json:"pageToken,omitempty"`
	TotalBytesProcessed *int64         `json:"totalBytesProcessed,string,omitempty"`
	TotalBytesBilled    *int64         `json:"totalBytesBilled,string,omitempty"`
	NumDmlAffectedRows  *int64         `json:"numDmlAffectedRows,string,omitempty"`
	DmlStats            *dmlStats      `json:"dmlStats,omitempty"`
	CacheHit            *bool          `json:"cacheHit,omitempty"`
	QueryID             string         `json:"queryId,omitempty"`
	Location            string         `json:"location,omitempty"`
	CreationTime        int64          `json:"creationTime,string,omitempty"`
	StartTime           int64          `json:"startTime,string,omitempty"`
	EndTime             int64          `json:"endTime,string,omitempty"`
	JobCreationReason   map[string]any `json:"jobCreationReason,omitempty"`
}

// queryResponse renders a DONE job's results from row start: at most
// pageRows rows, fewer when limit asks for fewer (0: none).
func (j *job) queryResponse(start int, limit *int, int64Timestamps bool, pageRows int) *queryResponse {
	res := j.res
	total := int64(len(res.rows))
	processed, billed := res.bytes.processed, res.bytes.billed
	cacheHit := false
	resp := &queryResponse{
		JobReference:        j.reference(),
		JobComplete:         true,
		TotalBytesProcessed: &processed,
		TotalBytesBilled:    &billed,
		NumDmlAffectedRows:  res.affected,
		CacheHit:            &cacheHit,
		QueryID:             j.id,
		Location:            j.location,
		CreationTime:        j.created.UnixMilli(),
		StartTime:           j.started.UnixMilli(),
		EndTime:             j.ended.UnixMilli(),
		JobCreationReason:   map[string]any{"code": "REQUESTED"},
	}
	if res.affected != nil {
		resp.DmlStats = &dmlStats{InsertedRowCount: res.inserted, DeletedRowCount: res.deleted, UpdatedRowCount: res.updated}
	}
	if res.schema == nil {
		return resp
	}
	resp.Schema = &schema{Fields: res.schema}
	if j.cfg.dryRun {
		return resp
	}
	resp.TotalRows = &total
	n := pageRows
	if limit != nil {
		n = min(n, *limit)
	}
	start = min(start, len(res.rows))
	end := min(start+n, len(res.rows))
	resp.Rows = renderRows(res.rows[start:end], int64Timestamps)
	if end < len(res.rows) && n > 0 {
		resp.PageToken = pageToken(end)
	}
	return resp
}

// jobStatus is a JobStatus.
type jobStatus struct {
	State       string        `json:"state"`
	ErrorResult *errorProto   `json:"errorResult,omitempty"`
	Errors      []*errorProto `json:"errors,omitempty"`
}

// jobStatistics is a JobStatistics with its query part.
type jobStatistics struct {
	CreationTime        int64            `json:"creationTime,string"`
	StartTime           int64            `json:"startTime,string,omitempty"`
	EndTime             int64            `json:"endTime,string,omitempty"`
	TotalBytesProcessed *int64           `json:"totalBytesProcessed,string,omitempty"`
	Query               *queryStatistics `json:"query,omitempty"`
}

type queryStatistics struct {
	TotalBytesProcessed         int64            `json:"totalBytesProcessed,string"`
	TotalBytesBilled            int64            `json:"totalBytesBilled,string"`
	EstimatedBytesProcessed     int64            `json:"estimatedBytesProcessed,string"`
	TotalBytesProcessedAccuracy string           `json:"totalBytesProcessedAccuracy,omitempty"`
	CacheHit                    bool             `json:"cacheHit"`
	StatementType               string           `json:"statementType,omitempty"`
	NumDmlAffectedRows          *int64           `json:"numDmlAffectedRows,string,omitempty"`
	DmlStats                    *dmlStats        `json:"dmlStats,omitempty"`
	Schema                      *schema          `json:"schema,omitempty"`
	ReferencedTables            []tableReference `json:"referencedTables,omitempty"`
	BillingTier                 int              `json:"billingTier,omitempty"`
}

// jobResource is a Job resource, as jobs.insert, jobs.get and jobs.cancel
// return it.
type jobResource struct {
	Kind          string         `json:"kind"`
	ID            string         `json:"id"`
	JobReference  jobReference   `json:"jobReference"`
	Configuration map[string]any `json:"configuration"`
	Status        jobStatus      `json:"status"`
	Statistics    jobStatistics  `json:"statistics"`
}

// resource renders a job as a Job resource.
func (s *Server) resource(j *job) jobResource {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := jobResource{
		Kind:          "bigquery#job",
		ID:            j.project + ":" + j.location + "." + j.id,
		JobReference:  j.reference(),
		Configuration: j.configuration,
		Status:        jobStatus{State: j.state},
		Statistics:    jobStatistics{CreationTime: j.created.UnixMilli()},
	}
	if !j.started.IsZero() {
		r.Statistics.StartTime = j.started.UnixMilli()
	}
	if j.state != stateDone {
		return r
	}
	r.Statistics.EndTime = j.ended.UnixMilli()
	if j.err != nil {
		r.Status.ErrorResult = j.err.proto()
		r.Status.Errors = []*errorProto{j.err.proto()}
		return r
	}
	res := j.res
	q := &queryStatistics{
		TotalBytesProcessed:         res.bytes.processed,
		TotalBytesBilled:            res.bytes.billed,
		EstimatedBytesProcessed:     res.estimated,
		TotalBytesProcessedAccuracy: "PRECISE",
		StatementType:               res.kind,
		NumDmlAffectedRows:          res.affected,
		BillingTier:                 1,
	}
	if res.affected != nil {
		q.DmlStats = &dmlStats{InsertedRowCount: res.inserted, DeletedRowCount: res.deleted, UpdatedRowCount: res.updated}
	}
	if res.schema != nil {
		q.Schema = &schema{Fields: res.schema}
	}
	for _, t := range res.bytes.tables {
		q.ReferencedTables = append(q.ReferencedTables, tableReference{ProjectID: s.opts.Project, DatasetID: t.dataset, TableID: t.table})
	}
	processed := res.bytes.processed
	r.Statistics.TotalBytesProcessed = &processed
	r.Statistics.Query = q
	return r
}
