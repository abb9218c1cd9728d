package rewrite

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/skimdata/skim/rewrite/stmt"
)

// benchTrino is a realistic 30-line notebook statement: two CTEs, a join,
// partition ranges, IN lists, CASE and ORDER BY rand() LIMIT.
const benchTrino = `WITH recent AS (
  SELECT user_id, event_type, event_ts, properties, country
  FROM iceberg.web.events
  WHERE event_date >= DATE '2026-11-18'
    AND event_date < DATE '2026-11-25'
    AND event_type IN ('click', 'view', 'purchase')
),
users AS (
  SELECT id, country, signup_date, plan
  FROM hive.ref.users
  WHERE plan <> 'internal'
)
-- sample of recent activity for the notebook
SELECT
  r.user_id,
  r.event_type,
  r.event_ts,
  u.country,
  u.plan,
  json_extract_scalar(r.properties, '$.page') AS page,
  CASE WHEN u.signup_date > DATE '2026-10-01' THEN 'new' ELSE 'old' END AS cohort
FROM recent r
JOIN users u ON u.id = r.user_id
WHERE u.country IN ('DE', 'FR', 'US')
  AND r.event_ts > TIMESTAMP '2026-11-19 00:00:00'
ORDER BY rand()
LIMIT 1000`

const benchBigQuery = "WITH recent AS (\n" +
	"  SELECT user_id, event_name, event_ts, payload, country\n" +
	"  FROM `myproj.analytics.events`\n" +
	"  WHERE DATE(event_ts) >= '2026-11-18'\n" +
	"    AND DATE(event_ts) < '2026-11-25'\n" +
	"    AND event_name IN ('click', 'view', 'purchase')\n" +
	"),\n" +
	"users AS (\n" +
	"  SELECT user_id, country, created_at, plan\n" +
	"  FROM `myproj.analytics.users`\n" +
	"  WHERE plan <> 'internal'\n" +
	")\n" +
	"-- sample of recent activity for the notebook\n" +
	"SELECT\n" +
	"  r.user_id,\n" +
	"  r.event_name,\n" +
	"  r.event_ts,\n" +
	"  u.country,\n" +
	"  u.plan,\n" +
	"  JSON_VALUE(r.payload, '$.page') AS page,\n" +
	"  CASE WHEN u.created_at > TIMESTAMP '2026-10-01' THEN 'new' ELSE 'old' END AS cohort\n" +
	"FROM recent r\n" +
	"JOIN users u ON u.user_id = r.user_id\n" +
	"WHERE u.country IN ('DE', 'FR', 'US')\n" +
	"  AND r.event_ts > TIMESTAMP '2026-11-19 00:00:00'\n" +
	"ORDER BY RAND()\n" +
	"LIMIT 1000"

// BenchmarkExplain measures the whole pipeline a proxy runs per statement:
// parse, catalog lookups, rules and splicing. Besides ns/op it reports the
// 50th and 99th percentile latency of single statements. "cold" parses
// every time; "repeated" is the same statement again, answered from the
// parse cache as a re-run notebook cell is.
func BenchmarkExplain(b *testing.B) {
	cold := testEngineWith(b, Options{ParseCacheEntries: -1})
	warm := testEngineWith(b, Options{})
	for _, bc := range []struct {
		name   string
		engine *Engine
		req    Request
	}{
		{"trino/cold", cold, Request{SQL: benchTrino, Dialect: stmt.Trino}},
		{"trino/repeated", warm, Request{SQL: benchTrino, Dialect: stmt.Trino}},
		{"bigquery/cold", cold, Request{SQL: benchBigQuery, Dialect: stmt.BigQuery}},
		{"bigquery/repeated", warm, Request{SQL: benchBigQuery, Dialect: stmt.BigQuery}},
	} {
		engine := bc.engine
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			res, err := engine.Rewrite(ctx, bc.req)
			if err != nil || res.Decision != Rewrite {
				b.Fatalf("benchmark statement is not rewritten: %v %+v", err, res)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, err := engine.Rewrite(ctx, bc.req); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "stmts/s")
		})
	}
}
