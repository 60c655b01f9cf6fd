package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Run builds the selected impls and runs every (impl, workload) cfg.Runs
// times, interleaved: round 1 of every workload and impl, then round 2, and
// so on. failed reports whether any run ended in an error; err is for
// problems that prevent running at all.
func Run(cfg Config, log io.Writer) (res Results, failed bool, err error) {
	specs, err := selectImpls(cfg.Impls)
	if err != nil {
		return res, false, err
	}
	workloads, err := selectWorkloads(cfg.Workloads)
	if err != nil {
		return res, false, err
	}
	if err := os.MkdirAll(cfg.Build, 0o755); err != nil {
		return res, false, err
	}
	start := time.Now()
	res.Meta = machineMeta(cfg.Root)
	res.Meta.Command, res.Meta.Runs, res.Meta.Quick = cfg.Command, cfg.Runs, cfg.Quick
	pin := choosePinning(cfg)
	// Only the impls that run one of the selected workloads matter here.
	res.Meta.Pinning = describePinning(pin, slices.DeleteFunc(slices.Clone(specs), func(s ImplSpec) bool {
		return !slices.ContainsFunc(workloads, s.applies)
	}))

	b := &builder{root: cfg.Root, dir: cfg.Build, goTool: cfg.GoTool, done: map[string]error{}}
	var ready []builtImpl
	for _, s := range specs {
		fmt.Fprintf(log, "runner: building %s ...\n", s.Name)
		argv, env, err := s.build(b)
		if err != nil {
			fmt.Fprintf(log, "runner: %s unavailable: %v\n", s.Name, err)
			res.Rows = append(res.Rows, Row{Impl: s.Name, Label: s.Label, Status: statusUnavailable, Reason: err.Error()})
			continue
		}
		ready = append(ready, builtImpl{s, argv, env})
	}
	addVersions(&res.Meta, b, ready)
	var ns netSetup
	if slices.ContainsFunc(workloads, WorkloadSpec.network) {
		ns = newNetSetup(cfg, pin, b)
		res.Meta.Net = ns.describe()
		if ns.unavailable != "" {
			fmt.Fprintf(log, "runner: network workloads unavailable: %s\n", ns.unavailable)
			for _, w := range workloads {
				if w.network() {
					res.Rows = append(res.Rows, Row{Workload: w.Name, Status: statusUnavailable, Reason: ns.unavailable})
				}
			}
			workloads = slices.DeleteFunc(workloads, WorkloadSpec.network)
		}
	}

	type key struct{ impl, workload string }
	runs := map[key][]runResult{}
	for round := 1; round <= cfg.Runs; round++ {
		for _, w := range workloads {
			n := w.DefaultN
			if cfg.Quick {
				n = max(1, n/10)
			}
			for _, im := range ready {
				if !im.applies(w) {
					continue
				}
				var r runResult
				switch w.Kind {
				case KindServer:
					r = runServer(im, w, ns, cfg.Timeout)
				case KindClient:
					r = runClient(im, w, n, ns, cfg.Timeout)
				default:
					r = runOnce(im, w, n, pin, cfg.Timeout)
				}
				fmt.Fprintf(log, "runner: [%d/%d] %-16s %-14s %s\n", round, cfg.Runs, w.Name, im.Name, summarize(r))
				k := key{im.Name, w.Name}
				runs[k] = append(runs[k], r)
				if r.Status == statusError {
					failed = true
					res.Rows = append(res.Rows, Row{Impl: im.Name, Label: im.Label, Workload: w.Name,
						Status: statusError, Error: r.Error, Run: round})
				}
			}
		}
	}
	for _, w := range workloads {
		n := w.DefaultN
		if cfg.Quick {
			n = max(1, n/10)
		}
		for _, im := range ready {
			if !im.applies(w) {
				continue
			}
			rs := runs[key{im.Name, w.Name}]
			if len(rs) > 0 && rs[0].Status == statusUnsupported {
				res.Rows = append(res.Rows, Row{Impl: im.Name, Label: im.Label, Workload: w.Name, Status: statusUnsupported})
				continue
			}
			res.Rows = append(res.Rows, aggregate(im.ImplSpec, w, n, cfg.Quick, rs)...)
		}
	}
	res.Meta.Seconds = time.Since(start).Round(time.Second).Seconds()
	res.Meta.LoadEnd = loadAvg()
	return res, failed, nil
}

// selectWorkloads returns the named workloads (names or the groups micro,
// net and all), the micro workloads for an empty list.
func selectWorkloads(names []string) ([]WorkloadSpec, error) {
	if len(names) == 0 {
		names = []string{groupMicro}
	}
	var out []WorkloadSpec
	add := func(w WorkloadSpec) {
		if !slices.ContainsFunc(out, func(o WorkloadSpec) bool { return o.Name == w.Name }) {
			out = append(out, w)
		}
	}
	for _, name := range names {
		switch name {
		case groupMicro, groupNet, groupAll:
			for _, w := range workloadSpecs {
				if name == groupAll || (name == groupNet) == w.network() {
					add(w)
				}
			}
			continue
		}
		w, ok := workloadByName(name)
		if !ok {
			var known []string
			for _, w := range workloadSpecs {
				known = append(known, w.Name)
			}
			return nil, fmt.Errorf("unknown workload %q (known: %s, or the groups %s, %s, %s)",
				name, strings.Join(known, ", "), groupMicro, groupNet, groupAll)
		}
		add(w)
	}
	return out, nil
}

// choosePinning finds taskset and the CPU to pin to (the last one unless
// cfg.CPU says otherwise).
func choosePinning(cfg Config) pinning {
	if !cfg.Pin {
		return pinning{}
	}
	ts, err := exec.LookPath("taskset")
	if err != nil {
		return pinning{}
	}
	cpu := cfg.CPU
	if cpu < 0 {
		cpu = lastAllowedCPU(readFile("/proc/self/status"))
	}
	return pinning{taskset: ts, cpu: cpu}
}

// lastAllowedCPU returns the highest CPU in the Cpus_allowed_list line of
// a /proc/PID/status text ("0-1", "0,2-3"), or NumCPU-1 without one.
func lastAllowedCPU(status string) int {
	for l := range strings.Lines(status) {
		if rest, ok := strings.CutPrefix(l, "Cpus_allowed_list:"); ok {
			list := strings.TrimSpace(rest)
			last := list[strings.LastIndexAny(list, ",-")+1:]
			if n, err := strconv.Atoi(last); err == nil {
				return n
			}
		}
	}
	return runtime.NumCPU() - 1
}

func describePinning(p pinning, specs []ImplSpec) string {
	if p.taskset == "" {
		return "none (no taskset, or --no-pin)"
	}
	var free []string
	for _, s := range specs {
		if s.Unpinned {
			free = append(free, s.Label)
		}
	}
	d := fmt.Sprintf("every process on CPU %d (`taskset -c %d`)", p.cpu, p.cpu)
	if len(free) > 0 {
		d += " except " + strings.Join(free, ", ") + ", which may use every CPU"
	}
	return d
}

func summarize(r runResult) string {
	switch r.Status {
	case "":
		var parts []string
		for _, m := range r.Metrics {
			if m.Metric != "child_maxrss_kb" {
				parts = append(parts, fmt.Sprintf("%s=%s", m.Metric, fmtNum(m.Value)))
			}
		}
		return fmt.Sprintf("%s (%.1f s)", strings.Join(parts, " "), r.Wall.Seconds())
	case statusError:
		return "ERROR: " + r.Error
	default:
		return r.Status
	}
}

// writeOutputs writes results.jsonl, then the report and charts from it.
func writeOutputs(dir string, res Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		return err
	}
	if err := writeResults(f, res); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return writeReport(dir, res)
}

// writeReport writes results.md and one WORKLOAD.svg per workload.
func writeReport(dir string, res Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var md strings.Builder
	writeMarkdown(&md, res)
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(md.String()), 0o644); err != nil {
		return err
	}
	v := newView(res)
	for _, w := range v.workloads {
		if len(v.metrics(w)) == 0 {
			continue
		}
		var svg strings.Builder
		writeSVG(&svg, v, w)
		if err := os.WriteFile(filepath.Join(dir, w.Name+".svg"), []byte(svg.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
