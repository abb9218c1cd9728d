package rewrite

import (
	"fmt"
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
)

func TestParseCache(t *testing.T) {
	c := newParseCache(2)
	req := func(sql string) Request { return Request{SQL: sql, Dialect: stmt.Trino} }
	a1 := c.parse(req("SELECT 1"))
	a2 := c.parse(req("SELECT 1"))
	if a1.st != a2.st || a1.fingerprint == "" || a1.fingerprint != a2.fingerprint {
		t.Error("a repeated statement was parsed again")
	}
	other := c.parse(Request{SQL: "SELECT 1", Dialect: stmt.Trino, Session: stmt.Session{Catalog: "x"}})
	if other.st == a1.st {
		t.Error("statements with different session defaults share a parse")
	}
	c.parse(req("SELECT 2"))
	if a3 := c.parse(req("SELECT 1")); a3.st == a1.st {
		t.Error("the least recently used entry was kept beyond the cache's size")
	}
	if p := c.parse(req("SELEKT")); p.err == nil || p.fingerprint == "" {
		t.Error("a parse error or the fingerprint of an unparsed statement was lost")
	}
	if p := c.parse(req("SELEKT")); p.err == nil {
		t.Error("a cached parse error was lost")
	}
	if c.lru.Len() > 2 || len(c.entries) != c.lru.Len() {
		t.Errorf("cache holds %d entries, map %d", c.lru.Len(), len(c.entries))
	}
	var off *parseCache
	if p := off.parse(req(fmt.Sprintf("SELECT %d", 3))); p.err != nil {
		t.Error(p.err)
	}
}
