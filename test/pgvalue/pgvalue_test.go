package pgvalue

import (
	"errors"
	"math"
	"math/big"
	"net/netip"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

func TestText(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"string", "héllo", "héllo"},
		{"bytes", []byte("raw"), "raw"},
		{"uuid", [16]byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef},
			"12345678-9abc-def0-0123-456789abcdef"},
		{"numeric", pgtype.Numeric{Int: big.NewInt(-12345), Exp: -2, Valid: true}, "-123.45"},
		{"interval", pgtype.Interval{Days: 1, Microseconds: 3_600_000_000, Valid: true}, "1 day 01:00:00"},
		{"inet", netip.MustParsePrefix("10.0.0.0/8"), "10.0.0.0/8"},
		{"integer", int64(42), "42"},
		{"valuer of a number", pgtype.Int8{Int64: 7, Valid: true}, "7"},
	} {
		got, err := Text(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%s: Text(%#v) = %#v, %v; want %q", tc.name, tc.in, got, err, tc.want)
		}
	}
}

func TestArray(t *testing.T) {
	double := func(v any) (any, error) { return v.(int64) * 2, nil }
	got, err := Array(double)([]any{int64(1), nil, int64(3)})
	if want := []any{int64(2), nil, int64(6)}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Array = %v, %v; want %v", got, err, want)
	}
	nested, err := Array(Array(Text))([]any{[]any{"a", nil}, nil})
	if want := []any{[]any{"a", nil}, nil}; err != nil || !reflect.DeepEqual(nested, want) {
		t.Errorf("nested Array = %v, %v; want %v", nested, err, want)
	}
	bad := errors.New("bad element")
	if _, err := Array(func(any) (any, error) { return nil, bad })([]any{1}); !errors.Is(err, bad) {
		t.Errorf("a failing element: %v", err)
	}
	if _, err := Array(Text)("not an array"); err == nil {
		t.Error("a non-array converted")
	}
}

func TestFloat(t *testing.T) {
	for _, tc := range []struct {
		in        any
		f         float64
		ok        bool
		nonFinite string
	}{
		{1.5, 1.5, true, ""},
		{float32(0.25), 0.25, true, ""},
		{math.NaN(), math.NaN(), true, "NaN"},
		{math.Inf(1), math.Inf(1), true, "Infinity"},
		{float32(math.Inf(-1)), math.Inf(-1), true, "-Infinity"},
		{int64(1), 0, false, ""},
		{"1.5", 0, false, ""},
	} {
		f, ok := Float(tc.in)
		if ok != tc.ok || !(f == tc.f || math.IsNaN(f) && math.IsNaN(tc.f)) {
			t.Errorf("Float(%#v) = %v, %v; want %v, %v", tc.in, f, ok, tc.f, tc.ok)
		}
		if !ok {
			continue
		}
		if s, nonFinite := NonFinite(f); s != tc.nonFinite || nonFinite != (tc.nonFinite != "") {
			t.Errorf("NonFinite(%v) = %q, %v; want %q", f, s, nonFinite, tc.nonFinite)
		}
	}
}
