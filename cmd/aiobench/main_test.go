package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"go.uber.org/goleak"
)

// TestMain fails the package if a workload leaves a goroutine (a coroutine
// included) behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// runArgs runs the program as the harness would and returns its exit
// status, stdout and stderr.
func runArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// resultLine is what the harness reads from a line of stdout.
type resultLine struct {
	Workload string   `json:"workload"`
	Metric   string   `json:"metric"`
	Value    *float64 `json:"value"`
	Unit     string   `json:"unit"`
	N        int      `json:"n"`
}

func parseLines(t *testing.T, stdout string) []resultLine {
	t.Helper()
	var res []resultLine
	for l := range strings.Lines(stdout) {
		var r resultLine
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("stdout line %q is not JSON: %v", l, err)
		}
		if r.Value == nil {
			t.Fatalf("stdout line %q has no numeric value", l)
		}
		res = append(res, r)
	}
	return res
}

func TestEveryWorkloadPrintsItsMetricsAsJSONLinesWithTheGivenN(t *testing.T) {
	type metric struct{ name, unit string }
	cases := []struct {
		workload string
		n        int
		metrics  []metric
	}{
		{"spawn_await", 2000, []metric{{"ns_per_op", "ns"}}},
		{"gather_many", 2000, []metric{{"ns_per_task", "ns"}}},
		{"yield_roundtrip", 5000, []metric{{"ns_per_op", "ns"}}},
		{"queue_pipeline", 5000, []metric{{"ns_per_item", "ns"}}},
		{"timers_many", 200, []metric{{"wall_ms", "ms"}, {"peak_rss_kb", "kB"}, {"bytes_per_task", "B"}}},
	}
	for _, c := range cases {
		t.Run(c.workload, func(t *testing.T) {
			code, stdout, stderr := runArgs("--workload", c.workload, "--n", strconv.Itoa(c.n), "--variant", "x")
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			lines := parseLines(t, stdout)
			if len(lines) != len(c.metrics) {
				t.Fatalf("got %d lines, want %d: %q", len(lines), len(c.metrics), stdout)
			}
			for i, l := range lines {
				if l.Workload != c.workload || l.Metric != c.metrics[i].name || l.Unit != c.metrics[i].unit || l.N != c.n {
					t.Errorf("line %d = %+v, want workload %s metric %s unit %s n %d",
						i, l, c.workload, c.metrics[i].name, c.metrics[i].unit, c.n)
				}
				if *l.Value < 0 {
					t.Errorf("line %d: negative value %v", i, *l.Value)
				}
			}
			if c.workload == "timers_many" {
				maxd := slices.Max(xorshift32DelaysUs(c.n))
				if wall := *lines[0].Value; wall < float64(maxd)/1e3 {
					t.Errorf("wall_ms %v is shorter than the longest delay %d us", wall, maxd)
				}
				if *lines[1].Value <= 0 {
					t.Errorf("peak_rss_kb %v, want > 0", *lines[1].Value)
				}
			} else if *lines[0].Value <= 0 {
				t.Errorf("%s = %v, want > 0", lines[0].Metric, *lines[0].Value)
			}
		})
	}
}

func TestUnimplementedWorkloadsExit64BeforeTheirFlagsAreParsed(t *testing.T) {
	for _, args := range [][]string{
		{"--workload", "websocket_echo", "--port", "9999"},
		{"--workload", "no_such_fetch", "--url", "http://127.0.0.1:1", "--n", "10", "--concurrency", "50"},
		{"--no-such-flag", "--workload=no_such_fetch"},
		{"-workload", "no_such_workload", "-bogus"},
	} {
		code, stdout, _ := runArgs(args...)
		if code != exitUnsupported {
			t.Errorf("%q: exit %d, want 64", args, code)
		}
		if stdout != "" {
			t.Errorf("%q: printed %q, want nothing", args, stdout)
		}
	}
}

func TestAnUnknownFlagOnAnImplementedWorkloadIsAUsageError(t *testing.T) {
	code, stdout, _ := runArgs("--workload", "spawn_await", "--n", "10", "--bogus")
	if code != exitCheckFailed || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want exit 2 and no output", code, stdout)
	}
}

func TestTheWorkloadFlagIsFoundInEverySyntaxTheFlagPackageAccepts(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
		ok   bool
	}{
		{[]string{"--n", "5", "--workload", "a"}, "a", true},
		{[]string{"-workload", "b"}, "b", true},
		{[]string{"--workload=c", "--n", "5"}, "c", true},
		{[]string{"-workload=d"}, "d", true},
		{[]string{"--n", "5"}, "", false},
		{[]string{"--workload"}, "", false},
		{[]string{"--", "--workload", "e"}, "", false},
	} {
		got, ok := workloadArg(c.args)
		if got != c.want || ok != c.ok {
			t.Errorf("workloadArg(%q) = %q, %v; want %q, %v", c.args, got, ok, c.want, c.ok)
		}
	}
}

func TestAFailedCheckPrintsCheckFailedAndExits2WithoutAResult(t *testing.T) {
	// A workload whose result is off by one goes through the same path as
	// the real ones: micro, aio.Run, the check, run's exit status.
	workloads["broken_sum"] = workload{10, micro("ns_per_op", func(ctx *aio.Context, n int) (time.Duration, error) {
		v, err := aio.Spawn(ctx, func(*aio.Context) (int64, error) { return triangular(n) + 1, nil }).Await(ctx)
		if err != nil {
			return 0, err
		}
		return time.Nanosecond, checkSum("broken_sum", v, n)
	})}
	defer delete(workloads, "broken_sum")
	code, stdout, stderr := runArgs("--workload", "broken_sum", "--n", "100")
	if code != exitCheckFailed {
		t.Fatalf("exit %d, want 2 (stderr %q)", code, stderr)
	}
	if !strings.HasPrefix(stderr, "CHECK FAILED") {
		t.Errorf("stderr %q does not start with CHECK FAILED", stderr)
	}
	if stdout != "" {
		t.Errorf("printed %q after a failed check", stdout)
	}
}

func TestMicroWorkloadsWarmUpWithATenthOfNFirst(t *testing.T) {
	for _, c := range []struct{ n, warm int }{{1000, 100}, {25, 2}, {5, 1}, {1, 1}} {
		var ns []int
		samples, err := micro("ns_per_op", func(ctx *aio.Context, n int) (time.Duration, error) {
			ns = append(ns, n)
			return 3 * time.Duration(n), nil
		})(c.n)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ns, []int{c.warm, c.n}) {
			t.Errorf("n=%d ran with %v, want [%d %d]", c.n, ns, c.warm, c.n)
		}
		// The metric is the timed (second) run's time per item.
		if len(samples) != 1 || samples[0].Value != 3 {
			t.Errorf("n=%d: samples %+v, want one of value 3", c.n, samples)
		}
	}
}

func TestTheDelayGeneratorMatchesTheSpec(t *testing.T) {
	d := xorshift32DelaysUs(100_000)
	var sum int64
	for _, v := range d {
		sum += v
	}
	if sum != 5003347005 || slices.Max(d) != 99999 || !slices.Equal(d[:5], []int64{64481, 41933, 24159, 25102, 69287}) {
		t.Fatalf("sum %d, max %d, first five %v", sum, slices.Max(d), d[:5])
	}
}

func TestChecksRejectWrongResults(t *testing.T) {
	isCheck := func(err error) bool { _, ok := err.(*checkError); return ok }
	if err := checkSum("x", 45, 10); err != nil {
		t.Errorf("checkSum(45, 10) = %v", err)
	}
	if !isCheck(checkSum("x", 44, 10)) {
		t.Error("checkSum accepted a wrong sum")
	}
	if err := checkGather([]int{0, 1, 2}, 3); err != nil {
		t.Errorf("checkGather ok case: %v", err)
	}
	if !isCheck(checkGather([]int{0, 1}, 3)) || !isCheck(checkGather([]int{0, 1, 1}, 3)) {
		t.Error("checkGather accepted a short or wrong result")
	}
	if checkCount(7, 7) != nil || !isCheck(checkCount(6, 7)) {
		t.Error("checkCount")
	}
	delays := []int64{3000, 1000}
	if err := checkTimers([]int64{3000, 1000}, delays, 3*time.Millisecond); err != nil {
		t.Errorf("checkTimers ok case: %v", err)
	}
	for _, c := range []struct {
		res  []int64
		wall time.Duration
	}{
		{[]int64{3000}, time.Second},
		{[]int64{3000, 999}, time.Second},
		{[]int64{3000, 1000}, 3*time.Millisecond - 1},
	} {
		if !isCheck(checkTimers(c.res, delays, c.wall)) {
			t.Errorf("checkTimers accepted %v in %v", c.res, c.wall)
		}
	}
}

func TestProcStatusReadsTheResidentSetSize(t *testing.T) {
	rss, err := procStatusKB("VmRSS")
	if err != nil || rss <= 0 {
		t.Fatalf("VmRSS = %d, %v", rss, err)
	}
	hwm, err := procStatusKB("VmHWM")
	if err != nil || hwm < rss {
		t.Fatalf("VmHWM = %d (< VmRSS %d?), %v", hwm, rss, err)
	}
	if _, err := procStatusKB("NoSuchField"); err == nil {
		t.Fatal("a missing field gave no error")
	}
}
