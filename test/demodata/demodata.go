// Package demodata loads the test servers' demo datasets into
// PostgreSQL: it runs the statements that create a demo's tables and
// functions, and generates its rows by SQL in the database, every value
// from a seeded hash of the row number, so that every load yields the
// same data; daily partitions load in parallel.
package demodata

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"
)

// Hash is the SQL of a deterministic pseudo-random non-negative bigint for
// the row numbered g: a seeded hash of the row number. Different seeds
// give independent values of one row.
func Hash(seed int) string {
	return fmt.Sprintf("(hashint8extended(g, %d) & 9223372036854775807)", seed)
}

// Pick is the SQL choosing one of values, which must need no quoting, by
// the non-negative number h; a value given n times is picked n times as
// often.
func Pick(h string, values ...string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "'" + v + "'"
	}
	return fmt.Sprintf("(ARRAY[%s])[1 + %s %% %d]", strings.Join(quoted, ", "), h, len(values))
}

// Day is a day of a demo with its partition of events and the events it
// holds: rows numbered From to To.
type Day struct {
	Date     time.Time // midnight UTC
	From, To int64
}

// Days returns n days, at midnight UTC, that end with the date of last
// (as last's location has it); each holds rowsPerDay rows, numbered on
// from the first day's 0.
func Days(last time.Time, n, rowsPerDay int) []Day {
	first := time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1-n)
	out := make([]Day, n)
	for d := range out {
		lo := int64(d) * int64(rowsPerDay)
		out[d] = Day{Date: first.AddDate(0, 0, d), From: lo, To: lo + int64(rowsPerDay) - 1}
	}
	return out
}

// PartitionName is the partition of table holding the rows of day:
// table_YYYYMMDD.
func PartitionName(table string, day time.Time) string {
	return table + "_" + day.Format("20060102")
}

// LoadDays runs the statement insert returns for each day with the day's
// date, first and last row number as $1, $2 and $3, on as many of pool's
// connections at once as there are CPUs. The first failure cancels the
// rest.
func LoadDays(ctx context.Context, pool *pgxpool.Pool, days []Day, insert func(day Day) string, log *zap.Logger) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, min(runtime.NumCPU(), int(pool.Config().MaxConns))))
	for _, day := range days {
		g.Go(func() error {
			began := time.Now()
			if _, err := pool.Exec(gctx, insert(day), day.Date, day.From, day.To); err != nil {
				return fmt.Errorf("load the demo rows of %s: %w", day.Date.Format(time.DateOnly), err)
			}
			log.Info("demo day loaded", zap.String("day", day.Date.Format(time.DateOnly)),
				zap.Int64("rows", day.To-day.From+1), zap.Duration("took", time.Since(began).Round(time.Millisecond)))
			return nil
		})
	}
	return g.Wait()
}

// Exec runs statements in order; an error names the failing statement by
// its first line.
func Exec(ctx context.Context, pool *pgxpool.Pool, statements ...string) error {
	for _, sql := range statements {
		if _, err := pool.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", firstLine(sql), err)
		}
	}
	return nil
}

// ExecLocked runs statements in one transaction that first takes the
// advisory lock key, so that two loads at once run them one after the
// other: PostgreSQL fails one of two sessions replacing the same function
// at once with "tuple concurrently updated".
func ExecLocked(ctx context.Context, pool *pgxpool.Pool, key int64, statements ...string) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }() // after Commit a no-op
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, key); err != nil {
		return err
	}
	for _, sql := range statements {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", firstLine(sql), err)
		}
	}
	return tx.Commit(ctx)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
