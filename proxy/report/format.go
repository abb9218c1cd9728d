package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The figures of a report are shown in tables, CSV, JSON and the
// dashboard; formatting them in one place keeps a saving the same number of
// cents wherever it is read.

// Money writes an amount for people: two decimals, thousands grouped,
// halves rounded up as people round money (65.625 is 65.63).
func Money(v float64) string {
	s := strconv.FormatFloat(math.Round(v*100)/100, 'f', 2, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	return sign + groupThousands(whole) + "." + frac
}

// Percent writes part as a share of whole for people, with one decimal;
// "0%" when whole is not positive.
func Percent(part, whole int64) string {
	if whole <= 0 {
		return "0%"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(whole))
}

// RawMoney writes an amount for machines: no grouping, and rounded to
// millionths so that float sums print as 0.3, not 0.30000000000000004.
func RawMoney(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
}

// Count writes a count for people, thousands grouped.
func Count(n int64) string {
	if n < 0 {
		return "-" + groupThousands(strconv.FormatInt(-n, 10))
	}
	return groupThousands(strconv.FormatInt(n, 10))
}

// groupThousands puts a comma before every third digit from the right of a
// run of ASCII digits.
func groupThousands(digits string) string {
	var b strings.Builder
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}
