package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	pbigquery "github.com/skimdata/skim/proxy/bigquery"
)

// The demo's tables as clients name them.
const (
	bqEvents = "`test-project.analytics.events`"
	bqUsers  = "`test-project.analytics.users`"
)

// TestBigQueryRandLimit runs ORDER BY RAND() LIMIT through the Go client's
// jobs.query path: exactly the rows asked for come back, the test server
// receives a labelled sample, and it processes far fewer bytes than the
// same query with skim turned off.
func TestBigQueryRandLimit(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	const sql = "SELECT user_id, page FROM " + bqEvents + " ORDER BY RAND() LIMIT 1000"
	schema, rows := bqRead(t, ctx, c.Query(sql))
	if len(rows) != 1000 || len(schema) != 2 || schema[0].Name != "user_id" || schema[0].Type != bigquery.IntegerFieldType {
		t.Fatalf("%s: %d rows, schema %+v; want 1000 rows of user_id INTEGER, page", sql, len(rows), schema)
	}
	job := bqJob(t, "ORDER BY RAND() LIMIT 1000")
	if job.SQL == sql || !strings.Contains(job.SQL, "TABLESAMPLE SYSTEM") && !strings.Contains(job.SQL, "event_ts") {
		t.Errorf("the test server received %s, want a sample of %s", job.SQL, sql)
	}
	if job.Labels["skim-rule"] != "rand_limit" {
		t.Errorf("labels %v, want skim-rule=rand_limit", job.Labels)
	}

	off := "/* skim:off */ " + sql
	if _, rows := bqRead(t, ctx, c.Query(off)); len(rows) != 1000 {
		t.Fatalf("%s: %d rows, want 1000", off, len(rows))
	}
	offJob := bqJob(t, "skim:off")
	if offJob.SQL != off || len(offJob.Labels) != 0 {
		t.Errorf("skim:off: the test server received %s with labels %v, want it untouched", offJob.SQL, offJob.Labels)
	}
	t.Logf("rand_limit: %d bytes processed with skim (%s), %d with skim:off", job.BytesProcessed, job.SQL, offJob.BytesProcessed)
	if job.BytesProcessed <= 0 || job.BytesProcessed*4 > offJob.BytesProcessed {
		t.Errorf("the sample processed %d bytes, the full query %d: want at most a quarter", job.BytesProcessed, offJob.BytesProcessed)
	}
}

// TestBigQueryLimitScan: LIMIT without ORDER BY bills the full scan in
// BigQuery, so skim samples it.
func TestBigQueryLimitScan(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	const sql = "SELECT * FROM " + bqEvents + " LIMIT 100"
	schema, rows := bqRead(t, ctx, c.Query(sql))
	if len(rows) != 100 || len(schema) != 6 {
		t.Fatalf("%s: %d rows, %d columns; want 100 rows of 6 columns", sql, len(rows), len(schema))
	}
	job := bqJob(t, "LIMIT 100")
	if job.SQL == sql || job.Labels["skim-rule"] != "limit_scan" {
		t.Errorf("the test server received %s with labels %v, want a sample labelled skim-rule=limit_scan", job.SQL, job.Labels)
	}
	off := "/* skim:off */ " + sql
	bqRead(t, ctx, c.Query(off))
	offJob := bqJob(t, "skim:off")
	t.Logf("limit_scan: %d bytes processed with skim (%s), %d with skim:off", job.BytesProcessed, job.SQL, offJob.BytesProcessed)
	if job.BytesProcessed <= 0 || job.BytesProcessed*4 > offJob.BytesProcessed {
		t.Errorf("the sample processed %d bytes, the full query %d: want at most a quarter", job.BytesProcessed, offJob.BytesProcessed)
	}
}

// TestBigQueryPassthroughRowsIntact compares what a query skim does not
// rewrite returns through skim and straight from the test server: every
// type of the demo, over several pages.
func TestBigQueryPassthroughRowsIntact(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	via, direct := bqClient(t, s.url), bqClient(t, bqEnv.url)
	ctx := bqContext(t)
	for _, sql := range []string{
		"SELECT * FROM " + bqEvents + " WHERE user_id <= 250 ORDER BY event_ts, user_id, page",
		"SELECT * FROM " + bqUsers + " ORDER BY user_id LIMIT 2500",
	} {
		schema, rows := bqRead(t, ctx, via.Query(sql))
		wantSchema, wantRows := bqRead(t, ctx, direct.Query(sql))
		if len(rows) <= 1000 {
			t.Errorf("%s: %d rows; the test wants more than a page of 1000", sql, len(rows))
		}
		if !reflect.DeepEqual(schema, wantSchema) {
			t.Errorf("%s: schema through skim %+v, direct %+v", sql, schema, wantSchema)
		}
		if !reflect.DeepEqual(rows, wantRows) {
			t.Errorf("%s: %d rows through skim differ from the %d direct", sql, len(rows), len(wantRows))
		}
		for _, j := range bqEnv.server.Jobs() {
			if j.SQL != sql || len(j.Labels) != 0 {
				t.Errorf("the test server received %s with labels %v, want %s untouched", j.SQL, j.Labels, sql)
			}
		}
		bqEnv.server.Reset()
	}
}

// TestBigQueryRewriteHeader: a rewritten jobs.query answer carries
// X-Skim-Rewrite with the rules; a passthrough answer does not.
func TestBigQueryRewriteHeader(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	for sql, want := range map[string]string{
		"SELECT user_id FROM " + bqEvents + " ORDER BY RAND() LIMIT 10": "rand_limit",
		"SELECT COUNT(*) AS n FROM " + bqEvents:                         "",
	} {
		body, _ := json.Marshal(map[string]any{"query": sql, "useLegacySql": false})
		resp, err := http.Post(s.url+"/bigquery/v2/projects/test-project/queries", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Skim-Rewrite") != want {
			t.Errorf("%s: status %d, X-Skim-Rewrite %q; want 200 and %q", sql, resp.StatusCode, resp.Header.Get("X-Skim-Rewrite"), want)
		}
	}
}

// TestBigQueryLegacyAndDMLPassThrough: skim rewrites GoogleSQL queries
// only; legacy SQL and DML reach the server as the client sent them.
func TestBigQueryLegacyAndDMLPassThrough(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	if _, err := env.pool.Exec(ctx, `DROP TABLE IF EXISTS analytics.scratch;
		CREATE TABLE analytics.scratch (user_id bigint, page text)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = env.pool.Exec(ctx, `DROP TABLE IF EXISTS analytics.scratch`) })

	legacy := "SELECT user_id FROM [test-project:analytics.events] LIMIT 100"
	q := c.Query(legacy)
	q.UseLegacySQL = true
	if _, rows := bqRead(t, ctx, q); len(rows) != 100 {
		t.Errorf("%s: %d rows, want 100", legacy, len(rows))
	}
	for _, sql := range []string{
		legacy,
		"UPDATE " + bqUsers + " SET plan = 'enterprise' WHERE FALSE",
		// The test server cannot insert into a backticked table with a
		// column list (see TestBigQueryServerInsertColumnList).
		"INSERT INTO analytics.scratch (user_id, page) SELECT user_id, page FROM analytics.events LIMIT 10",
	} {
		if sql != legacy {
			bqRead(t, ctx, c.Query(sql))
		}
		if j := bqJob(t, sql); j.SQL != sql || len(j.Labels) != 0 {
			t.Errorf("the test server received %s with labels %v, want %s untouched", j.SQL, j.Labels, sql)
		}
	}
	var n int
	if err := env.pool.QueryRow(ctx, `SELECT count(*) FROM analytics.scratch`).Scan(&n); err != nil || n != 10 {
		t.Errorf("the INSERT wrote %d rows (%v), want 10", n, err)
	}
}

// bearer adds a fixed Authorization header, as an authenticated client
// would.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// TestBigQueryAuthorizationForwarded: skim holds no credentials; the
// client's reach the server unchanged on every request, the background
// dry run of the original included.
func TestBigQueryAuthorizationForwarded(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	c := bqClient(t, s.url, option.WithHTTPClient(&http.Client{Transport: bearer{"test-token"}}))
	ctx := bqContext(t)
	// More than a page, so that the client follows up with getQueryResults.
	bqRead(t, ctx, c.Query("SELECT * FROM "+bqUsers+" ORDER BY user_id LIMIT 1500"))
	const sql = "SELECT user_id FROM " + bqEvents + " ORDER BY RAND() LIMIT 10"
	job, err := c.Query(sql).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := job.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := job.Status(ctx); err != nil {
		t.Fatal(err)
	}
	dry := bqWaitDryRun(t, sql)

	seen := map[string]int{}
	for _, r := range bqEnv.requests.all() {
		kind := r.Method + " " + r.Path[strings.LastIndex(r.Path, "/projects/test-project/")+len("/projects/test-project/"):]
		if i := strings.IndexByte(kind, '/'); i >= 0 {
			kind = kind[:i]
		}
		seen[kind]++
		if got := r.Header.Get("Authorization"); got != "Bearer test-token" {
			t.Errorf("%s %s reached the test server with Authorization %q", r.Method, r.Path, got)
		}
	}
	for _, kind := range []string{"POST queries", "GET queries", "POST jobs", "GET jobs"} {
		if seen[kind] == 0 {
			t.Errorf("no %s request reached the test server: %v", kind, seen)
		}
	}
	if dry.Authorization != "Bearer test-token" {
		t.Errorf("the dry run of the original carried Authorization %q", dry.Authorization)
	}
}

// TestBigQueryJobsInsert: Query.Run sends jobs.insert, whose SQL skim
// rewrites too, with its label beside the client's on
// configuration.labels.
func TestBigQueryJobsInsert(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	const sql = "SELECT user_id, page FROM " + bqEvents + " ORDER BY RAND() LIMIT 1000"
	q := c.Query(sql)
	q.Labels = map[string]string{"team": "growth"}
	job, err := q.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if status, err := job.Wait(ctx); err != nil || status.Err() != nil {
		t.Fatalf("job.Wait: %v %v", err, status)
	}
	it, err := job.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rows := bqRows(t, it); len(rows) != 1000 {
		t.Errorf("%s: %d rows, want 1000", sql, len(rows))
	}
	j := bqJob(t, "LIMIT 1000")
	if j.ID != job.ID() || j.SQL == sql || j.Labels["skim-rule"] != "rand_limit" || j.Labels["team"] != "growth" {
		t.Errorf("the test server received job %s: %s with labels %v; want job %s rewritten, labelled skim-rule=rand_limit and team=growth",
			j.ID, j.SQL, j.Labels, job.ID())
	}
}

// TestBigQueryDefaultDataset: an unqualified table resolves against the
// job's default dataset.
func TestBigQueryDefaultDataset(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	const sql = "SELECT user_id FROM events ORDER BY RAND() LIMIT 500"
	q := c.Query(sql)
	q.DefaultDatasetID = "analytics"
	if _, rows := bqRead(t, ctx, q); len(rows) != 500 {
		t.Errorf("%s: %d rows, want 500", sql, len(rows))
	}
	j := bqJob(t, "LIMIT 500")
	if j.SQL == sql || j.Labels["skim-rule"] != "rand_limit" || j.DefaultDataset != "analytics" {
		t.Errorf("the test server received %s with labels %v, dataset %q; want a rewrite in dataset analytics", j.SQL, j.Labels, j.DefaultDataset)
	}
}

// TestBigQueryUpstreamError: the server's refusal of a statement reaches
// the client as its usual error, on both paths.
func TestBigQueryUpstreamError(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	const sql = "SELECT no_such_column FROM " + bqUsers
	_, err := c.Query(sql).Read(ctx)
	bqAPIError(t, err, http.StatusBadRequest, "invalidQuery")
	job, err := c.Query(sql).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = job.Wait(ctx)
	bqAPIError(t, err, http.StatusBadRequest, "invalidQuery")
}

// TestBigQueryRequestTooLarge: skim refuses a body above MaxRequestBytes
// with a 400 the client does not retry, and nothing reaches the server.
func TestBigQueryRequestTooLarge(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{MaxRequestBytes: 4096})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	sql := "SELECT 1 AS x /* " + strings.Repeat("x", 5000) + " */"
	_, err := c.Query(sql).Read(ctx)
	gerr := bqAPIError(t, err, http.StatusBadRequest, "invalid")
	if !strings.Contains(gerr.Message, "larger than") {
		t.Errorf("message %q does not say what is wrong", gerr.Message)
	}
	if got := s.requests.all(); len(got) != 1 {
		t.Errorf("skim received %d requests, want 1 (no retries): %+v", len(got), got)
	}
	if got := bqEnv.requests.all(); len(got) != 0 {
		t.Errorf("%d requests reached the test server, want none", len(got))
	}
}

// TestBigQueryMaximumBytesBilled: skim lowers every job's cap to its own,
// so a full scan fails as BigQuery fails it, while a query within the cap
// runs.
func TestBigQueryMaximumBytesBilled(t *testing.T) {
	const limit = 20 << 20
	s := startBQSkim(t, pbigquery.Options{MaximumBytesBilled: limit})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	full := "SELECT * FROM " + bqEvents + " WHERE user_id = 7"
	q := c.Query(full)
	q.MaxBytesBilled = 1 << 40
	_, err := q.Read(ctx)
	gerr := bqAPIError(t, err, http.StatusBadRequest, "bytesBilledLimitExceeded")
	if !strings.HasPrefix(gerr.Message, fmt.Sprintf("Query exceeded limit for bytes billed: %d.", limit)) {
		t.Errorf("message %q, want BigQuery's with the limit %d", gerr.Message, limit)
	}
	small := "SELECT user_id, plan FROM " + bqUsers + " WHERE user_id = 7"
	if _, rows := bqRead(t, ctx, c.Query(small)); len(rows) != 1 {
		t.Errorf("%s: %d rows, want 1", small, len(rows))
	}
	for _, sql := range []string{full, small} {
		if j := bqJob(t, sql); j.MaximumBytesBilled != limit {
			t.Errorf("%s: maximumBytesBilled %d, want %d", sql, j.MaximumBytesBilled, limit)
		}
	}
}

// TestBigQueryDryRunOfOriginal: skim asks the server what the original of
// a rewrite would have processed.
func TestBigQueryDryRunOfOriginal(t *testing.T) {
	s := startBQSkim(t, pbigquery.Options{})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	const sql = "SELECT user_id, page FROM " + bqEvents + " ORDER BY RAND() LIMIT 200"
	bqRead(t, ctx, c.Query(sql))
	dry := bqWaitDryRun(t, sql)
	run := bqJob(t, "LIMIT 200")
	t.Logf("dry run of the original: %d bytes; the sample processed %d", dry.BytesProcessed, run.BytesProcessed)
	if dry.Error != "" || dry.BytesProcessed <= run.BytesProcessed {
		t.Errorf("dry run of the original: %d bytes, error %q; want more than the %d of the sample", dry.BytesProcessed, dry.Error, run.BytesProcessed)
	}
}
