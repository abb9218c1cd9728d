package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/trinodb/trino-go-client/trino"
	"go.uber.org/zap"

	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/test/postgres"
	"github.com/skimdata/skim/test/trinoserver"
)

// TestServe runs skim serve's wiring against the Trino test server, with a
// ledger file and with a PostgreSQL ledger: each statement leaves one
// complete ledger record, /metrics and the dashboard show them, and saving
// the configuration file changes the policies of the statements that
// follow.
func TestServe(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pool, stop, skip, err := postgres.StartPool(ctx, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if skip != "" {
		t.Skipf("skipping: %s", skip)
	}
	defer stop()
	if err := trinoserver.LoadDemo(ctx, pool, trinoserver.DemoOptions{Days: 3, RowsPerDay: 30000}, zap.NewNop()); err != nil {
		t.Fatal(err)
	}
	catYAML, err := trinoserver.DemoCatalog(ctx, pool, "demo")
	if err != nil {
		t.Fatal(err)
	}
	up := httptest.NewServer(trinoserver.New(pool, trinoserver.Options{}, zap.NewNop()))
	defer up.Close()
	t.Run("file", func(t *testing.T) {
		testServe(ctx, t, up.URL, catYAML, func(dir string) string { return filepath.Join(dir, "ledger.jsonl") })
	})
	t.Run("postgres", func(t *testing.T) {
		if _, err := pool.Exec(ctx, "CREATE DATABASE skim_ledger"); err != nil {
			t.Fatal(err)
		}
		cc := pool.Config().ConnConfig
		dsn := fmt.Sprintf("postgres://%s@%s:%d/skim_ledger?sslmode=disable", cc.User, cc.Host, cc.Port)
		testServe(ctx, t, up.URL, catYAML, func(string) string { return dsn })
	})
}

func testServe(ctx context.Context, t *testing.T, upstream string, catYAML []byte, ledgerAt func(dir string) string) {
	dir := t.TempDir()
	target := ledgerAt(dir)
	ledgerSetting := "{file: ledger.jsonl}"
	if ledger.IsPostgres(target) {
		ledgerSetting = "{postgres: \"" + target + "\", spool_dir: spool}"
	}
	if err := os.WriteFile(filepath.Join(dir, "catalog.yaml"), catYAML, 0o644); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "skim.yaml")
	writeConfig := func(mode string) {
		text := "rewrite: {min_table_bytes: 1MiB}\n" +
			"catalog: {file: catalog.yaml}\n" +
			"trino: {listen: \"127.0.0.1:0\", upstream: \"" + upstream + "\", price_per_tib: 5}\n" +
			"admin: {listen: \"127.0.0.1:0\"}\n" +
			"ledger: " + ledgerSetting + "\n" +
			"teams: {explorers: [\"note*\"]}\n" +
			"policies: [{name: notebooks, mode: " + mode + "}]\n"
		if err := os.WriteFile(cfgFile, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeConfig("rewrite")
	cfg, err := config.Load(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	srvCtx, stopServer := context.WithCancel(ctx)
	s, err := startServer(srvCtx, cfg, serveFlags{config: cfgFile}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	go watchConfig(srvCtx, cfgFile, s.pipelines, 50*time.Millisecond, zap.NewNop())
	served := make(chan error, 1)
	go func() { served <- s.wait(srvCtx) }()
	trinoAddr, adminAddr := s.addrs[0], s.addrs[1]

	db, err := sql.Open("trino", "http://notebook@"+trinoAddr+"?catalog=demo&schema=web&source=jupyter")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(query string) int {
		t.Helper()
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const sample = "SELECT user_id, page FROM events ORDER BY rand() LIMIT 100"
	if n := count(sample); n != 100 {
		t.Fatalf("the rewritten statement returned %d rows, want 100", n)
	}
	if n := count("SELECT code FROM ref.countries"); n == 0 {
		t.Fatal("the passthrough statement returned no rows")
	}

	// Saving the file switches the policy to off.
	writeConfig("off")
	deadline := time.Now().Add(10 * time.Second)
	for s.pipelines[0].Config().Policies[0].Mode != config.ModeOff {
		if time.Now().After(deadline) {
			t.Fatal("the saved configuration was not reloaded")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := count(sample); n != 100 {
		t.Fatalf("the passthrough statement returned %d rows, want 100", n)
	}

	// Sinks write in the background (the file every second, PostgreSQL
	// in batches); the dashboard reads what they stored.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		n := 0
		_, _ = ledger.Read(ctx, target, ledger.Span{}, func(ledger.Record) error { n++; return nil })
		if n == 3 {
			break
		}
	}
	metrics := get(t, "http://"+adminAddr+"/metrics")
	for _, want := range []string{
		`skim_statements_total{decision="rewrite",frontend="trino"} 1`,
		`skim_statements_total{decision="passthrough",frontend="trino"} 2`,
		`skim_rule_rewrites_total{frontend="trino",rule="rand_limit"} 1`,
		`skim_rewrite_duration_seconds_count{frontend="trino"} 3`,
		`skim_upstream_request_duration_seconds_count{frontend="trino"}`,
		`skim_ledger_backlog_records 0`,
		`skim_saved_bytes_total{frontend="trino"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if page := get(t, "http://"+adminAddr+"/"); !strings.Contains(page, "rand_limit") {
		t.Errorf("the dashboard does not show the rand_limit rewrite")
	}
	if get(t, "http://"+adminAddr+"/healthz") != "ok\n" {
		t.Error("/healthz is not ok")
	}

	stopServer()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	var recs []ledger.Record
	if _, err := ledger.Read(ctx, target, ledger.Span{}, func(r ledger.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("the ledger holds %d records, want one per statement (3): %+v", len(recs), recs)
	}
	first := recs[0]
	switch {
	case first.Decision != "rewrite" || first.Policy != "notebooks" || first.Team != "explorers" || first.User != "notebook" || first.Source != "jupyter":
		t.Errorf("record of the rewrite: %+v", first)
	case first.QueryID == "" || first.Rows == nil || *first.Rows != 100 || first.BytesProcessed == nil || *first.BytesProcessed <= 0:
		t.Errorf("the rewrite's record lacks what Trino reported: %+v", first)
	case first.BytesSaved <= 0 || first.MoneySaved <= 0 || first.PricePerTiB != 5 || first.Fingerprint == "" || first.Rewritten == "" || first.Rewritten == first.SQL:
		t.Errorf("the rewrite's record lacks its savings: %+v", first)
	}
	if last := recs[2]; last.Decision != "passthrough" || last.Mode != "off" || last.BytesSaved != 0 || last.Rows == nil || *last.Rows != 100 {
		t.Errorf("record after the reload: %+v", last)
	}
	if recs[0].Fingerprint != recs[2].Fingerprint {
		t.Error("the same statement has two fingerprints")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, b)
	}
	return string(b)
}
