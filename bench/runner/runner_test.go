package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary play a benchmark program: with
// RUNNER_FAKE_IMPL set it behaves as that mode says and exits.
func TestMain(m *testing.M) {
	switch os.Getenv("RUNNER_FAKE_IMPL") {
	case "":
		os.Exit(m.Run())
	case "ok":
		fmt.Println("a log line that is not JSON")
		fmt.Println(`{"impl":"fake","workload":"spawn_await","metric":"ns_per_op","value":42.5,"unit":"ns","n":10}`)
		os.Exit(0)
	case "check":
		fmt.Fprintln(os.Stderr, "CHECK FAILED [fake]: sum 1 != 2")
		os.Exit(2)
	case "unsupported":
		os.Exit(64)
	case "nometric":
		fmt.Println(`{"note":"nothing measured"}`)
		os.Exit(0)
	case "sleep":
		time.Sleep(10 * time.Second)
		os.Exit(0)
	}
	os.Exit(3)
}

func fake(mode string) builtImpl {
	return builtImpl{
		ImplSpec: ImplSpec{Name: "fake", Label: "fake"},
		argv:     []string{os.Args[0]},
		env:      []string{"RUNNER_FAKE_IMPL=" + mode},
	}
}

func TestRunOnceMapsExitStatusesAndOutputToResults(t *testing.T) {
	w, _ := workloadByName("spawn_await")
	cases := []struct {
		mode, status, errPart string
	}{
		{"ok", "", ""},
		{"check", statusError, "CHECK FAILED"},
		{"unsupported", statusUnsupported, ""},
		{"nometric", statusError, "no ns_per_op"},
		{"sleep", statusError, "timed out"},
	}
	for _, c := range cases {
		timeout := 30 * time.Second
		if c.mode == "sleep" {
			timeout = 300 * time.Millisecond
		}
		r := runOnce(fake(c.mode), w, 10, pinning{}, timeout)
		if r.Status != c.status || !strings.Contains(r.Error, c.errPart) {
			t.Errorf("%s: status %q error %q; want %q containing %q", c.mode, r.Status, r.Error, c.status, c.errPart)
		}
		if c.mode == "ok" {
			if len(r.Metrics) != 2 || r.Metrics[0] != (measurement{"ns_per_op", 42.5, "ns"}) || r.Metrics[1].Metric != "child_maxrss_kb" {
				t.Errorf("ok: metrics %+v", r.Metrics)
			}
		}
	}
}

func TestParseMetricsRejectsAnotherWorkloadAndAMissingValue(t *testing.T) {
	if _, err := parseMetrics([]byte(`{"workload":"gather_many","metric":"x","value":1,"unit":"ns"}`), "spawn_await"); err == nil {
		t.Error("a line for another workload was accepted")
	}
	if _, err := parseMetrics([]byte(`{"workload":"spawn_await","metric":"x","unit":"ns"}`), "spawn_await"); err == nil {
		t.Error("a metric without a value was accepted")
	}
}

func TestMedianMinMaxAndOrderOfAggregatedRows(t *testing.T) {
	if m := median([]float64{5, 1, 3}); m != 3 {
		t.Errorf("median odd = %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median even = %v", m)
	}
	w, _ := workloadByName("timers_many")
	im := ImplSpec{Name: "aio", Label: "aio"}
	run := func(wall, rss float64) runResult {
		return runResult{Metrics: []measurement{{"wall_ms", wall, "ms"}, {"peak_rss_kb", rss, "kB"}}}
	}
	rows := aggregate(im, w, 100, false, []runResult{run(30, 7), run(10, 9), run(20, 8)})
	want := []Row{
		{Impl: "aio", Label: "aio", Workload: "timers_many", Metric: "wall_ms", Value: 20, Unit: "ms",
			Min: 10, Max: 30, Runs: 3, Samples: []float64{30, 10, 20}, Better: LowerIsBetter, N: 100},
		{Impl: "aio", Label: "aio", Workload: "timers_many", Metric: "peak_rss_kb", Value: 8, Unit: "kB",
			Min: 7, Max: 9, Runs: 3, Samples: []float64{7, 9, 8}, Better: LowerIsBetter, N: 100},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("aggregate:\n got %+v\nwant %+v", rows, want)
	}
}

func TestNumbersAndRatiosAreFormattedWithThreeSignificantDigits(t *testing.T) {
	for x, want := range map[float64]string{4174.4: "4,174", 336.2: "336", 19.24: "19.2", 9.694: "9.69", 0.04213: "0.0421", 0: "0", 1234567: "1,234,567"} {
		if got := fmtNum(x); got != want {
			t.Errorf("fmtNum(%v) = %q, want %q", x, got, want)
		}
	}
	for r, want := range map[float64]string{0.03571: "0.0357×", 1.966: "1.97×", 15.81: "15.8×", 111.2: "111×"} {
		if got := fmtRatio(r); got != want {
			t.Errorf("fmtRatio(%v) = %q, want %q", r, got, want)
		}
	}
	time := MetricSpec{Unit: "ns", Better: LowerIsBetter}
	mem := MetricSpec{Unit: "B", Better: LowerIsBetter}
	rate := MetricSpec{Unit: "req/s", Better: HigherIsBetter}
	for _, c := range []struct {
		r    float64
		m    MetricSpec
		want string
	}{
		{0.5, time, "2.00× faster"}, {2, time, "2.00× slower"}, {2.4, mem, "2.40× more memory"},
		{2, rate, "2.00× faster"}, {1, time, "same"},
	} {
		if got := verdict(c.r, c.m); got != c.want {
			t.Errorf("verdict(%v, %s) = %q, want %q", c.r, c.m.Unit, got, c.want)
		}
	}
}

func TestImplsAreSelectedByNameOrGroup(t *testing.T) {
	got, err := selectImpls([]string{"goroutines", "aio", "goroutines-p1", "tokio"})
	if err != nil {
		t.Fatal(err)
	}
	if names := implNames(got); names != "goroutines-p1, goroutines-pN, aio, aio-pN, aio-protocol, tokio" {
		t.Errorf("selected %s", names)
	}
	if _, err := selectImpls([]string{"nodejs"}); err == nil {
		t.Error("an unknown impl was accepted")
	}
}

func TestWorkloadsAreSelectedByNameOrGroupAndMicroIsTheDefault(t *testing.T) {
	names := func(list ...string) string {
		ws, err := selectWorkloads(list)
		if err != nil {
			return "error: " + err.Error()
		}
		var out []string
		for _, w := range ws {
			out = append(out, w.Name)
		}
		return strings.Join(out, ",")
	}
	micro := "spawn_await,gather_many,yield_roundtrip,timers_many,queue_pipeline"
	for _, c := range []struct{ list, want string }{
		{"", micro},
		{"micro", micro},
		{"net", "echo_tcp,http_server,http_fetch"},
		{"all", micro + ",echo_tcp,http_server,http_fetch"},
		{"http_fetch,echo_tcp,net", "http_fetch,echo_tcp,http_server"},
	} {
		if got := names(splitList(c.list)...); got != c.want {
			t.Errorf("--workload %q: %s, want %s", c.list, got, c.want)
		}
	}
	if _, err := selectWorkloads([]string{"echo_udp"}); err == nil {
		t.Error("an unknown workload was accepted")
	}
}

func TestNetworkWorkloadsRunOnlyForPinnedImplsAndEchoVariants(t *testing.T) {
	echo, _ := workloadByName("echo_tcp")
	fetch, _ := workloadByName("http_fetch")
	spawn, _ := workloadByName("spawn_await")
	runs := map[string]string{}
	for _, im := range implSpecs() {
		var got []string
		for _, w := range []WorkloadSpec{spawn, echo, fetch} {
			if im.applies(w) {
				got = append(got, w.Name)
			}
		}
		runs[im.Name] = strings.Join(got, ",")
	}
	want := map[string]string{
		"aio": "spawn_await,echo_tcp,http_fetch", "aio-pN": "spawn_await", "aio-protocol": "echo_tcp",
		"asyncio": "spawn_await,http_fetch", "asyncio-streams": "echo_tcp", "asyncio-protocol": "echo_tcp",
		"uvloop": "spawn_await,http_fetch", "uvloop-streams": "echo_tcp", "uvloop-protocol": "echo_tcp",
		"tokio": "spawn_await,echo_tcp,http_fetch", "goroutines-p1": "spawn_await,echo_tcp,http_fetch",
		"goroutines-pN": "spawn_await",
	}
	if !reflect.DeepEqual(runs, want) {
		t.Errorf("workloads per impl:\n got %v\nwant %v", runs, want)
	}
}

// fixedResults is a small run of two impls, with a failed and an
// unavailable one, as a results file would hold it.
func fixedResults() Results {
	row := func(impl, label, workload, metric, unit string, med, lo, hi float64) Row {
		return Row{Impl: impl, Label: label, Workload: workload, Metric: metric, Unit: unit,
			Value: med, Min: lo, Max: hi, Runs: 3, Samples: []float64{lo, med, hi}, Better: LowerIsBetter, N: 200000}
	}
	return Results{
		Meta: Meta{Date: "2026-01-02T03:04:05Z", Command: "bench/run.sh --runs 3", Runs: 3, Pinning: "none",
			CPU: "test CPU", NCPU: 2, Kernel: "6.1", Commit: "abc1234", Versions: map[string]string{"go": "go1.26"}},
		Rows: []Row{
			row("aio", "aio", "spawn_await", "ns_per_op", "ns", 336, 262, 401),
			row("tokio", "tokio (current_thread)", "spawn_await", "ns_per_op", "ns", 171, 169, 176),
			row("aio", "aio", "timers_many", "wall_ms", "ms", 592, 435, 734),
			row("aio", "aio", "timers_many", "bytes_per_task", "B", 3416, 3408, 3430),
			row("tokio", "tokio (current_thread)", "timers_many", "wall_ms", "ms", 227, 203, 271),
			row("tokio", "tokio (current_thread)", "timers_many", "bytes_per_task", "B", 1426, 1425, 1426),
			row("tokio", "tokio (current_thread)", "timers_many", "child_maxrss_kb", "kB", 1, 1, 1),
			{Impl: "uvloop", Label: "uvloop", Status: statusUnavailable, Reason: "cannot import uvloop"},
			{Impl: "tokio", Label: "tokio (current_thread)", Workload: "spawn_await", Status: statusError, Error: "CHECK FAILED x", Run: 2},
		},
	}
}

func TestResultsFileRoundTrips(t *testing.T) {
	var buf bytes.Buffer
	if err := writeResults(&buf, fixedResults()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readResults(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, fixedResults()) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, fixedResults())
	}
}

func TestMarkdownHasATablePerMetricWithAiosRatios(t *testing.T) {
	var b strings.Builder
	writeMarkdown(&b, fixedResults())
	md := b.String()
	for _, want := range []string{
		"| spawn_await (ns_per_op) | 1.96× |",
		"| **aio** | 336 | 592 | 3,416 |",
		"| tokio (current_thread) | 171 | 227 | 1,426 |",
		"| timers_many (bytes_per_task) | 2.40× |",
		"| **aio** | **336** | 262–401 | 3 | — | (reference) |",
		"| tokio (current_thread) | 171 | 169–176 | 3 | 1.96× | 1.96× slower |",
		"| tokio (current_thread) | 1,426 | 1,425–1,426 | 3 | 2.40× | 2.40× more memory |",
		"![spawn_await: aio beside each other impl](spawn_await.svg)",
		"**Unavailable:** uvloop: cannot import uvloop",
		"tokio (current_thread): **error** run 2: CHECK FAILED x",
		"lower is better",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "child_maxrss_kb") {
		t.Error("the wait4 cross-check metric is in the report")
	}
}

func TestSVGIsWellFormedAndLabelsAxesBarsAndRatios(t *testing.T) {
	v := newView(fixedResults())
	w, _ := workloadByName("timers_many")
	var b strings.Builder
	writeSVG(&b, v, w)
	svg := b.String()
	dec := xml.NewDecoder(strings.NewReader(svg))
	rects := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
		}
	}
	if rects != 1+4 { // background + 2 metrics x 2 impls
		t.Errorf("%d rects, want 5", rects)
	}
	for _, want := range []string{
		"wall_ms (ms), lower is better", "bytes_per_task (B), lower is better",
		"aio/this 2.61×", "aio/this 2.40×", "592 ms", ">impl<", colorAio,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

func TestScalesTurnLogarithmicForWideRangesAndTickNicely(t *testing.T) {
	lin := newScale(203, 734)
	if lin.log || lin.lo != 0 || lin.hi != 800 {
		t.Errorf("linear scale %+v, want 0..800", lin)
	}
	if got := lin.ticks(); !reflect.DeepEqual(got, []float64{0, 200, 400, 600, 800}) {
		t.Errorf("linear ticks %v", got)
	}
	lg := newScale(9.7, 1758)
	if !lg.log || lg.lo != 1 || lg.hi != 10000 {
		t.Errorf("log scale %+v, want 1..10000", lg)
	}
	if x0, x1 := lg.x(1), lg.x(10000); x0 != labelRight || x1 != labelRight+plotWidth {
		t.Errorf("log scale maps its ends to %v..%v", x0, x1)
	}
}

// TestSmokeQuickRunOfAioAndGoroutines builds aio's cmd/aiobench and the
// goroutines program and runs every workload once with --quick for both
// variants of each (pinned and unpinned), through
// the same code as bench/run.sh; no cargo or Python needed.
func TestSmokeQuickRunOfAioAndGoroutines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the benchmark programs")
	}
	dir := t.TempDir()
	cfg := Config{
		Root: "../..", Build: filepath.Join(dir, "build"), Out: filepath.Join(dir, "out"),
		Impls: []string{"aio", "goroutines"}, Runs: 1, Quick: true, Pin: true, CPU: -1,
		Timeout: time.Minute, Command: "test",
	}
	if err := cfg.fillDefaults(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	res, failed, err := Run(cfg, &log)
	if err != nil || failed {
		t.Fatalf("failed=%v err=%v\n%s", failed, err, log.String())
	}
	for _, w := range workloadSpecs {
		if w.Kind != KindMicro {
			continue
		}
		for _, im := range []string{"aio", "aio-pN", "goroutines-p1", "goroutines-pN"} {
			for _, m := range w.Metrics {
				r, ok := newView(res).row([]string{im}, w.Name, m.Name)
				if !ok || r.Runs != 1 || r.N != w.DefaultN/10 || !r.Quick || r.Value <= 0 {
					t.Errorf("%s %s %s: row %+v (found %v)", im, w.Name, m.Name, r, ok)
				}
			}
		}
	}
	if err := writeOutputs(cfg.Out, res); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"results.jsonl", "results.md", "spawn_await.svg", "timers_many.svg", "queue_pipeline.svg"} {
		if fi, err := os.Stat(filepath.Join(cfg.Out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestTheDefaultCPUIsTheLastAllowedOne(t *testing.T) {
	for status, want := range map[string]int{
		"Name:\tx\nCpus_allowed_list:\t0-1\n": 1,
		"Cpus_allowed_list:\t0,2-3\n":         3,
		"Cpus_allowed_list:\t5\n":             5,
	} {
		if got := lastAllowedCPU(status); got != want {
			t.Errorf("lastAllowedCPU(%q) = %d, want %d", status, got, want)
		}
	}
}
