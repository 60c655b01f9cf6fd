package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Run statuses other than ok, as written to the results.
const (
	statusUnavailable = "unavailable" // the impl could not be built
	statusUnsupported = "unsupported" // the program exited 64
	statusError       = "error"       // check failure, crash, timeout, bad output
)

// Exit statuses of the command-line contract.
const (
	exitCheckFailed = 2
	exitUnsupported = 64
)

// measurement is one metric of one run.
type measurement struct {
	Metric string
	Value  float64
	Unit   string
}

// runResult is the outcome of one process.
type runResult struct {
	Status  string // "" when ok
	Error   string // for statusError
	Metrics []measurement
	Wall    time.Duration
}

// builtImpl is an impl ready to run.
type builtImpl struct {
	ImplSpec
	argv, env []string
}

// pinning says how processes are pinned: with taskset to CPU, or not.
type pinning struct {
	taskset string // path of taskset, "" = no pinning
	cpu     int
}

// runOnce runs one fresh process of im on the micro workload w with n and
// collects its metrics (see runProgram).
func runOnce(im builtImpl, w WorkloadSpec, n int, pin pinning, timeout time.Duration) runResult {
	if w.Kind != KindMicro {
		return runResult{Status: statusError, Error: fmt.Sprintf("workload kind %q is not run by runOnce", w.Kind)}
	}
	argv := append(append([]string{}, im.argv...), "--workload", w.Name, "--n", strconv.Itoa(n))
	if pin.taskset != "" && !im.Unpinned {
		argv = append([]string{pin.taskset, "-c", strconv.Itoa(pin.cpu)}, argv...)
	}
	return runProgram(argv, im.env, w, timeout)
}

// runProgram runs a benchmark program that prints its metrics for w and
// collects them. It adds child_maxrss_kb (the process's peak RSS from
// wait4), and substitutes it for a missing peak_rss_kb.
func runProgram(argv, env []string, w WorkloadSpec, timeout time.Duration) runResult {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	err := cmd.Run()
	res := runResult{Wall: time.Since(t0)}
	if ctx.Err() != nil {
		res.Status, res.Error = statusError, fmt.Sprintf("timed out after %v", timeout)
		return res
	}
	if err != nil {
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee) && ee.ExitCode() == exitUnsupported:
			res.Status = statusUnsupported
		case errors.As(err, &ee) && ee.ExitCode() == exitCheckFailed:
			res.Status, res.Error = statusError, "exit 2: "+tail(stderr.String(), 3)
		default:
			res.Status, res.Error = statusError, fmt.Sprintf("%v: %s", err, tail(stderr.String(), 3))
		}
		return res
	}
	ms, err := parseMetrics(stdout.Bytes(), w.Name)
	if err == nil {
		err = checkDeclared(ms, w)
	}
	if err != nil {
		res.Status, res.Error = statusError, err.Error()
		return res
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		kb := float64(ru.Maxrss) // kilobytes on Linux
		if w.Name == "timers_many" && !hasMetric(ms, "peak_rss_kb") {
			ms = append(ms, measurement{"peak_rss_kb", kb, "kB"})
		}
		ms = append(ms, measurement{"child_maxrss_kb", kb, "kB"})
	}
	res.Metrics = ms
	return res
}

// parseMetrics reads the JSON lines of a program's stdout; other lines are
// ignored. Every metric line must be for workload.
func parseMetrics(stdout []byte, workload string) ([]measurement, error) {
	var ms []measurement
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var l struct {
			Workload string   `json:"workload"`
			Metric   string   `json:"metric"`
			Value    *float64 `json:"value"`
			Unit     string   `json:"unit"`
		}
		if json.Unmarshal(line, &l) != nil || l.Metric == "" {
			continue
		}
		if l.Value == nil {
			return nil, fmt.Errorf("metric %s has no numeric value", l.Metric)
		}
		if l.Workload != workload {
			return nil, fmt.Errorf("metric %s is for workload %q, not %q", l.Metric, l.Workload, workload)
		}
		ms = append(ms, measurement{l.Metric, *l.Value, l.Unit})
	}
	return ms, sc.Err()
}

// checkDeclared fails unless every metric w declares is present (a missing
// peak_rss_kb is filled in from wait4 instead).
func checkDeclared(ms []measurement, w WorkloadSpec) error {
	var missing []string
	for _, m := range w.Metrics {
		if !hasMetric(ms, m.Name) && m.Name != "peak_rss_kb" {
			missing = append(missing, m.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no %s in the output", strings.Join(missing, ", "))
	}
	return nil
}

func hasMetric(ms []measurement, name string) bool {
	for _, m := range ms {
		if m.Metric == name {
			return true
		}
	}
	return false
}
