// Command runner builds aio's benchmark binary (cmd/aiobench) and the
// competitor programs under bench/, runs every (impl, workload) several
// times, one fresh process per run, interleaved across impls, and writes
// the results, a markdown report and one SVG chart per workload. It is
// normally started through bench/run.sh; see bench/README.md.
//
//	runner [--impl LIST] [--workload LIST] [--runs N] [--quick] [--out DIR]
//	runner report RESULTS.jsonl [--out DIR]   # re-render report + charts
//
// Outputs in --out (default bench/results): results.jsonl (one JSON
// object per line: a "meta" line, then per impl, workload and metric the
// median, min, max and samples, or a status), results.md and
// WORKLOAD.svg. The exit status is 1 if any run failed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is one invocation of the runner.
type Config struct {
	Root      string        // the repository
	Build     string        // build outputs
	Out       string        // results
	Impls     []string      // names or groups; empty = all
	Workloads []string      // names or groups; empty = the micro workloads
	Runs      int           // per (impl, workload)
	Quick     bool          // N/10
	Pin       bool          // taskset each process (except unpinned impls)
	CPU       int           // the CPU to pin to; < 0 = the last one
	Timeout   time.Duration // per process
	GoTool    string
	Command   string // recorded in the results

	// Network workloads: warm-up and measured time of the servers; zero
	// means 1 s + 5 s (--quick: 0.5 s + 1 s).
	NetWarmup, NetDuration time.Duration
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stderr))
}

func realMain(args []string, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "report" {
		return reportMain(args[1:], stderr)
	}
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "runner:", err)
		return 2
	}
	res, failed, err := Run(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "runner:", err)
		return 1
	}
	if err := writeOutputs(cfg.Out, res); err != nil {
		fmt.Fprintln(stderr, "runner:", err)
		return 1
	}
	fmt.Fprintf(stderr, "runner: wrote %s\n", filepath.Join(cfg.Out, "results.{jsonl,md}")+" and one SVG per workload")
	if failed {
		fmt.Fprintln(stderr, "runner: some runs failed (see the error rows)")
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("runner", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg Config
	var impls, workloads string
	var noPin bool
	fs.StringVar(&cfg.Root, "root", "", "repository root (default: found from the working directory)")
	fs.StringVar(&cfg.Build, "build", "", "build directory (default ROOT/bench/build)")
	fs.StringVar(&cfg.Out, "out", "", "output directory (default ROOT/bench/results)")
	fs.StringVar(&impls, "impl", "", "comma-separated impls or groups: "+implNames(implSpecs())+", goroutines (default all)")
	fs.StringVar(&workloads, "workload", "", "comma-separated workloads or groups: micro (the default), net, all")
	fs.IntVar(&cfg.Runs, "runs", 5, "runs per (impl, workload)")
	fs.BoolVar(&cfg.Quick, "quick", false, "N/10: a smoke run, not a measurement")
	fs.BoolVar(&noPin, "no-pin", false, "do not pin processes to one CPU")
	fs.IntVar(&cfg.CPU, "cpu", -1, "CPU to pin to (default: the last one)")
	fs.DurationVar(&cfg.Timeout, "timeout", 5*time.Minute, "limit per process")
	fs.DurationVar(&cfg.NetWarmup, "net-warmup", 0, "warm-up of the server workloads (default 1s, --quick 500ms)")
	fs.DurationVar(&cfg.NetDuration, "net-duration", 0, "measured time of the server workloads (default 5s, --quick 1s)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.Runs < 1 {
		return cfg, fmt.Errorf("--runs must be at least 1")
	}
	cfg.Impls, cfg.Workloads, cfg.Pin = splitList(impls), splitList(workloads), !noPin
	cfg.Command = strings.TrimSpace("bench/run.sh " + strings.Join(args, " "))
	if err := cfg.fillDefaults(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// fillDefaults resolves the repository and the directories derived from it.
func (cfg *Config) fillDefaults() error {
	if cfg.Root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		if cfg.Root, err = findRoot(wd); err != nil {
			return err
		}
	}
	if cfg.Build == "" {
		cfg.Build = filepath.Join(cfg.Root, "bench", "build")
	}
	if cfg.Out == "" {
		cfg.Out = filepath.Join(cfg.Root, "bench", "results")
	}
	if cfg.GoTool == "" {
		cfg.GoTool = "go"
	}
	for _, p := range []*string{&cfg.Root, &cfg.Build, &cfg.Out} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	return nil
}

// findRoot walks up from dir to the directory holding aio's go.mod.
func findRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if strings.Contains(readFile(filepath.Join(d, "go.mod")), "module github.com/asyncgo/aio\n") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no aio repository above %s (use --root)", dir)
		}
	}
}

func splitList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// reportMain re-renders results.md and the charts from a results file.
func reportMain(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("runner report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "output directory (default: the results file's)")
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: runner report RESULTS.jsonl [--out DIR]")
		return 2
	}
	file := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	res, err := readResults(file)
	if err != nil {
		fmt.Fprintln(stderr, "runner:", err)
		return 1
	}
	dir := *out
	if dir == "" {
		dir = filepath.Dir(file)
	}
	if err := writeReport(dir, res); err != nil {
		fmt.Fprintln(stderr, "runner:", err)
		return 1
	}
	return 0
}
