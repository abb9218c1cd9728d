package e2e

import (
	"database/sql"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trinodb/trino-go-client/trino"

	ptrino "github.com/skimdata/skim/proxy/trino"
)

// TestRewriteWarning checks that every page of a rewritten query carries
// the SKIM_REWRITE warning and the X-Skim-Rewrite header, that a
// passthrough query carries neither, and that trino-go-client hands the
// warning to its caller.
func TestRewriteWarning(t *testing.T) {
	s := startSkim(t, ptrino.Options{})
	raw := newRawClient(t)
	const rewritten = "SELECT user_id FROM events ORDER BY rand() LIMIT 100"
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{rewritten, true},
		{"SELECT id FROM users ORDER BY id LIMIT 10", false},
	} {
		pages := raw.run(s.url, tc.query)
		finalPage(t, pages)
		for i, p := range pages {
			header := p.header.Get("X-Skim-Rewrite")
			warned := false
			for _, w := range p.Warnings {
				if w.WarningCode.Name == "SKIM_REWRITE" {
					warned = true
					if w.WarningCode.Code != 0x0534_4b00 || !strings.Contains(w.Message, "rand_limit") || !strings.Contains(w.Message, "/* skim:off */") {
						t.Errorf("%s: page %d: warning %+v", tc.query, i, w)
					}
				}
			}
			if warned != tc.want || (header == "rand_limit") != tc.want {
				t.Errorf("%s: page %d: SKIM_REWRITE warning %v, X-Skim-Rewrite %q; want the rewrite shown: %v", tc.query, i, warned, header, tc.want)
			}
		}
	}

	db := openTrino(t, s.url, "")
	var warnings trino.Warnings
	rows, err := db.Query(rewritten, sql.Named("warnings", &warnings))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	all := warnings.All()
	if len(all) != 1 || all[0].Name != "SKIM_REWRITE" {
		t.Errorf("trino-go-client reported warnings %+v, want one SKIM_REWRITE", all)
	}
}

// TestURLsPointAtSkim checks every URL in every page: a client that
// follows them must only ever talk to skim, whatever the query's fate.
func TestURLsPointAtSkim(t *testing.T) {
	plain := startSkim(t, ptrino.Options{MaxStatementBytes: 4096})
	short := startSkimWith(t, scaledCatalog(t, "demo.web.events", 1000), ptrino.Options{GuardPoll: time.Millisecond})
	raw := newRawClient(t)
	for _, tc := range []struct {
		name  string
		skim  *skim
		query string
		state string
	}{
		{"passthrough, three pages", plain, "SELECT * FROM users ORDER BY id LIMIT 2500", "FINISHED"},
		{"guarded", plain, "SELECT user_id FROM events ORDER BY rand() LIMIT 1000", "FINISHED"},
		{"guarded, with fallbacks", short, "SELECT user_id FROM demo.web.events ORDER BY rand() LIMIT 1000", "FINISHED"},
		{"upstream error", plain, "SELECT nope FROM users", "FAILED"},
		{"guarded upstream error", plain, "SELECT user_id / 0 FROM events ORDER BY rand() LIMIT 10", "FAILED"},
		{"skim error", plain, "SELECT '" + strings.Repeat("x", 5000) + "'", "FAILED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resetUpstream(t)
			pages := raw.run(tc.skim.url, tc.query)
			if last := pages[len(pages)-1]; last.Stats.State != tc.state {
				t.Errorf("ended %s, want %s: %s", last.Stats.State, tc.state, last.body)
			}
			for i, p := range pages {
				for key, u := range map[string]string{"infoUri": p.InfoURI, "nextUri": p.NextURI, "partialCancelUri": p.PartialCancelURI} {
					if u != "" && !strings.HasPrefix(u, tc.skim.url+"/") {
						t.Errorf("page %d: %s %s does not point at skim (%s)", i, key, u, tc.skim.url)
					}
				}
				if p.InfoURI == "" {
					t.Errorf("page %d has no infoUri", i)
				}
				if strings.Contains(string(p.body), env.upstreamURL) || strings.Contains(strings.Join(flatten(p.header), " "), env.upstreamURL) {
					t.Errorf("page %d names the upstream %s: %.300s", i, env.upstreamURL, p.body)
				}
			}
		})
	}
}

func flatten(h http.Header) []string {
	var out []string
	for k, vs := range h {
		out = append(out, k+": "+strings.Join(vs, ", "))
	}
	return out
}

// TestStateless starts a query on one skim and finishes it on another:
// where a query lives is in its URLs, not in a skim's memory, so a
// restarted skim or another replica serves the rest.
func TestStateless(t *testing.T) {
	scaled := scaledCatalog(t, "demo.web.events", 1000)
	raw := newRawClient(t)
	for _, tc := range []struct {
		name      string
		short     bool
		query     string
		rows      int
		rewritten bool
	}{
		{"passthrough", false, "SELECT * FROM users ORDER BY id LIMIT 2500", 2500, false},
		{"guarded", false, "SELECT user_id FROM events ORDER BY rand() LIMIT 1000", 1000, true},
		{"guarded, with fallbacks", true, "SELECT user_id FROM demo.web.events ORDER BY rand() LIMIT 1000", 1000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A 1 ms guard poll hands out a new guard URL after every
			// upstream page, so both skims serve guarded pages.
			opts := ptrino.Options{GuardPoll: time.Millisecond}
			var a, b *skim
			if tc.short {
				a, b = startSkimWith(t, scaled, opts), startSkimWith(t, scaled, opts)
			} else {
				a, b = startSkim(t, opts), startSkim(t, opts)
			}
			resetUpstream(t)
			first := raw.post(a.url, tc.query)
			if first.NextURI == "" {
				t.Fatalf("the query ended at once: %s", first.body)
			}
			second := raw.do(http.MethodGet, first.NextURI, "")
			a.srv.Close()
			closedAt := len(env.requests.all())
			moved := 0
			// A's URLs go to B; B's own point at B already.
			rest := raw.follow(second, func(u string) string {
				moved++
				switch {
				case strings.HasPrefix(u, a.url+"/"):
					return b.url + strings.TrimPrefix(u, a.url)
				case !strings.HasPrefix(u, b.url+"/"):
					t.Fatalf("nextUri %s points at neither skim", u)
				}
				return u
			})
			pages := append([]rawPage{first, second}, rest...)
			finalPage(t, pages)
			if n := rowCount(pages); n != tc.rows {
				t.Errorf("%d rows, want %d", n, tc.rows)
			}
			if got := first.header.Get("X-Skim-Rewrite") != ""; got != tc.rewritten {
				t.Errorf("rewritten %v, want %v", got, tc.rewritten)
			}
			if moved == 0 {
				t.Error("no page was served by skim B")
			}
			started := 0 // attempts B started, which only A's guard URLs knew of
			for _, r := range env.requests.all()[closedAt:] {
				if strings.HasPrefix(r.Path, "/v1/statement/queued/") && r.Method == http.MethodGet {
					started++
				}
			}
			if tc.short && started == 0 {
				t.Error("skim B started none of the fallbacks")
			}
			t.Logf("%d pages, %d of them from skim B, which started %d attempts", len(pages), moved, started)
		})
	}
}

// TestAuthorizationAndCookies checks that the client's Authorization and
// Cookie headers reach the upstream unchanged on every request made for
// the client, the pages skim fetches for a guarded query included.
func TestAuthorizationAndCookies(t *testing.T) {
	s := startSkim(t, ptrino.Options{})
	raw := newRawClient(t)
	raw.header.Set("Authorization", "Bearer e2e-token.with/odd+chars==")
	raw.header.Set("Cookie", "session=abc123; trino_ui=x")
	for _, query := range []string{
		"SELECT id FROM users ORDER BY id LIMIT 2500",
		"SELECT user_id FROM events ORDER BY rand() LIMIT 1000",
	} {
		resetUpstream(t)
		finalPage(t, raw.run(s.url, query))
		for _, st := range env.upstream.Statements() {
			if st.Headers.Get("Authorization") != raw.header.Get("Authorization") || st.Headers.Get("Cookie") != raw.header.Get("Cookie") {
				t.Errorf("%s: the upstream received Authorization %q and Cookie %q with %s", query,
					st.Headers.Values("Authorization"), st.Headers.Values("Cookie"), st.SQL)
			}
		}
		// Skim's own DELETEs of unused attempts are not the client's.
		for _, r := range env.requests.all() {
			if r.Method == http.MethodDelete {
				continue
			}
			if !slices.Equal(r.Header.Values("Authorization"), raw.header.Values("Authorization")) || !slices.Equal(r.Header.Values("Cookie"), raw.header.Values("Cookie")) {
				t.Errorf("%s: %s %s reached the upstream with Authorization %q, Cookie %q", query, r.Method, r.Path,
					r.Header.Values("Authorization"), r.Header.Values("Cookie"))
			}
		}
	}
}
