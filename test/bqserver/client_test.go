package bqserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

// readAll iterates a RowIterator into rows of values.
func readAll(t *testing.T, it *bigquery.RowIterator) [][]bigquery.Value {
	t.Helper()
	var rows [][]bigquery.Value
	for {
		var row []bigquery.Value
		err := it.Next(&row)
		if err == iterator.Done {
			return rows
		}
		if err != nil {
			t.Fatalf("RowIterator.Next: %v", err)
		}
		rows = append(rows, row)
	}
}

// wantAPIError checks that err is a *googleapi.Error with this status and
// reason, and returns it.
func wantAPIError(t *testing.T, err error, code int, reason string) *googleapi.Error {
	t.Helper()
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		t.Fatalf("error %v (%T) is not a *googleapi.Error", err, err)
	}
	if gerr.Code != code || len(gerr.Errors) == 0 || gerr.Errors[0].Reason != reason {
		t.Fatalf("error = %d %+v, want %d with reason %s", gerr.Code, gerr.Errors, code, reason)
	}
	return gerr
}

func queryStats(t *testing.T, status *bigquery.JobStatus) *bigquery.QueryStatistics {
	t.Helper()
	if status == nil || status.Statistics == nil {
		t.Fatalf("job status has no statistics: %+v", status)
	}
	qs, ok := status.Statistics.Details.(*bigquery.QueryStatistics)
	if !ok {
		t.Fatalf("statistics details are %T, want *bigquery.QueryStatistics", status.Statistics.Details)
	}
	return qs
}

// runJob runs q through jobs.insert and waits for it.
func runJob(t *testing.T, ctx context.Context, q *bigquery.Query) (*bigquery.Job, *bigquery.JobStatus) {
	t.Helper()
	job, err := q.Run(ctx)
	if err != nil {
		t.Fatalf("Run %q: %v", q.Q, err)
	}
	status, err := job.Wait(ctx)
	if err != nil {
		t.Fatalf("Wait %q: %v", q.Q, err)
	}
	if err := status.Err(); err != nil {
		t.Fatalf("job %q failed: %v", q.Q, err)
	}
	return job, status
}

func TestQueryReadRowsAndSchema(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)

	const sql = "SELECT event_ts, user_id, event_name, page, country, payload FROM `test-project.analytics.events` " +
		"WHERE user_id <= 200 ORDER BY event_ts, page LIMIT 5"
	it, err := c.Query(sql).Read(ctx)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	got := readAll(t, it)
	wantSchema := map[string]bigquery.FieldType{
		"event_ts": bigquery.TimestampFieldType, "user_id": bigquery.IntegerFieldType, "event_name": bigquery.StringFieldType,
		"page": bigquery.StringFieldType, "country": bigquery.StringFieldType, "payload": bigquery.JSONFieldType,
	}
	if len(it.Schema) != len(wantSchema) {
		t.Fatalf("schema has %d fields, want %d", len(it.Schema), len(wantSchema))
	}
	for _, f := range it.Schema {
		if wantSchema[f.Name] != f.Type {
			t.Errorf("field %s has type %s, want %s", f.Name, f.Type, wantSchema[f.Name])
		}
	}

	// The same rows, straight from PostgreSQL.
	rows, err := testEnv.Pool(t).Query(ctx, `SELECT event_ts, user_id, event_name, page, country, payload::text
		FROM analytics.events WHERE user_id <= 200 ORDER BY event_ts, page LIMIT 5`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next(); i++ {
		var ts time.Time
		var user int64
		var name, page, country, payload string
		if err := rows.Scan(&ts, &user, &name, &page, &country, &payload); err != nil {
			t.Fatal(err)
		}
		if i >= len(got) {
			t.Fatalf("BigQuery returned %d rows, PostgreSQL has more", len(got))
		}
		row := got[i]
		if !row[0].(time.Time).Equal(ts) || row[1] != user || row[2] != name || row[3] != page || row[4] != country {
			t.Errorf("row %d = %v, want %v %d %s %s %s", i, row[:5], ts, user, name, page, country)
		}
		var a, b any
		if err := json.Unmarshal([]byte(row[5].(string)), &a); err != nil {
			t.Fatalf("payload %q is not JSON: %v", row[5], err)
		}
		_ = json.Unmarshal([]byte(payload), &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("row %d payload = %s, want %s", i, row[5], payload)
		}
	}
	if i != len(got) || i != 5 {
		t.Errorf("got %d rows, PostgreSQL has %d, want 5", len(got), i)
	}

	// Into a struct, through the struct loader.
	type event struct {
		EventTS   time.Time `bigquery:"event_ts"`
		UserID    int64     `bigquery:"user_id"`
		EventName string    `bigquery:"event_name"`
		Page      string    `bigquery:"page"`
		Country   string    `bigquery:"country"`
		Payload   string    `bigquery:"payload"`
	}
	it, err = c.Query(sql).Read(ctx)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	var events []event
	for {
		var ev event
		err := it.Next(&ev)
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatalf("Next into a struct: %v", err)
		}
		events = append(events, ev)
	}
	if len(events) != 5 || events[0].UserID != got[0][1] || !events[0].EventTS.Equal(got[0][0].(time.Time)) || events[0].Page != got[0][3] {
		t.Errorf("structs = %+v, want the rows %v", events, got)
	}

	jobs := e.srv.Jobs()
	if len(jobs) != 2 || jobs[0].SQL != sql || jobs[0].State != "DONE" || jobs[0].UseLegacySQL || jobs[0].DryRun {
		t.Fatalf("Jobs() = %+v, want two DONE GoogleSQL jobs of %q", jobs, sql)
	}
	if want := `FROM "analytics"."events" WHERE`; !strings.Contains(jobs[0].Executed, want) {
		t.Errorf("Executed = %q, want the project dropped", jobs[0].Executed)
	}
}

func TestQueryScalarTypes(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)
	it, err := c.Query(`SELECT 1 AS i, 2.5 AS f, 'x' AS s, TRUE AS b, DATE '2026-11-11' AS d,
		TIMESTAMP '2026-11-11 10:00:00.123456' AS ts, DATETIME '2026-11-11 10:00:00' AS dt, TIME '10:11:12.5' AS tm,
		NUMERIC '1.25' AS n, CAST(NULL AS INT64) AS nothing, ARRAY[1, 2, 3] AS arr, b'\x01\x02' AS by,
		JSON '{"a": 1}' AS j, "double \"quoted\"" AS dq, CAST('7' AS INT64) AS seven, COUNT(*) AS cnt`).Read(ctx)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	rows := readAll(t, it)
	if len(rows) != 1 {
		t.Fatalf("got %d rows, want 1", len(rows))
	}
	want := []bigquery.Value{
		int64(1), 2.5, "x", true, civil.Date{Year: 2026, Month: 11, Day: 11},
		time.Date(2026, 11, 11, 10, 0, 0, 123456000, time.UTC),
		civil.DateTime{Date: civil.Date{Year: 2026, Month: 11, Day: 11}, Time: civil.Time{Hour: 10}},
		civil.Time{Hour: 10, Minute: 11, Second: 12, Nanosecond: 500000000},
		big.NewRat(5, 4), nil, []bigquery.Value{int64(1), int64(2), int64(3)}, []byte{1, 2},
		`{"a": 1}`, `double "quoted"`, int64(7), int64(1),
	}
	for i, w := range want {
		g := rows[0][i]
		if r, ok := w.(*big.Rat); ok {
			if gr, ok := g.(*big.Rat); !ok || gr.Cmp(r) != 0 {
				t.Errorf("column %s = %v (%T), want %v", it.Schema[i].Name, g, g, w)
			}
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("column %s = %#v (%T), want %#v", it.Schema[i].Name, g, g, w)
		}
	}
	if f := it.Schema[10]; !f.Repeated || f.Type != bigquery.IntegerFieldType {
		t.Errorf("arr field = %+v, want REPEATED INTEGER", f)
	}
	if f := it.Schema[8]; f.Type != bigquery.NumericFieldType {
		t.Errorf("n field = %+v, want NUMERIC", f)
	}
}

func TestQueryParameters(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)
	q := c.Query("SELECT COUNT(*) AS n FROM analytics.users WHERE plan = @plan AND user_id <= @max_id AND created_at < @before")
	q.Parameters = []bigquery.QueryParameter{
		{Name: "plan", Value: "pro"},
		{Name: "max_id", Value: 5000},
		{Name: "before", Value: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	it, err := q.Read(ctx)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	rows := readAll(t, it)
	var want int64
	if err := testEnv.Pool(t).QueryRow(ctx, `SELECT count(*) FROM analytics.users WHERE plan = 'pro' AND user_id <= 5000`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0][0] != want || want == 0 {
		t.Errorf("rows = %v, want [[%d]]", rows, want)
	}

	// With an outermost LIMIT the statement runs in a cursor, parameters
	// and all.
	q = c.Query("SELECT user_id, plan FROM analytics.users WHERE plan = @plan LIMIT 3")
	q.Parameters = []bigquery.QueryParameter{{Name: "plan", Value: "team"}}
	if it, err = q.Read(ctx); err != nil {
		t.Fatalf("Read: %v", err)
	}
	rows = readAll(t, it)
	if len(rows) != 3 || rows[0][1] != "team" || rows[2][1] != "team" {
		t.Errorf("rows = %v, want 3 team users", rows)
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t, Options{PageRows: 1000})
	c := e.client(t)
	ctx := testContext(t)
	it, err := c.Query("SELECT user_id, event_name, event_ts FROM analytics.events WHERE event_ts >= TIMESTAMP '2026-11-20 00:00:00' LIMIT 5000").Read(ctx)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	rows := readAll(t, it)
	if len(rows) != 5000 || it.TotalRows != 5000 {
		t.Fatalf("got %d rows (TotalRows %d), want 5000", len(rows), it.TotalRows)
	}
	for i, r := range rows {
		if ts := r[2].(time.Time); ts.Before(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("row %d has event_ts %v, before the filter", i, ts)
		}
	}
	// jobs.query brought the first page; getQueryResults the other four.
	if got := e.requestLog("GET /bigquery/v2/projects/test-project/queries/"); len(got) != 4 {
		t.Errorf("getQueryResults requests = %d (%v), want 4", len(got), got)
	}
}

func TestRunWaitRead(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)
	const sql = "SELECT country, COUNT(*) AS n FROM analytics.users GROUP BY country ORDER BY country"
	job, status := runJob(t, ctx, c.Query(sql))
	it, err := job.Read(ctx)
	if err != nil {
		t.Fatalf("job.Read: %v", err)
	}
	rows := readAll(t, it)
	var total int64
	for _, r := range rows {
		total += r[1].(int64)
	}
	if len(rows) != len(demoCountries()) || total != demoUsers {
		t.Errorf("got %d countries totalling %d, want %d totalling %d", len(rows), total, len(demoCountries()), demoUsers)
	}
	qs := queryStats(t, status)
	if qs.StatementType != "SELECT" || qs.TotalBytesProcessed <= 0 || qs.TotalBytesBilled != minBilledPerTable || qs.CacheHit {
		t.Errorf("query statistics = %+v, want a SELECT that processed bytes and billed 10 MiB", qs)
	}
	if len(qs.ReferencedTables) != 1 || qs.ReferencedTables[0].TableID != "users" {
		t.Errorf("referenced tables = %+v, want users", qs.ReferencedTables)
	}
	jobs := e.srv.Jobs()
	if len(jobs) != 1 || jobs[0].ID != job.ID() || jobs[0].SQL != sql || jobs[0].BytesProcessed != qs.TotalBytesProcessed {
		t.Errorf("Jobs() = %+v, want job %s", jobs, job.ID())
	}
	if got := e.requestLog("POST /bigquery/v2/projects/test-project/jobs"); len(got) != 1 {
		t.Errorf("jobs.insert requests = %v, want 1", got)
	}
}

// bytesOf runs sql for real and as a dry run and returns both
// TotalBytesProcessed figures and the real bill.
func bytesOf(t *testing.T, ctx context.Context, c *bigquery.Client, sql string) (real, billed, dry int64) {
	t.Helper()
	q := c.Query(sql)
	_, status := runJob(t, ctx, q)
	qs := queryStats(t, status)
	if status.Statistics.TotalBytesProcessed != qs.TotalBytesProcessed {
		t.Errorf("%s: statistics.totalBytesProcessed %d != statistics.query.totalBytesProcessed %d", sql, status.Statistics.TotalBytesProcessed, qs.TotalBytesProcessed)
	}
	dq := c.Query(sql)
	dq.DryRun = true
	job, err := dq.Run(ctx)
	if err != nil {
		t.Fatalf("dry run %q: %v", sql, err)
	}
	ds := job.LastStatus()
	if ds.State != bigquery.Done {
		t.Errorf("dry run state = %v, want DONE", ds.State)
	}
	return qs.TotalBytesProcessed, qs.TotalBytesBilled, queryStats(t, ds).TotalBytesProcessed
}

func TestBytesSampleAndPruning(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)
	const events = "`test-project.analytics.events`"
	fullReal, fullBilled, fullDry := bytesOf(t, ctx, c, "SELECT * FROM "+events+" ORDER BY RAND() LIMIT 10")
	sampleReal, sampleBilled, sampleDry := bytesOf(t, ctx, c, "SELECT * FROM "+events+" TABLESAMPLE SYSTEM (1 PERCENT) ORDER BY RAND() LIMIT 10")
	dayReal, dayBilled, dayDry := bytesOf(t, ctx, c, "SELECT * FROM "+events+" WHERE events.event_ts >= TIMESTAMP '2026-11-20 00:00:00' AND events.event_ts < TIMESTAMP '2026-11-21 00:00:00' ORDER BY RAND() LIMIT 10")
	limitReal, _, limitDry := bytesOf(t, ctx, c, "SELECT * FROM "+events+" LIMIT 10")
	columnReal, _, columnDry := bytesOf(t, ctx, c, "SELECT user_id FROM "+events+" ORDER BY RAND() LIMIT 10")
	countReal, countBilled, countDry := bytesOf(t, ctx, c, "SELECT COUNT(*) FROM "+events)
	t.Logf("full scan: %d processed (dry run %d), %d billed", fullReal, fullDry, fullBilled)
	t.Logf("1%% sample: %d processed (dry run %d), %d billed", sampleReal, sampleDry, sampleBilled)
	t.Logf("one day:   %d processed (dry run %d), %d billed", dayReal, dayDry, dayBilled)
	t.Logf("LIMIT 10:  %d processed (dry run %d)", limitReal, limitDry)
	t.Logf("user_id:   %d processed (dry run %d)", columnReal, columnDry)
	t.Logf("COUNT(*):  %d processed (dry run %d), %d billed", countReal, countDry, countBilled)

	within := func(name string, got, want int64, tolerance float64) {
		t.Helper()
		if diff := float64(got-want) / float64(want); diff > tolerance || diff < -tolerance {
			t.Errorf("%s = %d, want %d ± %.0f%%", name, got, want, tolerance*100)
		}
	}
	if fullReal < 10*mib {
		t.Fatalf("full scan processed %d bytes; the test demo should be larger than 10 MiB", fullReal)
	}
	within("full scan dry run", fullDry, fullReal, 0.05)
	within("full scan billed", fullBilled, (fullReal+mib-1)/mib*mib, 0)
	if sampleReal <= 0 || sampleReal > fullReal/10 || sampleDry <= 0 || sampleDry > fullDry/10 {
		t.Errorf("1%% sample processed %d (dry run %d), want far fewer than the full scan's %d (%d)", sampleReal, sampleDry, fullReal, fullDry)
	}
	within("one day", dayReal, fullReal/int64(testDemo.Days), 0.2)
	within("one day dry run", dayDry, fullDry/int64(testDemo.Days), 0.2)
	if sampleBilled != minBilledPerTable || dayBilled != minBilledPerTable {
		t.Errorf("sample and one day billed %d and %d, want the 10 MiB minimum", sampleBilled, dayBilled)
	}
	// LIMIT does not reduce the bytes, as in BigQuery.
	within("LIMIT 10 without ORDER BY", limitReal, fullReal, 0.001)
	within("LIMIT 10 dry run", limitDry, fullDry, 0.001)
	// Fewer columns, fewer bytes: 8 bytes a row.
	within("user_id only", columnReal, 8*int64(testDemo.Days*testDemo.RowsPerDay), 0.001)
	within("user_id only dry run", columnDry, columnReal, 0.05)
	if countReal != 0 || countBilled != 0 || countDry != 0 {
		t.Errorf("COUNT(*) processed %d (dry run %d), billed %d; want 0: it references no column", countReal, countDry, countBilled)
	}

	var dry []Job
	for _, j := range e.srv.Jobs() {
		if j.DryRun {
			dry = append(dry, j)
		}
	}
	if len(dry) != 6 || dry[0].BytesProcessed != fullDry || dry[0].BytesBilled != 0 || dry[0].Executed == "" {
		t.Errorf("dry-run jobs = %+v, want 6 with the estimates", dry)
	}
}

// TestBytesDerivedTable: as BigQuery does, the server bills the SELECT *
// of a derived table (skim's dev samples are written so) for the columns
// the query uses, in the derived table and outside it, not for every
// column.
func TestBytesDerivedTable(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)
	const events = "`test-project.analytics.events`"
	plainReal, _, plainDry := bytesOf(t, ctx, c, "SELECT country, COUNT(*) FROM "+events+" WHERE user_id > 10 GROUP BY country")
	derivedReal, _, derivedDry := bytesOf(t, ctx, c, "SELECT country, COUNT(*) FROM (SELECT * FROM "+events+" AS events WHERE user_id > 10) AS events GROUP BY country")
	fullReal, _, _ := bytesOf(t, ctx, c, "SELECT * FROM (SELECT * FROM "+events+" AS events WHERE user_id > 10) AS events")
	t.Logf("country and user_id: %d processed (dry run %d); through a derived table %d (%d); all columns %d", plainReal, plainDry, derivedReal, derivedDry, fullReal)
	if derivedReal != plainReal || derivedDry != plainDry {
		t.Errorf("through a derived table %d processed (dry run %d), want the %d (%d) of the same columns read directly", derivedReal, derivedDry, plainReal, plainDry)
	}
	if plainReal <= 0 || plainReal*4 > fullReal {
		t.Errorf("two columns processed %d, all columns %d: want far fewer", plainReal, fullReal)
	}
}

func TestDryRunNotKept(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)
	q := c.Query("SELECT user_id, plan FROM analytics.users")
	q.DryRun = true
	job, err := q.Run(ctx)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	qs := queryStats(t, job.LastStatus())
	if want := int64(demoUsers) * 8; qs.TotalBytesProcessed < want || qs.TotalBytesBilled != 0 {
		t.Errorf("dry run processed %d, billed %d; want at least %d, billed 0", qs.TotalBytesProcessed, qs.TotalBytesBilled, want)
	}
	if len(qs.Schema) != 2 || qs.Schema[0].Name != "user_id" || qs.Schema[1].Type != bigquery.StringFieldType {
		t.Errorf("dry run schema = %+v", qs.Schema)
	}
	if _, err := c.JobFromID(ctx, job.ID()); err == nil {
		t.Errorf("jobs.get found dry run %s; BigQuery keeps no dry runs", job.ID())
	}
	// A dry run of invalid SQL fails on the spot.
	bad := c.Query("SELECT nope FROM analytics.users")
	bad.DryRun = true
	_, err = bad.Run(ctx)
	wantAPIError(t, err, http.StatusBadRequest, "invalidQuery")
}

func TestErrors(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)

	_, err := c.Query("SELEC 1").Read(ctx)
	wantAPIError(t, err, http.StatusBadRequest, "invalidQuery")
	_, err = c.Query("SELECT nope FROM analytics.users").Read(ctx)
	if gerr := wantAPIError(t, err, http.StatusBadRequest, "invalidQuery"); !strings.Contains(gerr.Message, "nope") {
		t.Errorf("message %q does not name the column", gerr.Message)
	}
	_, err = c.Query("SELECT * FROM analytics.nope").Read(ctx)
	if gerr := wantAPIError(t, err, http.StatusNotFound, "notFound"); !strings.Contains(gerr.Message, "Not found: Table test-project:analytics.nope") {
		t.Errorf("message %q, want BigQuery's", gerr.Message)
	}
	_, err = c.Query("SELECT * FROM nodataset.events").Read(ctx)
	wantAPIError(t, err, http.StatusNotFound, "notFound")

	// Through jobs.insert the job is DONE with an errorResult.
	job, err := c.Query("SELECT nope FROM analytics.users").Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	_, err = job.Wait(ctx)
	wantAPIError(t, err, http.StatusBadRequest, "invalidQuery")
	status, err := job.Status(ctx)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	var bqErr *bigquery.Error
	if status.State != bigquery.Done || !errors.As(status.Err(), &bqErr) || bqErr.Reason != "invalidQuery" || len(status.Errors) != 1 {
		t.Errorf("status = %+v (err %v), want DONE with an invalidQuery errorResult", status, status.Err())
	}

	_, err = c.JobFromID(ctx, "no-such-job")
	wantAPIError(t, err, http.StatusNotFound, "notFound")

	if jobs := e.srv.Jobs(); len(jobs) != 5 || jobs[0].Error == "" || jobs[0].State != "DONE" {
		t.Errorf("Jobs() = %+v, want 5 failed jobs", jobs)
	}
}

func TestMaxBytesBilled(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)

	q := c.Query("SELECT * FROM analytics.events ORDER BY RAND() LIMIT 1")
	q.MaxBytesBilled = minBilledPerTable
	_, err := q.Read(ctx)
	gerr := wantAPIError(t, err, http.StatusBadRequest, "bytesBilledLimitExceeded")
	if !regexp.MustCompile(`^Query exceeded limit for bytes billed: 10485760\. \d+ or higher required\.$`).MatchString(gerr.Message) {
		t.Errorf("message %q, want BigQuery's", gerr.Message)
	}

	// A one-day query bills the 10 MiB minimum, within the limit.
	q = c.Query("SELECT * FROM analytics.events WHERE event_ts >= TIMESTAMP '2026-11-20 00:00:00' AND event_ts < TIMESTAMP '2026-11-21 00:00:00' ORDER BY RAND() LIMIT 1")
	q.MaxBytesBilled = minBilledPerTable
	it, err := q.Read(ctx)
	if err != nil {
		t.Fatalf("one-day query under the limit: %v", err)
	}
	if rows := readAll(t, it); len(rows) != 1 {
		t.Errorf("got %d rows, want 1", len(rows))
	}

	// Through jobs.insert the failure is the job's errorResult.
	q = c.Query("SELECT * FROM analytics.events")
	q.MaxBytesBilled = 1 << 20
	job, err := q.Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	_, err = job.Wait(ctx)
	wantAPIError(t, err, http.StatusBadRequest, "bytesBilledLimitExceeded")

	jobs := e.srv.Jobs()
	if len(jobs) != 3 || jobs[0].MaximumBytesBilled != minBilledPerTable || jobs[2].MaximumBytesBilled != 1<<20 {
		t.Errorf("Jobs() = %+v, want the limits recorded", jobs)
	}
}

func TestDML(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)
	for _, sql := range []string{
		`CREATE SCHEMA IF NOT EXISTS scratch`,
		`DROP TABLE IF EXISTS scratch.items`,
		`CREATE TABLE scratch.items (id bigint, name text)`,
	} {
		if _, err := testEnv.Pool(t).Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		sql                        string
		kind                       string
		affected                   int64
		inserted, updated, deleted int64
	}{
		{"INSERT INTO scratch.items (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')", "INSERT", 3, 3, 0, 0},
		{"UPDATE `test-project.scratch.items` SET name = 'z' WHERE id >= 2", "UPDATE", 2, 0, 2, 0},
		{"DELETE FROM scratch.items WHERE name = 'a'", "DELETE", 1, 0, 0, 1},
	} {
		_, status := runJob(t, ctx, c.Query(tc.sql))
		qs := queryStats(t, status)
		if qs.StatementType != tc.kind || qs.NumDMLAffectedRows != tc.affected || qs.DMLStats == nil ||
			qs.DMLStats.InsertedRowCount != tc.inserted || qs.DMLStats.UpdatedRowCount != tc.updated || qs.DMLStats.DeletedRowCount != tc.deleted {
			t.Errorf("%s: statistics = %+v (DML %+v), want %s of %d rows", tc.sql, qs, qs.DMLStats, tc.kind, tc.affected)
		}
	}
	var names string
	if err := testEnv.Pool(t).QueryRow(ctx, `SELECT string_agg(id || name, ',' ORDER BY id) FROM scratch.items`).Scan(&names); err != nil {
		t.Fatal(err)
	}
	if names != "2z,3z" {
		t.Errorf("table holds %s, want 2z,3z", names)
	}

	// Query.Read of DML gives an empty result.
	it, err := c.Query("INSERT INTO scratch.items (id, name) VALUES (4, 'd')").Read(ctx)
	if err != nil {
		t.Fatalf("Read of an INSERT: %v", err)
	}
	if rows := readAll(t, it); len(rows) != 0 {
		t.Errorf("INSERT returned rows %v", rows)
	}

	// Through jobs.query, the count is in the response too.
	code, body := e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/queries", "application/json",
		`{"query": "UPDATE scratch.items SET name = 'y' WHERE TRUE", "useLegacySql": false}`)
	var resp map[string]any
	if err := json.Unmarshal([]byte(body), &resp); err != nil || code != http.StatusOK {
		t.Fatalf("jobs.query: %d %s", code, body)
	}
	if resp["numDmlAffectedRows"] != "3" || resp["jobComplete"] != true {
		t.Errorf("jobs.query response %s, want numDmlAffectedRows \"3\"", body)
	}
}

// authTransport adds an Authorization header, as an authenticated client
// would.
type authTransport struct{ token string }

func (a authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+a.token)
	return http.DefaultTransport.RoundTrip(r)
}

func TestLabelsAndAuthorization(t *testing.T) {
	e := newEnv(t, Options{})
	ctx := testContext(t)

	q := e.client(t).Query("SELECT plan FROM analytics.users LIMIT 1")
	q.Labels = map[string]string{"team": "data", "source": "skim"}
	if _, err := q.Read(ctx); err != nil {
		t.Fatalf("Read: %v", err)
	}
	authed := e.client(t, option.WithHTTPClient(&http.Client{Transport: authTransport{token: "secret-token"}}))
	if _, err := authed.Query("SELECT 1").Read(ctx); err != nil {
		t.Fatalf("Read: %v", err)
	}
	jobs := e.srv.Jobs()
	if len(jobs) != 2 {
		t.Fatalf("Jobs() = %+v, want 2", jobs)
	}
	if !reflect.DeepEqual(jobs[0].Labels, q.Labels) || jobs[0].Authorization != "" {
		t.Errorf("first job labels %v, authorization %q; want %v and none", jobs[0].Labels, jobs[0].Authorization, q.Labels)
	}
	if jobs[1].Authorization != "Bearer secret-token" {
		t.Errorf("second job authorization = %q, want the client's header", jobs[1].Authorization)
	}
}

func TestTableMetadata(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)

	md, err := c.Dataset("analytics").Table("events").Metadata(ctx)
	if err != nil {
		t.Fatalf("Metadata: %v", err)
	}
	if tp := md.TimePartitioning; tp == nil || tp.Type != bigquery.DayPartitioningType || tp.Field != "event_ts" {
		t.Errorf("TimePartitioning = %+v, want DAY on event_ts", md.TimePartitioning)
	}
	if want := uint64(testDemo.Days * testDemo.RowsPerDay); md.NumRows != want {
		t.Errorf("NumRows = %d, want %d", md.NumRows, want)
	}
	var names []string
	var types []bigquery.FieldType
	for _, f := range md.Schema {
		names = append(names, f.Name)
		types = append(types, f.Type)
	}
	wantNames := []string{"event_ts", "user_id", "event_name", "page", "country", "payload"}
	wantTypes := []bigquery.FieldType{bigquery.TimestampFieldType, bigquery.IntegerFieldType, bigquery.StringFieldType,
		bigquery.StringFieldType, bigquery.StringFieldType, bigquery.JSONFieldType}
	if !reflect.DeepEqual(names, wantNames) || !reflect.DeepEqual(types, wantTypes) {
		t.Errorf("schema = %v %v, want %v %v", names, types, wantNames, wantTypes)
	}
	if md.Type != bigquery.RegularTable || md.FullID != "test-project:analytics.events" || md.Location != "US" {
		t.Errorf("metadata = %+v", md)
	}
	// numBytes is what SELECT * over the whole table processes.
	_, status := runJob(t, ctx, c.Query("SELECT * FROM analytics.events ORDER BY RAND() LIMIT 1"))
	if full := queryStats(t, status).TotalBytesProcessed; md.NumBytes != full {
		t.Errorf("NumBytes = %d, want %d, the bytes of a full scan", md.NumBytes, full)
	}

	users, err := c.Dataset("analytics").Table("users").Metadata(ctx)
	if err != nil {
		t.Fatalf("Metadata: %v", err)
	}
	if users.TimePartitioning != nil || users.NumRows != demoUsers || users.NumBytes <= 0 {
		t.Errorf("users metadata: partitioning %+v, %d rows, %d bytes", users.TimePartitioning, users.NumRows, users.NumBytes)
	}

	_, err = c.Dataset("analytics").Table("nope").Metadata(ctx)
	wantAPIError(t, err, http.StatusNotFound, "notFound")
	_, err = c.Dataset("nope").Table("events").Metadata(ctx)
	if gerr := wantAPIError(t, err, http.StatusNotFound, "notFound"); !strings.Contains(gerr.Message, "Dataset test-project:nope") {
		t.Errorf("message %q does not name the dataset", gerr.Message)
	}
}

func TestTableRead(t *testing.T) {
	e := newEnv(t, Options{PageRows: 1000})
	c := e.client(t)
	ctx := testContext(t)
	it := c.Dataset("analytics").Table("users").Read(ctx)
	seen := map[int64]bool{}
	for len(seen) < 2500 {
		var row []bigquery.Value
		if err := it.Next(&row); err != nil {
			t.Fatalf("Next after %d rows: %v", len(seen), err)
		}
		id := row[0].(int64)
		if seen[id] {
			t.Fatalf("user %d read twice", id)
		}
		seen[id] = true
		if _, ok := row[2].(time.Time); !ok {
			t.Fatalf("created_at = %#v, want a time", row[2])
		}
	}
	if it.TotalRows != demoUsers {
		t.Errorf("TotalRows = %d, want %d", it.TotalRows, demoUsers)
	}
	if got := e.requestLog("/tables/users/data"); len(got) != 3 {
		t.Errorf("tabledata.list requests = %v, want 3", got)
	}
}

func TestJobDelayPolling(t *testing.T) {
	const delay = 1200 * time.Millisecond
	e := newEnv(t, Options{JobDelay: delay})
	c := e.client(t)
	ctx := testContext(t)

	began := time.Now()
	job, err := c.Query("SELECT 1 AS one").Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	states := []bigquery.State{job.LastStatus().State}
	for time.Since(began) < delay+time.Second {
		status, err := job.Status(ctx)
		if err != nil {
			t.Fatalf("Status: %v", err)
		}
		if status.State != states[len(states)-1] {
			states = append(states, status.State)
		}
		if status.Done() {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if want := []bigquery.State{bigquery.Pending, bigquery.Running, bigquery.Done}; !reflect.DeepEqual(states, want) {
		t.Errorf("states = %v, want %v", states, want)
	}
	if took := time.Since(began); took < delay {
		t.Errorf("job done after %s, before the %s delay", took, delay)
	}
	it, err := job.Read(ctx)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if rows := readAll(t, it); len(rows) != 1 || rows[0][0] != int64(1) {
		t.Errorf("rows = %v, want [[1]]", rows)
	}

	// jobs.query with a short timeoutMs answers jobComplete: false, and
	// getQueryResults completes it.
	code, body := e.do(t, http.MethodPost, "/bigquery/v2/projects/test-project/queries", "application/json",
		`{"query": "SELECT 2 AS two", "useLegacySql": false, "timeoutMs": 100}`)
	var resp struct {
		JobComplete  bool `json:"jobComplete"`
		JobReference struct {
			JobID string `json:"jobId"`
		} `json:"jobReference"`
		TotalRows string `json:"totalRows"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil || code != http.StatusOK || resp.JobComplete || resp.JobReference.JobID == "" {
		t.Fatalf("jobs.query: %d %s, want jobComplete false with a jobReference", code, body)
	}
	code, body = e.do(t, http.MethodGet, "/bigquery/v2/projects/test-project/queries/"+resp.JobReference.JobID+"?timeoutMs=5000", "", "")
	if err := json.Unmarshal([]byte(body), &resp); err != nil || code != http.StatusOK || !resp.JobComplete || resp.TotalRows != "1" {
		t.Fatalf("getQueryResults: %d %s, want the complete result", code, body)
	}

	// Query.Read polls getQueryResults when jobs.query answers before the
	// job is done. The Go client sends no timeoutMs; this one adds a short
	// one.
	impatient := e.client(t, option.WithHTTPClient(&http.Client{Transport: shortWait{}}))
	before := len(e.requestLog("GET /bigquery/v2/projects/test-project/queries/"))
	it, err = impatient.Query("SELECT 3 AS three").Read(ctx)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if rows := readAll(t, it); len(rows) != 1 || rows[0][0] != int64(3) {
		t.Errorf("rows = %v, want [[3]]", rows)
	}
	if polls := len(e.requestLog("GET /bigquery/v2/projects/test-project/queries/")) - before; polls < 1 {
		t.Errorf("Query.Read made %d getQueryResults requests, want the client to poll", polls)
	}
}

// shortWait adds "timeoutMs": 100 to jobs.query requests.
type shortWait struct{}

func (shortWait) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/queries") {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		var req map[string]any
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, err
		}
		req["timeoutMs"] = 100
		if body, err = json.Marshal(req); err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestCancel(t *testing.T) {
	e := newEnv(t, Options{JobDelay: 10 * time.Second})
	c := e.client(t)
	ctx := testContext(t)
	job, err := c.Query("SELECT 1").Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	began := time.Now()
	if err := job.Cancel(ctx); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	_, err = job.Wait(ctx)
	wantAPIError(t, err, http.StatusBadRequest, "stopped")
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("cancelled job took %s to stop", took)
	}
	if jobs := e.srv.Jobs(); len(jobs) != 1 || jobs[0].State != "DONE" || jobs[0].Executed != "" {
		t.Errorf("Jobs() = %+v, want one DONE job that never ran", jobs)
	}
}

func TestLegacySQL(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)

	const sql = "SELECT plan, COUNT(*) AS n FROM [test-project:analytics.users] GROUP BY plan ORDER BY plan"
	q := c.Query(sql)
	q.UseLegacySQL = true
	it, err := q.Read(ctx)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if rows := readAll(t, it); len(rows) != 3 || rows[0][0] != "free" {
		t.Errorf("rows = %v, want 3 plans", rows)
	}
	q = c.Query("SELECT page FROM [test-project:analytics.events] WHERE payload CONTAINS 'x' OMIT RECORD IF page = '/'")
	q.UseLegacySQL = true
	_, err = q.Read(ctx)
	if gerr := wantAPIError(t, err, http.StatusBadRequest, "invalidQuery"); !strings.Contains(gerr.Message, "legacy SQL is not supported by this test server") {
		t.Errorf("message %q", gerr.Message)
	}
	jobs := e.srv.Jobs()
	if len(jobs) != 2 || !jobs[0].UseLegacySQL || jobs[0].SQL != sql || !strings.Contains(jobs[0].Executed, `"analytics"."users"`) {
		t.Errorf("Jobs() = %+v, want the legacy job recorded as sent", jobs)
	}
}
