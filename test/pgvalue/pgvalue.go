// Package pgvalue converts the values pgx decodes from PostgreSQL rows
// into what the test servers send for them, where Trino and BigQuery
// agree: PostgreSQL's own text for types they do not have, and arrays
// element by element.
package pgvalue

import (
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"math"
)

// Converter turns a value pgx decoded, never nil, into what a server
// sends for it.
type Converter func(v any) (any, error)

// Text is the Converter to a string as PostgreSQL's text output would
// write it, as far as pgx lets it: strings and byte strings as they are,
// UUIDs in their usual form, numerics, intervals and the other pgtype
// values through their driver values, anything else as fmt prints it.
func Text(v any) (any, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case [16]byte:
		h := hex.EncodeToString(v[:])
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
	case driver.Valuer:
		dv, err := v.Value()
		if err != nil {
			return nil, err
		}
		if s, ok := dv.(string); ok {
			return s, nil
		}
		return fmt.Sprint(dv), nil
	}
	return fmt.Sprint(v), nil
}

// Array returns the Converter of arrays whose elements elem converts;
// NULL elements stay nil.
func Array(elem Converter) Converter {
	return func(v any) (any, error) {
		values, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("unexpected %T for an array", v)
		}
		out := make([]any, len(values))
		for i, e := range values {
			if e == nil {
				continue
			}
			c, err := elem(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
}

// Float reads a float8 or float4 value; ok is false for any other.
func Float(v any) (f float64, ok bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	}
	return 0, false
}

// NonFinite spells NaN and the infinities as Trino and BigQuery both send
// them, as strings, since JSON has no numbers for them; ok is false for a
// finite f.
func NonFinite(f float64) (s string, ok bool) {
	switch {
	case math.IsNaN(f):
		return "NaN", true
	case math.IsInf(f, 1):
		return "Infinity", true
	case math.IsInf(f, -1):
		return "-Infinity", true
	}
	return "", false
}
