package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/fulmen-ln/fulmen/lndtest"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/regtest"
)

// lndFeeLimit bounds the routing fee of each lnd payment (B's default
// policy asks 1 sat + 1 ppm).
const lndFeeLimit lnwire.Satoshi = 100

// lndLine is three lnd on the devnet's chain.
type lndLine struct {
	nodes       [3]*lndtest.Node
	payer       *lndtest.Payer
	payTimeout  time.Duration
	channelType string
}

// lndChannel is one entry of lnd's GET /v1/channels, the fields read here.
type lndChannel struct {
	Active         bool   `json:"active"`
	RemotePubkey   string `json:"remote_pubkey"`
	CommitmentType string `json:"commitment_type"`
}

func lndChannels(ctx context.Context, n *lndtest.Node) ([]lndChannel, error) {
	var reply struct {
		Channels []lndChannel `json:"channels"`
	}
	err := n.Call(ctx, "GET", "/v1/channels", nil, &reply)
	return reply.Channels, err
}

// lndAllActive reports whether n has want channels, all active.
func lndAllActive(ctx context.Context, n *lndtest.Node, want int) (bool, error) {
	channels, err := lndChannels(ctx, n)
	if err != nil || len(channels) != want {
		return false, err
	}
	for _, c := range channels {
		if !c.Active {
			return false, nil
		}
	}
	return true, nil
}

// startLndLine starts A, B and C in dir/prefix-a..., funds A and B, opens
// A–B and B–C (public, lnd's default type) and waits until they are active
// and A's graph holds both, so that A can find the route to C.
func startLndLine(ctx context.Context, chain *regtest.Harness, bin lndtest.Binaries, dir, prefix string, cfg Config) (_ *lndLine, err error) {
	l := &lndLine{payTimeout: cfg.PayTimeout}
	defer func() {
		if err != nil {
			l.Close(context.WithoutCancel(ctx))
		}
	}()
	btcd := chain.RPC()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, role := range []string{"a", "b", "c"} {
		opts := lndtest.Options{BtcdRPCHost: btcd.Host, BtcdRPCUser: btcd.User, BtcdRPCPass: btcd.Pass,
			BtcdRPCCert: btcd.CertPath, Dir: filepath.Join(dir, prefix+"-"+role), Alias: prefix + "-" + role,
			// lndtest logs at debug level; both implementations log at info.
			ExtraArgs: []string{"--debuglevel=info"}}
		wg.Go(func() { l.nodes[i], errs[i] = lndtest.Start(ctx, bin, opts) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	want := cfg.ChannelSize + 500_000
	for _, opener := range l.nodes[:2] {
		addr, err := opener.NewAddress(ctx, lndtest.AddressP2WKH)
		if err != nil {
			return nil, err
		}
		if _, err := chain.Fund(ctx, addr, want); err != nil {
			return nil, err
		}
	}
	if _, err := chain.Mine(ctx, 1); err != nil {
		return nil, err
	}
	for i := range 2 {
		opener, peer := l.nodes[i], l.nodes[i+1]
		err := waitUntil(ctx, time.Minute, 200*time.Millisecond, "lnd's confirmed coins", func() (bool, error) {
			b, err := opener.WalletBalance(ctx)
			return err == nil && b.Confirmed >= want, err
		})
		if err != nil {
			return nil, err
		}
		if err := opener.ConnectPeer(ctx, peer.Pubkey(), peer.P2PAddress()); err != nil {
			return nil, err
		}
		id, err := hex.DecodeString(peer.Pubkey())
		if err != nil {
			return nil, err
		}
		body := map[string]any{"node_pubkey": id, "local_funding_amount": fmt.Sprint(int64(cfg.ChannelSize)),
			"sat_per_vbyte": "2"}
		if err := opener.Call(ctx, "POST", "/v1/channels", body, nil); err != nil {
			return nil, fmt.Errorf("lnd opening a channel: %w", err)
		}
	}
	// Six confirmations: lnd announces public channels at six.
	if _, err := chain.Mine(ctx, 6); err != nil {
		return nil, err
	}
	for i, want := range []int{1, 2, 1} {
		n := l.nodes[i]
		err := waitUntil(ctx, 2*time.Minute, 100*time.Millisecond, "lnd's channels active",
			func() (bool, error) { return lndAllActive(ctx, n, want) })
		if err != nil {
			return nil, err
		}
	}
	err = waitUntil(ctx, 3*time.Minute, 200*time.Millisecond, "A's graph to hold both channels", func() (bool, error) {
		var info struct {
			NumChannels uint32 `json:"num_channels"`
		}
		err := l.nodes[0].Call(ctx, "GET", "/v1/graph/info", nil, &info)
		return err == nil && info.NumChannels >= 2, err
	})
	if err != nil {
		return nil, err
	}
	channels, err := lndChannels(ctx, l.nodes[0])
	if err != nil {
		return nil, err
	}
	l.channelType = channels[0].CommitmentType
	// One connection per concurrent payer at most.
	l.payer, err = lndtest.NewPayer(l.nodes[0], 16)
	return l, err
}

func (l *lndLine) Impl() string        { return "lnd" }
func (l *lndLine) ChannelType() string { return l.channelType }

func (l *lndLine) PIDs() [3]int {
	return [3]int{l.nodes[0].PID(), l.nodes[1].PID(), l.nodes[2].PID()}
}

func (l *lndLine) Invoices(ctx context.Context, hops, count int, amount lnwire.MilliSatoshi) ([]invoice, error) {
	payee := l.nodes[hops]
	out := make([]invoice, count)
	for i := range out {
		added, err := payee.AddInvoice(ctx, lndtest.InvoiceRequest{Amount: amount, Memo: "lnbench"})
		if err != nil {
			return nil, err
		}
		out[i] = invoice{Bolt11: added.PaymentRequest, Amount: amount}
		copy(out[i].Hash[:], added.PaymentHash)
	}
	return out, nil
}

func (l *lndLine) Method(int) string { return "REST `POST /v2/router/send` (stream read to SUCCEEDED)" }

func (l *lndLine) Pay(ctx context.Context, _ int, inv invoice) (paid, error) {
	res, err := l.payer.Pay(ctx, lndtest.PayRequest{Invoice: inv.Bolt11, Timeout: l.payTimeout, FeeLimit: lndFeeLimit})
	if err != nil {
		return paid{}, err
	}
	p := paid{Done: res.Final}
	copy(p.Preimage[:], res.Preimage)
	return p, nil
}

// RestartPayer restarts A (lndtest measures when its RPC first answers)
// and waits until its channel is active again.
func (l *lndLine) RestartPayer(ctx context.Context) (restartTiming, error) {
	a := l.nodes[0]
	l.payer.Close()
	timing, err := a.RestartTimed(ctx)
	if err != nil {
		return restartTiming{}, err
	}
	err = waitUntil(ctx, 2*time.Minute, 10*time.Millisecond, "A's channel active after restart",
		func() (bool, error) { return lndAllActive(ctx, a, 1) })
	t := restartTiming{RPCUp: timing.RPCUp, Active: time.Since(timing.Launched)}
	if err != nil {
		return t, err
	}
	l.payer, err = lndtest.NewPayer(a, 16)
	return t, err
}

func (l *lndLine) Close(ctx context.Context) {
	if l.payer != nil {
		l.payer.Close()
	}
	var wg sync.WaitGroup
	for _, n := range l.nodes {
		if n != nil {
			wg.Go(func() { n.Stop(ctx) })
		}
	}
	wg.Wait()
}
