package main

import "math/bits"

// hist is a fixed-bucket latency histogram in nanoseconds, log-linear like
// HDR histograms: values below 64 ns have a bucket each, above that every
// power of two is split into 64 equal buckets, so a bucket is at most
// 1/64 (1.6 %) of its values wide. It covers up to 2^42 ns (about 73 min);
// larger values land in the last bucket.
type hist struct {
	counts [histBuckets]uint64
	n      uint64
}

const (
	subBits     = 6
	subCount    = 1 << subBits // buckets per power of two
	maxShift    = 42 - subBits - 1
	histBuckets = subCount + (maxShift+1)*subCount
)

// bucket returns the index of the bucket holding v.
func bucket(v uint64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1 // v>>shift is in [64, 128)
	if shift > maxShift {
		return histBuckets - 1
	}
	return subCount + shift*subCount + int(v>>shift) - subCount
}

// bucketRange returns the smallest value of bucket i and its width.
func bucketRange(i int) (lo, width uint64) {
	if i < subCount {
		return uint64(i), 1
	}
	shift := uint((i - subCount) / subCount)
	lo = uint64(subCount+(i-subCount)%subCount) << shift
	return lo, 1 << shift
}

func (h *hist) record(ns int64) {
	if ns < 0 {
		ns = 0
	}
	h.counts[bucket(uint64(ns))]++
	h.n++
}

func (h *hist) merge(o *hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// quantile returns the value at quantile q (0 < q ≤ 1): the middle of the
// bucket holding the ceil(q·n)-th smallest value; 0 for an empty histogram.
func (h *hist) quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q * float64(h.n))
	if float64(rank) < q*float64(h.n) {
		rank++
	}
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, w := bucketRange(i)
			return float64(lo) + float64(w-1)/2
		}
	}
	return 0 // not reached
}
