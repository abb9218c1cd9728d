package bqserver

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/skimdata/skim/test/demodata"
	"go.uber.org/zap"
)

// DemoOptions size the demo dataset. The zero value is the full demo: 10
// days of 100,000 events ending 2026-11-25 in dataset analytics.
type DemoOptions struct {
	// Dataset is the BigQuery dataset (PostgreSQL schema) of the events
	// and users tables; default "analytics".
	Dataset string
	// Days is the number of daily partitions of events; default 10.
	Days int
	// RowsPerDay is the number of events per day; default 100,000.
	RowsPerDay int
	// End is the last day loaded (inclusive, UTC); default 2026-11-25.
	End time.Time
}

// demoUsers is the number of users, and the range of the events' user_id.
const demoUsers = 50_000

// demoCountries are the country codes of events and users.
func demoCountries() []string {
	return []string{"US", "GB", "DE", "FR", "IN", "BR", "JP", "CA", "AU", "ES", "IT", "NL", "SE", "PL", "MX", "KR"}
}

// eventsSQL fills one daily partition with the events numbered $2 to $3
// of day $1: times spread over the day, 4 event names, 40 pages, a JSON
// payload of about 200 bytes.
func eventsSQL(partition string) string {
	return `INSERT INTO ` + partition + ` (event_ts, user_id, event_name, page, country, payload)
SELECT $1::timestamptz + (` + demodata.Hash(1) + ` % 86400000000) * interval '1 microsecond',
       1 + ` + demodata.Hash(2) + ` % ` + strconv.Itoa(demoUsers) + `,
       CASE WHEN ` + demodata.Hash(3) + ` % 100 < 60 THEN 'page_view' WHEN ` + demodata.Hash(3) + ` % 100 < 85 THEN 'click'
            WHEN ` + demodata.Hash(3) + ` % 100 < 97 THEN 'add_to_cart' ELSE 'purchase' END,
       CASE WHEN ` + demodata.Hash(4) + ` % 40 < 5 THEN ` + demodata.Pick(demodata.Hash(4), "/", "/search", "/cart", "/checkout", "/account") + `
            ELSE '/products/' || (` + demodata.Hash(4) + ` % 40 - 4) END,
       ` + demodata.Pick(demodata.Hash(5), demoCountries()...) + `,
       jsonb_build_object(
         'browser', ` + demodata.Pick(demodata.Hash(6), "chrome", "firefox", "safari", "edge") + `,
         'os', ` + demodata.Pick(demodata.Hash(7), "android", "ios", "windows", "macos", "linux") + `,
         'session_id', 's-' || lpad(to_hex(` + demodata.Hash(8) + ` % 4294967296), 8, '0'),
         'referrer', 'https://search.example.com/q/' || lpad(to_hex(` + demodata.Hash(9) + `), 16, '0'),
         'duration_ms', ` + demodata.Hash(10) + ` % 60000,
         'experiment', 'exp-' || (` + demodata.Hash(11) + ` % 50),
         'variant', ` + demodata.Pick(demodata.Hash(12), "control", "a", "b") + `)
FROM generate_series($2::int8, $3::int8) AS g`
}

// LoadDemo (re)creates the demo dataset: schema opts.Dataset with
//
//   - events (event_ts timestamptz, user_id bigint, event_name text, page
//     text, country text, payload jsonb), declaratively partitioned by
//     range of event_ts with one partition per UTC day (events_YYYYMMDD),
//     which tables.get reports as DAY time partitioning on event_ts;
//   - users (user_id bigint, country text, created_at timestamptz, plan
//     text), 50,000 rows;
//
// then ANALYZEs them, as the byte estimates need their statistics, and
// creates the GoogleSQL functions skim's rewrites call (CreateFunctions). Every
// value derives from hashes of the row number, so loads are identical,
// and an existing schema of that name is dropped first, so loading again
// gives the same data. There are no indexes: BigQuery has none. Days load
// in parallel on the pool's connections.
func LoadDemo(ctx context.Context, pool *pgxpool.Pool, opts DemoOptions, log *zap.Logger) error {
	if opts.Dataset == "" {
		opts.Dataset = "analytics"
	}
	if opts.Days <= 0 {
		opts.Days = 10
	}
	if opts.RowsPerDay <= 0 {
		opts.RowsPerDay = 100_000
	}
	if opts.End.IsZero() {
		opts.End = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	}
	if log == nil {
		log = zap.NewNop()
	}
	began := time.Now()
	schema := pgx.Identifier{opts.Dataset}.Sanitize()
	days := demodata.Days(opts.End.UTC(), opts.Days, opts.RowsPerDay)
	first := days[0].Date

	ddl := []string{
		`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`,
		`CREATE SCHEMA ` + schema,
		`CREATE TABLE ` + schema + `.events (event_ts timestamptz, user_id bigint, event_name text, page text,
			country text, payload jsonb) PARTITION BY RANGE (event_ts)`,
		`CREATE TABLE ` + schema + `.users (user_id bigint, country text, created_at timestamptz, plan text)`,
	}
	partition := func(day time.Time) string { return demodata.PartitionName(schema+".events", day) }
	for _, day := range days {
		ddl = append(ddl, fmt.Sprintf(`CREATE TABLE %s PARTITION OF %s.events FOR VALUES FROM ('%s') TO ('%s')`,
			partition(day.Date), schema, day.Date.Format(time.RFC3339), day.Date.AddDate(0, 0, 1).Format(time.RFC3339)))
	}
	if err := demodata.Exec(ctx, pool, ddl...); err != nil {
		return fmt.Errorf("create the demo tables: %w", err)
	}

	if err := CreateFunctions(ctx, pool); err != nil {
		return err
	}
	insert := func(day demodata.Day) string { return eventsSQL(partition(day.Date)) }
	if err := demodata.LoadDays(ctx, pool, days, insert, log); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO `+schema+`.users
		SELECT g,
		       `+demodata.Pick(demodata.Hash(21), demoCountries()...)+`,
		       $1::timestamptz - (`+demodata.Hash(22)+` % (730 * 86400)) * interval '1 second',
		       `+demodata.Pick(demodata.Hash(23), "free", "free", "free", "pro", "team")+`
		FROM generate_series(1, `+strconv.Itoa(demoUsers)+`) AS g`, first); err != nil {
		return fmt.Errorf("load the demo users: %w", err)
	}
	// ANALYZE of a partitioned table analyzes its partitions too.
	if _, err := pool.Exec(ctx, `ANALYZE `+schema+`.events, `+schema+`.users`); err != nil {
		return fmt.Errorf("analyze the demo tables: %w", err)
	}
	log.Info("demo dataset loaded",
		zap.String("dataset", opts.Dataset),
		zap.Int("days", opts.Days),
		zap.Int("events", opts.Days*opts.RowsPerDay),
		zap.Int("users", demoUsers),
		zap.Duration("took", time.Since(began).Round(time.Millisecond)))
	return nil
}
