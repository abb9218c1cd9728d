package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	pbigquery "github.com/skimdata/skim/proxy/bigquery"
	"github.com/skimdata/skim/proxy/ledger"
)

// testLedger is a JSON-lines ledger in a test's directory.
type testLedger struct {
	path string
	sink ledger.Sink
}

func newTestLedger(t *testing.T) *testLedger {
	t.Helper()
	l := &testLedger{path: filepath.Join(t.TempDir(), "ledger.jsonl")}
	var err error
	if l.sink, err = ledger.Open(context.Background(), l.path, ledger.Options{}, zap.NewNop()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.sink.Close(context.Background()) })
	return l
}

// wait returns the ledger's records once it holds n, failing after 15
// seconds: records are written when a statement ends, and BigQuery's wait
// for a dry run and the job's statistics, and the file sink flushes every
// second.
func (l *testLedger) wait(t *testing.T, n int) []ledger.Record {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var recs []ledger.Record
		if _, err := os.Stat(l.path); err == nil {
			if _, err := ledger.Read(context.Background(), l.path, ledger.Span{}, func(r ledger.Record) error {
				recs = append(recs, r)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		if len(recs) >= n {
			return recs
		}
		if time.Now().After(deadline) {
			t.Fatalf("the ledger holds %d records after 15s, want %d: %+v", len(recs), n, recs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTrinoLedger: each statement through the Trino frontend leaves one
// record with what the coordinator reported, on the guarded path of a
// rewrite, the plain path of a passthrough and for a failing statement.
func TestTrinoLedger(t *testing.T) {
	resetUpstream(t)
	l := newTestLedger(t)
	s := startSkimSetup(t, skimSetup{ledger: l.sink})
	db := openTrino(t, s.url, "")
	if _, rows := queryRows(t, db, "SELECT user_id, page FROM events ORDER BY rand() LIMIT 1000"); len(rows) != 1000 {
		t.Fatalf("%d rows, want 1000", len(rows))
	}
	if _, rows := queryRows(t, db, "SELECT code, name FROM ref.countries"); len(rows) == 0 {
		t.Fatal("no countries")
	}
	if _, err := db.Query("SELECT * FROM no_such_table"); err == nil {
		t.Fatal("a missing table did not fail")
	}
	recs := l.wait(t, 3)
	byDecision := map[string]ledger.Record{}
	for _, r := range recs {
		byDecision[r.Decision+"/"+map[bool]string{true: "error", false: "ok"}[r.Error != ""]] = r
	}
	rw, pass, failed := byDecision["rewrite/ok"], byDecision["passthrough/ok"], byDecision["passthrough/error"]
	switch {
	case rw.QueryID == "" || rw.Rows == nil || *rw.Rows != 1000 || rw.BytesProcessed == nil || *rw.BytesProcessed <= 0:
		t.Errorf("the rewrite's record lacks the coordinator's figures: %+v", rw)
	case rw.User != "notebook" || rw.Source != "jupyter" || len(rw.Rules) != 1 || rw.Rules[0] != "rand_limit" || rw.BytesSaved <= 0:
		t.Errorf("the rewrite's record: %+v", rw)
	}
	if pass.QueryID == "" || pass.Rows == nil || *pass.Rows == 0 || pass.BytesSaved != 0 || len(pass.Tables) != 1 || pass.Tables[0] != "demo.ref.countries" {
		t.Errorf("the passthrough's record: %+v", pass)
	}
	if !strings.Contains(failed.Error, "no_such_table") {
		t.Errorf("the failed statement's record: %+v", failed)
	}
	for _, r := range recs {
		if r.LatencyMS <= 0 || r.RewriteMS <= 0 || r.RewriteMS > r.LatencyMS {
			t.Errorf("latency %v ms, rewrite %v ms", r.LatencyMS, r.RewriteMS)
		}
	}
}

// TestBigQueryLedger: the records of BigQuery statements carry the job,
// the rows, the bytes billed, and savings measured against BigQuery's own
// dry run of the original, on both the jobs.query and jobs.insert paths.
func TestBigQueryLedger(t *testing.T) {
	l := newTestLedger(t)
	s := startBQSkimSetup(t, bqSetup{ledger: l.sink, bigquery: pbigquery.Options{}})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	const sql = "SELECT user_id, page FROM " + bqEvents + " ORDER BY RAND() LIMIT 100"
	bqRead(t, ctx, c.Query(sql))
	job, err := c.Query(sql).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := job.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	full, err := bqDryRun(ctx, bqClient(t, bqEnv.url), sql)
	if err != nil {
		t.Fatal(err)
	}
	legacy := c.Query("SELECT user_id FROM [test-project:analytics.events] LIMIT 5")
	legacy.UseLegacySQL = true
	bqRead(t, ctx, legacy)
	all := l.wait(t, 3)
	var recs []ledger.Record
	var legacyRec ledger.Record
	for _, r := range all {
		if r.Decision == "passthrough" {
			legacyRec = r
		} else {
			recs = append(recs, r)
		}
	}
	if legacyRec.Decision != "passthrough" || legacyRec.Reason != "legacy SQL is never rewritten" || legacyRec.QueryID == "" || legacyRec.Fingerprint == "" {
		t.Errorf("the legacy SQL statement's record: %+v", legacyRec)
	}
	for _, r := range recs {
		switch {
		case r.Frontend != "bigquery" || r.Decision != "rewrite" || r.QueryID == "":
			t.Errorf("record: %+v", r)
		case r.BytesBilled == nil || *r.BytesBilled <= 0 || r.BytesProcessed == nil:
			t.Errorf("the record lacks what BigQuery billed: %+v", r)
		case r.Method != "dry_run" || r.EstimatedBytesBefore != full:
			t.Errorf("bytes before %d by %s, want the dry run's %d", r.EstimatedBytesBefore, r.Method, full)
		case r.BytesSaved != full-*r.BytesProcessed || r.MoneySaved <= 0 || r.PricePerTiB != 6.25:
			t.Errorf("savings %d (%v), want %d - %d at 6.25 per TiB", r.BytesSaved, r.MoneySaved, full, *r.BytesProcessed)
		}
	}
	if len(recs) != 2 {
		t.Fatalf("%d records of rewrites, want 2", len(recs))
	}
	if r := recs[0]; r.Rows == nil || *r.Rows != 100 {
		t.Errorf("the jobs.query record's rows: %+v", r.Rows)
	}
}
