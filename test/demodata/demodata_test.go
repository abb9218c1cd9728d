package demodata

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skimdata/skim/test/pgtest"
	"go.uber.org/zap/zaptest"
)

// testEnv is the PostgreSQL the tests share; they load their own data.
var testEnv pgtest.Shared

func TestMain(m *testing.M) {
	os.Exit(testEnv.Main(m, "demodata", nil))
}

func TestDays(t *testing.T) {
	last := time.Date(2026, 11, 25, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600))
	days := Days(last, 3, 100)
	want := []Day{
		{Date: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), From: 0, To: 99},
		{Date: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), From: 100, To: 199},
		{Date: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), From: 200, To: 299},
	}
	if len(days) != len(want) {
		t.Fatalf("Days = %v, want %v", days, want)
	}
	for i := range want {
		if !days[i].Date.Equal(want[i].Date) || days[i].From != want[i].From || days[i].To != want[i].To {
			t.Errorf("day %d = %+v, want %+v", i, days[i], want[i])
		}
	}
	if got := PartitionName(`"web".events`, days[0].Date); got != `"web".events_20261123` {
		t.Errorf("PartitionName = %s", got)
	}
}

// TestGenerate runs Hash and Pick in PostgreSQL: the same row gets the
// same values on every run, and picks spread over the values as often as
// they are given.
func TestGenerate(t *testing.T) {
	pool := testEnv.Pool(t)
	ctx := testContext(t)
	query := `SELECT string_agg(v, '' ORDER BY g), count(*) FILTER (WHERE v = 'a') FROM (SELECT g, ` +
		Pick(Hash(7), "a", "a", "b") + ` AS v FROM generate_series(1, 3000) AS g) AS r`
	var runs [2]string
	var as int
	for i := range runs {
		if err := pool.QueryRow(ctx, query).Scan(&runs[i], &as); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	if runs[0] != runs[1] {
		t.Error("two runs picked differently")
	}
	if as < 1800 || as > 2200 {
		t.Errorf("picked a %d times of 3000, want about 2000", as)
	}
	var independent bool
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE a <> b) > 0 FROM (SELECT `+Hash(1)+` AS a, `+Hash(2)+` AS b FROM generate_series(1, 10) AS g) AS r`).Scan(&independent); err != nil || !independent {
		t.Errorf("seeds 1 and 2 give the same hashes (%v)", err)
	}
}

func TestLoadDays(t *testing.T) {
	pool := testEnv.Pool(t)
	ctx := testContext(t)
	if err := Exec(ctx, pool,
		`DROP TABLE IF EXISTS load_days`,
		`CREATE TABLE load_days (day date, n bigint)`,
	); err != nil {
		t.Fatal(err)
	}
	days := Days(time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC), 4, 250)
	insert := func(Day) string {
		return `INSERT INTO load_days SELECT $1::date, g FROM generate_series($2::int8, $3::int8) AS g`
	}
	if err := LoadDays(ctx, pool, days, insert, zaptest.NewLogger(t)); err != nil {
		t.Fatal(err)
	}
	var rows, distinct, perDay int64
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT n), max(c) FROM load_days, LATERAL (SELECT count(*) AS c FROM load_days d WHERE d.day = load_days.day) AS x`).Scan(&rows, &distinct, &perDay); err != nil {
		t.Fatal(err)
	}
	if rows != 1000 || distinct != 1000 || perDay != 250 {
		t.Errorf("loaded %d rows, %d distinct, %d a day; want 1000, 1000, 250", rows, distinct, perDay)
	}

	err := LoadDays(ctx, pool, days, func(d Day) string {
		if d.From == 500 {
			return `INSERT INTO no_such_table VALUES ($1, $2, $3)`
		}
		return insert(d)
	}, zaptest.NewLogger(t))
	if err == nil || !strings.Contains(err.Error(), "2026-11-04") || !strings.Contains(err.Error(), "no_such_table") {
		t.Errorf("a failing day: %v", err)
	}
}

func TestExecNamesTheFailingStatement(t *testing.T) {
	pool := testEnv.Pool(t)
	err := Exec(testContext(t), pool, `SELECT 1`, "SELECT nope\nFROM nowhere")
	if err == nil || !strings.HasPrefix(err.Error(), "SELECT nope: ") {
		t.Errorf("Exec: %v, want an error naming SELECT nope", err)
	}
}

// TestExecLockedInParallel replaces one function from many sessions at
// once, which fails some of them without the lock.
func TestExecLockedInParallel(t *testing.T) {
	pool := testEnv.Pool(t)
	ctx := testContext(t)
	const define = `CREATE OR REPLACE FUNCTION public.exec_locked_test(bigint) RETURNS bigint
		LANGUAGE sql IMMUTABLE AS $$SELECT $1 + 1$$`
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			errs <- ExecLocked(ctx, pool, 0x7465_7374, define, `COMMENT ON FUNCTION public.exec_locked_test(bigint) IS 'test'`)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	var got int64
	if err := pool.QueryRow(ctx, `SELECT public.exec_locked_test(41)`).Scan(&got); err != nil || got != 42 {
		t.Errorf("exec_locked_test(41) = %d, %v", got, err)
	}
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
