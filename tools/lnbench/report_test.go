package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string // "" for valid
	}{
		{"default", func(*Config) {}, ""},
		{"fulmen only", func(c *Config) { c.Impls = []string{implFulmen} }, ""},
		{"no runs", func(c *Config) { c.Runs = 0 }, "runs"},
		{"unknown implementation", func(c *Config) { c.Impls = []string{"eclair"} }, "eclair"},
		{"twice", func(c *Config) { c.Impls = []string{implLnd, implLnd} }, "twice"},
		{"none", func(c *Config) { c.Impls = nil }, "no implementation"},
		{"negative warm-up", func(c *Config) { c.Warmup = -1 }, "warm-up"},
		{"zero amount", func(c *Config) { c.Amount = 0 }, "amount"},
		{"tiny channel", func(c *Config) { c.ChannelSize = 10_000 }, "channel size"},
		{"no case", func(c *Config) { c.Cases = nil }, "no case"},
		{"zero payments", func(c *Config) { c.Cases = defaultCases(0, 400, 100) }, "n 0"},
		{"three hops", func(c *Config) { c.Cases = []caseSpec{{Name: "x", Hops: 3, Payers: 1, N: 1}} }, "hops 3"},
		{"spends the channel", func(c *Config) { c.Cases = defaultCases(10_000, 400, 100) }, "90%"},
		{"short timeout", func(c *Config) { c.PayTimeout = time.Millisecond }, "timeout"},
	} {
		cfg := DefaultConfig()
		tc.change(&cfg)
		err := cfg.Validate()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, errInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want errInvalidConfig mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	cfg, opts, err := parseFlags([]string{"-impl", "fulmen", "-runs", "1", "-n-seq", "7", "-n-2hop", "3", "-out", "x.md"}, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Runs != 1 || len(cfg.Impls) != 1 || cfg.Cases[0].N != 7 || cfg.Cases[1].N != 400 || cfg.Cases[3].N != 3 || opts.out != "x.md" {
		t.Errorf("cfg %+v, opts %+v", cfg, opts)
	}
	if cfg.Cases[1].Payers != 8 || cfg.Cases[2].Payers != 16 || cfg.Cases[3].Hops != 2 {
		t.Errorf("cases %+v", cfg.Cases)
	}
	if _, _, err := parseFlags([]string{"-impl", "cln"}, &strings.Builder{}); !errors.Is(err, errInvalidConfig) {
		t.Errorf("unknown implementation: %v", err)
	}
	if _, _, err := parseFlags([]string{"extra"}, &strings.Builder{}); !errors.Is(err, errInvalidConfig) {
		t.Errorf("extra argument: %v", err)
	}
}

// twoRuns are two runs of each implementation: Fulmen without two hops.
func twoRuns(cases []caseSpec) []lineRun {
	var runs []lineRun
	for run, scale := range []time.Duration{1, 3} {
		f := lineRun{Impl: implFulmen, ChannelType: "anchors", Run: run + 1, RSSIdle: [3]uint64{20480, 20480, 20480},
			RSSAfter: [3]uint64{30720, 30720, 30720}, IdleCPU: [3]float64{0.01, 0.01, 0.01},
			Restart: restartTiming{RPCUp: 100 * time.Millisecond * scale, Active: 200 * time.Millisecond * scale}}
		l := lineRun{Impl: implLnd, ChannelType: "ANCHORS", Run: run + 1, RSSIdle: [3]uint64{81920, 81920, 81920},
			RSSAfter: [3]uint64{102400, 102400, 102400}, Restart: restartTiming{RPCUp: 3 * time.Second, Active: 4 * time.Second}}
		for _, spec := range cases {
			fc := caseResult{Spec: spec, Method: "`pay`", Summary: latencySummary{N: spec.N, Median: 10 * time.Millisecond * scale,
				P90: 20 * time.Millisecond * scale, P99: 30 * time.Millisecond * scale, PerSecond: 100 / float64(scale)},
				CPU: [3]time.Duration{time.Millisecond, time.Millisecond, 0}}
			if spec.Hops == 2 {
				fc = caseResult{Spec: spec, Method: "`pay`", Unsupported: "not supported yet: no forwarding"}
			}
			lc := caseResult{Spec: spec, Method: "REST", Summary: latencySummary{N: spec.N, Median: 100 * time.Millisecond,
				P90: 150 * time.Millisecond, P99: 400 * time.Millisecond, PerSecond: 10},
				CPU: [3]time.Duration{10 * time.Millisecond, 8 * time.Millisecond, 2 * time.Millisecond}}
			f.Cases, l.Cases = append(f.Cases, fc), append(l.Cases, lc)
		}
		runs = append(runs, f, l)
	}
	return runs
}

func TestSummarizeRuns(t *testing.T) {
	cfg := DefaultConfig()
	s := summarizeRuns(twoRuns(cfg.Cases), implFulmen, cfg.Cases)
	if s.Runs != 2 || len(s.Cases) != 4 || s.ChannelType != "anchors" {
		t.Fatalf("summary %+v", s)
	}
	// Medians of 10 ms and 30 ms, of 100/s and 33.3/s.
	seq := s.Cases[0]
	if !seq.ok() || seq.Median != 20*time.Millisecond || seq.P99 != 60*time.Millisecond || seq.Runs != 2 {
		t.Errorf("sequential %+v", seq)
	}
	if want := (100 + 100.0/3) / 2; seq.PerSecond < want-1e-9 || seq.PerSecond > want+1e-9 {
		t.Errorf("per second %v, want %v", seq.PerSecond, want)
	}
	if s.Restart.RPCUp != 200*time.Millisecond || s.Restart.Active != 400*time.Millisecond {
		t.Errorf("restart %+v", s.Restart)
	}
	if twoHop := s.Cases[3]; twoHop.ok() || twoHop.Unsupported == "" || twoHop.Median != 0 {
		t.Errorf("2-hop %+v", twoHop)
	}
	// One failed run makes the case fail: no median of the others.
	runs := twoRuns(cfg.Cases)
	runs[2].Cases[0] = caseResult{Spec: cfg.Cases[0], Failed: "payment 3 of 200: boom"}
	if c := summarizeRuns(runs, implFulmen, cfg.Cases).Cases[0]; c.ok() || c.Failed == "" {
		t.Errorf("failed run summarized as %+v", c)
	}
	runs[0].RestartErr = "timed out"
	if r := summarizeRuns(runs, implFulmen, cfg.Cases); r.RestartErr != "timed out" || r.Restart.RPCUp != 0 {
		t.Errorf("restart error summarized as %+v, %q", r.Restart, r.RestartErr)
	}
	if none := summarizeRuns(runs, "eclair", cfg.Cases); none.Runs != 0 || none.Cases != nil {
		t.Errorf("no runs summarized as %+v", none)
	}
}

func TestRenderReport(t *testing.T) {
	cfg := DefaultConfig()
	runs := twoRuns(cfg.Cases)
	meta := reportMeta{Date: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), Machine: "2 cores", GoVersion: "go1.26.8",
		FulmenCommit: "abc123", LndVersion: "v0.21.3-beta", LoadMin: 1.5, LoadMax: 3.25, Command: "scripts/bench-vs-lnd.sh", Cfg: cfg}
	both := renderReport(meta, []implSummary{summarizeRuns(runs, implFulmen, cfg.Cases), summarizeRuns(runs, implLnd, cfg.Cases)})
	for _, want := range []string{
		"Measured 2026-11-23 on 2 cores; 1-minute load average 1.50–3.25",
		"median of 3 runs", "10,000,000 sat channels", "1,000-sat payments", "`scripts/bench-vs-lnd.sh`",
		"| Fulmen median / p90 / p99 (ms) | lnd median / p90 / p99 (ms) | Fulmen payments/s | lnd payments/s | lnd ÷ Fulmen, median latency | Fulmen ÷ lnd, payments/s |",
		// Fulmen 20/40/60 ms and 66.7/s; lnd 100/150/400 ms and 10/s.
		"| direct A→B, sequential | 200 | 20.0 / 40.0 / 60.0 | 100 / 150 / 400 | 66.7 | 10.0 | 5.0× | 6.7× |",
		"| 2-hop A→B→C, sequential | 100 | not supported yet [1] | 100 / 150 / 400 | — | 10.0 | — | — |",
		"| direct A→B, sequential | 1.00 / 1.00 / 0.00 | 10.00 / 8.00 / 2.00 | 10.0× |",
		"| RSS idle, MiB (A / B / C) | 20 / 20 / 20 | 80 / 80 / 80 | 4.0× |",
		"| CPU while idle, % of a core (A / B / C) | 1.0 / 1.0 / 1.0 | 0.0 / 0.0 / 0.0 | 0.0× |",
		"| restart of A → RPC answers, ms | 200 | 3,000 | 15.0× |",
		"[1] not supported yet: no forwarding",
		"- Fulmen: channel type anchors; one payment is direct: `pay`; 2-hop: `pay`.",
	} {
		if !strings.Contains(both, want) {
			t.Errorf("report lacks %q:\n%s", want, both)
		}
	}
	only := renderReport(meta, []implSummary{summarizeRuns(runs, implFulmen, cfg.Cases)})
	if strings.Contains(only, "÷") || strings.Contains(only, "lnd median") {
		t.Errorf("a Fulmen-only report compares with lnd:\n%s", only)
	}
	if !strings.Contains(only, "| direct A→B, sequential | 200 | 20.0 / 40.0 / 60.0 | 66.7 |") {
		t.Errorf("Fulmen-only report:\n%s", only)
	}
	// Every table row has as many cells as its header.
	for _, table := range strings.Split(both, "\n\n") {
		lines := strings.Split(strings.TrimSpace(table), "\n")
		if !strings.HasPrefix(lines[0], "|") {
			continue
		}
		for _, l := range lines[1:] {
			if strings.Count(l, "|") != strings.Count(lines[0], "|") {
				t.Errorf("row %q does not match header %q", l, lines[0])
			}
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 10_000_000: "10,000,000", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	if ratio(1, 0) != "—" || ratio(3, 2) != "1.5×" {
		t.Errorf("ratio: %q %q", ratio(1, 0), ratio(3, 2))
	}
}

func TestCommandDropsOutputFlags(t *testing.T) {
	t.Setenv("LNBENCH_COMMAND", "scripts/bench-vs-lnd.sh")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "scripts/bench-vs-lnd.sh"},
		{[]string{"-runs", "5", "-out", "x.md", "-raw=r.json", "-keep", "--dir", "/tmp/d", "-impl", "lnd"},
			"scripts/bench-vs-lnd.sh -runs 5 -impl lnd"},
		{[]string{"-keep=true", "-n-seq=10"}, "scripts/bench-vs-lnd.sh -n-seq=10"},
	} {
		if got := command(tc.args); got != tc.want {
			t.Errorf("command(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
