// Package compose checks the repository's Docker packaging — docker-compose.yml,
// the Dockerfile and the files under deploy/ — without a Docker engine: the
// compose file's references resolve, the Trino catalogs are well-formed
// properties files, skim's configuration loads and points at the compose
// services (its ledger at the database PostgreSQL's init script creates,
// with the password from the environment), and the image runs as a
// non-root user with a health check. When the docker CLI with its compose
// plugin is installed, `docker compose config` validates the file against
// Compose's own schema too.
package compose

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/skimdata/skim/config"
)

// root is the repository's top level, relative to this package.
const root = "../.."

// composeFile is the subset of the Compose specification the checks read.
type composeFile struct {
	Services map[string]service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

type service struct {
	Image       string    `yaml:"image"`
	Build       yaml.Node `yaml:"build"`
	Command     []string  `yaml:"command"`
	Entrypoint  []string  `yaml:"entrypoint"`
	Environment yaml.Node `yaml:"environment"`
	DependsOn   yaml.Node `yaml:"depends_on"`
	Volumes     []volume  `yaml:"volumes"`
	Ports       []string  `yaml:"ports"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Restart string `yaml:"restart"`
}

// volume is one entry of a service's volumes, in the short syntax
// (SOURCE:TARGET[:MODE]) or the long one ({type, source, target}).
type volume struct {
	Type, Source, Target string
}

func (v *volume) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		parts := strings.Split(n.Value, ":")
		if len(parts) < 2 {
			// An anonymous volume: only a target.
			*v = volume{Type: "volume", Target: parts[0]}
			return nil
		}
		v.Source, v.Target = parts[0], parts[1]
		v.Type = "volume"
		if strings.HasPrefix(v.Source, ".") || strings.HasPrefix(v.Source, "/") || strings.HasPrefix(v.Source, "~") {
			v.Type = "bind"
		}
		return nil
	}
	var long struct {
		Type   string `yaml:"type"`
		Source string `yaml:"source"`
		Target string `yaml:"target"`
	}
	if err := n.Decode(&long); err != nil {
		return err
	}
	*v = volume{Type: long.Type, Source: long.Source, Target: long.Target}
	return nil
}

// dependencies returns the services named by depends_on, in either its list
// or its mapping form.
func (s service) dependencies(t *testing.T) []string {
	t.Helper()
	switch s.DependsOn.Kind {
	case 0:
		return nil
	case yaml.SequenceNode:
		var names []string
		if err := s.DependsOn.Decode(&names); err != nil {
			t.Fatalf("depends_on: %v", err)
		}
		return names
	case yaml.MappingNode:
		var m map[string]struct {
			Condition string `yaml:"condition"`
		}
		if err := s.DependsOn.Decode(&m); err != nil {
			t.Fatalf("depends_on: %v", err)
		}
		var names []string
		for name, d := range m {
			switch d.Condition {
			case "", "service_started", "service_healthy", "service_completed_successfully":
			default:
				t.Errorf("depends_on %s: unknown condition %q", name, d.Condition)
			}
			names = append(names, name)
		}
		slices.Sort(names)
		return names
	}
	t.Fatalf("depends_on at line %d is neither a list nor a mapping", s.DependsOn.Line)
	return nil
}

// environment returns the variables s sets, from either the mapping or the
// list (NAME=VALUE) form, as written: Compose's own ${VAR:-default}
// interpolation is left in place.
func (s service) environment(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{}
	switch s.Environment.Kind {
	case 0:
	case yaml.MappingNode:
		if err := s.Environment.Decode(&env); err != nil {
			t.Fatalf("environment: %v", err)
		}
	case yaml.SequenceNode:
		var list []string
		if err := s.Environment.Decode(&list); err != nil {
			t.Fatalf("environment: %v", err)
		}
		for _, kv := range list {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	default:
		t.Fatalf("environment at line %d is neither a list nor a mapping", s.Environment.Line)
	}
	return env
}

// dependsOnCondition returns the condition s waits for on dep, or "" when s
// does not depend on dep in the mapping form.
func (s service) dependsOnCondition(t *testing.T, dep string) string {
	t.Helper()
	if s.DependsOn.Kind != yaml.MappingNode {
		return ""
	}
	var m map[string]struct {
		Condition string `yaml:"condition"`
	}
	if err := s.DependsOn.Decode(&m); err != nil {
		t.Fatalf("depends_on: %v", err)
	}
	return m[dep].Condition
}

// buildSpec returns the build context and Dockerfile of s, relative to the
// compose file; ok is false when s has no build section.
func (s service) buildSpec(t *testing.T) (context, dockerfile string, ok bool) {
	t.Helper()
	switch s.Build.Kind {
	case 0:
		return "", "", false
	case yaml.ScalarNode:
		return s.Build.Value, "Dockerfile", true
	case yaml.MappingNode:
		var b struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		}
		if err := s.Build.Decode(&b); err != nil {
			t.Fatalf("build: %v", err)
		}
		if b.Context == "" {
			b.Context = "."
		}
		if b.Dockerfile == "" {
			b.Dockerfile = "Dockerfile"
		}
		return b.Context, b.Dockerfile, true
	}
	t.Fatalf("build at line %d is neither a path nor a mapping", s.Build.Line)
	return "", "", false
}

func loadCompose(t *testing.T) *composeFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	if len(c.Services) == 0 {
		t.Fatal("docker-compose.yml defines no services")
	}
	return &c
}

func TestServices(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"postgres", "trino", "trino-init", "skim"} {
		if _, ok := c.Services[name]; !ok {
			t.Errorf("no service %q", name)
		}
	}
	for name, s := range c.Services {
		if s.Image == "" && s.Build.Kind == 0 {
			t.Errorf("service %s has neither image nor build", name)
		}
		if s.Image != "" && s.Build.Kind == 0 && !strings.Contains(s.Image, ":") {
			t.Errorf("service %s: image %q is not pinned to a tag", name, s.Image)
		}
	}
	if s := c.Services["trino-init"]; s.Restart != "no" {
		t.Errorf("trino-init is a one-shot job: restart = %q, want \"no\"", s.Restart)
	}
	for _, s := range []string{"postgres", "trino"} {
		if c.Services[s].Healthcheck == nil || len(c.Services[s].Healthcheck.Test) == 0 {
			t.Errorf("service %s has no healthcheck; its dependents wait for service_healthy", s)
		}
	}
	if got := c.Services["postgres"].Healthcheck; got != nil {
		test := strings.Join(got.Test, " ")
		if !strings.Contains(test, "pg_isready") {
			t.Errorf("postgres healthcheck %q does not run pg_isready", got.Test)
		}
		// While the init scripts run, PostgreSQL listens on its Unix
		// socket only; asking over TCP keeps skim waiting until the
		// ledger's database exists.
		if !strings.Contains(test, "-h 127.0.0.1") && !strings.Contains(test, "-h localhost") {
			t.Errorf("postgres healthcheck %q asks over the Unix socket, which answers before the init scripts have run; pass -h 127.0.0.1", got.Test)
		}
	}
}

func TestDependsOn(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		for _, dep := range s.dependencies(t) {
			if _, ok := c.Services[dep]; !ok {
				t.Errorf("service %s depends on %q, which is not a service", name, dep)
			}
			if dep == name {
				t.Errorf("service %s depends on itself", name)
			}
		}
	}
	for _, tc := range []struct{ service, dep, condition string }{
		{"trino-init", "trino", "service_healthy"},
		{"skim", "trino", "service_healthy"},
		// The ledger's database exists once PostgreSQL's init scripts ran.
		{"skim", "postgres", "service_healthy"},
		{"trino", "postgres", "service_healthy"},
	} {
		if got := c.Services[tc.service].dependsOnCondition(t, tc.dep); got != tc.condition {
			t.Errorf("%s depends on %s with condition %q, want %q", tc.service, tc.dep, got, tc.condition)
		}
	}
	// No cycles: a depth-first walk never meets a service on its own path.
	state := map[string]int{} // 0 unvisited, 1 on the path, 2 done
	var visit func(string, []string)
	visit = func(name string, path []string) {
		switch state[name] {
		case 1:
			t.Errorf("depends_on cycle: %s", strings.Join(append(path, name), " → "))
			return
		case 2:
			return
		}
		state[name] = 1
		for _, dep := range c.Services[name].dependencies(t) {
			if _, ok := c.Services[dep]; ok {
				visit(dep, append(path, name))
			}
		}
		state[name] = 2
	}
	for name := range c.Services {
		visit(name, nil)
	}
}

func TestVolumes(t *testing.T) {
	c := loadCompose(t)
	used := map[string]bool{}
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			switch v.Type {
			case "volume":
				if v.Source == "" {
					continue
				}
				used[v.Source] = true
				if _, ok := c.Volumes[v.Source]; !ok {
					t.Errorf("service %s mounts the named volume %q, which is not declared under volumes:", name, v.Source)
				}
			case "bind":
				if strings.HasPrefix(v.Source, "/") || strings.HasPrefix(v.Source, "~") {
					t.Errorf("service %s bind-mounts %q: use a path inside the repository", name, v.Source)
					continue
				}
				if _, err := os.Stat(filepath.Join(root, v.Source)); err != nil {
					t.Errorf("service %s bind-mounts %s: %v", name, v.Source, err)
				}
			}
			if !strings.HasPrefix(v.Target, "/") {
				t.Errorf("service %s mounts at %q, not an absolute path", name, v.Target)
			}
		}
	}
	for v := range c.Volumes {
		if !used[v] {
			t.Errorf("volume %q is declared but no service mounts it", v)
		}
	}
}

// hostPort returns the host address and port of a published port in the
// short syntax: [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL].
func hostPort(spec string) (host, port, proto string, err error) {
	spec, proto, _ = strings.Cut(spec, "/")
	if proto == "" {
		proto = "tcp"
	}
	i := strings.LastIndex(spec, ":")
	if i < 0 {
		return "", "", "", fmt.Errorf("%q publishes no host port", spec)
	}
	hostPart := spec[:i]
	if j := strings.LastIndex(hostPart, ":"); j >= 0 {
		host, port = strings.Trim(hostPart[:j], "[]"), hostPart[j+1:]
	} else {
		port = hostPart
	}
	if port == "" || strings.Trim(port, "0123456789") != "" {
		return "", "", "", fmt.Errorf("%q: host port %q is not a number", spec, port)
	}
	return host, port, proto, nil
}

func TestHostPort(t *testing.T) {
	for _, tc := range []struct{ spec, host, port, proto string }{
		{"8081:8081", "", "8081", "tcp"},
		{"127.0.0.1:9091:9091", "127.0.0.1", "9091", "tcp"},
		{"5353:53/udp", "", "5353", "udp"},
		{"[::1]:8080:8080", "::1", "8080", "tcp"},
	} {
		host, port, proto, err := hostPort(tc.spec)
		if err != nil || host != tc.host || port != tc.port || proto != tc.proto {
			t.Errorf("hostPort(%q) = %q, %q, %q, %v; want %q, %q, %q", tc.spec, host, port, proto, err, tc.host, tc.port, tc.proto)
		}
	}
	for _, spec := range []string{"8081", "abc:8081"} {
		if _, _, _, err := hostPort(spec); err == nil {
			t.Errorf("hostPort(%q) succeeded", spec)
		}
	}
}

func TestPortsDoNotCollide(t *testing.T) {
	c := loadCompose(t)
	type binding struct{ service, host string }
	byPort := map[string][]binding{} // "port/proto" → who binds it
	for name, s := range c.Services {
		for _, p := range s.Ports {
			host, port, proto, err := hostPort(p)
			if err != nil {
				t.Errorf("service %s: %v", name, err)
				continue
			}
			key := port + "/" + proto
			for _, b := range byPort[key] {
				// A port bound to all addresses collides with every host address.
				if b.host == host || b.host == "" || host == "" {
					t.Errorf("host port %s is published by both %s and %s", key, b.service, name)
				}
			}
			byPort[key] = append(byPort[key], binding{name, host})
		}
	}
}

func TestSkimService(t *testing.T) {
	c := loadCompose(t)
	s, ok := c.Services["skim"]
	if !ok {
		t.Fatal("no skim service")
	}
	ctx, dockerfile, ok := s.buildSpec(t)
	if !ok {
		t.Fatal("the skim service does not build the image")
	}
	if _, err := os.Stat(filepath.Join(root, ctx, dockerfile)); err != nil {
		t.Errorf("the skim service builds from %s: %v", filepath.Join(ctx, dockerfile), err)
	}
	cfg, _, _ := loadSkimConfig(t, c)

	// trino.upstream names the trino service on Trino's port.
	up, err := url.Parse(cfg.Trino.Upstream)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Services[up.Hostname()]; !ok || up.Hostname() != "trino" {
		t.Errorf("trino.upstream %q does not name the trino service", cfg.Trino.Upstream)
	}
	if up.Port() != "8080" {
		t.Errorf("trino.upstream %q: want Trino's port 8080", cfg.Trino.Upstream)
	}
	if cfg.Catalog.File != "" {
		t.Errorf("catalog.file = %s; the compose setup reads statistics from the live Trino", cfg.Catalog.File)
	}

	// The listeners accept connections from outside the container and are
	// published.
	published := map[string]string{} // container port → host port spec
	for _, p := range s.Ports {
		if _, _, _, err := hostPort(p); err == nil {
			spec, _, _ := strings.Cut(p, "/")
			published[spec[strings.LastIndex(spec, ":")+1:]] = p
		}
	}
	for _, l := range []struct{ field, addr string }{
		{"trino.listen", cfg.Trino.Listen},
		{"admin.listen", cfg.Admin.Listen},
	} {
		host, port, err := net.SplitHostPort(l.addr)
		if err != nil {
			t.Errorf("%s %q: %v", l.field, l.addr, err)
			continue
		}
		if host != "" && host != "0.0.0.0" && host != "::" {
			t.Errorf("%s %q listens on %s only; inside a container it must listen on all addresses", l.field, l.addr, host)
		}
		if published[port] == "" {
			t.Errorf("%s port %s is not published by the skim service (ports %q)", l.field, port, s.Ports)
		}
	}

	// The dashboard is at http://localhost:9091/, and the image's health
	// check asks /healthz on the port the admin listener uses.
	if _, adminPort, err := net.SplitHostPort(cfg.Admin.Listen); err == nil {
		if spec := published[adminPort]; spec != "" {
			host, port, _, _ := hostPort(spec)
			if port != "9091" || !slices.Contains([]string{"", "0.0.0.0", "127.0.0.1", "localhost"}, host) {
				t.Errorf("the admin port is published as %q; want it on localhost:9091, where the dashboard is documented", spec)
			}
		}
		healthPort := dockerfileEnv(t)["SKIM_ADMIN_PORT"]
		if v, ok := s.environment(t)["SKIM_ADMIN_PORT"]; ok {
			healthPort = v
		}
		if healthPort != adminPort {
			t.Errorf("the image's health check asks port %q (SKIM_ADMIN_PORT), but admin.listen is %s", healthPort, cfg.Admin.Listen)
		}
	}
	if s.Healthcheck != nil && !strings.Contains(strings.Join(s.Healthcheck.Test, " "), "/healthz") {
		t.Errorf("the skim service's healthcheck %q does not ask /healthz", s.Healthcheck.Test)
	}

	// Records wait for an unreachable database on a volume, not in the
	// container's layer, so a restart does not lose them.
	if cfg.Ledger.SpoolDir == "" {
		t.Error("ledger.spool_dir is not set; the default is in the container's layer")
	} else {
		onVolume := false
		for _, v := range s.Volumes {
			if v.Type == "volume" && v.Source != "" && (cfg.Ledger.SpoolDir == v.Target || strings.HasPrefix(cfg.Ledger.SpoolDir, v.Target+"/")) {
				onVolume = true
			}
		}
		if !onVolume {
			t.Errorf("ledger.spool_dir %s is not on a named volume of the skim service", cfg.Ledger.SpoolDir)
		}
	}
}

// TestSkimPolicies checks what deploy/skim.yaml shows off: a dev policy
// that samples the demo table, a rewrite default, and the teams and price
// the dashboard needs to show savings by team and in money.
func TestSkimPolicies(t *testing.T) {
	cfg, _, _ := loadSkimConfig(t, loadCompose(t))
	if p := cfg.PolicyFor(config.Who{User: "anyone"}); p == nil || p.Mode != config.ModeRewrite || p.Match != nil {
		t.Errorf("the policy for everyone is %+v, want a default policy in mode rewrite", p)
	}
	if cfg.Price("trino") <= 0 {
		t.Error("trino.price_per_tib is not set; the dashboard would show no money saved")
	}
	if len(cfg.Teams) == 0 {
		t.Error("no teams; the dashboard would show no savings by team")
	}

	dev := cfg.PolicyFor(config.Who{User: "anyone", ClientTags: []string{"dev"}})
	if dev == nil || dev.Name != "dev" || dev.Mode != config.ModeEnforce {
		t.Fatalf("a client tagged dev gets policy %+v, want dev in mode enforce", dev)
	}
	if dev.Sample == nil {
		t.Fatal("the dev policy sets no sample")
	}
	smp := dev.Sample
	if smp.Percent <= 0 || smp.Seed == 0 || smp.Key == "" {
		t.Errorf("the dev policy's sample %+v should show percent, seed and key", *smp)
	}
	if cols := demoColumns(t); smp.Key != "" && !slices.Contains(cols, smp.Key) {
		t.Errorf("the dev policy samples by %q, which iceberg.demo.orders does not have (columns %q)", smp.Key, cols)
	}
	// partitions_last counts back from today, and TPC-H's last order is
	// from 1998: a window that misses it would leave dev with no rows.
	if lastOrder := time.Date(1998, 8, 2, 0, 0, 0, 0, time.UTC); smp.PartitionsLast > 0 && time.Since(lastOrder) > smp.PartitionsLast {
		t.Errorf("the dev policy's partitions_last %s does not reach back to %s, the demo table's last order date", smp.PartitionsLast, lastOrder.Format(time.DateOnly))
	}
	if dev.Budget.MaxScanBytes <= 0 && dev.Budget.DailyScanBytesPerUser <= 0 {
		t.Error("the dev policy sets no budget")
	}
}

// TestLedgerDatabase checks that skim's ledger URL names the compose's
// PostgreSQL, and the role and database its init script creates, with the
// password both services read from the same variable.
func TestLedgerDatabase(t *testing.T) {
	c := loadCompose(t)
	cfg, name, password := loadSkimConfig(t, c)
	if cfg.Ledger.File != "" || cfg.Ledger.Postgres == "" {
		t.Fatalf("the ledger is %q; want ledger.postgres, the compose's PostgreSQL", cfg.Ledger.Target())
	}
	u, err := url.Parse(cfg.Ledger.Postgres)
	if err != nil {
		t.Fatalf("ledger.postgres does not parse once expanded: %v", err)
	}
	if _, ok := c.Services[u.Hostname()]; !ok || u.Hostname() != "postgres" {
		t.Errorf("ledger.postgres connects to %q, not the postgres service", u.Hostname())
	}
	if p := u.Port(); p != "" && p != "5432" {
		t.Errorf("ledger.postgres connects to port %s; PostgreSQL listens on 5432", p)
	}
	if pw, _ := u.User.Password(); pw != password {
		t.Errorf("ledger.postgres's password is not the value of %s", name)
	}
	user, db := u.User.Username(), strings.TrimPrefix(u.Path, "/")

	roles, databases, scripts := initScripts(t)
	if r, ok := roles[user]; !ok || !r.login {
		t.Errorf("ledger.postgres logs in as %q, which no script in deploy/postgres/init creates as a role that may log in", user)
	} else if !passwordFrom(r.password, scripts, name) {
		t.Errorf("role %s's password (PASSWORD %q) is not the value of %s", user, r.password, name)
	}
	owner, ok := databases[db]
	switch {
	case !ok:
		t.Errorf("ledger.postgres names database %q, which no script in deploy/postgres/init creates", db)
	case owner != user:
		// skim creates its tables; PostgreSQL 15 and later let only the
		// database's owner create them in the public schema.
		t.Errorf("database %s is owned by %q, not %q, so skim could not create its tables", db, owner, user)
	}

	// Both services get the variable, with the same value or default, so
	// the role's password and the URL's agree.
	pgEnv, skimEnv := c.Services["postgres"].environment(t), c.Services["skim"].environment(t)
	switch {
	case skimEnv[name] == "":
		t.Errorf("the skim service does not set %s; skim would refuse its configuration", name)
	case pgEnv[name] != skimEnv[name]:
		t.Errorf("%s is %q for postgres and %q for skim; the role's password would not match", name, pgEnv[name], skimEnv[name])
	}
}

// skimConfigFile returns the file the skim service's --config names,
// relative to root.
func skimConfigFile(t *testing.T, c *composeFile) string {
	t.Helper()
	s, ok := c.Services["skim"]
	if !ok {
		t.Fatal("no skim service")
	}
	// The command is serve's flags (the image's entrypoint is `skim serve`):
	// --config names a file mounted into the container.
	i := slices.Index(s.Command, "--config")
	if i < 0 || i+1 >= len(s.Command) {
		t.Fatalf("the skim service's command %q passes no --config FILE", s.Command)
	}
	cfgPath := s.Command[i+1]
	for _, v := range s.Volumes {
		if v.Target == cfgPath {
			return v.Source
		}
	}
	t.Fatalf("--config %s is not mounted into the skim service", cfgPath)
	return ""
}

// passwordRef matches a postgres:// URL whose password is one ${VAR}
// reference, and captures the variable.
var passwordRef = regexp.MustCompile(`^postgres(?:ql)?://[^:@/]+:\$\{([A-Za-z_][A-Za-z0-9_]*)\}@`)

// loadSkimConfig loads the skim service's configuration as the container
// does, with the variable its ledger URL takes the password from set (to
// a test value, returned with the variable's name). The file must not
// hold the password itself: the URL's password is a ${VAR} reference, and
// the file does not load without the variable.
func loadSkimConfig(t *testing.T, c *composeFile) (cfg *config.Config, name, password string) {
	t.Helper()
	path := filepath.Join(root, skimConfigFile(t, c))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Ledger struct {
			Postgres string `yaml:"postgres"`
		} `yaml:"ledger"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	m := passwordRef.FindStringSubmatch(raw.Ledger.Postgres)
	if m == nil {
		t.Fatalf("%s: ledger.postgres is %q; want postgres://USER:${VAR}@HOST:PORT/DATABASE, with the password in the environment, not the file", path, raw.Ledger.Postgres)
	}
	name, password = m[1], "compose-test-password"

	// Without the variable the file must not load: nothing in it stands
	// in for the password.
	t.Setenv(name, "") // restores the variable when the test ends
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Load(path); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("%s loads without %s set (err %v); the password must come from the environment", path, name, err)
	}

	t.Setenv(name, password)
	cfg, err = config.Load(path)
	if err != nil {
		t.Fatalf("%s does not load with %s set: %v", path, name, err)
	}
	return cfg, name, password
}

// Statements of PostgreSQL's init scripts that create roles and databases.
var (
	createRole     = regexp.MustCompile(`(?is)\bCREATE\s+(ROLE|USER)\s+"?([a-z_][a-z0-9_]*)"?([^;]*);`)
	createDatabase = regexp.MustCompile(`(?is)\bCREATE\s+DATABASE\s+"?([a-z_][a-z0-9_]*)"?([^;]*);`)
	ownerClause    = regexp.MustCompile(`(?is)\bOWNER\s*=?\s*"?([a-z_][a-z0-9_]*)`)
	loginOption    = regexp.MustCompile(`(?i)\bLOGIN\b`)
	noLoginOption  = regexp.MustCompile(`(?i)\bNOLOGIN\b`)
	passwordOption = regexp.MustCompile(`(?i)\bPASSWORD\s+(\S+)`)
	psqlVariable   = regexp.MustCompile(`^:'([A-Za-z_][A-Za-z0-9_]*)'$`)
)

// role is a role an init script creates.
type role struct {
	login bool
	// password is the PASSWORD option as written: a literal, a psql
	// variable (:'name') or a shell expansion.
	password string
}

// passwordFrom reports whether a role's password, as the init scripts
// write it, is the environment variable name: expanded by the shell, or
// a psql variable that a psql command line sets from it.
func passwordFrom(password, scripts, name string) bool {
	for _, ref := range []string{"$" + name, "${" + name + "}"} {
		if strings.Contains(password, ref) {
			return true
		}
	}
	m := psqlVariable.FindStringSubmatch(password)
	if m == nil {
		return false
	}
	set := regexp.MustCompile(`(?:-v|--set|--variable)[ =]` + m[1] + `="?\$\{?` + name + `\b`)
	return set.MatchString(scripts)
}

// initScripts reads deploy/postgres/init, which PostgreSQL's image runs
// when it creates its volume, and returns the roles it creates, the
// databases it creates with their owners ("" when the script names
// none), and the scripts' text.
func initScripts(t *testing.T) (roles map[string]role, databases map[string]string, text string) {
	t.Helper()
	dir := filepath.Join(root, "deploy", "postgres", "init")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	roles, databases = map[string]role{}, map[string]string{}
	var all strings.Builder
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		// The image runs *.sh, *.sql and compressed SQL, and ignores
		// anything else.
		if !strings.HasSuffix(e.Name(), ".sh") && !strings.HasSuffix(e.Name(), ".sql") {
			t.Errorf("deploy/postgres/init/%s is neither .sh nor .sql; PostgreSQL's image would ignore it", e.Name())
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(data)
		for _, m := range createRole.FindAllStringSubmatch(string(data), -1) {
			// CREATE USER may log in unless told NOLOGIN; CREATE ROLE
			// only when told LOGIN.
			login := loginOption.MatchString(m[3])
			if strings.EqualFold(m[1], "USER") {
				login = !noLoginOption.MatchString(m[3])
			}
			r := role{login: login}
			if pw := passwordOption.FindStringSubmatch(m[3]); pw != nil {
				r.password = strings.TrimSuffix(pw[1], ";")
			}
			roles[strings.ToLower(m[2])] = r
		}
		for _, m := range createDatabase.FindAllStringSubmatch(string(data), -1) {
			owner := ""
			if o := ownerClause.FindStringSubmatch(m[2]); o != nil {
				owner = strings.ToLower(o[1])
			}
			databases[strings.ToLower(m[1])] = owner
		}
	}
	return roles, databases, all.String()
}

// demoColumns returns the columns deploy/trino/init.sql gives
// iceberg.demo.orders.
func demoColumns(t *testing.T) []string {
	t.Helper()
	sql, err := os.ReadFile(filepath.Join(root, "deploy", "trino", "init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?is)CREATE TABLE IF NOT EXISTS iceberg\.demo\.orders\b.*?\bAS\s+SELECT\s+(.*?)\s+FROM\b`).FindSubmatch(sql)
	if m == nil {
		t.Fatal("deploy/trino/init.sql does not create iceberg.demo.orders AS SELECT … FROM")
	}
	var cols []string
	for _, c := range strings.Split(string(m[1]), ",") {
		cols = append(cols, strings.ToLower(strings.TrimSpace(c)))
	}
	return cols
}

// dockerfileEnv returns the variables the Dockerfile's final stage sets
// with ENV NAME=VALUE.
func dockerfileEnv(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, in := range parseDockerfile(data) {
		switch in.cmd {
		case "FROM":
			clear(env)
		case "ENV":
			for _, kv := range strings.Fields(in.args) {
				if k, v, ok := strings.Cut(kv, "="); ok {
					if uq, err := strconv.Unquote(v); err == nil {
						v = uq
					}
					env[k] = v
				}
			}
		}
	}
	return env
}

// readProperties parses a Java properties file as the catalogs use it:
// key=value lines, # and ! comments, blank lines. Duplicate keys and lines
// without = are errors.
func readProperties(data []byte) (map[string]string, error) {
	props := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "!") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			return nil, fmt.Errorf("line %d: continuation lines are not used in catalog files", n)
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case !ok:
			return nil, fmt.Errorf("line %d: %q is not key=value", n, line)
		case k == "":
			return nil, fmt.Errorf("line %d: empty key", n)
		case strings.ContainsAny(k, " \t:"):
			return nil, fmt.Errorf("line %d: key %q contains a space or colon", n, k)
		}
		if _, dup := props[k]; dup {
			return nil, fmt.Errorf("line %d: %s is set twice", n, k)
		}
		props[k] = v
	}
	return props, sc.Err()
}

func TestReadProperties(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     map[string]string
		err      string
	}{
		{"plain", "# c\n! c\n\nconnector.name=tpch\na.b = c=d\n", map[string]string{"connector.name": "tpch", "a.b": "c=d"}, ""},
		{"duplicate", "a=1\na=2\n", nil, "set twice"},
		{"no separator", "connector.name tpch\n", nil, "not key=value"},
		{"empty key", "=x\n", nil, "empty key"},
		{"continuation", "a=1 \\\n 2\n", nil, "continuation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readProperties([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// jdbcHost matches the host of a jdbc:postgresql://host:port/db URL.
var jdbcHost = regexp.MustCompile(`^jdbc:[a-z]+://([^:/]+)`)

func TestTrinoCatalogs(t *testing.T) {
	c := loadCompose(t)
	files, err := filepath.Glob(filepath.Join(root, "deploy", "trino", "catalog", "*.properties"))
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	err = filepath.WalkDir(filepath.Join(root, "deploy", "trino"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".properties") {
			all = append(all, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("deploy/trino/catalog holds no .properties files")
	}
	catalogs := map[string]map[string]string{}
	for _, f := range all {
		rel, _ := filepath.Rel(root, f)
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			props, err := readProperties(data)
			if err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			if props["connector.name"] == "" {
				t.Errorf("%s sets no connector.name", rel)
			}
			for k, v := range props {
				if m := jdbcHost.FindStringSubmatch(v); m != nil {
					if _, ok := c.Services[m[1]]; !ok {
						t.Errorf("%s: %s connects to %q, which is not a compose service", rel, k, m[1])
					}
				}
			}
			catalogs[strings.TrimSuffix(filepath.Base(f), ".properties")] = props
		})
	}

	// The catalogs deploy/trino/init.sql reads and writes.
	for _, tc := range []struct{ catalog, key, want string }{
		{"tpch", "connector.name", "tpch"},
		{"iceberg", "connector.name", "iceberg"},
		{"iceberg", "iceberg.catalog.type", "jdbc"},
		{"iceberg", "iceberg.jdbc-catalog.driver-class", "org.postgresql.Driver"},
	} {
		if got := catalogs[tc.catalog][tc.key]; got != tc.want {
			t.Errorf("%s.properties: %s = %q, want %q", tc.catalog, tc.key, got, tc.want)
		}
	}
	ice := catalogs["iceberg"]
	for _, k := range []string{"iceberg.jdbc-catalog.connection-url", "iceberg.jdbc-catalog.catalog-name", "iceberg.jdbc-catalog.default-warehouse-dir"} {
		if ice[k] == "" {
			t.Errorf("iceberg.properties: %s is required by the JDBC catalog", k)
		}
	}
	// The warehouse directory is on a volume of the trino service.
	if wh, err := url.Parse(ice["iceberg.jdbc-catalog.default-warehouse-dir"]); err == nil && wh.Scheme == "file" {
		onVolume := false
		for _, v := range c.Services["trino"].Volumes {
			if v.Type == "volume" && (wh.Path == v.Target || strings.HasPrefix(wh.Path, v.Target+"/")) {
				onVolume = true
			}
		}
		if !onVolume {
			t.Errorf("the warehouse %s is not on a named volume of the trino service", wh)
		}
		if ice["fs.hadoop.enabled"] != "true" && ice["fs.native-local.enabled"] != "true" && ice["fs.local.enabled"] != "true" {
			t.Error("iceberg.properties: a file:// warehouse needs a file system enabled")
		}
	}

	// init.sql creates the demo table from TPC-H.
	sql, err := os.ReadFile(filepath.Join(root, "deploy", "trino", "init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CREATE SCHEMA IF NOT EXISTS iceberg.demo", "CREATE TABLE IF NOT EXISTS iceberg.demo.orders", "FROM tpch.sf1.orders"} {
		if !bytes.Contains(sql, []byte(want)) {
			t.Errorf("deploy/trino/init.sql lacks %q", want)
		}
	}
}

// dockerfileInstruction is one instruction of a Dockerfile, with its
// continuation lines joined.
type dockerfileInstruction struct {
	cmd, args string
	line      int
}

func parseDockerfile(data []byte) []dockerfileInstruction {
	var out []dockerfileInstruction
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cur.Len() > 0 && strings.HasPrefix(line, "#") {
			continue // comments inside a continued instruction
		}
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, dockerfileInstruction{strings.ToUpper(cmd), strings.TrimSpace(args), start})
		cur.Reset()
	}
	return out
}

func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	ins := parseDockerfile(data)
	last := -1
	for i, in := range ins {
		if in.cmd == "FROM" {
			last = i
		}
	}
	if last < 0 {
		t.Fatal("Dockerfile has no FROM")
	}
	if last == slices.IndexFunc(ins, func(in dockerfileInstruction) bool { return in.cmd == "FROM" }) {
		t.Error("Dockerfile is a single stage; the build toolchain would ship in the image")
	}
	final := map[string]dockerfileInstruction{}
	for _, in := range ins[last:] {
		final[in.cmd] = in // the last of each kind takes effect
	}
	if u, ok := final["USER"]; !ok {
		t.Error("the final stage sets no USER; the image would run as root")
	} else if name, _, _ := strings.Cut(u.args, ":"); name == "root" || name == "0" {
		t.Errorf("line %d: USER %s is root", u.line, u.args)
	}
	if e, ok := final["ENTRYPOINT"]; !ok {
		t.Error("the final stage sets no ENTRYPOINT")
	} else if !strings.Contains(e.args, "skim") || !strings.Contains(e.args, "serve") {
		t.Errorf("line %d: ENTRYPOINT %s does not run skim serve", e.line, e.args)
	}
	if h, ok := final["HEALTHCHECK"]; !ok {
		t.Error("the final stage sets no HEALTHCHECK")
	} else if strings.EqualFold(h.args, "NONE") || !strings.Contains(h.args, "/healthz") {
		t.Errorf("line %d: HEALTHCHECK %s does not ask /healthz", h.line, h.args)
	}
	build := ins[:last]
	if !slices.ContainsFunc(build, func(in dockerfileInstruction) bool {
		return in.cmd == "RUN" && strings.Contains(in.args, "CGO_ENABLED=1") && strings.Contains(in.args, "./cmd/skim")
	}) {
		t.Error("no build stage runs a cgo build of ./cmd/skim (pg_query_go needs cgo)")
	}
}

func TestParseDockerfile(t *testing.T) {
	got := parseDockerfile([]byte("# c\nFROM a AS b\nRUN x \\\n  # inner\n  y\nuser 1\n"))
	want := []dockerfileInstruction{{"FROM", "a AS b", 2}, {"RUN", "x  y", 3}, {"USER", "1", 6}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestComposeConfig validates the file with Compose itself when the docker
// CLI and its compose plugin are installed. No engine is needed.
func TestComposeConfig(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("docker is not installed; skipping `docker compose config`")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, docker, "compose", "version").CombinedOutput(); err != nil {
		t.Skipf("`docker compose version` failed, so the compose plugin is missing; skipping `docker compose config`: %v: %s", err, bytes.TrimSpace(out))
	}
	cmd := exec.CommandContext(ctx, docker, "compose", "-f", "docker-compose.yml", "config", "-q")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker compose config: %v\n%s", err, out)
	}
}
