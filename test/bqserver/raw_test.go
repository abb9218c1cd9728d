package bqserver

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// decode parses a raw response body into generic JSON.
func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("response %q is not a JSON object: %v", body, err)
	}
	return m
}

// get walks a path of keys and indexes into decoded JSON.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func TestRawQueryResponse(t *testing.T) {
	e := newEnv(t, Options{})
	// Without the /bigquery/v2 prefix too.
	for _, base := range []string{"/bigquery/v2", ""} {
		code, body := e.do(t, http.MethodPost, base+"/projects/test-project/queries?alt=json&prettyPrint=false", "application/json",
			`{"query": "SELECT user_id, country, CAST(NULL AS STRING) AS nothing, TIMESTAMP '2026-11-11 00:00:00.5' AS ts FROM analytics.users WHERE user_id <= 2 ORDER BY user_id",
			  "useLegacySql": false, "formatOptions": {"useInt64Timestamp": true}, "labels": {"k": "v"}}`)
		if code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", base, code, body)
		}
		r := decode(t, body)
		for _, c := range []struct {
			path []any
			want any
		}{
			{[]any{"kind"}, "bigquery#queryResponse"},
			{[]any{"jobComplete"}, true},
			{[]any{"totalRows"}, "2"},
			{[]any{"cacheHit"}, false},
			{[]any{"jobReference", "location"}, "US"},
			{[]any{"schema", "fields", 0, "name"}, "user_id"},
			{[]any{"schema", "fields", 0, "type"}, "INTEGER"},
			{[]any{"schema", "fields", 0, "mode"}, "NULLABLE"},
			{[]any{"schema", "fields", 3, "type"}, "TIMESTAMP"},
			{[]any{"rows", 0, "f", 0, "v"}, "1"},
			{[]any{"rows", 1, "f", 0, "v"}, "2"},
			{[]any{"rows", 0, "f", 2, "v"}, nil},
			{[]any{"rows", 0, "f", 3, "v"}, "1794355200500000"},
		} {
			if got := get(r, c.path...); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: %v = %#v, want %#v", base, c.path, got, c.want)
			}
		}
		for _, k := range []string{"totalBytesProcessed", "totalBytesBilled"} {
			if _, ok := r[k].(string); !ok {
				t.Errorf("%s: %s = %#v, want an int64 as a string", base, k, r[k])
			}
		}
		if id, _ := get(r, "jobReference", "jobId").(string); id == "" || get(r, "queryId") == nil {
			t.Errorf("%s: no jobReference.jobId or queryId in %s", base, body)
		}
	}
}

func TestRawErrorShape(t *testing.T) {
	e := newEnv(t, Options{})
	code, body := e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/queries", "application/json",
		`{"query": "SELECT FROM WHERE", "useLegacySql": false}`)
	r := decode(t, body)
	if code != http.StatusBadRequest || get(r, "error", "code") != 400.0 || get(r, "error", "status") != "INVALID_ARGUMENT" ||
		get(r, "error", "errors", 0, "reason") != "invalidQuery" || get(r, "error", "errors", 0, "domain") != "global" ||
		get(r, "error", "message") == "" || get(r, "error", "message") != get(r, "error", "errors", 0, "message") {
		t.Errorf("invalid SQL: %d %s", code, body)
	}

	code, body = e.do(t, http.MethodGet, "/bigquery/v2/projects/test-project/jobs/no-such-job", "", "")
	r = decode(t, body)
	if code != http.StatusNotFound || get(r, "error", "status") != "NOT_FOUND" || get(r, "error", "errors", 0, "reason") != "notFound" {
		t.Errorf("unknown job: %d %s", code, body)
	}
	code, body = e.do(t, http.MethodGet, "/bigquery/v2/projects/test-project/queries/no-such-job", "", "")
	if code != http.StatusNotFound {
		t.Errorf("getQueryResults of an unknown job: %d %s", code, body)
	}

	code, body = e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/jobs", "application/json",
		`{"configuration": {"load": {"sourceUris": ["gs://b/o"]}}}`)
	if r = decode(t, body); code != http.StatusBadRequest || get(r, "error", "errors", 0, "reason") != "invalid" {
		t.Errorf("load job: %d %s", code, body)
	}
	code, body = e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/queries", "application/json", `{"query": `)
	if code != http.StatusBadRequest {
		t.Errorf("broken JSON: %d %s", code, body)
	}
}

func TestRawInsertJobAndUpload(t *testing.T) {
	e := newEnv(t, Options{})
	job := `{"jobReference": {"projectId": "test-project", "jobId": "raw-1"},
		"configuration": {"query": {"query": "SELECT 7 AS x", "useLegacySql": false, "maximumBytesBilled": "99999999"},
		                  "labels": {"via": "raw"}}}`
	code, body := e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/jobs", "application/json", job)
	r := decode(t, body)
	if code != http.StatusOK || get(r, "jobReference", "jobId") != "raw-1" || get(r, "configuration", "jobType") != "QUERY" ||
		get(r, "configuration", "query", "maximumBytesBilled") != "99999999" {
		t.Fatalf("jobs.insert: %d %s", code, body)
	}
	if _, ok := get(r, "statistics", "creationTime").(string); !ok {
		t.Errorf("statistics.creationTime is not an int64 string: %s", body)
	}
	code, body = e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/jobs", "application/json", job)
	if r = decode(t, body); code != http.StatusConflict || get(r, "error", "errors", 0, "reason") != "duplicate" {
		t.Errorf("second insert of raw-1: %d %s", code, body)
	}

	// The media upload path with the job as the first part.
	upload := "--b0undary\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n" +
		`{"jobReference": {"jobId": "raw-2"}, "configuration": {"query": {"query": "SELECT 8 AS x", "useLegacySql": false}}}` +
		"\r\n--b0undary\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--b0undary--\r\n"
	code, body = e.do(t, http.MethodPost, "/upload/bigquery/v2/projects/test-project/jobs?uploadType=multipart",
		"multipart/related; boundary=b0undary", upload)
	if r = decode(t, body); code != http.StatusOK || get(r, "jobReference", "jobId") != "raw-2" {
		t.Fatalf("upload: %d %s", code, body)
	}
	for id, want := range map[string]string{"raw-1": "7", "raw-2": "8"} {
		code, body = e.do(t, http.MethodGet, "/bigquery/v2/projects/test-project/queries/"+id, "", "")
		if r = decode(t, body); code != http.StatusOK || get(r, "rows", 0, "f", 0, "v") != want || get(r, "kind") != "bigquery#getQueryResultsResponse" {
			t.Errorf("getQueryResults %s: %d %s", id, code, body)
		}
		code, body = e.do(t, http.MethodGet, "/bigquery/v2/projects/test-project/jobs/"+id, "", "")
		r = decode(t, body)
		if code != http.StatusOK || get(r, "status", "state") != "DONE" || get(r, "statistics", "query", "statementType") != "SELECT" {
			t.Errorf("jobs.get %s: %d %s", id, code, body)
		}
		for _, k := range []string{"totalBytesProcessed", "totalBytesBilled", "estimatedBytesProcessed"} {
			if _, ok := get(r, "statistics", "query", k).(string); !ok {
				t.Errorf("jobs.get %s: statistics.query.%s is not an int64 string: %s", id, k, body)
			}
		}
	}
	jobs := e.srv.Jobs()
	if len(jobs) != 2 || jobs[0].Labels["via"] != "raw" || jobs[0].MaximumBytesBilled != 99999999 {
		t.Errorf("Jobs() = %+v", jobs)
	}
}

func TestRawLegacyTimestampsAndPaging(t *testing.T) {
	e := newEnv(t, Options{PageRows: 2})
	code, body := e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/queries", "application/json",
		`{"query": "SELECT TIMESTAMP '2026-11-11 00:00:00.5' AS ts UNION ALL SELECT TIMESTAMP '2026-11-12 00:00:00' UNION ALL SELECT NULL ORDER BY 1",
		  "useLegacySql": false, "maxResults": 1}`)
	r := decode(t, body)
	if code != http.StatusOK || get(r, "rows", 0, "f", 0, "v") != "1.7943552005E9" || get(r, "pageToken") == nil || get(r, "totalRows") != "3" {
		t.Fatalf("jobs.query: %d %s, want float-second timestamps and one row", code, body)
	}
	id := get(r, "jobReference", "jobId").(string)
	// startIndex pages too; PageRows caps the page.
	code, body = e.do(t, http.MethodGet, "/bigquery/v2/projects/test-project/queries/"+id+"?startIndex=1&maxResults=10&formatOptions.useInt64Timestamp=true", "", "")
	r = decode(t, body)
	if code != http.StatusOK || get(r, "rows", 0, "f", 0, "v") != "1794441600000000" || get(r, "rows", 1, "f", 0, "v") != nil || get(r, "pageToken") != nil {
		t.Errorf("getQueryResults from 1: %d %s", code, body)
	}
	code, body = e.do(t, http.MethodGet, "/bigquery/v2/projects/test-project/queries/"+id+"?pageToken=bogus", "", "")
	if code != http.StatusBadRequest {
		t.Errorf("bogus page token: %d %s", code, body)
	}
	// jobs.query can dry-run too: an estimate and a schema, no rows.
	code, body = e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/queries", "application/json",
		`{"query": "SELECT user_id FROM analytics.users", "useLegacySql": false, "dryRun": true}`)
	if r = decode(t, body); code != http.StatusOK || get(r, "totalBytesProcessed") != "400000" || get(r, "totalBytesBilled") != "0" ||
		get(r, "schema", "fields", 0, "name") != "user_id" || get(r, "rows") != nil {
		t.Errorf("dry run through jobs.query: %d %s", code, body)
	}
	// A retried jobs.query request gets its first job back.
	req := `{"query": "SELECT 1", "useLegacySql": false, "requestId": "req-1"}`
	_, first := e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/queries", "application/json", req)
	_, second := e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/queries", "application/json", req)
	if a, b := get(decode(t, first), "jobReference", "jobId"), get(decode(t, second), "jobReference", "jobId"); a != b || a == nil {
		t.Errorf("retried request made job %v after %v", b, a)
	}
	// Without useLegacySql a query is legacy SQL, as in BigQuery.
	code, body = e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/queries", "application/json",
		"{\"query\": \"SELECT COUNT(*) AS n FROM `test-project.analytics.users`\"}")
	if r = decode(t, body); code != http.StatusBadRequest || !strings.Contains(get(r, "error", "message").(string), "legacy SQL is not supported") {
		t.Errorf("backticks in a query without useLegacySql: %d %s", code, body)
	}
	code, body = e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/queries", "application/json",
		"{\"query\": \"#standardSQL\\nSELECT COUNT(*) AS n FROM `test-project.analytics.users`\"}")
	if r = decode(t, body); code != http.StatusOK || get(r, "rows", 0, "f", 0, "v") != "50000" {
		t.Errorf("#standardSQL query: %d %s", code, body)
	}
}
