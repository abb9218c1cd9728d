package bigquery

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/skimdata/skim/catalog"
	"google.golang.org/api/iterator"
)

// partitionRow is a row of INFORMATION_SCHEMA.PARTITIONS.
type partitionRow struct {
	ID    bigquery.NullString `bigquery:"partition_id"`
	Rows  bigquery.NullInt64  `bigquery:"total_rows"`
	Bytes bigquery.NullInt64  `bigquery:"total_logical_bytes"`
}

// partitions lists the table's partitions from its dataset's
// INFORMATION_SCHEMA.PARTITIONS, with values in the form of the static
// catalog for the partitioning. The __NULL__ and __UNPARTITIONED__
// partitions hold no partition value, so they are left out; the table's
// totals, from tables.get, still count their rows.
func (p *Provider) partitions(ctx context.Context, ref tableRef, pt *catalog.Partitioning) ([]catalog.Partition, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	q := p.client.Query("SELECT partition_id, total_rows, total_logical_bytes FROM `" +
		ref.project + "." + ref.dataset + ".INFORMATION_SCHEMA.PARTITIONS` WHERE table_name = @table")
	q.Parameters = []bigquery.QueryParameter{{Name: "table", Value: ref.table}}
	it, err := q.Read(ctx)
	if err != nil {
		return nil, fmt.Errorf("query INFORMATION_SCHEMA.PARTITIONS: %w", err)
	}
	column := pt.Column
	if column == "" {
		column = pt.Columns[0]
	}
	var parts []catalog.Partition
	for {
		var row partitionRow
		err := it.Next(&row)
		if errors.Is(err, iterator.Done) {
			return parts, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read INFORMATION_SCHEMA.PARTITIONS: %w", err)
		}
		if !row.ID.Valid {
			continue
		}
		value, ok := partitionValue(row.ID.StringVal, pt.Granularity)
		if !ok {
			continue
		}
		parts = append(parts, catalog.Partition{
			Values: map[string]string{column: value},
			Rows:   row.Rows.Int64,
			Bytes:  row.Bytes.Int64,
		})
	}
}

// partitionIDLayouts are the layouts of time partition IDs.
var partitionIDLayouts = map[catalog.Granularity]string{
	catalog.Hour:  "2006010215",
	catalog.Day:   "20060102",
	catalog.Month: "200601",
	catalog.Year:  "2006",
}

// partitionValue turns a partition ID into its value as the static
// catalog writes it: the start of a time partition ("2026110113" →
// "2026-11-01 13:00:00", "20261101" and "202611" → "2026-11-01", "2026" →
// "2026-01-01"), or the start of an integer range as it is. ok is false
// for __NULL__, __UNPARTITIONED__ and anything else that is not such an
// ID.
func partitionValue(id string, g catalog.Granularity) (value string, ok bool) {
	if g == "" {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return "", false
		}
		return id, true
	}
	start, err := time.Parse(partitionIDLayouts[g], id)
	if err != nil {
		return "", false
	}
	if g == catalog.Hour {
		return start.Format(time.DateTime), true
	}
	return start.Format(time.DateOnly), true
}
