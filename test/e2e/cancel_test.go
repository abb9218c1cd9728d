package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	ptrino "github.com/skimdata/skim/proxy/trino"
	"github.com/skimdata/skim/test/trinoserver"
)

// longQueries are statements that run for minutes unless cancelled, each
// with a %s for a tag that finds it in pg_stat_activity: a plain one, and
// one skim guards (a sample cross-joined with the whole table).
var longQueries = []struct{ name, query string }{
	{"passthrough", "SELECT pg_sleep(60), '%s'"},
	{"guarded", "SELECT a.user_id, '%s' FROM events a CROSS JOIN events b ORDER BY rand() LIMIT 1000"},
}

// newTag returns a tag unique to this test and makes sure no statement
// carrying it outlives the test, even when the test fails.
func newTag(t *testing.T) string {
	t.Helper()
	tag := fmt.Sprintf("e2e-%d", time.Now().UnixNano())
	t.Cleanup(func() {
		_, _ = env.pool.Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE strpos(query, $1) > 0 AND pid <> pg_backend_pid()`, tag)
	})
	return tag
}

// TestCancelStopsPostgres cancels the context of a running query in
// trino-go-client: the PostgreSQL statement must be gone within 2 s, for a
// plain query and for a guarded one, whose pages skim fetches itself.
func TestCancelStopsPostgres(t *testing.T) {
	s := startSkim(t, ptrino.Options{})
	db := openTrino(t, s.url, "")
	for _, tc := range longQueries {
		t.Run(tc.name, func(t *testing.T) {
			resetUpstream(t)
			tag := newTag(t)
			query := fmt.Sprintf(tc.query, tag)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				rows, err := db.QueryContext(ctx, query)
				if err == nil {
					for rows.Next() {
					}
					err = rows.Err()
					rows.Close()
				}
				done <- err
			}()
			waitForPostgres(t, tag, true, 10*time.Second)
			if st := env.upstream.Statements(); tc.name == "guarded" && st[0].SQL == query {
				t.Errorf("the guarded query was not rewritten")
			}
			cancel()
			took := waitForPostgres(t, tag, false, 2*time.Second)
			t.Logf("the PostgreSQL statement was gone %s after the cancel", took.Round(time.Millisecond))
			select {
			case err := <-done:
				if err == nil {
					t.Error("the cancelled query returned no error")
				}
			case <-time.After(5 * time.Second):
				t.Error("the client did not return 5 s after the cancel")
			}
		})
	}
}

// TestClientDisconnectCancels closes the connection of a raw client while
// its GET of nextUri waits in skim: skim must cancel the upstream query
// within a second rather than leave it running.
func TestClientDisconnectCancels(t *testing.T) {
	// A long poll keeps the guarded page waiting on skim's side.
	s := startSkim(t, ptrino.Options{GuardPoll: 10 * time.Second})
	raw := newRawClient(t)
	for _, tc := range longQueries {
		t.Run(tc.name, func(t *testing.T) {
			resetUpstream(t)
			tag := newTag(t)
			next := raw.post(s.url, fmt.Sprintf(tc.query, tag)).NextURI
			if tc.name == "passthrough" {
				// The queued page starts the query; the executing page
				// after it waits up to a second for rows.
				next = raw.do(http.MethodGet, next, "").NextURI
				waitForPostgres(t, tag, true, 10*time.Second)
			}
			conn := sendGet(t, next, raw.header)
			if tc.name == "guarded" {
				// Skim starts the sample itself, serving this GET.
				waitForPostgres(t, tag, true, 10*time.Second)
			}
			time.Sleep(100 * time.Millisecond)
			conn.Close()
			took := waitForPostgres(t, tag, false, time.Second)
			t.Logf("the PostgreSQL statement was gone %s after the client left", took.Round(time.Millisecond))
			cancelled := false
			for _, r := range env.requests.all() {
				cancelled = cancelled || r.Method == http.MethodDelete
			}
			if !cancelled {
				t.Error("skim sent the upstream no DELETE")
			}
		})
	}
}

// sendGet sends a GET on a connection of its own and leaves the answer
// unread, so the caller can hang up while the request is being served.
func sendGet(t *testing.T, rawURL string, header http.Header) net.Conn {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestUpstreamCancelDuringJIT checks the test server: PostgreSQL ignores a
// cancel request that arrives while it JIT-compiles a statement (the first
// ~100 ms of a costly one), so the server turns JIT off for its queries,
// even on connections that have it on.
func TestUpstreamCancelDuringJIT(t *testing.T) {
	resetUpstream(t)
	cfg, err := pgxpool.ParseConfig(env.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["jit"] = "on"
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	srv := httptest.NewServer(trinoserver.New(pool, trinoserver.Options{}, zap.NewNop()))
	defer srv.Close()
	raw := newRawClient(t)
	tag := newTag(t)
	// The guarded query of longQueries as skim rewrites it: the cross join
	// costs enough for PostgreSQL to JIT-compile it.
	first := raw.post(srv.URL, fmt.Sprintf("SELECT a.user_id, '%s' FROM events a CROSS JOIN events b "+
		"WHERE a.event_date IN (DATE '2026-11-24') ORDER BY rand() LIMIT 1000", tag))
	next := raw.do(http.MethodGet, first.NextURI, "").NextURI
	waitForPostgres(t, tag, true, 10*time.Second)
	if p := raw.do(http.MethodDelete, next, ""); p.status != http.StatusNoContent {
		t.Fatalf("DELETE %s: status %d", next, p.status)
	}
	// A statement still running 2 s after the DELETE means the test
	// server's only cancel request reached PostgreSQL during JIT
	// compilation and was ignored.
	took := waitForPostgres(t, tag, false, 2*time.Second)
	t.Logf("the PostgreSQL statement was gone %s after DELETE %s", took.Round(time.Millisecond), strings.TrimPrefix(next, srv.URL))
}
