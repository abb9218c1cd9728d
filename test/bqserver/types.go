package bqserver

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/skimdata/skim/test/pgvalue"
)

// field is a column of a BigQuery schema (TableFieldSchema).
type field struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Mode string `json:"mode"`
}

// schema is a BigQuery TableSchema.
type schema struct {
	Fields []field `json:"fields"`
}

// bqType is how the values of a PostgreSQL type appear in BigQuery.
type bqType struct {
	// name is the type as the REST API's schemas spell it (INTEGER, FLOAT,
	// BOOLEAN, STRING, ...).
	name string
	// repeated marks arrays: mode REPEATED, cells hold the elements.
	repeated bool
	// cell converts a value pgx decoded (never nil) to a cell: a string, a
	// timestampCell or, for arrays, a []any of those (or nil).
	cell func(v any) (any, error)
	// rawJSON marks json and jsonb, whose text is sent as PostgreSQL
	// wrote it rather than decoded and encoded again.
	rawJSON bool
}

// mode is the field mode of a column of this type.
func (t bqType) mode(notNull bool) string {
	switch {
	case t.repeated:
		return "REPEATED"
	case notNull:
		return "REQUIRED"
	}
	return "NULLABLE"
}

// timestampCell is a TIMESTAMP value in microseconds since the epoch. It
// is sent as an integer string or as float seconds, as the request's
// formatOptions.useInt64Timestamp asks.
type timestampCell int64

const (
	dateLayout     = "2006-01-02"
	datetimeLayout = "2006-01-02T15:04:05.999999"
)

// typeOf maps a PostgreSQL type to the BigQuery type its values are shown
// as. A numeric of precision above 38 is BIGNUMERIC. fromTable says the
// value is a table column: an unconstrained numeric column is NUMERIC,
// while a computed one (what avg() and sum(bigint) return) is FLOAT,
// which is what BigQuery returns for them.
// Types without a BigQuery counterpart (uuid, interval, ...) are STRING
// holding PostgreSQL's text.
func typeOf(m *pgtype.Map, oid uint32, typmod int32, fromTable bool) bqType {
	switch oid {
	case pgtype.Int8OID, pgtype.Int4OID, pgtype.Int2OID, pgtype.OIDOID:
		return bqType{name: "INTEGER", cell: integerCell}
	case pgtype.Float8OID, pgtype.Float4OID:
		return bqType{name: "FLOAT", cell: floatCell}
	case pgtype.NumericOID:
		switch {
		case typmod >= 4 && (typmod-4)>>16 > 38:
			return bqType{name: "BIGNUMERIC", cell: pgvalue.Text}
		case typmod < 0 && !fromTable:
			return bqType{name: "FLOAT", cell: pgvalue.Text}
		}
		return bqType{name: "NUMERIC", cell: pgvalue.Text}
	case pgtype.BoolOID:
		return bqType{name: "BOOLEAN", cell: boolCell}
	case pgtype.DateOID:
		return bqType{name: "DATE", cell: timeCell(dateLayout)}
	case pgtype.TimestamptzOID:
		return bqType{name: "TIMESTAMP", cell: timestampCellOf}
	case pgtype.TimestampOID:
		return bqType{name: "DATETIME", cell: timeCell(datetimeLayout)}
	case pgtype.TimeOID:
		return bqType{name: "TIME", cell: clockCell}
	case pgtype.ByteaOID:
		return bqType{name: "BYTES", cell: bytesCell}
	case pgtype.JSONOID, pgtype.JSONBOID:
		return bqType{name: "JSON", cell: jsonCell, rawJSON: true}
	}
	if t, ok := m.TypeForOID(oid); ok {
		if ac, ok := t.Codec.(*pgtype.ArrayCodec); ok {
			elem := typeOf(m, ac.ElementType.OID, -1, fromTable)
			return bqType{name: elem.name, repeated: true, cell: pgvalue.Array(elem.cell)}
		}
	}
	return bqType{name: "STRING", cell: pgvalue.Text}
}

func integerCell(v any) (any, error) {
	switch v := v.(type) {
	case int64:
		return strconv.FormatInt(v, 10), nil
	case int32:
		return strconv.FormatInt(int64(v), 10), nil
	case int16:
		return strconv.FormatInt(int64(v), 10), nil
	case uint32:
		return strconv.FormatUint(uint64(v), 10), nil
	}
	return pgvalue.Text(v)
}

// floatCell writes a float as BigQuery does: shortest round-trip digits,
// and NaN, Infinity, -Infinity.
func floatCell(v any) (any, error) {
	f, ok := pgvalue.Float(v)
	if !ok {
		return pgvalue.Text(v)
	}
	if s, ok := pgvalue.NonFinite(f); ok {
		return s, nil
	}
	return strconv.FormatFloat(f, 'g', -1, 64), nil
}

func boolCell(v any) (any, error) {
	if b, ok := v.(bool); ok {
		return strconv.FormatBool(b), nil
	}
	return pgvalue.Text(v)
}

func timeCell(layout string) func(any) (any, error) {
	return func(v any) (any, error) {
		if t, ok := v.(time.Time); ok {
			return t.Format(layout), nil
		}
		return pgvalue.Text(v)
	}
}

func timestampCellOf(v any) (any, error) {
	if t, ok := v.(time.Time); ok {
		return timestampCell(t.UnixMicro()), nil
	}
	return nil, fmt.Errorf("TIMESTAMP value %v has no BigQuery counterpart", v)
}

func clockCell(v any) (any, error) {
	t, ok := v.(pgtype.Time)
	if !ok {
		return pgvalue.Text(v)
	}
	us := t.Microseconds
	s := fmt.Sprintf("%02d:%02d:%02d", us/3_600_000_000, us/60_000_000%60, us/1_000_000%60)
	if frac := us % 1_000_000; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
	}
	return s, nil
}

func bytesCell(v any) (any, error) {
	if b, ok := v.([]byte); ok {
		return base64.StdEncoding.EncodeToString(b), nil
	}
	return pgvalue.Text(v)
}

// jsonCell encodes a decoded JSON value again; only array elements take
// this path, whole json columns keep PostgreSQL's text.
func jsonCell(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode JSON value: %w", err)
	}
	return string(b), nil
}

// cellJSON and rowJSON are the TableCell and TableRow of the REST API.
type cellJSON struct {
	V any `json:"v"`
}

type rowJSON struct {
	F []cellJSON `json:"f"`
}

// renderRows turns stored rows into the JSON the REST API sends.
func renderRows(rows [][]any, int64Timestamps bool) []rowJSON {
	if len(rows) == 0 {
		return nil
	}
	out := make([]rowJSON, len(rows))
	for i, row := range rows {
		cells := make([]cellJSON, len(row))
		for j, c := range row {
			cells[j] = cellJSON{V: renderCell(c, int64Timestamps)}
		}
		out[i] = rowJSON{F: cells}
	}
	return out
}

func renderCell(c any, int64Timestamps bool) any {
	switch c := c.(type) {
	case timestampCell:
		if int64Timestamps {
			return strconv.FormatInt(int64(c), 10)
		}
		return floatSeconds(int64(c))
	case []any:
		elems := make([]cellJSON, len(c))
		for i, e := range c {
			elems[i] = cellJSON{V: renderCell(e, int64Timestamps)}
		}
		return elems
	}
	return c
}

// floatSeconds writes microseconds since the epoch as BigQuery's legacy
// TIMESTAMP format: seconds in Java's double notation, e.g. "1.7646336E9".
func floatSeconds(us int64) string {
	s := strconv.FormatFloat(float64(us)/1e6, 'E', -1, 64)
	mantissa, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mantissa, ".") {
		mantissa += ".0"
	}
	e, _ := strconv.Atoi(exp) // FormatFloat always writes a valid exponent
	return mantissa + "E" + strconv.Itoa(e)
}
