package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
)

// Row is one line of the results file: either a metric aggregated over the
// runs of one (impl, workload) (Metric set), or a status (Status set).
type Row struct {
	Impl     string    `json:"impl"`
	Label    string    `json:"label"`
	Workload string    `json:"workload,omitempty"`
	Metric   string    `json:"metric,omitempty"`
	Value    float64   `json:"value,omitempty"` // the median
	Unit     string    `json:"unit,omitempty"`
	Min      float64   `json:"min,omitempty"`
	Max      float64   `json:"max,omitempty"`
	Runs     int       `json:"runs,omitempty"`
	Samples  []float64 `json:"samples,omitempty"`
	Better   Better    `json:"better,omitempty"`
	N        int       `json:"n,omitempty"`
	Quick    bool      `json:"quick,omitempty"`
	Status   string    `json:"status,omitempty"`
	Reason   string    `json:"reason,omitempty"` // unavailable
	Error    string    `json:"error,omitempty"`  // error: the stderr tail
	Run      int       `json:"run,omitempty"`    // error: which run (1-based)
}

// Results is the content of a results file.
type Results struct {
	Meta Meta
	Rows []Row
}

// median returns the median of xs (the mean of the middle two for an even
// count); xs must not be empty.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 0 {
		return (s[m-1] + s[m]) / 2
	}
	return s[m]
}

// aggregate turns the samples of one (impl, workload) into one Row per
// metric, in the order the metrics first appeared.
func aggregate(im ImplSpec, w WorkloadSpec, n int, quick bool, runs []runResult) []Row {
	var order []string
	samples := map[string][]float64{}
	units := map[string]string{}
	for _, r := range runs {
		for _, m := range r.Metrics {
			if _, ok := samples[m.Metric]; !ok {
				order = append(order, m.Metric)
				units[m.Metric] = m.Unit
			}
			samples[m.Metric] = append(samples[m.Metric], m.Value)
		}
	}
	var rows []Row
	for _, name := range order {
		xs := samples[name]
		spec := w.metricSpec(name, units[name])
		rows = append(rows, Row{
			Impl: im.Name, Label: im.Label, Workload: w.Name, Metric: name,
			Value: median(xs), Unit: units[name], Min: slices.Min(xs), Max: slices.Max(xs),
			Runs: len(xs), Samples: xs, Better: spec.Better, N: n, Quick: quick,
		})
	}
	return rows
}

// writeResults writes the meta line and then one JSON object per row.
func writeResults(w io.Writer, res Results) error {
	enc := json.NewEncoder(w)
	if err := enc.Encode(struct {
		Meta Meta `json:"meta"`
	}{res.Meta}); err != nil {
		return err
	}
	for _, r := range res.Rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// readResults reads a file written by writeResults.
func readResults(path string) (Results, error) {
	f, err := os.Open(path)
	if err != nil {
		return Results{}, err
	}
	defer f.Close()
	var res Results
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	for ln := 1; sc.Scan(); ln++ {
		var probe struct {
			Meta *Meta `json:"meta"`
		}
		if err := json.Unmarshal(sc.Bytes(), &probe); err != nil {
			return Results{}, fmt.Errorf("%s:%d: %v", path, ln, err)
		}
		if probe.Meta != nil {
			res.Meta = *probe.Meta
			continue
		}
		var r Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return Results{}, fmt.Errorf("%s:%d: %v", path, ln, err)
		}
		res.Rows = append(res.Rows, r)
	}
	return res, sc.Err()
}
