package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"

	pbigquery "github.com/skimdata/skim/proxy/bigquery"
)

// bqNodeResult is what bqnode/client.mjs prints for one query.
type bqNodeResult struct {
	Query string `json:"query"`
	JobID string `json:"jobId"`
	Rows  []struct {
		UserID    int64  `json:"user_id"`
		Page      string `json:"page"`
		Country   string `json:"country"`
		Plan      string `json:"plan"`
		CreatedAt struct {
			Value string `json:"value"`
		} `json:"created_at"`
	} `json:"rows"`
}

// TestBigQueryNodeClient runs the @google-cloud/bigquery npm package,
// without credentials, against skim: a rand-limit query through jobs.query
// must come back rewritten with exactly its rows, a passthrough query
// through jobs.insert with the rows the server sends directly.
func TestBigQueryNodeClient(t *testing.T) {
	needNode(t, "bqnode", "@google-cloud/bigquery")
	s := startBQSkim(t, pbigquery.Options{})
	out := runNode(t, "bqnode", s.url)
	var got struct{ RandLimit, Passthrough bqNodeResult }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("reading the output of client.mjs: %v\n%s", err, out)
	}

	r := got.RandLimit
	if len(r.Rows) != 500 || r.Rows[0].UserID == 0 || r.Rows[0].Page == "" {
		t.Errorf("%s: %d rows, first %+v; want 500 rows of user_id, page", r.Query, len(r.Rows), r.Rows)
	}
	if j := bqJob(t, "LIMIT 500"); j.SQL == r.Query || j.Labels["skim-rule"] != "rand_limit" {
		t.Errorf("the test server received %s with labels %v, want a sample labelled skim-rule=rand_limit", j.SQL, j.Labels)
	}

	p := got.Passthrough
	if j := bqJob(t, "LIMIT 1500"); j.SQL != p.Query || j.ID != p.JobID || len(j.Labels) != 0 {
		t.Errorf("the test server received job %s: %s with labels %v, want job %s: %s untouched", j.ID, j.SQL, j.Labels, p.JobID, p.Query)
	}
	_, want := bqRead(t, bqContext(t), bqClient(t, bqEnv.url).Query(p.Query))
	if len(p.Rows) != 1500 || len(want) != 1500 {
		t.Fatalf("%s: %d rows through skim, %d direct; want 1500", p.Query, len(p.Rows), len(want))
	}
	for i, row := range p.Rows {
		created, err := time.Parse(time.RFC3339Nano, row.CreatedAt.Value)
		w := want[i]
		if err != nil || row.UserID != w[0].(int64) || row.Country != w[1].(string) || !created.Equal(w[2].(time.Time)) || row.Plan != w[3].(string) {
			t.Fatalf("%s: row %d through skim %+v, direct %v", p.Query, i, row, []bigquery.Value(w))
		}
	}
}
