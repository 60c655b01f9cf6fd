// Command goroutines runs the workloads of bench/WORKLOADS.md with plain
// goroutines, channels and the standard library's net and net/http, the
// baseline that aio is compared with in its own language:
//
//	goroutines --workload NAME --n N
//	goroutines --workload echo_tcp|http_server --port P          # serves until SIGTERM
//	goroutines --workload http_fetch --url URL --n N --concurrency C
//
// It prints one JSON object per metric on stdout and exits 0; a failed
// result check prints "CHECK FAILED ..." on stderr and exits 2; a workload
// it does not implement exits 64, decided before any other argument is
// looked at. Other arguments of the micro workloads are ignored. The runner
// starts it once with GOMAXPROCS=1 and once with the default GOMAXPROCS
// (the network workloads only with GOMAXPROCS=1).
//
// Mapping: task = goroutine, await = receive from the goroutine's
// 1-buffered result channel, gather = sync.WaitGroup over goroutines that
// store into their own slot of a result slice, yield = runtime.Gosched,
// sleep = time.Sleep, queue = a channel of capacity 100 plus a WaitGroup
// counting unfinished items; echo_tcp = a goroutine per connection (net),
// http_server = net/http with a ServeMux, http_fetch = one net/http client
// with MaxIdleConnsPerHost = C and C worker goroutines.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

const (
	exitCheck       = 2
	exitUnsupported = 64
)

// metric is one measured value.
type metric struct {
	name  string
	value float64
	unit  string
}

// checkError is a failed result check.
type checkError string

func (e checkError) Error() string { return string(e) }

func checkFailed(format string, a ...any) error { return checkError(fmt.Sprintf(format, a...)) }

// workload is one implemented workload: its default N and its runner.
type workload struct {
	defaultN int
	run      func(n int) ([]metric, error)
}

var workloads = map[string]workload{
	"spawn_await":     {200_000, micro("ns_per_op", spawnAwait)},
	"gather_many":     {100_000, micro("ns_per_task", gatherMany)},
	"yield_roundtrip": {1_000_000, micro("ns_per_op", yieldRoundtrip)},
	"timers_many":     {100_000, timersMany},
	"queue_pipeline":  {500_000, micro("ns_per_item", queuePipeline)},
}

// argValue returns the value of -name/--name X or -name=X/--name=X.
func argValue(args []string, name string) (string, bool) {
	for i, a := range args {
		bare := strings.TrimLeft(a, "-")
		if bare == a {
			continue
		}
		if bare == name && i+1 < len(args) {
			return args[i+1], true
		}
		if v, ok := strings.CutPrefix(bare, name+"="); ok {
			return v, true
		}
	}
	return "", false
}

func main() {
	args := os.Args[1:]
	name, _ := argValue(args, "workload")
	switch name {
	case "echo_tcp", "http_server", "http_fetch":
		os.Exit(netMain(name, args))
	}
	w, ok := workloads[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "goroutines: workload %q is not implemented\n", name)
		os.Exit(exitUnsupported)
	}
	n := w.defaultN
	if s, ok := argValue(args, "n"); ok {
		v, err := strconv.Atoi(s)
		if err != nil {
			fmt.Fprintf(os.Stderr, "goroutines: --n: %v\n", err)
			os.Exit(exitCheck)
		}
		if v > 0 {
			n = v
		}
	}
	ms, err := w.run(n)
	if ce, ok := err.(checkError); ok {
		fmt.Fprintf(os.Stderr, "CHECK FAILED [goroutines]: %s\n", ce)
		os.Exit(exitCheck)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "goroutines: %s: %v\n", name, err)
		os.Exit(1)
	}
	printMetrics(name, n, ms)
}

// printMetrics prints one JSON line per metric.
func printMetrics(name string, n int, ms []metric) {
	enc := json.NewEncoder(os.Stdout)
	for _, m := range ms {
		enc.Encode(map[string]any{
			"impl": "goroutines", "workload": name, "metric": m.name, "value": m.value,
			"unit": m.unit, "n": n, "gomaxprocs": runtime.GOMAXPROCS(0),
		})
	}
}
