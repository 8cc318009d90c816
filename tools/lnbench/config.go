package main

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Implementation names, as -impl takes them.
const (
	implFulmen = "fulmen"
	implLnd    = "lnd"
)

// errInvalidConfig reports flags that cannot make a benchmark.
var errInvalidConfig = errors.New("lnbench: invalid configuration")

// Config is one benchmark.
type Config struct {
	// Runs is how many times each implementation's line is built and
	// measured; the report gives the median of the runs.
	Runs int
	// Impls are the implementations to measure, in order.
	Impls []string
	// Warmup payments precede each case and are not measured.
	Warmup int
	// WarmupRetry is how long a warm-up payment is retried.
	WarmupRetry time.Duration
	// Amount is each payment's amount.
	Amount lnwire.Satoshi
	// ChannelSize is each channel's capacity, all on the opener's side.
	ChannelSize lnwire.Satoshi
	// Cases are run in order on each line.
	Cases []caseSpec
	// Settle is the pause before each CPU reading, so that the previous
	// step's trailing work (invoices, the last commitment dance) is
	// counted where it belongs.
	Settle time.Duration
	// PayTimeout bounds each payment.
	PayTimeout time.Duration
	// Dir holds the chain and the nodes; empty: a new temporary directory.
	Dir string
	// Keep keeps Dir afterwards.
	Keep bool
}

// DefaultConfig is issue #8's benchmark: 1,000-sat payments over 10 M sat
// channels, 5 warm-ups per case, 3 runs.
func DefaultConfig() Config {
	return Config{
		Runs:        3,
		Impls:       []string{implFulmen, implLnd},
		Warmup:      5,
		WarmupRetry: 60 * time.Second,
		Amount:      1000,
		ChannelSize: 10_000_000,
		Cases:       defaultCases(200, 400, 100),
		Settle:      500 * time.Millisecond,
		PayTimeout:  60 * time.Second,
	}
}

// defaultCases are the four cases with the given counts.
func defaultCases(sequential, concurrent, twoHop int) []caseSpec {
	return []caseSpec{
		{Name: "direct A→B, sequential", Hops: 1, Payers: 1, N: sequential},
		{Name: "direct A→B, 8 concurrent payers", Hops: 1, Payers: 8, N: concurrent},
		{Name: "direct A→B, 16 concurrent payers", Hops: 1, Payers: 16, N: concurrent},
		{Name: "2-hop A→B→C, sequential", Hops: 2, Payers: 1, N: twoHop},
	}
}

// Validate reports a configuration that cannot run.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", errInvalidConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case c.Runs < 1:
		return bad("runs %d: at least 1", c.Runs)
	case len(c.Impls) == 0:
		return bad("no implementation to measure")
	case c.Warmup < 0:
		return bad("warm-up %d: negative", c.Warmup)
	case c.Amount <= 0:
		return bad("amount %d sat: not positive", c.Amount)
	case c.ChannelSize < 20_000:
		return bad("channel size %d sat: below lnd's minimum of 20,000", c.ChannelSize)
	case len(c.Cases) == 0:
		return bad("no case")
	case c.PayTimeout < time.Second:
		return bad("payment timeout %s: under a second", c.PayTimeout)
	case c.Settle < 0 || c.WarmupRetry < 0:
		return bad("negative duration")
	}
	for _, impl := range c.Impls {
		if impl != implFulmen && impl != implLnd {
			return bad("unknown implementation %q (fulmen, lnd)", impl)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(c.Impls)))) != len(c.Impls) {
		return bad("implementation named twice in %v", c.Impls)
	}
	var spent lnwire.Satoshi
	for _, cs := range c.Cases {
		if cs.N < 1 || cs.Payers < 1 || (cs.Hops != 1 && cs.Hops != 2) {
			return bad("case %q: n %d, payers %d, hops %d", cs.Name, cs.N, cs.Payers, cs.Hops)
		}
		spent += lnwire.Satoshi(cs.N+c.Warmup) * (c.Amount + 10) // a margin for routing fees
	}
	// Each channel keeps a 1% reserve and the opener's commitment fee.
	if spent > c.ChannelSize*9/10 {
		return bad("the cases spend %d sat, more than 90%% of a %d sat channel", spent, c.ChannelSize)
	}
	return nil
}
