package ledger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// spool keeps records on disk while the database cannot take them, as JSON
// lines. A directory may be shared by several processes writing to several
// databases: a file's name carries the database it belongs to, when it was
// begun and the process that wrote it, so that replay takes only its own
// database's files, oldest first, and two processes never write the same
// file. The writing process holds an flock on its current file, so no
// other process replays a file that is still growing.
type spool struct {
	dir  string
	key  string // identifies the database in file names
	proc string // identifies this process in file names

	mu     sync.Mutex
	file   *os.File // the file being written; nil until the next add
	path   string
	size   int64 // bytes in file, to cut off a write that failed halfway
	seq    int
	dirty  bool           // written since the last sync
	closed bool           // after close, every add finishes its file
	counts map[string]int // records this spool counts as pending, per file
	total  atomic.Int64   // the sum of counts, read without the lock
}

// errBusy says that a spool file is held by another process.
var errBusy = errors.New("spool file is being written by another process")

// newSpool returns the spool of the database key in dir, which must exist
// (spoolDir makes it).
func newSpool(dir, key string) *spool {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &spool{
		dir:    dir,
		key:    key,
		proc:   fmt.Sprintf("%d-%s", os.Getpid(), hex.EncodeToString(b[:])),
		counts: map[string]int{},
	}
}

// prefix and suffix bound the names of this database's spool files.
func (sp *spool) prefix() string { return "ledger-" + sp.key + "-" }

const spoolSuffix = ".jsonl"

// add appends recs to the current file, beginning one if there is none, and
// syncs it when sync is set; once the spool is closed, each add finishes
// its file. A write that fails halfway is cut off, so that the next one
// starts on a line of its own.
func (sp *spool) add(recs []Record, sync bool) error {
	var buf []byte
	for i := range recs {
		r := recs[i]
		clean(&r)
		line, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode record %s: %w", r.ID, err)
		}
		buf = append(append(buf, line...), '\n')
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.file == nil {
		if err := sp.begin(); err != nil {
			return err
		}
	}
	if _, err := sp.file.Write(buf); err != nil {
		_ = sp.file.Truncate(sp.size) // if this fails too, replay skips the torn line
		return fmt.Errorf("write %s: %w", sp.path, err)
	}
	sp.size += int64(len(buf))
	sp.counts[sp.path] += len(recs)
	sp.total.Add(int64(len(recs)))
	sp.dirty = true
	if sp.closed {
		// No writer is left to sync or seal it; finish the file now so
		// that it is durable and free for the next process to replay.
		return sp.sealLocked()
	}
	if sync {
		sp.dirty = false
		if err := sp.file.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", sp.path, err)
		}
	}
	return nil
}

// begin creates and locks a new file; sp.mu is held.
func (sp *spool) begin() error {
	sp.seq++
	path := filepath.Join(sp.dir, fmt.Sprintf("%s%019d-%s-%d%s", sp.prefix(), time.Now().UnixNano(), sp.proc, sp.seq, spoolSuffix))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("create a spool file: %w", err)
	}
	if ok, err := tryLock(f); !ok {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("lock spool file %s: %w", path, errors.Join(err, errBusy))
	}
	sp.file, sp.path, sp.size = f, path, 0
	return nil
}

// sync makes what add wrote without syncing durable. Only the goroutine
// that seals and closes the spool calls it, so the file stays open while
// it syncs outside the lock, and adds are not held up by the disk.
func (sp *spool) sync() error {
	sp.mu.Lock()
	f, dirty := sp.file, sp.dirty
	sp.dirty = false
	sp.mu.Unlock()
	if f == nil || !dirty {
		return nil
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync the spool: %w", err)
	}
	return nil
}

// seal finishes the current file, so that it can be replayed while later
// records go to a new one.
func (sp *spool) seal() error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.sealLocked()
}

func (sp *spool) sealLocked() error {
	if sp.file == nil {
		return nil
	}
	err := sp.file.Sync()
	if cerr := sp.file.Close(); err == nil {
		err = cerr
	}
	sp.file, sp.dirty = nil, false
	if err != nil {
		return fmt.Errorf("finish spool file %s: %w", sp.path, err)
	}
	return nil
}

// close seals the current file; records added later each get a file of
// their own, finished at once.
func (sp *spool) close() error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.closed = true
	return sp.sealLocked()
}

// pending is how many records the spool holds that this sink counts.
func (sp *spool) pending() int { return int(sp.total.Load()) }

// files lists this database's spool files, oldest first, and stops
// counting files that are gone: another process replayed them.
func (sp *spool) files() ([]string, error) {
	entries, err := os.ReadDir(sp.dir) // sorted by name, so by the time in it
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range entries {
		if name := e.Name(); e.Type().IsRegular() && strings.HasPrefix(name, sp.prefix()) && strings.HasSuffix(name, spoolSuffix) {
			paths = append(paths, filepath.Join(sp.dir, name))
		}
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for path, n := range sp.counts {
		if _, found := slices.BinarySearch(paths, path); !found && (sp.file == nil || path != sp.path) {
			sp.total.Add(-int64(n))
			delete(sp.counts, path)
		}
	}
	return paths, nil
}

// adopt counts the records in files left by processes that are gone, so
// that the backlog includes them until they are replayed.
func (sp *spool) adopt(ctx context.Context) (files, records int, err error) {
	paths, err := sp.files()
	if err != nil {
		return 0, 0, err
	}
	for _, path := range paths {
		sp.mu.Lock()
		_, known := sp.counts[path]
		sp.mu.Unlock()
		if known {
			continue
		}
		n, err := sp.scan(ctx, path, nil)
		if errors.Is(err, errBusy) || errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return files, records, err
		}
		sp.mu.Lock()
		sp.counts[path] = n
		sp.total.Add(int64(n))
		sp.mu.Unlock()
		files++
		records += n
	}
	return files, records, nil
}

// replay hands the records of the file at path to store in batches of at
// most batch and removes the file once all are stored. It returns
// errBusy, leaving the file alone, when another process holds it, and
// keeps the file when store fails; the ledger's primary key makes storing
// its first records again harmless.
func (sp *spool) replay(ctx context.Context, path string, batch int, store func(context.Context, []Record) error) (ReadStats, error) {
	var st ReadStats
	var pending []Record
	_, err := sp.scan(ctx, path, func(f *os.File) error {
		var ferr error
		st, ferr = readLines(ctx, f, path, Span{}, func(r Record) error {
			pending = append(pending, r)
			if len(pending) < batch {
				return nil
			}
			err := store(ctx, pending)
			pending = pending[:0]
			return err
		})
		if ferr == nil && len(pending) > 0 {
			ferr = store(ctx, pending)
		}
		if ferr != nil {
			return ferr
		}
		// Removed while still locked, so that no other process replays it
		// again after this one is done.
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("remove replayed spool file: %w", err)
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	sp.mu.Lock()
	sp.total.Add(-int64(sp.counts[path]))
	delete(sp.counts, path)
	sp.mu.Unlock()
	return st, nil
}

// scan opens and locks the file at path and calls fn with it; with a nil
// fn it counts the file's records instead. It returns errBusy when another
// process holds the file, and os.ErrNotExist when it is gone or was
// replaced since it was listed.
func (sp *spool) scan(ctx context.Context, path string, fn func(*os.File) error) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if ok, err := tryLock(f); err != nil {
		return 0, fmt.Errorf("lock spool file %s: %w", path, err)
	} else if !ok {
		return 0, errBusy
	}
	// Another process may have replayed and removed the file between the
	// open and the lock.
	opened, err1 := f.Stat()
	named, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(opened, named) {
		return 0, os.ErrNotExist
	}
	if fn != nil {
		return 0, fn(f)
	}
	st, err := readLines(ctx, f, path, Span{}, func(Record) error { return nil })
	return st.Records, err
}
