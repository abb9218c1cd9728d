// Package pgtest gives a test package one throwaway PostgreSQL, started by
// TestMain with the package's test data loaded and shared by its tests.
// Without PostgreSQL installed the tests that need it skip, unless the CI
// environment variable is set: then they must not pass without running.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/skimdata/skim/test/postgres"
	"go.uber.org/zap"
)

// startTimeout bounds starting PostgreSQL and loading the test data.
const startTimeout = 2 * time.Minute

// Shared is the PostgreSQL a test package's tests share. A package holds
// one in a variable that its TestMain runs Main on.
type Shared struct {
	pool *pgxpool.Pool
	// skip is why tests that need PostgreSQL skip; empty when it runs.
	skip string
}

// Main starts PostgreSQL, has load fill it unless load is nil, runs the
// tests and stops PostgreSQL; it returns the exit code for TestMain. who
// names the test package in what Main prints.
func (s *Shared) Main(m *testing.M, who string, load func(context.Context, *pgxpool.Pool) error) int {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	pool, stop, skip, err := postgres.StartPool(ctx, zap.NewNop())
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s tests need PostgreSQL: %v\n", who, err)
		return 1
	case skip != "":
		s.skip = skip
		return m.Run()
	}
	defer stop()
	if load != nil {
		began := time.Now()
		if err := load(ctx, pool); err != nil {
			fmt.Fprintf(os.Stderr, "%s tests: load the test data: %v\n", who, err)
			return 1
		}
		fmt.Printf("%s tests: test data loaded in %s\n", who, time.Since(began).Round(time.Millisecond))
	}
	s.pool = pool
	return m.Run()
}

// Pool returns the shared PostgreSQL's pool, or skips t when PostgreSQL
// is not installed.
func (s *Shared) Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	if s.skip != "" {
		t.Skipf("skipping: %s", s.skip)
	}
	return s.pool
}
