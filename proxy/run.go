package proxy

import (
	"sync"
	"time"

	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/rewrite"
)

// Run is one statement on its way through skim: the engine's decision and
// what the frontend learns while the statement runs, until Finish writes
// its ledger record.
type Run struct {
	*rewrite.Result
	// ID identifies the run and its ledger record; frontends carry it in
	// the URLs they hand out, to find the run again on later requests.
	ID string
	// Notice is what the client should be told: a rewrite, approximate
	// data, or advice; "" when there is nothing to say.
	Notice string

	p        *Pipeline
	mu       sync.Mutex
	rec      ledger.Record
	holds    int
	finish   bool
	written  bool
	lastNews time.Time
}

// Outcome is what a frontend learned about a running statement. Zero
// fields add nothing.
type Outcome struct {
	// QueryID is the upstream's query or job id.
	QueryID string
	// Rows are rows delivered to the client, added to those seen before.
	Rows int64
	// BytesProcessed and BytesBilled are the upstream's own figures.
	BytesProcessed *int64
	BytesBilled    *int64
	// BytesBefore is the upstream's estimate for the original statement
	// (a BigQuery dry run), replacing skim's catalog estimate.
	BytesBefore *int64
	// Error is the statement's error message.
	Error string
}

// Observe adds what the frontend learned.
func (r *Run) Observe(o Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastNews = r.p.opts.Now()
	if o.QueryID != "" {
		r.rec.QueryID = o.QueryID
	}
	if o.Rows > 0 {
		n := o.Rows
		if r.rec.Rows != nil {
			n += *r.rec.Rows
		}
		r.rec.Rows = &n
	}
	if o.BytesProcessed != nil {
		r.rec.BytesProcessed = o.BytesProcessed
	}
	if o.BytesBilled != nil {
		r.rec.BytesBilled = o.BytesBilled
	}
	if o.BytesBefore != nil {
		r.rec.EstimatedBytesBefore = *o.BytesBefore
		r.rec.Method = "dry_run"
	}
	if o.Error != "" && r.rec.Error == "" {
		r.rec.Error = o.Error
	}
}

// Hold delays the record until Release: the frontend is still learning
// about the statement in the background (a dry run, a bill).
func (r *Run) Hold() {
	r.mu.Lock()
	r.holds++
	r.mu.Unlock()
}

// Release ends one Hold; the record is written once the statement is
// finished and nothing holds it.
func (r *Run) Release() {
	r.update(func() { r.holds-- })
}

// Finish says the statement is over: the client has its last row or its
// error. The record is written now, or when the last Hold is released.
// Later calls do nothing.
func (r *Run) Finish() {
	r.update(func() { r.finish = true })
}

// update changes the run's state under its lock, then writes the record
// if that made it finished and unheld, once.
func (r *Run) update(change func()) {
	r.mu.Lock()
	change()
	ready := r.finish && r.holds <= 0 && !r.written
	r.written = r.written || ready
	r.mu.Unlock()
	if ready {
		r.write()
	}
}

// abandon writes the record as it stands, noting why.
func (r *Run) abandon(why string) {
	r.mu.Lock()
	if r.written {
		r.mu.Unlock()
		return
	}
	r.written = true
	if r.rec.Error == "" && !r.finish {
		r.rec.Error = why
	}
	r.mu.Unlock()
	r.write()
}

// abandoned reports whether the run has gone without news for longer than
// after. A held run is never abandoned: what holds it (a job followed for
// its bill) is bounded and releases it.
func (r *Run) abandoned(now time.Time, after time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.holds <= 0 && now.Sub(r.lastNews) > after
}

// write settles and stores the record; called once.
func (r *Run) write() {
	p := r.p
	p.mu.Lock()
	delete(p.pending, r.ID)
	p.mu.Unlock()
	r.mu.Lock()
	rec := r.rec
	r.mu.Unlock()
	rec.LatencyMS = float64(p.opts.Now().Sub(rec.Time).Microseconds()) / 1000
	rec.Settle()
	if rec.Decision != string(rewrite.Reject) && rec.User != "" {
		p.opts.Spending.Add(rec.User, rec.Time, rec.Cost())
	}
	if p.metrics != nil {
		p.metrics.recorded(rec)
	}
	if p.ledger != nil {
		p.ledger.Write(rec)
	}
}
