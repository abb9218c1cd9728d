package e2e

import (
	"testing"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	ctrino "github.com/skimdata/skim/catalog/trino"
	ptrino "github.com/skimdata/skim/proxy/trino"
)

// TestLiveCatalog runs skim without a static catalog: it describes the
// table by asking the coordinator (information_schema, "events$partitions",
// SHOW STATS) through trino-go-client, caches the answer, and rewrites.
func TestLiveCatalog(t *testing.T) {
	if env.skip != "" {
		t.Skipf("skipping: %s", env.skip)
	}
	live, err := ctrino.New(ctrino.Options{Server: env.upstreamURL}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Close() })
	s := startSkimWith(t, catalog.NewCache(live, catalog.CacheOptions{}, zap.NewNop()), ptrino.Options{})
	db := openTrino(t, s.url, "")
	for i := 0; i < 2; i++ {
		resetUpstream(t)
		_, rows := queryRows(t, db, "SELECT user_id FROM events ORDER BY rand() LIMIT 100")
		if len(rows) != 100 {
			t.Fatalf("run %d: got %d rows, want 100", i, len(rows))
		}
		var catalogQueries, rewritten int
		for _, st := range env.upstream.Statements() {
			switch {
			case st.Source == "skim-catalog":
				catalogQueries++
			case st.Statement != "SELECT user_id FROM events ORDER BY rand() LIMIT 100":
				rewritten++
			}
		}
		if rewritten == 0 {
			t.Errorf("run %d: the statement was not rewritten with the live catalog's statistics", i)
		}
		if i == 0 && catalogQueries == 0 {
			t.Error("the first statement did not ask the coordinator for the table's statistics")
		}
		if i == 1 && catalogQueries != 0 {
			t.Errorf("the second statement asked the coordinator again (%d queries); the cache should answer", catalogQueries)
		}
	}
}
