package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// CacheOptions configure a Cache. The zero value gives the defaults.
type CacheOptions struct {
	// TTL is how long a table is served without asking the provider again;
	// default 10 minutes. An older entry is still served, stale, while one
	// lookup in the background refreshes it.
	TTL time.Duration
	// Timeout bounds each lookup of the provider; default 5 seconds.
	Timeout time.Duration
	// NegativeTTL is how long a failed lookup (an unknown table, or a
	// catalog that could not describe it) is remembered, and how long a
	// failed refresh waits before the next one; default 1 minute.
	NegativeTTL time.Duration
	// Now is the clock entries age by; default time.Now. Tests replace it.
	Now func() time.Time
}

// CacheStats counts what a Cache did since it was created.
type CacheStats struct {
	// Hits are answers from a fresh entry: a table, or a remembered
	// failure.
	Hits uint64
	// Misses are calls that had no usable entry and waited for a lookup,
	// whether they started it or joined one in flight.
	Misses uint64
	// Stale are answers from an entry older than TTL.
	Stale uint64
	// Errors are lookups of the provider that failed, first lookups and
	// refreshes alike.
	Errors uint64
}

// Cache is a Provider that remembers what another Provider says, so that a
// statement rarely waits for a catalog round trip: engine metadata queries
// take from milliseconds to seconds, and every statement looks its tables
// up. Lookups of one name are shared: concurrent callers wait for a single
// lookup, and a stale entry is served while a single refresh runs. A Cache
// is safe for concurrent use.
type Cache struct {
	provider Provider
	opts     CacheOptions
	log      *zap.Logger

	mu      sync.Mutex
	entries map[string]*cacheEntry // by lower-cased name
	swept   time.Time

	hits, misses, stale, errors atomic.Uint64
}

var _ Provider = (*Cache)(nil)

// cacheEntry is what the cache knows about one name. Guarded by Cache.mu.
type cacheEntry struct {
	// table is the last table the provider returned; nil until one came.
	table *Table
	// err is the failure of the last lookup while table is nil.
	err error
	// at is when table or err was stored.
	at time.Time
	// retryAt holds off the next refresh after a failed one, so a broken
	// catalog is not asked again on every statement.
	retryAt time.Time
	// inflight is the running lookup, nil when none runs.
	inflight *lookup
}

// lookup is one call of the provider, shared by everyone waiting for it.
type lookup struct {
	done  chan struct{} // closed when table and err are set
	table *Table
	err   error
}

// NewCache returns a Cache in front of p. Zero options take their defaults;
// a nil log discards.
func NewCache(p Provider, opts CacheOptions, log *zap.Logger) *Cache {
	if opts.TTL <= 0 {
		opts.TTL = 10 * time.Minute
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.NegativeTTL <= 0 {
		opts.NegativeTTL = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Cache{provider: p, opts: opts, log: log, entries: make(map[string]*cacheEntry)}
}

// Table returns the named table from memory when it can, else from the
// provider. The table is shared and must not be modified. An entry older
// than TTL is returned as it is while a background lookup refreshes it. A
// failed first lookup returns an error saying the statement passes through
// untouched (wrapping the provider's error, so errors.Is(err, ErrNotFound)
// works), and is remembered for NegativeTTL. If ctx ends before the lookup
// does, Table returns ctx.Err() at once; the lookup goes on for the others
// waiting and for the next caller.
func (c *Cache) Table(ctx context.Context, name string) (*Table, error) {
	key := strings.ToLower(name)
	now := c.opts.Now()
	c.mu.Lock()
	e := c.entries[key]
	if e == nil {
		e = &cacheEntry{}
		c.entries[key] = e
	}
	switch {
	case e.table != nil && now.Sub(e.at) < c.opts.TTL:
		t := e.table
		c.mu.Unlock()
		c.hits.Add(1)
		return t, nil
	case e.table != nil:
		if e.inflight == nil && !now.Before(e.retryAt) {
			c.start(ctx, name, e)
		}
		t := e.table
		c.mu.Unlock()
		c.stale.Add(1)
		return t, nil
	case e.err != nil && e.inflight == nil && now.Sub(e.at) < c.opts.NegativeTTL:
		err := e.err
		c.mu.Unlock()
		c.hits.Add(1)
		return nil, err
	}
	l := e.inflight
	if l == nil {
		l = c.start(ctx, name, e)
	}
	c.mu.Unlock()
	c.misses.Add(1)
	select {
	case <-l.done:
		return l.table, l.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Stats returns the counters so far.
func (c *Cache) Stats() CacheStats {
	return CacheStats{
		Hits:   c.hits.Load(),
		Misses: c.misses.Load(),
		Stale:  c.stale.Load(),
		Errors: c.errors.Load(),
	}
}

// start runs a lookup of name for e in the background. The caller holds
// c.mu. The lookup keeps ctx's values but not its cancellation: others may
// be waiting for it, and a refresh serves later callers.
func (c *Cache) start(ctx context.Context, name string, e *cacheEntry) *lookup {
	l := &lookup{done: make(chan struct{})}
	e.inflight = l
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.Timeout)
	go func() {
		defer cancel()
		t, err := c.provider.Table(lctx, name)
		if err != nil && errors.Is(lctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s (the catalog cache timeout): %w", c.opts.Timeout, err)
		}
		c.finish(name, e, l, t, err)
	}()
	return l
}

// finish stores the outcome of a lookup and wakes its waiters.
func (c *Cache) finish(name string, e *cacheEntry, l *lookup, t *Table, err error) {
	now := c.opts.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e.inflight = nil
	switch {
	case err == nil:
		e.table, e.err, e.at, e.retryAt = t, nil, now, time.Time{}
	case e.table != nil:
		// A refresh: nobody waits for it, and the old table is still the
		// best answer there is.
		c.errors.Add(1)
		e.retryAt = now.Add(c.opts.NegativeTTL)
		c.log.Warn("catalog refresh failed; serving the table as last described until a refresh succeeds",
			zap.String("table", name),
			zap.Duration("age", now.Sub(e.at)),
			zap.Duration("next_attempt_in", c.opts.NegativeTTL),
			zap.Error(err))
	default:
		// The provider's error is remembered as it is: it names the
		// table and what to do, and the engine words the reason.
		c.errors.Add(1)
		e.err, e.at = err, now
		t = nil
	}
	l.table, l.err = t, err
	close(l.done)
	c.sweep(now)
}

// sweep forgets expired failures, at most once per TTL, so that names
// which never resolve (typos, dropped tables) do not pile up. The caller
// holds c.mu.
func (c *Cache) sweep(now time.Time) {
	if now.Sub(c.swept) < c.opts.TTL {
		return
	}
	c.swept = now
	for key, e := range c.entries {
		if e.table == nil && e.inflight == nil && now.Sub(e.at) >= c.opts.NegativeTTL {
			delete(c.entries, key)
		}
	}
}
