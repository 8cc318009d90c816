package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/lndtest"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// commitWeight is the weight of a commitment transaction without HTLC
// outputs (BOLT 3, Appendix A: Expected Weight of the Commitment
// Transaction): 724, or 1124 with anchors.
func commitWeight(c lndtest.Channel) uint64 {
	if c.CommitmentType == lndtest.CommitmentAnchors {
		return 1124
	}
	return 724
}

// lndCommitFee is the commitment fee lnd reports at perkw without HTLCs:
// capacity minus its commitment's outputs (lnd's rpcserver.go), which is
// more than the fee of BOLT 3 (feerate_per_kw * weight / 1000, rounded
// down) by the millisatoshis the two balances lose to rounding, and by
// the anchor the opener pays for but that is omitted.
//
// BOLT 3: if option_anchors applies to the commitment transaction, also
// subtract two times the fixed anchor size of 330 sats from the funder
// [...] if to_remote is trimmed [and no HTLC is untrimmed], the
// to_remote_anchor output is omitted.
func (p *lndPeer) lndCommitFee(perkw uint32, c lndtest.Channel) uint64 {
	fee := uint64(perkw) * commitWeight(c) / 1000
	if p.toUs%1000 != 0 {
		fee++ // the capacity is whole satoshis: the two remainders make one
	}
	const lndDustLimit = 354 // lnd's dust_limit_satoshis, for its own commitment
	if c.CommitmentType == lndtest.CommitmentAnchors && p.toUs/1000 < lndDustLimit {
		fee += 330 // Fulmen has no output in lnd's commitment, so no anchor
	}
	return fee
}

// waitFeerate waits until Fulmen's commitment and lnd's both pay perkw,
// with the commitment fee lnd reports matching it.
func (p *lndPeer) waitFeerate(perkw uint32) {
	p.t.Helper()
	var fc channelView
	var lc lndtest.Channel
	deadline := time.Now().Add(60 * time.Second)
	for {
		fc = fulmenChannel(p.t, p.f)
		lc, _ = lndChannelWith(p.lnd, p.fID)
		if fc.Feerate.PerKW == perkw && uint32(lc.FeePerKw) == perkw && uint64(lc.CommitFee) == p.lndCommitFee(perkw, lc) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("feerate not %d sat/kw: fulmen's %d, lnd's %d (commitment fee %d sat, want %d)",
				perkw, fc.Feerate.PerKW, lc.FeePerKw, lc.CommitFee, p.lndCommitFee(perkw, lc))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// paysLnd has Fulmen pay an lnd invoice of msat and accounts for it.
func (p *lndPeer) paysLnd(msat uint64) {
	p.t.Helper()
	inv := p.lnd.AddInvoice(lndtest.InvoiceRequest{Amount: lnwire.MilliSatoshi(msat), Memo: p.t.Name()})
	var paid paymentReply
	if err := p.f.Call(context.Background(), "pay", []any{inv.PaymentRequest}, &paid); err != nil {
		p.t.Fatalf("pay lnd %d msat: %v", msat, err)
	}
	checkPreimage(p.t, paid)
	p.toUs -= msat
}

// paidByLnd has lnd pay a Fulmen invoice of msat and accounts for it.
func (p *lndPeer) paidByLnd(msat uint64, label string) {
	p.t.Helper()
	lndPaysNow(p.t, p.lnd, makeInvoice(p.t, p.f, msat, label).Bolt11)
	p.toUs += msat
}

// TestFulmenUpdateFeeToLnd: Fulmen opens a channel of each type to lnd;
// when its chain feerate changes (a restart with another force-feerates),
// at the next block it sends update_fee, lnd accepts it, and both
// commitments pay the new feerate, up and then down; payments go through
// both ways at each feerate.
//
// BOLT 2: The node responsible for paying the Bitcoin fee: SHOULD send
// update_fee to ensure the current fee rate is sufficient (by a
// significant margin) for timely processing of the commitment transaction.
func TestFulmenUpdateFeeToLnd(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	ctx := context.Background()
	lnd := startLnd(t, net, "lnd")
	t.Cleanup(func() { checkLndHeardNoError(t, lnd) })
	for _, tc := range []struct {
		name string
		bits []int
	}{{"static_remotekey", []int{12}}, {"anchors", []int{12, 22}}} {
		t.Run(tc.name, func(t *testing.T) {
			f := net.AddNode(t, "fee-"+tc.name)
			ch := openToLnd(t, net, f, lnd, 800_000, 200_000_000, tc.bits)
			ch.waitFeerate(1000) // devnet's force-feerates
			for i, perkw := range []uint32{2000, 1200} {
				if err := f.SetOption("force-feerates", strconv.Itoa(int(perkw))); err != nil {
					t.Fatal(err)
				}
				if err := f.Restart(ctx); err != nil {
					t.Fatal(err)
				}
				ch.reconnect()
				mine(t, net.Chain, 1)
				ch.waitFeerate(perkw)
				ch.paysLnd(10_000_000 + uint64(i)*1_111_111)
				ch.paidByLnd(3_000_000+uint64(i)*333_333, fmt.Sprintf("at-%d", perkw))
				ch.checkAgree(fmt.Sprintf("after payments at %d sat/kw", perkw))
			}
		})
	}
}

// lndUpdateFeeEnv names the environment variable that runs
// TestLndUpdateFeeToFulmen, which takes 10 to 60 minutes.
const lndUpdateFeeEnv = "FULMEN_LND_UPDATE_FEE"

// lndFeeSource is the fee estimator lnd reads with --fee.url: lnd's
// SparseConfFeeSource JSON (lnwallet/chainfee/estimator.go), feerates in
// sat/kvB for every confirmation target. On regtest lnd does not cache it
// (chainreg/chainregistry.go: cacheFees := !cfg.Bitcoin.RegTest), so a
// change is seen at lnd's next estimate.
type lndFeeSource struct {
	perKW  atomic.Uint32
	server *httptest.Server
}

func newLndFeeSource(t *testing.T, perKW uint32) *lndFeeSource {
	s := &lndFeeSource{}
	s.perKW.Store(perKW)
	s.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		perKVB := 4 * s.perKW.Load()
		targets := map[string]uint32{}
		for _, blocks := range []int{1, 2, 3, 6, 12, 144, 1008} {
			targets[strconv.Itoa(blocks)] = perKVB
		}
		json.NewEncoder(w).Encode(map[string]any{"fee_by_block_target": targets, "min_relay_feerate": 1012})
	}))
	t.Cleanup(s.server.Close)
	return s
}

// TestLndUpdateFeeToFulmen: lnd opens channels of both types to Fulmen
// nodes; when lnd's fee estimate changes, lnd sends update_fee on each
// channel, Fulmen accepts it, both commitments pay the new feerate, and
// lnd pays over each channel afterwards.
//
// It runs only with FULMEN_LND_UPDATE_FEE=1 and -timeout 90m, because lnd
// v0.21.3 sends update_fee only when a channel link's fee timer fires, at
// a random time 10 to 60 minutes after the link started: the timer
// (htlcswitch/link.go, updateFeeTimer, randomFeeUpdateTimeout) takes its
// bounds from the link config, which peer/brontide.go sets to the
// constants htlcswitch.DefaultMinLinkFeeUpdateTimeout (10 min) and
// DefaultMaxLinkFeeUpdateTimeout (60 min), with no option to change them,
// not even in lnd's dev builds (lncfg/dev_integration.go). Nothing else
// in lnd sends update_fee (handleUpdateFee is its only caller of
// updateChannelFee). Four channels, four independent timers, make the
// first update_fee come sooner; the test waits for all of them.
func TestLndUpdateFeeToFulmen(t *testing.T) {
	if os.Getenv(lndUpdateFeeEnv) != "1" {
		t.Skipf("%s=1 runs it (10-60 minutes: lnd sends update_fee only when its link fee timer fires, "+
			"10 to 60 minutes after the link starts; give go test -timeout 90m)", lndUpdateFeeEnv)
	}
	t.Parallel()
	net := devnet.Start(t)
	fees := newLndFeeSource(t, 1000)
	rpc := net.Chain.RPC()
	lnd := lndtest.StartT(t, lndtest.RequireBinaries(t), lndtest.Options{
		BtcdRPCHost: rpc.Host, BtcdRPCUser: rpc.User, BtcdRPCPass: rpc.Pass, BtcdRPCCert: rpc.CertPath,
		Alias: "lnd", ExtraArgs: []string{"--fee.url=" + fees.server.URL},
	})
	t.Cleanup(func() { checkLndHeardNoError(t, lnd) })
	fundLnd(t, net, lnd, 3_000_000)
	var peers []*lndPeer
	for i, kind := range []lndtest.CommitmentType{lndtest.CommitmentAnchors, lndtest.CommitmentStaticRemoteKey,
		lndtest.CommitmentAnchors, lndtest.CommitmentStaticRemoteKey} {
		ch := acceptFromLnd(t, net, net.AddNode(t, fmt.Sprintf("lnd-fee-%d", i)), lnd, 500_000, kind)
		ch.waitFeerate(1000) // lnd's estimate when it opened
		peers = append(peers, ch)
	}

	fees.perKW.Store(2000)
	start := time.Now()
	pending := map[*lndPeer]bool{}
	for _, ch := range peers {
		pending[ch] = true
	}
	for len(pending) > 0 {
		if time.Since(start) > 62*time.Minute {
			t.Fatalf("%d channels without lnd's update_fee after %s", len(pending), time.Since(start).Round(time.Second))
		}
		for ch := range pending {
			lc, _ := lndChannelWith(lnd, ch.fID)
			if fulmenChannel(t, ch.f).Feerate.PerKW == 2000 || lc.FeePerKw == 2000 {
				ch.waitFeerate(2000)
				t.Logf("%s (%s): update_fee to 2000 sat/kw after %s", ch.f.Name, lc.CommitmentType,
					time.Since(start).Round(time.Second))
				delete(pending, ch)
			}
		}
		time.Sleep(5 * time.Second)
	}
	for i, ch := range peers {
		ch.paidByLnd(5_000_000+uint64(i), "after-update-fee")
		ch.checkAgree("after lnd's payment at 2000 sat/kw")
	}
}
