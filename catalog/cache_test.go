package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// fakeProvider answers lookups with answer and counts them. It stands in
// for a real catalog so the tests can control timing and failures.
type fakeProvider struct {
	mu     sync.Mutex
	calls  int
	answer func(ctx context.Context, name string, call int) (*Table, error)
}

func (f *fakeProvider) Table(ctx context.Context, name string) (*Table, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	return f.answer(ctx, name, n)
}

func (f *fakeProvider) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// waitFor polls cond until it holds, failing the test after 5 s. Lookups
// finish on goroutines of the cache's own, so some outcomes can only be
// observed, not awaited.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// result is one Table call's outcome, for calls made on goroutines.
type result struct {
	table *Table
	err   error
}

func TestCacheServesHitsFromMemory(t *testing.T) {
	events := &Table{Name: "demo.web.events", Rows: 100}
	p := &fakeProvider{answer: func(context.Context, string, int) (*Table, error) { return events, nil }}
	c := NewCache(p, CacheOptions{Now: newFakeClock().Now}, zap.NewNop())
	ctx := context.Background()

	for _, name := range []string{"demo.web.events", "Demo.Web.Events", "demo.web.events"} {
		got, err := c.Table(ctx, name)
		if err != nil {
			t.Fatalf("Table(%q): %v", name, err)
		}
		if got != events {
			t.Fatalf("Table(%q) = %p, want the provider's table %p", name, got, events)
		}
	}
	if n := p.callCount(); n != 1 {
		t.Errorf("provider called %d times, want 1", n)
	}
	if got, want := c.Stats(), (CacheStats{Hits: 2, Misses: 1}); got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
}

func TestCacheSharesOneLookupAmongConcurrentCallers(t *testing.T) {
	gate := make(chan struct{})
	events := &Table{Name: "demo.web.events"}
	p := &fakeProvider{answer: func(context.Context, string, int) (*Table, error) {
		<-gate
		return events, nil
	}}
	c := NewCache(p, CacheOptions{Now: newFakeClock().Now}, zap.NewNop())

	const callers = 50
	results := make(chan result, callers)
	for range callers {
		go func() {
			tbl, err := c.Table(context.Background(), "demo.web.events")
			results <- result{tbl, err}
		}()
	}
	// Every caller is waiting before the lookup may finish.
	waitFor(t, "all callers to wait", func() bool { return c.Stats().Misses == callers })
	close(gate)
	for range callers {
		r := <-results
		if r.err != nil || r.table != events {
			t.Fatalf("a caller got (%p, %v), want the provider's table", r.table, r.err)
		}
	}
	if n := p.callCount(); n != 1 {
		t.Errorf("provider called %d times for %d concurrent callers, want 1", n, callers)
	}
}

func TestCacheServesStaleWhileOneRefreshRuns(t *testing.T) {
	clock := newFakeClock()
	v1 := &Table{Name: "demo.web.events", Rows: 1}
	v2 := &Table{Name: "demo.web.events", Rows: 2}
	gate := make(chan struct{})
	p := &fakeProvider{answer: func(_ context.Context, _ string, call int) (*Table, error) {
		if call == 1 {
			return v1, nil
		}
		<-gate
		return v2, nil
	}}
	c := NewCache(p, CacheOptions{TTL: 10 * time.Minute, Now: clock.Now}, zap.NewNop())
	ctx := context.Background()

	if got, err := c.Table(ctx, "demo.web.events"); err != nil || got != v1 {
		t.Fatalf("first lookup = (%+v, %v), want v1", got, err)
	}
	clock.Advance(11 * time.Minute)
	for range 3 {
		// The refresh is blocked, so these return at once or not at all.
		if got, err := c.Table(ctx, "demo.web.events"); err != nil || got != v1 {
			t.Fatalf("stale lookup = (%+v, %v), want v1", got, err)
		}
	}
	waitFor(t, "the refresh to start", func() bool { return p.callCount() == 2 })
	if got := c.Stats().Stale; got != 3 {
		t.Errorf("stale answers %d, want 3", got)
	}
	close(gate)
	waitFor(t, "the refreshed table", func() bool {
		got, err := c.Table(ctx, "demo.web.events")
		return err == nil && got == v2
	})
	if n := p.callCount(); n != 2 {
		t.Errorf("provider called %d times, want 2: one lookup and one refresh", n)
	}
}

func TestCacheKeepsStaleTableWhenRefreshFails(t *testing.T) {
	clock := newFakeClock()
	v1 := &Table{Name: "demo.web.events", Rows: 1}
	p := &fakeProvider{answer: func(_ context.Context, _ string, call int) (*Table, error) {
		if call == 1 {
			return v1, nil
		}
		return nil, errors.New("coordinator unavailable")
	}}
	core, logs := observer.New(zap.WarnLevel)
	c := NewCache(p, CacheOptions{TTL: 10 * time.Minute, NegativeTTL: time.Minute, Now: clock.Now}, zap.New(core))
	ctx := context.Background()

	if _, err := c.Table(ctx, "demo.web.events"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(11 * time.Minute)
	if got, err := c.Table(ctx, "demo.web.events"); err != nil || got != v1 {
		t.Fatalf("stale lookup = (%+v, %v), want v1", got, err)
	}
	waitFor(t, "the refresh to fail", func() bool { return c.Stats().Errors == 1 })
	// Until NegativeTTL passes the broken catalog is not asked again.
	for range 3 {
		if got, err := c.Table(ctx, "demo.web.events"); err != nil || got != v1 {
			t.Fatalf("lookup after a failed refresh = (%+v, %v), want v1", got, err)
		}
	}
	if n := p.callCount(); n != 2 {
		t.Errorf("provider called %d times within NegativeTTL of a failed refresh, want 2", n)
	}
	if logs.Len() != 1 {
		t.Fatalf("%d warnings logged, want 1: %v", logs.Len(), logs.All())
	}
	entry := logs.All()[0]
	if fields := entry.ContextMap(); fields["table"] != "demo.web.events" || !strings.Contains(fmt.Sprint(fields["error"]), "coordinator unavailable") {
		t.Errorf("warning fields %v, want the table and the error", fields)
	}

	clock.Advance(time.Minute)
	if got, err := c.Table(ctx, "demo.web.events"); err != nil || got != v1 {
		t.Fatalf("lookup after NegativeTTL = (%+v, %v), want v1", got, err)
	}
	waitFor(t, "the second refresh to fail", func() bool { return c.Stats().Errors == 2 })
	if n := p.callCount(); n != 3 {
		t.Errorf("provider called %d times, want 3", n)
	}
	if logs.Len() != 2 {
		t.Errorf("%d warnings logged, want one per failed refresh (2)", logs.Len())
	}
}

func TestCacheRemembersFailedLookups(t *testing.T) {
	clock := newFakeClock()
	p := &fakeProvider{answer: func(_ context.Context, name string, _ int) (*Table, error) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}}
	c := NewCache(p, CacheOptions{NegativeTTL: time.Minute, Now: clock.Now}, zap.NewNop())
	ctx := context.Background()

	_, err := c.Table(ctx, "demo.web.nope")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("error %v, want one wrapping ErrNotFound", err)
	}
	if want := ErrNotFound.Error() + ": demo.web.nope"; err.Error() != want {
		t.Errorf("error %q, want the provider's own %q", err, want)
	}
	clock.Advance(59 * time.Second)
	if _, again := c.Table(ctx, "demo.web.nope"); !errors.Is(again, ErrNotFound) {
		t.Fatalf("second lookup error %v, want the remembered one", again)
	}
	if n := p.callCount(); n != 1 {
		t.Errorf("provider called %d times within NegativeTTL, want 1", n)
	}
	clock.Advance(time.Second)
	if _, err := c.Table(ctx, "demo.web.nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("lookup after NegativeTTL: %v", err)
	}
	if n := p.callCount(); n != 2 {
		t.Errorf("provider called %d times after NegativeTTL, want 2", n)
	}
	if got, want := c.Stats(), (CacheStats{Hits: 1, Misses: 2, Errors: 2}); got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
}

type ctxKey struct{}

func TestCacheCallerCancellationDoesNotCancelTheLookup(t *testing.T) {
	gate := make(chan struct{})
	events := &Table{Name: "demo.web.events"}
	lookupCtx := make(chan context.Context, 1)
	p := &fakeProvider{answer: func(ctx context.Context, _ string, _ int) (*Table, error) {
		lookupCtx <- ctx
		<-gate
		return events, nil
	}}
	c := NewCache(p, CacheOptions{Now: newFakeClock().Now}, zap.NewNop())

	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "trace-1"))
	done := make(chan result, 1)
	go func() {
		tbl, err := c.Table(ctx, "demo.web.events")
		done <- result{tbl, err}
	}()
	lctx := <-lookupCtx
	cancel()
	select {
	case r := <-done:
		if !errors.Is(r.err, context.Canceled) || r.table != nil {
			t.Fatalf("cancelled caller got (%p, %v), want context.Canceled", r.table, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled caller still waits for the lookup")
	}
	if lctx.Err() != nil {
		t.Errorf("the shared lookup was cancelled with its caller: %v", lctx.Err())
	}
	if lctx.Value(ctxKey{}) != "trace-1" {
		t.Error("the lookup lost the caller's context values")
	}
	close(gate)
	waitFor(t, "the lookup to be stored", func() bool {
		got, err := c.Table(context.Background(), "demo.web.events")
		return err == nil && got == events
	})
	if n := p.callCount(); n != 1 {
		t.Errorf("provider called %d times, want 1", n)
	}
}

func TestCacheBoundsEachLookup(t *testing.T) {
	p := &fakeProvider{answer: func(ctx context.Context, _ string, _ int) (*Table, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	c := NewCache(p, CacheOptions{Timeout: 20 * time.Millisecond, Now: newFakeClock().Now}, zap.NewNop())
	began := time.Now()
	_, err := c.Table(context.Background(), "demo.web.slow")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want one wrapping context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "no answer within 20ms") {
		t.Errorf("error %q does not name the timeout", err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("lookup took %s with a 20ms timeout", took)
	}
}

func TestCacheForgetsExpiredFailures(t *testing.T) {
	clock := newFakeClock()
	p := &fakeProvider{answer: func(_ context.Context, name string, _ int) (*Table, error) {
		if strings.HasPrefix(name, "typo") {
			return nil, ErrNotFound
		}
		return &Table{Name: name}, nil
	}}
	c := NewCache(p, CacheOptions{TTL: 10 * time.Minute, NegativeTTL: time.Minute, Now: clock.Now}, zap.NewNop())
	ctx := context.Background()
	for i := range 5 {
		_, _ = c.Table(ctx, fmt.Sprintf("typo%d.web.events", i)) // failures are the point
	}
	if _, err := c.Table(ctx, "demo.web.events"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * time.Minute)
	if _, err := c.Table(ctx, "demo.web.users"); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) != 2 {
		t.Errorf("%d entries kept, want the 2 tables and no expired failures", len(c.entries))
	}
}
