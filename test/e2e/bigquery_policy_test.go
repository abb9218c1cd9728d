package e2e

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	"github.com/skimdata/skim/proxy/ledger"
)

// startBQPolicySkim starts skim's BigQuery frontend with the policies of
// yaml.
func startBQPolicySkim(t *testing.T, yaml string) *bqSkim {
	t.Helper()
	return startBQSkimSetup(t, bqSetup{config: policyConfig(t, yaml)})
}

// bqReadAll runs sql through c and returns its rows, after forgetting
// the test server's earlier jobs, so that bqJob finds this one.
func bqReadAll(t *testing.T, c *bigquery.Client, sql string) [][]bigquery.Value {
	t.Helper()
	bqEnv.server.Reset()
	_, rows := bqRead(t, bqContext(t), c.Query(sql))
	return rows
}

// TestBigQueryPolicyKeySampleIsReproducible: with a sampling key and a
// seed, the same statement returns the same rows on every run, through
// one skim or another; on a table that lacks the key column (the events
// have no account_id), the seed picks the same whole partitions.
func TestBigQueryPolicyKeySampleIsReproducible(t *testing.T) {
	for _, tc := range []struct {
		name, policy, query string
		// sampled is in the statement the test server runs.
		sampled string
		check   func(t *testing.T, rows [][]bigquery.Value)
	}{
		{
			name:    "by key",
			policy:  enforceByKey(2),
			query:   "SELECT user_id, COUNT(*) AS n FROM " + bqEvents + " GROUP BY user_id ORDER BY user_id",
			sampled: "FARM_FINGERPRINT(CONCAT('42:', CAST(user_id AS STRING)))",
			check: func(t *testing.T, rows [][]bigquery.Value) {
				t.Logf("every run kept the same %d of the demo's 50,000 users", len(rows))
				if len(rows) < 500 || len(rows) > 2000 {
					t.Errorf("a 2%% sample by user kept %d users, want about 1000", len(rows))
				}
			},
		},
		{
			name: "by partition",
			policy: `policies:
  - name: dev
    mode: enforce
    sample: {min_table_bytes: 1MiB, percent: 20, seed: 42, key: account_id}
`,
			query:   "SELECT DATE(event_ts) AS day, COUNT(*) AS n FROM " + bqEvents + " GROUP BY day ORDER BY day",
			sampled: "events.event_ts >= TIMESTAMP",
			check: func(t *testing.T, rows [][]bigquery.Value) {
				t.Logf("every run read the days %v", rows)
				// 20% of 10 daily partitions, each read whole.
				if len(rows) != 2 || rows[0][1] != int64(20_000) || rows[1][1] != int64(20_000) {
					t.Errorf("the seeded sample read %v, want 2 whole days of 20000 events", rows)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, second := startBQPolicySkim(t, tc.policy), startBQPolicySkim(t, tc.policy)
			c1, c2 := bqClient(t, first.url), bqClient(t, second.url)
			want := bqReadAll(t, c1, tc.query)
			if j := bqJob(t, "GROUP BY"); !strings.Contains(j.SQL, tc.sampled) || j.Labels["skim-rule"] != "dev_sample" {
				t.Fatalf("the test server received %s with labels %v, want a sample with %s labelled skim-rule=dev_sample", j.SQL, j.Labels, tc.sampled)
			}
			for i, c := range []*bigquery.Client{c2, c1} {
				if rows := bqReadAll(t, c, tc.query); !reflect.DeepEqual(rows, want) {
					t.Errorf("run %d returned %d rows, the first %d; want the same rows", i+2, len(rows), len(want))
				}
			}
			tc.check(t, want)
		})
	}
}

// TestBigQueryPolicyKeySampleKeepsJoins joins the events to the users,
// both sampled. Sampled by the key, both keep the same users, so every
// sampled event finds its user; sampled independently (TABLESAMPLE SYSTEM
// on each side), an event finds its user only when the user's block
// happened to be drawn too.
func TestBigQueryPolicyKeySampleKeepsJoins(t *testing.T) {
	const percent = 5
	byKey := startBQPolicySkim(t, enforceByKey(percent))
	independent := startBQPolicySkim(t, fmt.Sprintf(`policies:
  - name: dev
    mode: enforce
    sample: {min_table_bytes: 1MiB, percent: %d}
`, percent))
	// A LEFT JOIN counts the sampled events and those that found their
	// user in one statement, so both counts come from the same sample.
	query := "SELECT COUNT(*) AS events, COUNT(u.user_id) AS matched FROM " + bqEvents + " e LEFT JOIN " + bqUsers + " u ON u.user_id = e.user_id"
	checkJoinShares(t, joinShares{
		percent: percent,
		dim:     "user",
		orphans: `SELECT count(*) FROM analytics.events e
			WHERE NOT EXISTS (SELECT FROM analytics.users u WHERE u.user_id = e.user_id)`,
		hash: "FARM_FINGERPRINT",
		join: func(url string) (events, matched int64, sent string) {
			rows := bqReadAll(t, bqClient(t, url), query)
			if len(rows) != 1 || rows[0][0].(int64) == 0 {
				t.Fatalf("%s: %v, want one row counting a sample", query, rows)
			}
			return rows[0][0].(int64), rows[0][1].(int64), bqJob(t, "LEFT JOIN").SQL
		},
		byKey:       byKey.url,
		independent: independent.url,
	})
}

// noticeTap is an HTTP transport that keeps the X-Skim-Notice header of
// every response: the Go client reads rows, not headers.
type noticeTap struct {
	mu      sync.Mutex
	notices []string
}

func (n *noticeTap) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		if v := resp.Header.Get("X-Skim-Notice"); v != "" {
			n.mu.Lock()
			n.notices = append(n.notices, v)
			n.mu.Unlock()
		}
	}
	return resp, err
}

func (n *noticeTap) all() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.notices...)
}

// TestBigQueryPolicySaysApproximate: a dev-sampled job carries the
// skim-rule label dev_sample, and the answer to the client's request says
// in X-Skim-Notice that the results are approximate, on both of the Go
// client's paths (jobs.query and jobs.insert).
func TestBigQueryPolicySaysApproximate(t *testing.T) {
	s := startBQPolicySkim(t, enforceByKey(1))
	tap := &noticeTap{}
	c := bqClient(t, s.url, option.WithHTTPClient(&http.Client{Transport: tap}))
	ctx := bqContext(t)
	// The statement reads the key, so the key sample applies.
	const query = "SELECT country, COUNT(DISTINCT user_id) AS n FROM " + bqEvents + " GROUP BY country"

	check := func(path string) {
		t.Helper()
		if j := bqJob(t, "GROUP BY country"); j.Labels["skim-rule"] != "dev_sample" || !strings.Contains(j.SQL, "FARM_FINGERPRINT") {
			t.Errorf("%s: the test server received %s with labels %v, want a sample labelled skim-rule=dev_sample", path, j.SQL, j.Labels)
		}
		notices := tap.all()
		if len(notices) != 1 || !strings.Contains(notices[0], "approximate") || !strings.Contains(notices[0], "policy dev") {
			t.Errorf("%s: X-Skim-Notice %q, want one saying the results are approximate under policy dev", path, notices)
		} else {
			t.Logf("%s: X-Skim-Notice: %s", path, notices[0])
		}
	}

	bqEnv.server.Reset()
	if _, rows := bqRead(t, ctx, c.Query(query)); len(rows) == 0 {
		t.Fatalf("%s: no rows", query)
	}
	check("jobs.query")

	bqEnv.server.Reset()
	tap.mu.Lock()
	tap.notices = nil
	tap.mu.Unlock()
	job, err := c.Query(query).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if status, err := job.Wait(ctx); err != nil || status.Err() != nil {
		t.Fatalf("job.Wait: %v %v", err, status)
	}
	check("jobs.insert")
}

// TestBigQueryPolicyWritesPassThrough: under enforce, INSERT ... SELECT
// reaches the engine as written and copies every row, none sampled away.
func TestBigQueryPolicyWritesPassThrough(t *testing.T) {
	s := startBQPolicySkim(t, enforceByKey(1))
	ctx := bqContext(t)
	if _, err := env.pool.Exec(ctx, `DROP TABLE IF EXISTS analytics.policy_copies;
		CREATE TABLE analytics.policy_copies (user_id bigint, page text)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = env.pool.Exec(context.Background(), `DROP TABLE IF EXISTS analytics.policy_copies`) })
	// The test server cannot insert into a backticked table with a column
	// list (see TestBigQueryServerInsertColumnList).
	const insert = "INSERT INTO analytics.policy_copies (user_id, page) SELECT user_id, page FROM analytics.events WHERE country = 'NL'"
	bqReadAll(t, bqClient(t, s.url), insert)
	if j := bqJob(t, "policy_copies"); j.SQL != insert || len(j.Labels) != 0 {
		t.Errorf("the test server received %s with labels %v, want %s untouched", j.SQL, j.Labels, insert)
	}
	var copied, want int
	if err := env.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM analytics.policy_copies),
		(SELECT count(*) FROM analytics.events WHERE country = 'NL')`).Scan(&copied, &want); err != nil {
		t.Fatal(err)
	}
	if copied != want || want == 0 {
		t.Errorf("the INSERT copied %d rows, want all %d", copied, want)
	}
}

// TestBigQueryPolicyBudget: a statement whose estimate is over the
// policy's max_scan_bytes is rejected with BigQuery's
// bytesBilledLimitExceeded before any job reaches the engine, with a
// message naming the estimate, the cap, the policy and the partition
// column; one within the cap runs. /* skim:off */ lifts the cap only where
// the policy allows opting out.
func TestBigQueryPolicyBudget(t *testing.T) {
	// The events are 47 MiB in the catalog, 4.7 MiB a day.
	const (
		full     = "SELECT * FROM " + bqEvents
		oneDay   = "SELECT * FROM " + bqEvents + " WHERE event_ts >= TIMESTAMP '2026-11-25 00:00:00' AND user_id <= 100"
		optedOut = "/* skim:off */ " + full
	)
	for _, tc := range []struct {
		optOut bool
		query  string
		runs   bool
	}{
		{true, full, false},
		{true, oneDay, true},
		{true, optedOut, true},
		{false, full, false},
		{false, oneDay, true},
		{false, optedOut, false},
	} {
		t.Run(fmt.Sprintf("opt_out=%t/%s", tc.optOut, tc.query), func(t *testing.T) {
			s := startBQPolicySkim(t, fmt.Sprintf(`policies:
  - name: capped
    mode: rewrite
    budget: {max_scan_bytes: 16MiB}
    opt_out: %t
`, tc.optOut))
			c := bqClient(t, s.url)
			ctx := bqContext(t)
			// Run and Wait, not Read: the full scan's 200,000 rows
			// need not travel.
			job, err := c.Query(tc.query).Run(ctx)
			if tc.runs {
				if err != nil {
					t.Fatalf("want it to run: %v", err)
				}
				status, err := job.Wait(ctx)
				if err != nil || status.Err() != nil {
					t.Fatalf("job.Wait: %v %v", err, status)
				}
				j := bqJob(t, "SELECT *")
				t.Logf("ran, processing %d bytes", j.BytesProcessed)
				if j.SQL != tc.query || j.State != "DONE" || j.Error != "" {
					t.Errorf("the test server received %s (%s, error %q), want it run as written", j.SQL, j.State, j.Error)
				}
				if tc.query == optedOut && j.BytesProcessed < 40<<20 {
					t.Errorf("the opted-out statement processed %d bytes, want the full scan", j.BytesProcessed)
				}
				return
			}
			gerr := bqAPIError(t, err, http.StatusBadRequest, "bytesBilledLimitExceeded")
			t.Logf("rejected: %s", gerr.Message)
			for _, want := range []string{"skim estimates this statement scans", "above the 16 MiB", "policy capped", "filter test-project.analytics.events on its partition column event_ts"} {
				if !strings.Contains(gerr.Message, want) {
					t.Errorf("the error does not say %q", want)
				}
			}
			if offered := strings.Contains(gerr.Message, "skim:off"); offered != tc.optOut {
				t.Errorf("the error offers /* skim:off */: %t; the policy allows opting out: %t", offered, tc.optOut)
			}
			if jobs := bqEnv.server.Jobs(); len(jobs) != 0 {
				t.Errorf("a rejected statement reached the test server: %+v", jobs)
			}
		})
	}
}

// TestBigQueryPolicySelection: a policy matching job labels applies to
// the jobs that carry them, as the Go client sends Query.Labels; other
// jobs get the next policy that fits.
func TestBigQueryPolicySelection(t *testing.T) {
	const cfg = `policies:
  - name: dev
    mode: enforce
    match: {labels: {env: dev}}
    sample: {min_table_bytes: 1MiB, percent: 1, seed: 42, key: user_id}
  - name: default
    mode: rewrite
`
	l := newTestLedger(t)
	s := startBQSkimSetup(t, bqSetup{config: policyConfig(t, cfg), ledger: l.sink})
	c := bqClient(t, s.url)
	ctx := bqContext(t)
	const query = "SELECT COUNT(*) AS n FROM " + bqEvents + " WHERE user_id > 0"
	cases := []struct {
		labels  map[string]string
		policy  string
		sampled bool
	}{
		{map[string]string{"env": "dev", "team": "growth"}, "dev", true},
		{map[string]string{"env": "prod"}, "default", false},
		{nil, "default", false},
	}
	// jobs[i] is the test server's job ID for cases[i], the QueryID of its
	// ledger record; counts[i] is what it counted.
	jobs, counts := make([]string, len(cases)), make([][][]bigquery.Value, len(cases))
	for i, tc := range cases {
		bqEnv.server.Reset()
		q := c.Query(query)
		q.Labels = tc.labels
		_, rows := bqRead(t, ctx, q)
		j := bqJob(t, "WHERE user_id > 0")
		jobs[i], counts[i] = j.ID, rows
		if sampled := strings.Contains(j.SQL, "FARM_FINGERPRINT") && j.Labels["skim-rule"] == "dev_sample"; sampled != tc.sampled {
			t.Errorf("labels %v: the test server received %s with labels %v; want it sampled: %t", tc.labels, j.SQL, j.Labels, tc.sampled)
		}
		if n := rows[0][0].(int64); (n < 200_000) != tc.sampled {
			t.Errorf("labels %v: counted %d of the 200000 events; want them sampled: %t", tc.labels, n, tc.sampled)
		}
		for k, v := range tc.labels {
			if j.Labels[k] != v {
				t.Errorf("labels %v: the job reached the test server with labels %v", tc.labels, j.Labels)
			}
		}
	}
	// The file sink flushes every second: one wait for all the records.
	recs := l.wait(t, len(cases))
	byJob := map[string]ledger.Record{}
	for _, r := range recs {
		byJob[r.QueryID] = r
	}
	for i, tc := range cases {
		rec, ok := byJob[jobs[i]]
		if !ok {
			t.Errorf("labels %v: no ledger record of job %s in %+v", tc.labels, jobs[i], recs)
			continue
		}
		t.Logf("labels %v: policy %s, %v events", tc.labels, rec.Policy, counts[i])
		if rec.Policy != tc.policy {
			t.Errorf("labels %v: policy %q, want %q", tc.labels, rec.Policy, tc.policy)
		}
	}
}
