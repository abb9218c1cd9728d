package rewrite

import (
	"context"
	"net"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	ctrino "github.com/skimdata/skim/catalog/trino"
	"github.com/skimdata/skim/rewrite/stmt"
)

// TestCatalogFailureReason: when the live catalog cannot describe a
// table, the statement passes through and the reason says so once, with
// the catalog's own explanation.
func TestCatalogFailureReason(t *testing.T) {
	// A port nothing listens on: the coordinator is down.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	live, err := ctrino.New(ctrino.Options{Server: "http://" + addr}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	engine := NewEngine(catalog.NewCache(live, catalog.CacheOptions{}, zap.NewNop()), Options{}, zap.NewNop())
	res, err := engine.Rewrite(context.Background(), Request{SQL: "SELECT * FROM hive.web.events ORDER BY rand() LIMIT 5", Dialect: stmt.Trino})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision != Passthrough || strings.Count(res.Reason, "could not describe hive.web.events") != 1 || !strings.Contains(res.Reason, "trino catalog") {
		t.Errorf("decision %s, reason %q; want a passthrough saying once that the catalog could not describe the table, and why", res.Decision, res.Reason)
	}
}
