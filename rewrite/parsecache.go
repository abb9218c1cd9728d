package rewrite

import (
	"container/list"
	"sync"

	"github.com/skimdata/skim/rewrite/stmt"
)

// parseCache remembers parsed statements. Notebooks re-run cells and
// dashboards repeat their queries, so most statements a proxy sees were
// parsed moments ago; parsing is most of the engine's cost. A parsed
// Statement is never modified, so entries are shared.
type parseCache struct {
	mu      sync.Mutex
	max     int
	entries map[parseKey]*list.Element
	lru     *list.List
}

type parseKey struct {
	dialect         stmt.Dialect
	catalog, schema string
	sql             string
}

type parseEntry struct {
	key parseKey
	parsed
}

// parsed is a statement's parse and its fingerprint, which depends only on
// the text and so is kept with the parse.
type parsed struct {
	st                      *stmt.Statement
	err                     error
	fingerprint, normalized string
}

func parseWithFingerprint(req Request) parsed {
	p := parsed{}
	p.st, p.err = parse(req)
	p.fingerprint, p.normalized = Fingerprint(req.SQL, req.Dialect)
	return p
}

// maxCachedStatement bounds the text of a cached statement, so the cache's
// memory stays near entries × typical statement size.
const maxCachedStatement = 64 << 10

func newParseCache(max int) *parseCache {
	if max <= 0 {
		return nil
	}
	return &parseCache{max: max, entries: map[parseKey]*list.Element{}, lru: list.New()}
}

// parse returns the cached parse of req, parsing it on a miss.
func (c *parseCache) parse(req Request) parsed {
	if c == nil || len(req.SQL) > maxCachedStatement {
		return parseWithFingerprint(req)
	}
	key := parseKey{req.Dialect, req.Session.Catalog, req.Session.Schema, req.SQL}
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		e := el.Value.(*parseEntry)
		c.mu.Unlock()
		return e.parsed
	}
	c.mu.Unlock()
	p := parseWithFingerprint(req)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok {
		c.entries[key] = c.lru.PushFront(&parseEntry{key: key, parsed: p})
		if c.lru.Len() > c.max {
			oldest := c.lru.Back()
			c.lru.Remove(oldest)
			delete(c.entries, oldest.Value.(*parseEntry).key)
		}
	}
	return p
}
