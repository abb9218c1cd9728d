package trinoserver

import (
	"slices"
	"testing"
	"time"
)

// TestSamplingKeyFunctions runs the predicate skim writes to sample by a
// key: the functions have Trino's types, the hash is deterministic, and it
// keeps about the share of keys it is asked for.
func TestSamplingKeyFunctions(t *testing.T) {
	pool := testEnv.Pool(t)
	e := newTrinoEnv(t, pool, Options{})
	db := e.db(t, nil)

	rows, err := db.Query(`SELECT to_utf8('42:1') AS a, xxhash64(to_utf8('42:1')) AS b, from_big_endian_64(xxhash64(to_utf8('42:1'))) AS c`)
	if err != nil {
		t.Fatal(err)
	}
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ct := range cts {
		types = append(types, ct.DatabaseTypeName())
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(types, []string{"VARBINARY", "VARBINARY", "BIGINT"}) {
		t.Errorf("to_utf8, xxhash64, from_big_endian_64 return %v; want varbinary, varbinary, bigint", types)
	}

	var length int64
	var be int64
	if err := db.QueryRow(`SELECT length(xxhash64(to_utf8('x'))), from_big_endian_64(X'0000000000000102')`).Scan(&length, &be); err != nil {
		t.Fatal(err)
	}
	if length != 8 || be != 258 {
		t.Errorf("xxhash64 returns %d bytes, from_big_endian_64(X'0000000000000102') = %d; want 8 and 258", length, be)
	}

	// As skim writes it for key user_id, seed 42 and 1%.
	const keep = `abs(from_big_endian_64(xxhash64(to_utf8('42:' || CAST(user_id AS varchar)))) % 10000) < 100`
	query := `SELECT count(*), count(DISTINCT user_id) FROM demo.web.events WHERE ` + keep
	var runs [2][2]int64
	began := time.Now()
	for i := range runs {
		if err := db.QueryRow(query).Scan(&runs[i][0], &runs[i][1]); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	took := time.Since(began) / 2
	var users int64
	if err := db.QueryRow(`SELECT count(DISTINCT user_id) FROM demo.web.events`).Scan(&users); err != nil {
		t.Fatal(err)
	}
	t.Logf("the 1%% key sample kept %d events of %d users out of %d users, in %s", runs[0][0], runs[0][1], users, took.Round(time.Millisecond))
	if runs[0] != runs[1] {
		t.Errorf("two runs kept %v and %v; the hash must be deterministic", runs[0], runs[1])
	}
	if share := float64(runs[0][1]) / float64(users); share < 0.005 || share > 0.02 {
		t.Errorf("the 1%% key sample kept %.2f%% of the users", 100*share)
	}
}
