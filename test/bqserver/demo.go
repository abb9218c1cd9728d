package bqserver

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"
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

// pick is the SQL choosing one of values by the hash h.
func pick(h string, values ...string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "'" + v + "'"
	}
	return fmt.Sprintf("(ARRAY[%s])[1 + %s %% %d]", strings.Join(quoted, ", "), h, len(values))
}

// hash is the SQL of a deterministic pseudo-random non-negative number for
// row g: a seeded hash of the row number, so every load has the same data.
func hash(seed int) string {
	return fmt.Sprintf("(hashint8extended(g, %d) & 9223372036854775807)", seed)
}

// eventsSQL fills one daily partition with the events numbered $2 to $3
// of day $1: times spread over the day, 4 event names, 40 pages, a JSON
// payload of about 200 bytes.
func eventsSQL(partition string) string {
	return `INSERT INTO ` + partition + ` (event_ts, user_id, event_name, page, country, payload)
SELECT $1::timestamptz + (` + hash(1) + ` % 86400000000) * interval '1 microsecond',
       1 + ` + hash(2) + ` % ` + strconv.Itoa(demoUsers) + `,
       CASE WHEN ` + hash(3) + ` % 100 < 60 THEN 'page_view' WHEN ` + hash(3) + ` % 100 < 85 THEN 'click'
            WHEN ` + hash(3) + ` % 100 < 97 THEN 'add_to_cart' ELSE 'purchase' END,
       CASE WHEN ` + hash(4) + ` % 40 < 5 THEN ` + pick(hash(4), "/", "/search", "/cart", "/checkout", "/account") + `
            ELSE '/products/' || (` + hash(4) + ` % 40 - 4) END,
       ` + pick(hash(5), demoCountries()...) + `,
       jsonb_build_object(
         'browser', ` + pick(hash(6), "chrome", "firefox", "safari", "edge") + `,
         'os', ` + pick(hash(7), "android", "ios", "windows", "macos", "linux") + `,
         'session_id', 's-' || lpad(to_hex(` + hash(8) + ` % 4294967296), 8, '0'),
         'referrer', 'https://search.example.com/q/' || lpad(to_hex(` + hash(9) + `), 16, '0'),
         'duration_ms', ` + hash(10) + ` % 60000,
         'experiment', 'exp-' || (` + hash(11) + ` % 50),
         'variant', ` + pick(hash(12), "control", "a", "b") + `)
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
	end := opts.End.UTC()
	first := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1-opts.Days)

	ddl := []string{
		`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`,
		`CREATE SCHEMA ` + schema,
		`CREATE TABLE ` + schema + `.events (event_ts timestamptz, user_id bigint, event_name text, page text,
			country text, payload jsonb) PARTITION BY RANGE (event_ts)`,
		`CREATE TABLE ` + schema + `.users (user_id bigint, country text, created_at timestamptz, plan text)`,
	}
	for d := range opts.Days {
		day := first.AddDate(0, 0, d)
		ddl = append(ddl, fmt.Sprintf(`CREATE TABLE %s PARTITION OF %s.events FOR VALUES FROM ('%s') TO ('%s')`,
			partitionName(schema, day), schema, day.Format(time.RFC3339), day.AddDate(0, 0, 1).Format(time.RFC3339)))
	}
	for _, sql := range ddl {
		if _, err := pool.Exec(ctx, sql); err != nil {
			return fmt.Errorf("create the demo tables: %s: %w", firstLine(sql), err)
		}
	}

	if err := CreateFunctions(ctx, pool); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, min(runtime.NumCPU(), int(pool.Config().MaxConns))))
	for d := range opts.Days {
		g.Go(func() error {
			day := first.AddDate(0, 0, d)
			lo := int64(d) * int64(opts.RowsPerDay)
			if _, err := pool.Exec(gctx, eventsSQL(partitionName(schema, day)), day, lo, lo+int64(opts.RowsPerDay)-1); err != nil {
				return fmt.Errorf("load the demo events of %s: %w", day.Format(dateLayout), err)
			}
			return nil
		})
	}
	g.Go(func() error {
		_, err := pool.Exec(gctx, `INSERT INTO `+schema+`.users
			SELECT g,
			       `+pick(hash(21), demoCountries()...)+`,
			       $1::timestamptz - (`+hash(22)+` % (730 * 86400)) * interval '1 second',
			       `+pick(hash(23), "free", "free", "free", "pro", "team")+`
			FROM generate_series(1, `+strconv.Itoa(demoUsers)+`) AS g`, first)
		if err != nil {
			return fmt.Errorf("load the demo users: %w", err)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return err
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

func partitionName(schema string, day time.Time) string {
	return schema + ".events_" + day.Format("20060102")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
