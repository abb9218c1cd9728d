// Package compose checks the repository's Docker packaging — docker-compose.yml,
// the Dockerfile and the files under deploy/ — without a Docker engine: the
// compose file's references resolve, the Trino catalogs are well-formed
// properties files, skim's configuration loads and points at the compose
// services, and the image runs as a non-root user with a health check. When
// the docker CLI with its compose plugin is installed, `docker compose
// config` validates the file against Compose's own schema too.
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
	if got := c.Services["postgres"].Healthcheck; got != nil && !strings.Contains(strings.Join(got.Test, " "), "pg_isready") {
		t.Errorf("postgres healthcheck %q does not run pg_isready", got.Test)
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
	// The command is serve's flags (the image's entrypoint is `skim serve`):
	// --config names a file mounted into the container.
	i := slices.Index(s.Command, "--config")
	if i < 0 || i+1 >= len(s.Command) {
		t.Fatalf("the skim service's command %q passes no --config FILE", s.Command)
	}
	cfgPath := s.Command[i+1]
	var source string
	for _, v := range s.Volumes {
		if v.Target == cfgPath {
			source = v.Source
		}
	}
	if source == "" {
		t.Fatalf("--config %s is not mounted into the skim service", cfgPath)
	}
	cfg, err := config.Load(filepath.Join(root, source))
	if err != nil {
		t.Fatalf("%s does not load: %v", source, err)
	}

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
	published := map[string]bool{}
	for _, p := range s.Ports {
		if _, _, _, err := hostPort(p); err == nil {
			spec, _, _ := strings.Cut(p, "/")
			published[spec[strings.LastIndex(spec, ":")+1:]] = true
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
		if !published[port] {
			t.Errorf("%s port %s is not published by the skim service (ports %q)", l.field, port, s.Ports)
		}
	}

	// The ledger is written to a volume, not the container's layer.
	if cfg.Ledger.File == "" {
		t.Error("ledger.file is not set")
	} else {
		dir := filepath.Dir(cfg.Ledger.File)
		mounted := false
		for _, v := range s.Volumes {
			if v.Type == "volume" && v.Source != "" && v.Target == dir {
				mounted = true
			}
		}
		if !mounted {
			t.Errorf("ledger.file %s: its directory is not a named volume of the skim service", cfg.Ledger.File)
		}
	}
	if p := cfg.PolicyFor(config.Who{User: "anyone"}); p == nil || p.Mode != config.ModeRewrite {
		t.Errorf("the default policy is %+v, want mode rewrite", p)
	}
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
