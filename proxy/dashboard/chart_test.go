package dashboard

import (
	"testing"

	"github.com/skimdata/skim/proxy/report"
)

func TestNiceScale(t *testing.T) {
	tests := []struct {
		in   float64
		want float64
	}{
		{0, 1}, {-3, 1}, {0.3, 0.4}, {1, 1}, {1.2, 2}, {2.2, 2.5}, {3, 4}, {4.5, 5}, {7, 10}, {98, 100}, {46.875, 50}, {1234, 2000},
	}
	for _, tt := range tests {
		if got := niceCeil(tt.in); got < tt.want*(1-1e-9) || got > tt.want*(1+1e-9) {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	bytesTests := []struct{ in, want int64 }{
		{0, gib},
		{98 * gib, 100 * gib},
		{15 * tib / 2, 10 * tib},
		{600, 1000},
		{3 * tib, 4 * tib},
	}
	for _, tt := range bytesTests {
		if got := niceBytes(tt.in); got != tt.want {
			t.Errorf("niceBytes(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestBuildChart(t *testing.T) {
	days := []report.Group{
		{Key: "2026-11-20", Totals: report.Totals{BytesSaved: 5 * tib, MoneySaved: 31.25}},
		{Key: "2026-11-21"},
		{Key: "2026-11-22", Totals: report.Totals{BytesSaved: 10 * tib, MoneySaved: 62.5}},
	}
	c := buildChart(days)
	if len(c.Bars) != 3 || len(c.Dots) != 3 || !c.HasMoney {
		t.Fatalf("%d bars, %d dots, money %v", len(c.Bars), len(c.Dots), c.HasMoney)
	}
	// 10 TiB is the axis' top: the tallest bar fills the plot, half of
	// it is half as tall, and a day without savings has no height.
	plot := float64(chartHeight) - chartBottom - chartTop
	if c.Bars[2].H != num(plot) || c.Bars[0].H != num(plot/2) || c.Bars[1].H != "0" {
		t.Errorf("bar heights %s, %s, %s; plot is %v high", c.Bars[0].H, c.Bars[1].H, c.Bars[2].H, plot)
	}
	if c.Grid[len(c.Grid)-1].BytesLabel != "10 TiB" || c.Grid[len(c.Grid)-1].MoneyLabel != "100.00" {
		t.Errorf("top labels %q and %q", c.Grid[len(c.Grid)-1].BytesLabel, c.Grid[len(c.Grid)-1].MoneyLabel)
	}
	if len(c.Labels) != 3 || c.Labels[2].Text != "Nov 22" {
		t.Errorf("day labels %v", c.Labels)
	}
	// With nothing priced there is no money line.
	c = buildChart([]report.Group{{Key: "2026-11-22", Totals: report.Totals{BytesSaved: tib}}})
	if c.HasMoney || len(c.Dots) != 0 || c.Grid[1].MoneyLabel != "" {
		t.Errorf("money line without prices: %+v", c)
	}
	// Thirty days get at most ten labels, the last day always one.
	var month []report.Group
	for d := 1; d <= 30; d++ {
		month = append(month, report.Group{Key: "2026-11-" + pad2(d)})
	}
	c = buildChart(month)
	if len(c.Labels) > maxDayLabels || c.Labels[len(c.Labels)-1].Text != "Nov 30" {
		t.Errorf("%d labels, the last %q", len(c.Labels), c.Labels[len(c.Labels)-1].Text)
	}
	if c = buildChart(nil); len(c.Bars) != 0 || len(c.Grid) != chartTicks+1 {
		t.Errorf("empty chart: %d bars, %d grid lines", len(c.Bars), len(c.Grid))
	}
}

func pad2(n int) string {
	if n < 10 {
		return "0" + itoa(int64(n))
	}
	return itoa(int64(n))
}
