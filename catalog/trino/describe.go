package trino

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/skimdata/skim/catalog"
	"github.com/trinodb/trino-go-client/trino"
	"go.uber.org/zap"
)

// field is a partition key as "$partitions" shows it: a Hive partition
// column, or a field of Iceberg's partition ROW. Both are lower-cased.
type field struct {
	name, typ string
}

// partitionsTable is what a connector's "$partitions" table says.
type partitionsTable struct {
	fields []field
	parts  []partitionRow
	// hasRows, hasBytes and hasFiles say which sizes the table carries:
	// Iceberg's has all three, Hive's none.
	hasRows, hasBytes, hasFiles bool
}

// partitionRow is one row of "$partitions".
type partitionRow struct {
	// values holds one value per field, as trino-go-client returns it;
	// nil is NULL.
	values             []any
	rows, bytes, files int64
}

// readPartitions reads "$partitions" rows. Iceberg's shape is told by its
// size columns; any other shape is Hive's, every column a partition key.
func readPartitions(rows *sql.Rows) (*partitionsTable, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, t := range types {
		index[strings.ToLower(t.Name())] = i
	}
	iRows, hasRows := index["record_count"]
	iFiles, hasFiles := index["file_count"]
	iBytes, hasBytes := index["total_size"]
	iPart, hasPart := index["partition"]
	pt := &partitionsTable{hasRows: hasRows, hasBytes: hasBytes, hasFiles: hasFiles}
	iceberg := hasRows || hasBytes || hasFiles
	switch {
	case iceberg && hasPart:
		// trino-go-client upper-cases the type text of a ROW column;
		// Trino's column names are lower-case anyway.
		if pt.fields, err = rowFields(strings.ToLower(types[iPart].DatabaseTypeName())); err != nil {
			return nil, err
		}
	case !iceberg:
		for _, t := range types {
			pt.fields = append(pt.fields, field{name: strings.ToLower(t.Name()), typ: strings.ToLower(t.DatabaseTypeName())})
		}
	}

	vals := make([]any, len(types))
	dest := make([]any, len(types))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		var pr partitionRow
		if !iceberg {
			pr.values = slices.Clone(vals)
			pt.parts = append(pt.parts, pr)
			continue
		}
		if hasPart {
			if pr.values, err = rowValues(vals[iPart], len(pt.fields)); err != nil {
				return nil, err
			}
		}
		if hasRows {
			pr.rows = toInt64(vals[iRows])
		}
		if hasFiles {
			pr.files = toInt64(vals[iFiles])
		}
		if hasBytes {
			pr.bytes = toInt64(vals[iBytes])
		}
		pt.parts = append(pt.parts, pr)
	}
	return pt, nil
}

// rowFields reads the fields of a ROW type from its text, as in
// row(event_date date, "my col" varchar).
func rowFields(typ string) ([]field, error) {
	inner, isRow := strings.CutPrefix(typ, "row(")
	inner, closed := strings.CutSuffix(inner, ")")
	if !isRow || !closed {
		return nil, fmt.Errorf("the partition column of $partitions has type %q, not a ROW", typ)
	}
	var fields []field
	for _, f := range splitTopLevel(inner) {
		f = strings.TrimSpace(f)
		var name, rest string
		if strings.HasPrefix(f, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(f); i++ {
				if f[i] == '"' {
					if i+1 < len(f) && f[i+1] == '"' {
						b.WriteByte('"') // a doubled quote
						i++
						continue
					}
					break
				}
				b.WriteByte(f[i])
			}
			if i >= len(f) {
				return nil, fmt.Errorf("unterminated field name in ROW type %q", typ)
			}
			name, rest = b.String(), f[i+1:]
		} else {
			name, rest, _ = strings.Cut(f, " ")
		}
		rest = strings.TrimSpace(rest)
		if name == "" || rest == "" {
			return nil, fmt.Errorf("ROW type %q has a field without a name or type", typ)
		}
		fields = append(fields, field{name: name, typ: rest})
	}
	return fields, nil
}

// splitTopLevel splits s at the commas outside parentheses and quotes.
func splitTopLevel(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// rowValues returns the fields of a partition ROW value. trino-go-client
// v1.1.0 returns a ROW as a trino.Row; NULL gives NULL fields.
func rowValues(v any, n int) ([]any, error) {
	switch r := v.(type) {
	case nil:
		return make([]any, n), nil
	case trino.Row:
		if !r.Valid {
			return make([]any, n), nil
		}
		if r.Len() != n {
			return nil, fmt.Errorf("a partition ROW has %d fields where its type has %d", r.Len(), n)
		}
		out := make([]any, n)
		for i := range out {
			out[i] = r.Value(i)
		}
		return out, nil
	}
	return nil, fmt.Errorf("the partition column of $partitions holds %T, not a ROW", v)
}

// toInt64 reads a count or size; NULL and other types read as 0.
func toInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

// tableStats is what SHOW STATS says.
type tableStats struct {
	rows    int64
	hasRows bool
	columns map[string]columnStats // by lower-cased name
}

type columnStats struct {
	dataSize      float64
	hasDataSize   bool
	nullsFraction float64
}

// readStats reads SHOW STATS rows: one per column, and a summary row
// (column_name NULL) with the row count.
func readStats(rows *sql.Rows) (*tableStats, error) {
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, n := range names {
		index[strings.ToLower(n)] = i
	}
	iName, ok1 := index["column_name"]
	iSize, ok2 := index["data_size"]
	iNulls, ok3 := index["nulls_fraction"]
	iRows, ok4 := index["row_count"]
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("unexpected columns %q", names)
	}
	st := &tableStats{columns: map[string]columnStats{}}
	vals := make([]any, len(names))
	dest := make([]any, len(names))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		name, isColumn := vals[iName].(string)
		if !isColumn {
			if n, ok := vals[iRows].(float64); ok {
				st.rows, st.hasRows = int64(n), true
			}
			continue
		}
		var cs columnStats
		cs.dataSize, cs.hasDataSize = vals[iSize].(float64)
		cs.nullsFraction, _ = vals[iNulls].(float64)
		st.columns[strings.ToLower(name)] = cs
	}
	return st, nil
}

// columnBytes is a column's size: SHOW STATS's data_size, which Trino's
// connectors give for variable-width types only; for fixed-width types
// the width times the non-null rows, as Trino's own cost model counts.
// 0 when unknown.
func (st *tableStats) columnBytes(c catalog.Column) int64 {
	cs := st.columns[c.Name]
	if cs.hasDataSize {
		return int64(cs.dataSize)
	}
	if w := fixedWidth(c.Type); w > 0 && st.hasRows {
		return int64(float64(w*st.rows) * (1 - cs.nullsFraction))
	}
	return 0
}

// fixedWidth is the bytes a value of a fixed-width Trino type takes in
// Trino's memory; 0 for variable-width and unknown types.
func fixedWidth(typ string) int64 {
	t := strings.ToLower(strings.TrimSpace(typ))
	precision := -1
	if open := strings.IndexByte(t, '('); open >= 0 {
		if end := strings.IndexByte(t[open:], ')'); end > 0 {
			args := t[open+1 : open+end]
			first, _, _ := strings.Cut(args, ",")
			if p, err := strconv.Atoi(strings.TrimSpace(first)); err == nil {
				precision = p
			}
			t = t[:open] + t[open+end+1:]
		}
	}
	switch t {
	case "boolean", "tinyint":
		return 1
	case "smallint":
		return 2
	case "integer", "int", "real", "date", "interval year to month":
		return 4
	case "bigint", "double", "time", "time with time zone", "interval day to second":
		return 8
	case "uuid", "ipaddress":
		return 16
	case "decimal":
		if precision >= 0 && precision <= 18 {
			return 8
		}
		return 16
	case "timestamp":
		// Up to microseconds a timestamp fits in a long.
		if precision <= 6 {
			return 8
		}
		return 12
	case "timestamp with time zone":
		if precision <= 3 {
			return 8
		}
		return 12
	}
	return 0
}

// partitionKey is a field of "$partitions" that partitions the table
// by a column: as it is (identity), or by a time unit of it.
type partitionKey struct {
	field       int
	column      string
	granularity catalog.Granularity // "" for identity
}

// partitionKeys picks the fields that describe the table's partitioning.
// A field named after a column is an identity partition; Iceberg names a
// day(ts) field ts_day (and _hour, _month, _year); other transforms
// (bucket, truncate) cannot prune by value and are left out.
// catalog.Partitioning holds identity columns or one time column, not
// both: with a time field it is the time one, as dates are what queries
// filter on most; the other fields' partitions are then merged.
func partitionKeys(fields []field, cols []catalog.Column) (*catalog.Partitioning, []partitionKey) {
	var identity, timed []partitionKey
	for i, f := range fields {
		if hasColumn(cols, f.name) {
			identity = append(identity, partitionKey{field: i, column: f.name})
			continue
		}
		for _, g := range []catalog.Granularity{catalog.Hour, catalog.Day, catalog.Month, catalog.Year} {
			if col, ok := strings.CutSuffix(f.name, "_"+string(g)); ok && hasColumn(cols, col) {
				timed = append(timed, partitionKey{field: i, column: col, granularity: g})
			}
		}
	}
	switch {
	case len(timed) == 1:
		return &catalog.Partitioning{Column: timed[0].column, Granularity: timed[0].granularity}, timed
	case len(identity) > 0:
		names := make([]string, len(identity))
		for i, k := range identity {
			names[i] = k.column
		}
		return &catalog.Partitioning{Columns: names}, identity
	}
	return nil, nil
}

func hasColumn(cols []catalog.Column, name string) bool {
	for _, c := range cols {
		if c.Name == name {
			return true
		}
	}
	return false
}

// partitionValue writes a partition key's value as catalog.Partition
// holds it; false for NULL.
func partitionValue(k partitionKey, v any, typ string) (string, bool) {
	if k.granularity != "" {
		return timeValue(v, k.granularity)
	}
	switch x := v.(type) {
	case nil:
		return "", false
	case time.Time:
		switch {
		case strings.HasPrefix(typ, "date"):
			return x.Format(time.DateOnly), true
		case strings.Contains(typ, "with time zone"):
			return x.UTC().Format("2006-01-02 15:04:05.999999999") + " UTC", true
		}
		return x.Format("2006-01-02 15:04:05.999999999"), true
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return fmt.Sprint(v), true
}

// timeValue writes the start of a time partition: a DATE literal, or a
// TIMESTAMP one for hours. Iceberg's day transform shows as a date; its
// hour, month and year transforms as the number of units since 1970.
func timeValue(v any, g catalog.Granularity) (string, bool) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), 0, 0, 0, time.UTC)
	case int64:
		epoch := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
		switch g {
		case catalog.Hour:
			t = epoch.Add(time.Duration(x) * time.Hour)
		case catalog.Day:
			t = epoch.AddDate(0, 0, int(x))
		case catalog.Month:
			t = epoch.AddDate(0, int(x), 0)
		case catalog.Year:
			t = epoch.AddDate(int(x), 0, 0)
		}
	default:
		return "", false
	}
	switch g {
	case catalog.Hour:
		return t.Format(time.DateTime), true
	case catalog.Day:
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case catalog.Month:
		t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case catalog.Year:
		t = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t.Format(time.DateOnly), true
}

// describe puts together what the queries said. pt is nil for a table
// without "$partitions"; st is nil when SHOW STATS failed with stErr,
// which matters only if "$partitions" has no sizes.
func describe(ref tableRef, cols []catalog.Column, pt *partitionsTable, st *tableStats, stErr error, log *zap.Logger) (*catalog.Table, error) {
	t := &catalog.Table{Name: ref.String(), Columns: cols}
	var statsBytes int64
	if st != nil {
		for i := range t.Columns {
			t.Columns[i].Bytes = st.columnBytes(t.Columns[i])
			statsBytes += t.Columns[i].Bytes
		}
	}
	rowsKnown := pt != nil && pt.hasRows
	bytesKnown := pt != nil && pt.hasBytes
	if !rowsKnown || !bytesKnown {
		switch {
		case stErr != nil:
			return nil, stErr
		case !st.hasRows:
			return nil, errors.New("no row count for it in Trino (SHOW STATS gives none); run ANALYZE on it in Trino so that skim can size it")
		}
	} else if stErr != nil {
		log.Debug("no column sizes: SHOW STATS failed", zap.String("table", t.Name), zap.Error(stErr))
	}

	if pt != nil {
		addPartitions(t, pt, log)
	}
	if !rowsKnown {
		t.Rows = st.rows
	}
	if !bytesKnown {
		t.Bytes = statsBytes
	}
	if len(t.Partitions) > 0 && (!rowsKnown || !bytesKnown) {
		// Hive's $partitions has no sizes, and asking for each
		// partition's statistics would take a query per partition: an
		// even spread is the estimate, which sampling decisions tolerate.
		// Files stay unknown (0).
		log.Debug("partition sizes unknown; spreading the table's totals evenly over its partitions",
			zap.String("table", t.Name), zap.Int("partitions", len(t.Partitions)))
		if !rowsKnown {
			spread(t.Rows, t.Partitions, func(p *catalog.Partition, v int64) { p.Rows = v })
		}
		if !bytesKnown {
			spread(t.Bytes, t.Partitions, func(p *catalog.Partition, v int64) { p.Bytes = v })
		}
	}
	return t, nil
}

// addPartitions sets t's partitioning, partitions and totals from
// "$partitions". Rows with equal values of the chosen keys are merged;
// if any of them is NULL the partitions are left unknown, as a partition
// without a value cannot be pruned by it.
func addPartitions(t *catalog.Table, pt *partitionsTable, log *zap.Logger) {
	part, keys := partitionKeys(pt.fields, t.Columns)
	t.Partitioning = part
	byValues := map[string]int{}
	complete := true
	for _, pr := range pt.parts {
		t.Rows += pr.rows
		t.Bytes += pr.bytes
		t.Files += pr.files
		if keys == nil || !complete {
			continue
		}
		values := make(map[string]string, len(keys))
		var id strings.Builder
		for _, k := range keys {
			v, ok := partitionValue(k, pr.values[k.field], pt.fields[k.field].typ)
			if !ok {
				complete = false
				break
			}
			values[k.column] = v
			id.WriteString(strconv.Quote(v))
		}
		if !complete {
			continue
		}
		if i, seen := byValues[id.String()]; seen {
			p := &t.Partitions[i]
			p.Rows += pr.rows
			p.Bytes += pr.bytes
			p.Files += pr.files
			continue
		}
		byValues[id.String()] = len(t.Partitions)
		t.Partitions = append(t.Partitions, catalog.Partition{Values: values, Rows: pr.rows, Bytes: pr.bytes, Files: pr.files})
	}
	if !complete {
		log.Debug("partitions left unknown: a partition has a NULL key", zap.String("table", t.Name))
		t.Partitions = nil
		return
	}
	// Connectors list partitions in no particular order; sorted, equal
	// tables describe alike.
	cols := t.PartitionColumns()
	slices.SortFunc(t.Partitions, func(a, b catalog.Partition) int {
		for _, c := range cols {
			if d := compareValues(a.Values[c], b.Values[c]); d != 0 {
				return d
			}
		}
		return 0
	})
}

// compareValues orders partition values: numbers by value, other values
// (dates and timestamps included) as text.
func compareValues(a, b string) int {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

// spread divides total evenly over the partitions, the remainder one each
// to the first, so that the parts add up to the total.
func spread(total int64, parts []catalog.Partition, set func(*catalog.Partition, int64)) {
	n := int64(len(parts))
	for i := range parts {
		v := total / n
		if int64(i) < total%n {
			v++
		}
		set(&parts[i], v)
	}
}
