package e2e

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trinodb/trino-go-client/trino"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/test/trinoserver"
)

// policyEnv is what the policy tests add to the demo, made on first use:
// schema policy in PostgreSQL with
//
//   - accounts, a users dimension keyed like the events, on user_id: one
//     row per demo user (web.users' ids are the events' user_id range),
//     so every event has its account;
//   - copies, a table for INSERT ... SELECT to write to;
//
// and a catalog describing the demo and those tables.
var policyEnv struct {
	once    sync.Once
	err     error
	catalog *catalog.Static
}

// policyCatalog creates the policy tables once and returns the catalog
// that knows them.
func policyCatalog(t *testing.T) *catalog.Static {
	t.Helper()
	if env.skip != "" {
		t.Skipf("skipping: %s", env.skip)
	}
	policyEnv.once.Do(func() { policyEnv.err = createPolicyTables() })
	if policyEnv.err != nil {
		t.Fatal(policyEnv.err)
	}
	return policyEnv.catalog
}

func createPolicyTables() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, sql := range []string{
		`DROP SCHEMA IF EXISTS policy CASCADE`,
		`CREATE SCHEMA policy`,
		`CREATE TABLE policy.accounts (user_id bigint PRIMARY KEY, plan text, country text)`,
		`INSERT INTO policy.accounts SELECT id, plan, country FROM web.users`,
		`CREATE TABLE policy.copies (user_id bigint, page text)`,
		`ANALYZE policy.accounts`,
	} {
		if _, err := env.pool.Exec(ctx, sql); err != nil {
			return fmt.Errorf("create the policy tables: %s: %w", sql, err)
		}
	}
	yaml, err := trinoserver.DemoCatalog(ctx, env.pool, "demo")
	if err != nil {
		return fmt.Errorf("describe the policy tables: %w", err)
	}
	if policyEnv.catalog, err = catalog.ParseStatic("policy-catalog.yaml", yaml); err != nil {
		return fmt.Errorf("read the policy catalog: %w", err)
	}
	return nil
}

// policyConfig reads a skim configuration holding policies.
func policyConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("config:\n%s\n%v", yaml, err)
	}
	return cfg
}

// startPolicySkim starts a skim Trino frontend with the policies of yaml
// and the catalog that knows the policy tables.
func startPolicySkim(t *testing.T, yaml string) *skim {
	t.Helper()
	return startSkimSetup(t, skimSetup{catalog: policyCatalog(t), config: policyConfig(t, yaml)})
}

// enforceByKey is an enforce policy for everyone that keeps percent of
// the users, by a hash of user_id salted with 42. The demos' tables are
// small (BigQuery's users table is 1.1 MiB), so tables from 1 MiB up are
// sampled.
func enforceByKey(percent int) string {
	return fmt.Sprintf(`policies:
  - name: dev
    mode: enforce
    sample: {min_table_bytes: 1MiB, percent: %d, seed: 42, key: user_id}
`, percent)
}

// openTrinoAs opens trino-go-client against base as user, with source
// and client tags (comma-separated, "" for none), catalog demo and schema
// web.
func openTrinoAs(t *testing.T, base, user, source, tags string) *sql.DB {
	t.Helper()
	cfg := &trino.Config{
		ServerURI: strings.Replace(base, "http://", "http://"+user+"@", 1),
		Source:    source,
		Catalog:   "demo",
		Schema:    "web",
	}
	if tags != "" {
		cfg.ClientTags = strings.Split(tags, ",")
	}
	dsn, err := cfg.FormatDSN()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("trino", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// lastUpstream is the statement that last reached the test server.
func lastUpstream(t *testing.T) trinoserver.Received {
	t.Helper()
	st := env.upstream.Statements()
	if len(st) == 0 {
		t.Fatal("no statement reached the test server")
	}
	return st[len(st)-1]
}

// TestPolicyKeySampleIsReproducible: with a sampling key and a seed, the
// same statement returns the same rows on every run, through one skim or
// another, since the sample is a hash of the key rather than a draw.
func TestPolicyKeySampleIsReproducible(t *testing.T) {
	first, second := startPolicySkim(t, enforceByKey(1)), startPolicySkim(t, enforceByKey(1))
	const query = "SELECT user_id, count(*) AS n FROM events GROUP BY user_id ORDER BY user_id"
	resetUpstream(t)
	_, want := queryRows(t, openTrino(t, first.url, ""), query)
	sent := lastUpstream(t).SQL
	if !strings.Contains(sent, "xxhash64(to_utf8('42:' || CAST(user_id AS varchar)))") {
		t.Fatalf("the test server received %s, want events sampled by a hash of user_id", sent)
	}
	for i, s := range []*skim{second, first} {
		if _, rows := queryRows(t, openTrino(t, s.url, ""), query); !slices.EqualFunc(rows, want, slices.Equal) {
			t.Errorf("run %d returned %d users, the first %d; want the same rows", i+2, len(rows), len(want))
		}
	}
	t.Logf("every run kept the same %d of the demo's 100,000 users", len(want))
	if len(want) < 500 || len(want) > 2000 {
		t.Errorf("a 1%% sample by user kept %d users, want about 1000", len(want))
	}
}

// TestPolicySeedPicksPartitions: with a seed, a partitioned table that
// lacks the key column (the events have no account_id) is sampled by a
// seeded choice of whole partitions, the same ones on every run, through
// one skim or another.
func TestPolicySeedPicksPartitions(t *testing.T) {
	const cfg = `policies:
  - name: dev
    mode: enforce
    sample: {min_table_bytes: 1MiB, percent: 20, seed: 42, key: account_id}
`
	first, second := startPolicySkim(t, cfg), startPolicySkim(t, cfg)
	const query = "SELECT CAST(event_date AS varchar) AS day, count(*) AS n, count(DISTINCT user_id) AS users FROM events GROUP BY event_date ORDER BY event_date"
	resetUpstream(t)
	_, want := queryRows(t, openTrino(t, first.url, ""), query)
	sent := lastUpstream(t).SQL
	if !strings.Contains(sent, "events.event_date") || strings.Contains(sent, "TABLESAMPLE") {
		t.Fatalf("the test server received %s, want a choice of event_date partitions", sent)
	}
	for i, s := range []*skim{second, first} {
		if _, rows := queryRows(t, openTrino(t, s.url, ""), query); !slices.EqualFunc(rows, want, slices.Equal) {
			t.Errorf("run %d returned %v, the first %v; want the same partitions", i+2, rows, want)
		}
	}
	t.Logf("every run read the partitions %v", want)
	// 20% of 10 daily partitions, each read whole.
	if len(want) != 2 || want[0][1] != "100000" || want[1][1] != "100000" {
		t.Errorf("the seeded sample read %v, want 2 whole days of 100000 events", want)
	}
}

// TestPolicyKeySampleKeepsJoins joins the events to the accounts
// dimension, both sampled. Sampled by the key, both keep the same users,
// so every sampled event finds its account; sampled independently
// (TABLESAMPLE SYSTEM on each side), an event finds its account only when
// the account's block happened to be drawn too.
func TestPolicyKeySampleKeepsJoins(t *testing.T) {
	const percent = 5
	byKey := startPolicySkim(t, enforceByKey(percent))
	independent := startPolicySkim(t, fmt.Sprintf(`policies:
  - name: dev
    mode: enforce
    sample: {min_table_bytes: 1MiB, percent: %d}
`, percent))
	// A LEFT JOIN counts the sampled events and those that found their
	// account in one statement, so both counts come from the same sample.
	const query = "SELECT count(*) AS events, count(a.user_id) AS matched FROM events e LEFT JOIN policy.accounts a ON a.user_id = e.user_id"
	checkJoinShares(t, joinShares{
		percent: percent,
		dim:     "account",
		orphans: `SELECT count(*) FROM web.events e
			WHERE NOT EXISTS (SELECT FROM policy.accounts a WHERE a.user_id = e.user_id)`,
		hash: "xxhash64",
		join: func(url string) (events, matched int64, sent string) {
			resetUpstream(t)
			if err := openTrino(t, url, "").QueryRow(query).Scan(&events, &matched); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			if events == 0 {
				t.Fatalf("%s: the sample kept no events", query)
			}
			return events, matched, lastUpstream(t).SQL
		},
		byKey:       byKey.url,
		independent: independent.url,
	})
}

// joinShares is a LEFT JOIN of the events to a dimension keyed by
// user_id, sampled two ways, for checkJoinShares.
type joinShares struct {
	// percent is the share both samples keep; dim names a row of the
	// dimension ("account"); hash is the function sampling by the key.
	percent   int
	dim, hash string
	// orphans counts on PostgreSQL the events without their row of the
	// dimension.
	orphans string
	// join runs the LEFT JOIN through the skim at url and returns the
	// sampled events, those that found their row, and the statement the
	// test server received.
	join func(url string) (events, matched int64, sent string)
	// byKey is a skim sampling both tables by the key; independent one
	// sampling each with TABLESAMPLE SYSTEM.
	byKey, independent string
}

// checkJoinShares runs j's join through both skims. Sampled by the key,
// both tables keep the same users, so nearly every sampled event finds its
// row; sampled independently, an event finds its row only when the row's
// block happened to be drawn too.
func checkJoinShares(t *testing.T, j joinShares) {
	t.Helper()
	// Every event has its row in the full tables.
	var orphans int
	if err := env.pool.QueryRow(context.Background(), j.orphans).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Fatalf("%d events have no %s; the test needs every one to have one", orphans, j.dim)
	}
	keyEvents, keyMatched, keySQL := j.join(j.byKey)
	sysEvents, sysMatched, sysSQL := j.join(j.independent)
	if strings.Count(keySQL, j.hash) != 2 || strings.Count(sysSQL, "TABLESAMPLE SYSTEM") != 2 {
		t.Fatalf("the test server received\n%s\nand\n%s\nwant both tables sampled by the key, then both by SYSTEM", keySQL, sysSQL)
	}
	keyShare := float64(keyMatched) / float64(keyEvents)
	sysShare := float64(sysMatched) / float64(sysEvents)
	t.Logf("%d%% by user_id: %d of %d sampled events found their %s (%.1f%%)", j.percent, keyMatched, keyEvents, j.dim, 100*keyShare)
	t.Logf("%d%% TABLESAMPLE SYSTEM on each side: %d of %d sampled events found their %s (%.1f%%)", j.percent, sysMatched, sysEvents, j.dim, 100*sysShare)
	if keyShare < 0.95 {
		t.Errorf("sampled by the key, %.1f%% of the sampled events kept their %s, want at least 95%%", 100*keyShare, j.dim)
	}
	// About percent% survive two independent samples; half is far
	// beyond any chance of a 5% block sample.
	if sysShare > 0.5 {
		t.Errorf("sampled independently, %.1f%% of the sampled events kept their %s, want far fewer", 100*sysShare, j.dim)
	}
}

// TestPolicySaysApproximate: a dev-sampled answer says so on every page,
// in the SKIM_REWRITE warning and the X-Skim-Rewrite header, and
// trino-go-client hands the warning to its caller.
func TestPolicySaysApproximate(t *testing.T) {
	s := startPolicySkim(t, enforceByKey(1))
	const query = "SELECT country, count(*) AS n FROM events GROUP BY country"
	resetUpstream(t)
	pages := newRawClient(t).run(s.url, query)
	finalPage(t, pages)
	for i, p := range pages {
		var messages []string
		for _, w := range p.Warnings {
			if w.WarningCode.Name == "SKIM_REWRITE" {
				messages = append(messages, w.Message)
			}
		}
		if len(messages) != 1 || !strings.Contains(messages[0], "approximate") || !strings.Contains(messages[0], "policy dev") {
			t.Errorf("page %d: SKIM_REWRITE warnings %q, want one saying the results are approximate under policy dev", i, messages)
		}
		if h := p.header.Get("X-Skim-Rewrite"); h != "dev_sample" {
			t.Errorf("page %d: X-Skim-Rewrite %q, want dev_sample", i, h)
		}
	}
	t.Logf("warning: %s", pages[0].Warnings[0].Message)

	var warnings trino.Warnings
	rows, err := openTrino(t, s.url, "").Query(query, sql.Named("warnings", &warnings))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if all := warnings.All(); len(all) != 1 || all[0].Name != "SKIM_REWRITE" || !strings.Contains(all[0].Message, "approximate") {
		t.Errorf("trino-go-client reported warnings %+v, want the SKIM_REWRITE one", all)
	}
}

// TestPolicyWritesPassThrough: under enforce, INSERT ... SELECT reaches
// the engine as written and copies every row, none sampled away.
func TestPolicyWritesPassThrough(t *testing.T) {
	s := startPolicySkim(t, enforceByKey(1))
	ctx := context.Background()
	if _, err := env.pool.Exec(ctx, `TRUNCATE policy.copies`); err != nil {
		t.Fatal(err)
	}
	const insert = "INSERT INTO policy.copies SELECT user_id, page FROM events WHERE event_date = DATE '2026-11-25' AND country = 'NL'"
	resetUpstream(t)
	pages := newRawClient(t).run(s.url, insert)
	finalPage(t, pages)
	if h := pages[0].header.Get("X-Skim-Rewrite"); h != "" || len(pages[0].Warnings) != 0 {
		t.Errorf("the INSERT came back with X-Skim-Rewrite %q and warnings %+v, want neither", h, pages[0].Warnings)
	}
	if got := lastUpstream(t); got.SQL != insert {
		t.Errorf("the test server received %s, want %s", got.SQL, insert)
	}
	var copied, want int
	err := env.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM policy.copies),
		(SELECT count(*) FROM web.events WHERE event_date = DATE '2026-11-25' AND country = 'NL')`).Scan(&copied, &want)
	if err != nil {
		t.Fatal(err)
	}
	if copied != want || want == 0 {
		t.Errorf("the INSERT copied %d rows, want all %d", copied, want)
	}
}

// TestPolicyBudget: a statement whose estimate is over the policy's
// max_scan_bytes is rejected before it reaches the engine, with a message
// naming the estimate, the cap, the policy and the partition column to
// filter on; one within the cap runs. /* skim:off */ lifts the cap only
// where the policy allows opting out.
func TestPolicyBudget(t *testing.T) {
	budget := func(optOut bool) string {
		return fmt.Sprintf(`policies:
  - name: capped
    mode: rewrite
    budget: {max_scan_bytes: 64MiB}
    opt_out: %t
`, optOut)
	}
	// The events are 279 MiB in the catalog, 28 MiB a day; properties is
	// most of each row.
	const (
		full     = "SELECT * FROM events"
		oneDay   = "SELECT * FROM events WHERE event_date = DATE '2026-11-25' AND user_id <= 100"
		aggFull  = "SELECT count(*) AS n, max(properties) AS p FROM events"
		optedOut = "/* skim:off */ " + aggFull
	)
	for _, tc := range []struct {
		optOut bool
		query  string
		// runs says the statement must run; then first, unless empty,
		// is the first column of its first row.
		runs  bool
		first string
	}{
		{true, full, false, ""},
		{true, oneDay, true, ""},
		{true, aggFull, false, ""},
		{true, optedOut, true, "1000000"}, // every event: the full scan ran
		{false, full, false, ""},
		{false, oneDay, true, ""},
		{false, optedOut, false, ""},
		{false, "/* skim:off */ " + full, false, ""},
	} {
		t.Run(fmt.Sprintf("opt_out=%t/%s", tc.optOut, tc.query), func(t *testing.T) {
			s := startPolicySkim(t, budget(tc.optOut))
			db := openTrino(t, s.url, "")
			resetUpstream(t)
			if tc.runs {
				_, rows := queryRows(t, db, tc.query)
				if len(rows) == 0 || tc.first != "" && rows[0][0] != tc.first {
					t.Errorf("rows %v, want the first column of the first to be %s", rows[:min(len(rows), 1)], tc.first)
				}
				if reached := env.upstream.Statements(); len(reached) != 1 || reached[0].SQL != tc.query || reached[0].Executed == "" {
					t.Errorf("the test server received %+v, want the statement run as written", reached)
				}
				return
			}
			rows, err := db.Query(tc.query)
			if err == nil {
				rows.Close()
				t.Fatal("it ran; want it rejected")
			}
			var failed *trino.ErrTrino
			if !errors.As(err, &failed) || failed.ErrorName != "QUERY_REJECTED" {
				t.Fatalf("error %v (%T), want a Trino QUERY_REJECTED failure", err, err)
			}
			msg := failed.Message
			t.Logf("rejected: %s", msg)
			for _, want := range []string{"skim estimates this statement scans", "above the 64 MiB", "policy capped", "filter demo.web.events on its partition column event_date"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the error does not say %q", want)
				}
			}
			if offered := strings.Contains(msg, "skim:off"); offered != tc.optOut {
				t.Errorf("the error offers /* skim:off */: %t; the policy allows opting out: %t", offered, tc.optOut)
			}
			if reached := env.upstream.Statements(); len(reached) != 0 {
				t.Errorf("a rejected statement reached the test server: %+v", reached)
			}
		})
	}
}

// TestPolicySelection: the first policy whose match fits the sender's
// user, source (X-Trino-Source) and client tags (X-Trino-Client-Tags,
// key=value tags as labels) applies, as trino-go-client sends them.
func TestPolicySelection(t *testing.T) {
	const cfg = `policies:
  - name: ci
    mode: off
    match: {users: ["ci-*"]}
  - name: pipelines
    mode: advise
    match: {sources: ["dbt*"]}
  - name: tagged
    mode: enforce
    match: {client_tags: ["sampled"]}
    sample: {min_table_bytes: 1MiB, percent: 1, seed: 7, key: user_id}
  - name: dev
    mode: enforce
    match: {labels: {env: dev}}
    sample: {min_table_bytes: 1MiB, percent: 1, seed: 42, key: user_id}
  - name: default
    mode: rewrite
`
	l := newTestLedger(t)
	s := startSkimSetup(t, skimSetup{catalog: policyCatalog(t), config: policyConfig(t, cfg), ledger: l.sink})
	// The statement reads the key, so enforce policies sample by its hash.
	const query = "SELECT count(user_id) FROM events"
	cases := []struct {
		user, source, tags string
		policy             string
		// salt is the seed the hash in the statement run is salted
		// with; "" when it runs as written.
		salt string
	}{
		{"ci-build", "jupyter", "sampled", "ci", ""},
		{"notebook", "dbt-nightly", "sampled", "pipelines", ""},
		{"notebook", "jupyter", "team=growth,sampled", "tagged", "'7:'"},
		{"notebook", "jupyter", "env=dev", "dev", "'42:'"},
		{"notebook", "jupyter", "env=prod", "default", ""},
		{"notebook", "jupyter", "", "default", ""},
	}
	// ids[i] is the test server's query ID for cases[i], the QueryID of
	// its ledger record; counts[i] is what it counted.
	ids, counts := make([]string, len(cases)), make([]int64, len(cases))
	for i, tc := range cases {
		resetUpstream(t)
		if err := openTrinoAs(t, s.url, tc.user, tc.source, tc.tags).QueryRow(query).Scan(&counts[i]); err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		sent := lastUpstream(t)
		ids[i] = sent.ID
		switch got, n := sent.SQL, counts[i]; {
		case tc.salt == "" && (got != query || n != 1_000_000):
			t.Errorf("policy %s: the test server received %s and counted %d, want %s run as written", tc.policy, got, n, query)
		case tc.salt != "" && (!strings.Contains(got, tc.salt) || n >= 100_000):
			t.Errorf("policy %s: the test server received %s and counted %d, want a sample salted with %s", tc.policy, got, n, tc.salt)
		}
	}
	// The file sink flushes every second: one wait for all the records.
	recs := l.wait(t, len(cases))
	byID := map[string]ledger.Record{}
	for _, r := range recs {
		byID[r.QueryID] = r
	}
	for i, tc := range cases {
		rec, ok := byID[ids[i]]
		if !ok {
			t.Errorf("user %s, source %s, tags %q: no ledger record of query %s in %+v", tc.user, tc.source, tc.tags, ids[i], recs)
			continue
		}
		t.Logf("user %s, source %s, tags %q: policy %s, %d events", tc.user, tc.source, tc.tags, rec.Policy, counts[i])
		if rec.Policy != tc.policy {
			t.Errorf("user %s, source %s, tags %q: policy %q, want %q", tc.user, tc.source, tc.tags, rec.Policy, tc.policy)
		}
	}
}

// TestTrinoAdvisePolicy: under an advise policy the statement runs as
// written, and every page tells the client what skim would have done and
// saved, in the SKIM_REWRITE warning; the ledger records the advice.
func TestTrinoAdvisePolicy(t *testing.T) {
	resetUpstream(t)
	l := newTestLedger(t)
	s := startSkimSetup(t, skimSetup{config: policyConfig(t, "policies: [{name: pipelines, mode: advise}]\n"), ledger: l.sink})
	const query = "SELECT user_id, page FROM events ORDER BY rand() LIMIT 10"
	pages := newRawClient(t).run(s.url, query)
	if got := lastUpstream(t).SQL; got != query {
		t.Errorf("the test server received %s, want the statement as written", got)
	}
	if n := rowCount(pages); n != 10 {
		t.Errorf("%d rows, want 10", n)
	}
	for i, p := range pages {
		if len(p.Warnings) != 1 || p.Warnings[0].WarningCode.Name != "SKIM_REWRITE" ||
			!strings.HasPrefix(p.Warnings[0].Message, "skim advice: the statement rewritten by rand_limit would read") {
			t.Fatalf("page %d warnings %+v, want one SKIM_REWRITE warning with skim's advice", i, p.Warnings)
		}
		if p.header.Get("X-Skim-Rewrite") != "" {
			t.Errorf("page %d says X-Skim-Rewrite for a statement skim did not rewrite", i)
		}
	}
	if rec := l.wait(t, 1)[0]; rec.Decision != "advise" || rec.Policy != "pipelines" || rec.BytesSaved != 0 || len(rec.Rules) != 1 {
		t.Errorf("ledger record %+v, want an advise record saving nothing", rec)
	}
}
