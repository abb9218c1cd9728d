package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/skimdata/skim/catalog"
)

// maxErrors bounds how many problems Parse reports: enough to fix a file in
// one pass, few enough that a wholly wrong file gives a readable message.
const maxErrors = 20

// syntaxScanLines bounds how far past yaml.v3's reported line syntaxLine
// looks for the real one, so a huge file cannot make Parse slow.
const syntaxScanLines = 100

// emptyFile is the message for a file with no settings at all, which is
// more likely a wrong path or a truncated file than an intent to run with
// defaults (running without a file does that).
const emptyFile = `the file is empty; it should be a YAML mapping with the sections rewrite, catalog and policies, ` +
	`e.g. "policies: [{name: default, mode: rewrite}]"`

// fieldError is one problem in a configuration file.
type fieldError struct {
	file  string
	line  int    // 1-based; 0 when the problem concerns the whole file
	field string // as in policies[1].mode; empty for the file or its top level
	err   error
}

func (e *fieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.file)
	if e.line > 0 {
		fmt.Fprintf(&b, ":%d", e.line)
	}
	b.WriteString(": ")
	if e.field != "" {
		b.WriteString(e.field)
		b.WriteString(": ")
	}
	b.WriteString(e.err.Error())
	return b.String()
}

func (e *fieldError) Unwrap() error { return e.err }

// Parse reads and validates a configuration held in memory. name is the
// file's path: messages start with it and a relative catalog file is
// resolved against its directory. The error, if any, has one line per
// problem.
func Parse(name string, data []byte) (*Config, error) {
	p := &parser{file: name}
	root := p.document(data)
	if root == nil {
		return nil, p.result()
	}
	cfg := p.config(root)
	if err := p.result(); err != nil {
		return nil, err
	}
	cfg.Path = name
	return cfg, nil
}

// parser walks the YAML node tree rather than decoding into structs
// because nodes keep the line numbers that messages need.
type parser struct {
	file string
	errs []*fieldError
}

func (p *parser) failf(n *yaml.Node, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &fieldError{file: p.file, line: line, field: field, err: fmt.Errorf(format, args...)})
}

// result joins the problems found, in file order, one per line.
func (p *parser) result() error {
	if len(p.errs) == 0 {
		return nil
	}
	// A missing field is found after walking its mapping and reported at
	// the mapping's first line; sorting restores reading order.
	slices.SortStableFunc(p.errs, func(a, b *fieldError) int { return a.line - b.line })
	errs := make([]error, 0, maxErrors+1)
	for _, e := range p.errs[:min(len(p.errs), maxErrors)] {
		errs = append(errs, e)
	}
	if more := len(p.errs) - maxErrors; more > 0 {
		errs = append(errs, fmt.Errorf("%s: %d more problems not shown; fix the ones above and load the file again", p.file, more))
	}
	return errors.Join(errs...)
}

// document returns the mapping at the root of data, or nil after recording
// why there is none.
func (p *parser) document(data []byte) *yaml.Node {
	if line, msg := checkText(data); msg != "" {
		p.failf(&yaml.Node{Line: line}, "", "%s", msg)
		return nil
	}
	doc, next, err := decode(data)
	switch {
	case errors.Is(err, io.EOF):
		p.failf(nil, "", "%s", emptyFile)
		return nil
	case err != nil:
		msg, line := syntaxLine(data, err)
		p.failf(&yaml.Node{Line: line}, "", "invalid YAML: %s; check the indentation, colons and quotes", msg)
		return nil
	case next != nil:
		p.failf(next, "", `a second YAML document starts here; skim reads one, so remove the "---" and merge the documents`)
		return nil
	case len(doc.Content) == 0:
		p.failf(nil, "", "%s", emptyFile)
		return nil
	}
	root := resolve(doc.Content[0])
	switch {
	case isNull(root):
		p.failf(nil, "", "%s", emptyFile)
		return nil
	case root.Kind != yaml.MappingNode:
		p.failf(root, "", "expected a mapping with the sections rewrite, catalog and policies, not %s", describe(root))
		return nil
	}
	return root
}

// decode parses the first YAML document of data and, if there is one, the
// second, which callers reject. An empty file yields io.EOF.
func decode(data []byte) (doc, next *yaml.Node, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc = new(yaml.Node)
	if err := dec.Decode(doc); err != nil {
		return nil, nil, err
	}
	next = new(yaml.Node)
	switch err := dec.Decode(next); {
	case errors.Is(err, io.EOF):
		return doc, nil, nil
	case err != nil:
		return nil, nil, err
	}
	return doc, next, nil
}

// checkText finds what yaml.v3 would reject as not being text: it reports
// such errors without a line, so they are located here instead. It returns
// the line and a message, or "" when the text is fine.
func checkText(data []byte) (int, string) {
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		return 1, "the file is UTF-16; save it as UTF-8"
	}
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return line, "the file is not valid UTF-8 here; save it as UTF-8"
		case !yamlChar(r):
			return line, fmt.Sprintf("character %U is not allowed in YAML; remove it", r)
		case r == '\n':
			line++
		}
		i += size
	}
	return 0, ""
}

// yamlChar reports whether YAML allows r in a file (the YAML 1.2 c-printable
// set, which yaml.v3 enforces).
func yamlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r == 0x85 ||
		(r >= 0x20 && r <= 0x7E) || (r >= 0xA0 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// syntaxLine returns the message of a yaml.v3 syntax error and the line of
// the mistake. yaml.v3 reports where the enclosing construct starts, one
// line early for some errors and not at all on the first line or for
// unknown anchors; the mistake is on or after that line. The shortest prefix
// of the file, from there on, that fails with the same message ends at the
// line the parser could not get past.
func syntaxLine(data []byte, err error) (string, int) {
	msg, reported := splitYAMLError(err)
	lines := bytes.SplitAfter(data, []byte("\n"))
	start := min(max(reported, 1), len(lines))
	end := min(len(lines), start+syntaxScanLines)
	for k := start; k <= end; k++ {
		_, _, err := decode(bytes.Join(lines[:k], nil))
		if err != nil && !errors.Is(err, io.EOF) {
			if m, _ := splitYAMLError(err); m == msg {
				return msg, k
			}
		}
	}
	return msg, start
}

// splitYAMLError splits a yaml.v3 error such as "yaml: line 3: did not
// find expected key" into its message and line (0 when it has none).
func splitYAMLError(err error) (string, int) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	rest, ok := strings.CutPrefix(msg, "line ")
	if !ok {
		return msg, 0
	}
	num, text, ok := strings.Cut(rest, ": ")
	line, err := strconv.Atoi(num)
	if !ok || err != nil {
		return msg, 0
	}
	return text, line
}

// config reads the root mapping.
func (p *parser) config(root *yaml.Node) *Config {
	cfg := &Config{}
	havePolicies := false
	p.fields(root, "", []string{"rewrite", "catalog", "trino", "bigquery", "admin", "ledger", "teams", "policies"}, func(key string, v *yaml.Node) {
		switch key {
		case "rewrite":
			p.rewrite(v, &cfg.Rewrite)
		case "catalog":
			p.catalog(v, &cfg.Catalog)
		case "trino":
			p.trino(v, &cfg.Trino)
		case "bigquery":
			if p.section(v, "bigquery", "{listen: \":8082\"}") {
				p.fields(v, "bigquery", []string{"listen", "upstream", "max_bytes_billed", "price_per_tib"}, func(key string, v *yaml.Node) {
					switch key {
					case "listen":
						cfg.BigQuery.Listen = p.address(v, "bigquery.listen")
					case "upstream":
						cfg.BigQuery.Upstream = p.httpURL(v, "bigquery.upstream", "BigQuery's URL such as https://bigquery.googleapis.com")
					case "max_bytes_billed":
						cfg.BigQuery.MaxBytesBilled = p.size(v, "bigquery.max_bytes_billed")
					case "price_per_tib":
						cfg.BigQuery.PricePerTiB = p.price(v, "bigquery.price_per_tib")
					}
				})
			}
		case "admin":
			if p.section(v, "admin", "{listen: 127.0.0.1:9091}") {
				p.fields(v, "admin", []string{"listen"}, func(_ string, v *yaml.Node) {
					cfg.Admin.Listen = p.address(v, "admin.listen")
				})
			}
		case "ledger":
			p.ledger(v, &cfg.Ledger)
		case "teams":
			cfg.Teams = p.teams(v)
		case "policies":
			cfg.Policies, havePolicies = p.policies(v)
		}
	})
	if !havePolicies {
		cfg.Policies = Default().Policies
	}
	return cfg
}

// section reports whether n, the value of a section or sub-mapping, is a
// mapping to read. An empty value (every setting commented out) is a
// mapping with nothing set.
func (p *parser) section(n *yaml.Node, field, example string) bool {
	switch {
	case isNull(n):
		return false
	case n.Kind != yaml.MappingNode:
		p.failf(n, field, "expected a mapping such as %s, not %s", example, describe(n))
		return false
	}
	return true
}

// fields calls visit, in file order, with each key of mapping n and its
// value, after rejecting keys that are not in valid or appear twice. field
// is n's path, for messages.
func (p *parser) fields(n *yaml.Node, field string, valid []string, visit func(key string, v *yaml.Node)) {
	first := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		key := k.Value
		if !slices.Contains(valid, key) || k.Kind != yaml.ScalarNode {
			p.failf(k, field, "unknown field %q; valid fields: %s", key, strings.Join(valid, ", "))
			continue
		}
		if line, dup := first[key]; dup {
			p.failf(k, join(field, key), "set twice (first at line %d); remove one", line)
			continue
		}
		first[key] = k.Line
		visit(key, v)
	}
}

func (p *parser) rewrite(n *yaml.Node, r *Rewrite) {
	if !p.section(n, "rewrite", "{min_table_bytes: 1GiB}") {
		return
	}
	valid := []string{"min_table_bytes", "max_shortfall", "trino_split_bytes", "bigquery_block_bytes"}
	p.fields(n, "rewrite", valid, func(key string, v *yaml.Node) {
		field := "rewrite." + key
		switch key {
		case "min_table_bytes":
			r.MinTableBytes = p.size(v, field)
		case "max_shortfall":
			r.MaxShortfall = p.probability(v, field)
		case "trino_split_bytes":
			r.TrinoSplitBytes = p.size(v, field)
		case "bigquery_block_bytes":
			r.BigQueryBlockBytes = p.size(v, field)
		}
	})
}

// size reads a byte count such as 1GiB. Zero is rejected because in
// Rewrite it means "use the default", which is rarely what someone who
// wrote 0 wants.
func (p *parser) size(n *yaml.Node, field string) int64 {
	s, ok := p.scalar(n, field, "a size such as 1GiB, 512MiB or 1073741824")
	if !ok {
		return 0
	}
	v, err := catalog.ParseSize(s)
	switch {
	case err != nil:
		p.failf(n, field, "%w", err)
	case v == 0:
		p.failf(n, field, "a size of 0 is not allowed; remove the line to use the default, or give a size such as 1B or 64MiB")
	}
	return v
}

// probability reads max_shortfall: a chance small enough that a short
// sample is rare, and above 0 because no sample is certain to be full.
func (p *parser) probability(n *yaml.Node, field string) float64 {
	const want = "a probability above 0 and below 0.01, such as 1e-6"
	s, ok := p.scalar(n, field, want)
	if !ok {
		return 0
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		p.failf(n, field, "%q is not a number; expected %s", s, want)
		return 0
	}
	if !(x > 0 && x < 0.01) {
		p.failf(n, field, "%s is out of range; expected %s", s, want)
		return 0
	}
	return x
}

func (p *parser) catalog(n *yaml.Node, c *Catalog) {
	if !p.section(n, "catalog", "{file: catalog.yaml}") {
		return
	}
	p.fields(n, "catalog", []string{"file"}, func(_ string, v *yaml.Node) {
		c.File = p.path(v, "catalog.file", "the path of a catalog file such as catalog.yaml")
	})
}

// path reads a file path; a relative one is relative to the configuration
// file, not the working directory, so the files can be moved together and
// skim started from anywhere.
func (p *parser) path(v *yaml.Node, field, want string) string {
	s, ok := p.scalar(v, field, want)
	switch {
	case !ok:
		return ""
	case s == "":
		p.failf(v, field, "empty path; give %s or remove the line", want)
		return ""
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(filepath.Dir(p.file), s)
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		p.failf(v, field, "cannot make %q absolute: %w; give an absolute path", s, err)
		return ""
	}
	return abs
}

func (p *parser) trino(n *yaml.Node, t *Trino) {
	if !p.section(n, "trino", "{listen: \":8081\", upstream: http://trino:8080}") {
		return
	}
	p.fields(n, "trino", []string{"listen", "upstream", "public_url", "price_per_tib"}, func(key string, v *yaml.Node) {
		field := "trino." + key
		switch key {
		case "listen":
			t.Listen = p.address(v, field)
		case "upstream":
			t.Upstream = p.httpURL(v, field, "the coordinator's URL such as http://trino:8080")
		case "public_url":
			t.PublicURL = p.httpURL(v, field, "the URL clients reach skim at, such as https://skim.example.com")
		case "price_per_tib":
			t.PricePerTiB = p.price(v, field)
		}
	})
}

// address reads a listen address such as ":8081" or "127.0.0.1:9091".
func (p *parser) address(v *yaml.Node, field string) string {
	const want = `an address such as ":8081" or "127.0.0.1:9091"`
	s, ok := p.scalar(v, field, want)
	if !ok {
		return ""
	}
	if _, port, err := net.SplitHostPort(s); err != nil || port == "" {
		p.failf(v, field, "%q is not a listen address; expected %s", s, want)
		return ""
	}
	return s
}

// httpURL reads an absolute http or https URL.
func (p *parser) httpURL(v *yaml.Node, field, want string) string {
	s, ok := p.scalar(v, field, want)
	if !ok {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.failf(v, field, "%q is not an http or https URL; expected %s", s, want)
		return ""
	}
	return s
}

// policies reads the policies list. ok is false when the value is empty
// (every policy commented out), so that the caller applies the default
// policy; an explicit [] is kept as no policies at all.
func (p *parser) policies(n *yaml.Node) (list []Policy, ok bool) {
	if isNull(n) {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		p.failf(n, "policies", "expected a list of policies such as [{name: default, mode: rewrite}], not %s", describe(n))
		return nil, true
	}
	list = make([]Policy, 0, len(n.Content))
	nameLine := make(map[string]int)
	// The first policy without match, its index and its line.
	var dflt Policy
	dfltIndex, dfltLine := -1, 0
	for i, item := range n.Content {
		item = resolve(item)
		field := fmt.Sprintf("policies[%d]", i)
		pol, nameNode, hasMatch, ok := p.policy(item, field)
		if !ok {
			continue
		}
		if nameNode != nil && pol.Name != "" {
			if line, dup := nameLine[pol.Name]; dup {
				p.failf(nameNode, field+".name", "duplicate policy name %q (first at line %d); give each policy a unique name", pol.Name, line)
			} else {
				nameLine[pol.Name] = nameNode.Line
			}
		}
		// The first policy whose match fits applies and the default fits
		// everyone, so anything after it is dead configuration.
		switch {
		case dfltIndex >= 0 && !hasMatch:
			p.failf(item, field, "%s has no match, but %s (line %d) is already the default; only one policy may go without a match, so give one of them a match",
				label(pol, i), label(dflt, dfltIndex), dfltLine)
		case dfltIndex >= 0:
			p.failf(item, field, "%s can never apply: %s (line %d) comes first and, as the default, fits everyone; move the default to the end of the list",
				label(pol, i), label(dflt, dfltIndex), dfltLine)
		case !hasMatch:
			dflt, dfltIndex, dfltLine = pol, i, item.Line
		}
		list = append(list, pol)
	}
	return list, true
}

// label names a policy in messages, falling back to its position when the
// name is missing.
func label(pol Policy, i int) string {
	if pol.Name == "" {
		return fmt.Sprintf("policies[%d]", i)
	}
	return fmt.Sprintf("policy %q", pol.Name)
}

// policy reads one entry of policies. It returns the node of the name, for
// duplicate reports, whether the entry has a match key, and false when the
// entry is not a mapping at all.
func (p *parser) policy(n *yaml.Node, field string) (pol Policy, nameNode *yaml.Node, hasMatch, ok bool) {
	if n.Kind != yaml.MappingNode {
		p.failf(n, field, "expected a policy such as {name: default, mode: rewrite}, not %s", describe(n))
		return Policy{}, nil, false, false
	}
	haveMode := false
	var sampleNode *yaml.Node
	p.fields(n, field, []string{"name", "mode", "match", "sample", "budget", "opt_out", "unparsed"}, func(key string, v *yaml.Node) {
		switch key {
		case "name":
			nameNode = v
			s, ok := p.scalar(v, field+".name", "a unique policy name")
			if ok && s == "" {
				p.failf(v, field+".name", "empty policy name; give each policy a unique name")
			}
			pol.Name = s
		case "mode":
			haveMode = true
			want := joinModes()
			s, ok := p.scalar(v, field+".mode", "a mode: "+want)
			if ok && !slices.Contains(modes(), Mode(s)) {
				p.failf(v, field+".mode", "%q is not a mode; valid modes: %s", s, want)
			}
			pol.Mode = Mode(s)
		case "match":
			hasMatch = true
			pol.Match = p.match(v, field+".match")
		case "sample":
			sampleNode = v
			pol.Sample = p.sample(v, field+".sample")
		case "budget":
			pol.Budget = p.budget(v, field+".budget")
		case "opt_out":
			allow, ok := p.boolean(v, field+".opt_out", "true (users may add /* skim:off */) or false")
			pol.NoOptOut = ok && !allow
		case "unparsed":
			s, ok := p.scalar(v, field+".unparsed", "pass or reject")
			switch {
			case !ok:
			case s == "reject":
				pol.RejectUnparsed = true
			case s != "pass":
				p.failf(v, field+".unparsed", "%q is not valid; expected pass (statements skim cannot parse run untouched) or reject", s)
			}
		}
	})
	if sampleNode != nil && haveMode && pol.Mode != ModeEnforce && slices.Contains(modes(), pol.Mode) {
		p.failf(sampleNode, field+".sample", "sample applies only to mode enforce, and this policy's mode is %s; set mode: enforce or remove sample", pol.Mode)
	}
	if nameNode == nil {
		p.failf(n, field, "missing name; give each policy a unique name")
	}
	if !haveMode {
		p.failf(n, field, "missing mode; valid modes: %s", joinModes())
	}
	return pol, nameNode, hasMatch, true
}

func joinModes() string {
	names := make([]string, 0, len(modes()))
	for _, m := range modes() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}

// match reads a policy's match. One that lists no patterns would fit
// everyone, which is what leaving match out says, so it is rejected as a
// likely mistake.
func (p *parser) match(n *yaml.Node, field string) *Match {
	const noPatterns = "list users, sources, client_tags or labels patterns, or remove match to make this the default policy"
	if isNull(n) {
		p.failf(n, field, "no value; %s", noPatterns)
		return nil
	}
	if !p.section(n, field, `{users: ["ci-*"]}`) {
		return nil
	}
	m := &Match{}
	before := len(p.errs)
	p.fields(n, field, []string{"users", "sources", "client_tags", "labels"}, func(key string, v *yaml.Node) {
		if key == "labels" {
			m.Labels = p.labels(v, field+".labels")
			return
		}
		pats := p.patterns(v, field+"."+key)
		switch key {
		case "users":
			m.Users = pats
		case "sources":
			m.Sources = pats
		case "client_tags":
			m.ClientTags = pats
		}
	})
	// After another problem in the match the lists may be empty only
	// because of it; one report is enough.
	if len(p.errs) == before && len(m.Users)+len(m.Sources)+len(m.ClientTags)+len(m.Labels) == 0 {
		p.failf(n, field, "no patterns; %s", noPatterns)
	}
	return m
}

// patterns reads a list of glob patterns, checking their syntax now so that
// a typo is not silently a pattern that never matches.
func (p *parser) patterns(n *yaml.Node, field string) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.failf(n, field, `expected a list of patterns such as ["ci-*"], not %s`, describe(n))
		return nil
	}
	var pats []string
	for i, item := range n.Content {
		item = resolve(item)
		f := fmt.Sprintf("%s[%d]", field, i)
		s, ok := p.scalar(item, f, `a pattern such as "ci-*"`)
		if !ok {
			continue
		}
		if _, err := path.Match(s, ""); err != nil {
			p.failf(item, f, `%q is not a valid pattern (%w); use * for any run of characters except "/", ? for one character, [a-z] for a class and \ to escape`, s, err)
			continue
		}
		pats = append(pats, s)
	}
	return pats
}

// scalar returns the text of a single value, recording a problem when n is
// empty, a list or a mapping; want says what should be there.
func (p *parser) scalar(n *yaml.Node, field, want string) (string, bool) {
	switch {
	case isNull(n):
		p.failf(n, field, "no value; expected %s", want)
		return "", false
	case n.Kind != yaml.ScalarNode:
		p.failf(n, field, "expected %s, not %s", want, describe(n))
		return "", false
	}
	return n.Value, true
}

// describe names what a node holds, for "expected X, not Y" messages.
func describe(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "an empty value"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("the value %q", n.Value)
}

// isNull reports whether n is an empty value: nothing after the colon, ~ or
// null.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// resolve follows aliases (*name) to the node they stand for, so anchors
// can be used anywhere.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// join appends key to the field path parent.
func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}
