package ledger

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"
)

// BenchmarkWrite measures what recording a statement costs the statement:
// Write on each sink, with every field of the record set. The PostgreSQL
// case reports how fast the sink then stores records, which bounds the
// statement rate it sustains without spooling.
func BenchmarkWrite(b *testing.B) {
	base := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	run := func(b *testing.B, target string) {
		sink, err := Open(context.Background(), target, Options{SpoolDir: b.TempDir(), Buffer: b.N + 1}, zap.NewNop())
		if err != nil {
			b.Fatal(err)
		}
		recs := make([]Record, b.N)
		for i := range recs {
			recs[i] = fullRecord(base, i)
		}
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		for i := range recs {
			sink.Write(recs[i])
		}
		b.StopTimer()
		if err := sink.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
		if IsPostgres(target) {
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "stored/s")
		}
	}
	b.Run("file", func(b *testing.B) {
		run(b, filepath.Join(b.TempDir(), "ledger.jsonl"))
	})
	b.Run("postgres", func(b *testing.B) {
		if pgEnv.skip != "" {
			b.Skip(pgEnv.skip)
		}
		run(b, newDatabase(b))
	})
}

// BenchmarkRead measures how fast reports read 100,000 records from each
// sink.
func BenchmarkRead(b *testing.B) {
	const n = 100_000
	base := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	run := func(b *testing.B, target string) {
		sink, err := Open(context.Background(), target, Options{SpoolDir: b.TempDir(), Buffer: n + 1}, zap.NewNop())
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			sink.Write(fullRecord(base, i))
		}
		if err := sink.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			st, err := Read(context.Background(), target, Span{}, func(Record) error { return nil })
			if err != nil || st.Records != n {
				b.Fatalf("read %d records: %v", st.Records, err)
			}
		}
		b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "records/s")
	}
	b.Run("file", func(b *testing.B) {
		run(b, filepath.Join(b.TempDir(), "ledger.jsonl"))
	})
	b.Run("postgres", func(b *testing.B) {
		if pgEnv.skip != "" {
			b.Skip(pgEnv.skip)
		}
		run(b, newDatabase(b))
	})
}
