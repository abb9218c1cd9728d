package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
)

const (
	// batchSize and flushInterval bound how long a record waits in memory:
	// a batch is written when it is full or a second has passed.
	batchSize     = 500
	flushInterval = time.Second
	// startTimeout bounds Open's first attempt to reach the database;
	// after it, Open returns and the sink spools until the database is
	// back.
	startTimeout = 5 * time.Second
	// writeTimeout bounds one batch; a database slower than that is
	// treated as down.
	writeTimeout = 30 * time.Second
	// connectTimeout applies when the URL sets no connect_timeout, so that
	// an address that drops packets is found out.
	connectTimeout = 10 * time.Second
	// minBackoff and maxBackoff bound the wait between attempts to reach
	// a database that is down.
	minBackoff = 500 * time.Millisecond
	maxBackoff = 15 * time.Second
)

// pgSink writes records to PostgreSQL from one goroutine, in batches.
// Write puts a record in a bounded channel; when the channel is full, or
// the database is down, records go to the spool, which is replayed once
// the database is back; files left by processes that are gone are replayed
// at start and after each outage. The ledger's primary key makes a replay
// harmless when some of its records were stored already.
type pgSink struct {
	log     *zap.Logger
	target  string   // the URL without its password, for messages
	secrets []string // passwords to scrub from errors
	pool    *pgxpool.Pool
	spool   *spool

	in chan Record
	// mu is held shared by Write while it hands a record to in, so that
	// once Close has set closed no record is left behind in the channel.
	mu     sync.RWMutex
	closed bool
	// mem counts records in the channel or in the writer's hands, not yet
	// stored or spooled.
	mem atomic.Int64
	// overflowing is set while Write spools because the channel is full,
	// so that the warning is logged once.
	overflowing atomic.Bool
	// lost counts records that could be neither stored nor spooled.
	lost atomic.Int64

	stopping  chan struct{}      // closed by Close
	done      chan struct{}      // closed when the writer has finished
	cancel    context.CancelFunc // ends the writer's context when Close gives up
	closeOnce sync.Once

	// The writer goroutine's own state.
	down      bool
	downSince time.Time
	retryAt   time.Time
	backoff   time.Duration
	spooled   int  // records spooled since the database went down
	rescan    bool // look for spool files, including other processes'
	newerSeen bool // the schema is newer than this skim's; warned once
}

// openPostgres connects to the database at dsn, creates or migrates the
// ledger's tables and starts the writer. A database that cannot be reached
// is not an error: the sink spools until it can. A URL that does not parse,
// or a database that refuses skim (wrong password, missing database, no
// right to create the tables), is.
func openPostgres(ctx context.Context, dsn string, opts Options, log *zap.Logger) (Sink, error) {
	if log == nil {
		log = zap.NewNop()
	}
	cfg, target, secrets, err := parseDSN(dsn, pgxpool.ParseConfig, func(c *pgxpool.Config) *pgx.ConnConfig { return c.ConnConfig })
	if err != nil {
		return nil, err
	}
	// One writer needs one connection; the second covers a connection
	// being replaced.
	cfg.MaxConns = 2
	cfg.MinConns = 0

	dir, err := spoolDir(opts.SpoolDir)
	if err != nil {
		return nil, err
	}
	sp := newSpool(dir, spoolKey(cfg.ConnConfig))
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("set up the ledger database %s: %w", target, redactErr(err, secrets))
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &pgSink{
		log:      log,
		target:   target,
		secrets:  secrets,
		pool:     pool,
		spool:    sp,
		in:       make(chan Record, opts.Buffer),
		stopping: make(chan struct{}),
		done:     make(chan struct{}),
		cancel:   cancel,
		rescan:   true,
	}

	startCtx, cancelStart := context.WithTimeout(ctx, startTimeout)
	err = s.connect(startCtx)
	cancelStart()
	if err != nil {
		if fix := fixFor(err); fix != "" {
			cancel()
			pool.Close()
			return nil, fmt.Errorf("the ledger database %s: %w; %s", target, err, fix)
		}
		s.goDown("the ledger database is unreachable; spooling records until it is back", err)
	}
	files, records, err := sp.adopt(ctx)
	if err != nil {
		log.Warn("could not read the ledger spool; its records are replayed later", zap.String("spool", dir), zap.Error(err))
	}
	if records > 0 {
		log.Info("found ledger records spooled by an earlier skim; they are stored when the database is reachable",
			zap.Int("records", records), zap.Int("files", files), zap.String("spool", dir))
	}
	log.Info("ledger writes to PostgreSQL", zap.String("database", target), zap.String("spool", dir))
	go s.run(runCtx)
	return s, nil
}

// parseDSN parses the ledger database URL dsn with parse, pgx's or
// pgxpool's, whose configuration conn returns the connection settings of.
// It returns the configuration with a connect timeout when the URL sets
// none; target, the URL with its passwords redacted, for messages; and the
// secrets to scrub from errors: the passwords the URL spells out and the
// one pgx settled on, from the URL, PGPASSWORD or .pgpass.
func parseDSN[C any](dsn string, parse func(string) (C, error), conn func(C) *pgx.ConnConfig) (cfg C, target string, secrets []string, err error) {
	target = redactDSN(dsn)
	secrets = dsnSecrets(dsn)
	cfg, err = parse(dsn)
	if err != nil {
		return cfg, target, secrets, fmt.Errorf("the ledger database URL %s does not parse: %w; write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE", target, redactErr(err, secrets))
	}
	cc := conn(cfg)
	if cc.Password != "" {
		secrets = append(secrets, cc.Password)
	}
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = connectTimeout
	}
	return cfg, target, secrets, nil
}

// spoolDir returns dir, or by default a directory in the user's cache,
// else in the temporary directory, and creates it.
func spoolDir(dir string) (string, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("create the ledger spool directory: %w; set the spool directory to one skim may write", err)
		}
		return dir, nil
	}
	if cache, err := os.UserCacheDir(); err == nil {
		dir = filepath.Join(cache, "skim", "ledger-spool")
		if err := os.MkdirAll(dir, 0o700); err == nil {
			return dir, nil
		}
	}
	dir = filepath.Join(os.TempDir(), "skim", "ledger-spool")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create the ledger spool directory: %w; set the spool directory to one skim may write", err)
	}
	return dir, nil
}

// spoolKey names the database in spool file names, so that records are
// replayed only into the database they were meant for. The password and
// settings that do not change the database are left out.
func spoolKey(cfg *pgx.ConnConfig) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%s\x00%s", cfg.Host, cfg.Port, cfg.Database, cfg.User))
	return hex.EncodeToString(sum[:8])
}

// Write hands r to the writer, or, when the writer is behind or the sink
// closed, appends it to the spool; it never waits for the database.
func (s *pgSink) Write(r Record) {
	s.mu.RLock()
	if !s.closed {
		// Counted before it is sent, so that the writer never takes a
		// record that Backlog does not count.
		s.mem.Add(1)
		select {
		case s.in <- r:
			s.mu.RUnlock()
			return
		default:
			s.mem.Add(-1)
		}
		if s.overflowing.CompareAndSwap(false, true) {
			s.log.Warn("the ledger's buffer is full; spooling records to disk until the database catches up",
				zap.Int("buffer", cap(s.in)), zap.String("spool", s.spool.dir))
		}
	}
	s.mu.RUnlock()
	// The writer syncs the spool within flushInterval; syncing here would
	// make the statement wait for the disk.
	if err := s.spool.add([]Record{r}, false); err != nil {
		s.lose(1, err)
	}
}

// Backlog counts records accepted and not yet stored: in memory and in
// spool files this sink wrote or found at start.
func (s *pgSink) Backlog() int {
	return int(s.mem.Load()) + s.spool.pending()
}

// Close stores what the writer holds before ctx ends and spools the rest,
// for the next skim to replay. Its error reports records that could be
// neither stored nor spooled.
func (s *pgSink) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.stopping)
		select {
		case <-s.done:
		case <-ctx.Done():
			s.cancel() // what is in flight goes to the spool
			<-s.done
		}
		s.cancel()
		s.pool.Close()
		if err := s.spool.close(); err != nil {
			s.log.Error("could not finish the ledger spool", zap.Error(err))
		}
		if n := s.spool.pending(); n > 0 {
			s.log.Warn("ledger records left in the spool; skim stores them when it next starts with this database",
				zap.Int("records", n), zap.String("spool", s.spool.dir))
		}
	})
	if n := s.lost.Load(); n > 0 {
		return fmt.Errorf("%d ledger records could be neither stored nor spooled; the log says why", n)
	}
	return nil
}

// run is the writer: it gathers batches and stores or spools them, and
// between batches retries the database and replays the spool. ctx ends
// when Close gives up waiting; what is left then goes to the spool.
func (s *pgSink) run(ctx context.Context) {
	defer close(s.done)
	batch := make([]Record, 0, batchSize)
	s.maintain(ctx)
	for {
		var stop bool
		batch, stop = s.collect(batch[:0])
		s.flush(ctx, batch)
		if stop {
			s.drain(ctx, batch[:0])
			return
		}
		s.maintain(ctx)
	}
}

// collect gathers records until the batch is full, flushInterval has
// passed or Close is called.
func (s *pgSink) collect(batch []Record) ([]Record, bool) {
	timer := time.NewTimer(flushInterval)
	defer timer.Stop()
	for len(batch) < batchSize {
		select {
		case r := <-s.in:
			batch = append(batch, r)
		case <-timer.C:
			return batch, false
		case <-s.stopping:
			return batch, true
		}
	}
	return batch, false
}

// drain flushes what is left in the channel once Close is called.
func (s *pgSink) drain(ctx context.Context, batch []Record) {
	for {
		select {
		case r := <-s.in:
			batch = append(batch, r)
			if len(batch) == batchSize {
				s.flush(ctx, batch)
				batch = batch[:0]
			}
		default:
			s.flush(ctx, batch)
			return
		}
	}
}

// flush stores batch, or spools it when the database is down or fails.
func (s *pgSink) flush(ctx context.Context, batch []Record) {
	if len(batch) == 0 {
		return
	}
	if !s.down && ctx.Err() == nil {
		err := s.store(ctx, batch)
		if err == nil {
			s.mem.Add(-int64(len(batch)))
			return
		}
		if ctx.Err() == nil {
			s.goDown("could not write to the ledger database; spooling records until it is back", err)
		}
	}
	// Spooled before it stops counting as in memory, so that Backlog
	// never dips to zero in between.
	if err := s.spool.add(batch, true); err != nil {
		s.lose(len(batch), err)
	}
	s.mem.Add(-int64(len(batch)))
	s.spooled += len(batch)
}

// store writes recs within writeTimeout. When the database refuses the
// data itself, the records are written one by one and those it refuses are
// dropped: retrying them would hold up the rest for ever.
func (s *pgSink) store(ctx context.Context, recs []Record) error {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	err := insertRecords(ctx, s.pool, recs)
	if !isDataError(err) {
		return s.redact(err)
	}
	for _, r := range recs {
		err := insertRecords(ctx, s.pool, []Record{r})
		switch {
		case isDataError(err):
			s.log.Error("the ledger database refused a record; it is dropped", zap.String("id", r.ID), zap.Error(s.redact(err)))
		case err != nil:
			return s.redact(err)
		}
	}
	return nil
}

// maintain syncs what Write spooled, retries a database that is down once
// its backoff has passed, and replays the spool when it holds records.
func (s *pgSink) maintain(ctx context.Context) {
	if err := s.spool.sync(); err != nil {
		s.log.Error("could not sync the ledger spool; records written since the last sync may be lost if the machine fails", zap.Error(err))
	}
	if ctx.Err() != nil {
		return
	}
	if s.down {
		if time.Now().Before(s.retryAt) {
			return
		}
		if err := s.connect(ctx); err != nil {
			s.backoff = min(2*s.backoff, maxBackoff)
			s.retryAt = time.Now().Add(s.backoff)
			s.log.Debug("the ledger database is still unreachable", zap.String("database", s.target), zap.Duration("retry_in", s.backoff), zap.Error(err))
			return
		}
		s.down = false
		s.rescan = true
		s.log.Info("the ledger database is reachable again", zap.String("database", s.target),
			zap.Duration("down_for", time.Since(s.downSince).Round(time.Millisecond)), zap.Int("spooled", s.spooled))
	}
	if s.rescan || s.spool.pending() > 0 {
		s.replay(ctx)
	}
}

// connect checks that the database answers and brings its schema up to
// date: after an outage it may be a new database.
func (s *pgSink) connect(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return s.redact(err)
	}
	defer conn.Release()
	version, err := migrate(ctx, conn.Conn())
	if err != nil {
		return s.redact(fmt.Errorf("set up the ledger's tables: %w", err))
	}
	if newest := len(schemaVersions()); version > newest && !s.newerSeen {
		s.newerSeen = true
		s.log.Warn("the ledger's schema is newer than this skim's; writing the columns this skim knows",
			zap.Int("database_version", version), zap.Int("skim_version", newest))
	}
	return nil
}

// replay stores the spool's files, oldest first, including those left by
// processes that are gone, and removes each once it is stored. It stops at
// the first failure, keeping that file and those after it.
func (s *pgSink) replay(ctx context.Context) {
	s.rescan = false
	if err := s.spool.seal(); err != nil {
		s.log.Error("could not finish a ledger spool file", zap.Error(err))
	}
	paths, err := s.spool.files()
	if err != nil {
		s.log.Error("could not list the ledger spool", zap.String("spool", s.spool.dir), zap.Error(err))
		return
	}
	var total ReadStats
	var files int
	for _, path := range paths {
		select {
		case <-s.stopping:
			return // the next skim replays the rest
		default:
		}
		st, err := s.spool.replay(ctx, path, batchSize, s.store)
		if errors.Is(err, errBusy) || errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			if ctx.Err() == nil {
				s.goDown("could not replay the ledger spool; keeping it until the database is back", err)
			}
			break
		}
		total.Add(st)
		files++
	}
	if total.Skipped > 0 {
		s.log.Warn("skipped unreadable lines in the ledger spool", zap.Int("lines", total.Skipped), zap.Strings("problems", total.Problems))
	}
	if files > 0 {
		s.log.Info("replayed the ledger spool", zap.Int("records", total.Records), zap.Int("files", files), zap.Int("backlog", s.Backlog()))
	}
	if !s.down {
		s.spooled = 0
		if s.spool.pending() == 0 {
			s.overflowing.Store(false)
		}
	}
}

// goDown marks the database down, logging why once per outage, and
// schedules the first retry.
func (s *pgSink) goDown(msg string, err error) {
	s.backoff = minBackoff
	s.retryAt = time.Now().Add(s.backoff)
	if s.down {
		return
	}
	s.down = true
	s.downSince = time.Now()
	s.log.Warn(msg, zap.String("database", s.target), zap.String("spool", s.spool.dir),
		zap.Int("backlog", s.Backlog()), zap.Error(s.redact(err)))
}

// lose logs records that could be neither stored nor spooled.
func (s *pgSink) lose(n int, err error) {
	s.lost.Add(int64(n))
	s.log.Error("ledger records lost: the spool cannot be written; free space in it or make it writable",
		zap.Int("records", n), zap.String("spool", s.spool.dir), zap.Error(err))
}

// redact scrubs the database's password from err.
func (s *pgSink) redact(err error) error { return redactErr(err, s.secrets) }

// readPostgres streams the records of span from the ledger at dsn, oldest
// first.
func readPostgres(ctx context.Context, dsn string, span Span, fn func(Record) error) (ReadStats, error) {
	var st ReadStats
	cfg, target, secrets, err := parseDSN(dsn, pgx.ParseConfig, func(c *pgx.ConnConfig) *pgx.ConnConfig { return c })
	if err != nil {
		return st, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return st, fmt.Errorf("connect to the ledger database %s: %w; check that it is running and that the URL's host, port, user and password are right", target, redactErr(err, secrets))
	}
	defer conn.Close(context.WithoutCancel(ctx))

	// Cancelled when fn stops the read early, so that the server stops
	// sending rows rather than the connection reading them all.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	query, args := spanQuery(span)
	rows, err := conn.Query(ctx, query, args...)
	if err != nil {
		return st, readError(target, err, secrets)
	}
	defer rows.Close()
	for rows.Next() {
		rec, labels, err := scanRecord(rows)
		if err != nil {
			return st, readError(target, err, secrets)
		}
		if err := json.Unmarshal(labels, &rec.Labels); err != nil {
			st.skip(fmt.Sprintf("%s: record %s: labels are not an object of strings (%v)", ledgerTable, rec.ID, err))
			continue
		}
		if len(rec.Labels) == 0 {
			rec.Labels = nil
		}
		st.Records++
		if err := fn(rec); err != nil {
			cancel()
			return st, err
		}
	}
	if err := rows.Err(); err != nil {
		return st, readError(target, err, secrets)
	}
	return st, nil
}

// spanQuery selects the records of span in time order, with only the
// bounds span has, so that the planner can use the index on time.
func spanQuery(span Span) (string, []any) {
	var where []string
	var args []any
	if !span.From.IsZero() {
		args = append(args, span.From)
		where = append(where, fmt.Sprintf("time >= $%d", len(args)))
	}
	if !span.To.IsZero() {
		args = append(args, span.To)
		where = append(where, fmt.Sprintf("time < $%d", len(args)))
	}
	q := "SELECT " + columnList + " FROM " + ledgerTable
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return q + " ORDER BY time, id", args
}

// readError explains an error from reading the ledger table.
func readError(target string, err error, secrets []string) error {
	if sqlState(err) == "42P01" { // undefined_table
		return fmt.Errorf("no skim ledger in this database (%s): %w; point --ledger at the database skim serve writes to", target, redactErr(err, secrets))
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return fmt.Errorf("read the ledger database %s: %w; check that it is still reachable", target, redactErr(err, secrets))
	}
	return fmt.Errorf("read the ledger database %s: %w", target, redactErr(err, secrets))
}
