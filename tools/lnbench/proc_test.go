package main

import (
	"errors"
	"os"
	"testing"
	"time"
)

func TestParseStatTicks(t *testing.T) {
	// A real line's shape (proc(5)): pid (comm) state ppid ... utime stime ...
	const normal = "4242 (fulmend) S 1 4242 4242 0 -1 4194560 2000 0 0 0 731 112 0 0 20 0 9 0 5000 1500000000 7000 " +
		"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0"
	for _, tc := range []struct {
		name    string
		stat    string
		want    uint64
		wantErr bool
	}{
		{"fulmend", normal, 731 + 112, false},
		{"command with spaces and parentheses", "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0", 11, false},
		{"no parenthesis", "7 lnd R 1 7 7 0 -1 0 0 0 0 0 5 6", 0, true},
		{"truncated", "7 (lnd) R 1 7 7 0 -1 0 0 0 0 0 5", 0, true},
		{"not a number", "7 (lnd) R 1 7 7 0 -1 0 0 0 0 0 x 6 0", 0, true},
		{"empty", "", 0, true},
	} {
		got, err := parseStatTicks([]byte(tc.stat))
		if tc.wantErr {
			if !errors.Is(err, errProcFormat) {
				t.Errorf("%s: err = %v, want errProcFormat", tc.name, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}

func TestParseVmRSS(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  string
		want    uint64
		wantErr bool
	}{
		{"status", "Name:\tlnd\nVmPeak:\t  900000 kB\nVmRSS:\t   84512 kB\nRssAnon:\t 60000 kB\n", 84512, false},
		{"no VmRSS (a zombie)", "Name:\tlnd\nState:\tZ (zombie)\n", 0, true},
		{"other unit", "VmRSS:\t 12 MB\n", 0, true},
		{"garbled", "VmRSS:\t x kB\n", 0, true},
	} {
		got, err := parseVmRSS([]byte(tc.status))
		if tc.wantErr {
			if !errors.Is(err, errProcFormat) {
				t.Errorf("%s: err = %v, want errProcFormat", tc.name, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}

// TestReadOwnProcess reads this test process: RSS is positive and CPU
// time grows while it computes.
func TestReadOwnProcess(t *testing.T) {
	pid := os.Getpid()
	rss, err := rssKiB(pid)
	if err != nil || rss == 0 {
		t.Fatalf("rss %d, %v", rss, err)
	}
	r := cpuReader{hz: clockTicks()}
	if r.hz <= 0 {
		t.Fatalf("clock ticks %d", r.hz)
	}
	before, err := r.cpu(pid)
	if err != nil {
		t.Fatal(err)
	}
	x := uint64(1)
	for start := time.Now(); time.Since(start) < 100*time.Millisecond; {
		x = x*6364136223846793005 + 1442695040888963407
	}
	after, err := r.cpu(pid)
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Fatalf("CPU time %v then %v after 100ms of work (x=%d)", before, after, x)
	}
	if _, err := r.cpu(1 << 30); err == nil {
		t.Fatal("reading a process that does not exist succeeded")
	}
	if load, err := loadAverage(); err != nil || load < 0 {
		t.Fatalf("load average %v, %v", load, err)
	}
}
