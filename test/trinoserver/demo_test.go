package trinoserver

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/skimdata/skim/catalog"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
)

func TestDemoCatalog(t *testing.T) {
	pool := testEnv.Pool(t)
	ctx := context.Background()
	data, err := DemoCatalog(ctx, pool, "demo")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("catalog:\n%s", data)
	// The catalog must load in skim as it is.
	static, err := catalog.ParseStatic("demo.yaml", data)
	if err != nil {
		t.Fatalf("skim rejects the generated catalog: %v", err)
	}

	events, err := static.Table(ctx, "demo.web.events")
	if err != nil {
		t.Fatal(err)
	}
	if events.Rows != int64(testDemo.Days*testDemo.RowsPerDay) || events.Bytes < events.Rows*200 || events.Files < int64(testDemo.Days) {
		t.Errorf("events: %d rows, %d bytes, %d files", events.Rows, events.Bytes, events.Files)
	}
	if events.Partitioning == nil || len(events.Partitioning.Columns) != 1 || events.Partitioning.Columns[0] != "event_date" {
		t.Errorf("events partitioning %+v, want by event_date", events.Partitioning)
	}
	if len(events.Partitions) != testDemo.Days {
		t.Fatalf("events has %d partitions, want %d", len(events.Partitions), testDemo.Days)
	}
	first := events.Partitions[0]
	if first.Values["event_date"] != "2026-11-01" || first.Rows != int64(testDemo.RowsPerDay) || first.Files < 1 || first.Bytes <= 0 {
		t.Errorf("first partition %+v", first)
	}
	types := map[string]string{}
	for _, c := range events.Columns {
		types[c.Name] = c.Type
		if c.Bytes <= 0 {
			t.Errorf("column %s has no bytes", c.Name)
		}
	}
	if types["event_date"] != "date" || types["event_ts"] != "timestamp(6)" || types["user_id"] != "bigint" || types["properties"] != "varchar" {
		t.Errorf("column types %v", types)
	}

	users, err := static.Table(ctx, "demo.web.users")
	if err != nil || users.Rows != demoUsers || users.Partitioning != nil {
		t.Errorf("users: %+v, %v", users, err)
	}
	countries, err := static.Table(ctx, "demo.ref.countries")
	if err != nil || countries.Rows != int64(len(demoCountries())) {
		t.Errorf("countries: %+v, %v", countries, err)
	}
}

func TestLoadDemoIsDeterministic(t *testing.T) {
	pool := testEnv.Pool(t)
	ctx := context.Background()
	checksum := func(schema string) string {
		t.Helper()
		var sum string
		err := pool.QueryRow(ctx, `SELECT md5(string_agg(md5(e::text), '' ORDER BY event_ts, user_id, session_id))
			FROM `+schema+`.events e WHERE event_date = DATE '2026-11-02'`).Scan(&sum)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	opts := testDemo
	opts.Schema = "web_again"
	if err := LoadDemo(ctx, pool, opts, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))); err != nil {
		t.Fatal(err)
	}
	if a, b := checksum("web"), checksum("web_again"); a != b {
		t.Errorf("two loads of the same day differ: %s vs %s", a, b)
	}

	var types, countries, pages int
	err := pool.QueryRow(ctx, `SELECT count(DISTINCT event_type), count(DISTINCT country), count(DISTINCT page) FROM web.events`).Scan(&types, &countries, &pages)
	if err != nil {
		t.Fatal(err)
	}
	if types != 4 || countries != 20 || pages != 50 {
		t.Errorf("%d event types, %d countries, %d pages; want 4, 20, 50", types, countries, pages)
	}
	var width float64
	if err := pool.QueryRow(ctx, `SELECT avg(length(properties)) FROM web.events`).Scan(&width); err != nil {
		t.Fatal(err)
	}
	if width < 170 || width > 230 {
		t.Errorf("properties average %.0f bytes, want about 200", width)
	}
}

func TestLoadDemoDefaultSize(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the 3,000,000-row load in -short mode")
	}
	pool := testEnv.Pool(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	began := time.Now()
	// Only the schema differs from the defaults, so the small demo the
	// other tests read stays.
	if err := LoadDemo(ctx, pool, DemoOptions{Schema: "web_full"}, zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel))); err != nil {
		t.Fatal(err)
	}
	t.Logf("LoadDemo with the default size took %s", time.Since(began).Round(time.Millisecond))
	var rows int64
	var partitions int
	var first, last string
	err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT event_date), min(event_date)::text, max(event_date)::text FROM web_full.events`).
		Scan(&rows, &partitions, &first, &last)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 3000000 || partitions != 30 || first != "2026-10-27" || last != "2026-11-25" {
		t.Errorf("default demo: %d rows over %d days from %s to %s; want 3000000 over 30 days to 2026-11-25", rows, partitions, first, last)
	}
	var name string
	if err := pool.QueryRow(ctx, `SELECT relname FROM pg_class WHERE relname LIKE 'events\_2026%' AND relnamespace = 'web_full'::regnamespace ORDER BY relname LIMIT 1`).Scan(&name); err != nil || !strings.HasPrefix(name, "events_20261027") {
		t.Errorf("first partition %q (%v), want events_20261027", name, err)
	}
}
