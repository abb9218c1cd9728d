package report

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func sumOf(xs ...float64) float64 {
	var s exactSum
	for _, x := range xs {
		s.add(x)
	}
	return s.value()
}

// bigSum is the exact sum of xs rounded to the nearest float64, ties to
// even: 4096 bits hold any sum of float64s exactly.
func bigSum(xs []float64) float64 {
	sum := new(big.Float).SetPrec(4096)
	for _, x := range xs {
		sum.Add(sum, new(big.Float).SetPrec(4096).SetFloat64(x))
	}
	f, _ := sum.Float64()
	return f
}

func TestExactSum(t *testing.T) {
	var growing []float64
	for i := range 1000 {
		growing = append(growing, math.Pow(1.7, float64(i+1))-math.Pow(1.7, float64(i)))
	}
	growing = append(growing, -math.Pow(1.7, 1000))
	tests := []struct {
		name  string
		terms []float64
		want  float64
	}{
		{"nothing", nil, 0},
		{"one", []float64{6.25}, 6.25},
		// Plain addition makes 0.6000000000000001.
		{"tenths", []float64{0.1, 0.2, 0.3}, 0.6},
		{"cancellation", []float64{1e100, 1, -1e100}, 1},
		{"many partials", growing, bigSum(growing)},
		// Halfway cases, where the partials below the top two decide.
		{"halfway down", []float64{1 << 53, -0.5, -math.Ldexp(1, -54)}, 1<<53 - 1},
		{"halfway up", []float64{1 << 53, 1, math.Ldexp(1, -100)}, 1<<53 + 2},
		{"halfway up past even", []float64{1<<53 + 10, 1, math.Ldexp(1, -100)}, 1<<53 + 12},
		{"halfway from below", []float64{1<<53 - 4, 0.5, math.Ldexp(1, -54)}, 1<<53 - 3},
		{"infinite", []float64{1, math.Inf(1), 2}, math.Inf(1)},
		{"overflow", []float64{math.MaxFloat64, math.MaxFloat64}, math.Inf(1)},
	}
	for _, tt := range tests {
		if got := sumOf(tt.terms...); got != tt.want {
			t.Errorf("%s: sum %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := sumOf(math.Inf(1), 1, math.Inf(-1)); !math.IsNaN(got) {
		t.Errorf("+Inf and -Inf sum to %v, want NaN", got)
	}
}

// TestExactSumOrder checks that the sum is the correctly rounded exact sum
// whatever the order of the terms and however they are split and merged.
func TestExactSumOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 500 {
		terms := make([]float64, 1+rng.IntN(60))
		for i := range terms {
			switch rng.IntN(3) {
			case 0: // money at a price per TiB
				terms[i] = float64(rng.Int64N(1<<44)) / (1 << 40) * 6.25
			case 1: // any magnitude and sign
				terms[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
			default: // cents
				terms[i] = float64(rng.IntN(100000)) / 100
			}
		}
		want := bigSum(terms)
		if got := sumOf(terms...); got != want {
			t.Fatalf("round %d: sum %v, want %v", round, got, want)
		}
		rng.Shuffle(len(terms), func(i, j int) { terms[i], terms[j] = terms[j], terms[i] })
		cut := rng.IntN(len(terms) + 1)
		var a, b exactSum
		for _, x := range terms[:cut] {
			a.add(x)
		}
		for _, x := range terms[cut:] {
			b.add(x)
		}
		a.merge(&b)
		if got := a.value(); got != want {
			t.Fatalf("round %d: shuffled, split at %d and merged: sum %v, want %v", round, cut, got, want)
		}
	}
}
