package catalog

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"512", 512},
		{" 46493700000000 ", 46493700000000},
		{"512 B", 512},
		{"512b", 512},
		{"16KiB", 16384},
		{"16 kib", 16384},
		{"16KIB", 16384},
		{"1MiB", 1 << 20},
		{"1.5 GiB", 3 << 29},
		{"1.5GiB", 3 << 29},
		{"43TiB", 43 << 40},
		{"2 PiB", 2 << 50},
		{"1 EiB", 1 << 60},
		{"200KB", 200_000},
		{"200 kb", 200_000},
		{"12GB", 12_000_000_000},
		{"1.5 TB", 1_500_000_000_000},
		{"46.4937 TB", 46_493_700_000_000},
		{"1 PB", 1e15},
		{"2 MB", 2e6},
		{"1.1 PB", 1_100_000_000_000_000},
		{"0.5 KiB", 512},
		{"0.0001 KiB", 0}, // 0.1024 bytes rounds down
		{"0.0005 KiB", 1}, // 0.512 bytes rounds up
		{"7.99 EiB", 9211842821808707338},
		{"9223372036854775807", math.MaxInt64},
		{"00012", 12},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSizeErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "empty size"},
		{"  ", "empty size"},
		{"-1", "sizes cannot be negative"},
		{"-1 KiB", "sizes cannot be negative"},
		{"12 XB", `unknown unit "XB"`},
		{"12 K", `unknown unit "K"`},
		{"12 bytes", `unknown unit "bytes"`},
		{"GiB", "does not start with a number"},
		{".5 GiB", "does not start with a number"},
		{"1. GiB", "does not start with a number"},
		{"1.2.3 GiB", "does not start with a number"},
		{"1e9", `unknown unit "e9"`},
		{"1,000", `unknown unit ",000"`},
		{"1.5", "a byte count cannot have a fraction"},
		{"1.5 B", "a byte count cannot have a fraction"},
		{"9223372036854775808", "too large"},
		{"8 EiB", "too large"},
		{"8589934592 GiB", "too large"},
		{"9999999999999999999999999.5 KiB", "too large"},
	}
	for _, tt := range tests {
		_, err := ParseSize(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSize(%q) error = %v; want one containing %q", tt.in, err, tt.want)
			continue
		}
		// Every message says what would be valid, except for the
		// ones that already say how to fix the number.
		if !strings.Contains(err.Error(), "KiB") && !strings.Contains(err.Error(), "limit") {
			t.Errorf("ParseSize(%q) error %q does not list the valid units", tt.in, err)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"},
		{512, "512 B"},
		{1023, "1023 B"},
		{1024, "1 KiB"},
		{1536, "1.5 KiB"},
		{16384, "16 KiB"},
		{10*1024 + 600, "11 KiB"},
		{9*1024 + 1000, "10 KiB"}, // 9.98 KiB: no "10.0 KiB"
		{1<<20 - 1, "1.0 MiB"},    // not "1024 KiB"
		{1288490189, "1.2 GiB"},   // 1.2 GiB
		{3 << 29, "1.5 GiB"},
		{1 << 30, "1 GiB"},
		{47_609_620_480_000, "43 TiB"},
		{44_555_606_053_050, "41 TiB"},
		{2 << 50, "2 PiB"},
		{math.MaxInt64, "8.0 EiB"},
		{-1536, "-1.5 KiB"},
		{math.MinInt64, "-8 EiB"},
	}
	for _, tt := range tests {
		if got := FormatBytes(tt.in); got != tt.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "512", "16KiB", "1.5 GiB", "12GB", "-1", "1.", "8 EiB", "9223372036854775807", "7.99 eib"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("ParseSize(%q) = %d, negative", s, n)
		}
		// Plain byte counts parse back exactly.
		if m, err := ParseSize(strconv.FormatInt(n, 10)); err != nil || m != n {
			t.Fatalf("ParseSize(%d) = %d, %v", n, m, err)
		}
		// FormatBytes rounds to two or three significant digits and its
		// output parses back to within that rounding.
		h := FormatBytes(n)
		m, err := ParseSize(h)
		if err != nil {
			if n > math.MaxInt64/100*99 {
				return // "8.0 EiB" rounds up past the limit
			}
			t.Fatalf("ParseSize(FormatBytes(%d) = %q): %v", n, h, err)
		}
		if diff := math.Abs(float64(m) - float64(n)); diff > float64(n)/20+1 {
			t.Fatalf("ParseSize(FormatBytes(%d) = %q) = %d, off by %.0f", n, h, m, diff)
		}
	})
}
