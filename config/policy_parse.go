package config

import (
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ledger reads the ledger section.
func (p *parser) ledger(n *yaml.Node, l *Ledger) {
	if !p.section(n, "ledger", "{file: ledger.jsonl}") {
		return
	}
	var fileNode, pgNode *yaml.Node
	p.fields(n, "ledger", []string{"file", "postgres", "sql", "spool_dir"}, func(key string, v *yaml.Node) {
		field := "ledger." + key
		switch key {
		case "file":
			fileNode = v
			l.File = p.path(v, field, "a file such as ledger.jsonl")
		case "postgres":
			pgNode = v
			l.Postgres = p.postgresURL(v, field)
		case "sql":
			const want = "full (the statement text), normalized (literals replaced by ?) or none"
			s, ok := p.scalar(v, field, want)
			if ok {
				switch r := SQLRecording(s); r {
				case SQLFull, SQLNormalized, SQLNone:
					l.SQL = r
				default:
					p.failf(v, field, "%q is not valid; expected %s", s, want)
				}
			}
		case "spool_dir":
			l.SpoolDir = p.path(v, field, "a directory such as /var/lib/skim/spool")
		}
	})
	if fileNode != nil && pgNode != nil {
		p.failf(pgNode, "ledger", "both file (line %d) and postgres are set; records go to one ledger, so remove one", fileNode.Line)
	}
}

// postgresURL reads a postgres:// URL, expanding ${VAR} from the
// environment. Messages never repeat the URL, which may hold a password.
func (p *parser) postgresURL(v *yaml.Node, field string) string {
	const want = "a URL such as postgres://skim:${SKIM_LEDGER_PASSWORD}@db:5432/skim"
	s, ok := p.scalar(v, field, want)
	if !ok {
		return ""
	}
	var missing []string
	s = os.Expand(s, func(name string) string {
		val, ok := os.LookupEnv(name)
		if !ok {
			missing = append(missing, name)
		}
		return val
	})
	if len(missing) > 0 {
		p.failf(v, field, "environment variable %s is not set; set it before starting skim", strings.Join(missing, ", "))
		return ""
	}
	if !strings.HasPrefix(s, "postgres://") && !strings.HasPrefix(s, "postgresql://") {
		p.failf(v, field, "not a postgres:// URL; expected %s", want)
		return ""
	}
	return s
}

// price reads a price per TiB: a number at least 0.
func (p *parser) price(v *yaml.Node, field string) *float64 {
	const want = "a price per TiB such as 6.25 (0 for none)"
	s, ok := p.scalar(v, field, want)
	if !ok {
		return nil
	}
	x, err := strconv.ParseFloat(strings.TrimPrefix(s, "$"), 64)
	if err != nil || x < 0 || x != x {
		p.failf(v, field, "%q is not valid; expected %s", s, want)
		return nil
	}
	return &x
}

// teams reads `teams: {name: [user patterns]}`.
func (p *parser) teams(n *yaml.Node) []Team {
	if !p.section(n, "teams", `{data-science: ["alice", "ds-*"]}`) {
		return nil
	}
	var teams []Team
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if seen[k.Value] {
			p.failf(k, "teams."+k.Value, "team listed twice; merge the lists")
			continue
		}
		seen[k.Value] = true
		teams = append(teams, Team{Name: k.Value, Users: p.patterns(v, "teams."+k.Value)})
	}
	return teams
}

// labels reads a mapping of label keys to value patterns.
func (p *parser) labels(n *yaml.Node, field string) map[string]string {
	if !p.section(n, field, "{env: dev}") {
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		f := field + "." + k.Value
		s, ok := p.scalar(v, f, `a pattern such as "dev" or "team-*"`)
		if !ok {
			continue
		}
		if _, err := path.Match(s, ""); err != nil {
			p.failf(v, f, "%q is not a valid pattern (%w)", s, err)
			continue
		}
		out[k.Value] = s
	}
	return out
}

// sample reads an enforce policy's sample settings.
func (p *parser) sample(n *yaml.Node, field string) *Sample {
	if !p.section(n, field, "{percent: 1, partitions_last: 7d, seed: 42}") {
		return nil
	}
	s := &Sample{}
	p.fields(n, field, []string{"min_table_bytes", "percent", "partitions_last", "seed", "key"}, func(key string, v *yaml.Node) {
		f := field + "." + key
		switch key {
		case "min_table_bytes":
			s.MinTableBytes = p.size(v, f)
		case "percent":
			const want = "a percentage above 0 and at most 100, such as 1 or 0.5"
			text, ok := p.scalar(v, f, want)
			if !ok {
				return
			}
			x, err := strconv.ParseFloat(strings.TrimSuffix(text, "%"), 64)
			if err != nil || !(x > 0 && x <= 100) {
				p.failf(v, f, "%q is not valid; expected %s", text, want)
				return
			}
			s.Percent = x
		case "partitions_last":
			s.PartitionsLast = p.duration(v, f)
		case "seed":
			text, ok := p.scalar(v, f, "a positive integer such as 42")
			if !ok {
				return
			}
			x, err := strconv.ParseUint(text, 10, 64)
			if err != nil || x == 0 {
				p.failf(v, f, "%q is not valid; expected a positive integer such as 42", text)
				return
			}
			s.Seed = x
		case "key":
			text, ok := p.scalar(v, f, "a column name such as user_id")
			if ok && text == "" {
				p.failf(v, f, "empty column name; give a column such as user_id or remove the line")
			}
			s.Key = strings.ToLower(text)
		}
	})
	return s
}

// budget reads a policy's budget.
func (p *parser) budget(n *yaml.Node, field string) Budget {
	var b Budget
	if !p.section(n, field, "{max_scan_bytes: 1TiB}") {
		return b
	}
	p.fields(n, field, []string{"max_scan_bytes", "daily_scan_bytes_per_user"}, func(key string, v *yaml.Node) {
		switch key {
		case "max_scan_bytes":
			b.MaxScanBytes = p.size(v, field+"."+key)
		case "daily_scan_bytes_per_user":
			b.DailyScanBytesPerUser = p.size(v, field+"."+key)
		}
	})
	return b
}

// duration reads a positive duration: Go's syntax (36h, 90m) or whole days
// (7d).
func (p *parser) duration(v *yaml.Node, field string) time.Duration {
	const want = "a duration such as 7d, 36h or 90m"
	s, ok := p.scalar(v, field, want)
	if !ok {
		return 0
	}
	d, err := ParseDuration(s)
	if err != nil || d <= 0 {
		p.failf(v, field, "%q is not valid; expected %s", s, want)
		return 0
	}
	return d
}

// ParseDuration reads Go's duration syntax, or a whole number of days
// such as 7d.
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseUint(days, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days such as 7d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 7d, 36h or 90m", s)
	}
	return d, nil
}

// FormatDuration writes whole days as ParseDuration reads them ("7d"),
// other durations as Go does.
func FormatDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// boolean reads true or false.
func (p *parser) boolean(v *yaml.Node, field, want string) (bool, bool) {
	s, ok := p.scalar(v, field, want)
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	p.failf(v, field, "%q is not valid; expected %s", s, want)
	return false, false
}
