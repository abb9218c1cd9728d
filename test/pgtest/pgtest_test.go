package pgtest

import "testing"

// TestPoolSkipsWithoutPostgres checks that a test asking for the pool of
// a package whose PostgreSQL did not start skips rather than fails.
func TestPoolSkipsWithoutPostgres(t *testing.T) {
	s := Shared{skip: "PostgreSQL not installed"}
	var sub *testing.T
	t.Run("needs PostgreSQL", func(t *testing.T) {
		sub = t
		s.Pool(t)
		t.Error("Pool returned without PostgreSQL")
	})
	if !sub.Skipped() {
		t.Error("the test did not skip")
	}
}
