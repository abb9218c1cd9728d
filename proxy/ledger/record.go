// Package ledger records what skim did with every statement, so that
// finance can add up what was saved and data owners can learn how their
// tables are read. A Sink accepts records without ever blocking or failing
// the statement; Read hands them back for reports.
package ledger

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Record is one statement's entry in the ledger. Byte counts are bytes
// scanned (Trino) or processed (BigQuery).
type Record struct {
	// ID is unique per statement; sinks use it so that a record replayed
	// after an outage is stored once.
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	// Frontend is "trino" or "bigquery"; Upstream is the engine's URL
	// without credentials.
	Frontend string `json:"frontend"`
	Upstream string `json:"upstream,omitempty"`
	// Who sent it, as the client reported it.
	User       string            `json:"user,omitempty"`
	Source     string            `json:"source,omitempty"`
	ClientTags []string          `json:"client_tags,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	// Team is the team the user belongs to, from the configuration's
	// teams or the client's "team" tag or label.
	Team string `json:"team,omitempty"`
	// QueryID is the upstream's query or job id, when it has one.
	QueryID string `json:"query_id,omitempty"`
	Policy  string `json:"policy,omitempty"`
	Mode    string `json:"mode,omitempty"`
	// Fingerprint identifies the statement with its literals stripped, so
	// that the same query with other values counts as one.
	Fingerprint string `json:"fingerprint,omitempty"`
	// SQL and Rewritten hold the text as configured: the client's text,
	// the text with literals replaced by ?, or nothing.
	SQL       string `json:"sql,omitempty"`
	Rewritten string `json:"rewritten,omitempty"`
	// Tables are the fully qualified tables read; FilterColumns the
	// "table.column" pairs the statement filters on.
	Tables        []string `json:"tables,omitempty"`
	FilterColumns []string `json:"filter_columns,omitempty"`
	Rules         []string `json:"rules,omitempty"`
	// Decision is "rewrite", "passthrough", "reject" or "advise".
	Decision string `json:"decision"`
	Reason   string `json:"reason,omitempty"`
	// Method says where the estimates come from: "catalog", "dry_run"
	// or "explain".
	Method string `json:"method,omitempty"`
	// EstimatedBytesBefore is what the client's statement would scan;
	// EstimatedBytesAfter what skim's statement scans.
	EstimatedBytesBefore int64 `json:"estimated_bytes_before"`
	EstimatedBytesAfter  int64 `json:"estimated_bytes_after"`
	// BytesProcessed and BytesBilled are the upstream's own figures,
	// nil when it did not report them.
	BytesProcessed *int64 `json:"bytes_processed,omitempty"`
	BytesBilled    *int64 `json:"bytes_billed,omitempty"`
	// BytesSaved is EstimatedBytesBefore less what the rewritten
	// statement cost, in the same kind of figure (see Settle); never
	// negative, and zero unless the statement was rewritten.
	BytesSaved int64 `json:"bytes_saved"`
	// PricePerTiB is the configured price of a TiB on this upstream and
	// MoneySaved is BytesSaved at that price.
	PricePerTiB float64 `json:"price_per_tib,omitempty"`
	MoneySaved  float64 `json:"money_saved"`
	// Rows is how many rows the client received, nil when unknown.
	Rows *int64 `json:"rows,omitempty"`
	// LatencyMS is from the statement's arrival to its last row or error;
	// RewriteMS is the part skim spent deciding.
	LatencyMS float64 `json:"latency_ms"`
	RewriteMS float64 `json:"rewrite_ms"`
	// Error is the upstream's or skim's error message, if the statement
	// failed.
	Error string `json:"error,omitempty"`
}

// NewID returns a fresh record id.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// tib is the number of bytes in a TiB.
const tib = 1 << 40

// Cost is what the statement scanned: nothing when skim rejected it, as it
// never reached the engine; else the upstream's billed bytes, else its
// processed bytes, else skim's estimate of the statement it ran (the
// rewritten one for a rewrite, the client's otherwise).
func (r *Record) Cost() int64 {
	switch {
	case r.Decision == "reject":
		return 0
	case r.BytesBilled != nil:
		return *r.BytesBilled
	case r.BytesProcessed != nil:
		return *r.BytesProcessed
	case r.Decision == "rewrite":
		return r.EstimatedBytesAfter
	}
	return r.EstimatedBytesBefore
}

// Processed is what the statement scanned with the upstream's processed
// bytes put first: nothing when skim rejected it, else the upstream's
// processed bytes, else its billed bytes, else skim's estimate of the
// statement it ran. It differs from Cost only when the upstream reports
// both figures; BigQuery rounds bytes billed up, so processed bytes are the
// figure to compare with its dry run's.
func (r *Record) Processed() int64 {
	switch {
	case r.Decision == "reject":
		return 0
	case r.BytesProcessed != nil:
		return *r.BytesProcessed
	case r.BytesBilled != nil:
		return *r.BytesBilled
	case r.Decision == "rewrite":
		return r.EstimatedBytesAfter
	}
	return r.EstimatedBytesBefore
}

// Settle fills BytesSaved and MoneySaved from the record's other figures.
// A statement skim did not rewrite saved nothing, whatever its estimates.
// Saved bytes compare figures of one kind: the upstream's dry run of the
// original with the bytes the rewrite processed (Method "dry_run"), or
// skim's two catalog estimates, since measured bytes (which count file
// overhead and compression) and catalog sizes do not compare. Money saved
// is saved bytes at the price per TiB; BigQuery's 10 MB minimum bill per
// query is left out, as it only matters for statements that save little.
func (r *Record) Settle() {
	r.BytesSaved, r.MoneySaved = 0, 0
	if r.Decision != "rewrite" {
		return
	}
	after := r.EstimatedBytesAfter
	if r.Method == "dry_run" {
		after = r.Processed()
	}
	if saved := r.EstimatedBytesBefore - after; saved > 0 {
		r.BytesSaved = saved
	}
	r.MoneySaved = float64(r.BytesSaved) / tib * r.PricePerTiB
}
