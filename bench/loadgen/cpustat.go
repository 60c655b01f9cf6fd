package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// cpuTicks is one CPU's line of /proc/stat: busy and total clock ticks.
type cpuTicks struct{ busy, total uint64 }

// readCPUTicks returns the ticks of the given CPUs from /proc/stat.
func readCPUTicks(cpus []int) (map[int]cpuTicks, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil, err
	}
	return parseCPUTicks(string(b), cpus)
}

// parseCPUTicks reads the "cpuN" lines of a /proc/stat text. Busy is
// user+nice+system+irq+softirq+steal; total adds idle and iowait (guest
// time is already inside user and nice).
func parseCPUTicks(stat string, cpus []int) (map[int]cpuTicks, error) {
	out := map[int]cpuTicks{}
	for line := range strings.Lines(stat) {
		f := strings.Fields(line)
		if len(f) < 9 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		id, err := strconv.Atoi(f[0][3:])
		if err != nil {
			continue
		}
		var v [8]uint64 // user nice system idle iowait irq softirq steal
		for i := range v {
			if v[i], err = strconv.ParseUint(f[1+i], 10, 64); err != nil {
				return nil, fmt.Errorf("/proc/stat %s: %v", f[0], err)
			}
		}
		busy := v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
		out[id] = cpuTicks{busy: busy, total: busy + v[3] + v[4]}
	}
	for _, c := range cpus {
		if _, ok := out[c]; !ok {
			return nil, fmt.Errorf("/proc/stat has no cpu%d", c)
		}
	}
	return out, nil
}

// busyFraction is the share of the ticks between a and b that were busy.
func busyFraction(a, b cpuTicks) float64 {
	if b.total <= a.total {
		return 0
	}
	return float64(b.busy-a.busy) / float64(b.total-a.total)
}
