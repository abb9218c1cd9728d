package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Static is a Provider backed by a YAML catalog file, for deployments that
// cannot or should not ask the engine for table statistics: tests, demos,
// and setups where the numbers are curated by hand. It is immutable once
// parsed, so it is safe for concurrent use.
//
// The file looks like this:
//
//	tables:
//	  - name: iceberg.web.events    # catalog.schema.table or project.dataset.table
//	    rows: 120450000000
//	    bytes: 43TiB                # a number of bytes, or a size with a unit
//	    files: 5000                 # optional
//	    columns: [{name: event_date, type: date, bytes: 481800000000}, {name: user_id, type: bigint}]
//	    partitioning: {columns: [event_date]}    # or {column: event_ts, granularity: day}
//	    partitions: [{values: {event_date: "2026-11-01"}, rows: 330000000, bytes: 127380000000, files: 400}]
//	    clustering: [user_id]       # optional
//
// Table and column names are stored lower-cased. Values of time partitions
// are stored as the start of their period, written as a DATE or TIMESTAMP
// literal: "2026-11-01 13:00:00" (hour), "2026-11-01" (day), "2026-11-01"
// (month), "2026-01-01" (year). When a partitioned table leaves rows, bytes
// or files out (or sets them to 0), they are the sum over its partitions.
type Static struct {
	file   string
	tables map[string]*Table
}

var _ Provider = (*Static)(nil)

// LoadStatic reads and validates the catalog file at path. Errors name the
// file, line and field of every problem found (up to a limit), so a user can
// fix them all in one pass; see ParseError.
func LoadStatic(path string) (*Static, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read catalog file: %w; check the catalog file path", err)
	}
	return ParseStatic(path, data)
}

// ParseStatic parses and validates a catalog file already in memory; name
// is the file name used in error messages. The returned error is a
// *ParseError unless the data parses.
func ParseStatic(name string, data []byte) (*Static, error) {
	p := &parser{err: ParseError{File: name}}
	s := &Static{file: name, tables: make(map[string]*Table)}
	p.file(data, s)
	if len(p.err.Problems) > 0 {
		// Problems are found table by table, field by field; read in file
		// order they are easier to fix.
		slices.SortStableFunc(p.err.Problems, func(a, b Problem) int { return a.Line - b.Line })
		return nil, &p.err
	}
	return s, nil
}

// Table returns the named table, shared and not to be modified. The
// name compares case-insensitively. Unknown tables yield an error wrapping
// ErrNotFound that tells the user where to add the table.
func (s *Static) Table(_ context.Context, name string) (*Table, error) {
	t, ok := s.tables[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("%w: %q is not in %s; add it to the catalog file under tables: with its name, rows, bytes and columns",
			ErrNotFound, name, s.file)
	}
	return t, nil
}

// Tables returns copies of all tables sorted by name, for listing the
// catalog (docs, debugging endpoints) in a stable order.
func (s *Static) Tables() []*Table {
	out := make([]*Table, 0, len(s.tables))
	for _, t := range s.tables {
		out = append(out, t.Clone())
	}
	slices.SortFunc(out, func(a, b *Table) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// maxProblems bounds how many problems a ParseError lists: enough to fix a
// file in one pass, few enough that a wholly wrong file stays readable.
const maxProblems = 20

// Problem is one mistake in a catalog file, located by line and field path
// so the user can find it.
type Problem struct {
	// Line is 1-based; 0 when the problem has no single line (an empty
	// file, say).
	Line int
	// Path is the field, as in tables[2].partitions[0].values; empty when
	// the problem is with the file as a whole.
	Path string
	// Message says what is wrong and what would be valid.
	Message string
}

// ParseError reports every problem found in a catalog file at once, so one
// edit fixes them all rather than one per reload. Its message has one line
// per problem, as file:line: path: message.
type ParseError struct {
	File     string
	Problems []Problem
	// Omitted counts problems found beyond the first 20, which are not
	// listed.
	Omitted int
}

// Error lists the problems one per line.
func (e *ParseError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		if p.Path != "" {
			b.WriteString(": ")
			b.WriteString(p.Path)
		}
		b.WriteString(": ")
		b.WriteString(p.Message)
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n%s: %d more problems not shown; fix the ones above and load the file again", e.File, e.Omitted)
	}
	return b.String()
}

// Field names, in the order error messages list them.
var (
	fileFields         = []string{"tables"}
	tableFields        = []string{"name", "rows", "bytes", "files", "columns", "partitioning", "partitions", "clustering"}
	columnFields       = []string{"name", "type", "bytes"}
	partitioningFields = []string{"columns", "column", "granularity"}
	partitionFields    = []string{"values", "rows", "bytes", "files"}
)

const exampleTable = `{name: hive.web.page_views, rows: 1000, bytes: 1MiB}`

// parser collects problems while it walks the YAML node tree, which keeps
// line numbers that decoding into structs would lose.
type parser struct {
	err ParseError
}

func (p *parser) errorf(n *yaml.Node, path, format string, args ...any) {
	if len(p.err.Problems) >= maxProblems {
		p.err.Omitted++
		return
	}
	line := 0
	if n != nil {
		line = n.Line
	}
	p.err.Problems = append(p.err.Problems, Problem{Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
}

// decodeYAML decodes the first YAML document of data; extra is the second
// document, if any, which the caller rejects. An empty file yields io.EOF.
func decodeYAML(data []byte) (doc, extra *yaml.Node, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc = new(yaml.Node)
	if err := dec.Decode(doc); err != nil {
		return nil, nil, err
	}
	extra = new(yaml.Node)
	if err := dec.Decode(extra); err != nil {
		if errors.Is(err, io.EOF) {
			return doc, nil, nil
		}
		return nil, nil, err
	}
	return doc, extra, nil
}

// yamlMessage strips yaml.v3's "yaml: line N: " prefix from an error.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if _, err := strconv.Atoi(num); err == nil {
				return tail
			}
		}
	}
	return msg
}

// syntaxErrorLine finds the line of a YAML syntax error. yaml.v3 reports
// the line where the enclosing construct starts, for parser errors one line
// early, and some errors (unknown anchors) have no line at all. The
// shortest prefix of the file that fails with the same message ends at the
// line the parser could not get past; a binary search finds it in a few
// parses. It returns 0 if the search does not apply.
func syntaxErrorLine(data []byte, msg string) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 1 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	fails := func(k int) bool {
		_, _, err := decodeYAML(bytes.Join(lines[:k], nil))
		return err != nil && !errors.Is(err, io.EOF) && yamlMessage(err) == msg
	}
	lo, hi := 1, len(lines)
	if !fails(hi) {
		return 0
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

func (p *parser) file(data []byte, s *Static) {
	emptyMsg := `the file has no tables; it should contain a "tables:" list with one entry per table, ` +
		`each with at least name, rows and bytes, e.g. tables: [` + exampleTable + `]`
	doc, extra, err := decodeYAML(data)
	switch {
	case errors.Is(err, io.EOF):
		p.errorf(nil, "", "%s", emptyMsg)
		return
	case err != nil:
		msg := yamlMessage(err)
		line := syntaxErrorLine(data, msg)
		p.errorf(&yaml.Node{Line: line}, "", "YAML syntax error: %s; check indentation, colons and quoting", msg)
		return
	case extra != nil:
		p.errorf(extra, "", "the file holds more than one YAML document; remove the \"---\" separator and put all tables in one tables: list")
		return
	}
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			p.errorf(nil, "", "%s", emptyMsg)
			return
		}
		root = root.Content[0]
	}
	root = resolve(root)
	if root.ShortTag() == "!!null" {
		p.errorf(nil, "", "%s", emptyMsg)
		return
	}
	if root.Kind != yaml.MappingNode {
		p.errorf(root, "", "the file must be a mapping with a tables: list, found %s; e.g. tables: [%s]", kind(root), exampleTable)
		return
	}
	fs := p.fields(root, "", fileFields)
	if fs == nil {
		return
	}
	tn, ok := fs["tables"]
	if !ok {
		p.errorf(root, "", "%s", emptyMsg)
		return
	}
	if tn.ShortTag() == "!!null" {
		p.errorf(tn, "tables", "%s", emptyMsg)
		return
	}
	if tn.Kind != yaml.SequenceNode {
		p.errorf(tn, "tables", "must be a list of tables, found %s; write one entry per table, e.g. tables: [%s]", kind(tn), exampleTable)
		return
	}
	if len(tn.Content) == 0 {
		p.errorf(tn, "tables", "%s", emptyMsg)
		return
	}
	firstLine := make(map[string]int)
	for i, item := range tn.Content {
		path := fmt.Sprintf("tables[%d]", i)
		t, nameNode := p.table(resolve(item), path)
		if t == nil {
			continue
		}
		if l, dup := firstLine[t.Name]; dup {
			p.errorf(nameNode, path+".name", "duplicate table %q (first defined at line %d); list each table once", t.Name, l)
			continue
		}
		firstLine[t.Name] = nameNode.Line
		s.tables[t.Name] = t
	}
}

// table parses one entry of tables. It returns nil when the entry has no
// usable name; otherwise the table (possibly with problems recorded) and
// the node of its name, for duplicate reports.
func (p *parser) table(n *yaml.Node, path string) (*Table, *yaml.Node) {
	fs := p.fields(n, path, tableFields)
	if fs == nil {
		return nil, nil
	}
	t := &Table{}
	nameNode, ok := fs["name"]
	if !ok {
		p.errorf(n, path, "missing field name; give the fully qualified table name, e.g. name: iceberg.web.events")
	} else if name, ok := p.scalar(nameNode, path+".name", "the fully qualified table name, e.g. iceberg.web.events"); ok {
		if msg := checkTableName(name); msg != "" {
			p.errorf(nameNode, path+".name", "%s", msg)
		} else {
			t.Name = strings.ToLower(name)
		}
	}
	label := t.Name
	if label == "" {
		label = path
	}

	rowsNode, hasRows := fs["rows"]
	if hasRows {
		t.Rows, _ = p.count(rowsNode, path+".rows")
	}
	bytesNode, hasBytes := fs["bytes"]
	if hasBytes {
		t.Bytes, _ = p.size(bytesNode, path+".bytes")
	}
	if v, ok := fs["files"]; ok {
		t.Files, _ = p.count(v, path+".files")
	}

	// cols is nil when columns are not listed (or none is valid), which
	// turns off the checks that other fields name columns.
	var cols []Column
	if v, ok := fs["columns"]; ok {
		t.Columns = p.columns(v, path+".columns", label)
		cols = t.Columns
	}

	// partOK says whether partition values can be checked against the
	// partitioning: it is given and valid.
	partNode, hasPartitioning := fs["partitioning"]
	partOK := false
	if hasPartitioning {
		t.Partitioning, partOK = p.partitioning(partNode, path+".partitioning", label, cols)
	}

	if v, ok := fs["partitions"]; ok {
		if !hasPartitioning {
			p.errorf(v, path+".partitions", "partitions are listed but the table has no partitioning; add partitioning: {columns: [...]} or {column: ..., granularity: day}, or remove partitions")
		} else {
			var pp *Partitioning
			if partOK {
				pp = t.Partitioning
			}
			t.Partitions = p.partitions(v, path+".partitions", label, pp, cols)
		}
	}

	if v, ok := fs["clustering"]; ok {
		t.Clustering = p.columnList(v, path+".clustering", label, cols, "clustering")
	}

	// Totals: given ones win; missing or zero ones are summed from the
	// partitions when there are any.
	if len(t.Partitions) > 0 {
		for _, total := range []struct {
			field string
			v     *int64
			of    func(Partition) int64
		}{
			{"rows", &t.Rows, func(pt Partition) int64 { return pt.Rows }},
			{"bytes", &t.Bytes, func(pt Partition) int64 { return pt.Bytes }},
			{"files", &t.Files, func(pt Partition) int64 { return pt.Files }},
		} {
			if *total.v != 0 {
				continue
			}
			var sum int64
			overflow := false
			for _, pt := range t.Partitions {
				var o bool
				sum, o = addInt64(sum, total.of(pt))
				overflow = overflow || o
			}
			if overflow {
				p.errorf(fs["partitions"], path+".partitions", "the partitions' %s add up to more than fits in 64 bits; check the numbers or give the table's %s", total.field, total.field)
			}
			*total.v = sum
		}
	} else if _, hasParts := fs["partitions"]; !hasParts {
		if !hasRows {
			p.errorf(n, path, "missing field rows; give the table's row count (or list its partitions and it is summed from them)")
		}
		if !hasBytes {
			p.errorf(n, path, "missing field bytes; give the table's size, e.g. bytes: 1.5TiB (or list its partitions and it is summed from them)")
		}
	}

	if t.Name == "" {
		return nil, nil
	}
	return t, nameNode
}

// checkTableName returns what is wrong with a table name, or "".
func checkTableName(name string) string {
	if strings.ContainsAny(name, "`\"'") {
		return fmt.Sprintf("%q: write the name without quotes or backticks, as catalog.schema.table or project.dataset.table", name)
	}
	parts := strings.Split(name, ".")
	if len(parts) != 3 || slices.Contains(parts, "") {
		return fmt.Sprintf("%q must be fully qualified as catalog.schema.table or project.dataset.table", name)
	}
	if strings.ContainsFunc(name, unicode.IsSpace) {
		return fmt.Sprintf("%q contains a space; names are catalog.schema.table or project.dataset.table without spaces", name)
	}
	return ""
}

// columns parses the columns list, lower-casing names.
func (p *parser) columns(n *yaml.Node, path, table string) []Column {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "must be a list of columns, found %s; e.g. columns: [{name: id, type: bigint, bytes: 8MiB}]", kind(n))
		return nil
	}
	if len(n.Content) == 0 {
		p.errorf(n, path, "the list is empty; list the table's columns, e.g. [{name: id, type: bigint}], or leave the field out")
		return nil
	}
	var out []Column
	firstLine := make(map[string]int)
	for i, item := range n.Content {
		item = resolve(item)
		cpath := fmt.Sprintf("%s[%d]", path, i)
		fs := p.fields(item, cpath, columnFields)
		if fs == nil {
			continue
		}
		var c Column
		if v, ok := fs["name"]; !ok {
			p.errorf(item, cpath, "missing field name; give the column name, e.g. {name: user_id, type: bigint}")
		} else if name, ok := p.scalar(v, cpath+".name", "the column name"); ok {
			c.Name = strings.ToLower(name)
			if l, dup := firstLine[c.Name]; dup {
				p.errorf(v, cpath+".name", "duplicate column %q in %s (first at line %d); list each column once", c.Name, table, l)
				c.Name = ""
			} else {
				firstLine[c.Name] = v.Line
			}
		}
		if v, ok := fs["type"]; !ok {
			p.errorf(item, cpath, "missing field type; give the column's SQL type as the engine shows it, e.g. type: bigint or type: INT64")
		} else if typ, ok := p.scalar(v, cpath+".type", "the column's SQL type, e.g. bigint"); ok {
			c.Type = typ
		}
		if v, ok := fs["bytes"]; ok {
			c.Bytes, _ = p.size(v, cpath+".bytes")
		}
		if c.Name != "" {
			out = append(out, c)
		}
	}
	return out
}

// partitioning parses the partitioning mapping; ok reports whether it is
// valid, so partitions can be checked against it.
func (p *parser) partitioning(n *yaml.Node, path, table string, cols []Column) (*Partitioning, bool) {
	fs := p.fields(n, path, partitioningFields)
	if fs == nil {
		return nil, false
	}
	colsNode, hasCols := fs["columns"]
	colNode, hasCol := fs["column"]
	granNode, hasGran := fs["granularity"]
	switch {
	case hasCols && hasCol:
		p.errorf(n, path, "give either columns: (identity partitioning, e.g. {columns: [dt]}) or column: with granularity: (time partitioning, e.g. {column: event_ts, granularity: day}), not both")
		return nil, false
	case !hasCols && !hasCol:
		p.errorf(n, path, "missing columns: or column:; use {columns: [dt]} for identity partitioning or {column: event_ts, granularity: day} for time partitioning")
		return nil, false
	}
	before := len(p.err.Problems) + p.err.Omitted
	part := &Partitioning{}
	if hasCols {
		if hasGran {
			p.errorf(granNode, path+".granularity", "granularity only applies to time partitioning; remove it, or use column: instead of columns:")
		}
		if colsNode.Kind == yaml.SequenceNode && len(colsNode.Content) == 0 {
			p.errorf(colsNode, path+".columns", "the list is empty; name the partition columns, e.g. columns: [dt], or remove partitioning")
		}
		part.Columns = p.columnList(colsNode, path+".columns", table, cols, "partition")
	} else {
		name, ok := p.scalar(colNode, path+".column", "the time partitioning column, e.g. column: event_ts")
		if ok {
			part.Column = strings.ToLower(name)
			if cols != nil {
				c, known := findColumn(cols, part.Column)
				if !known {
					p.errorf(colNode, path+".column", "%q is not a column of %s (columns: %s)", part.Column, table, columnNames(cols))
				} else if !isTimeType(c.Type) {
					p.errorf(colNode, path+".column", "column %q has type %s; time partitioning needs a date, datetime or timestamp column (for identity partitioning use columns: [%s])", c.Name, c.Type, c.Name)
				}
			}
		}
		if !hasGran {
			p.errorf(n, path, "missing field granularity; time partitioning needs one of hour, day, month, year, e.g. granularity: day")
		} else if g, ok := p.scalar(granNode, path+".granularity", "one of hour, day, month, year"); ok {
			switch gg := Granularity(strings.ToLower(g)); gg {
			case Hour, Day, Month, Year:
				part.Granularity = gg
				if c, known := findColumn(cols, part.Column); known && gg == Hour && strings.EqualFold(c.Type, "date") {
					p.errorf(granNode, path+".granularity", "hour does not fit column %q of type %s; use day, month or year", c.Name, c.Type)
				}
			default:
				p.errorf(granNode, path+".granularity", "%q is not a granularity; use one of hour, day, month, year", g)
			}
		}
	}
	return part, len(p.err.Problems)+p.err.Omitted == before
}

// isTimeType reports whether a column of this SQL type can be time
// partitioned.
func isTimeType(typ string) bool {
	t := strings.ToLower(strings.TrimSpace(typ))
	return strings.HasPrefix(t, "date") || strings.HasPrefix(t, "timestamp")
}

// columnList parses a list of column names (partition or clustering
// columns): lower-cased, without duplicates, and known columns when the
// table lists its columns.
func (p *parser) columnList(n *yaml.Node, path, table string, cols []Column, what string) []string {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "must be a list of column names, found %s; e.g. [user_id]", kind(n))
		return nil
	}
	var out []string
	for i, item := range n.Content {
		item = resolve(item)
		ipath := fmt.Sprintf("%s[%d]", path, i)
		name, ok := p.scalar(item, ipath, "a column name")
		if !ok {
			continue
		}
		name = strings.ToLower(name)
		switch {
		case slices.Contains(out, name):
			p.errorf(item, ipath, "%s column %q is listed twice; list it once", what, name)
		case cols != nil && !hasColumn(cols, name):
			p.errorf(item, ipath, "%s column %q is not a column of %s (columns: %s)", what, name, table, columnNames(cols))
		default:
			out = append(out, name)
		}
	}
	return out
}

// partitions parses the partitions list. part is nil when the partitioning
// is invalid; the values are then not checked against it.
func (p *parser) partitions(n *yaml.Node, path, table string, part *Partitioning, cols []Column) []Partition {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, `must be a list of partitions, found %s; e.g. [{values: {dt: "2026-11-01"}, rows: 1000, bytes: 1MiB}]`, kind(n))
		return nil
	}
	if len(n.Content) == 0 {
		p.errorf(n, path, "the list is empty; list the table's partitions, or leave the field out if they are unknown")
		return nil
	}
	var out []Partition
	seen := make(map[string]int)
	for i, item := range n.Content {
		item = resolve(item)
		ppath := fmt.Sprintf("%s[%d]", path, i)
		fs := p.fields(item, ppath, partitionFields)
		if fs == nil {
			continue
		}
		var pt Partition
		if v, ok := fs["values"]; !ok {
			p.errorf(item, ppath, `missing field values; give the partition's column values, e.g. values: {dt: "2026-11-01"}`)
		} else {
			before := len(p.err.Problems) + p.err.Omitted
			pt.Values = p.partitionValues(v, ppath+".values", table, part, cols)
			if pt.Values != nil && part != nil && len(p.err.Problems)+p.err.Omitted == before {
				key := valuesKey(pt.Values)
				if l, dup := seen[key]; dup {
					p.errorf(v, ppath+".values", "duplicate partition (same values as the one at line %d); list each partition once", l)
				} else {
					seen[key] = v.Line
				}
			}
		}
		if v, ok := fs["rows"]; ok {
			pt.Rows, _ = p.count(v, ppath+".rows")
		} else {
			p.errorf(item, ppath, "missing field rows; give the partition's row count")
		}
		if v, ok := fs["bytes"]; ok {
			pt.Bytes, _ = p.size(v, ppath+".bytes")
		} else {
			p.errorf(item, ppath, "missing field bytes; give the partition's size, e.g. bytes: 120GiB")
		}
		if v, ok := fs["files"]; ok {
			pt.Files, _ = p.count(v, ppath+".files")
		}
		out = append(out, pt)
	}
	return out
}

// partitionValues parses a partition's values mapping, checking keys against
// the partitioning columns and values against their granularity or type.
func (p *parser) partitionValues(n *yaml.Node, path, table string, part *Partitioning, cols []Column) map[string]string {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, `must map each partitioning column to its value, found %s; e.g. {dt: "2026-11-01"}`, kind(n))
		return nil
	}
	var pcols []string
	if part != nil {
		if part.Column != "" {
			pcols = []string{part.Column}
		} else {
			pcols = part.Columns
		}
	}
	values := make(map[string]string)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		col, ok := p.scalar(k, path, "a partitioning column name")
		if !ok {
			continue
		}
		col = strings.ToLower(col)
		if _, dup := values[col]; dup {
			p.errorf(k, path, "partition column %q appears twice; give it once", col)
			continue
		}
		if part != nil && !slices.Contains(pcols, col) {
			p.errorf(k, path, "partition column %q is not a partitioning column of %s (partitioning columns: %s)", col, table, strings.Join(pcols, ", "))
			continue
		}
		val, ok := p.scalar(v, path+"."+col, "the partition's value as text, e.g. \"2026-11-01\"")
		if !ok {
			continue
		}
		if part != nil {
			if part.Column != "" {
				norm, err := normalizeTime(val, part.Granularity)
				if err != nil {
					p.errorf(v, path+"."+col, "%v", err)
					continue
				}
				val = norm
			} else if c, known := findColumn(cols, col); known && strings.EqualFold(strings.TrimSpace(c.Type), "date") {
				if _, err := time.Parse(time.DateOnly, val); err != nil {
					p.errorf(v, path+"."+col, "%q is not a date; column %q has type %s, so write its value as YYYY-MM-DD, e.g. \"2026-11-01\"", val, c.Name, c.Type)
					continue
				}
			}
		}
		values[col] = val
	}
	for _, c := range pcols {
		if _, ok := values[c]; !ok && !hasKeyAny(n, c) {
			p.errorf(n, path, "missing partitioning column %q; every partition needs a value for each of: %s", c, strings.Join(pcols, ", "))
		}
	}
	return values
}

// hasKeyAny reports whether a values mapping names col at all, valid or not,
// so a bad value is not also reported as missing.
func hasKeyAny(n *yaml.Node, col string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); k.Kind == yaml.ScalarNode && strings.EqualFold(k.Value, col) {
			return true
		}
	}
	return false
}

// normalizeTime checks a time partition value against its granularity and
// returns the start of its period as a DATE or TIMESTAMP literal.
func normalizeTime(val string, g Granularity) (string, error) {
	var layouts []string
	var forms, canon string
	switch g {
	case Hour:
		layouts = []string{"2006-01-02 15", "2006-01-02T15", "2006-01-02 15:04", "2006-01-02T15:04",
			"2006-01-02 15:04:05", "2006-01-02T15:04:05", time.RFC3339Nano, "2006010215"}
		forms = `"2026-11-01 13", "2026-11-01T13", "2026-11-01 13:00:00", "2026-11-01T13:00:00Z" or BigQuery's "2026110113"`
		canon = time.DateTime
	case Day:
		layouts = []string{time.DateOnly, "20060102"}
		forms = `"2026-11-01" or BigQuery's "20261101"`
		canon = time.DateOnly
	case Month:
		layouts = []string{"2006-01", time.DateOnly, "200601"}
		forms = `"2026-11", "2026-11-01" or BigQuery's "202611"`
		canon = time.DateOnly
	case Year:
		layouts = []string{"2006", time.DateOnly}
		forms = `"2026" or "2026-01-01"`
		canon = time.DateOnly
	default:
		return "", fmt.Errorf("unknown granularity %q; use hour, day, month or year", g)
	}
	for _, layout := range layouts {
		t, err := time.Parse(layout, val)
		if err != nil {
			continue
		}
		t = t.UTC()
		var start time.Time
		switch g {
		case Hour:
			start = t.Truncate(time.Hour)
		case Day:
			start = t
		case Month:
			start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		case Year:
			start = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		}
		if !start.Equal(t) {
			period := "a " + string(g)
			if g == Hour {
				period = "an hour"
			}
			return "", fmt.Errorf("%q is not at the start of %s; write it as %s", val, period, forms)
		}
		return start.Format(canon), nil
	}
	return "", fmt.Errorf("%q is not a valid %s partition value; write it as %s", val, g, forms)
}

// valuesKey identifies a partition by its values, for duplicate detection.
func valuesKey(values map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(values)) {
		b.WriteString(strconv.Quote(k))
		b.WriteByte('=')
		b.WriteString(strconv.Quote(values[k]))
		b.WriteByte(';')
	}
	return b.String()
}

// fields checks that n is a mapping whose keys are among valid, each once,
// and returns the value nodes by key. It returns nil if n is not a mapping.
func (p *parser) fields(n *yaml.Node, path string, valid []string) map[string]*yaml.Node {
	list := strings.Join(valid, ", ")
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "must be a mapping with fields %s, found %s", list, kind(n))
		return nil
	}
	out := make(map[string]*yaml.Node)
	lines := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		switch {
		case k.Kind != yaml.ScalarNode:
			p.errorf(k, path, "field names must be plain words, found %s; valid fields: %s", kind(k), list)
		case k.ShortTag() == "!!merge":
			p.errorf(k, path, "merge keys (<<) are not supported; write the fields out")
		case !slices.Contains(valid, k.Value):
			p.errorf(k, path, "unknown field %q; valid fields: %s", k.Value, list)
		default:
			if l, dup := lines[k.Value]; dup {
				p.errorf(k, path, "field %q appears twice (first at line %d); keep one", k.Value, l)
				continue
			}
			lines[k.Value] = k.Line
			out[k.Value] = v
		}
	}
	return out
}

// scalar returns the text of a non-null scalar; want says what the field
// should hold, for the error.
func (p *parser) scalar(n *yaml.Node, path, want string) (string, bool) {
	switch {
	case n.Kind != yaml.ScalarNode:
		p.errorf(n, path, "must be %s, found %s", want, kind(n))
		return "", false
	case n.ShortTag() == "!!null":
		p.errorf(n, path, "has no value; give %s", want)
		return "", false
	case strings.TrimSpace(n.Value) == "":
		p.errorf(n, path, "is empty; give %s", want)
		return "", false
	}
	return n.Value, true
}

// count parses a non-negative whole number (rows, files).
func (p *parser) count(n *yaml.Node, path string) (int64, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		switch {
		case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
			p.errorf(n, path, "has no value; give a whole number or remove the field")
		case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" && isInteger(n.Value):
			// YAML reads integers beyond 64 bits as floats.
			p.errorf(n, path, "%s does not fit in 64 bits; check the number", n.Value)
		default:
			p.errorf(n, path, "must be a whole number like 120450000000, found %s", describe(n))
		}
		return 0, false
	}
	var v int64
	if err := n.Decode(&v); err != nil {
		p.errorf(n, path, "%s does not fit in 64 bits; check the number", n.Value)
		return 0, false
	}
	if v < 0 {
		p.errorf(n, path, "must not be negative, found %d; give 0 or more", v)
		return 0, false
	}
	return v, true
}

// isInteger reports whether s is written as an integer: an optional sign,
// then digits.
func isInteger(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// size parses a byte count: a whole number, or a string with a unit.
func (p *parser) size(n *yaml.Node, path string) (int64, bool) {
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float" && isInteger(n.Value)) {
		return p.count(n, path)
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
			p.errorf(n, path, "has no value; give a size like 1.5GiB or remove the field")
		} else {
			p.errorf(n, path, "must be a size, found %s; %s", describe(n), sizeHelp)
		}
		return 0, false
	}
	v, err := ParseSize(n.Value)
	if err != nil {
		p.errorf(n, path, "%v", err)
		return 0, false
	}
	return v, true
}

// resolve follows YAML aliases (*name) to the anchored node, so anchors can
// share column lists between tables. It never returns nil.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind == yaml.AliasNode {
		return &yaml.Node{}
	}
	return n
}

// kind names a node's shape for error messages.
func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "no value"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

// describe is kind with a hint for numbers YAML reads as floats.
func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" {
		return fmt.Sprintf("%q (write it out in full, without a decimal point or exponent)", n.Value)
	}
	return kind(n)
}

// findColumn looks up a lower-cased column name.
func findColumn(cols []Column, name string) (Column, bool) {
	for _, c := range cols {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

func hasColumn(cols []Column, name string) bool {
	_, ok := findColumn(cols, name)
	return ok
}

// columnNames lists a table's columns in table order for "valid columns"
// hints.
func columnNames(cols []Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// addInt64 adds without wrapping around; overflow reports whether it would.
func addInt64(a, b int64) (sum int64, overflow bool) {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64, true
	}
	return a + b, false
}
