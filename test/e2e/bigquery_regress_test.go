package e2e

// Regression tests for mistakes the BigQuery end-to-end tests once caught.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"cloud.google.com/go/bigquery"

	pbigquery "github.com/skimdata/skim/proxy/bigquery"
)

// TestBigQueryFilteredRandLimitKeepsRows: 6,000 events are purchases, so
// BigQuery returns 1,000 of them; a 7% sample filtered to purchases would
// hold some 430. The BigQuery frontend cannot count rows and run a
// fallback, so such a rewrite must not be made.
func TestBigQueryFilteredRandLimitKeepsRows(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	const sql = "SELECT user_id, page FROM " + bqEvents + " WHERE event_name = 'purchase' ORDER BY RAND() LIMIT 1000"
	if _, rows := bqRead(t, ctx, c.Query(sql)); len(rows) != 1000 {
		t.Errorf("%s: %d rows, want 1000; the test server received %s", sql, len(rows), bqJob(t, "LIMIT 1000").SQL)
	}
}

// TestBigQueryQueriesDefaultToLegacySQL: jobs.query, like jobs.insert,
// takes a request without useLegacySql as legacy SQL (QueryRequest's
// default is true), which skim must not rewrite.
func TestBigQueryQueriesDefaultToLegacySQL(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	const sql = "SELECT user_id FROM analytics.events LIMIT 100"
	body, _ := json.Marshal(map[string]any{"query": sql})
	resp, err := http.Post(s.url+"/bigquery/v2/projects/test-project/queries", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("jobs.query: %d %s", resp.StatusCode, answer)
	}
	if j := bqJob(t, "LIMIT 100"); !j.UseLegacySQL || j.SQL != sql || len(j.Labels) != 0 {
		t.Errorf("the test server received %s (legacy %t) with labels %v, want the legacy statement %s untouched", j.SQL, j.UseLegacySQL, j.Labels, sql)
	}
}

// TestBigQueryLegacySQLIsCapped: Options.MaximumBytesBilled caps every
// query job, legacy SQL included, or useLegacySql would escape the cap.
func TestBigQueryLegacySQLIsCapped(t *testing.T) {
	const limit = 20 << 20
	s := startBQSkim(t, pbigquery.Options{MaximumBytesBilled: limit})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	const sql = "SELECT * FROM [test-project:analytics.events] WHERE user_id = 7"
	q := c.Query(sql)
	q.UseLegacySQL = true
	_, err := q.Read(ctx)
	if j := bqJob(t, sql); j.MaximumBytesBilled != limit || err == nil {
		t.Errorf("%s: maximumBytesBilled %d, error %v; want the cap %d and bytesBilledLimitExceeded", sql, j.MaximumBytesBilled, err, limit)
	}
}

// TestBigQueryDryRunKeepsParameters: the background dry run of the
// original carries its query parameters, or it fails and skim never
// learns what the original would have billed.
func TestBigQueryDryRunKeepsParameters(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	const sql = "SELECT user_id, @tag AS tag FROM " + bqEvents + " ORDER BY RAND() LIMIT 1000"
	q := c.Query(sql)
	q.Parameters = []bigquery.QueryParameter{{Name: "tag", Value: "x"}}
	if _, rows := bqRead(t, ctx, q); len(rows) != 1000 {
		t.Errorf("%s: %d rows, want 1000", sql, len(rows))
	}
	if dry := bqWaitDryRun(t, sql); dry.Error != "" || dry.BytesProcessed == 0 {
		t.Errorf("the dry run of the original failed: %q (%d bytes)", dry.Error, dry.BytesProcessed)
	}
}

// TestBigQueryServerInsertColumnList checks the test server: a qualified
// name followed by "(" after INTO is a table with a column list, not a
// function such as SAFE.f().
func TestBigQueryServerInsertColumnList(t *testing.T) {
	bqUpstream(t)
	c := bqClient(t, bqEnv.url)
	ctx := bqContext(t)
	if _, err := env.pool.Exec(ctx, `DROP TABLE IF EXISTS analytics.scratch;
		CREATE TABLE analytics.scratch (user_id bigint, page text)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = env.pool.Exec(ctx, `DROP TABLE IF EXISTS analytics.scratch`) })
	const sql = "INSERT INTO `test-project.analytics.scratch` (user_id, page) VALUES (1, 'a')"
	if _, err := c.Query(sql).Read(ctx); err != nil {
		t.Errorf("%s: %v; the test server ran %s", sql, err, strings.TrimSpace(bqJob(t, "VALUES").Executed))
	}
}
