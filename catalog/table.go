// Package catalog describes the tables skim rewrites: their size, columns,
// partitioning and partitions. The rewrite engine asks a Provider for a Table
// by its fully qualified name; providers read a static YAML file or ask the
// engine itself.
package catalog

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
)

// ErrNotFound is returned (wrapped) by a Provider that does not know a table.
var ErrNotFound = errors.New("table not found in catalog")

// Provider looks tables up by fully qualified name: catalog.schema.table for
// Trino, project.dataset.table for BigQuery. Names compare case-insensitively.
// A returned Table may be shared with other callers and must not be
// modified: lookups sit on every statement's path, so providers do not copy.
type Provider interface {
	Table(ctx context.Context, name string) (*Table, error)
}

// Table is what the catalog knows about one table.
type Table struct {
	// Name is the fully qualified name, lower-cased.
	Name string
	// Rows and Bytes are the whole table's totals.
	Rows  int64
	Bytes int64
	// Files is the number of data files, 0 when unknown.
	Files int64
	// Columns in table order. Bytes per column is 0 when unknown.
	Columns []Column
	// Partitioning is nil for unpartitioned tables.
	Partitioning *Partitioning
	// Partitions is empty when the table is unpartitioned or its partitions
	// are unknown.
	Partitions []Partition
	// Clustering lists clustering (BigQuery) or sort (Iceberg) columns.
	Clustering []string
}

// Column is one column of a table.
type Column struct {
	Name  string
	Type  string
	Bytes int64
}

// Partitioning says how a table is partitioned. Either Columns holds one or
// more identity partition columns (Hive, Iceberg identity transforms), or
// Column and Granularity describe time partitioning of a date/timestamp
// column (BigQuery time-unit partitioning, Iceberg day/month/... transforms).
type Partitioning struct {
	Columns     []string
	Column      string
	Granularity Granularity
}

// Granularity is the width of a time partition.
type Granularity string

// Time partition granularities.
const (
	Hour  Granularity = "hour"
	Day   Granularity = "day"
	Month Granularity = "month"
	Year  Granularity = "year"
)

// Partition is one partition with its own totals. Values maps each partition
// column to its value as text: "2026-11-01" for a day partition, "42" for an
// integer, and so on.
type Partition struct {
	Values map[string]string
	Rows   int64
	Bytes  int64
	Files  int64
}

// Column returns the named column (case-insensitive) and whether it exists.
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Column{}, false
}

// PartitionColumns lists the columns whose predicates prune partitions.
func (t *Table) PartitionColumns() []string {
	if t.Partitioning == nil {
		return nil
	}
	if t.Partitioning.Column != "" {
		return []string{t.Partitioning.Column}
	}
	return t.Partitioning.Columns
}

// Clone returns a deep copy, so a caller can adjust a table (for example to
// apply an estimate) without changing what its Provider hands to others.
func (t *Table) Clone() *Table {
	if t == nil {
		return nil
	}
	c := *t
	c.Columns = slices.Clone(t.Columns)
	if t.Partitioning != nil {
		p := *t.Partitioning
		p.Columns = slices.Clone(p.Columns)
		c.Partitioning = &p
	}
	if t.Partitions != nil {
		c.Partitions = make([]Partition, len(t.Partitions))
		for i, pt := range t.Partitions {
			pt.Values = maps.Clone(pt.Values)
			c.Partitions[i] = pt
		}
	}
	c.Clustering = slices.Clone(t.Clustering)
	return &c
}
