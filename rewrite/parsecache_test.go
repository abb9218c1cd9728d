package rewrite

import (
	"fmt"
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
)

func TestParseCache(t *testing.T) {
	c := newParseCache(2)
	req := func(sql string) Request { return Request{SQL: sql, Dialect: stmt.Trino} }
	a1, _ := c.parse(req("SELECT 1"))
	a2, _ := c.parse(req("SELECT 1"))
	if a1 != a2 {
		t.Error("a repeated statement was parsed again")
	}
	other, _ := c.parse(Request{SQL: "SELECT 1", Dialect: stmt.Trino, Session: stmt.Session{Catalog: "x"}})
	if other == a1 {
		t.Error("statements with different session defaults share a parse")
	}
	c.parse(req("SELECT 2"))
	if a3, _ := c.parse(req("SELECT 1")); a3 == a1 {
		t.Error("the least recently used entry was kept beyond the cache's size")
	}
	if _, err := c.parse(req("SELEKT")); err == nil {
		t.Error("a parse error was lost")
	}
	if _, err := c.parse(req("SELEKT")); err == nil {
		t.Error("a cached parse error was lost")
	}
	if c.lru.Len() > 2 || len(c.entries) != c.lru.Len() {
		t.Errorf("cache holds %d entries, map %d", c.lru.Len(), len(c.entries))
	}
	var off *parseCache
	if _, err := off.parse(req(fmt.Sprintf("SELECT %d", 3))); err != nil {
		t.Error(err)
	}
}
