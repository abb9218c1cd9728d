package ledger

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/skimdata/skim/test/postgres"
)

// pgEnv is the PostgreSQL server the tests share; each test makes its own
// database on it. The outage tests start servers of their own, since they
// stop them.
var pgEnv struct {
	srv *postgres.Server
	// skip is why the tests that need PostgreSQL skip; empty when it runs.
	skip string
	// databases numbers the databases made, so that a test run more than
	// once gets a new one each time.
	databases atomic.Int64
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := postgres.Start(ctx, postgres.Options{}, zap.NewNop())
	switch {
	case errors.Is(err, postgres.ErrNotInstalled) && os.Getenv("CI") == "":
		pgEnv.skip = "the PostgreSQL ledger tests need a PostgreSQL server: " + err.Error()
		return m.Run()
	case err != nil:
		fmt.Fprintf(os.Stderr, "the PostgreSQL ledger tests need PostgreSQL: %v\n", err)
		return 1
	}
	defer srv.Stop()
	pgEnv.srv = srv
	return m.Run()
}

// newDatabase creates an empty database for the test on the shared server
// and returns its URL.
func newDatabase(t testing.TB) string {
	t.Helper()
	if pgEnv.skip != "" {
		t.Skipf("skipping: %s", pgEnv.skip)
	}
	name := fmt.Sprintf("t%d_%s", pgEnv.databases.Add(1), strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "_")))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgEnv.srv.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	return withDatabase(pgEnv.srv.DSN(), name)
}

// withDatabase replaces the database in a URL of test/postgres's form.
func withDatabase(dsn, name string) string {
	return strings.Replace(dsn, "/postgres?", "/"+name+"?", 1)
}

// startServer starts a server of the test's own, for tests that stop it.
func startServer(t *testing.T) *postgres.Server {
	t.Helper()
	if pgEnv.skip != "" {
		t.Skipf("skipping: %s", pgEnv.skip)
	}
	srv, err := postgres.Start(context.Background(), postgres.Options{}, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

// observed returns a logger that both records entries and writes them to
// the test log.
func observed(t *testing.T) (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zap.DebugLevel)
	return zap.New(zapcore.NewTee(core, zaptest.NewLogger(t).Core())), logs
}

// logText is every entry's message and fields, for looking for leaks.
func logText(logs *observer.ObservedLogs) string {
	var b strings.Builder
	for _, e := range logs.All() {
		fmt.Fprintf(&b, "%s %s %v\n", e.Level, e.Message, e.ContextMap())
	}
	return b.String()
}

func open(t *testing.T, dsn string, opts Options, log *zap.Logger) Sink {
	t.Helper()
	if opts.SpoolDir == "" {
		opts.SpoolDir = t.TempDir()
	}
	s, err := Open(context.Background(), dsn, opts, log)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func closeSink(t *testing.T, s Sink) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// fullRecord returns record i with every field set; records are a second
// apart, with nanoseconds, from base.
func fullRecord(base time.Time, i int) Record {
	n := func(v int64) *int64 { return &v }
	return Record{
		ID:                   fmt.Sprintf("rec-%05d", i),
		Time:                 base.Add(time.Duration(i)*time.Second + 123456789),
		Frontend:             "trino",
		Upstream:             "https://trino.example.com:8443",
		User:                 fmt.Sprintf("user%d", i%7),
		Source:               "dbt — nightly",
		ClientTags:           []string{"team=finance", "ünïcode"},
		Labels:               map[string]string{"team": "finance", "job": fmt.Sprint(i)},
		Team:                 "finance",
		QueryID:              fmt.Sprintf("20260101_%05d", i),
		Policy:               "sample-events",
		Mode:                 "enforce",
		Fingerprint:          "fp-0123abcd",
		SQL:                  "SELECT count(*) FROM hive.web.events WHERE day = ?",
		Rewritten:            "SELECT count(*) * 10 FROM hive.web.events TABLESAMPLE BERNOULLI (10) WHERE day = ?",
		Tables:               []string{"hive.web.events", "hive.web.users"},
		FilterColumns:        []string{"hive.web.events.day"},
		Rules:                []string{"sample", "limit"},
		Decision:             "rewrite",
		Reason:               "sampled 10% of hive.web.events",
		Method:               "catalog",
		EstimatedBytesBefore: 1 << 40,
		EstimatedBytesAfter:  1 << 37,
		BytesProcessed:       n(int64(1<<36 + i)),
		BytesBilled:          n(1 << 37),
		BytesSaved:           1<<40 - 1<<37,
		PricePerTiB:          6.25,
		MoneySaved:           5.46875,
		Rows:                 n(int64(i)),
		LatencyMS:            1234.5,
		RewriteMS:            0.75,
		Error:                "Query exceeded 'query_max_run_time' limit",
	}
}

// TestFullRecordSetsEveryField keeps fullRecord complete. TestDecode and
// the PostgreSQL round trips compare what comes back with it, so a field it
// left empty would be one the decoder or the ledger table could lose
// without a test failing.
func TestFullRecordSetsEveryField(t *testing.T) {
	v := reflect.ValueOf(fullRecord(time.Date(2026, 11, 25, 1, 2, 3, 456789000, time.UTC), 7))
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			f = f.Elem()
		}
		if f.IsZero() || (f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.Len() == 0 {
			t.Errorf("fullRecord leaves Record.%s empty; set it, so that the tests compare it", v.Type().Field(i).Name)
		}
	}
}

func readAll(t *testing.T, dsn string, span Span) ([]Record, ReadStats) {
	t.Helper()
	var got []Record
	st, err := Read(context.Background(), dsn, span, func(r Record) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return got, st
}

// storedIDs counts the ledger's rows by id.
func storedIDs(t *testing.T, dsn string) map[string]int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT id, count(*) FROM skim_ledger GROUP BY id")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		ids[id] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// checkStoredOnce checks that exactly want are stored, each once.
func checkStoredOnce(t *testing.T, dsn string, want []string) {
	t.Helper()
	ids := storedIDs(t, dsn)
	for _, id := range want {
		if ids[id] != 1 {
			t.Errorf("record %s stored %d times, want once", id, ids[id])
		}
	}
	if len(ids) != len(want) {
		t.Errorf("%d records stored, want %d", len(ids), len(want))
	}
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func spoolFiles(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "ledger-*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

func TestPostgresRoundTrip(t *testing.T) {
	dsn := newDatabase(t)
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	const n = 1234 // more than two batches
	s := open(t, dsn, Options{}, zaptest.NewLogger(t))
	want := make([]Record, n)
	for i := range want {
		want[i] = fullRecord(base, i)
		s.Write(want[i])
	}
	closeSink(t, s)
	if b := s.Backlog(); b != 0 {
		t.Errorf("Backlog after Close = %d, want 0", b)
	}

	got, st := readAll(t, dsn, Span{})
	if st.Records != n || st.Skipped != 0 || len(got) != n {
		t.Fatalf("read %d records, stats %+v; want %d, none skipped", len(got), st, n)
	}
	for i := range got {
		w := want[i]
		// PostgreSQL keeps microseconds.
		if wt := w.Time.Truncate(time.Microsecond); !got[i].Time.Equal(wt) {
			t.Errorf("record %d time = %s, want %s", i, got[i].Time, wt)
		}
		w.Time = got[i].Time
		if !reflect.DeepEqual(got[i], w) {
			t.Fatalf("record %d read back as\n%+v\nwant\n%+v", i, got[i], w)
		}
	}

	// A span reads its records only, From inclusive and To exclusive, in
	// time order.
	span := Span{From: want[100].Time.Truncate(time.Microsecond), To: want[200].Time.Truncate(time.Microsecond)}
	got, _ = readAll(t, dsn, span)
	if len(got) != 100 || got[0].ID != want[100].ID || got[99].ID != want[199].ID {
		t.Errorf("span read %d records from %v to %v, want 100 from %s to %s", len(got), got[0].ID, got[len(got)-1].ID, want[100].ID, want[199].ID)
	}
	got, _ = readAll(t, dsn, Span{From: want[n-10].Time})
	if len(got) != 10 {
		t.Errorf("open-ended span read %d records, want 10", len(got))
	}
}

func TestPostgresEmptyFieldsAndOddText(t *testing.T) {
	dsn := newDatabase(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := open(t, dsn, Options{}, zaptest.NewLogger(t))
	s.Write(Record{ID: "bare", Time: at, Frontend: "bigquery", Decision: "passthrough"})
	s.Write(Record{ID: "odd", Time: at.Add(time.Second), Decision: "reject", SQL: "select '\x00\xff'", Labels: map[string]string{"k": "v\x00"}})
	closeSink(t, s)

	got, _ := readAll(t, dsn, Span{})
	if len(got) != 2 {
		t.Fatalf("read %d records, want 2", len(got))
	}
	if want := (Record{ID: "bare", Time: at, Frontend: "bigquery", Decision: "passthrough"}); !reflect.DeepEqual(got[0], want) {
		t.Errorf("bare record read back as %+v, want %+v", got[0], want)
	}
	if got[1].SQL != "select '\uFFFD'" || got[1].Labels["k"] != "v" {
		t.Errorf("odd record read back as %+v", got[1])
	}
}

func TestPostgresReadStopsOnCallbackError(t *testing.T) {
	dsn := newDatabase(t)
	s := open(t, dsn, Options{}, zaptest.NewLogger(t))
	for i := range 3000 {
		s.Write(fullRecord(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), i))
	}
	closeSink(t, s)
	stop := errors.New("enough")
	seen := 0
	st, err := Read(context.Background(), dsn, Span{}, func(Record) error {
		if seen++; seen == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || st.Records != 5 {
		t.Errorf("Read = %+v, %v; want the callback's error after 5 records", st, err)
	}
}

func TestPostgresMigrationIsIdempotent(t *testing.T) {
	dsn := newDatabase(t)
	// Several skims starting at once on a new database, then once more.
	var wg sync.WaitGroup
	sinks := make([]Sink, 4)
	errs := make([]error, len(sinks))
	for i := range sinks {
		wg.Go(func() {
			sinks[i], errs[i] = Open(context.Background(), dsn, Options{SpoolDir: t.TempDir()}, zaptest.NewLogger(t))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		sinks[i].Write(Record{ID: fmt.Sprint(i), Time: time.Now(), Decision: "rewrite"})
		closeSink(t, sinks[i])
	}
	s := open(t, dsn, Options{}, zaptest.NewLogger(t))
	s.Write(Record{ID: "last", Time: time.Now(), Decision: "rewrite"})
	closeSink(t, s)

	checkStoredOnce(t, dsn, []string{"0", "1", "2", "3", "last"})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var versions string
	if err := conn.QueryRow(ctx, "SELECT string_agg(version::text, ',' ORDER BY version) FROM skim_ledger_schema").Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprint(len(schemaVersions())); versions != want {
		t.Errorf("schema versions recorded = %s, want %s", versions, want)
	}
}

func TestPostgresOutage(t *testing.T) {
	srv := startServer(t)
	dsn := srv.DSN()
	dir := t.TempDir()
	log, logs := observed(t)
	s := open(t, dsn, Options{SpoolDir: dir}, log)
	defer closeSink(t, s)

	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var ids []string
	write := func(n int) {
		t.Helper()
		var slowest time.Duration
		for range n {
			r := fullRecord(base, len(ids))
			ids = append(ids, r.ID)
			began := time.Now()
			s.Write(r)
			slowest = max(slowest, time.Since(began))
		}
		if slowest > 50*time.Millisecond {
			t.Errorf("the slowest of %d writes took %s; Write must not wait", n, slowest)
		}
	}

	write(200)
	waitFor(t, 10*time.Second, "the first records to be stored", func() bool { return s.Backlog() == 0 })

	if err := srv.Pause(); err != nil {
		t.Fatal(err)
	}
	write(300)
	waitFor(t, 20*time.Second, "records to be spooled", func() bool { return len(spoolFiles(t, dir)) > 0 })
	// Sleep past a few retries, writing all along.
	for range 5 {
		write(100)
		time.Sleep(300 * time.Millisecond)
	}
	if b := s.Backlog(); b == 0 {
		t.Errorf("Backlog = 0 while the database is down")
	}
	if logs.FilterMessageSnippet("spooling records").Len() == 0 {
		t.Errorf("no warning that the sink is spooling; logs:\n%s", logText(logs))
	}

	if err := srv.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the spool to be replayed", func() bool { return s.Backlog() == 0 })
	write(100)
	closeSink(t, s)

	checkStoredOnce(t, dsn, ids)
	if files := spoolFiles(t, dir); len(files) != 0 {
		t.Errorf("spool files left after replay: %v", files)
	}
	replayed := logs.FilterMessage("replayed the ledger spool").All()
	if len(replayed) == 0 {
		t.Fatalf("no info that the spool was replayed; logs:\n%s", logText(logs))
	}
	if n, _ := replayed[0].ContextMap()["records"].(int64); n == 0 {
		t.Errorf("replay logged %v records, want a count", replayed[0].ContextMap())
	}
}

func TestPostgresBufferOverflowSpools(t *testing.T) {
	dsn := newDatabase(t)
	dir := t.TempDir()
	log, logs := observed(t)
	s := open(t, dsn, Options{SpoolDir: dir, Buffer: 10}, log)
	var ids []string
	for i := range 3000 {
		r := Record{ID: fmt.Sprintf("r%05d", i), Time: time.Now(), Decision: "rewrite"}
		ids = append(ids, r.ID)
		s.Write(r)
	}
	waitFor(t, 30*time.Second, "the overflow to be stored", func() bool { return s.Backlog() == 0 })
	closeSink(t, s)
	checkStoredOnce(t, dsn, ids)
	if logs.FilterMessageSnippet("buffer is full").Len() == 0 {
		t.Errorf("no warning that the buffer overflowed; logs:\n%s", logText(logs))
	}
	if files := spoolFiles(t, dir); len(files) != 0 {
		t.Errorf("spool files left after replay: %v", files)
	}
}

// TestPostgresSpoolOutlivesSkim closes a sink while the database is down,
// then opens another on the same spool once the database is back, as skim
// does when it restarts.
func TestPostgresSpoolOutlivesSkim(t *testing.T) {
	srv := startServer(t)
	dsn := srv.DSN()
	dir := t.TempDir()
	if err := srv.Pause(); err != nil {
		t.Fatal(err)
	}

	// The database is down at start: Open still succeeds.
	log, logs := observed(t)
	s := open(t, dsn, Options{SpoolDir: dir}, log)
	var ids []string
	for i := range 700 {
		r := fullRecord(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), i)
		ids = append(ids, r.ID)
		s.Write(r)
	}
	closeSink(t, s)
	// A record written after Close is spooled too.
	s.Write(Record{ID: "late", Time: time.Now(), Decision: "rewrite"})
	ids = append(ids, "late")
	if b := s.Backlog(); b != len(ids) {
		t.Errorf("Backlog after Close = %d, want the %d spooled records", b, len(ids))
	}
	if len(spoolFiles(t, dir)) == 0 {
		t.Fatalf("no spool file after Close with the database down")
	}
	if logs.FilterMessageSnippet("left in the spool").Len() == 0 {
		t.Errorf("Close did not say records were left in the spool; logs:\n%s", logText(logs))
	}

	if err := srv.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	log, logs = observed(t)
	s = open(t, dsn, Options{SpoolDir: dir}, log)
	waitFor(t, 30*time.Second, "the earlier skim's spool to be replayed", func() bool { return s.Backlog() == 0 })
	s.Write(Record{ID: "after", Time: time.Now(), Decision: "rewrite"})
	closeSink(t, s)

	checkStoredOnce(t, dsn, append(ids, "after"))
	if files := spoolFiles(t, dir); len(files) != 0 {
		t.Errorf("spool files left after replay: %v", files)
	}
	if logs.FilterMessage("replayed the ledger spool").Len() == 0 {
		t.Errorf("no info that the spool was replayed; logs:\n%s", logText(logs))
	}
}

// closedPort returns a port on 127.0.0.1 that nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestPostgresPasswordStaysSecret(t *testing.T) {
	const password = "Sup3r-s3cret-pw"
	dsn := newDatabase(t)
	withPassword := strings.Replace(dsn, "://skim@", "://skim:"+password+"@", 1)
	unreachable := fmt.Sprintf("postgres://skim:%s@127.0.0.1:%d/ledger?connect_timeout=2", password, closedPort(t))
	log, logs := observed(t)
	check := func(what, text string) {
		t.Helper()
		if strings.Contains(text, password) {
			t.Errorf("%s shows the password: %s", what, text)
		}
	}

	// Reachable: the test server trusts local connections, so any
	// password is accepted.
	s := open(t, withPassword, Options{}, log)
	s.Write(Record{ID: "a", Time: time.Now(), Decision: "rewrite"})
	closeSink(t, s)
	got, _ := readAll(t, withPassword, Span{})
	if len(got) != 1 {
		t.Errorf("read %d records through a URL with a password, want 1", len(got))
	}

	// Unreachable: Open succeeds, spools, and logs the target.
	s = open(t, unreachable, Options{}, log)
	s.Write(Record{ID: "b", Time: time.Now(), Decision: "rewrite"})
	if err := s.Close(context.Background()); err != nil {
		check("Close's error", err.Error())
	}
	if logs.FilterMessageSnippet("unreachable").Len() == 0 {
		t.Errorf("no warning that the database is unreachable; logs:\n%s", logText(logs))
	}
	if !strings.Contains(logText(logs), "skim:xxxxx@127.0.0.1") {
		t.Errorf("the log does not name the database without its password; logs:\n%s", logText(logs))
	}
	_, err := Read(context.Background(), unreachable, Span{}, func(Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "connect to the ledger database") {
		t.Errorf("Read of an unreachable database = %v, want a connect error", err)
	} else {
		check("Read's error", err.Error())
	}

	// A URL that does not parse is an error that says what to fix.
	for _, bad := range []string{
		"postgres://skim:" + password + "@127.0.0.1:notaport/ledger",
		"postgres://skim:" + password + "@127.0.0.1/ledger?sslmode=sometimes",
	} {
		if _, err := Open(context.Background(), bad, Options{SpoolDir: t.TempDir()}, log); err == nil {
			t.Errorf("Open(%s) succeeded", redactDSN(bad))
		} else {
			check("Open's error", err.Error())
			if !strings.Contains(err.Error(), "does not parse") {
				t.Errorf("Open(%s) = %v, want it to say the URL does not parse", redactDSN(bad), err)
			}
		}
		if _, err := Read(context.Background(), bad, Span{}, func(Record) error { return nil }); err == nil {
			t.Errorf("Read(%s) succeeded", redactDSN(bad))
		} else {
			check("Read's error", err.Error())
		}
	}

	// A database that refuses skim is an error too.
	missing := withDatabase(strings.Replace(pgEnv.srv.DSN(), "://skim@", "://skim:"+password+"@", 1), "no_such_database")
	if _, err := Open(context.Background(), missing, Options{SpoolDir: t.TempDir()}, log); err == nil {
		t.Errorf("Open of a missing database succeeded")
	} else {
		check("Open's error", err.Error())
		if !strings.Contains(err.Error(), "create the database") {
			t.Errorf("Open of a missing database = %v, want it to say to create it", err)
		}
	}

	// A password from the environment is kept out of sight as well.
	t.Setenv("PGPASSWORD", password)
	s = open(t, fmt.Sprintf("postgres://skim@127.0.0.1:%d/ledger?connect_timeout=2", closedPort(t)), Options{}, log)
	s.Write(Record{ID: "c", Time: time.Now(), Decision: "rewrite"})
	closeSink(t, s)

	check("the log", logText(logs))
}

func TestPostgresReadWithoutLedger(t *testing.T) {
	dsn := newDatabase(t)
	_, err := Read(context.Background(), dsn, Span{}, func(Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no skim ledger in this database") || !strings.Contains(err.Error(), "--ledger") {
		t.Errorf("Read of a database without a ledger = %v, want it to say so and name --ledger", err)
	}
}

// TestPostgresWriterWithoutCreateRight writes as a user that may write the
// ledger but not create tables, as a DBA may set it up.
func TestPostgresWriterWithoutCreateRight(t *testing.T) {
	dsn := newDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// Roles belong to the cluster: one per database.
	role := "writer_" + conn.Config().Database
	if _, err := conn.Exec(ctx, "REVOKE CREATE ON SCHEMA public FROM PUBLIC; CREATE ROLE "+role+" LOGIN"); err != nil {
		t.Fatal(err)
	}
	writer := strings.Replace(dsn, "://skim@", "://"+role+"@", 1)

	// Before the tables exist, the writer cannot make them: Open says what
	// to do.
	if _, err := Open(ctx, writer, Options{SpoolDir: t.TempDir()}, zaptest.NewLogger(t)); err == nil || !strings.Contains(err.Error(), "grant the user CREATE") {
		t.Errorf("Open without the right to create the tables = %v, want it to say what to grant", err)
	}

	closeSink(t, open(t, dsn, Options{}, zaptest.NewLogger(t))) // the owner creates them
	if _, err := conn.Exec(ctx, "GRANT SELECT, INSERT ON skim_ledger, skim_ledger_schema TO "+role); err != nil {
		t.Fatal(err)
	}
	s := open(t, writer, Options{}, zaptest.NewLogger(t))
	s.Write(Record{ID: "w", Time: time.Now(), Decision: "rewrite"})
	closeSink(t, s)
	checkStoredOnce(t, dsn, []string{"w"})
}

// TestColumnsCoverRecord fails when Record gains a field that the
// PostgreSQL ledger does not store: add a column in a new schema version,
// and to rowValues and scanRecord.
func TestColumnsCoverRecord(t *testing.T) {
	columns := strings.Split(columnList, ", ")
	fields := reflect.TypeFor[Record]().NumField()
	if len(columns) != fields {
		t.Errorf("the ledger table has %d columns, Record %d fields", len(columns), fields)
	}
	if n := len(rowValues(Record{})); n != len(columns) {
		t.Errorf("rowValues gives %d values for %d columns", n, len(columns))
	}
	var schema strings.Builder
	for _, stmts := range schemaVersions() {
		schema.WriteString(strings.Join(stmts, "\n"))
	}
	for _, c := range columns {
		if !regexp.MustCompile(`(?m)^\s*` + c + ` |ADD COLUMN ` + c + ` `).MatchString(schema.String()) {
			t.Errorf("column %s is not in the schema", c)
		}
	}
}
