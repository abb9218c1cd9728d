package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestConfigurationDocumented checks that docs/configuration.md names every
// field the parser accepts, as a backticked dotted name such as
// `rewrite.min_table_bytes` or `policies[].match.users`. The accepted names
// come from the parser itself: each probe puts an unknown key at one level
// of the file, and the parser's error lists that level's valid fields.
func TestConfigurationDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatalf("reading the configuration documentation: %v", err)
	}
	probes := []struct {
		level  string // for messages
		prefix string // dotted prefix of the level's fields in the docs
		yaml   string // a file with the unknown key zzz at that level
	}{
		{"the top level", "", "zzz: 1\n"},
		{"rewrite", "rewrite.", "rewrite: {zzz: 1}\n"},
		{"catalog", "catalog.", "catalog: {zzz: 1}\n"},
		{"trino", "trino.", "trino: {zzz: 1}\n"},
		{"bigquery", "bigquery.", "bigquery: {zzz: 1}\n"},
		{"admin", "admin.", "admin: {zzz: 1}\n"},
		{"ledger", "ledger.", "ledger: {zzz: 1}\n"},
		{"a policy", "policies[].", "policies: [{name: p, mode: off, zzz: 1}]\n"},
		{"a policy's match", "policies[].match.", "policies: [{name: p, mode: off, match: {users: [x], zzz: 1}}]\n"},
		{"a policy's sample", "policies[].sample.", "policies: [{name: p, mode: enforce, sample: {zzz: 1}}]\n"},
		{"a policy's budget", "policies[].budget.", "policies: [{name: p, mode: off, budget: {zzz: 1}}]\n"},
	}
	validRe := regexp.MustCompile(`unknown field "zzz"; valid fields: ([^\n]+)`)
	total := 0
	for _, p := range probes {
		_, err := Parse("probe.yaml", []byte(p.yaml))
		if err == nil {
			t.Errorf("%s: the parser accepted the unknown key zzz; the probe cannot learn the valid fields", p.level)
			continue
		}
		m := validRe.FindStringSubmatch(err.Error())
		if m == nil {
			t.Errorf("%s: the parser's error does not list the valid fields: %v", p.level, err)
			continue
		}
		for _, name := range strings.Split(m[1], ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			total++
			want := "`" + p.prefix + name + "`"
			if !strings.Contains(string(doc), want) {
				t.Errorf("docs/configuration.md does not document %s (field %q of %s)", want, name, p.level)
			}
		}
	}
	// Guard against a probe set that silently learns nothing.
	if total < 20 {
		t.Errorf("the probes found only %d fields; expected every section's fields", total)
	}
}
