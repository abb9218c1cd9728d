package bqserver

import (
	"reflect"
	"testing"

	"cloud.google.com/go/bigquery"
)

// TestSamplingKeyFunctions runs the predicate skim writes to sample by a
// key through the Go client: FARM_FINGERPRINT returns an INT64, the hash
// is deterministic, and it keeps about the share of users asked for, the
// same ones in events and users.
func TestSamplingKeyFunctions(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client(t)
	ctx := testContext(t)

	it, err := c.Query("SELECT FARM_FINGERPRINT('42:1') AS h, FARM_FINGERPRINT(CONCAT('42:', CAST(1 AS STRING))) AS g").Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, it)
	if len(it.Schema) != 2 || it.Schema[0].Type != bigquery.IntegerFieldType || len(rows) != 1 || rows[0][0] != rows[0][1] {
		t.Errorf("FARM_FINGERPRINT: schema %+v, rows %v; want two equal INT64s", it.Schema, rows)
	}

	// As skim writes it for key user_id, seed 42 and 1%.
	const keep = "ABS(MOD(FARM_FINGERPRINT(CONCAT('42:', CAST(user_id AS STRING))), 10000)) < 100"
	query := "SELECT e.user_id, u.user_id FROM (SELECT DISTINCT user_id FROM `test-project.analytics.events` WHERE " + keep + ") AS e " +
		"FULL JOIN (SELECT * FROM `test-project.analytics.users` WHERE " + keep + ") AS u ON u.user_id = e.user_id ORDER BY 1, 2"
	var runs [2][][]bigquery.Value
	for i := range runs {
		it, err := c.Query(query).Read(ctx)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		runs[i] = readAll(t, it)
	}
	if !reflect.DeepEqual(runs[0], runs[1]) {
		t.Errorf("two runs kept %d and %d users; the hash must be deterministic", len(runs[0]), len(runs[1]))
	}
	// Every user with events is in users, so no sampled event's user may
	// be missing from the users' sample; users without events are.
	lost, idle := 0, 0
	for _, r := range runs[0] {
		switch {
		case r[1] == nil:
			lost++
		case r[0] == nil:
			idle++
		}
	}
	t.Logf("the 1%% key sample kept %d of %d users, %d of them without events", len(runs[0]), demoUsers, idle)
	if share := float64(len(runs[0])) / demoUsers; share < 0.005 || share > 0.02 {
		t.Errorf("the 1%% key sample kept %.2f%% of the users", 100*share)
	}
	if lost != 0 {
		t.Errorf("%d users of the sampled events are missing from the sampled users", lost)
	}
}
