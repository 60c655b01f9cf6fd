package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// ImplSpec is one implementation the runner can build and run.
type ImplSpec struct {
	Name  string // key in --impl and in the results, e.g. "goroutines-p1"
	Group string // --impl also accepts this, selecting every impl of the group
	Label string // shown in tables and charts
	// Unpinned impls are never pinned to one CPU (they are about using
	// several); every other impl is, when taskset is available.
	Unpinned bool
	// build prepares the impl and returns its command line (program and
	// leading arguments) and extra environment, or an error that makes the
	// impl unavailable with that reason.
	build func(b *builder) (argv, env []string, err error)
	// Only, if not nil, says which workloads the impl runs (others are not
	// run at all, not even reported as unsupported).
	Only func(WorkloadSpec) bool
}

// applies says whether the impl runs workload w.
func (s ImplSpec) applies(w WorkloadSpec) bool { return s.Only == nil || s.Only(w) }

// Filters for ImplSpec.Only.
func microOnly(w WorkloadSpec) bool      { return w.Kind == KindMicro }
func echoOnly(w WorkloadSpec) bool       { return w.Name == "echo_tcp" }
func notEcho(w WorkloadSpec) bool        { return w.Name != "echo_tcp" }
func httpServerOnly(w WorkloadSpec) bool { return w.Name == "http_server" }
func microOrEcho(w WorkloadSpec) bool    { return w.Kind == KindMicro || w.Name == "echo_tcp" }

// refImpl is the impl every other one is compared with.
const refImpl = "aio"

// implSpecs lists every impl, aio first. The unpinned variants only run
// the micro workloads (a network workload gives the impl one CPU and the
// load generator another); echo_tcp has a variant per API where a runtime
// offers two (a stream/task per connection, or protocol callbacks).
func implSpecs() []ImplSpec {
	ncpu := runtime.NumCPU()
	return []ImplSpec{
		{Name: "aio", Group: "aio", Label: "aio", build: buildAio()},
		{Name: "aio-pN", Group: "aio", Label: fmt.Sprintf("aio (GOMAXPROCS=%d, unpinned)", ncpu),
			Unpinned: true, build: buildAio(), Only: microOnly},
		{Name: "aio-protocol", Group: "aio", Label: "aio (protocol API)",
			build: buildAio("--api", "protocol"), Only: echoOnly},
		{Name: "asyncio", Group: "asyncio", Label: "asyncio", build: buildPython(false), Only: notEcho},
		{Name: "asyncio-streams", Group: "asyncio", Label: "asyncio (streams)",
			build: buildPython(false, "--variant", "streams"), Only: echoOnly},
		{Name: "asyncio-protocol", Group: "asyncio", Label: "asyncio (protocol)",
			build: buildPython(false, "--variant", "protocol"), Only: echoOnly},
		{Name: "uvloop", Group: "uvloop", Label: "uvloop", build: buildPython(true), Only: notEcho},
		{Name: "uvloop-streams", Group: "uvloop", Label: "uvloop (streams)",
			build: buildPython(true, "--variant", "streams"), Only: echoOnly},
		{Name: "uvloop-protocol", Group: "uvloop", Label: "uvloop (protocol)",
			build: buildPython(true, "--variant", "protocol"), Only: echoOnly},
		{Name: "tokio", Group: "tokio", Label: "tokio (current_thread)", build: buildTokio, Only: microOrEcho}, // HTTP: hyper
		{Name: "hyper", Group: "hyper", Label: "hyper (current_thread)", build: buildHyper, Only: httpServerOnly},
		{Name: "goroutines-p1", Group: "goroutines", Label: "goroutines (GOMAXPROCS=1)",
			build: buildGoroutines("GOMAXPROCS=1")},
		{Name: "goroutines-pN", Group: "goroutines", Label: fmt.Sprintf("goroutines (GOMAXPROCS=%d, unpinned)", ncpu),
			Unpinned: true, build: buildGoroutines(), Only: microOnly},
	}
}

// selectImpls returns the impls named (by name or group) in list, all of
// them for an empty list.
func selectImpls(list []string) ([]ImplSpec, error) {
	all := implSpecs()
	if len(list) == 0 {
		return all, nil
	}
	var out []ImplSpec
	for _, want := range list {
		found := false
		for _, im := range all {
			if im.Name == want || im.Group == want {
				found = true
				if !containsImpl(out, im.Name) {
					out = append(out, im)
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown impl %q (known: %s)", want, implNames(all))
		}
	}
	return out, nil
}

func containsImpl(list []ImplSpec, name string) bool {
	for _, im := range list {
		if im.Name == name {
			return true
		}
	}
	return false
}

func implNames(list []ImplSpec) string {
	var names []string
	for _, im := range list {
		names = append(names, im.Name)
	}
	return strings.Join(names, ", ")
}

// builder builds impls into one directory, each build at most once.
type builder struct {
	root   string // the repository
	dir    string // build outputs
	goTool string
	python string // "" until findPython ran
	done   map[string]error
}

// once runs f the first time key is asked for and remembers its error.
func (b *builder) once(key string, f func() error) error {
	if err, ok := b.done[key]; ok {
		return err
	}
	err := f()
	b.done[key] = err
	return err
}

// command runs a build step, returning its output's tail on failure.
func (b *builder) command(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s failed: %v: %s", filepath.Base(name), strings.Join(args, " "), err, tail(string(out), 3))
	}
	return nil
}

// buildAio builds cmd/aiobench; args are passed before the workload's.
func buildAio(args ...string) func(*builder) ([]string, []string, error) {
	return func(b *builder) ([]string, []string, error) {
		bin := filepath.Join(b.dir, "aiobench")
		err := b.once("aio", func() error {
			return b.command(b.root, nil, b.goTool, "build", "-trimpath", "-o", bin, "./cmd/aiobench")
		})
		return append([]string{bin}, args...), nil, err
	}
}

// buildLoadgen builds bench/loadgen and returns its path.
func (b *builder) buildLoadgen() (string, error) {
	bin := filepath.Join(b.dir, "loadgen")
	err := b.once("loadgen", func() error {
		return b.command(filepath.Join(b.root, "bench", "loadgen"), []string{"GOWORK=off"},
			b.goTool, "build", "-trimpath", "-o", bin, ".")
	})
	return bin, err
}

func buildGoroutines(env ...string) func(*builder) ([]string, []string, error) {
	return func(b *builder) ([]string, []string, error) {
		bin := filepath.Join(b.dir, "goroutines")
		err := b.once("goroutines", func() error {
			return b.command(filepath.Join(b.root, "bench", "goroutines"), []string{"GOWORK=off"},
				b.goTool, "build", "-trimpath", "-o", bin, ".")
		})
		return []string{bin}, env, err
	}
}

// debianRegistry is where Debian's librust-*-dev packages put crate sources.
const debianRegistry = "/usr/share/cargo/registry"

func buildTokio(b *builder) ([]string, []string, error) {
	return b.buildCargo("tokio", "bench-tokio", "tokio-1.*", "librust-tokio-dev")
}

func buildHyper(b *builder) ([]string, []string, error) {
	return b.buildCargo("hyper", "bench-hyper", "hyper-0.14.*", "librust-hyper-dev")
}

// buildCargo builds the crate bench/<crate> (binary bin) offline against
// debianRegistry, into its own target directory under the build outputs.
// The impl is unavailable without cargo or without a crate matching
// needGlob (e.g. "tokio-1.*") in the registry, which the Debian package pkg
// installs.
func (b *builder) buildCargo(crate, bin, needGlob, pkg string) ([]string, []string, error) {
	target := filepath.Join(b.dir, crate+"-target")
	err := b.once(crate, func() error {
		cargo, err := exec.LookPath("cargo")
		if err != nil {
			return fmt.Errorf("cargo not found in PATH (install Rust's cargo)")
		}
		if m, _ := filepath.Glob(filepath.Join(debianRegistry, needGlob)); len(m) == 0 {
			return fmt.Errorf("no %s crate in %s (run bench/setup.sh: %s)", crate, debianRegistry, pkg)
		}
		return b.command(filepath.Join(b.root, "bench", crate), []string{"CARGO_TARGET_DIR=" + target},
			cargo, "build", "--release", "--offline", "--quiet")
	})
	return []string{filepath.Join(target, "release", bin)}, nil, err
}

// buildPython finds python3 for bench/asyncio/bench.py; args are passed
// before the workload's.
func buildPython(uvloop bool, args ...string) func(*builder) ([]string, []string, error) {
	return func(b *builder) ([]string, []string, error) {
		py := b.findPython()
		if py == "" {
			return nil, nil, fmt.Errorf("python3 not found in PATH")
		}
		argv := []string{py, "-B", filepath.Join(b.root, "bench", "asyncio", "bench.py")}
		env := []string{"PYTHONDONTWRITEBYTECODE=1"}
		if uvloop {
			if err := exec.Command(py, "-c", "import uvloop").Run(); err != nil {
				return nil, nil, fmt.Errorf("%s cannot import uvloop (run bench/setup.sh: python3-uvloop)", py)
			}
			argv = append(argv, "--uvloop")
		}
		return append(argv, args...), env, nil
	}
}

// findPython returns $PYTHON, else the first python3 on PATH that can
// import uvloop, else the first python3 (so asyncio still runs).
func (b *builder) findPython() string {
	if b.python != "" {
		return b.python
	}
	if p := os.Getenv("PYTHON"); p != "" {
		b.python = p
		return p
	}
	var first string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		for _, name := range []string{"python3", "python3.11"} {
			p := filepath.Join(dir, name)
			if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
				continue
			}
			if first == "" {
				first = p
			}
			if exec.Command(p, "-c", "import uvloop").Run() == nil {
				b.python = p
				return p
			}
		}
	}
	b.python = first
	return first
}

// tail returns the last n non-empty lines of s, joined by " | ".
func tail(s string, n int) string {
	var lines []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
