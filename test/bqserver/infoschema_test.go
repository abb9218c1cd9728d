package bqserver

import (
	"fmt"
	"net/http"
	"testing"

	"cloud.google.com/go/bigquery"
)

// TestInformationSchemaPartitions reads INFORMATION_SCHEMA.PARTITIONS
// through the official client and checks it against tables.get.
func TestInformationSchemaPartitions(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)

	events, err := c.Dataset("analytics").Table("events").Metadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q := c.Query("SELECT table_name, partition_id, total_rows, total_logical_bytes" +
		" FROM `test-project.analytics.INFORMATION_SCHEMA.PARTITIONS` WHERE table_name = @table ORDER BY partition_id")
	q.Parameters = []bigquery.QueryParameter{{Name: "table", Value: "events"}}
	it, err := q.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, it)
	if len(rows) != testDemo.Days {
		t.Fatalf("%d partitions of events, want %d: %v", len(rows), testDemo.Days, rows)
	}
	var sumRows, sumBytes int64
	for i, r := range rows {
		id := fmt.Sprintf("202611%02d", 16+i)
		if r[0] != "events" || r[1] != id || r[2] != int64(testDemo.RowsPerDay) || r[3].(int64) <= 0 {
			t.Errorf("row %d = %v, want events, %s, %d rows and bytes", i, r, id, testDemo.RowsPerDay)
		}
		sumRows += r[2].(int64)
		sumBytes += r[3].(int64)
	}
	if sumRows != int64(events.NumRows) || sumBytes != events.NumBytes {
		t.Errorf("partitions sum to %d rows, %d bytes; tables.get says %d, %d", sumRows, sumBytes, events.NumRows, events.NumBytes)
	}

	// Without a project, with a literal, aliased and twice in one
	// statement; an unpartitioned table has one row with a NULL id.
	it, err = c.Query("SELECT p.partition_id, p.total_rows FROM analytics.INFORMATION_SCHEMA.PARTITIONS AS p" +
		" WHERE p.table_name = 'users' AND p.total_rows = (SELECT max(total_rows) FROM analytics.INFORMATION_SCHEMA.PARTITIONS WHERE table_name = 'users')").Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rows := readAll(t, it); len(rows) != 1 || rows[0][0] != nil || rows[0][1] != int64(demoUsers) {
		t.Errorf("users: %v, want one row with a NULL partition_id and %d rows", rows, demoUsers)
	}

	_, err = c.Query("SELECT * FROM `test-project.nope.INFORMATION_SCHEMA.PARTITIONS`").Read(ctx)
	wantAPIError(t, err, http.StatusNotFound, "notFound")
}
