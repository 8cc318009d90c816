package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// TestFulmenLineSmoke runs the whole benchmark path on a real Fulmen line
// (btcd regtest, three fulmend) with a handful of payments per case, and
// checks what the figures claim against the nodes: every measured and
// warm-up payment reached B's invoices and B's balance, and the 2-hop
// case either paid C or reported "not supported yet" with nothing paid.
func TestFulmenLineSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cfg := DefaultConfig()
	cfg.Impls, cfg.Runs, cfg.Warmup, cfg.Settle = []string{implFulmen}, 1, 1, 100*time.Millisecond
	cfg.Cases = []caseSpec{
		{Name: "direct, sequential", Hops: 1, Payers: 1, N: 6},
		{Name: "direct, 8 concurrent", Hops: 1, Payers: 8, N: 12},
		{Name: "2-hop, sequential", Hops: 2, Payers: 1, N: 3},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	dir, err := tempDir()
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	net, err := devnet.NewNetwork(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close(context.Background())
	l, err := startFulmenLine(ctx, net, "s", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			for _, n := range l.nodes {
				t.Logf("--- %s ---\n%s", n.Name, n.LogTail(40))
			}
		}
		l.Close(context.Background())
	}()
	b := &benchmark{cfg: cfg, progress: io.Discard, runner: caseRunner{cfg: cfg, cpu: cpuReader{hz: clockTicks()}}}
	lr, err := b.measure(ctx, l, implFulmen, 1)
	if err != nil {
		t.Fatal(err)
	}

	var directPaid int
	var directCPU time.Duration
	for _, c := range lr.Cases[:2] {
		s := c.Summary
		if c.Failed != "" || c.Unsupported != "" {
			t.Fatalf("%s: failed %q, unsupported %q", c.Spec.Name, c.Failed, c.Unsupported)
		}
		if s.N != c.Spec.N || s.Median <= 0 || s.Median > s.P90 || s.P90 > s.P99 || s.PerSecond <= 0 {
			t.Fatalf("%s: summary %+v", c.Spec.Name, s)
		}
		directPaid += cfg.Warmup + c.Spec.N
		directCPU += c.CPU[0] + c.CPU[1]
	}
	if directCPU <= 0 {
		t.Errorf("A and B used no CPU time for %d payments", directPaid)
	}

	twoHop := lr.Cases[2]
	twoHopPaid := 0
	switch {
	case twoHop.Unsupported != "":
		// Only Fulmen's own refusal of both methods may say so.
		if !strings.Contains(twoHop.Unsupported, "rpc error 205") || !strings.Contains(twoHop.Unsupported, "sendpay") {
			t.Fatalf("2-hop unsupported for another reason: %s", twoHop.Unsupported)
		}
	case twoHop.Failed != "":
		t.Fatalf("2-hop failed: %s", twoHop.Failed)
	default:
		if twoHop.Summary.N != twoHop.Spec.N || twoHop.Summary.Median <= 0 {
			t.Fatalf("2-hop summary %+v", twoHop.Summary)
		}
		twoHopPaid = cfg.Warmup + twoHop.Spec.N
	}
	t.Logf("2-hop: method %s, unsupported %q", twoHop.Method, twoHop.Unsupported)

	// What the figures claim happened, checked on the nodes.
	amount := cfg.Amount.ToMilliSatoshis()
	if got := paidInvoices(t, ctx, l.nodes[1], amount); got != directPaid {
		t.Errorf("B has %d paid invoices, want %d", got, directPaid)
	}
	if got := paidInvoices(t, ctx, l.nodes[2], amount); got != twoHopPaid {
		t.Errorf("C has %d paid invoices, want %d", got, twoHopPaid)
	}
	ofB, err := listPeerChannels(ctx, l.nodes[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ofB {
		if c.PeerID != l.ids[0] {
			continue
		}
		// B funded nothing on A–B: it holds what A paid it, plus its
		// forwarding fees when it forwarded.
		want := lnwire.MilliSatoshi(directPaid+twoHopPaid) * amount
		if twoHopPaid > 0 {
			want += lnwire.MilliSatoshi(twoHopPaid) * (l.feeBase + amount*lnwire.MilliSatoshi(l.feePPM)/1_000_000)
		}
		if c.ToUsMsat != want {
			t.Errorf("B's balance with A %d msat, want %d", c.ToUsMsat, want)
		}
	}

	for i := range 3 {
		if lr.RSSIdle[i] == 0 || lr.RSSAfter[i] == 0 || lr.IdleCPU[i] < 0 {
			t.Errorf("node %d: RSS idle %d KiB, after %d KiB, idle CPU %v", i, lr.RSSIdle[i], lr.RSSAfter[i], lr.IdleCPU[i])
		}
	}
	if lr.RestartErr != "" || lr.Restart.RPCUp <= 0 || lr.Restart.Active < lr.Restart.RPCUp {
		t.Errorf("restart %+v, %q", lr.Restart, lr.RestartErr)
	}
	// A paid after its restart: the line is usable as measured.
	inv, err := l.Invoices(ctx, 1, 1, amount)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Pay(ctx, 1, inv[0]); err != nil {
		t.Fatalf("payment after the restart: %v", err)
	}
}

// paidInvoices counts node's paid invoices of amount.
func paidInvoices(t *testing.T, ctx context.Context, node *devnet.Node, amount lnwire.MilliSatoshi) int {
	t.Helper()
	var reply struct {
		Invoices []struct {
			Status             string              `json:"status"`
			AmountReceivedMsat lnwire.MilliSatoshi `json:"amount_received_msat"`
		} `json:"invoices"`
	}
	if err := node.Call(ctx, "listinvoices", nil, &reply); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, inv := range reply.Invoices {
		if inv.Status == "paid" && inv.AmountReceivedMsat == amount {
			n++
		}
	}
	return n
}
