// Command aiobench runs the micro workloads of the cross-runtime benchmark
// (defined in bench/WORKLOADS.md) on aio, so that aio can be compared with
// asyncio, uvloop, Tokio and plain goroutines in the same interleaved runs.
// bench/run.sh builds it together with those competitors and runs them all;
// see bench/README.md.
//
// Usage:
//
//	aiobench --workload NAME --n N
//
// NAME is one of spawn_await, gather_many, yield_roundtrip, timers_many and
// queue_pipeline (or the servers and client echo_tcp, http_server and
// http_fetch, with their own flags); N ≤ 0 (or no --n) means the spec's default. Every other
// workload exits with status 64
// ("not implemented"), decided before the remaining flags are parsed.
//
// Each run prints one JSON object per metric on stdout, e.g.
//
//	{"impl":"aio","workload":"spawn_await","metric":"ns_per_op","value":123.4,"unit":"ns","n":200000}
//
// A failed result check prints a line starting with "CHECK FAILED" on stderr
// and exits with status 2, printing no result; any other error exits 1.
//
// Mapping of the spec's primitives: task = aio.Spawn, await = Task.Await,
// gather = aio.Gather, yield to the loop = aio.Sleep(ctx, 0), sleep =
// aio.Sleep(ctx, d) on the loop's real clock, bounded queue =
// aio.NewQueue[int](100) with Put/Get/TaskDone/Join. Everything runs on one
// loop started by aio.Run; the timed code runs in Run's main task, an
// ordinary task of that loop.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

const implName = "aio"

// Exit statuses of the command-line contract.
const (
	exitOK          = 0
	exitError       = 1
	exitCheckFailed = 2
	exitUnsupported = 64
)

// sample is one metric of one run.
type sample struct {
	Metric string
	Value  float64
	Unit   string
}

// workload runs one workload with n (already defaulted) and returns its
// metrics, or an error (a *checkError when a result check failed).
type workload struct {
	dflt int
	run  func(n int) ([]sample, error)
}

// workloads is the table of implemented workloads.
var workloads = map[string]workload{
	"spawn_await":     {200_000, micro("ns_per_op", spawnAwait)},
	"gather_many":     {100_000, micro("ns_per_task", gatherMany)},
	"yield_roundtrip": {1_000_000, micro("ns_per_op", yieldRoundtrip)},
	"timers_many":     {100_000, timersMany},
	"queue_pipeline":  {500_000, micro("ns_per_item", queuePipeline)},
}

// checkError is a failed result check.
type checkError struct{ msg string }

func (e *checkError) Error() string { return e.msg }

func checkFailed(format string, a ...any) error {
	return &checkError{fmt.Sprintf(format, a...)}
}

// flags is the command line of every workload: the harness may pass any
// of these to any workload (see the contract), and each workload reads the
// ones it uses.
type flags struct {
	n, port, concurrency int    // --n (≤ 0: the workload's default), --port, --concurrency
	url, api             string // --url (http_fetch), --api (echo_tcp: stream, conn or protocol)
}

// parseFlags parses args; ok is false (the error printed on stderr) for a
// command line the flag package rejects.
func parseFlags(args []string, stderr io.Writer) (f flags, ok bool) {
	fs := flag.NewFlagSet("aiobench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("workload", "", "workload name")
	fs.IntVar(&f.n, "n", 0, "N (≤ 0: the workload's default)")
	fs.IntVar(&f.port, "port", 0, "port to listen on (127.0.0.1), for the servers")
	fs.IntVar(&f.concurrency, "concurrency", 0, "requests in flight (http_fetch; ≤ 0: 50)")
	fs.StringVar(&f.url, "url", "", "base URL of the reference server (http_fetch)")
	fs.StringVar(&f.api, "api", "stream", "echo_tcp's server API: stream, conn or protocol")
	fs.String("variant", "", "ignored")
	return f, fs.Parse(args) == nil
}

// line is the JSON object printed per metric.
type line struct {
	Impl       string  `json:"impl"`
	Workload   string  `json:"workload"`
	Metric     string  `json:"metric"`
	Value      float64 `json:"value"`
	Unit       string  `json:"unit"`
	N          int     `json:"n"`
	Gomaxprocs int     `json:"gomaxprocs"`
}

// workloadArg returns the value of the --workload flag (any of the forms
// the flag package accepts: -workload X, --workload X, -workload=X,
// --workload=X) without parsing the other arguments.
func workloadArg(args []string) (string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		name, ok := strings.CutPrefix(a, "--")
		if !ok {
			name, ok = strings.CutPrefix(a, "-")
		}
		if !ok {
			continue
		}
		if v, ok := strings.CutPrefix(name, "workload="); ok {
			return v, true
		}
		if name == "workload" && i+1 < len(args) {
			return args[i+1], true
		}
	}
	return "", false
}

// run is the whole program: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	name, ok := workloadArg(args)
	if !ok {
		fmt.Fprintln(stderr, "usage: aiobench --workload NAME --n N")
		return exitCheckFailed // the flag package's status for a usage error
	}
	switch name {
	case "echo_tcp":
		return runEcho(args, stderr)
	case "http_server":
		return runHTTPServer(args, stderr)
	case "http_fetch":
		return runHTTPFetch(args, stdout, stderr)
	}
	w, ok := workloads[name]
	if !ok {
		fmt.Fprintf(stderr, "aiobench: workload %q is not implemented\n", name)
		return exitUnsupported
	}
	f, ok := parseFlags(args, stderr)
	if !ok {
		return exitCheckFailed
	}
	nn := f.n
	if nn <= 0 {
		nn = w.dflt
	}
	samples, err := w.run(nn)
	if err != nil {
		if ce, ok := errors.AsType[*checkError](err); ok {
			fmt.Fprintf(stderr, "CHECK FAILED [%s]: %s: %s\n", implName, name, ce.msg)
			return exitCheckFailed
		}
		fmt.Fprintf(stderr, "aiobench: %s: %v\n", name, err)
		return exitError
	}
	enc := json.NewEncoder(stdout)
	for _, s := range samples {
		if err := enc.Encode(line{
			Impl: implName, Workload: name, Metric: s.Metric, Value: s.Value,
			Unit: s.Unit, N: nn, Gomaxprocs: runtime.GOMAXPROCS(0),
		}); err != nil {
			fmt.Fprintf(stderr, "aiobench: writing results: %v\n", err)
			return exitError
		}
	}
	return exitOK
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
