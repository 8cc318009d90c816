package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// errNotSupported: the implementation cannot make this kind of payment
// yet (Fulmen before multi-hop forwarding). A case that meets it reports
// "not supported yet" and no figures.
var errNotSupported = errors.New("not supported yet")

// errWrongPreimage: a payment reported success with a preimage that does
// not hash to the invoice's payment hash.
var errWrongPreimage = errors.New("lnbench: preimage does not match the payment hash")

// invoice is one invoice made on the payee before a case (not timed).
type invoice struct {
	Bolt11 string
	Hash   [32]byte
	Amount lnwire.MilliSatoshi
}

// paid is a successful payment.
type paid struct {
	Preimage [32]byte
	// Done is when the client learnt of the success (monotonic clock).
	Done time.Time
}

// restartTiming is how long the payer took to come back after a restart,
// from the launch of its process.
type restartTiming struct {
	RPCUp  time.Duration // its RPC first answered
	Active time.Duration // its channels were active again
}

// line is one implementation's three nodes A–B–C with channels A–B and
// B–C funded by A and B. Payments go from A: one hop pays B, two hops pay
// C through B.
type line interface {
	// Impl names the implementation ("Fulmen", "lnd").
	Impl() string
	// ChannelType describes the channels' type, for the report.
	ChannelType() string
	// PIDs are the processes of A, B and C.
	PIDs() [3]int
	// Invoices makes count invoices of amount on the payee of hops.
	Invoices(ctx context.Context, hops, count int, amount lnwire.MilliSatoshi) ([]invoice, error)
	// Pay pays inv from A with one request (errNotSupported when it
	// cannot).
	Pay(ctx context.Context, hops int, inv invoice) (paid, error)
	// Method names what one payment of hops calls, for the report.
	Method(hops int) string
	// RestartPayer stops A and starts it again.
	RestartPayer(ctx context.Context) (restartTiming, error)
	// Close stops the three nodes.
	Close(ctx context.Context)
}

// caseSpec is one benchmark case.
type caseSpec struct {
	Name   string
	Hops   int // 1: A→B; 2: A→C via B
	Payers int // concurrent payers
	N      int // measured payments
}

// caseResult is one case of one run of one implementation.
type caseResult struct {
	Spec    caseSpec
	Method  string
	Summary latencySummary
	// CPU is CPU time per payment of A, B and C.
	CPU [3]time.Duration
	// Unsupported, when set, says why the case was not run; Failed, when
	// set, why it stopped. Either means no figures.
	Unsupported string
	Failed      string
}

// caseRunner runs cases on a line.
type caseRunner struct {
	cfg Config
	cpu cpuReader
}

// run makes the case's invoices, pays Warmup of them (not measured), then
// pays N with Payers concurrent payers, timing each from its request to
// its success, and reads each node's CPU time before and after.
func (r caseRunner) run(ctx context.Context, l line, spec caseSpec) caseResult {
	res := caseResult{Spec: spec, Method: l.Method(spec.Hops)}
	fail := func(err error) caseResult {
		if errors.Is(err, errNotSupported) {
			res.Unsupported = err.Error()
		} else {
			res.Failed = err.Error()
		}
		return res
	}
	invoices, err := l.Invoices(ctx, spec.Hops, r.cfg.Warmup+spec.N, r.cfg.Amount.ToMilliSatoshis())
	if err != nil {
		return fail(fmt.Errorf("making invoices: %w", err))
	}
	for _, inv := range invoices[:r.cfg.Warmup] {
		if err := r.warmUp(ctx, l, spec.Hops, inv); err != nil {
			return fail(err)
		}
	}
	// The method may be settled by the warm-ups (Fulmen's two hops).
	res.Method = l.Method(spec.Hops)
	measured := invoices[r.cfg.Warmup:]
	time.Sleep(r.cfg.Settle)
	pids := l.PIDs()
	before, err := r.cpuOf(pids)
	if err != nil {
		return fail(err)
	}
	latencies, wall, err := payAll(ctx, l, spec, measured)
	if err != nil {
		return fail(err)
	}
	time.Sleep(r.cfg.Settle)
	after, err := r.cpuOf(pids)
	if err != nil {
		return fail(err)
	}
	res.Summary = summarize(latencies, wall)
	for i := range res.CPU {
		res.CPU[i] = (after[i] - before[i]) / time.Duration(spec.N)
	}
	return res
}

// warmUp pays one invoice, retrying for a while: a fresh lnd may not yet
// have its new channels in its own graph.
func (r caseRunner) warmUp(ctx context.Context, l line, hops int, inv invoice) error {
	deadline := time.Now().Add(r.cfg.WarmupRetry)
	for {
		p, err := l.Pay(ctx, hops, inv)
		if err == nil {
			return checkPreimage(inv, p)
		}
		if errors.Is(err, errNotSupported) || time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("warm-up payment: %w", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (r caseRunner) cpuOf(pids [3]int) ([3]time.Duration, error) {
	var out [3]time.Duration
	for i, pid := range pids {
		cpu, err := r.cpu.cpu(pid)
		if err != nil {
			return out, err
		}
		out[i] = cpu
	}
	return out, nil
}

// payAll pays every invoice, spec.Payers at a time, and returns each
// payment's latency and the wall time from the first request to the last
// success. The first failure stops the case.
func payAll(ctx context.Context, l line, spec caseSpec, invoices []invoice) ([]time.Duration, time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	latencies := make([]time.Duration, len(invoices))
	done := make([]time.Time, len(invoices))
	var (
		next     atomic.Int64
		errOnce  sync.Once
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	for range max(spec.Payers, 1) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(invoices) {
					return
				}
				sent := time.Now()
				p, err := l.Pay(ctx, spec.Hops, invoices[i])
				if err == nil {
					err = checkPreimage(invoices[i], p)
				}
				if err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("payment %d of %d: %w", i+1, len(invoices), err) })
					cancel()
					return
				}
				latencies[i], done[i] = p.Done.Sub(sent), p.Done
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, 0, firstErr
	}
	last := start
	for _, d := range done {
		if d.After(last) {
			last = d
		}
	}
	return latencies, last.Sub(start), nil
}

// checkPreimage checks that the payment's preimage is the invoice's.
func checkPreimage(inv invoice, p paid) error {
	if sha256.Sum256(p.Preimage[:]) != inv.Hash {
		return fmt.Errorf("%w %x", errWrongPreimage, inv.Hash)
	}
	return nil
}
