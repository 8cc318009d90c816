package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func ms2(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond // 1..100 ms
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", ms2(7), 99, 7 * time.Millisecond},
		{"median of 100", hundred, 50, 50 * time.Millisecond},
		{"p90 of 100", hundred, 90, 90 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p100 of 100", hundred, 100, 100 * time.Millisecond},
		{"p0 is the minimum", hundred, 0, time.Millisecond},
		// Nearest rank: ceil(0.9 × 5) = 5th value.
		{"p90 of 5", ms2(1, 2, 3, 4, 5), 90, 5 * time.Millisecond},
		{"median of 4", ms2(1, 2, 3, 4), 50, 2 * time.Millisecond},
	} {
		if got := percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("%s: percentile(%v) = %v, want %v", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	lat := ms2(30, 10, 20, 50, 40)
	s := summarize(lat, 2*time.Second)
	if s.N != 5 || s.Median != 30*time.Millisecond || s.P90 != 50*time.Millisecond || s.P99 != 50*time.Millisecond {
		t.Errorf("summary %+v", s)
	}
	if s.PerSecond != 2.5 {
		t.Errorf("per second %v, want 2.5", s.PerSecond)
	}
	if !slices.Equal(lat, ms2(30, 10, 20, 50, 40)) {
		t.Errorf("summarize reordered its input: %v", lat)
	}
	if z := summarize(nil, 0); z.N != 0 || z.PerSecond != 0 || z.Median != 0 {
		t.Errorf("empty summary %+v", z)
	}
}

func TestMedian(t *testing.T) {
	if got := median([]int64{5, 1, 3}); got != 3 {
		t.Errorf("odd median %d", got)
	}
	if got := median([]int64{4, 1, 3, 2}); got != 2 {
		t.Errorf("even median of ints %d, want 2 (2 + (3-2)/2)", got)
	}
	if got := median([]float64{1, 2}); got != 1.5 {
		t.Errorf("even median of floats %v", got)
	}
	if got := median([]uint64{}); got != 0 {
		t.Errorf("empty median %d", got)
	}
	if got := median([]uint64{10, 2}); got != 6 {
		t.Errorf("unsigned even median %d (must not underflow)", got)
	}
	in := []float64{3, 1, 2}
	median(in)
	if !slices.Equal(in, []float64{3, 1, 2}) {
		t.Errorf("median sorted its input: %v", in)
	}
}

// FuzzPercentileOrdered: on any values, median <= p90 <= p99 and each is
// one of the values.
func FuzzPercentileOrdered(f *testing.F) {
	f.Add(uint64(1), 10)
	f.Add(uint64(42), 1)
	f.Add(uint64(7), 200)
	f.Fuzz(func(t *testing.T, seed uint64, n int) {
		n = n%500 + 1
		if n <= 0 {
			n += 500
		}
		rng := rand.New(rand.NewPCG(seed, seed))
		lat := make([]time.Duration, n)
		for i := range lat {
			lat[i] = time.Duration(rng.Int64N(int64(time.Second)))
		}
		s := summarize(lat, time.Second)
		if s.Median > s.P90 || s.P90 > s.P99 {
			t.Fatalf("unordered %+v", s)
		}
		for _, v := range []time.Duration{s.Median, s.P90, s.P99} {
			if !slices.Contains(lat, v) {
				t.Fatalf("%v is not one of the values", v)
			}
		}
	})
}
