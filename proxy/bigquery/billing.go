package bigquery

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/rewrite"
)

// What a rewritten job really billed is in its statistics once it is done:
// on the jobs.query reply when the job finished within the request, else
// on jobs.get, which skim polls in the background with the client's
// credentials. The figure goes to the log next to skim's estimate.

// jobRef names a job.
type jobRef struct {
	ProjectID string `json:"projectId"`
	JobID     string `json:"jobId"`
	Location  string `json:"location"`
}

// replyPrefix is how much of a job reply skim keeps to find its job
// reference; BigQuery writes it before any rows.
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

// jobReply is what skim reads of a jobs.query or jobs.insert reply.
type jobReply struct {
	ref      jobRef
	complete bool
	billed   int64
	hasBill  bool
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
		switch key {
		case "jobReference":
			if dec.Decode(&out.ref) != nil {
				return out
			}
		case "jobComplete":
			if dec.Decode(&out.complete) != nil {
				return out
			}
		case "totalBytesBilled":
			var s string
			if dec.Decode(&s) != nil {
				return out
			}
			out.billed, _ = strconv.ParseInt(s, 10, 64)
			out.hasBill = true
		default:
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return out
			}
		}
	}
	return out
}

// billingPoll bounds how long skim follows a job to learn its bill.
const billingPoll = 30 * time.Minute

// followBill logs what a rewritten job billed, polling jobs.get until the
// job is done when its reply did not say.
func (s *Server) followBill(auth string, reply jobReply, res *rewrite.Result) {
	logBill := func(billed, processed int64) {
		s.log.Info("rewritten job billed",
			zap.String("job_id", reply.ref.JobID), zap.Strings("rules", res.Rules),
			zap.Int64("bytes_billed", billed), zap.Int64("bytes_processed", processed),
			zap.Int64("estimated_bytes_before", res.Estimate.BytesBefore),
			zap.Int64("estimated_bytes_after", res.Estimate.BytesAfter))
	}
	if reply.hasBill {
		logBill(reply.billed, -1)
		return
	}
	if reply.ref.JobID == "" || reply.ref.ProjectID == "" {
		return
	}
	target := strings.TrimSuffix(s.opts.Upstream.String(), "/") + "/bigquery/v2/projects/" +
		url.PathEscape(reply.ref.ProjectID) + "/jobs/" + url.PathEscape(reply.ref.JobID)
	if reply.ref.Location != "" {
		target += "?location=" + url.QueryEscape(reply.ref.Location)
	}
	ctx, cancel := context.WithTimeout(context.Background(), billingPoll)
	defer cancel()
	wait := 500 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			s.log.Warn("gave up following a rewritten job's bill", zap.String("job_id", reply.ref.JobID))
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
			Status struct {
				State string `json:"state"`
			} `json:"status"`
			Statistics struct {
				Query struct {
					TotalBytesBilled    string `json:"totalBytesBilled"`
					TotalBytesProcessed string `json:"totalBytesProcessed"`
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
		if job.Status.State == "DONE" {
			billed, _ := strconv.ParseInt(job.Statistics.Query.TotalBytesBilled, 10, 64)
			processed, _ := strconv.ParseInt(job.Statistics.Query.TotalBytesProcessed, 10, 64)
			logBill(billed, processed)
			return
		}
	}
}
