package bigquery

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/proxy"
)

// What a job really processed and billed is in its statistics once it is
// done: on the jobs.query reply when the job finished within the request,
// else on jobs.get, which skim polls in the background with the client's
// credentials. The figures go to the statement's ledger record.

// jobRef names a job.
type jobRef struct {
	ProjectID string `json:"projectId"`
	JobID     string `json:"jobId"`
	Location  string `json:"location"`
}

// replyPrefix is how much of a job reply skim keeps to find its job
// reference and statistics; BigQuery writes them before any rows.
const replyPrefix = 64 << 10

// capture keeps the start of a response body as it streams past.
type capture struct {
	statusRecorder
	prefix []byte
}

func (c *capture) Write(b []byte) (int, error) {
	if room := replyPrefix - len(c.prefix); room > 0 {
		c.prefix = append(c.prefix, b[:min(room, len(b))]...)
	}
	return c.ResponseWriter.Write(b)
}

// jobReply is what skim reads of a jobs.query or jobs.insert reply, or of
// an error.
type jobReply struct {
	ref        jobRef
	complete   bool
	state      string
	processed  *int64
	billed     *int64
	rows       int64
	errMessage string
}

// jobStatus is a job's status, as replies and jobs.get carry it.
type jobStatus struct {
	State       string `json:"state"`
	ErrorResult *struct {
		Message string `json:"message"`
	} `json:"errorResult"`
}

// errMessage is the job's error, "" when it has none.
func (s jobStatus) errMessage() string {
	if s.ErrorResult == nil {
		return ""
	}
	return s.ErrorResult.Message
}

// done reports whether the reply says all there is to know.
func (r jobReply) done() bool {
	return r.errMessage != "" || r.complete && (r.processed != nil || r.billed != nil) || r.state == "DONE" && r.processed != nil
}

func (r jobReply) outcome() proxy.Outcome {
	return proxy.Outcome{QueryID: r.ref.JobID, Rows: r.rows, BytesProcessed: r.processed, BytesBilled: r.billed, Error: r.errMessage}
}

// int64String reads the API's int64-as-string numbers.
func int64String(raw json.RawMessage) *int64 {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

// scanJobReply reads the top-level fields of a reply's start; the prefix
// may end mid-document, which only stops the scan.
func scanJobReply(prefix []byte) jobReply {
	var out jobReply
	dec := json.NewDecoder(bytes.NewReader(prefix))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return out
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return out
		}
		key, _ := t.(string)
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return out
		}
		switch key {
		case "jobReference":
			_ = json.Unmarshal(raw, &out.ref)
		case "jobComplete":
			_ = json.Unmarshal(raw, &out.complete)
		case "totalBytesProcessed":
			out.processed = int64String(raw)
		case "totalBytesBilled":
			out.billed = int64String(raw)
		case "totalRows":
			if n := int64String(raw); n != nil {
				out.rows = *n
			}
		case "status":
			var st jobStatus
			if json.Unmarshal(raw, &st) == nil {
				out.state, out.errMessage = st.State, st.errMessage()
			}
		case "error":
			var e struct {
				Message string `json:"message"`
			}
			if json.Unmarshal(raw, &e) == nil {
				out.errMessage = e.Message
			}
		}
	}
	return out
}

// jobPoll bounds how long skim follows a job to learn its figures.
const jobPoll = 30 * time.Minute

// followJob polls jobs.get until the job is done and records what it
// processed and billed.
func (s *Server) followJob(auth string, reply jobReply, run *proxy.Run) {
	defer run.Release()
	if reply.ref.JobID == "" || reply.ref.ProjectID == "" {
		return
	}
	target := s.jobsURL(reply.ref.ProjectID) + "/" + url.PathEscape(reply.ref.JobID)
	if reply.ref.Location != "" {
		target += "?location=" + url.QueryEscape(reply.ref.Location)
	}
	ctx, cancel := context.WithTimeout(context.Background(), jobPoll)
	defer cancel()
	wait := 500 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			s.log.Warn("gave up following a job's statistics", zap.String("job_id", reply.ref.JobID))
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := s.client.Do(req)
		if err != nil {
			continue
		}
		var job struct {
			Status     jobStatus `json:"status"`
			Statistics struct {
				Query struct {
					TotalBytesBilled    json.RawMessage `json:"totalBytesBilled"`
					TotalBytesProcessed json.RawMessage `json:"totalBytesProcessed"`
				} `json:"query"`
			} `json:"statistics"`
		}
		err = json.NewDecoder(resp.Body).Decode(&job)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			if resp.StatusCode >= 400 && resp.StatusCode < 500 {
				return // the job is gone or the token expired
			}
			continue
		}
		if job.Status.State != "DONE" {
			continue
		}
		o := proxy.Outcome{
			BytesBilled:    int64String(job.Statistics.Query.TotalBytesBilled),
			BytesProcessed: int64String(job.Statistics.Query.TotalBytesProcessed),
			Error:          job.Status.errMessage(),
		}
		s.log.Info("job done", zap.String("id", run.ID), zap.String("job_id", reply.ref.JobID), zap.Strings("rules", run.Rules))
		run.Observe(o)
		return
	}
}
