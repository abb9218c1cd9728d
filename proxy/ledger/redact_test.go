package ledger

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestRedactDSN(t *testing.T) {
	for _, c := range []struct{ dsn, want string }{
		{"postgres://skim:s3cret@db:5432/ledger?sslmode=disable", "postgres://skim:xxxxx@db:5432/ledger?sslmode=disable"},
		{"postgresql://skim@db/ledger", "postgresql://skim@db/ledger"},
		{"postgres://db/ledger?user=skim&password=s3cret", "postgres://db/ledger?password=xxxxx&user=skim"},
		{"postgres://db/ledger?sslpassword=s3cret", "postgres://db/ledger?sslpassword=xxxxx"},
		{"postgres://skim:p%40ss@db/ledger", "postgres://skim:xxxxx@db/ledger"},
		// Does not parse as a URL: the user info is blanked all the same.
		{"postgres://skim:s3cret@db:notaport/ledger", "postgres://skim:xxxxx@db:notaport/ledger"},
		{"postgres://skim:s3c ret%zz@db/ledger", "postgres://skim:xxxxx@db/ledger"},
		{"host=db user=skim password='s3 cret' dbname=ledger", "host=db user=skim password=xxxxx dbname=ledger"},
		{"host=db password=s3cret", "host=db password=xxxxx"},
	} {
		got := redactDSN(c.dsn)
		if got != c.want {
			t.Errorf("redactDSN(%q) = %q, want %q", c.dsn, got, c.want)
		}
		if strings.Contains(got, "s3") || strings.Contains(got, "p%40ss") {
			t.Errorf("redactDSN(%q) = %q keeps the password", c.dsn, got)
		}
	}
}

func TestRedactErrScrubsEverySpelling(t *testing.T) {
	dsn := "postgres://skim:p%40ss-word@db:notaport/ledger?password=other-secret"
	inner := fmt.Errorf("parse %q: p@ss-word and other-secret", dsn)
	err := redactErr(inner, dsnSecrets(dsn))
	for _, secret := range []string{"p%40ss-word", "p@ss-word", "other-secret"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("redacted error %q still holds %q", err, secret)
		}
	}
	if !errors.Is(err, inner) {
		t.Errorf("redacted error does not unwrap to the original")
	}
	if redactErr(nil, []string{"x"}) != nil {
		t.Errorf("redactErr(nil) is not nil")
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"/var/lib/skim/ledger.jsonl":                   "/var/lib/skim/ledger.jsonl",
		"postgres://skim:hunter2@db/skim":              "postgres://skim:xxxxx@db/skim",
		"postgres://skim@db/skim?password=hunter2":     "postgres://skim@db/skim?password=xxxxx",
		"postgresql://db/skim?sslpassword=k&sslmode=x": "postgresql://db/skim?sslmode=x&sslpassword=xxxxx",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
