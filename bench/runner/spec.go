package main

// Better says which direction of a metric is an improvement.
type Better string

// The directions of Better. An Informational metric is context (how busy
// the load generator was, how many connections a client opened): it is
// reported but never compared.
const (
	LowerIsBetter  Better = "lower"
	HigherIsBetter Better = "higher"
	Informational  Better = "neither"
)

// compared says whether aio's ratio against other impls is reported.
func (m MetricSpec) compared() bool { return m.Better != Informational }

// MetricSpec describes one metric a workload reports.
type MetricSpec struct {
	Name   string // as printed by the programs, e.g. "ns_per_op"
	Unit   string // e.g. "ns"
	Label  string // axis and table label, e.g. "time per spawn + await"
	Better Better
}

// Kind says how a workload is run.
type Kind string

// The kinds of workload.
const (
	// KindMicro: one process, "IMPL --workload NAME --n N", metrics on stdout.
	KindMicro Kind = "micro"
	// KindServer: "IMPL --workload NAME --port P" serves on one CPU while
	// bench/loadgen drives it from another; the metrics come from the load
	// generator and from /proc/stat (see runServer).
	KindServer Kind = "server"
	// KindClient: bench/loadgen's reference server on one CPU, "IMPL
	// --workload NAME --url URL --n N --concurrency C" on another; the
	// metrics come from the client's stdout (see runClient).
	KindClient Kind = "client"
)

// WorkloadSpec is one workload of bench/WORKLOADS.md.
type WorkloadSpec struct {
	Name     string
	Kind     Kind
	DefaultN int          // 0 for server workloads, which run for a time instead
	Metrics  []MetricSpec // the first is the headline metric
	LoadMode string       // KindServer: the load generator's -mode
}

// network says whether w needs the load generator and two CPUs.
func (w WorkloadSpec) network() bool { return w.Kind == KindServer || w.Kind == KindClient }

// serverMetrics are the metrics of every KindServer workload.
func serverMetrics(what string) []MetricSpec {
	return []MetricSpec{
		{"req_per_s", "req/s", what + " per second", HigherIsBetter},
		{"p50_us", "us", "median latency", LowerIsBetter},
		{"p99_us", "us", "99th percentile latency", LowerIsBetter},
		{"server_cpu_us_per_req", "us", "server CPU per request", LowerIsBetter},
		{"loadgen_core_busy_pct", "%", "load generator's CPU busy", Informational},
	}
}

// workloadSpecs lists every workload the runner knows, in report order.
var workloadSpecs = []WorkloadSpec{
	{"spawn_await", KindMicro, 200_000, []MetricSpec{
		{"ns_per_op", "ns", "time per spawn + await", LowerIsBetter}}, ""},
	{"gather_many", KindMicro, 100_000, []MetricSpec{
		{"ns_per_task", "ns", "time per gathered task", LowerIsBetter}}, ""},
	{"yield_roundtrip", KindMicro, 1_000_000, []MetricSpec{
		{"ns_per_op", "ns", "time per yield to the loop", LowerIsBetter}}, ""},
	{"timers_many", KindMicro, 100_000, []MetricSpec{
		{"wall_ms", "ms", "wall time for all timers", LowerIsBetter},
		{"peak_rss_kb", "kB", "peak resident set size", LowerIsBetter},
		{"bytes_per_task", "B", "memory per sleeping task", LowerIsBetter}}, ""},
	{"queue_pipeline", KindMicro, 500_000, []MetricSpec{
		{"ns_per_item", "ns", "time per item through the queue", LowerIsBetter}}, ""},
	{"echo_tcp", KindServer, 0, serverMetrics("echo round trips"), "echo"},
	{"http_server", KindServer, 0, serverMetrics("requests"), "http"},
	{"http_fetch", KindClient, 20_000, []MetricSpec{
		{"req_per_s", "req/s", "requests per second", HigherIsBetter},
		{"client_cpu_us_per_req", "us", "client CPU per request", LowerIsBetter},
		{"connections", "conns", "connections the client opened", Informational}}, ""},
}

// Workload groups --workload accepts besides names. Without --workload
// only the micro workloads run.
const (
	groupMicro = "micro" // the five micro workloads (the default)
	groupNet   = "net"   // echo_tcp, http_server, http_fetch
	groupAll   = "all"
)

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
