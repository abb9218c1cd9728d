package rewrite

import (
	"math"
	"testing"
)

// binomialShortfall is the exact P(K < k) for K ~ Binomial(units, p).
func binomialShortfall(units int64, p float64, k int64) float64 {
	sum := 0.0
	for i := int64(0); i < k; i++ {
		lg, _ := math.Lgamma(float64(units + 1))
		li, _ := math.Lgamma(float64(i + 1))
		lr, _ := math.Lgamma(float64(units - i + 1))
		sum += math.Exp(lg - li - lr + float64(i)*math.Log(p) + float64(units-i)*math.Log1p(-p))
	}
	return sum
}

func TestSystemFraction(t *testing.T) {
	tests := []struct {
		name             string
		units, rows, n   int64
		wantOK           bool
		maxP, minUnitsKp float64
	}{
		{"one unit holds n rows", 13500, 120e9, 1000, true, 0.0011, 13},
		{"n needs many units", 1000, 10e6, 100000, true, 0.2, 0},
		{"few units", 20, 20e6, 1000, true, 0.51, 0},
		{"single unit needs almost all of it", 1, 1e9, 10, true, 1, 0.99},
		{"asks for every row", 100, 1000, 1000, false, 1, 0},
		{"no rows", 100, 0, 10, false, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := systemFraction(tt.units, tt.rows, tt.n, 1e-6)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v (p = %g), want %v", ok, p, tt.wantOK)
			}
			if !ok {
				return
			}
			if p > tt.maxP {
				t.Errorf("p = %g, want at most %g", p, tt.maxP)
			}
			if got := p * float64(tt.units); got < tt.minUnitsKp {
				t.Errorf("expected units kept = %g, want at least %g", got, tt.minUnitsKp)
			}
			perUnit := float64(tt.rows) / float64(tt.units)
			k := int64(math.Ceil(float64(tt.n) / perUnit))
			if short := binomialShortfall(tt.units, p, k); short > 1e-6 {
				t.Errorf("exact shortfall chance %g exceeds 1e-6 at p = %g", short, p)
			}
		})
	}
}

func TestRoundPercent(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{0.10837, 0.11}, {0.1, 0.1}, {13.8, 14}, {1.234, 1.3}, {99.5, 100}, {0.0012345, 0.0013},
	}
	for _, tt := range tests {
		if got := roundPercent(tt.in); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("roundPercent(%g) = %g, want %g", tt.in, got, tt.want)
		}
		if got := roundPercent(tt.in); got < tt.in {
			t.Errorf("roundPercent(%g) = %g rounds down", tt.in, got)
		}
	}
}
