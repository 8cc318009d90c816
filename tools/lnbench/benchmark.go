package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/lndtest"
)

// idlePause is how long a new line sits idle before its RSS is read.
const idlePause = 2 * time.Second

// lineRun is everything measured on one line in one run.
type lineRun struct {
	Impl        string // as Config.Impls names it
	ChannelType string
	Run         int
	Cases       []caseResult
	// RSSIdle is each node's VmRSS (KiB) once the channels are active and
	// before any payment; RSSAfter after the last case, before the restart.
	RSSIdle, RSSAfter [3]uint64
	// IdleCPU is each node's CPU use while idle, in cores (0.01 is 1% of
	// one core), read over idlePause before the cases.
	IdleCPU    [3]float64
	Restart    restartTiming
	RestartErr string
	// Load is the 1-minute load average before and after the line's run.
	Load [2]float64
}

// benchmark runs every line of a Config on one regtest chain.
type benchmark struct {
	cfg      Config
	net      *devnet.Network
	lnd      lndtest.Binaries
	dir      string
	progress io.Writer
	runner   caseRunner
}

// newBenchmark builds fulmend (into dir/bin), starts the chain (dir/btcd)
// and, when lnd is measured, installs it (scripts/install-lnd.sh, cached).
func newBenchmark(ctx context.Context, cfg Config, dir string, progress io.Writer) (*benchmark, error) {
	b := &benchmark{cfg: cfg, dir: dir, progress: progress, runner: caseRunner{cfg: cfg, cpu: cpuReader{hz: clockTicks()}}}
	if slices.Contains(cfg.Impls, implLnd) {
		bin, err := lndtest.InstallWithProgress(ctx, progress)
		if err != nil {
			return nil, err
		}
		b.lnd = bin
	}
	b.logf("building fulmend and starting btcd in %s", dir)
	net, err := devnet.NewNetwork(ctx, dir, filepath.Join(dir, "bin"))
	if err != nil {
		return nil, err
	}
	b.net = net
	return b, nil
}

// Close stops the chain.
func (b *benchmark) Close(ctx context.Context) { b.net.Close(ctx) }

func (b *benchmark) logf(format string, args ...any) {
	fmt.Fprintf(b.progress, "lnbench: "+format+"\n", args...)
}

// runAll measures each implementation cfg.Runs times, alternating which
// goes first so that a drift in the machine's load falls on both.
func (b *benchmark) runAll(ctx context.Context) ([]lineRun, error) {
	var runs []lineRun
	for run := 1; run <= b.cfg.Runs; run++ {
		order := slices.Clone(b.cfg.Impls)
		if run%2 == 0 {
			slices.Reverse(order)
		}
		for _, impl := range order {
			lr, err := b.runLine(ctx, impl, run)
			if err != nil {
				return runs, fmt.Errorf("run %d of %s: %w", run, impl, err)
			}
			runs = append(runs, lr)
		}
	}
	return runs, nil
}

// startLine builds a fresh line of impl for run.
func (b *benchmark) startLine(ctx context.Context, impl string, run int) (line, error) {
	b.logf("run %d: starting the %s line A–B–C", run, impl)
	switch impl {
	case implFulmen:
		return startFulmenLine(ctx, b.net, fmt.Sprintf("f%d", run), b.cfg)
	case implLnd:
		return startLndLine(ctx, b.net.Chain, b.lnd, filepath.Join(b.dir, "lnd"), fmt.Sprintf("l%d", run), b.cfg)
	}
	return nil, fmt.Errorf("%w: implementation %q", errInvalidConfig, impl)
}

// runLine starts a line, measures it and stops it.
func (b *benchmark) runLine(ctx context.Context, impl string, run int) (lineRun, error) {
	l, err := b.startLine(ctx, impl, run)
	if err != nil {
		return lineRun{}, err
	}
	defer l.Close(context.WithoutCancel(ctx))
	return b.measure(ctx, l, impl, run)
}

// measure reads idle memory, runs every case, reads memory again and
// restarts A.
func (b *benchmark) measure(ctx context.Context, l line, impl string, run int) (lineRun, error) {
	lr := lineRun{Impl: impl, ChannelType: l.ChannelType(), Run: run}
	lr.Load[0], _ = loadAverage()
	before, err := b.runner.cpuOf(l.PIDs())
	if err != nil {
		return lr, err
	}
	time.Sleep(idlePause)
	after, err := b.runner.cpuOf(l.PIDs())
	if err != nil {
		return lr, err
	}
	for i := range lr.IdleCPU {
		lr.IdleCPU[i] = float64(after[i]-before[i]) / float64(idlePause)
	}
	if lr.RSSIdle, err = rssOf(l.PIDs()); err != nil {
		return lr, err
	}
	for _, spec := range b.cfg.Cases {
		res := b.runner.run(ctx, l, spec)
		lr.Cases = append(lr.Cases, res)
		b.logf("run %d: %s, %s: %s", run, l.Impl(), spec.Name, describe(res))
		if ctx.Err() != nil {
			return lr, ctx.Err()
		}
	}
	if lr.RSSAfter, err = rssOf(l.PIDs()); err != nil {
		return lr, err
	}
	lr.Restart, err = l.RestartPayer(ctx)
	if err != nil {
		lr.RestartErr = err.Error()
		b.logf("run %d: %s restart: %v", run, l.Impl(), err)
	} else {
		b.logf("run %d: %s restart of A: RPC up in %s, channel active in %s", run, l.Impl(),
			lr.Restart.RPCUp.Round(time.Millisecond), lr.Restart.Active.Round(time.Millisecond))
	}
	lr.Load[1], _ = loadAverage()
	return lr, nil
}

func rssOf(pids [3]int) ([3]uint64, error) {
	var out [3]uint64
	for i, pid := range pids {
		kib, err := rssKiB(pid)
		if err != nil {
			return out, err
		}
		out[i] = kib
	}
	return out, nil
}

// describe is one case's result on one progress line.
func describe(r caseResult) string {
	switch {
	case r.Unsupported != "":
		return "not supported yet: " + r.Unsupported
	case r.Failed != "":
		return "FAILED: " + r.Failed
	}
	s := r.Summary
	return fmt.Sprintf("n=%d median %s p90 %s p99 %s, %.1f payments/s, CPU ms/payment A %.2f B %.2f C %.2f",
		s.N, ms(s.Median), ms(s.P90), ms(s.P99), s.PerSecond, msf(r.CPU[0]), msf(r.CPU[1]), msf(r.CPU[2]))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", msf(d)) }

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// tempDir makes the benchmark's directory: short, because Unix socket
// paths are limited to about 100 bytes.
func tempDir() (string, error) { return os.MkdirTemp("", "lnbench-") }
