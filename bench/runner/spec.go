package main

// Better says which direction of a metric is an improvement.
type Better string

// The two directions of Better.
const (
	LowerIsBetter  Better = "lower"
	HigherIsBetter Better = "higher"
)

// MetricSpec describes one metric a workload reports.
type MetricSpec struct {
	Name   string // as printed by the programs, e.g. "ns_per_op"
	Unit   string // e.g. "ns"
	Label  string // axis and table label, e.g. "time per spawn + await"
	Better Better
}

// Kind says how a workload is run. Only KindMicro exists so far; a network
// workload (server + load generator) would add its own kind and its own
// branch in runOnce.
type Kind string

// KindMicro: one process, "IMPL --workload NAME --n N", metrics on stdout.
const KindMicro Kind = "micro"

// WorkloadSpec is one workload of bench/WORKLOADS.md.
type WorkloadSpec struct {
	Name     string
	Kind     Kind
	DefaultN int
	Metrics  []MetricSpec // the first is the headline metric
}

// workloadSpecs lists every workload the runner knows, in report order.
var workloadSpecs = []WorkloadSpec{
	{"spawn_await", KindMicro, 200_000, []MetricSpec{
		{"ns_per_op", "ns", "time per spawn + await", LowerIsBetter}}},
	{"gather_many", KindMicro, 100_000, []MetricSpec{
		{"ns_per_task", "ns", "time per gathered task", LowerIsBetter}}},
	{"yield_roundtrip", KindMicro, 1_000_000, []MetricSpec{
		{"ns_per_op", "ns", "time per yield to the loop", LowerIsBetter}}},
	{"timers_many", KindMicro, 100_000, []MetricSpec{
		{"wall_ms", "ms", "wall time for all timers", LowerIsBetter},
		{"peak_rss_kb", "kB", "peak resident set size", LowerIsBetter},
		{"bytes_per_task", "B", "memory per sleeping task", LowerIsBetter}}},
	{"queue_pipeline", KindMicro, 500_000, []MetricSpec{
		{"ns_per_item", "ns", "time per item through the queue", LowerIsBetter}}},
}

// workloadByName returns the spec of the named workload.
func workloadByName(name string) (WorkloadSpec, bool) {
	for _, w := range workloadSpecs {
		if w.Name == name {
			return w, true
		}
	}
	return WorkloadSpec{}, false
}

// metricSpec returns the spec of one metric of w; metrics w does not
// declare are reported as lower-is-better with the unit seen.
func (w WorkloadSpec) metricSpec(name, unit string) MetricSpec {
	for _, m := range w.Metrics {
		if m.Name == name {
			return m
		}
	}
	return MetricSpec{Name: name, Unit: unit, Label: name, Better: LowerIsBetter}
}
