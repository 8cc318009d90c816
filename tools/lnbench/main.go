package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/fulmen-ln/fulmen/lndtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lnbench:", err)
		if errors.Is(err, errInvalidConfig) || errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// options are the flags beyond Config.
type options struct {
	out, raw string
}

func parseFlags(args []string, stderr io.Writer) (Config, options, error) {
	cfg := DefaultConfig()
	var opts options
	fs := flag.NewFlagSet("lnbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: lnbench [flags]\n\nFulmen vs lnd on one btcd regtest chain: lines A–B–C, direct and 2-hop payments.")
		fs.PrintDefaults()
	}
	impls := fs.String("impl", strings.Join(cfg.Impls, ","), "implementations to measure, comma separated: fulmen, lnd")
	fs.IntVar(&cfg.Runs, "runs", cfg.Runs, "runs of each implementation (fresh nodes each); the report gives medians")
	nSeq := fs.Int("n-seq", 200, "payments of the direct sequential case")
	nConc := fs.Int("n-concurrent", 400, "payments of each direct concurrent case (8 and 16 payers)")
	nTwoHop := fs.Int("n-2hop", 100, "payments of the 2-hop sequential case")
	fs.IntVar(&cfg.Warmup, "warmup", cfg.Warmup, "warm-up payments before each case, not measured")
	fs.DurationVar(&cfg.Settle, "settle", cfg.Settle, "pause before each CPU reading")
	fs.StringVar(&cfg.Dir, "dir", "", "directory for the chain and nodes (default: a new one in $TMPDIR)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the directory (logs of every node) afterwards")
	fs.StringVar(&opts.out, "out", "", "also write the Markdown report to this file")
	fs.StringVar(&opts.raw, "raw", "", "write every run's figures as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return cfg, opts, err
	}
	if fs.NArg() > 0 {
		return cfg, opts, fmt.Errorf("%w: unexpected arguments %q", errInvalidConfig, fs.Args())
	}
	cfg.Impls = strings.Split(*impls, ",")
	cfg.Cases = defaultCases(*nSeq, *nConc, *nTwoHop)
	return cfg, opts, cfg.Validate()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	dir := cfg.Dir
	if dir == "" {
		if dir, err = tempDir(); err != nil {
			return err
		}
	}
	if !cfg.Keep {
		defer os.RemoveAll(dir)
	} else {
		defer fmt.Fprintf(stderr, "lnbench: kept %s\n", dir)
	}
	meta := reportMeta{Date: time.Now(), Machine: machine(), GoVersion: runtime.Version(), FulmenCommit: fulmenCommit(),
		LndVersion: lndtest.Version, Cfg: cfg, Command: command(args)}
	b, err := newBenchmark(ctx, cfg, dir, stderr)
	if err != nil {
		return err
	}
	runs, err := b.runAll(ctx)
	b.Close(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	meta.LoadMin, meta.LoadMax = loadRange(runs)
	var summaries []implSummary
	for _, impl := range cfg.Impls {
		summaries = append(summaries, summarizeRuns(runs, impl, cfg.Cases))
	}
	report := renderReport(meta, summaries)
	fmt.Fprint(stdout, report)
	if opts.out != "" {
		if err := os.WriteFile(opts.out, []byte(report), 0o644); err != nil {
			return err
		}
	}
	if opts.raw != "" {
		data, err := json.MarshalIndent(runs, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(opts.raw, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// loadRange is the lowest and highest load average the runs saw.
func loadRange(runs []lineRun) (lo, hi float64) {
	for i, r := range runs {
		for j, l := range r.Load {
			if (i == 0 && j == 0) || l < lo {
				lo = l
			}
			hi = max(hi, l)
		}
	}
	return lo, hi
}

// machine describes the CPU and memory.
func machine() string {
	model := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	memory := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kib uint64
		for line := range strings.SplitSeq(string(data), "\n") {
			if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kib); err == nil {
				memory = fmt.Sprintf(", %.0f GiB", float64(kib)/(1<<20))
				break
			}
		}
	}
	return fmt.Sprintf("%d cores (%s)%s, %s/%s", runtime.NumCPU(), model, memory, runtime.GOOS, runtime.GOARCH)
}

// fulmenCommit is $LNBENCH_FULMEN_COMMIT when set (a benchmark of an
// exported tree), else `git describe --always --dirty` of the working tree.
func fulmenCommit() string {
	if commit := os.Getenv("LNBENCH_FULMEN_COMMIT"); commit != "" {
		return commit
	}
	out, err := exec.Command("git", "describe", "--always", "--dirty").Output()
	if err != nil {
		return "(unknown commit)"
	}
	return strings.TrimSpace(string(out))
}

// command is how the report says it was made: $LNBENCH_COMMAND (set by
// scripts/bench-vs-lnd.sh) with the arguments that change what is
// measured (not -out, -raw, -dir or -keep).
func command(args []string) string {
	name := os.Getenv("LNBENCH_COMMAND")
	if name == "" {
		name = "go run ./tools/lnbench"
	}
	kept := []string{name}
	for i := 0; i < len(args); i++ {
		flagName, _, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		switch flagName {
		case "out", "raw", "dir":
			if !hasValue {
				i++ // its value is the next argument
			}
			continue
		case "keep":
			continue
		}
		kept = append(kept, args[i])
	}
	return strings.Join(kept, " ")
}
