// Package config reads skim's YAML configuration file: the rewrite
// engine's settings, where table statistics come from, and the named
// policies that decide what skim does with each statement.
//
// A file looks like this (testdata/skim.yaml has a commented example):
//
//	rewrite:
//	  min_table_bytes: 1GiB        # sizes take units (B, KiB..PiB, KB..PB) or plain integers
//	  max_shortfall: 1e-6
//	  trino_split_bytes: 64MiB
//	  bigquery_block_bytes: 1GiB
//	catalog:
//	  file: catalog.yaml           # relative to the configuration file's directory
//	policies:
//	  - name: ci
//	    mode: off                  # off | advise | rewrite
//	    match: {users: ["ci-*"], sources: ["dbt*"], client_tags: [dev]}
//	  - name: default              # no match: applies to everyone else
//	    mode: rewrite
//
// Load and Parse check the whole file and report every problem at once,
// each with its file, line and field, so that a broken file is fixed in one
// pass instead of one restart per mistake.
package config

import (
	"fmt"
	"os"
	"path"
	"strings"
	"time"
)

// Config is a parsed configuration file. A zero setting means "use the
// default"; the component that owns the setting applies it, so defaults
// live next to the code that depends on them.
type Config struct {
	// Rewrite holds the rewrite engine's settings.
	Rewrite Rewrite
	// Catalog says where table statistics come from.
	Catalog Catalog
	// Trino is the Trino frontend: where skim listens and forwards.
	Trino Trino
	// BigQuery is the BigQuery frontend.
	BigQuery BigQuery
	// Admin is the listener for health checks.
	Admin Admin
	// Ledger is where skim records each statement.
	Ledger Ledger
	// Teams map users to teams for reports, in file order: a user belongs
	// to the first team with a pattern that matches.
	Teams []Team
	// Policies are tried in order by PolicyFor. When the file has no
	// policies, or an empty policies section, they are Default's; an
	// explicit "policies: []" leaves none, so no statement has a policy.
	Policies []Policy
	// Path is the file the configuration was read from (the name given to
	// Parse); empty for Default.
	Path string
}

// Rewrite holds the rewrite engine's settings; zero fields take the
// engine's defaults.
type Rewrite struct {
	// MinTableBytes is the size from which a table is sampled; smaller
	// tables are read whole.
	MinTableBytes int64
	// MaxShortfall is the largest accepted probability that a sample
	// returns fewer rows than the statement asks for; when set it is above
	// 0 and below 0.01.
	MaxShortfall float64
	// TrinoSplitBytes is the size of a Trino split, used when the catalog
	// does not count a table's files.
	TrinoSplitBytes int64
	// BigQueryBlockBytes is the size of a BigQuery sampling block.
	BigQueryBlockBytes int64
}

// Catalog says where table statistics come from.
type Catalog struct {
	// File is the static catalog file, as an absolute path; empty when the
	// configuration names none.
	File string
}

// Trino configures the Trino frontend.
type Trino struct {
	// Listen is the address clients connect to, e.g. ":8081"; empty
	// means the frontend is off unless a flag sets it.
	Listen string
	// Upstream is the coordinator's URL, e.g. http://trino:8080.
	Upstream string
	// PublicURL is the URL clients reach skim at, when a load balancer
	// sits in front; empty means each request's own scheme and host.
	PublicURL string
	// PricePerTiB is what a TiB scanned costs, for the ledger's money
	// figures; nil means 0.
	PricePerTiB *float64
}

// BigQuery configures the BigQuery frontend.
type BigQuery struct {
	// Listen is the address BigQuery clients use as their API endpoint;
	// empty means the frontend is off unless a flag sets it.
	Listen string
	// Upstream is BigQuery's base URL; empty means the public endpoint.
	Upstream string
	// MaxBytesBilled, when positive, caps every query job's
	// maximumBytesBilled.
	MaxBytesBilled int64
	// PricePerTiB is what a TiB billed costs; nil means BigQuery's
	// on-demand list price, DefaultBigQueryPricePerTiB.
	PricePerTiB *float64
}

// DefaultBigQueryPricePerTiB is BigQuery's on-demand list price per TiB
// billed, in US dollars.
const DefaultBigQueryPricePerTiB = 6.25

// Price returns the price per TiB of the named frontend ("trino" or
// "bigquery").
func (c *Config) Price(frontend string) float64 {
	switch frontend {
	case "trino":
		if c.Trino.PricePerTiB != nil {
			return *c.Trino.PricePerTiB
		}
	case "bigquery":
		if c.BigQuery.PricePerTiB != nil {
			return *c.BigQuery.PricePerTiB
		}
		return DefaultBigQueryPricePerTiB
	}
	return 0
}

// Admin configures the admin listener.
type Admin struct {
	// Listen is the address of /healthz, e.g. "127.0.0.1:9091".
	Listen string
}

// Ledger says where statement records go.
type Ledger struct {
	// File is a JSON-lines file, as an absolute path.
	File string
	// Postgres is a postgres:// URL, with ${VAR} references expanded
	// from the environment so passwords stay out of the file. At most
	// one of File and Postgres is set; with neither, records go to the
	// log only.
	Postgres string
	// SQL says how much statement text records keep.
	SQL SQLRecording
	// SpoolDir is where records wait while PostgreSQL is unreachable;
	// empty means a directory under the user's cache directory.
	SpoolDir string
}

// Target returns where records go: the PostgreSQL URL, the file, or "".
func (l Ledger) Target() string {
	if l.Postgres != "" {
		return l.Postgres
	}
	return l.File
}

// SQLRecording says how much of each statement's text the ledger keeps.
type SQLRecording string

// The SQL recording choices.
const (
	// SQLFull keeps the client's text and skim's rewrite. The default.
	SQLFull SQLRecording = "full"
	// SQLNormalized keeps the text with literals replaced by ?, so values
	// in filters (emails, ids) never reach the ledger.
	SQLNormalized SQLRecording = "normalized"
	// SQLNone keeps no text, only the fingerprint.
	SQLNone SQLRecording = "none"
)

// Team names a group of users for reports.
type Team struct {
	Name string
	// Users are patterns for user names, as in Match.
	Users []string
}

// TeamOf returns the team of user, or "" when no team lists the user.
func (c *Config) TeamOf(user string) string {
	for _, t := range c.Teams {
		if matchAny(t.Users, user) {
			return t.Name
		}
	}
	return ""
}

// Mode is what skim does with the statements a policy applies to.
type Mode string

// The modes a policy can have.
const (
	// ModeOff passes statements through untouched.
	ModeOff Mode = "off"
	// ModeAdvise runs statements unchanged and reports the rewrite skim
	// would have made, so users can judge it before turning it on.
	ModeAdvise Mode = "advise"
	// ModeRewrite runs the rewritten, sampled statements.
	ModeRewrite Mode = "rewrite"
	// ModeEnforce also samples every read of a large table, for dev
	// environments that asked for approximate data.
	ModeEnforce Mode = "enforce"
)

// modes lists the valid modes in the order messages show them.
func modes() []Mode { return []Mode{ModeOff, ModeAdvise, ModeRewrite, ModeEnforce} }

// Policy is a named mode for the statements its Match fits.
type Policy struct {
	// Name identifies the policy in logs and lookups; unique in a file.
	Name string
	// Mode is what skim does with the statements the policy applies to.
	Mode Mode
	// Match selects who the policy applies to; nil makes it the default
	// policy, which fits everyone.
	Match *Match
	// Sample is the dev sampling of an enforce policy; nil means the
	// defaults.
	Sample *Sample
	// Budget caps what statements may scan.
	Budget Budget
	// NoOptOut makes skim ignore /* skim:off */ hints.
	NoOptOut bool
	// RejectUnparsed rejects statements skim cannot parse instead of
	// passing them through.
	RejectUnparsed bool
}

// Sample is how an enforce policy samples each large table.
type Sample struct {
	// MinTableBytes is the size from which tables are sampled; zero
	// means rewrite.min_table_bytes.
	MinTableBytes int64
	// Percent of each table to keep, above 0 and at most 100; zero means 1.
	Percent float64
	// PartitionsLast keeps only the partitions of a time-partitioned
	// table that hold this much recent data; zero keeps all.
	PartitionsLast time.Duration
	// Seed makes samples the same on every run; zero leaves them random.
	Seed uint64
	// Key is the sampling key column: tables carrying it are sampled by a
	// hash of it, so joins on it keep their matches.
	Key string
}

// Budget caps what statements may scan; zero fields are no cap.
type Budget struct {
	// MaxScanBytes caps one statement's estimated scan.
	MaxScanBytes int64
	// DailyScanBytesPerUser caps what one user scans in a UTC day, summed
	// from the ledger.
	DailyScanBytesPerUser int64
}

// Match selects statements by who sent them. Patterns use path.Match
// syntax: * matches any run of characters except '/', ? one character,
// [a-z] a class. Every non-empty list must match; empty lists match
// anything. A file never holds a Match with all lists empty, since that
// would be a default policy in disguise.
type Match struct {
	// Users are patterns for the user name.
	Users []string
	// Sources are patterns for the client's source (Trino's
	// X-Trino-Source, say).
	Sources []string
	// ClientTags are patterns of which at least one must match at least one
	// of the client's tags.
	ClientTags []string
	// Labels maps label keys to patterns for their values (BigQuery job
	// labels); every one must match.
	Labels map[string]string
}

// Who describes the sender of a statement, as the client reported it.
type Who struct {
	// User is the user name.
	User string
	// Source names the client program (Trino's X-Trino-Source, say).
	Source string
	// ClientTags are the client's tags (Trino's X-Trino-Client-Tags).
	ClientTags []string
	// Labels are the statement's labels (BigQuery job labels).
	Labels map[string]string
}

// Load reads and validates the configuration file at path. A relative
// catalog file is resolved against path's directory.
func Load(path string) (*Config, error) {
	data, err := Read(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Read returns the bytes of the configuration file at path, for callers
// that keep them (to notice when the file changes) before Parse.
func Read(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration file: %w; check the path and the file's permissions", err)
	}
	return data, nil
}

// Default is the configuration used when there is no file: engine defaults
// and a single policy, "default", that rewrites every statement.
func Default() *Config {
	return &Config{Policies: []Policy{{Name: "default", Mode: ModeRewrite}}}
}

// Policy returns the policy with the given name. The error for an unknown
// name lists the valid ones.
func (c *Config) Policy(name string) (*Policy, error) {
	names := make([]string, 0, len(c.Policies))
	for i := range c.Policies {
		if c.Policies[i].Name == name {
			return &c.Policies[i], nil
		}
		names = append(names, c.Policies[i].Name)
	}
	where := c.Path
	if where == "" {
		where = "the built-in configuration"
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no policy named %q: %s defines no policies; add one under policies", name, where)
	}
	return nil, fmt.Errorf("no policy named %q in %s; valid policies: %s", name, where, strings.Join(names, ", "))
}

// PolicyFor returns the first policy whose Match fits w, or nil when none
// does and there is no default policy.
func (c *Config) PolicyFor(w Who) *Policy {
	for i := range c.Policies {
		if c.Policies[i].Match.fits(w) {
			return &c.Policies[i]
		}
	}
	return nil
}

// fits reports whether every non-empty list of m matches w; a nil Match
// fits everyone. Malformed patterns, which Parse rejects but a Config built
// in code may hold, match nothing.
func (m *Match) fits(w Who) bool {
	if m == nil {
		return true
	}
	if len(m.Users) > 0 && !matchAny(m.Users, w.User) {
		return false
	}
	if len(m.Sources) > 0 && !matchAny(m.Sources, w.Source) {
		return false
	}
	for k, pat := range m.Labels {
		v, ok := w.Labels[k]
		if !ok || !matchAny([]string{pat}, v) {
			return false
		}
	}
	if len(m.ClientTags) == 0 {
		return true
	}
	for _, tag := range w.ClientTags {
		if matchAny(m.ClientTags, tag) {
			return true
		}
	}
	return false
}

// matchAny reports whether s matches one of patterns.
func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, s); ok {
			return true
		}
	}
	return false
}
