package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Chart geometry, in SVG user units (pixels).
const (
	chartWidth  = 920
	labelRight  = 270 // impl labels end here; the plot starts here
	plotWidth   = 400
	rowPitch    = 26
	barHeight   = 18
	panelTitleH = 34
	axisH       = 52 // tick labels + axis title under a panel
	chartTitleH = 46
)

const (
	colorAio   = "#e8590c"
	colorAioN  = "#f7a66b" // the other aio variants
	colorOther = "#4c6ef5"
	colorInk   = "#212529"
	colorGrid  = "#dee2e6"
)

// scale maps values of one metric to x positions.
type scale struct {
	lo, hi float64
	log    bool
}

// newScale picks a linear scale from 0, or a log scale when the values
// span more than a factor of 30 (a linear one would flatten the small bars).
func newScale(lo, hi float64) scale {
	if hi <= 0 {
		return scale{0, 1, false}
	}
	if lo > 0 && hi/lo > 30 {
		return scale{math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi))), true}
	}
	step := niceStep(hi / 5)
	return scale{0, math.Ceil(hi/step) * step, false}
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// x returns the position of v, clamped to the plot.
func (s scale) x(v float64) float64 {
	var f float64
	if s.log {
		f = (math.Log10(math.Max(v, s.lo)) - math.Log10(s.lo)) / (math.Log10(s.hi) - math.Log10(s.lo))
	} else {
		f = (v - s.lo) / (s.hi - s.lo)
	}
	return labelRight + plotWidth*math.Min(math.Max(f, 0), 1)
}

// ticks returns the values to mark on the axis.
func (s scale) ticks() []float64 {
	var t []float64
	if !s.log {
		step := niceStep(s.hi / 5)
		for v := 0.0; v <= s.hi+step/2; v += step {
			t = append(t, v)
		}
		return t
	}
	decades := math.Log10(s.hi) - math.Log10(s.lo)
	for p := s.lo; p <= s.hi*1.001; p *= 10 {
		t = append(t, p)
		if decades <= 2 && p*10 <= s.hi*1.001 {
			t = append(t, 2*p, 5*p)
		}
	}
	return t
}

// writeSVG draws one chart for workload w: a panel per metric, a bar per
// impl (aio first and highlighted), the median as the bar, the min–max
// spread as a whisker, and aio's ratio against each other impl.
func writeSVG(out io.Writer, v view, w WorkloadSpec) {
	metrics := v.metrics(w)
	type panel struct {
		m    MetricSpec
		rows []Row
	}
	var panels []panel
	height := chartTitleH
	for _, m := range metrics {
		var rows []Row
		for _, im := range v.impls {
			if r, ok := v.row([]string{im}, w.Name, m.Name); ok {
				rows = append(rows, r)
			}
		}
		panels = append(panels, panel{m, rows})
		height += panelTitleH + len(rows)*rowPitch + axisH
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	title := fmt.Sprintf("%s: aio beside each other runtime", w.Name)
	sub := "bar = median"
	if n := v.n(w.Name); n > 0 {
		sub = fmt.Sprintf("N = %s; bar = median", fmtInt(n))
	}
	sub += fmt.Sprintf(" of %d run(s), whisker = min–max; right: aio / impl", v.res.Meta.Runs)
	fmt.Fprintf(&b, "<title>%s</title>\n", esc(title))
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="12" y="20" font-size="15" font-weight="bold">%s</text>`+"\n", esc(title))
	fmt.Fprintf(&b, `<text x="12" y="37" fill="#495057">%s</text>`+"\n", esc(sub))
	y := float64(chartTitleH)
	for _, p := range panels {
		y = drawPanel(&b, v, w, p.m, p.rows, y)
	}
	b.WriteString("</svg>\n")
	io.WriteString(out, b.String())
}

// drawPanel draws one metric's bars starting at y and returns the y below it.
func drawPanel(b *strings.Builder, v view, w WorkloadSpec, m MetricSpec, rows []Row, y float64) float64 {
	lo, hi := math.Inf(1), 0.0
	for _, r := range rows {
		lo, hi = math.Min(lo, r.Min), math.Max(hi, r.Max)
	}
	sc := newScale(lo, hi)
	fmt.Fprintf(b, `<text x="12" y="%.0f" font-size="13" font-weight="bold">%s (%s)</text>`+"\n", y+22, esc(m.Label), esc(m.Name))
	top := y + panelTitleH
	bottom := top + float64(len(rows)*rowPitch)
	for _, t := range sc.ticks() {
		x := sc.x(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="%s"/>`+"\n", x, top-4, x, bottom+4, colorGrid)
		fmt.Fprintf(b, `<text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`+"\n", x, bottom+18, esc(fmtTick(t)))
	}
	fmt.Fprintf(b, `<line x1="%d" y1="%.0f" x2="%d" y2="%.0f" stroke="%s"/>`+"\n", labelRight, bottom+4, labelRight+plotWidth, bottom+4, colorInk)
	fmt.Fprintf(b, `<line x1="%d" y1="%.0f" x2="%d" y2="%.0f" stroke="%s"/>`+"\n", labelRight, top-4, labelRight, bottom+4, colorInk)
	axis := fmt.Sprintf("%s (%s), %s is better", m.Name, m.Unit, m.Better)
	if !m.compared() {
		axis = fmt.Sprintf("%s (%s), context only", m.Name, m.Unit)
	}
	if sc.log {
		axis += ", log scale"
	}
	fmt.Fprintf(b, `<text x="%d" y="%.0f" text-anchor="middle" fill="#495057">%s</text>`+"\n", labelRight+plotWidth/2, bottom+38, esc(axis))
	fmt.Fprintf(b, `<text transform="translate(14 %.0f) rotate(-90)" text-anchor="middle" fill="#495057">impl</text>`+"\n", (top+bottom)/2)
	for i, r := range rows {
		cy := top + float64(i*rowPitch) + rowPitch/2
		color, weight := colorOther, "normal"
		if r.Impl == refImpl {
			color, weight = colorAio, "bold"
		} else if strings.HasPrefix(r.Impl, refImpl+"-") {
			color = colorAioN
		}
		x0, x1 := sc.x(sc.lo), sc.x(r.Value)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end" font-weight="%s">%s</text>`+"\n", labelRight-8, cy+4, weight, esc(v.labels[r.Impl]))
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
			x0, cy-barHeight/2, math.Max(x1-x0, 1), barHeight, color, esc(fmt.Sprintf("%s: median %s %s", v.labels[r.Impl], fmtNum(r.Value), r.Unit)))
		wl, wr := sc.x(r.Min), sc.x(r.Max)
		fmt.Fprintf(b, `<path d="M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f" stroke="%s" fill="none"/>`+"\n",
			wl, cy, wr, wl, cy-4, cy+4, wr, cy-4, cy+4, colorInk)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" font-weight="%s">%s</text>`+"\n",
			labelRight+plotWidth+10, cy+4, weight, esc(fmtNum(r.Value)+" "+r.Unit))
		ratio := "aio (reference)"
		if !m.compared() {
			ratio = ""
		} else if q, ok := v.ratio(r.Impl, w.Name, m.Name); ok && r.Impl != refImpl {
			ratio = "aio/this " + fmtRatio(q)
		}
		fmt.Fprintf(b, `<text x="%d" y="%.1f" fill="#495057">%s</text>`+"\n", labelRight+plotWidth+105, cy+4, esc(ratio))
	}
	return bottom + axisH
}

// fmtTick formats an axis tick: 0.5  10  250  1,000  20,000.
func fmtTick(t float64) string {
	if t >= 1000 {
		return fmtInt(int(math.Round(t)))
	}
	return strconv.FormatFloat(t, 'f', -1, 64)
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
