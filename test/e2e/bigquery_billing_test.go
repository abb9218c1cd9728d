package e2e

import (
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	pbigquery "github.com/skimdata/skim/proxy/bigquery"
)

// TestBigQueryBilledBytes checks that skim learns what a rewritten job
// billed, on both paths: from the jobs.query reply, and by following a
// jobs.insert job until it is done.
func TestBigQueryBilledBytes(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	s := startBQSkimLogged(t, pbigquery.Options{}, zap.New(core))
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
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && logs.FilterMessage("rewritten job billed").Len() < 2 {
		time.Sleep(100 * time.Millisecond)
	}
	billed := logs.FilterMessage("rewritten job billed").All()
	if len(billed) < 2 {
		t.Fatalf("skim logged %d bills, want one per rewritten job (2)", len(billed))
	}
	for _, e := range billed {
		if n := e.ContextMap()["bytes_billed"].(int64); n <= 0 {
			t.Errorf("bytes_billed = %d, want the job's real bill", n)
		}
	}
}
