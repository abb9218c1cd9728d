// Package trino is a catalog.Provider that asks a Trino coordinator about
// tables, so that skim needs no hand-written catalog in front of Trino:
// columns come from the catalog's information_schema, partitions and sizes
// from the connector's "$partitions" table, and column sizes (and, where
// "$partitions" has none, table sizes) from SHOW STATS.
//
// No per-catalog configuration is needed: the columns of "$partitions"
// tell an Iceberg table (a partition ROW plus record_count, file_count and
// total_size) from a Hive one (one column per partition key, no sizes),
// and a table without "$partitions" is unpartitioned. Put the provider
// behind catalog.NewCache: every lookup is three metadata queries.
package trino

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/skimdata/skim/catalog"
	"github.com/trinodb/trino-go-client/trino"
	"go.uber.org/zap"
)

// Options say which coordinator to ask and how.
type Options struct {
	// Server is the coordinator's URL as trino-go-client takes it,
	// http(s)://user@host:port; without a user in it, User is used.
	Server string
	// User is the Trino user the queries run as when Server names none;
	// default "skim". It must be allowed to read the tables' metadata.
	User string
	// Source is the X-Trino-Source of the queries, so they can be told
	// apart in the coordinator's UI; default "skim-catalog".
	Source string
	// QueryTimeout bounds each metadata query; default 10 seconds.
	QueryTimeout time.Duration
}

// Provider describes Trino tables by querying the coordinator. It is safe
// for concurrent use. Each Table call asks anew; cache it with
// catalog.NewCache.
type Provider struct {
	db      *sql.DB
	server  string // the coordinator's URL without credentials, for messages
	timeout time.Duration
	log     *zap.Logger
}

var _ catalog.Provider = (*Provider)(nil)

// New returns a Provider for the coordinator at opts.Server. It does not
// connect: the first Table call does. A nil log discards.
func New(opts Options, log *zap.Logger) (*Provider, error) {
	if opts.User == "" {
		opts.User = "skim"
	}
	if opts.Source == "" {
		opts.Source = "skim-catalog"
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = 10 * time.Second
	}
	if log == nil {
		log = zap.NewNop()
	}
	u, err := url.Parse(opts.Server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The address may hold a password, so it is not repeated here.
		return nil, errors.New("trino catalog: the server address is not a URL like https://trino.example.com:8443 or http://user@localhost:8080; set it to the coordinator's address")
	}
	if u.User == nil {
		u.User = url.User(opts.User)
	}
	server := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	conn, err := trino.NewConnector(&trino.Config{ServerURI: u.String(), Source: opts.Source})
	if err != nil {
		return nil, fmt.Errorf("trino catalog: configure the client for %s: %w", server, err)
	}
	return &Provider{db: sql.OpenDB(conn), server: server, timeout: opts.QueryTimeout, log: log}, nil
}

// Close releases the provider's connections.
func (p *Provider) Close() error {
	return p.db.Close()
}

// tableRef is a table's name split into its parts, lower-cased.
type tableRef struct {
	catalog, schema, table string
}

func (r tableRef) String() string { return r.catalog + "." + r.schema + "." + r.table }

// quoted is the table's name as a Trino identifier, with suffix (such as
// "$partitions") added to the table part.
func (r tableRef) quoted(suffix string) string {
	return quoteIdent(r.catalog) + "." + quoteIdent(r.schema) + "." + quoteIdent(r.table+suffix)
}

// quoteIdent quotes a Trino identifier: names come from users' SQL.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteString writes a Trino string literal, in which only the quote is
// special.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// Table describes catalog.schema.table. An unknown table (or catalog, or
// schema) yields an error wrapping catalog.ErrNotFound; any failure says
// the statement passes through untouched. The table is new on each call,
// and callers share it without modifying it, as catalog.Provider asks.
func (p *Provider) Table(ctx context.Context, name string) (*catalog.Table, error) {
	began := time.Now()
	parts := strings.Split(strings.ToLower(name), ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return nil, fmt.Errorf("%w: %q is not a catalog.schema.table name, so Trino cannot be asked about it; the statement passes through untouched",
			catalog.ErrNotFound, name)
	}
	ref := tableRef{catalog: parts[0], schema: parts[1], table: parts[2]}

	cols, err := p.columns(ctx, ref)
	if isTrinoError(err, "CATALOG_NOT_FOUND", "SCHEMA_NOT_FOUND", "TABLE_NOT_FOUND") || err == nil && len(cols) == 0 {
		return nil, fmt.Errorf("%w: Trino at %s has no table %s; check the catalog, schema and table names (the statement passes through untouched)",
			catalog.ErrNotFound, p.server, ref)
	}
	if err != nil {
		return nil, p.fail(ref, "read its columns", err)
	}

	// Partitions and statistics do not depend on each other: ask at once.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	statsDone := make(chan struct{})
	var st *tableStats
	var stErr error
	go func() {
		defer close(statsDone)
		st, stErr = p.stats(ctx, ref)
	}()
	pt, err := p.partitions(ctx, ref)
	if err != nil {
		cancel()
		<-statsDone
		return nil, p.fail(ref, "read its partitions", err)
	}
	<-statsDone
	if stErr != nil {
		stErr = p.withHint(stErr)
	}
	t, err := describe(ref, cols, pt, st, stErr, p.log)
	if err != nil {
		return nil, fmt.Errorf("trino catalog (%s): %s: %w; the statement passes through untouched", p.server, ref, err)
	}
	p.log.Debug("table described",
		zap.String("table", t.Name),
		zap.Int64("rows", t.Rows),
		zap.Int64("bytes", t.Bytes),
		zap.Int("partitions", len(t.Partitions)),
		zap.Duration("took", time.Since(began)))
	return t, nil
}

// fail wraps a failed query about ref.
func (p *Provider) fail(ref tableRef, what string, err error) error {
	return fmt.Errorf("trino catalog (%s): %s: %s: %w; the statement passes through untouched", p.server, ref, what, p.withHint(err))
}

// withHint adds what to do about a failed query.
func (p *Provider) withHint(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w (no answer within the %s query timeout; check that the coordinator is up and not overloaded, or raise the timeout)", err, p.timeout)
	}
	var te *trino.ErrTrino
	if errors.As(err, &te) {
		return err // Trino's own message says what is wrong
	}
	return fmt.Errorf("%w (check that the coordinator is reachable)", err)
}

// query runs one metadata query, bounded by the query timeout, and hands
// its rows to read.
func (p *Provider) query(ctx context.Context, sql string, read func(*sql.Rows) error) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	rows, err := p.db.QueryContext(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := read(rows); err != nil {
		return err
	}
	return rows.Err()
}

// isTrinoError reports whether err is a query failure Trino named with
// one of names.
func isTrinoError(err error, names ...string) bool {
	var te *trino.ErrTrino
	if !errors.As(err, &te) {
		return false
	}
	for _, n := range names {
		if te.ErrorName == n {
			return true
		}
	}
	return false
}

// columns reads the table's columns in table order; none when Trino has
// no such table.
func (p *Provider) columns(ctx context.Context, ref tableRef) ([]catalog.Column, error) {
	q := `SELECT column_name, data_type FROM ` + quoteIdent(ref.catalog) + `.information_schema.columns` +
		` WHERE table_schema = ` + quoteString(ref.schema) + ` AND table_name = ` + quoteString(ref.table) +
		` ORDER BY ordinal_position`
	var cols []catalog.Column
	err := p.query(ctx, q, func(rows *sql.Rows) error {
		for rows.Next() {
			var c catalog.Column
			if err := rows.Scan(&c.Name, &c.Type); err != nil {
				return err
			}
			c.Name = strings.ToLower(c.Name)
			cols = append(cols, c)
		}
		return nil
	})
	return cols, err
}

// partitions reads the table's "$partitions" table; nil when there is
// none, which means the table is not partitioned (or its connector does
// not tell).
func (p *Provider) partitions(ctx context.Context, ref tableRef) (*partitionsTable, error) {
	var pt *partitionsTable
	err := p.query(ctx, `SELECT * FROM `+ref.quoted("$partitions"), func(rows *sql.Rows) error {
		var err error
		pt, err = readPartitions(rows)
		return err
	})
	if isTrinoError(err, "TABLE_NOT_FOUND", "NOT_SUPPORTED") {
		return nil, nil
	}
	return pt, err
}

// stats reads SHOW STATS for the table.
func (p *Provider) stats(ctx context.Context, ref tableRef) (*tableStats, error) {
	var st *tableStats
	err := p.query(ctx, `SHOW STATS FOR `+ref.quoted(""), func(rows *sql.Rows) error {
		var err error
		st, err = readStats(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("SHOW STATS: %w", err)
	}
	return st, nil
}
