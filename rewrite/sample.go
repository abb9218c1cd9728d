package rewrite

import (
	"math"
	"strconv"
)

// systemFraction returns the smallest fraction p of units to keep so that a
// SYSTEM sample returns at least n of rows rows, spread evenly over units
// units, with probability at least 1-eps. ok is false when no fraction below
// 1 achieves that.
//
// The number of units kept is K ~ Binomial(units, p). Each unit holds about
// r = rows/units rows, so the sample is short when K < k = ceil(n/r). For
// k = 1 the exact chance is (1-p)^units. For k > 1 the Chernoff bound
// P(K < k) <= exp(-mu) * (e*mu/(k-1))^(k-1), for mu = units*p > k-1, gives a
// mu that is always enough; it is found by bisection.
func systemFraction(units, rows, n int64, eps float64) (p float64, ok bool) {
	if units <= 0 || rows <= 0 || n <= 0 || n >= rows {
		return 1, false
	}
	perUnit := float64(rows) / float64(units)
	k := math.Ceil(float64(n) / perUnit)
	if k > float64(units) {
		return 1, false
	}
	if k <= 1 {
		// The nudge keeps rounding from landing a hair above eps.
		p = (1 - math.Pow(eps, 1/float64(units))) * (1 + 1e-9)
		return p, p < 1
	}
	// logBound is log P(K < k) for K ~ Poisson-like with mean mu.
	logBound := func(mu float64) float64 {
		m := k - 1
		return -mu + m*(1+math.Log(mu)-math.Log(m))
	}
	target := math.Log(eps)
	lo, hi := k-1, float64(units)
	if logBound(hi) > target {
		return 1, false
	}
	for i := 0; i < 60 && hi-lo > 1e-9*hi; i++ {
		mid := (lo + hi) / 2
		if logBound(mid) <= target {
			hi = mid
		} else {
			lo = mid
		}
	}
	p = hi / float64(units)
	return p, p < 1
}

// roundPercent rounds a sample percentage up to two significant digits, so
// the statement reads 0.11 rather than 0.10837..., and never below what the
// sizing asked for.
func roundPercent(pct float64) float64 {
	if pct <= 0 {
		return 0
	}
	scale := math.Pow(10, 1-math.Floor(math.Log10(pct)))
	r := math.Ceil(pct*scale-1e-9) / scale
	return math.Min(r, 100)
}

// formatPercent prints a percentage without trailing zeros.
func formatPercent(pct float64) string {
	return strconv.FormatFloat(pct, 'f', -1, 64)
}

// ceilDiv is ceil(a/b) for positive b.
func ceilDiv(a, b int64) int64 {
	return (a + b - 1) / b
}
