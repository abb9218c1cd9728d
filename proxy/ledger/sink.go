package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Sink stores records. Write never blocks the statement that produced the
// record and never fails it: a sink that cannot keep up or reach its store
// keeps the record somewhere durable and says so in the log.
type Sink interface {
	// Write accepts one record.
	Write(r Record)
	// Backlog is the number of accepted records not yet in the store.
	Backlog() int
	// Close stores what it can before ctx ends and releases the sink.
	Close(ctx context.Context) error
}

// IsPostgres reports whether target names a PostgreSQL database rather
// than a file.
func IsPostgres(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// Options tune Open.
type Options struct {
	// SpoolDir is where a PostgreSQL sink keeps records while the
	// database is unreachable. Default: a directory under the user's
	// cache directory.
	SpoolDir string
	// Buffer is how many records a sink holds in memory. Default 10000.
	Buffer int
}

// Open returns the sink for target: a postgres:// or postgresql:// URL, or
// a file that JSON lines are appended to.
func Open(ctx context.Context, target string, opts Options, log *zap.Logger) (Sink, error) {
	if opts.Buffer <= 0 {
		opts.Buffer = 10000
	}
	if IsPostgres(target) {
		return openPostgres(ctx, target, opts, log)
	}
	return openFile(target)
}

// fileSink appends JSON lines to a file through a buffered writer that
// flushes every second, so a record costs a memory copy on the statement's
// path.
type fileSink struct {
	mu   sync.Mutex
	file *os.File
	out  *zapcore.BufferedWriteSyncer
}

func openFile(path string) (*fileSink, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open the ledger file: %w; check the path and that skim may write there", err)
	}
	return &fileSink{file: f, out: &zapcore.BufferedWriteSyncer{WS: f, FlushInterval: time.Second}}, nil
}

func (s *fileSink) Write(r Record) {
	line, err := json.Marshal(r)
	if err != nil {
		return
	}
	line = append(line, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.out.Write(line)
}

func (s *fileSink) Backlog() int { return 0 }

func (s *fileSink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.out.Stop()
	if cerr := s.file.Close(); err == nil {
		err = cerr
	}
	return err
}
