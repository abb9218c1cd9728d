package ledger

import (
	"bufio"
	"bytes"
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

// Add counts the records and skipped lines of a later read in s, keeping
// the first problems of both, as one read over both parts would.
func (s *ReadStats) Add(o ReadStats) {
	s.Records += o.Records
	s.Skipped += o.Skipped
	if n := min(len(o.Problems), maxProblems-len(s.Problems)); n > 0 {
		s.Problems = append(s.Problems, o.Problems[:n]...)
	}
}

// Read calls fn for each record in span, oldest first for a PostgreSQL
// ledger and in file order for a file. An unreadable record is skipped and
// counted, never fatal; an error from fn stops the read and is returned.
func Read(ctx context.Context, source string, span Span, fn func(Record) error) (ReadStats, error) {
	if IsPostgres(source) {
		return readPostgres(ctx, source, span, fn)
	}
	f, err := openLedger(source)
	if err != nil {
		return ReadStats{}, err
	}
	defer f.Close()
	return readLines(ctx, f, source, span, fn)
}

// openLedger opens a ledger file for reading.
func openLedger(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no ledger at %s: %w; pass the file skim serve writes (its --ledger flag or ledger.file setting)", path, err)
		}
		return nil, fmt.Errorf("open the ledger: %w", err)
	}
	return f, nil
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
		if ferr := st.line(&dec, text, name, line, span, fn); ferr != nil {
			return st, ferr
		}
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return st, fmt.Errorf("read the ledger %s: %w", name, err)
		}
	}
}

// line reads the record on line number n of the ledger called name and
// hands it to fn if it falls in span. A blank line is nothing; a line that
// holds no record is counted as skipped. Only fn's error is returned.
func (s *ReadStats) line(dec *decoder, text []byte, name string, n int, span Span, fn func(Record) error) error {
	if len(text) == 0 || isBlank(text) {
		return nil
	}
	rec, jerr := dec.decode(text)
	switch {
	case jerr != nil:
		s.skip(fmt.Sprintf("%s:%d: not a ledger record (%v)", name, n, jerr))
	case rec.Time.IsZero() || rec.Decision == "":
		s.skip(fmt.Sprintf("%s:%d: not a ledger record (no time or decision)", name, n))
	case span.Contains(rec.Time):
		s.Records++
		return fn(rec)
	}
	return nil
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// Cursor is how far Tail has read a ledger file, and which file: the zero
// Cursor has read nothing of any file.
type Cursor struct {
	// file is the file read, for os.SameFile.
	file os.FileInfo
	// offset is the byte just past the last whole line read, and lines
	// the number of lines before it, so that problems name lines as a
	// read from the start would.
	offset int64
	lines  int
	// lastAt is where the last line read begins and last its first bytes.
	// A file truncated and written again past offset since (copytruncate
	// rotation, then a busy writer) is the same file and no shorter, but
	// almost surely no longer has that line there.
	lastAt int64
	last   []byte
	// fromStart is set when the read that returned the cursor began at
	// the start of the file.
	fromStart bool
}

// lastPrefix is how much of the last line read a Cursor keeps: enough for
// a record's id and time, which begin its line.
const lastPrefix = 256

// FromStart reports whether the read that returned c read the file from
// its start rather than on from the cursor it was given: that cursor was
// the zero Cursor, or the file was replaced or truncated since. Whatever
// the caller built from earlier reads is then to be dropped, as the
// records it counted are handed over again or are gone.
func (c Cursor) FromStart() bool { return c.fromStart }

// Tail reads the ledger file at path on from cur: it calls fn for each
// record in span on the whole lines added since the read that returned
// cur, and returns the cursor to pass next time. Pass the zero Cursor to
// read from the start.
//
// When the file at path is no longer the one cur was read from (rotated
// by renaming it and creating another), or it was truncated (rotated by
// copying it and truncating it), Tail reads it from the start and the
// cursor it returns says so (Cursor.FromStart). A last line without its
// newline is left for the next call, since a writer may be midway through
// it; unlike Read, Tail never counts it. Unreadable lines are skipped and
// counted as Read does, named by their line number in the file.
//
// On an error Tail returns cur as given, so that the next call reads the
// same lines again: a caller that keeps what fn was handed before the
// error must drop it.
func Tail(ctx context.Context, path string, cur Cursor, span Span, fn func(Record) error) (Cursor, ReadStats, error) {
	if IsPostgres(path) {
		// The URL is not in the message: it may hold a password.
		return cur, ReadStats{}, errors.New("a PostgreSQL ledger cannot be read on from where a read stopped; read it with Read")
	}
	f, err := openLedger(path)
	if err != nil {
		return cur, ReadStats{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return cur, ReadStats{}, fmt.Errorf("read the ledger %s: %w", path, err)
	}
	next := cur
	next.fromStart = false
	if !cur.continues(f, info) {
		next = Cursor{fromStart: true}
	}
	next.file = info
	if _, err := f.Seek(next.offset, io.SeekStart); err != nil {
		return cur, ReadStats{}, fmt.Errorf("read the ledger %s: %w", path, err)
	}
	st, err := next.read(ctx, f, path, span, fn)
	if err != nil {
		return cur, st, err
	}
	return next, st, nil
}

// continues reports whether f, whose FileInfo is info, is the file c was
// read from, with the lines c read still in place.
func (c *Cursor) continues(f *os.File, info os.FileInfo) bool {
	if c.file == nil || !os.SameFile(c.file, info) || info.Size() < c.offset {
		return false
	}
	if len(c.last) == 0 {
		return true
	}
	buf := make([]byte, len(c.last))
	if _, err := f.ReadAt(buf, c.lastAt); err != nil {
		return false
	}
	return bytes.Equal(buf, c.last)
}

// read reads the whole lines of r, which is at c's offset, and moves c
// past them.
func (c *Cursor) read(ctx context.Context, r io.Reader, name string, span Span, fn func(Record) error) (ReadStats, error) {
	var st ReadStats
	var dec decoder
	br := bufio.NewReaderSize(r, 1<<16)
	var last []byte
	for {
		if c.lines%4096 == 0 && ctx.Err() != nil {
			return st, ctx.Err()
		}
		text, err := br.ReadBytes('\n')
		if err == io.EOF {
			// Whatever is left has no newline yet: the next read takes
			// it once it has.
			break
		}
		if err != nil {
			return st, fmt.Errorf("read the ledger %s: %w", name, err)
		}
		c.lines++
		if ferr := st.line(&dec, text, name, c.lines, span, fn); ferr != nil {
			return st, ferr
		}
		c.lastAt = c.offset
		c.offset += int64(len(text))
		last = text
	}
	if last != nil {
		c.last = bytes.Clone(last[:min(len(last), lastPrefix)])
	}
	return st, nil
}
