package main

import (
	"math"
	"slices"
	"time"
)

// latencySummary is one case of one run: latency percentiles and
// throughput.
type latencySummary struct {
	N         int
	Median    time.Duration
	P90       time.Duration
	P99       time.Duration
	PerSecond float64 // N / wall time from the first send to the last success
}

// summarize computes the percentiles of latencies (nearest rank) and the
// throughput over wall. It does not keep latencies.
func summarize(latencies []time.Duration, wall time.Duration) latencySummary {
	sorted := slices.Clone(latencies)
	slices.Sort(sorted)
	s := latencySummary{N: len(sorted), Median: percentile(sorted, 50), P90: percentile(sorted, 90), P99: percentile(sorted, 99)}
	if wall > 0 {
		s.PerSecond = float64(len(sorted)) / wall.Seconds()
	}
	return s
}

// percentile is the nearest-rank p-th percentile of sorted values: the
// smallest value with at least p% of the values at or below it; 0 for no
// values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// median is the middle value (the mean of the two middle ones for an even
// count); 0 for none.
func median[T ~int64 | ~float64 | ~uint64](values []T) T {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return sorted[mid-1] + (sorted[mid]-sorted[mid-1])/2
}

// medianOf maps each run to a value and takes the median.
func medianOf[R any, T ~int64 | ~float64 | ~uint64](runs []R, value func(R) T) T {
	values := make([]T, len(runs))
	for i, r := range runs {
		values[i] = value(r)
	}
	return median(values)
}
