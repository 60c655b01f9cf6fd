package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
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
	case "crash":
		fmt.Fprintln(os.Stderr, "panic: something broke")
		os.Exit(1)
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
	got, err := selectImpls([]string{"goroutines", "aio", "goroutines-p1", "tokio", "hyper"})
	if err != nil {
		t.Fatal(err)
	}
	if names := implNames(got); names != "goroutines-p1, goroutines-pN, aio, aio-pN, aio-protocol, tokio, hyper" {
		t.Errorf("selected %s", names)
	}
	if _, err := selectImpls([]string{"nodejs"}); err == nil {
		t.Error("an unknown impl was accepted")
	}
}

// A cargo impl whose crate is not in Debian's registry is unavailable with
// a reason naming the package to install (or cargo, when that is missing),
// and its build is not tried again.
func TestCargoImplWithoutItsCrateIsUnavailable(t *testing.T) {
	b := &builder{root: t.TempDir(), dir: t.TempDir(), done: map[string]error{}}
	argv, _, err := b.buildCargo("hyper", "bench-hyper", "no-such-crate-0.*", "librust-no-such-dev")
	if err == nil {
		t.Fatal("built without the crate")
	}
	if msg := err.Error(); !strings.Contains(msg, "bench/setup.sh: librust-no-such-dev") &&
		!strings.Contains(msg, "cargo not found") {
		t.Errorf("reason %q", msg)
	}
	if want := filepath.Join(b.dir, "hyper-target", "release", "bench-hyper"); len(argv) != 1 || argv[0] != want {
		t.Errorf("argv %q, want [%s]", argv, want)
	}
	if _, _, err2 := b.buildCargo("hyper", "bench-hyper", "hyper-0.14.*", "librust-hyper-dev"); err2 != err {
		t.Errorf("second build: %v, want the first one's error", err2)
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
	httpServer, _ := workloadByName("http_server")
	fetch, _ := workloadByName("http_fetch")
	spawn, _ := workloadByName("spawn_await")
	runs := map[string]string{}
	for _, im := range implSpecs() {
		var got []string
		for _, w := range []WorkloadSpec{spawn, echo, httpServer, fetch} {
			if im.applies(w) {
				got = append(got, w.Name)
			}
		}
		runs[im.Name] = strings.Join(got, ",")
	}
	all := "spawn_await,echo_tcp,http_server,http_fetch"
	want := map[string]string{
		"aio": all, "aio-pN": "spawn_await", "aio-protocol": "echo_tcp",
		"asyncio": "spawn_await,http_server,http_fetch", "asyncio-streams": "echo_tcp", "asyncio-protocol": "echo_tcp",
		"uvloop": "spawn_await,http_server,http_fetch", "uvloop-streams": "echo_tcp", "uvloop-protocol": "echo_tcp",
		"tokio": "spawn_await,echo_tcp", "hyper": "http_server", "goroutines-p1": all,
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
	containsAll(t, "markdown", md,
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
	)
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
	containsAll(t, "SVG", svg,
		"wall_ms (ms), lower is better", "bytes_per_task (B), lower is better",
		"aio/this 2.61×", "aio/this 2.40×", "592 ms", ">impl<", colorAio,
	)
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

func TestLoadgenOutputBecomesServerMetrics(t *testing.T) {
	out := []byte(`{"mode":"echo","connections":50,"requests":50000,"seconds":5,"req_per_s":10000,"p50_us":400.5,"p99_us":1200,"cpu_busy":{"0":0.9,"1":0.75}}` + "\n")
	ms, err := parseLoadgen(out, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []measurement{
		{"req_per_s", 10000, "req/s"}, {"p50_us", 400.5, "us"}, {"p99_us", 1200, "us"},
		{"server_cpu_us_per_req", 75, "us"}, // 0.75 of a CPU / 10,000 req/s
		{"loadgen_core_busy_pct", 90, "%"},
	}
	if !reflect.DeepEqual(ms, want) {
		t.Errorf("metrics\n got %+v\nwant %+v", ms, want)
	}
	for _, bad := range []string{
		`not json`,
		`{"requests":0,"req_per_s":0,"cpu_busy":{"0":0.9,"1":0.75}}`,
		`{"requests":5,"req_per_s":5,"cpu_busy":{"0":0.9}}`,
	} {
		if _, err := parseLoadgen([]byte(bad), 0, 1); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

func TestAllowedCPUsAreExpandedFromTheStatusLine(t *testing.T) {
	for status, want := range map[string][]int{
		"Name:\tx\nCpus_allowed_list:\t0-1\n": {0, 1},
		"Cpus_allowed_list:\t0,2-3,7\n":       {0, 2, 3, 7},
		"Cpus_allowed_list:\t5\n":             {5},
		"Name:\tx\n":                          nil,
	} {
		if got := allowedCPUs(status); !reflect.DeepEqual(got, want) {
			t.Errorf("allowedCPUs(%q) = %v, want %v", status, got, want)
		}
	}
}

func TestTheReferenceServersCountsAreChecked(t *testing.T) {
	for _, c := range []struct {
		st   refStats
		want string
	}{
		{refStats{Connections: 50, MaxOpen: 50, Requests: 2000}, ""},
		{refStats{Connections: 1, MaxOpen: 1, Requests: 2000}, ""},
		{refStats{Connections: 51, MaxOpen: 50, Requests: 2000}, "opened 51 connections"},
		{refStats{Connections: 50, MaxOpen: 50, Requests: 1999}, "answered 1999 requests"},
		{refStats{Connections: 50, MaxOpen: 50, Requests: 2001}, "answered 2001 requests"},
	} {
		err := checkRefStats(c.st, 2000, 50)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c.st, err, c.want)
		}
	}
}

func TestAServerThatExitsEarlyIsUnsupportedOrAnError(t *testing.T) {
	w, _ := workloadByName("echo_tcp")
	ns := netSetup{loadgen: "/nonexistent", conns: 1, size: 1, warmup: time.Millisecond, dur: time.Millisecond}
	if r := runServer(fake("unsupported"), w, ns, 10*time.Second); r.Status != statusUnsupported {
		t.Errorf("exit 64: %+v", r)
	}
	if r := runServer(fake("crash"), w, ns, 10*time.Second); r.Status != statusError || !strings.Contains(r.Error, "something broke") {
		t.Errorf("crash: %+v", r)
	}
}

// netResults is fixedResults plus a network workload: a higher-is-better
// headline, a context-only metric, and a workload that could not run.
func netResults() Results {
	res := fixedResults()
	row := func(impl, label, metric, unit string, better Better, med float64) Row {
		return Row{Impl: impl, Label: label, Workload: "echo_tcp", Metric: metric, Unit: unit,
			Value: med, Min: med, Max: med, Runs: 1, Samples: []float64{med}, Better: better}
	}
	res.Meta.Net = "impl on CPU 1, bench/loadgen on CPU 0"
	res.Rows = append(res.Rows,
		row("aio", "aio", "req_per_s", "req/s", HigherIsBetter, 80000),
		row("aio", "aio", "server_cpu_us_per_req", "us", LowerIsBetter, 12),
		row("aio", "aio", "loadgen_core_busy_pct", "%", Informational, 97),
		row("tokio", "tokio (current_thread)", "req_per_s", "req/s", HigherIsBetter, 40000),
		row("tokio", "tokio (current_thread)", "server_cpu_us_per_req", "us", LowerIsBetter, 24),
		row("tokio", "tokio (current_thread)", "loadgen_core_busy_pct", "%", Informational, 99),
		Row{Workload: "http_fetch", Status: statusUnavailable, Reason: "needs a second CPU"},
	)
	return res
}

func TestReportStatesTheDirectionOfHigherIsBetterAndContextMetrics(t *testing.T) {
	var b strings.Builder
	writeMarkdown(&b, netResults())
	md := b.String()
	containsAll(t, "markdown", md,
		"| echo_tcp (req_per_s ↑) | 2.00× |",
		"| echo_tcp (server_cpu_us_per_req) | 0.5× |",
		"| tokio (current_thread) | 40,000 | 40,000–40,000 | 1 | 2.00× | 2.00× faster |",
		"| tokio (current_thread) | 24.0 | 24.0–24.0 | 1 | 0.5× | 2.00× less CPU |",
		"| tokio (current_thread) | 99.0 | 99.0–99.0 | 1 | — |  |",
		"`loadgen_core_busy_pct` in %, context only (not compared)",
		"`req_per_s` in req/s, higher is better",
		"Setup: impl on CPU 1, bench/loadgen on CPU 0.",
		"* **Unavailable:** http_fetch (every impl): needs a second CPU",
		"* every impl: **unavailable** needs a second CPU",
		"echo_tcp req_per_s (req/s) ↑ |",
	)
	if strings.Contains(md, "(loadgen_core_busy_pct") {
		t.Error("a context-only metric is in the summary of ratios")
	}
	v := newView(netResults())
	if strings.Contains(strings.Join(v.impls, ","), ",,") || len(v.impls) != 3 {
		t.Errorf("impls %q", v.impls)
	}
	w, _ := workloadByName("echo_tcp")
	var svg strings.Builder
	writeSVG(&svg, v, w)
	containsAll(t, "SVG", svg.String(), "req_per_s (req/s), higher is better", "loadgen_core_busy_pct (%), context only", "aio/this 2.00×")
}

// childPIDs lists the children of this process (every thread's).
func childPIDs() string {
	var out []string
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, f := range tasks {
		out = append(out, strings.Fields(readFile(f))...)
	}
	return strings.Join(out, " ")
}

// TestNetworkQuickRunOfAioAndGoroutines runs the three network workloads
// for aio (both echo APIs) and goroutines-p1 with a very short load,
// through the same code as bench/run.sh, and checks that every metric is
// there and positive and nothing is left running. It never looks at how
// fast anything is.
func TestNetworkQuickRunOfAioAndGoroutines(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the benchmark programs and the load generator")
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		t.Skip("no taskset")
	}
	if len(allowedCPUs(readFile("/proc/self/status"))) < 2 || runtime.NumCPU() < 2 {
		t.Skip("the network workloads need two CPUs")
	}
	defer goleak.VerifyNone(t)
	dir := t.TempDir()
	cfg := Config{
		Root: "../..", Build: filepath.Join(dir, "build"), Out: filepath.Join(dir, "out"),
		Impls: []string{"aio", "goroutines"}, Workloads: []string{"net"}, Runs: 1, Quick: true, Pin: true, CPU: -1,
		Timeout: time.Minute, Command: "test", NetWarmup: 200 * time.Millisecond, NetDuration: 500 * time.Millisecond,
	}
	if err := cfg.fillDefaults(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	res, failed, err := Run(cfg, &log)
	if err != nil || failed {
		t.Fatalf("failed=%v err=%v\n%s", failed, err, log.String())
	}
	want := map[string][]string{
		"echo_tcp":    {"aio", "aio-protocol", "goroutines-p1"},
		"http_server": {"aio", "goroutines-p1"},
		"http_fetch":  {"aio", "goroutines-p1"},
	}
	v := newView(res)
	for wname, impls := range want {
		w, _ := workloadByName(wname)
		for _, im := range impls {
			for _, m := range w.Metrics {
				r, ok := v.row([]string{im}, w.Name, m.Name)
				if !ok || r.Runs != 1 || !r.Quick || r.Value <= 0 {
					t.Errorf("%s %s %s: row %+v (found %v)", im, w.Name, m.Name, r, ok)
				}
			}
		}
	}
	for _, r := range res.Rows {
		if r.Status != "" || r.Impl == "aio-pN" || r.Impl == "goroutines-pN" {
			t.Errorf("unexpected row %+v", r)
		}
		if r.Workload == "http_fetch" && r.Metric == "connections" && (r.Value < 1 || r.Value > fetchConc) {
			t.Errorf("%s opened %v connections", r.Impl, r.Value)
		}
	}
	if c := childPIDs(); c != "" {
		t.Errorf("child processes left running: %s", c)
	}
	if err := writeOutputs(cfg.Out, res); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"results.md", "echo_tcp.svg", "http_server.svg", "http_fetch.svg"} {
		if fi, err := os.Stat(filepath.Join(cfg.Out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// containsAll reports each of wants that text (a rendered report, named
// what) lacks.
func containsAll(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, text)
		}
	}
}
