package ledger

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Span selects records by time: From inclusive, To exclusive; a zero bound
// is open.
type Span struct {
	From, To time.Time
}

// Contains reports whether t falls in the span.
func (s Span) Contains(t time.Time) bool {
	return (s.From.IsZero() || !t.Before(s.From)) && (s.To.IsZero() || t.Before(s.To))
}

// ReadStats says how a read went: records handed over and records skipped
// as unreadable, with the first few problems described.
type ReadStats struct {
	Records  int
	Skipped  int
	Problems []string
}

// maxProblems bounds how many skipped lines a read describes.
const maxProblems = 10

func (s *ReadStats) skip(problem string) {
	s.Skipped++
	if len(s.Problems) < maxProblems {
		s.Problems = append(s.Problems, problem)
	}
}

// Read calls fn for each record in span, oldest first for a PostgreSQL
// ledger and in file order for a file. An unreadable record is skipped and
// counted, never fatal; an error from fn stops the read and is returned.
func Read(ctx context.Context, source string, span Span, fn func(Record) error) (ReadStats, error) {
	if IsPostgres(source) {
		return readPostgres(ctx, source, span, fn)
	}
	f, err := os.Open(source)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return ReadStats{}, fmt.Errorf("no ledger at %s: %w; pass the file skim serve writes (its --ledger flag or ledger.file setting)", source, err)
		}
		return ReadStats{}, fmt.Errorf("open the ledger: %w", err)
	}
	defer f.Close()
	return readLines(ctx, f, source, span, fn)
}

// readLines reads JSON-lines records from r; name is used in problems.
func readLines(ctx context.Context, r io.Reader, name string, span Span, fn func(Record) error) (ReadStats, error) {
	var st ReadStats
	var dec decoder
	br := bufio.NewReaderSize(r, 1<<16)
	for line := 1; ; line++ {
		if line%4096 == 0 && ctx.Err() != nil {
			return st, ctx.Err()
		}
		text, err := br.ReadBytes('\n')
		if len(text) > 0 && !isBlank(text) {
			rec, jerr := dec.decode(text)
			switch {
			case jerr != nil:
				st.skip(fmt.Sprintf("%s:%d: not a ledger record (%v)", name, line, jerr))
			case rec.Time.IsZero() || rec.Decision == "":
				st.skip(fmt.Sprintf("%s:%d: not a ledger record (no time or decision)", name, line))
			case span.Contains(rec.Time):
				st.Records++
				if ferr := fn(rec); ferr != nil {
					return st, ferr
				}
			}
		}
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("read the ledger %s: %w", name, err)
		}
	}
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
