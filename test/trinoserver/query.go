package trinoserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.uber.org/zap"
)

const (
	// maxWait is how long a page waits for rows before it answers with
	// none, as Trino's default long poll does, so a client can cancel.
	maxWait = time.Second
	// resultBuffer is how many pages of rows a query reads ahead of its
	// client; more would keep a huge result in memory.
	resultBuffer = 2
	// cleanupTimeout bounds rollback and cancel requests made after the
	// query's own context is done.
	cleanupTimeout = 5 * time.Second
)

// Page kinds, as in the nextUri paths.
const (
	queuedPage    = "queued"
	executingPage = "executing"
)

// batch is what a running query hands to the page the client polls.
type batch struct {
	columns []column // set once, on the first batch
	rows    [][]any
	// done marks the last batch, which has the outcome.
	done        bool
	failure     *failure
	updateType  string
	updateCount *int64
	headers     http.Header
	scanned     scanned
}

// page is one response, kept so that a retried GET gets it again.
type page struct {
	kind   string
	token  int64
	body   []byte
	header http.Header
}

// query is one statement from POST to its last page.
type query struct {
	srv     *Server
	id      string
	slug    string
	rec     *Received // guarded by srv.mu
	plan    *plan
	schema  string
	created time.Time
	idle    *time.Timer
	ctx     context.Context
	cancel  context.CancelFunc
	results chan batch
	// columnTypes are Trino types of table columns that typeOf cannot
	// tell from the PostgreSQL type, set before the statement runs.
	columnTypes map[columnRef]trinoType

	mu        sync.Mutex // serializes pages
	nextKind  string     // the page the client may ask for next
	nextToken int64
	last      *page
	startedAt time.Time
	columns   []column
	rowsSent  int64
	final     *batch
	finished  time.Time
}

// touch keeps a polled query from being abandoned.
func (q *query) touch() { q.idle.Reset(q.srv.opts.IdleTimeout) }

// start runs the statement in the background; the first GET of the queued
// page calls it, as Trino starts a query only once its client polls.
func (q *query) start() {
	q.startedAt = time.Now()
	q.srv.mu.Lock()
	q.rec.Executed = q.plan.executed
	q.srv.mu.Unlock()
	go q.run()
}

// run produces the batches of the statement and always ends with a done
// batch, unless the query is cancelled first.
func (q *query) run() {
	defer close(q.results)
	final := q.produce()
	final.done = true
	select {
	case q.results <- final:
	case <-q.ctx.Done():
	}
}

func (q *query) produce() (final batch) {
	defer func() {
		if r := recover(); r != nil {
			q.srv.log.Error("query panicked", zap.String("query_id", q.id), zap.Any("panic", r), zap.Stack("stack"))
			final = batch{failure: fail(genericInternalError, fmt.Sprintf("internal error: %v", r))}
		}
	}()
	p := q.plan
	switch {
	case p.failure != nil:
		return batch{failure: p.failure}
	case p.executed == "":
		return batch{
			columns:    []column{{Name: "result", Type: "boolean", TypeSignature: typeSignature{RawType: "boolean", Arguments: []typeArgument{}}}},
			rows:       [][]any{{true}},
			updateType: p.updateType,
			headers:    p.headers,
		}
	}
	final, err := q.execute()
	if err != nil {
		final.failure = toFailure(err)
		if q.ctx.Err() == nil {
			q.srv.log.Info("query failed", zap.String("query_id", q.id), zap.Error(err))
		}
	}
	return final
}

// execute runs the PostgreSQL statement on a connection of its own,
// inside a transaction so that its I/O counters can be read (see scan.go).
func (q *query) execute() (final batch, err error) {
	ctx := q.ctx
	conn, err := q.srv.pool.Acquire(ctx)
	if err != nil {
		return final, fmt.Errorf("acquire a PostgreSQL connection: %w", err)
	}
	discard := false
	defer func() {
		// A cancelled connection may still carry the cancel request or a
		// half-read result: never hand it to the next query.
		if discard || ctx.Err() != nil {
			closeCtx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
			defer cancel()
			_ = conn.Hijack().Close(closeCtx) // the connection is discarded either way
			return
		}
		conn.Release()
	}()
	// pgx only drops the connection when the context ends; PostgreSQL
	// keeps running the statement until told, so tell it.
	pgConn := conn.Conn().PgConn()
	stopCancel := context.AfterFunc(ctx, func() {
		cancelCtx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := pgConn.CancelRequest(cancelCtx); err != nil {
			q.srv.log.Warn("could not send cancel request to PostgreSQL", zap.String("query_id", q.id), zap.Error(err))
		}
	})
	defer stopCancel()

	searchPath := ""
	if q.schema != "" {
		searchPath = pgx.Identifier{q.schema}.Sanitize() + ", public"
	}
	// Parallel workers count their reads in their own backends, out of
	// reach of this transaction's counters, so the query runs serially.
	// JIT compilation makes PostgreSQL miss a cancel that arrives while it
	// compiles, and a test server has no use for it.
	const setupSQL = `SELECT set_config('max_parallel_workers_per_gather', '0', $2), set_config('jit', 'off', $2),
		CASE WHEN $1 <> '' THEN set_config('search_path', $1, $2) END`

	if q.plan.noTransaction {
		// The settings outlive the statement, so the connection must not
		// go back to the pool.
		discard = true
		if _, err := conn.Exec(ctx, setupSQL, searchPath, false); err != nil {
			return final, fmt.Errorf("set up the session: %w", err)
		}
		return q.stream(ctx, conn.Conn())
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return final, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		rbCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = tx.Rollback(rbCtx) // after Commit a no-op; after an error the error is what matters
	}()
	if _, err := tx.Exec(ctx, setupSQL, searchPath, true); err != nil {
		return final, fmt.Errorf("set up the session: %w", err)
	}
	if q.columnTypes, err = createPartitionsTables(ctx, tx, q.plan.partitions); err != nil {
		return final, err
	}
	before, err := readIO(ctx, tx)
	if err != nil {
		return final, err
	}
	if final, err = q.stream(ctx, tx); err != nil {
		return final, err
	}
	after, err := readIO(ctx, tx)
	if err != nil {
		return final, err
	}
	if final.scanned, err = measure(ctx, tx, before, after); err != nil {
		return final, err
	}
	if err := tx.Commit(ctx); err != nil {
		return final, fmt.Errorf("commit: %w", err)
	}
	return final, nil
}

// querier is a pgx connection or transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// stream runs the statement and sends its rows in batches of PageRows as
// the client polls. The last rows go in the returned final batch.
func (q *query) stream(ctx context.Context, db querier) (final batch, err error) {
	// Exec mode prepares nothing: every statement is new, and a cached
	// description could go stale when the search_path differs.
	rows, err := db.Query(ctx, q.plan.executed, pgx.QueryExecModeExec)
	if err != nil {
		return final, err
	}
	defer rows.Close()
	m := rows.Conn().TypeMap()
	var (
		fds     []pgconn.FieldDescription
		types   []trinoType
		columns []column
		cur     [][]any
	)
	describe := func() {
		fds = rows.FieldDescriptions()
		types = make([]trinoType, len(fds))
		columns = make([]column, len(fds))
		for i, fd := range fds {
			types[i] = typeOf(m, fd.DataTypeOID, fd.TypeModifier)
			if t, ok := q.columnTypes[columnRef{table: fd.TableOID, attnum: fd.TableAttributeNumber}]; ok {
				types[i] = t
			}
			name := fd.Name
			if name == "?column?" {
				name = fmt.Sprintf("_col%d", i) // Trino's name for unnamed columns
			}
			columns[i] = column{Name: name, Type: types[i].name, TypeSignature: types[i].signature}
		}
	}
	for rows.Next() {
		if types == nil {
			describe()
		}
		raw := rows.RawValues()
		row := make([]any, len(raw))
		for i := range raw {
			if row[i], err = types[i].value(m, fds[i], raw[i]); err != nil {
				return final, err
			}
		}
		cur = append(cur, row)
		if len(cur) < q.srv.opts.PageRows {
			continue
		}
		select {
		case q.results <- batch{columns: columns, rows: cur}:
			columns, cur = nil, nil
		case <-ctx.Done():
			return final, ctx.Err()
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return final, err
	}
	if types == nil {
		describe()
	}
	final.rows = cur
	final.columns = columns
	if len(fds) > 0 {
		return final, nil
	}
	// A statement without a result: report it as Trino reports updates.
	tag := rows.CommandTag()
	final.updateType = strings.TrimRight(tag.String(), " 0123456789")
	switch {
	case tag.Insert(), tag.Update(), tag.Delete(), strings.HasPrefix(tag.String(), "MERGE"), tag.Select(), strings.HasPrefix(tag.String(), "COPY"):
		n := tag.RowsAffected()
		final.updateCount = &n
		final.columns = []column{{Name: "rows", Type: "bigint", TypeSignature: typeSignature{RawType: "bigint", Arguments: []typeArgument{}}}}
		final.rows = [][]any{{n}}
	default:
		final.columns = []column{{Name: "result", Type: "boolean", TypeSignature: typeSignature{RawType: "boolean", Arguments: []typeArgument{}}}}
		final.rows = [][]any{{true}}
	}
	return final, nil
}

// results is the JSON document of every page.
type results struct {
	ID          string      `json:"id"`
	InfoURI     string      `json:"infoUri"`
	NextURI     string      `json:"nextUri,omitempty"`
	Columns     []column    `json:"columns,omitempty"`
	Data        [][]any     `json:"data,omitempty"`
	Stats       stats       `json:"stats"`
	Error       *queryError `json:"error,omitempty"`
	Warnings    []any       `json:"warnings"`
	UpdateType  string      `json:"updateType,omitempty"`
	UpdateCount *int64      `json:"updateCount,omitempty"`
}

// stats is Trino's StatementStats, with the fields clients read.
type stats struct {
	State                string  `json:"state"`
	Queued               bool    `json:"queued"`
	Scheduled            bool    `json:"scheduled"`
	ProgressPercentage   float64 `json:"progressPercentage"`
	RunningPercentage    float64 `json:"runningPercentage"`
	Nodes                int     `json:"nodes"`
	TotalSplits          int     `json:"totalSplits"`
	QueuedSplits         int     `json:"queuedSplits"`
	RunningSplits        int     `json:"runningSplits"`
	CompletedSplits      int     `json:"completedSplits"`
	CPUTimeMillis        int64   `json:"cpuTimeMillis"`
	WallTimeMillis       int64   `json:"wallTimeMillis"`
	QueuedTimeMillis     int64   `json:"queuedTimeMillis"`
	ElapsedTimeMillis    int64   `json:"elapsedTimeMillis"`
	ProcessedRows        int64   `json:"processedRows"`
	ProcessedBytes       int64   `json:"processedBytes"`
	PhysicalInputBytes   int64   `json:"physicalInputBytes"`
	PhysicalWrittenBytes int64   `json:"physicalWrittenBytes"`
	PeakMemoryBytes      int64   `json:"peakMemoryBytes"`
	SpilledBytes         int64   `json:"spilledBytes"`
}

// stats reports the query's progress in Trino's terms. The measured
// figures (rows, bytes, splits = tables read) are known once it finishes.
func (q *query) stats(state string) stats {
	now := time.Now()
	if !q.finished.IsZero() {
		now = q.finished
	}
	st := stats{State: state, Queued: state == "QUEUED", ElapsedTimeMillis: now.Sub(q.created).Milliseconds()}
	if q.startedAt.IsZero() {
		st.QueuedTimeMillis = st.ElapsedTimeMillis
		return st
	}
	st.Scheduled = true
	st.Nodes = 1
	st.QueuedTimeMillis = q.startedAt.Sub(q.created).Milliseconds()
	st.WallTimeMillis = now.Sub(q.startedAt).Milliseconds()
	if q.final != nil {
		sc := q.final.scanned
		st.ProgressPercentage = 100
		st.TotalSplits, st.CompletedSplits = sc.tables, sc.tables
		st.ProcessedRows = sc.processedRows
		st.ProcessedBytes = sc.processedBytes
		st.PhysicalInputBytes = sc.physicalBytes
	}
	return st
}

// newPage renders a page; base is the server's external URL.
func (q *query) newPage(kind string, token int64, base string, r results, header http.Header) (*page, error) {
	r.ID = q.id
	r.InfoURI = base + "/ui/query.html?" + q.id
	r.Warnings = []any{}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode page %s/%d of query %s: %w", kind, token, q.id, err)
	}
	return &page{kind: kind, token: token, body: body, header: header}, nil
}

// nextURI is the URI of the page after this one.
func (q *query) nextURI(base, kind string, token int64) string {
	return fmt.Sprintf("%s/v1/statement/%s/%s/%s/%d", base, kind, q.id, q.slug, token)
}

// queuedPage answers the first GET: it starts the query and points at
// its first executing page.
func (q *query) queuedPage(token int64, base string) (*page, error) {
	if q.startedAt.IsZero() {
		q.start()
	}
	q.nextKind, q.nextToken = executingPage, 0
	return q.newPage(queuedPage, token, base, results{
		NextURI: q.nextURI(base, executingPage, 0),
		Stats:   q.stats("RUNNING"),
	}, nil)
}

// executingPage waits up to maxWait for the next batch of rows or the
// outcome and renders it.
func (q *query) executingPage(ctx context.Context, token int64, base string) (*page, error) {
	timer := time.NewTimer(maxWait)
	defer timer.Stop()
	var b batch
	select {
	case next, open := <-q.results:
		if !open {
			// The query ended without an outcome: it was cancelled.
			next = batch{done: true, failure: fail(userCanceled, "Query was canceled")}
		}
		b = next
	case <-timer.C:
	case <-ctx.Done():
	}
	if b.columns != nil {
		q.columns = b.columns
	}
	r := results{Columns: q.columns, Data: b.rows}
	q.rowsSent += int64(len(b.rows))
	if !b.done {
		q.nextKind, q.nextToken = executingPage, token+1
		r.NextURI = q.nextURI(base, executingPage, token+1)
		r.Stats = q.stats("RUNNING")
		return q.newPage(executingPage, token, base, r, nil)
	}
	q.final, q.finished, q.nextKind = &b, time.Now(), ""
	if b.failure != nil {
		r.Columns, r.Data = nil, nil
		r.Error = b.failure.json()
		r.Stats = q.stats("FAILED")
		return q.newPage(executingPage, token, base, r, nil)
	}
	r.UpdateType, r.UpdateCount = b.updateType, b.updateCount
	r.Stats = q.stats("FINISHED")
	q.srv.log.Debug("query finished", zap.String("query_id", q.id),
		zap.Int64("rows", q.rowsSent),
		zap.Int64("processed_bytes", r.Stats.ProcessedBytes),
		zap.Int64("physical_input_bytes", r.Stats.PhysicalInputBytes),
		zap.Int64("elapsed_ms", r.Stats.ElapsedTimeMillis))
	return q.newPage(executingPage, token, base, r, b.headers)
}
