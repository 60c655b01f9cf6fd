package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// netSetup is what the network workloads need besides the impl: the load
// generator, the two CPUs and the load's shape. When they cannot run,
// unavailable says why.
type netSetup struct {
	loadgen     string // bench/loadgen binary
	taskset     string
	serverCPU   int // the impl's server or client runs here
	loadCPU     int // the load generator or reference server runs here
	conns, size int
	warmup, dur time.Duration
	unavailable string
}

// Defaults of the network workloads (--quick: quickWarmup + quickDuration).
const (
	netConns      = 50
	echoSize      = 1024
	netWarmup     = time.Second
	netDuration   = 5 * time.Second
	quickWarmup   = 500 * time.Millisecond
	quickDuration = time.Second
	fetchConc     = 50
	stopGrace     = 5 * time.Second  // SIGTERM, then this long before SIGKILL
	listenWait    = 20 * time.Second // for a server to accept connections
)

// newNetSetup decides where the network workloads run: the impl on the
// pinning CPU, the load generator on the first other allowed CPU. They need
// taskset and two CPUs; the load generator is built by b.
func newNetSetup(cfg Config, pin pinning, b *builder) netSetup {
	ns := netSetup{taskset: pin.taskset, serverCPU: pin.cpu, conns: netConns, size: echoSize,
		warmup: netWarmup, dur: netDuration}
	if cfg.Quick {
		ns.warmup, ns.dur = quickWarmup, quickDuration
	}
	if cfg.NetWarmup > 0 {
		ns.warmup = cfg.NetWarmup
	}
	if cfg.NetDuration > 0 {
		ns.dur = cfg.NetDuration
	}
	if pin.taskset == "" {
		ns.unavailable = "the network workloads pin the server and the load generator to different CPUs: they need taskset and pinning (no --no-pin)"
		return ns
	}
	ns.loadCPU = -1
	for _, c := range allowedCPUs(readFile("/proc/self/status")) {
		if c != pin.cpu {
			ns.loadCPU = c
			break
		}
	}
	if ns.loadCPU < 0 {
		ns.unavailable = fmt.Sprintf("the network workloads need a second CPU for the load generator (only CPU %d is available)", pin.cpu)
		return ns
	}
	var err error
	if ns.loadgen, err = b.buildLoadgen(); err != nil {
		ns.unavailable = "bench/loadgen: " + err.Error()
	}
	return ns
}

// describe says how the network workloads run, for the results' meta.
func (ns netSetup) describe() string {
	if ns.unavailable != "" {
		return "not run: " + ns.unavailable
	}
	return fmt.Sprintf("impl on CPU %d, bench/loadgen (GOMAXPROCS=1) on CPU %d; servers: %d connections, %s-byte echo messages, %v warm-up + %v measured; http_fetch: concurrency %d",
		ns.serverCPU, ns.loadCPU, ns.conns, fmtInt(ns.size), ns.warmup, ns.dur, fetchConc)
}

// allowedCPUs lists the CPUs of the Cpus_allowed_list line of a
// /proc/PID/status text ("0-1", "0,2-3"), in order.
func allowedCPUs(status string) []int {
	var out []int
	for l := range strings.Lines(status) {
		rest, ok := strings.CutPrefix(l, "Cpus_allowed_list:")
		if !ok {
			continue
		}
		for part := range strings.SplitSeq(strings.TrimSpace(rest), ",") {
			a, b, isRange := strings.Cut(part, "-")
			lo, err1 := strconv.Atoi(a)
			hi, err2 := lo, error(nil)
			if isRange {
				hi, err2 = strconv.Atoi(b)
			}
			if err1 != nil || err2 != nil {
				continue
			}
			for c := lo; c <= hi; c++ {
				out = append(out, c)
			}
		}
	}
	return out
}

// pinned prefixes argv with "taskset -c cpu" (nothing without taskset,
// which only the runner's own tests do).
func (ns netSetup) pinned(cpu int, argv []string) []string {
	if ns.taskset == "" {
		return argv
	}
	return append([]string{ns.taskset, "-c", strconv.Itoa(cpu)}, argv...)
}

// proc is a background process (a server) whose exit is watched.
type proc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer // read only after done
	done   chan struct{}
	err    error // Wait's, after done
	termed bool  // stop sent SIGTERM
}

func startProc(argv, env []string) (*proc, error) {
	p := &proc{cmd: exec.Command(argv[0], argv[1:]...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to stopGrace, then kills; it returns once
// the process is gone.
func (p *proc) stop() {
	if p.exited() {
		return
	}
	p.termed = true
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// exitStatus describes how a process that exited on its own ended.
func (p *proc) exitStatus() (code int, msg string) {
	code = -1
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		code = ee.ExitCode()
	}
	return code, fmt.Sprintf("exited (%v): %s", p.err, tail(p.stderr.String(), 3))
}

// diedResult is the result for a server that exited before it was stopped.
func diedResult(what string, p *proc) runResult {
	code, msg := p.exitStatus()
	if code == exitUnsupported {
		return runResult{Status: statusUnsupported}
	}
	return runResult{Status: statusError, Error: what + " " + msg}
}

// waitListening waits until addr accepts a connection, or p exits, or
// listenWait passes.
func waitListening(addr string, p *proc) error {
	deadline := time.Now().Add(listenWait)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if p.exited() {
			return errExited
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing accepts connections on %s after %v", addr, listenWait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var errExited = errors.New("exited")

// freeAddr returns a 127.0.0.1 address with a port nothing listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// runServer runs one server workload (echo_tcp, http_server): the impl
// serves pinned to ns.serverCPU; once it accepts connections, the load
// generator (GOMAXPROCS=1) runs pinned to ns.loadCPU for the warm-up and
// the measured time, and reports throughput, latency and the busy share
// of both CPUs over the measured window; then the server gets SIGTERM.
func runServer(im builtImpl, w WorkloadSpec, ns netSetup, timeout time.Duration) runResult {
	t0 := time.Now()
	addr, err := freeAddr()
	if err != nil {
		return runResult{Status: statusError, Error: err.Error()}
	}
	_, port, _ := net.SplitHostPort(addr)
	argv := append(append([]string{}, im.argv...), "--workload", w.Name, "--port", port)
	srv, err := startProc(ns.pinned(ns.serverCPU, argv), im.env)
	if err != nil {
		return runResult{Status: statusError, Error: err.Error()}
	}
	defer srv.stop()
	if err := waitListening(addr, srv); err != nil {
		if err == errExited {
			return diedResult("the server", srv)
		}
		return runResult{Status: statusError, Error: err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	lg := exec.CommandContext(ctx, ns.taskset, "-c", strconv.Itoa(ns.loadCPU), ns.loadgen,
		"-mode", w.LoadMode, "-addr", addr, "-c", strconv.Itoa(ns.conns), "-size", strconv.Itoa(ns.size),
		"-warmup", ns.warmup.String(), "-duration", ns.dur.String(),
		"-cpus", fmt.Sprintf("%d,%d", ns.loadCPU, ns.serverCPU))
	lg.Env = append(os.Environ(), "GOMAXPROCS=1")
	var stdout, stderr bytes.Buffer
	lg.Stdout, lg.Stderr = &stdout, &stderr
	err = lg.Run()
	if srv.exited() {
		return diedResult("the server", srv)
	}
	res := runResult{Wall: time.Since(t0)}
	switch {
	case ctx.Err() != nil:
		res.Status, res.Error = statusError, fmt.Sprintf("the load generator timed out after %v", timeout)
	case err != nil:
		res.Status, res.Error = statusError, fmt.Sprintf("load generator: %v: %s", err, tail(stderr.String(), 3))
	default:
		res.Metrics, err = parseLoadgen(stdout.Bytes(), ns.loadCPU, ns.serverCPU)
		if err != nil {
			res.Status, res.Error = statusError, err.Error()
		}
	}
	return res
}

// parseLoadgen turns the load generator's JSON line into the metrics of a
// server workload: req_per_s, p50_us, p99_us, server_cpu_us_per_req (the
// server CPU's busy share × 1e6 / req_per_s: the CPU time, kernel work on
// that CPU included, per request) and loadgen_core_busy_pct.
func parseLoadgen(stdout []byte, loadCPU, serverCPU int) ([]measurement, error) {
	var r struct {
		Requests int                `json:"requests"`
		ReqPerS  float64            `json:"req_per_s"`
		P50us    float64            `json:"p50_us"`
		P99us    float64            `json:"p99_us"`
		CPUBusy  map[string]float64 `json:"cpu_busy"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(stdout), &r); err != nil {
		return nil, fmt.Errorf("load generator output %q: %v", tail(string(stdout), 1), err)
	}
	sb, ok1 := r.CPUBusy[strconv.Itoa(serverCPU)]
	lb, ok2 := r.CPUBusy[strconv.Itoa(loadCPU)]
	if r.Requests <= 0 || r.ReqPerS <= 0 || !ok1 || !ok2 {
		return nil, fmt.Errorf("load generator output lacks requests or CPU shares: %s", bytes.TrimSpace(stdout))
	}
	return []measurement{
		{"req_per_s", r.ReqPerS, "req/s"},
		{"p50_us", r.P50us, "us"},
		{"p99_us", r.P99us, "us"},
		{"server_cpu_us_per_req", sb * 1e6 / r.ReqPerS, "us"},
		{"loadgen_core_busy_pct", lb * 100, "%"},
	}, nil
}

// refStats is what the reference server writes on SIGTERM.
type refStats struct {
	Connections int `json:"connections"`
	MaxOpen     int `json:"max_open"`
	Requests    int `json:"requests"`
}

// runClient runs one client workload (http_fetch): the reference server
// (GOMAXPROCS=1) serves pinned to ns.loadCPU; the impl, pinned to
// ns.serverCPU, makes n requests with fetchConc in flight and reports its
// own metrics. Afterwards the reference server's counts must show n
// requests over at most fetchConc connections.
func runClient(im builtImpl, w WorkloadSpec, n int, ns netSetup, timeout time.Duration) runResult {
	addr, err := freeAddr()
	if err != nil {
		return runResult{Status: statusError, Error: err.Error()}
	}
	dir, err := os.MkdirTemp("", "aiobench-ref-")
	if err != nil {
		return runResult{Status: statusError, Error: err.Error()}
	}
	defer os.RemoveAll(dir)
	statsFile := filepath.Join(dir, "stats.json")
	ref, err := startProc(ns.pinned(ns.loadCPU, []string{ns.loadgen, "-mode", "refserver", "-addr", addr, "-stats", statsFile}),
		[]string{"GOMAXPROCS=1"})
	if err != nil {
		return runResult{Status: statusError, Error: err.Error()}
	}
	defer ref.stop()
	if err := waitListening(addr, ref); err != nil {
		if err == errExited {
			_, msg := ref.exitStatus()
			return runResult{Status: statusError, Error: "the reference server " + msg}
		}
		return runResult{Status: statusError, Error: err.Error()}
	}
	argv := append(append([]string{}, im.argv...), "--workload", w.Name,
		"--url", "http://"+addr, "--n", strconv.Itoa(n), "--concurrency", strconv.Itoa(fetchConc))
	printed := w // what the program must print: all but the runner's own count
	printed.Metrics = slices.DeleteFunc(slices.Clone(w.Metrics), func(m MetricSpec) bool { return m.Name == "connections" })
	res := runProgram(ns.pinned(ns.serverCPU, argv), im.env, printed, timeout)
	if ref.exited() {
		_, msg := ref.exitStatus()
		return runResult{Status: statusError, Error: "the reference server " + msg}
	}
	ref.stop()
	if res.Status != "" {
		return res
	}
	st, err := readRefStats(statsFile)
	if err == nil {
		err = checkRefStats(st, n, fetchConc)
	}
	if err != nil {
		return runResult{Status: statusError, Error: err.Error()}
	}
	res.Metrics = append(res.Metrics, measurement{"connections", float64(st.Connections), "conns"})
	return res
}

func readRefStats(file string) (refStats, error) {
	var st refStats
	b, err := os.ReadFile(file)
	if err != nil {
		return st, fmt.Errorf("the reference server wrote no counts: %v", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("the reference server's counts %q: %v", b, err)
	}
	return st, nil
}

// checkRefStats checks the reference server's view of a client run: every
// request arrived exactly once, over at most conc connections.
func checkRefStats(st refStats, n, conc int) error {
	switch {
	case st.Requests != n:
		return fmt.Errorf("CHECK FAILED [runner]: the reference server answered %d requests, want %d", st.Requests, n)
	case st.Connections < 1 || st.Connections > conc:
		return fmt.Errorf("CHECK FAILED [runner]: the client opened %d connections, want 1..%d", st.Connections, conc)
	}
	return nil
}
