package report

import "testing"

func TestFormatNumbers(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{Count(0), "0"},
		{Count(999), "999"},
		{Count(1000), "1,000"},
		{Count(123456), "123,456"},
		{Count(1234567), "1,234,567"},
		{Count(-1234), "-1,234"},
		{Count(-1234567), "-1,234,567"},
		{Money(0), "0.00"},
		{Money(81.25), "81.25"},
		{Money(999.99), "999.99"},
		{Money(1253.2), "1,253.20"},
		{Money(0.005), "0.01"},
		{Money(65.625), "65.63"},
		{Money(1234567.891), "1,234,567.89"},
		{Money(-1234.5), "-1,234.50"},
		{Money(-0.5), "-0.50"},
		{RawMoney(0.1 + 0.2), "0.3"},
		{RawMoney(1234.5), "1234.5"},
		{RawMoney(1234567.891), "1234567.891"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tt := range []struct {
		part, whole int64
		want        string
	}{
		{1, 3, "33.3%"},
		{3, 3, "100.0%"},
		{1, 0, "0%"},
		{1, -5, "0%"},
	} {
		if got := Percent(tt.part, tt.whole); got != tt.want {
			t.Errorf("Percent(%d, %d) = %q, want %q", tt.part, tt.whole, got, tt.want)
		}
	}
}
