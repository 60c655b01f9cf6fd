package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Meta describes one invocation of the runner: when, where, with what.
type Meta struct {
	Date      string            `json:"date"` // UTC, RFC 3339, at the start
	Command   string            `json:"command"`
	Runs      int               `json:"runs"`
	Quick     bool              `json:"quick,omitempty"`
	Pinning   string            `json:"pinning"`
	Net       string            `json:"net,omitempty"` // how the network workloads ran, or why not
	CPU       string            `json:"cpu"`
	NCPU      int               `json:"ncpu"`
	Kernel    string            `json:"kernel"`
	Commit    string            `json:"commit,omitempty"` // of the repository, "+dirty" if modified
	Versions  map[string]string `json:"versions,omitempty"`
	LoadStart string            `json:"load_start,omitempty"` // /proc/loadavg
	LoadEnd   string            `json:"load_end,omitempty"`
	Seconds   float64           `json:"seconds,omitempty"` // the whole run
}

// machineMeta fills in what is known before the runs.
func machineMeta(root string) Meta {
	m := Meta{
		Date:      time.Now().UTC().Format(time.RFC3339),
		NCPU:      runtime.NumCPU(),
		CPU:       cpuModel(),
		Kernel:    firstLine(readFile("/proc/sys/kernel/osrelease")),
		LoadStart: loadAvg(),
		Versions:  map[string]string{},
	}
	if c := output(root, "git", "rev-parse", "--short", "HEAD"); c != "" {
		if output(root, "git", "status", "--porcelain", "--untracked-files=no") != "" {
			c += "+dirty"
		}
		m.Commit = c
	}
	return m
}

// addVersions records the versions of the toolchains the built impls use.
func addVersions(m *Meta, b *builder, impls []builtImpl) {
	m.Versions["go"] = output(b.root, b.goTool, "env", "GOVERSION")
	for _, im := range impls {
		switch im.Group {
		case "asyncio", "uvloop":
			py := im.argv[0]
			m.Versions["python"] = strings.TrimPrefix(output("", py, "--version"), "Python ")
			if im.Group == "uvloop" {
				m.Versions["uvloop"] = output("", py, "-c", "import uvloop; print(uvloop.__version__)")
			}
			// -I: the repository's own aiohttp directory (Go) must not
			// shadow Python's package when run from the repository root.
			m.Versions["aiohttp"] = output("", py, "-I", "-c", "import aiohttp; print(aiohttp.__version__)")
		case "tokio", "hyper":
			m.Versions["rustc"] = strings.TrimPrefix(output("", "rustc", "--version"), "rustc ")
			// Each crate's Cargo.lock is written by its build, from the
			// crates the Debian release ships.
			lock := filepath.Join(b.root, "bench", im.Group, "Cargo.lock")
			m.Versions[im.Group] = lockedVersion(lock, im.Group)
			if m.Versions["tokio"] == "" {
				m.Versions["tokio"] = lockedVersion(lock, "tokio")
			}
		}
	}
	for k, v := range m.Versions {
		if v == "" {
			delete(m.Versions, k)
		}
	}
}

// lockedVersion returns the version of package name in a Cargo.lock.
func lockedVersion(lockFile, name string) string {
	lines := strings.Split(readFile(lockFile), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == `name = "`+name+`"` && i+1 < len(lines) {
			v, ok := strings.CutPrefix(strings.TrimSpace(lines[i+1]), "version = ")
			if ok {
				return strings.Trim(v, `"`)
			}
		}
	}
	return ""
}

func cpuModel() string {
	for l := range strings.Lines(readFile("/proc/cpuinfo")) {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func loadAvg() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l)
}

// output runs a command and returns the first line of its stdout, or ""
// if it fails.
func output(dir, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return firstLine(string(out))
}
