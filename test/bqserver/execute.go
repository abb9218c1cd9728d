package bqserver

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"go.uber.org/zap"
)

const (
	// maxResultRows bounds the rows a job keeps for getQueryResults:
	// results live in memory until Reset.
	maxResultRows = 1_000_000
	// cleanupTimeout bounds rollbacks and cancel requests made after a
	// job's own context is done.
	cleanupTimeout = 5 * time.Second
	// cursorName is the cursor a query with an outermost LIMIT runs in.
	cursorName = "bqserver_result"
)

// result is the outcome of a statement: its rows (or what a dry run
// says they would be) and its bytes.
type result struct {
	schema []field
	rows   [][]any
	// affected is the DML row count; nil for other statements.
	affected *int64
	// dml counts inserted, updated and deleted rows for dmlStats.
	inserted, updated, deleted int64
	kind                       string
	bytes                      billing
	// estimated is the dry-run estimate of the processed bytes, which
	// every query is checked with before it runs.
	estimated int64
}

// session sets up a job's transaction: one-part names resolve in the
// default dataset, time zones are UTC as in BigQuery, and the statement
// runs serially, since parallel workers count their reads in other
// backends, out of reach of this transaction's counters.
const session = `SELECT set_config('search_path', $1, true),
       set_config('TimeZone', 'UTC', true),
       set_config('DateStyle', 'ISO, YMD', true),
       set_config('max_parallel_workers_per_gather', '0', true)`

// inTransaction runs fn in a transaction of its own connection, set up
// for cfg. A cancelled ctx cancels the running statement on PostgreSQL
// too, and the connection is then closed rather than reused. fn's commit
// is its own business; anything not committed is rolled back.
func (s *Server) inTransaction(ctx context.Context, cfg *jobConfig, fn func(pgx.Tx) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire a PostgreSQL connection: %w", err)
	}
	defer func() {
		if ctx.Err() != nil {
			// A cancelled connection may still carry the cancel request
			// or a half-read result: never hand it to the next job.
			closeCtx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
			defer cancel()
			_ = conn.Hijack().Close(closeCtx) // discarded either way
			return
		}
		conn.Release()
	}()
	pgConn := conn.Conn().PgConn()
	stop := context.AfterFunc(ctx, func() {
		cancelCtx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := pgConn.CancelRequest(cancelCtx); err != nil {
			s.log.Warn("could not send a cancel request to PostgreSQL", zap.Error(err))
		}
	})
	defer stop()

	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		rbCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = tx.Rollback(rbCtx) // after Commit a no-op; after an error that error is what matters
	}()
	searchPath := "public"
	if cfg.defaultDataset != "" {
		searchPath = pgx.Identifier{cfg.defaultDataset}.Sanitize() + ", public"
	}
	if _, err := tx.Exec(ctx, session, searchPath); err != nil {
		return fmt.Errorf("set up the session: %w", err)
	}
	return fn(tx)
}

// translateIn translates the job's SQL inside tx, which SELECT * EXCEPT
// looks tables up in and INFORMATION_SCHEMA.PARTITIONS is filled in.
func (s *Server) translateIn(ctx context.Context, tx pgx.Tx, cfg *jobConfig) (*statement, error) {
	return translate(translateInput{
		sql:            cfg.sql,
		legacy:         cfg.legacy,
		defaultDataset: cfg.defaultDataset,
		params:         cfg.params,
		columnsOf: func(dataset, table string) ([]string, error) {
			return tableColumns(ctx, tx, s.opts.Project, dataset, table)
		},
		partitionsOf: func(project, dataset string) (string, error) {
			if project == "" {
				project = s.opts.Project
			}
			return partitionsTable(ctx, tx, project, dataset)
		},
	})
}

// execute translates and runs a job's statement and measures what it
// read. A query whose estimate, or whose measured bill, exceeds its
// maximumBytesBilled fails; a DML statement that does is rolled back.
// executed is called with the PostgreSQL text once it is known.
func (s *Server) execute(ctx context.Context, cfg *jobConfig, executed func(string)) (*result, error) {
	var res *result
	err := s.inTransaction(ctx, cfg, func(tx pgx.Tx) error {
		st, err := s.translateIn(ctx, tx, cfg)
		if err != nil {
			return err
		}
		executed(st.sql)
		est, err := estimateIfPlannable(ctx, tx, st)
		if err != nil {
			return err
		}
		if limit := cfg.maxBytesBilled; limit > 0 && est.billed > limit {
			return bytesBilledLimitExceeded(limit, est.billed)
		}
		before, err := readTuples(ctx, tx)
		if err != nil {
			return err
		}
		if res, err = run(ctx, tx, st); err != nil {
			return err
		}
		after, err := readTuples(ctx, tx)
		if err != nil {
			return err
		}
		if res.bytes, err = measure(ctx, tx, st, before, after); err != nil {
			return err
		}
		res.estimated = est.processed
		if limit := cfg.maxBytesBilled; limit > 0 && res.bytes.billed > limit {
			return bytesBilledLimitExceeded(limit, res.bytes.billed)
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	})
	return res, err
}

// dryRun translates and plans a job's statement without running it: the
// schema its result would have and the estimate of its bytes.
func (s *Server) dryRun(ctx context.Context, cfg *jobConfig, executed func(string)) (*result, error) {
	var res *result
	err := s.inTransaction(ctx, cfg, func(tx pgx.Tx) error {
		st, err := s.translateIn(ctx, tx, cfg)
		if err != nil {
			return err
		}
		executed(st.sql)
		est, err := estimateIfPlannable(ctx, tx, st)
		if err != nil {
			return err
		}
		// Preparing describes the result without running anything.
		sd, err := tx.Conn().PgConn().Prepare(ctx, "", st.sql, nil)
		if err != nil {
			return err
		}
		m := tx.Conn().TypeMap()
		est.billed = 0 // a dry run costs nothing
		res = &result{kind: st.kind, bytes: est, estimated: est.processed}
		res.schema, _ = describeFields(m, sd.Fields)
		return nil
	})
	return res, err
}

// estimateIfPlannable estimates statements PostgreSQL can EXPLAIN:
// queries and DML. Other statements (DDL) read no table data.
func estimateIfPlannable(ctx context.Context, tx pgx.Tx, st *statement) (billing, error) {
	switch st.kind {
	case "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE":
		return estimate(ctx, tx, st)
	}
	return billing{}, nil
}

// run runs the statement and collects its rows. A query with an outermost
// LIMIT runs in a cursor: the LIMIT's rows are fetched, then the cursor
// is moved to its end, which makes PostgreSQL read the rest of the input
// without sending it, as BigQuery bills a LIMIT's whole input.
func run(ctx context.Context, tx pgx.Tx, st *statement) (*result, error) {
	res := &result{kind: st.kind}
	args := append([]any{pgx.QueryExecModeExec}, st.args...)
	if st.limit == nil {
		rows, err := tx.Query(ctx, st.sql, args...)
		if err != nil {
			return nil, err
		}
		if err := collect(rows, res); err != nil {
			return nil, err
		}
		tag := rows.CommandTag()
		n := tag.RowsAffected()
		switch {
		case tag.Insert():
			res.affected, res.inserted = &n, n
		case tag.Update():
			res.affected, res.updated = &n, n
		case tag.Delete():
			res.affected, res.deleted = &n, n
		case strings.HasPrefix(tag.String(), "MERGE"):
			res.affected = &n
		}
		return res, nil
	}
	if _, err := tx.Exec(ctx, "DECLARE "+cursorName+" NO SCROLL CURSOR FOR "+st.body, args...); err != nil {
		return nil, err
	}
	if st.limit.offset > 0 {
		if _, err := tx.Exec(ctx, fmt.Sprintf("MOVE FORWARD %d IN %s", st.limit.offset, cursorName), pgx.QueryExecModeExec); err != nil {
			return nil, err
		}
	}
	rows, err := tx.Query(ctx, fmt.Sprintf("FETCH FORWARD %d FROM %s", st.limit.count, cursorName), pgx.QueryExecModeExec)
	if err != nil {
		return nil, err
	}
	if err := collect(rows, res); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "MOVE FORWARD ALL IN "+cursorName, pgx.QueryExecModeExec); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "CLOSE "+cursorName, pgx.QueryExecModeExec); err != nil {
		return nil, err
	}
	return res, nil
}

// collect reads all rows into res as cells, and their schema.
func collect(rows pgx.Rows, res *result) error {
	defer rows.Close()
	m := rows.Conn().TypeMap()
	fds := rows.FieldDescriptions()
	var types []bqType
	res.schema, types = describeFields(m, fds)
	for rows.Next() {
		if len(res.rows) == maxResultRows {
			return &apiError{code: http.StatusForbidden, reason: "responseTooLarge",
				message: fmt.Sprintf("Response too large to return: this test server keeps at most %d result rows", maxResultRows)}
		}
		values, err := rows.Values()
		if err != nil {
			return err
		}
		raw := rows.RawValues()
		row := make([]any, len(values))
		for i, v := range values {
			switch {
			case v == nil:
			case types[i].rawJSON:
				row[i] = rawJSON(fds[i], raw[i])
			default:
				if row[i], err = types[i].cell(v); err != nil {
					return fmt.Errorf("column %s: %w", fds[i].Name, err)
				}
			}
		}
		res.rows = append(res.rows, row)
	}
	rows.Close()
	return rows.Err()
}

// rawJSON is the text of a json or jsonb value as PostgreSQL sent it; in
// binary, jsonb starts with a version byte.
func rawJSON(fd pgconn.FieldDescription, raw []byte) string {
	if fd.Format == pgtype.BinaryFormatCode && fd.DataTypeOID == pgtype.JSONBOID && len(raw) > 0 {
		return string(raw[1:])
	}
	return string(raw)
}

// describeFields turns a result description into a BigQuery schema.
// Columns PostgreSQL names ?column? get BigQuery's names for unnamed
// columns: f0_, f1_, ...
func describeFields(m *pgtype.Map, fds []pgconn.FieldDescription) ([]field, []bqType) {
	if len(fds) == 0 {
		return nil, nil
	}
	fields := make([]field, len(fds))
	types := make([]bqType, len(fds))
	unnamed := 0
	for i, fd := range fds {
		types[i] = typeOf(m, fd.DataTypeOID, fd.TypeModifier, fd.TableOID != 0)
		name := fd.Name
		if name == "?column?" {
			name = fmt.Sprintf("f%d_", unnamed)
			unnamed++
		}
		fields[i] = field{Name: name, Type: types[i].name, Mode: types[i].mode(false)}
	}
	return fields, types
}
