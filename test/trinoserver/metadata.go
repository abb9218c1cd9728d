package trinoserver

// Trino's table metadata, answered from PostgreSQL's catalogs in the shapes
// Trino gives them, so that skim's Trino catalog provider can be tested
// end to end:
//
//   - <catalog>.information_schema.columns: one row per column of every
//     table outside the system schemas, data_type written as Trino writes
//     the type (the same mapping as typeOf), table_catalog the catalog the
//     statement named. Partitions of partitioned tables are not listed,
//     as Trino lists no such tables.
//   - "<table>$partitions": the Iceberg connector's shape. A declaratively
//     partitioned table gives one row per partition: partition, a
//     row(<key> <type>, ...) of the lower bound of its range (or its one
//     list value), record_count (reltuples, or count(*) when the partition
//     was never analyzed), file_count (its heap in pretend 8 MiB files, at
//     least 1, as DemoCatalog counts) and total_size (pg_relation_size).
//     Any other table gives one row of the three sizes without partition,
//     as an unpartitioned Iceberg table does.
//   - SHOW STATS FOR <table>: Trino's columns and order, summary row last,
//     from pg_stats and pg_class. As Trino's connectors do, data_size is
//     given for variable-width types only.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/skimdata/skim/test/sqltext"
)

// partitionsTable is a "$partitions" table a statement reads. The statement
// runs on a temporary table of that content, which the server creates in
// the query's transaction just before (see createPartitionsTables): its
// partition column's Trino type depends on the table's partition keys,
// which only the database knows.
type partitionsTable struct {
	// relation is the PostgreSQL table, quoted, schema-qualified when the
	// statement qualified it.
	relation string
	// trinoName is the $partitions table as the statement named it.
	trinoName string
	// temp is the temporary table's name, unquoted.
	temp string
}

// columnRef identifies a column of a table, as a row description does.
type columnRef struct {
	table  uint32
	attnum uint16
}

// metadataRelation returns the PostgreSQL that stands for a table name of
// Trino metadata, if names is one: names are the parts of the name, prev
// and next the tokens around it. A $partitions table is added to
// partitions.
func metadataRelation(prev sqltext.Token, names []sqltext.Token, next sqltext.Token, partitions *[]partitionsTable) (string, bool) {
	n := len(names)
	if n == 3 && nameOf(names[1]) == "information_schema" && nameOf(names[2]) == "columns" {
		sql := informationSchemaColumns(nameOf(names[0]))
		if !startsAlias(next) {
			sql += " AS columns"
		}
		return sql, true
	}
	last := names[n-1]
	table, ok := strings.CutSuffix(nameOf(last), "$partitions")
	// A shorter name could be a column: only a table follows FROM or JOIN.
	isTable := n == 3 || prev.Is("from") || prev.Is("join")
	if last.Kind != sqltext.QuotedName || !ok || table == "" || n > 3 || !isTable {
		return "", false
	}
	relation := pgx.Identifier{table}
	if n >= 2 {
		relation = pgx.Identifier{nameOf(names[n-2]), table}
	}
	parts := make([]string, n)
	for i, t := range names {
		parts[i] = nameOf(t)
	}
	pt := partitionsTable{relation: relation.Sanitize(), trinoName: strings.Join(parts, "."), temp: nameOf(last)}
	taken := false
	for _, other := range *partitions {
		if other.relation == pt.relation {
			return "pg_temp." + pgx.Identifier{other.temp}.Sanitize(), true
		}
		taken = taken || other.temp == pt.temp
	}
	if taken {
		// The same table name in two schemas.
		pt.temp += "_" + strconv.Itoa(len(*partitions)+1)
	}
	*partitions = append(*partitions, pt)
	return "pg_temp." + pgx.Identifier{pt.temp}.Sanitize(), true
}

// startsAlias reports whether the token after a table name begins its
// alias, which then must not get a default one.
func startsAlias(t sqltext.Token) bool {
	if t.Is("as") || t.Kind == sqltext.QuotedName {
		return true
	}
	if t.Kind != sqltext.Ident {
		return false
	}
	switch strings.ToLower(t.Text) {
	case "where", "group", "order", "having", "limit", "offset", "fetch", "join", "left", "right", "full",
		"inner", "cross", "natural", "on", "using", "union", "except", "intersect", "window", "tablesample", "for":
		return false
	}
	return true
}

// sqlString writes s as a PostgreSQL string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// informationSchemaColumns is Trino's information_schema.columns of a
// catalog, as a PostgreSQL subquery.
func informationSchemaColumns(catalogName string) string {
	return `(SELECT ` + sqlString(catalogName) + `::varchar AS table_catalog,
        n.nspname::varchar AS table_schema,
        c.relname::varchar AS table_name,
        a.attname::varchar AS column_name,
        a.attnum::int8 AS ordinal_position,
        pg_get_expr(d.adbin, d.adrelid)::varchar AS column_default,
        (CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END)::varchar AS is_nullable,
        (CASE WHEN ty.typcategory = 'A' AND ty.typelem <> 0
              THEN 'array(' || ` + trinoTypeSQL("ty.typelem", "-1") + ` || ')'
              ELSE ` + trinoTypeSQL("a.atttypid", "a.atttypmod") + ` END)::varchar AS data_type
 FROM pg_attribute a
 JOIN pg_class c ON c.oid = a.attrelid
 JOIN pg_namespace n ON n.oid = c.relnamespace
 JOIN pg_type ty ON ty.oid = a.atttypid
 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attnum > 0 AND NOT a.attisdropped
   AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%')`
}

// trinoTypeSQL is a SQL expression naming the Trino type of a PostgreSQL
// type given by SQL expressions of its OID and type modifier: typeOf's
// mapping of scalar types, written in SQL.
func trinoTypeSQL(oid, typmod string) string {
	when := func(name string, oids ...uint32) string {
		s := make([]string, len(oids))
		for i, o := range oids {
			s[i] = strconv.FormatUint(uint64(o), 10)
		}
		return " WHEN " + oid + " IN (" + strings.Join(s, ", ") + ") THEN " + name
	}
	precision := "((" + typmod + " - 4) >> 16 & 65535)"
	scale := "((" + typmod + " - 4) & 65535)"
	return "(CASE" +
		when("'bigint'", pgtype.Int8OID, pgtype.OIDOID) +
		when("'integer'", pgtype.Int4OID) +
		when("'smallint'", pgtype.Int2OID) +
		when("'double'", pgtype.Float8OID) +
		when("'real'", pgtype.Float4OID) +
		when("(CASE WHEN "+typmod+" >= 4 AND "+precision+" <= 38 THEN format('decimal(%s,%s)', "+precision+", "+scale+") ELSE 'double' END)", pgtype.NumericOID) +
		when("'varchar'", pgtype.TextOID, pgtype.NameOID) +
		when("(CASE WHEN "+typmod+" >= 4 THEN format('varchar(%s)', "+typmod+" - 4) ELSE 'varchar' END)", pgtype.VarcharOID) +
		when("(CASE WHEN "+typmod+" >= 5 THEN format('char(%s)', "+typmod+" - 4) ELSE 'varchar' END)", pgtype.BPCharOID) +
		when("'boolean'", pgtype.BoolOID) +
		when("'date'", pgtype.DateOID) +
		when("'timestamp(6)'", pgtype.TimestampOID) +
		when("'timestamp(6) with time zone'", pgtype.TimestamptzOID) +
		when("'json'", pgtype.JSONOID, pgtype.JSONBOID) +
		when("'varbinary'", pgtype.ByteaOID) +
		when("'uuid'", pgtype.UUIDOID) +
		" ELSE 'varchar' END)"
}

// partitionKey is one partitioning column of a table.
type partitionKey struct {
	name string
	oid  uint32
	typ  trinoType
}

// createPartitionsTables creates the temporary tables standing for the
// $partitions tables a statement reads, in its transaction (they go at
// commit), and returns the Trino types of their partition columns.
func createPartitionsTables(ctx context.Context, tx pgx.Tx, tables []partitionsTable) (map[columnRef]trinoType, error) {
	if len(tables) == 0 {
		return nil, nil
	}
	types := map[columnRef]trinoType{}
	for _, pt := range tables {
		if err := pt.create(ctx, tx, types); err != nil {
			return nil, err
		}
	}
	return types, nil
}

func (pt partitionsTable) create(ctx context.Context, tx pgx.Tx, types map[columnRef]trinoType) error {
	var oid uint32
	var partitioned bool
	err := tx.QueryRow(ctx, `SELECT c.oid, c.relkind = 'p' FROM pg_class c WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p')`,
		pt.relation).Scan(&oid, &partitioned)
	if errors.Is(err, pgx.ErrNoRows) {
		return fail(tableNotFound, fmt.Sprintf("Table '%s' does not exist", pt.trinoName))
	}
	if err != nil {
		return fmt.Errorf("look up %s: %w", pt.relation, err)
	}
	m := tx.Conn().TypeMap()
	var keys []partitionKey
	if partitioned {
		if keys, err = partitionKeyTypes(ctx, tx, m, oid); err != nil {
			return fmt.Errorf("read the partition keys of %s: %w", pt.relation, err)
		}
	}
	parts, err := measureParts(ctx, tx, oid, partitioned)
	if err != nil {
		return fmt.Errorf("measure the partitions of %s: %w", pt.relation, err)
	}

	temp := pgx.Identifier{pt.temp}.Sanitize()
	columns := "record_count bigint, file_count bigint, total_size bigint"
	insert := `INSERT INTO pg_temp.` + temp + ` SELECT * FROM unnest($1::int8[], $2::int8[], $3::int8[])`
	if partitioned {
		columns = "partition text, " + columns
		insert = `INSERT INTO pg_temp.` + temp + ` SELECT * FROM unnest($4::text[], $1::int8[], $2::int8[], $3::int8[])`
	}
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE `+temp+` (`+columns+`) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("create the table standing for %s: %w", pt.trinoName, err)
	}
	var records, files, sizes []int64
	var values []string
	for _, p := range parts {
		records = append(records, p.rows)
		files = append(files, p.files)
		sizes = append(sizes, p.bytes)
		if partitioned {
			v, err := rowValue(m, keys, p.values)
			if err != nil {
				return fmt.Errorf("partition bound of %s: %w", pt.relation, err)
			}
			values = append(values, v)
		}
	}
	args := []any{records, files, sizes}
	if partitioned {
		args = append(args, values)
	}
	if _, err := tx.Exec(ctx, insert, args...); err != nil {
		return fmt.Errorf("fill the table standing for %s: %w", pt.trinoName, err)
	}
	if !partitioned {
		return nil
	}
	var tempOID uint32
	if err := tx.QueryRow(ctx, `SELECT $1::regclass::oid`, "pg_temp."+temp).Scan(&tempOID); err != nil {
		return fmt.Errorf("look up the table standing for %s: %w", pt.trinoName, err)
	}
	types[columnRef{table: tempOID, attnum: 1}] = rowType(keys)
	return nil
}

// partitionKeyTypes returns the partitioning columns of a partitioned
// table with their types. Expression keys have no column and are left out.
func partitionKeyTypes(ctx context.Context, tx pgx.Tx, m *pgtype.Map, oid uint32) ([]partitionKey, error) {
	rows, err := tx.Query(ctx, `
		SELECT a.attname, a.atttypid, a.atttypmod
		FROM pg_partitioned_table p,
		     unnest(p.partattrs::int2[]) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = $1 AND a.attnum = k.attnum
		WHERE p.partrelid = $1
		ORDER BY k.ord`, oid)
	if err != nil {
		return nil, err
	}
	var keys []partitionKey
	var k partitionKey
	var typmod int32
	_, err = pgx.ForEachRow(rows, []any{&k.name, &k.oid, &typmod}, func() error {
		k.typ = typeOf(m, k.oid, typmod)
		keys = append(keys, k)
		return nil
	})
	return keys, err
}

// measureParts measures the direct partitions of a partitioned table, or
// a plain table as one part. A sub-partitioned partition is the sum of its
// leaves.
func measureParts(ctx context.Context, tx pgx.Tx, oid uint32, partitioned bool) ([]demoPartition, error) {
	where := `c.oid = $1`
	if partitioned {
		where = `c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $1)`
	}
	rows, err := tx.Query(ctx, `
		WITH part AS (
			SELECT c.oid, n.nspname, c.relname, coalesce(pg_get_expr(c.relpartbound, c.oid), '') AS bound,
			       ARRAY(SELECT t.relid::oid FROM pg_partition_tree(c.oid) t WHERE t.isleaf
			             UNION SELECT c.oid WHERE c.relkind = 'r') AS leaves
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE `+where+`)
		SELECT part.nspname, part.relname, part.bound,
		       (SELECT CASE WHEN bool_and(l.reltuples >= 0) THEN sum(l.reltuples)::int8 END
		        FROM pg_class l WHERE l.oid = ANY (part.leaves)),
		       (SELECT coalesce(sum(pg_relation_size(l)), 0)::int8 FROM unnest(part.leaves) AS l)
		FROM part
		ORDER BY part.relname`, oid)
	if err != nil {
		return nil, err
	}
	type part struct {
		schema, name string
		demoPartition
	}
	var parts []part
	var p part
	var bound string
	var records *int64
	if _, err := pgx.ForEachRow(rows, []any{&p.schema, &p.name, &bound, &records, &p.bytes}, func() error {
		p.values = boundValues(bound)
		p.rows = -1 // never analyzed: counted below
		if records != nil {
			p.rows = *records
		}
		p.files = max(1, p.bytes/demoFileBytes)
		parts = append(parts, p)
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]demoPartition, len(parts))
	for i, p := range parts {
		if p.rows < 0 {
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{p.schema, p.name}.Sanitize()).Scan(&p.rows); err != nil {
				return nil, fmt.Errorf("count the rows of %s.%s: %w", p.schema, p.name, err)
			}
		}
		out[i] = p.demoPartition
	}
	return out, nil
}

// rowValue renders a partition's bound values as the JSON of a Trino ROW
// of the keys: an array of the fields in Trino's JSON encoding. A bound
// without one value per key (DEFAULT, MINVALUE) gives NULL fields.
func rowValue(m *pgtype.Map, keys []partitionKey, values []string) (string, error) {
	fields := make([]any, len(keys))
	if len(values) == len(keys) {
		for i, k := range keys {
			dt, ok := m.TypeForOID(k.oid)
			if !ok {
				fields[i] = values[i]
				continue
			}
			v, err := dt.Codec.DecodeValue(m, k.oid, pgtype.TextFormatCode, []byte(values[i]))
			if err != nil {
				return "", fmt.Errorf("decode %q as the type of %s: %w", values[i], k.name, err)
			}
			if v != nil {
				if fields[i], err = k.typ.convert(v); err != nil {
					return "", err
				}
			}
		}
	}
	b, err := json.Marshal(fields)
	return string(b), err
}

// namedType is the value of a NAMED_TYPE type argument: a ROW field.
type namedType struct {
	FieldName     fieldName     `json:"fieldName"`
	TypeSignature typeSignature `json:"typeSignature"`
}

type fieldName struct {
	Name string `json:"name"`
}

// rowType is the Trino ROW of the partition keys. Its values are stored
// as their JSON text, which goes to the client as it is.
func rowType(keys []partitionKey) trinoType {
	fields := make([]string, len(keys))
	args := make([]typeArgument, len(keys))
	for i, k := range keys {
		fields[i] = rowFieldName(k.name) + " " + k.typ.name
		args[i] = typeArgument{Kind: "NAMED_TYPE", Value: namedType{FieldName: fieldName{Name: k.name}, TypeSignature: k.typ.signature}}
	}
	return trinoType{
		name:      "row(" + strings.Join(fields, ", ") + ")",
		signature: typeSignature{RawType: "row", Arguments: args},
		convert: func(v any) (any, error) {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("unexpected %T for a row column", v)
			}
			return json.RawMessage(s), nil
		},
	}
}

// rowFieldName writes a ROW field name as Trino does: plain when it is a
// lower-case identifier, else double-quoted.
func rowFieldName(name string) string {
	plain := name != ""
	for i, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			plain = false
		}
	}
	if plain {
		return name
	}
	return pgx.Identifier{name}.Sanitize()
}

// nameParts reads a possibly qualified name starting at word k and returns
// its parts with the index of the word after it.
func nameParts(w func(int) sqltext.Token, k int) ([]string, int) {
	var parts []string
	for w(k).IsName() {
		parts = append(parts, nameOf(w(k)))
		if w(k+1).Text != "." {
			return parts, k + 1
		}
		k += 2
	}
	return parts, k
}

// showStats plans SHOW STATS FOR [catalog.][schema.]table.
func (p *plan) showStats(w func(int) sqltext.Token, n int) error {
	if w(3).Text == "(" {
		return fail(genericUserError, "this test server supports SHOW STATS FOR a table, not for a query")
	}
	parts, k := nameParts(w, 3)
	if len(parts) == 0 || len(parts) > 3 || k != n {
		return fail(syntaxError, "expected SHOW STATS FOR [catalog.][schema.]table")
	}
	if len(parts) == 3 {
		parts = parts[1:] // the test database has no catalogs
	}
	p.executed = showStatsSQL(pgx.Identifier(parts).Sanitize())
	return nil
}

// showStatsSQL answers SHOW STATS FOR a table. Casting the name to
// regclass fails with undefined_table, which the client sees as
// TABLE_NOT_FOUND, when there is no such table.
func showStatsSQL(relation string) string {
	return `WITH t AS (
	SELECT c.oid, n.nspname, c.relname, c.relkind = 'p' AS inherited,
	       (SELECT CASE WHEN bool_and(l.reltuples >= 0) THEN sum(l.reltuples) END
	        FROM pg_class l
	        WHERE l.oid IN (SELECT pt.relid::oid FROM pg_partition_tree(c.oid) pt WHERE pt.isleaf
	                        UNION SELECT c.oid WHERE c.relkind = 'r'))::float8 AS row_count
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.oid = ` + sqlString(relation) + `::regclass)
SELECT column_name, data_size, distinct_values_count, nulls_fraction, row_count, low_value, high_value
FROM (
	SELECT a.attnum AS ord,
	       a.attname::varchar AS column_name,
	       (CASE WHEN ty.typlen < 0 AND ty.oid <> ` + strconv.Itoa(pgtype.NumericOID) + `
	             THEN s.avg_width * t.row_count * (1 - s.null_frac) END)::float8 AS data_size,
	       (CASE WHEN s.n_distinct >= 0 THEN s.n_distinct ELSE -s.n_distinct * t.row_count END)::float8 AS distinct_values_count,
	       s.null_frac::float8 AS nulls_fraction,
	       NULL::float8 AS row_count,
	       (CASE WHEN ty.typcategory IN ('N', 'D') THEN (s.histogram_bounds::text::text[])[1] END)::varchar AS low_value,
	       (CASE WHEN ty.typcategory IN ('N', 'D')
	             THEN (s.histogram_bounds::text::text[])[cardinality(s.histogram_bounds::text::text[])] END)::varchar AS high_value
	FROM t
	JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
	JOIN pg_type ty ON ty.oid = a.atttypid
	LEFT JOIN pg_stats s ON s.schemaname = t.nspname AND s.tablename = t.relname
	                    AND s.attname = a.attname AND s.inherited = t.inherited
	UNION ALL
	SELECT 32767, NULL, NULL, NULL, NULL, t.row_count, NULL, NULL FROM t
) stats
ORDER BY ord`
}
