package trinoserver

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/skimdata/skim/test/pgvalue"
)

// column is a result column as Trino describes it. trino-go-client decodes
// values by Type; TypeSignature is there because Trino sends it and other
// clients read it.
type column struct {
	Name          string        `json:"name"`
	Type          string        `json:"type"`
	TypeSignature typeSignature `json:"typeSignature"`
}

type typeSignature struct {
	RawType   string         `json:"rawType"`
	Arguments []typeArgument `json:"arguments"`
}

// typeArgument is a LONG (a number: length, precision) or a TYPE (a nested
// type signature: an array's element).
type typeArgument struct {
	Kind  string `json:"kind"`
	Value any    `json:"value"`
}

// trinoType is the Trino type a PostgreSQL column is shown as, with the
// conversion of its decoded values to the JSON Trino sends.
type trinoType struct {
	name      string
	signature typeSignature
	// convert maps a value pgx decoded (never nil) to its JSON form.
	convert func(v any) (any, error)
	// rawJSON marks json and jsonb, whose text is sent as it is rather than
	// decoded and encoded again.
	rawJSON bool
}

// maxVarcharLength is how Trino spells an unbounded varchar's length.
const maxVarcharLength = math.MaxInt32

// PostgreSQL timestamps have microseconds, so Trino's precision 6.
const (
	timestampLayout = "2006-01-02 15:04:05.000000"
	dateLayout      = "2006-01-02"
)

func simpleType(name string, convert func(any) (any, error)) trinoType {
	return trinoType{name: name, signature: typeSignature{RawType: name, Arguments: []typeArgument{}}, convert: convert}
}

func longArgs(values ...int64) []typeArgument {
	args := make([]typeArgument, len(values))
	for i, v := range values {
		args[i] = typeArgument{Kind: "LONG", Value: v}
	}
	return args
}

// typeOf maps a PostgreSQL type (OID and type modifier, as in a row
// description) to the Trino type its values are shown as. Types without a
// Trino counterpart are shown as varchar holding PostgreSQL's text.
func typeOf(m *pgtype.Map, oid uint32, typmod int32) trinoType {
	switch oid {
	case pgtype.Int8OID, pgtype.OIDOID:
		return simpleType("bigint", same)
	case pgtype.Int4OID:
		return simpleType("integer", same)
	case pgtype.Int2OID:
		return simpleType("smallint", same)
	case pgtype.Float8OID:
		return simpleType("double", floatJSON)
	case pgtype.Float4OID:
		return simpleType("real", floatJSON)
	case pgtype.NumericOID:
		if typmod >= 4 {
			precision, scale := int64((typmod-4)>>16&0xffff), int64((typmod-4)&0xffff)
			if precision <= 38 {
				return trinoType{
					name:      fmt.Sprintf("decimal(%d,%d)", precision, scale),
					signature: typeSignature{RawType: "decimal", Arguments: longArgs(precision, scale)},
					convert:   func(v any) (any, error) { return decimalJSON(v, int(scale)) },
				}
			}
		}
		// Unconstrained numeric is what PostgreSQL's avg() and sum(bigint)
		// return, where Trino returns double and bigint: double keeps such
		// results numbers for the client.
		return simpleType("double", numericAsDouble)
	case pgtype.TextOID, pgtype.NameOID:
		return varcharType(-1)
	case pgtype.VarcharOID:
		return varcharType(typmod - 4)
	case pgtype.BPCharOID:
		if typmod >= 5 {
			return trinoType{
				name:      fmt.Sprintf("char(%d)", typmod-4),
				signature: typeSignature{RawType: "char", Arguments: longArgs(int64(typmod - 4))},
				convert:   pgvalue.Text,
			}
		}
		return varcharType(-1)
	case pgtype.BoolOID:
		return simpleType("boolean", same)
	case pgtype.DateOID:
		return simpleType("date", dateJSON)
	case pgtype.TimestampOID:
		return trinoType{
			name:      "timestamp(6)",
			signature: typeSignature{RawType: "timestamp", Arguments: longArgs(6)},
			convert:   timestampJSON,
		}
	case pgtype.TimestamptzOID:
		return trinoType{
			name:      "timestamp(6) with time zone",
			signature: typeSignature{RawType: "timestamp with time zone", Arguments: longArgs(6)},
			convert:   timestamptzJSON,
		}
	case pgtype.JSONOID, pgtype.JSONBOID:
		t := simpleType("json", jsonText)
		t.rawJSON = true
		return t
	case pgtype.ByteaOID:
		return simpleType("varbinary", bytesJSON)
	case pgtype.UUIDOID:
		return simpleType("uuid", pgvalue.Text)
	}
	if dt, ok := m.TypeForOID(oid); ok {
		if ac, ok := dt.Codec.(*pgtype.ArrayCodec); ok && ac.ElementType != nil {
			elem := typeOf(m, ac.ElementType.OID, -1)
			return trinoType{
				name:      "array(" + elem.name + ")",
				signature: typeSignature{RawType: "array", Arguments: []typeArgument{{Kind: "TYPE", Value: elem.signature}}},
				convert:   pgvalue.Array(elem.convert),
			}
		}
	}
	return varcharType(-1)
}

func varcharType(length int32) trinoType {
	if length < 0 {
		return trinoType{
			name:      "varchar",
			signature: typeSignature{RawType: "varchar", Arguments: longArgs(maxVarcharLength)},
			convert:   pgvalue.Text,
		}
	}
	return trinoType{
		name:      fmt.Sprintf("varchar(%d)", length),
		signature: typeSignature{RawType: "varchar", Arguments: longArgs(int64(length))},
		convert:   pgvalue.Text,
	}
}

// value decodes one raw column value of a row and converts it.
func (t trinoType) value(m *pgtype.Map, fd pgconn.FieldDescription, raw []byte) (any, error) {
	if raw == nil {
		return nil, nil
	}
	if t.rawJSON {
		if fd.DataTypeOID == pgtype.JSONBOID && fd.Format == pgtype.BinaryFormatCode && len(raw) > 0 {
			raw = raw[1:] // jsonb's binary form is a version byte and the text
		}
		return string(raw), nil
	}
	dt, ok := m.TypeForOID(fd.DataTypeOID)
	if !ok {
		// pgx asks for unknown types in text format.
		return string(raw), nil
	}
	v, err := dt.Codec.DecodeValue(m, fd.DataTypeOID, fd.Format, raw)
	if err != nil {
		return nil, fmt.Errorf("decode column %s: %w", fd.Name, err)
	}
	if v == nil {
		return nil, nil
	}
	return t.convert(v)
}

func same(v any) (any, error) { return v, nil }

// floatJSON sends NaN and infinities as the strings Trino uses, since JSON
// has no numbers for them.
func floatJSON(v any) (any, error) {
	f, ok := pgvalue.Float(v)
	if !ok {
		return nil, fmt.Errorf("unexpected %T for a floating-point column", v)
	}
	if s, ok := pgvalue.NonFinite(f); ok {
		return s, nil
	}
	return v, nil
}

func numericAsDouble(v any) (any, error) {
	n, ok := v.(pgtype.Numeric)
	if !ok {
		return nil, fmt.Errorf("unexpected %T for a numeric column", v)
	}
	switch {
	case n.NaN:
		return "NaN", nil
	case n.InfinityModifier == pgtype.Infinity:
		return "Infinity", nil
	case n.InfinityModifier == pgtype.NegativeInfinity:
		return "-Infinity", nil
	}
	f, err := n.Float64Value()
	if err != nil {
		return nil, err
	}
	return f.Float64, nil
}

// decimalJSON writes a numeric with exactly scale fractional digits, as
// Trino writes decimal(p,s) values: a string, so no digit is lost.
func decimalJSON(v any, scale int) (any, error) {
	n, ok := v.(pgtype.Numeric)
	if !ok {
		return nil, fmt.Errorf("unexpected %T for a numeric column", v)
	}
	if n.NaN || n.InfinityModifier != pgtype.Finite {
		return nil, fmt.Errorf("decimal columns cannot hold NaN or infinity")
	}
	u := new(big.Int)
	if n.Int != nil {
		u.Set(n.Int)
	}
	// u × 10^Exp as an integer count of 10^-scale units.
	shift := int(n.Exp) + scale
	if shift > 0 {
		u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(shift)), nil))
	} else if shift < 0 {
		div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-shift)), nil)
		q, r := new(big.Int).QuoRem(u, div, new(big.Int))
		if r.Abs(r).Lsh(r, 1).Cmp(div) >= 0 { // round half away from zero
			q.Add(q, big.NewInt(int64(u.Sign())))
		}
		u = q
	}
	sign := ""
	if u.Sign() < 0 {
		sign = "-"
		u.Neg(u)
	}
	digits := u.String()
	if scale == 0 {
		return sign + digits, nil
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:], nil
}

func dateJSON(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return x.Format(dateLayout), nil
	case pgtype.InfinityModifier:
		return x.String(), nil
	}
	return nil, fmt.Errorf("unexpected %T for a date column", v)
}

func timestampJSON(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return x.Format(timestampLayout), nil
	case pgtype.InfinityModifier:
		return x.String(), nil
	}
	return nil, fmt.Errorf("unexpected %T for a timestamp column", v)
}

func timestamptzJSON(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(timestampLayout) + " UTC", nil
	case pgtype.InfinityModifier:
		return x.String(), nil
	}
	return nil, fmt.Errorf("unexpected %T for a timestamp with time zone column", v)
}

// jsonText re-encodes a json array element, which pgx decodes.
func jsonText(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func bytesJSON(v any) (any, error) {
	b, ok := v.([]byte)
	if !ok {
		return nil, fmt.Errorf("unexpected %T for a bytea column", v)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}
