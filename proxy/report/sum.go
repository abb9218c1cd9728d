package report

import "math"

// exactSum adds float64s without rounding: it keeps the sum as a few
// non-overlapping partials (Shewchuk's algorithm, as Python's math.fsum)
// and rounds once, correctly, when asked for the value. Plain += rounds at
// every step, so its result depends on the order of the terms; an exact
// sum does not, which lets figures added up in parts (a day at a time, say)
// and merged come out bit for bit as one pass over the records.
//
// Sums beyond the float64 range come out infinite, and any infinite or
// NaN term makes the value infinite or NaN, as plain addition would.
type exactSum struct {
	// partials are non-overlapping and ordered by increasing magnitude;
	// their exact sum is the sum of the finite terms.
	partials []float64
	// special is the plain sum of the terms that are not finite, and of
	// any sum that overflowed; 0 while there are none.
	special float64
}

// add adds x.
func (s *exactSum) add(x float64) {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		s.special += x
		return
	}
	i := 0
	for _, y := range s.partials {
		if math.Abs(x) < math.Abs(y) {
			x, y = y, x
		}
		hi := x + y
		if math.IsInf(hi, 0) {
			// Finite terms whose sum overflows: the sum is infinite
			// whatever comes after, barring terms as large of the
			// other sign, which no figure here has.
			s.special += hi
			s.partials = s.partials[:i]
			return
		}
		// hi+lo is exactly x+y (Knuth's two-sum, given |x| >= |y|).
		lo := y - (hi - x)
		if lo != 0 {
			s.partials[i] = lo
			i++
		}
		x = hi
	}
	s.partials = append(s.partials[:i], x)
}

// merge adds the terms of o.
func (s *exactSum) merge(o *exactSum) {
	for _, p := range o.partials {
		s.add(p)
	}
	if o.special != 0 || math.IsNaN(o.special) {
		s.special += o.special
	}
}

// value returns the sum rounded to the nearest float64, ties to even.
func (s *exactSum) value() float64 {
	if s.special != 0 || math.IsNaN(s.special) {
		return s.special
	}
	p := s.partials
	n := len(p)
	if n == 0 {
		return 0
	}
	// Add the partials from the largest down until a step is inexact;
	// the smaller ones left cannot change the rounding, except to break
	// a tie, which the correction below does.
	n--
	hi := p[n]
	var lo float64
	for n > 0 {
		x := hi
		n--
		y := p[n]
		hi = x + y
		lo = y - (hi - x)
		if lo != 0 {
			break
		}
	}
	// hi+lo is halfway between two floats and the partials below push the
	// sum towards lo's side: round that way rather than to even.
	if n > 0 && ((lo < 0 && p[n-1] < 0) || (lo > 0 && p[n-1] > 0)) {
		y := lo * 2
		x := hi + y
		if y == x-hi {
			hi = x
		}
	}
	return hi
}
