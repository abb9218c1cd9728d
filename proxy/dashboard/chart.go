package dashboard

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/proxy/report"
)

// chart is the geometry of the daily savings chart, computed here so that
// the page is an inline SVG with no script: bars for the bytes saved each
// day against the left axis, a line for the money saved against the right.
type chart struct {
	Width, Height            int
	Left, Right, Top, Bottom string
	// BytesAxisX and MoneyAxisX place the axes' labels, LabelY the days'.
	BytesAxisX, MoneyAxisX, LabelY string
	Bars                           []bar
	Grid                           []gridLine
	Labels                         []xLabel
	// HasMoney is false when nothing was priced; the line is left out.
	HasMoney  bool
	MoneyLine string
	Dots      []dot
}

type bar struct {
	Day        string
	X, Y, W, H string
	BytesSaved int64
	MoneySaved string
	Title      string
}

type dot struct {
	Day        string
	X, Y       string
	MoneySaved string
}

type gridLine struct {
	Y            string
	BytesLabel   string
	MoneyLabel   string
	LabelOffsetY string
}

type xLabel struct {
	X, Text string
}

// Chart layout in SVG user units; the SVG scales to the page's width.
const (
	chartWidth   = 1160
	chartHeight  = 300
	chartLeft    = 80.0
	chartRight   = 80.0
	chartTop     = 16.0
	chartBottom  = 34.0
	chartTicks   = 4
	maxDayLabels = 10
)

// buildChart lays out the daily series.
func buildChart(days []report.Group) chart {
	c := chart{Width: chartWidth, Height: chartHeight}
	left, right := chartLeft, float64(chartWidth)-chartRight
	top, bottom := chartTop, float64(chartHeight)-chartBottom
	c.Left, c.Right, c.Top, c.Bottom = num(left), num(right), num(top), num(bottom)
	c.BytesAxisX, c.MoneyAxisX = num(left-8), num(right+8)
	c.LabelY = num(bottom + 20)

	var maxBytes int64
	var maxMoney float64
	for _, d := range days {
		maxBytes = max(maxBytes, d.BytesSaved)
		maxMoney = max(maxMoney, d.MoneySaved)
	}
	bytesTop := niceBytes(maxBytes)
	moneyTop := niceCeil(maxMoney)
	c.HasMoney = maxMoney > 0
	for k := 0; k <= chartTicks; k++ {
		frac := float64(k) / chartTicks
		y := bottom - frac*(bottom-top)
		g := gridLine{Y: num(y), LabelOffsetY: num(y + 4), BytesLabel: catalog.FormatBytes(int64(math.Round(frac * float64(bytesTop))))}
		if c.HasMoney {
			g.MoneyLabel = report.Money(frac * moneyTop)
		}
		c.Grid = append(c.Grid, g)
	}
	if len(days) == 0 {
		return c
	}
	slot := (right - left) / float64(len(days))
	barW := slot * 0.7
	step := (len(days) + maxDayLabels - 1) / maxDayLabels
	var points []string
	for i, d := range days {
		x := left + float64(i)*slot
		h := float64(d.BytesSaved) / float64(bytesTop) * (bottom - top)
		c.Bars = append(c.Bars, bar{
			Day: d.Key, X: num(x + (slot-barW)/2), Y: num(bottom - h), W: num(barW), H: num(h),
			BytesSaved: d.BytesSaved, MoneySaved: report.RawMoney(d.MoneySaved),
			Title: fmt.Sprintf("%s: %s and %s saved, %d of %d statements rewritten", d.Key, catalog.FormatBytes(d.BytesSaved), report.Money(d.MoneySaved), d.Rewritten, d.Statements),
		})
		cx := x + slot/2
		if c.HasMoney {
			cy := bottom - d.MoneySaved/moneyTop*(bottom-top)
			points = append(points, num(cx)+","+num(cy))
			c.Dots = append(c.Dots, dot{Day: d.Key, X: num(cx), Y: num(cy), MoneySaved: report.RawMoney(d.MoneySaved)})
		}
		// Label every step-th day counting back from the last, so that
		// today always has its label.
		if (len(days)-1-i)%step == 0 {
			text := d.Key
			if t, err := time.Parse(report.DayLayout, d.Key); err == nil {
				text = t.Format("Jan 2")
			}
			c.Labels = append(c.Labels, xLabel{X: num(cx), Text: text})
		}
	}
	c.MoneyLine = strings.Join(points, " ")
	return c
}

// niceBytes rounds a byte count up to a round figure in its binary unit
// (25 GiB, 200 TiB), so that the axis reads in round numbers.
func niceBytes(n int64) int64 {
	if n <= 0 {
		return 1 << 30
	}
	unit := int64(1)
	for unit <= math.MaxInt64/1024 && n >= unit*1024 {
		unit *= 1024
	}
	v := niceCeil(float64(n) / float64(unit))
	if v*float64(unit) >= math.MaxInt64 {
		return n
	}
	return int64(v * float64(unit))
}

// niceCeil rounds v up to 1, 2, 2.5, 4 or 5 times a power of ten, so that
// quarter ticks come out round; 0 becomes 1.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 4, 5, 10} {
		if v <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// num writes an SVG coordinate or a percentage for the page to one
// decimal, which is finer than a pixel.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}
