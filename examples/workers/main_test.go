package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runVirtual runs the example on a virtual clock with the RNG seeded by seed
// and returns its output lines, the virtual time it took and the durations
// of its jobs. It fails the test if the loop reported any error.
func runVirtual(t *testing.T, seed uint64) (lines []string, elapsed time.Duration, jobs []time.Duration) {
	t.Helper()
	lines, elapsed = exampletest.RunTimed(t, func(w io.Writer, opts ...aio.Option) error {
		return run(w, rand.New(rand.NewPCG(seed, 0)), opts...)
	})
	return lines, elapsed, jobDurations(rand.New(rand.NewPCG(seed, 0)))
}

var (
	sleepingLine = regexp.MustCompile(`^Worker ([0-9]+) sleeping for ([0-9.]+)s\.$`)
	wokeLine     = regexp.MustCompile(`^Worker ([0-9]+) woke up\.$`)
)

// TestWorkersProcessEveryJobOnceInQueueOrderAndTerminate checks the
// transcript's structure: the fixed banner lines in order, every job
// started (in queue order, with its own duration) and finished exactly once,
// a worker never starts a job before finishing its previous one, and
// "Jobs finished." only after the last job woke up.
func TestWorkersProcessEveryJobOnceInQueueOrderAndTerminate(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			lines, _, jobs := runVirtual(t, seed)
			head := []string{"Creating jobs...", "Creating and starting workers...", "Waiting for jobs to be completed."}
			tail := []string{"Jobs finished.", "Terminating workers...", "Workers terminated. Example finished."}
			if len(lines) != len(head)+2*numJobs+len(tail) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(head)+2*numJobs+len(tail), strings.Join(lines, "\n"))
			}
			exampletest.Lines(t, lines[:len(head)], head)
			exampletest.Lines(t, lines[len(lines)-len(tail):], tail)
			busy := map[string]bool{} // worker id -> sleeping
			started, woke := 0, 0
			for _, l := range lines[len(head) : len(lines)-len(tail)] {
				if m := sleepingLine.FindStringSubmatch(l); m != nil {
					if busy[m[1]] {
						t.Errorf("worker %s started a job before waking up: %q", m[1], l)
					}
					if want := seconds(jobs[started]); m[2] != want {
						t.Errorf("job %d printed as %ss, want %ss", started, m[2], want)
					}
					busy[m[1]] = true
					started++
					continue
				}
				if m := wokeLine.FindStringSubmatch(l); m != nil {
					if !busy[m[1]] {
						t.Errorf("worker %s woke up without sleeping: %q", m[1], l)
					}
					busy[m[1]] = false
					woke++
					continue
				}
				t.Errorf("unexpected line %q", l)
			}
			if started != numJobs || woke != numJobs {
				t.Errorf("%d jobs started and %d woke up, want %d each", started, woke, numJobs)
			}
			if len(busy) != numWorkers {
				t.Errorf("%d workers took jobs, want %d", len(busy), numWorkers)
			}
		})
	}
}

// TestWorkersRunConcurrentlyAndFollowTheLoopsSchedule replays the jobs by
// hand — each job goes to the worker that frees up first, at the instant it
// frees up — and checks the exact transcript and that the run took exactly
// the virtual time of that schedule, far less than the jobs' total.
func TestWorkersRunConcurrentlyAndFollowTheLoopsSchedule(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			lines, elapsed, jobs := runVirtual(t, seed)

			want := []string{"Creating jobs...", "Creating and starting workers...", "Waiting for jobs to be completed."}
			type sleeper struct {
				id  int
				end time.Duration
				seq int // timer creation order breaks ties
			}
			var sleeping []sleeper
			seq, next := 0, 0
			start := func(id int, now time.Duration) {
				want = append(want, fmt.Sprintf("Worker %d sleeping for %ss.", id, seconds(jobs[next])))
				sleeping = append(sleeping, sleeper{id, now + jobs[next], seq})
				seq++
				next++
			}
			for id := range numWorkers {
				start(id, 0)
			}
			var now, total time.Duration
			for _, d := range jobs {
				total += d
			}
			for len(sleeping) > 0 {
				first := 0
				for i, s := range sleeping {
					if s.end < sleeping[first].end || s.end == sleeping[first].end && s.seq < sleeping[first].seq {
						first = i
					}
				}
				s := sleeping[first]
				sleeping = append(sleeping[:first], sleeping[first+1:]...)
				now = s.end
				want = append(want, fmt.Sprintf("Worker %d woke up.", s.id))
				if next < len(jobs) {
					start(s.id, now)
				}
			}
			want = append(want, "Jobs finished.", "Terminating workers...", "Workers terminated. Example finished.")

			exampletest.Lines(t, lines, want)
			if elapsed != now {
				t.Errorf("the run took %v of virtual time, want %v (the schedule's makespan)", elapsed, now)
			}
			// Three workers: well under the sequential total.
			if elapsed >= total*2/3 {
				t.Errorf("the run took %v for %v of jobs: not concurrent", elapsed, total)
			}
		})
	}
}

// TestSecondsFormatsLikePythonTwoSignificantDigits pins the sleep format
// shown in the seed ("0.15s", "0.7s") and Python's ".0" for round values.
func TestSecondsFormatsLikePythonTwoSignificantDigits(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{150 * time.Millisecond, "0.15"},
		{700 * time.Millisecond, "0.7"},
		{123 * time.Millisecond, "0.12"},
		{987 * time.Millisecond, "0.99"},
		{996 * time.Millisecond, "1.0"},
		{100 * time.Millisecond, "0.1"},
	} {
		if got := seconds(c.d); got != c.want {
			t.Errorf("seconds(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
