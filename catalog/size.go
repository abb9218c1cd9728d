package catalog

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// sizeHelp tells the user what ParseSize accepts; every size error ends with
// it so the fix is in the message.
const sizeHelp = `write a whole number of bytes or a number with a unit: ` +
	`B, KiB, MiB, GiB, TiB, PiB (powers of 1024) or KB, MB, GB, TB, PB (powers of 1000), e.g. "1.5 GiB"`

// sizeUnit returns the multiplier of a unit suffix, compared
// case-insensitively. The empty suffix means bytes. EiB and EB are accepted
// too, so that everything FormatBytes prints parses back.
func sizeUnit(unit string) (int64, bool) {
	switch strings.ToLower(unit) {
	case "", "b":
		return 1, true
	case "kib":
		return 1 << 10, true
	case "mib":
		return 1 << 20, true
	case "gib":
		return 1 << 30, true
	case "tib":
		return 1 << 40, true
	case "pib":
		return 1 << 50, true
	case "eib":
		return 1 << 60, true
	case "kb":
		return 1e3, true
	case "mb":
		return 1e6, true
	case "gb":
		return 1e9, true
	case "tb":
		return 1e12, true
	case "pb":
		return 1e15, true
	case "eb":
		return 1e18, true
	}
	return 0, false
}

// ParseSize reads a byte count written for people, because catalog and
// config files hold sizes copied from engine UIs and docs rather than exact
// byte counts. It accepts a plain integer ("16384") or a decimal number
// followed by an optional space and a case-insensitive unit: B, KiB, MiB,
// GiB, TiB, PiB (powers of 1024) or KB, MB, GB, TB, PB (powers of 1000), as
// in "16KiB", "1.5 GiB" or "46.5 TB". Fractions are rounded to the nearest
// byte; a fraction of a plain byte count is an error, and so are negative
// sizes and sizes that do not fit in an int64.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty size; %s", sizeHelp)
	}
	if t[0] == '-' {
		return 0, fmt.Errorf("invalid size %q: sizes cannot be negative; %s", s, sizeHelp)
	}
	end := 0
	for end < len(t) && (isDigit(t[end]) || t[end] == '.') {
		end++
	}
	num, unit := t[:end], strings.TrimSpace(t[end:])
	whole, frac, hasDot := strings.Cut(num, ".")
	if whole == "" || (hasDot && frac == "") || strings.Contains(frac, ".") {
		return 0, fmt.Errorf("invalid size %q: it does not start with a number like 16 or 1.5; %s", s, sizeHelp)
	}
	mult, ok := sizeUnit(unit)
	if !ok {
		return 0, fmt.Errorf("invalid size %q: unknown unit %q; %s", s, unit, sizeHelp)
	}
	if !hasDot {
		// The common case needs no big arithmetic.
		n, err := strconv.ParseInt(whole, 10, 64)
		if err == nil && n <= (1<<63-1)/mult {
			return n * mult, nil
		}
		return 0, fmt.Errorf("invalid size %q: too large, the limit is %s", s, FormatBytes(1<<63-1))
	}
	if mult == 1 {
		return 0, fmt.Errorf("invalid size %q: a byte count cannot have a fraction; use a whole number or a larger unit such as KiB", s)
	}
	// value = (whole.frac) * mult, rounded half up:
	// (digits*mult*2 + den) / (2*den) where den = 10^len(frac).
	digits, ok := new(big.Int).SetString(whole+frac, 10)
	if !ok {
		return 0, fmt.Errorf("invalid size %q; %s", s, sizeHelp)
	}
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(frac))), nil)
	v := new(big.Int).Mul(digits, big.NewInt(2*mult))
	v.Add(v, den)
	v.Quo(v, new(big.Int).Mul(den, big.NewInt(2)))
	if !v.IsInt64() {
		return 0, fmt.Errorf("invalid size %q: too large, the limit is %s", s, FormatBytes(1<<63-1))
	}
	return v.Int64(), nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// FormatBytes renders a byte count for people reading logs, plans and error
// messages, where "43.3 TiB" is read at a glance and 47609620480000 is not.
// It uses binary units (KiB, MiB, ...). Values below 10 of their unit get
// one decimal ("1.2 GiB"), larger ones none ("16 KiB", "512 B"), and exact
// multiples of the unit print without a decimal ("1 GiB"). The result parses
// back with ParseSize, give or take the rounding.
func FormatBytes(n int64) string {
	if n < 0 {
		// uint64 conversion of the negation is right even for MinInt64.
		return "-" + formatBytes(uint64(-n))
	}
	return formatBytes(uint64(n))
}

func formatBytes(u uint64) string {
	binaryUnits := [...]string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	if u < 1024 {
		return fmt.Sprintf("%d B", u)
	}
	i, div := 0, uint64(1024)
	for i < len(binaryUnits)-1 && u >= div*1024 {
		div *= 1024
		i++
	}
	if u%div == 0 {
		return fmt.Sprintf("%d %s", u/div, binaryUnits[i])
	}
	v := float64(u) / float64(div)
	if v >= 1023.5 && i < len(binaryUnits)-1 {
		// Would print as "1024 MiB"; say "1.0 GiB" instead.
		v /= 1024
		i++
	}
	if v < 9.95 {
		return fmt.Sprintf("%.1f %s", v, binaryUnits[i])
	}
	return fmt.Sprintf("%.0f %s", v, binaryUnits[i])
}
