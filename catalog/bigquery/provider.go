// Package bigquery is a catalog.Provider that asks BigQuery about tables,
// so that skim needs no hand-written catalog in front of BigQuery: rows,
// bytes, columns, partitioning and clustering come from tables.get, and
// each partition's rows and bytes from the dataset's
// INFORMATION_SCHEMA.PARTITIONS view.
//
// tables.get is free and fast, but the INFORMATION_SCHEMA query is a job
// that takes a second or more and is billed (BigQuery's minimum for a
// metadata query), so it runs only for partitioned tables. Put the
// provider behind catalog.NewCache: every lookup of a partitioned table is
// a metadata request and a query.
package bigquery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/skimdata/skim/catalog"
	"go.uber.org/zap"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
)

// Options say which project to bill and how to reach BigQuery.
type Options struct {
	// Project is the billing project of the INFORMATION_SCHEMA queries;
	// empty means the project of the credentials. Tables may live in any
	// project the credentials can read.
	Project string
	// ClientOptions configure the BigQuery client: credentials in
	// production (option.WithCredentialsFile, ...), an endpoint in tests.
	// Without credentials, Application Default Credentials are used.
	ClientOptions []option.ClientOption
	// QueryTimeout bounds each INFORMATION_SCHEMA query; default 10
	// seconds.
	QueryTimeout time.Duration
}

// Provider describes BigQuery tables by asking BigQuery. It is safe for
// concurrent use. Each Table call asks anew; cache it with
// catalog.NewCache.
type Provider struct {
	client  *bigquery.Client
	timeout time.Duration
	log     *zap.Logger
	// warned is set once a failed INFORMATION_SCHEMA query was logged at
	// Warn: it fails the same way for every table while the credentials
	// lack permission, and the cache asks again every few minutes.
	warned atomic.Bool
}

var _ catalog.Provider = (*Provider)(nil)

// New returns a Provider with a BigQuery client built from opts. It makes
// no request: the first Table call does. A nil log discards.
func New(ctx context.Context, opts Options, log *zap.Logger) (*Provider, error) {
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = 10 * time.Second
	}
	if log == nil {
		log = zap.NewNop()
	}
	project := opts.Project
	if project == "" {
		project = bigquery.DetectProjectID
	}
	client, err := bigquery.NewClient(ctx, project, opts.ClientOptions...)
	if err != nil {
		return nil, fmt.Errorf("bigquery catalog: create the BigQuery client: %w; check the credentials, or set the billing project explicitly", err)
	}
	return &Provider{client: client, timeout: opts.QueryTimeout, log: log}, nil
}

// Close releases the client's connections.
func (p *Provider) Close() error {
	return p.client.Close()
}

// tableRef is a table's name split into its parts, as given: BigQuery
// dataset and table names are case-sensitive.
type tableRef struct {
	project, dataset, table string
}

func (r tableRef) String() string { return r.project + "." + r.dataset + "." + r.table }

var (
	// projectName and datasetName are what BigQuery allows in project IDs
	// (domain-scoped ones included) and dataset names. Both go into a
	// backticked path of the INFORMATION_SCHEMA query, so nothing else may.
	projectName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.:-]*$`)
	datasetName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
)

// parseName splits project.dataset.table. A domain-scoped project
// (example.com:project) has a dot of its own, so the table and dataset are
// taken from the right.
func parseName(name string) (tableRef, error) {
	var ref tableRef
	rest, table, ok1 := cutLast(name)
	project, dataset, ok2 := cutLast(rest)
	ref = tableRef{project: project, dataset: dataset, table: table}
	if !ok1 || !ok2 || table == "" || !projectName.MatchString(project) || !datasetName.MatchString(dataset) {
		return ref, fmt.Errorf("%w: %q is not a project.dataset.table name, so BigQuery cannot be asked about it; the statement passes through untouched",
			catalog.ErrNotFound, name)
	}
	return ref, nil
}

// cutLast splits s around its last dot.
func cutLast(s string) (before, after string, found bool) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+1:], true
}

// Table describes project.dataset.table. An unknown table (or dataset, or
// project) yields an error wrapping catalog.ErrNotFound; any failure says
// the statement passes through untouched. A partitioned table whose
// partitions cannot be listed (the credentials may not read
// INFORMATION_SCHEMA) is returned without them. The table is new on each
// call, and callers share it without modifying it, as catalog.Provider
// asks.
func (p *Provider) Table(ctx context.Context, name string) (*catalog.Table, error) {
	began := time.Now()
	ref, err := parseName(name)
	if err != nil {
		return nil, err
	}
	md, err := p.client.DatasetInProject(ref.project, ref.dataset).Table(ref.table).Metadata(ctx)
	if isStatus(err, http.StatusNotFound) {
		return nil, fmt.Errorf("%w: BigQuery has no table %s; check the project, dataset and table names (the statement passes through untouched)",
			catalog.ErrNotFound, ref)
	}
	if err != nil {
		return nil, fail(ref, "read its metadata", err)
	}
	t := describe(ref, md)
	if t.Partitioning != nil {
		parts, err := p.partitions(ctx, ref, t.Partitioning)
		switch {
		case err == nil:
			t.Partitions = parts
		case ctx.Err() != nil:
			// The caller gave up; the partitions may be readable after all.
			return nil, fail(ref, "list its partitions", err)
		default:
			level := p.log.Debug
			if p.warned.CompareAndSwap(false, true) {
				level = p.log.Warn
			}
			level("partitions unknown: skim cannot prune partitions of BigQuery tables until INFORMATION_SCHEMA.PARTITIONS can be read; grant the credentials bigquery.jobs.create in the billing project (roles/bigquery.jobUser) and bigquery.tables.get and bigquery.tables.list on the dataset (roles/bigquery.metadataViewer)",
				zap.String("table", t.Name), zap.Error(err))
		}
	}
	p.log.Debug("table described",
		zap.String("table", t.Name),
		zap.Int64("rows", t.Rows),
		zap.Int64("bytes", t.Bytes),
		zap.Int("partitions", len(t.Partitions)),
		zap.Duration("took", time.Since(began)))
	return t, nil
}

// describe turns tables.get's metadata into a catalog table without
// partitions.
func describe(ref tableRef, md *bigquery.TableMetadata) *catalog.Table {
	t := &catalog.Table{
		Name:  strings.ToLower(ref.String()),
		Rows:  int64(md.NumRows),
		Bytes: md.NumBytes,
	}
	// Nested RECORD fields are left out: skim reasons about top-level
	// columns only.
	for _, f := range md.Schema {
		t.Columns = append(t.Columns, catalog.Column{Name: strings.ToLower(f.Name), Type: string(f.Type)})
	}
	switch tp, rp := md.TimePartitioning, md.RangePartitioning; {
	case tp != nil:
		// Without a field the table is partitioned by ingestion time,
		// which queries filter through the _PARTITIONTIME pseudo-column.
		column := "_partitiontime"
		if tp.Field != "" {
			column = strings.ToLower(tp.Field)
		}
		t.Partitioning = &catalog.Partitioning{Column: column, Granularity: granularity(tp.Type)}
	case rp != nil:
		// Integer-range partitions are named by their start, so they
		// behave as identity partitions on those values.
		t.Partitioning = &catalog.Partitioning{Columns: []string{strings.ToLower(rp.Field)}}
	}
	if md.Clustering != nil {
		for _, f := range md.Clustering.Fields {
			t.Clustering = append(t.Clustering, strings.ToLower(f))
		}
	}
	return t
}

// granularity maps a time partitioning type; BigQuery's default is DAY.
func granularity(t bigquery.TimePartitioningType) catalog.Granularity {
	switch t {
	case bigquery.HourPartitioningType:
		return catalog.Hour
	case bigquery.MonthPartitioningType:
		return catalog.Month
	case bigquery.YearPartitioningType:
		return catalog.Year
	}
	return catalog.Day
}

// isStatus reports whether err is a BigQuery API error with this HTTP
// status.
func isStatus(err error, code int) bool {
	var gerr *googleapi.Error
	return errors.As(err, &gerr) && gerr.Code == code
}

// fail wraps a failed request about ref with what to do about it.
func fail(ref tableRef, what string, err error) error {
	var hint string
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		hint = "no answer in time; check that BigQuery is reachable, or raise the timeout"
	case isStatus(err, http.StatusForbidden):
		hint = "grant the credentials bigquery.tables.get on the dataset, e.g. with roles/bigquery.metadataViewer"
	case isStatus(err, http.StatusUnauthorized):
		hint = "check the credentials"
	default:
		hint = "check that BigQuery is reachable and the credentials are valid"
	}
	return fmt.Errorf("bigquery catalog: %s: %s: %w (%s); the statement passes through untouched", ref, what, err, hint)
}
