package proxy

import (
	"context"
	"path/filepath"
	"testing"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy/ledger"
	"github.com/skimdata/skim/rewrite"
	"github.com/skimdata/skim/rewrite/stmt"
)

// BenchmarkStatement measures skim's own cost per statement on the
// pipeline: the policy, the engine (a repeated statement, as notebooks
// send), the outcome and the ledger record written to a file.
func BenchmarkStatement(b *testing.B) {
	cat, err := catalog.LoadStatic("../catalog/testdata/example.yaml")
	if err != nil {
		b.Fatal(err)
	}
	sink, err := ledger.Open(context.Background(), filepath.Join(b.TempDir(), "ledger.jsonl"), ledger.Options{}, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close(context.Background())
	p := NewPipeline(rewrite.NewEngine(cat, rewrite.Options{}, zap.NewNop()), config.Default(), Options{}, zap.NewNop())
	p.SetLedger(sink)
	s := Statement{Frontend: "trino", Dialect: stmt.Trino, SQL: randLimit, Who: config.Who{User: "notebook", Source: "jupyter"}}
	processed := int64(1 << 30)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run, err := p.Decide(context.Background(), s)
		if err != nil {
			b.Fatal(err)
		}
		run.Observe(Outcome{QueryID: "q", Rows: 1000, BytesProcessed: &processed})
		run.Finish()
	}
}
