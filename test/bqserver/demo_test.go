package bqserver

import (
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
)

// TestLoadDemoIdempotent loads a small demo twice into a dataset of its
// own and checks that both loads give the same partitions and rows.
func TestLoadDemoIdempotent(t *testing.T) {
	pool := testEnv.Pool(t)
	ctx := testContext(t)
	opts := DemoOptions{Dataset: "demo_check", Days: 3, RowsPerDay: 500, End: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	t.Cleanup(func() { _, _ = pool.Exec(ctx, `DROP SCHEMA IF EXISTS demo_check CASCADE`) })

	type snapshot struct {
		partitions            []string
		events, users         int64
		first, last           time.Time
		eventsHash, usersHash string
	}
	take := func() snapshot {
		t.Helper()
		if err := LoadDemo(ctx, pool, opts, zaptest.NewLogger(t)); err != nil {
			t.Fatalf("LoadDemo: %v", err)
		}
		var s snapshot
		rows, err := pool.Query(ctx, `SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'demo_check.events'::regclass ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			s.partitions = append(s.partitions, name)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(ctx, `SELECT count(*), min(event_ts), max(event_ts),
				md5(string_agg(e::text, ',' ORDER BY e::text)) FROM demo_check.events e`).
			Scan(&s.events, &s.first, &s.last, &s.eventsHash); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(ctx, `SELECT count(*), md5(string_agg(u::text, ',' ORDER BY u.user_id)) FROM demo_check.users u`).
			Scan(&s.users, &s.usersHash); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := take()
	b := take()
	if want := []string{"events_20261123", "events_20261124", "events_20261125"}; len(a.partitions) != 3 || a.partitions[0] != want[0] || a.partitions[2] != want[2] {
		t.Errorf("partitions = %v, want %v", a.partitions, want)
	}
	if a.events != 1500 || a.users != demoUsers {
		t.Errorf("loaded %d events and %d users, want 1500 and %d", a.events, a.users, demoUsers)
	}
	if first := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC); a.first.Before(first) || !a.last.Before(first.AddDate(0, 0, 3)) {
		t.Errorf("events span %v to %v, want within 2026-11-23..25", a.first, a.last)
	}
	if a.eventsHash != b.eventsHash || a.usersHash != b.usersHash || a.events != b.events {
		t.Errorf("second load differs: %+v vs %+v", a, b)
	}
	var analyzed bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stats WHERE schemaname = 'demo_check' AND tablename = 'events_20261124')`).Scan(&analyzed); err != nil || !analyzed {
		t.Errorf("partitions not analyzed (err %v)", err)
	}
}
