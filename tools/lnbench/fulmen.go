package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/rpc"
)

// Core Lightning's PAY_ROUTE_NOT_FOUND, which Fulmen's pay and sendpay
// return for a destination or a route they cannot use.
const codeRouteNotFound = 205

// defaultCLTVDelta is the forwarding CLTV delta assumed for B when its
// listpeerchannels does not say: generous (Core Lightning uses 34, lnd
// 80), since a larger delta than the forwarder asks is allowed (BOLT #4:
// cltv_expiry minus outgoing_cltv_value must be at least its delta).
const defaultCLTVDelta = 144

// twoHopMethod is how Fulmen's A pays through B, settled by the first
// two-hop payment (a warm-up).
type twoHopMethod int

const (
	twoHopUnknown     twoHopMethod = iota
	twoHopPay                      // pay finds the route itself
	twoHopSendPay                  // sendpay with an explicit route, then waitsendpay
	twoHopUnsupported              // neither: no forwarding yet
)

// fulmenLine is three fulmend on the devnet's chain.
type fulmenLine struct {
	nodes  [3]*devnet.Node
	ids    [3]string
	prefix string
	labels atomic.Int64
	// The route A→B→C for sendpay, read once the channels are normal.
	scidAB, scidBC string
	feeBase        lnwire.MilliSatoshi
	feePPM         uint64
	cltvDelta      uint32
	channelType    string

	mu           sync.Mutex
	twoHop       twoHopMethod
	notSupported error // why two hops are not supported
}

// peerChannel is the part of a listpeerchannels entry the benchmark reads.
type peerChannel struct {
	PeerID          string              `json:"peer_id"`
	PeerConnected   bool                `json:"peer_connected"`
	State           string              `json:"state"`
	ShortChannelID  string              `json:"short_channel_id"`
	ToUsMsat        lnwire.MilliSatoshi `json:"to_us_msat"`
	FeeBaseMsat     lnwire.MilliSatoshi `json:"fee_base_msat"`
	FeeProportional uint64              `json:"fee_proportional_millionths"`
	CLTVExpiryDelta *uint32             `json:"cltv_expiry_delta"`
	Updates         struct {
		Local struct {
			CLTVExpiryDelta *uint32 `json:"cltv_expiry_delta"`
		} `json:"local"`
	} `json:"updates"`
	ChannelType struct {
		Names []string `json:"names"`
	} `json:"channel_type"`
	HTLCs []struct{} `json:"htlcs"`
}

// listPeerChannels calls listpeerchannels on node.
func listPeerChannels(ctx context.Context, node *devnet.Node) ([]peerChannel, error) {
	var reply struct {
		Channels []peerChannel `json:"channels"`
	}
	err := node.Call(ctx, "listpeerchannels", nil, &reply)
	return reply.Channels, err
}

// allNormal reports whether node has want channels, all CHANNELD_NORMAL
// with their peer connected.
func allNormal(ctx context.Context, node *devnet.Node, want int) (bool, error) {
	channels, err := listPeerChannels(ctx, node)
	if err != nil || len(channels) != want {
		return false, err
	}
	for _, c := range channels {
		if c.State != "CHANNELD_NORMAL" || !c.PeerConnected {
			return false, nil
		}
	}
	return true, nil
}

// startFulmenLine starts A, B and C (named prefix-a...), funds A and B on
// chain, opens A–B and B–C of cfg.ChannelSize and waits until every
// channel is normal.
func startFulmenLine(ctx context.Context, net *devnet.Network, prefix string, cfg Config) (_ *fulmenLine, err error) {
	l := &fulmenLine{prefix: prefix}
	defer func() {
		if err != nil {
			l.Close(context.WithoutCancel(ctx))
		}
	}()
	for i, role := range []string{"a", "b", "c"} {
		// Both implementations log at info level: debug logging would
		// measure the logger.
		node, err := net.AddNode(ctx, prefix+"-"+role, devnet.NodeOptions{Extra: []string{"log-level=info"}})
		if err != nil {
			return nil, err
		}
		l.nodes[i] = node
		var info struct {
			ID string `json:"id"`
		}
		if err := node.Call(ctx, "getinfo", nil, &info); err != nil {
			return nil, err
		}
		l.ids[i] = info.ID
	}
	for _, opener := range l.nodes[:2] {
		var addr struct {
			Bech32 string `json:"bech32"`
		}
		if err := opener.Call(ctx, "newaddr", []any{"bech32"}, &addr); err != nil {
			return nil, err
		}
		if _, err := net.Fund(ctx, addr.Bech32, cfg.ChannelSize+500_000); err != nil {
			return nil, err
		}
	}
	if _, err := net.Mine(ctx, 1); err != nil {
		return nil, err
	}
	for i := range 2 {
		opener, peer := l.nodes[i], l.nodes[i+1]
		if err := opener.Call(ctx, "connect", []any{l.ids[i+1] + "@" + peer.P2PAddress}, nil); err != nil {
			return nil, fmt.Errorf("%s connecting to %s: %w", opener.Name, peer.Name, err)
		}
		// Retried until the wallet has seen the funding block.
		err := waitUntil(ctx, time.Minute, 200*time.Millisecond, opener.Name+"'s fundchannel", func() (bool, error) {
			err := opener.Call(ctx, "fundchannel", map[string]any{"id": l.ids[i+1], "amount": int64(cfg.ChannelSize)}, nil)
			return err == nil, err
		})
		if err != nil {
			return nil, err
		}
	}
	if _, err := net.Mine(ctx, 6); err != nil {
		return nil, err
	}
	for i, want := range []int{1, 2, 1} {
		node := l.nodes[i]
		err := waitUntil(ctx, 2*time.Minute, 100*time.Millisecond, node.Name+"'s channels normal",
			func() (bool, error) { return allNormal(ctx, node, want) })
		if err != nil {
			return nil, err
		}
	}
	return l, l.readRoute(ctx)
}

// readRoute reads the short channel ids of A–B and B–C and B's fees.
func (l *fulmenLine) readRoute(ctx context.Context) error {
	ofA, err := listPeerChannels(ctx, l.nodes[0])
	if err != nil {
		return err
	}
	ofB, err := listPeerChannels(ctx, l.nodes[1])
	if err != nil {
		return err
	}
	l.scidAB = ofA[0].ShortChannelID
	l.channelType = strings.Join(ofA[0].ChannelType.Names, ", ")
	for _, c := range ofB {
		if c.PeerID != l.ids[2] {
			continue
		}
		l.scidBC, l.feeBase, l.feePPM, l.cltvDelta = c.ShortChannelID, c.FeeBaseMsat, c.FeeProportional, defaultCLTVDelta
		switch {
		case c.CLTVExpiryDelta != nil:
			l.cltvDelta = *c.CLTVExpiryDelta
		case c.Updates.Local.CLTVExpiryDelta != nil:
			l.cltvDelta = *c.Updates.Local.CLTVExpiryDelta
		}
	}
	if l.scidAB == "" || l.scidBC == "" {
		return fmt.Errorf("lnbench: short channel ids A–B %q, B–C %q", l.scidAB, l.scidBC)
	}
	return nil
}

func (l *fulmenLine) Impl() string        { return "Fulmen" }
func (l *fulmenLine) ChannelType() string { return l.channelType }

func (l *fulmenLine) PIDs() [3]int {
	return [3]int{l.nodes[0].Pid(), l.nodes[1].Pid(), l.nodes[2].Pid()}
}

func (l *fulmenLine) Invoices(ctx context.Context, hops, count int, amount lnwire.MilliSatoshi) ([]invoice, error) {
	payee := l.nodes[hops]
	out := make([]invoice, count)
	for i := range out {
		var reply struct {
			Bolt11 string `json:"bolt11"`
		}
		label := fmt.Sprintf("%s-%d", l.prefix, l.labels.Add(1))
		if err := payee.Call(ctx, "invoice", []any{uint64(amount), label, "lnbench"}, &reply); err != nil {
			return nil, err
		}
		decoded, err := bolt11.Decode(reply.Bolt11)
		if err != nil {
			return nil, err
		}
		out[i] = invoice{Bolt11: reply.Bolt11, Hash: decoded.PaymentHash, Amount: amount}
	}
	return out, nil
}

func (l *fulmenLine) Method(hops int) string {
	if hops == 1 {
		return "`pay`"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch l.twoHop {
	case twoHopPay:
		return "`pay`"
	case twoHopSendPay:
		return "`sendpay` (explicit route) + `waitsendpay`: 2 RPCs"
	}
	return "`pay`, else `sendpay` with an explicit route"
}

// paymentReply is pay's and waitsendpay's reply, the part read here.
type paymentReply struct {
	Status          string `json:"status"`
	PaymentPreimage string `json:"payment_preimage"`
}

func (r paymentReply) paid() (paid, error) {
	done := time.Now()
	raw, err := hex.DecodeString(r.PaymentPreimage)
	if err != nil || len(raw) != 32 || r.Status != "complete" {
		return paid{}, fmt.Errorf("lnbench: payment %q with preimage %q", r.Status, r.PaymentPreimage)
	}
	p := paid{Done: done}
	copy(p.Preimage[:], raw)
	return p, nil
}

func (l *fulmenLine) Pay(ctx context.Context, hops int, inv invoice) (paid, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if hops == 1 {
		return l.pay(ctx, inv)
	}
	l.mu.Lock()
	method, why := l.twoHop, l.notSupported
	l.mu.Unlock()
	switch method {
	case twoHopPay:
		return l.pay(ctx, inv)
	case twoHopSendPay:
		return l.sendPay(ctx, inv)
	case twoHopUnsupported:
		return paid{}, why
	}
	return l.probeTwoHops(ctx, inv)
}

// probeTwoHops tries pay, then sendpay with the explicit route, and keeps
// the first that works. Both refusing with PAY_ROUTE_NOT_FOUND (205) is
// what a Fulmen without forwarding answers: not supported yet.
func (l *fulmenLine) probeTwoHops(ctx context.Context, inv invoice) (paid, error) {
	p, payErr := l.pay(ctx, inv)
	if payErr == nil {
		l.settle(twoHopPay, nil)
		return p, nil
	}
	if !isRPCCode(payErr, codeRouteNotFound) {
		return paid{}, payErr
	}
	p, sendErr := l.sendPay(ctx, inv)
	switch {
	case sendErr == nil:
		l.settle(twoHopSendPay, nil)
		return p, nil
	case isRPCCode(sendErr, codeRouteNotFound):
		why := fmt.Errorf("%w: pay: %v; sendpay with a 2-hop route: %v", errNotSupported, payErr, sendErr)
		l.settle(twoHopUnsupported, why)
		return paid{}, why
	}
	return paid{}, sendErr
}

func (l *fulmenLine) settle(method twoHopMethod, why error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.twoHop, l.notSupported = method, why
}

func isRPCCode(err error, code int) bool {
	var rpcErr *rpc.Error
	return errors.As(err, &rpcErr) && rpcErr.Code == code
}

func (l *fulmenLine) pay(ctx context.Context, inv invoice) (paid, error) {
	var reply paymentReply
	if err := l.nodes[0].Call(ctx, "pay", []any{inv.Bolt11}, &reply); err != nil {
		return paid{}, err
	}
	return reply.paid()
}

// sendPay pays C through B along the explicit route, as Core Lightning's
// sendpay takes it: each hop's amount and CLTV delay (relative to the
// current height) are what that hop receives.
func (l *fulmenLine) sendPay(ctx context.Context, inv invoice) (paid, error) {
	decoded, err := bolt11.Decode(inv.Bolt11)
	if err != nil {
		return paid{}, err
	}
	final := decoded.FinalCLTVDelta()
	// BOLT #7: fee_base_msat + (amount_to_forward * fee_proportional_millionths / 1000000)
	fee := l.feeBase + lnwire.MilliSatoshi(uint64(inv.Amount)*l.feePPM/1_000_000)
	route := []map[string]any{
		{"id": l.ids[1], "channel": l.scidAB, "amount_msat": uint64(inv.Amount + fee), "delay": final + l.cltvDelta},
		{"id": l.ids[2], "channel": l.scidBC, "amount_msat": uint64(inv.Amount), "delay": final},
	}
	hash := hex.EncodeToString(inv.Hash[:])
	params := map[string]any{"route": route, "payment_hash": hash, "amount_msat": uint64(inv.Amount),
		"payment_secret": hex.EncodeToString(decoded.PaymentSecret[:]), "bolt11": inv.Bolt11}
	if err := l.nodes[0].Call(ctx, "sendpay", params, nil); err != nil {
		return paid{}, err
	}
	var reply paymentReply
	if err := l.nodes[0].Call(ctx, "waitsendpay", map[string]any{"payment_hash": hash, "timeout": 60}, &reply); err != nil {
		return paid{}, err
	}
	return reply.paid()
}

// RestartPayer stops A, starts it and measures, from the launch, when its
// RPC answers getinfo and when its channel is normal with B connected.
func (l *fulmenLine) RestartPayer(ctx context.Context) (restartTiming, error) {
	a := l.nodes[0]
	if err := a.Stop(ctx); err != nil {
		return restartTiming{}, err
	}
	probe := rpc.NewClient(a.RPCPath())
	up := make(chan time.Duration, 1)
	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	launched := time.Now()
	go func() {
		for pollCtx.Err() == nil {
			if probe.Call(pollCtx, "getinfo", nil, nil) == nil {
				up <- time.Since(launched)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	if err := a.Start(ctx); err != nil {
		return restartTiming{}, err
	}
	var t restartTiming
	select {
	case t.RPCUp = <-up:
	case <-time.After(5 * time.Second):
		return restartTiming{}, fmt.Errorf("%w: getinfo answered the start-up wait but not the timing probe", errTimeout)
	}
	err := waitUntil(ctx, 2*time.Minute, 10*time.Millisecond, "A's channel normal after restart",
		func() (bool, error) { return allNormal(ctx, a, 1) })
	t.Active = time.Since(launched)
	return t, err
}

func (l *fulmenLine) Close(ctx context.Context) {
	var wg sync.WaitGroup
	for _, node := range l.nodes {
		if node != nil {
			wg.Go(func() { node.Stop(ctx) })
		}
	}
	wg.Wait()
}
