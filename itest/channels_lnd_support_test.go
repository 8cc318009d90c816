package itest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/lndtest"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/rpc"
)

// Support for the channel tests against lnd (channels_lnd_*_test.go).

// channelView is a listpeerchannels entry with the status lines, which
// only the lnd tests read.
type channelView struct {
	peerChannel
	Status []string `json:"status"`
}

// fulmenChannel is the node's only channel.
func fulmenChannel(t *testing.T, n *devnet.Node) channelView {
	t.Helper()
	var reply struct {
		Channels []channelView `json:"channels"`
	}
	if err := n.Call(context.Background(), "listpeerchannels", nil, &reply); err != nil {
		t.Fatalf("listpeerchannels on %s: %v", n.Name, err)
	}
	if len(reply.Channels) != 1 {
		t.Fatalf("%s has %d channels, want 1", n.Name, len(reply.Channels))
	}
	return reply.Channels[0]
}

// lndChannelWith is lnd's open channel with peer, if any.
func lndChannelWith(lnd *lndtest.TestNode, peer string) (lndtest.Channel, bool) {
	for _, c := range lnd.ListChannels() {
		if c.RemotePubkey == peer {
			return c, true
		}
	}
	return lndtest.Channel{}, false
}

// waitLndActive waits until lnd lists its channel with peer as active.
func waitLndActive(t *testing.T, lnd *lndtest.TestNode, peer string) lndtest.Channel {
	t.Helper()
	var c lndtest.Channel
	waitFor(t, 60*time.Second, "lnd's channel with "+peer[:8]+" to be active", func() bool {
		var ok bool
		c, ok = lndChannelWith(lnd, peer)
		return ok && c.Active
	})
	return c
}

// newPreimage returns a random preimage and its payment hash.
func newPreimage(t *testing.T) (preimage, hash [32]byte) {
	t.Helper()
	if _, err := rand.Read(preimage[:]); err != nil {
		t.Fatal(err)
	}
	return preimage, sha256.Sum256(preimage[:])
}

// lndPeer is a Fulmen node with one channel with lnd, and the balance the
// test expects Fulmen to have in it.
type lndPeer struct {
	t     *testing.T
	net   *devnet.TestNetwork
	f     *devnet.Node
	fID   string
	lnd   *lndtest.TestNode
	toUs  uint64 // msat, Fulmen's balance as the test expects it
	total uint64 // msat, the channel's capacity
}

// openToLnd has f open a channel of capacity sat to lnd with push msat
// and mines it until both sides have it active.
func openToLnd(t *testing.T, net *devnet.TestNetwork, f *devnet.Node, lnd *lndtest.TestNode,
	capacity, push uint64, channelType []int) *lndPeer {
	t.Helper()
	ctx := context.Background()
	var addr map[string]string
	if err := f.Call(ctx, "newaddr", []any{"bech32"}, &addr); err != nil {
		t.Fatal(err)
	}
	fund(t, net.Chain, addr["bech32"], int64(capacity)+100_000)
	mine(t, net.Chain, 1)
	waitBalance(t, f, "confirmed", capacity+100_000, 1)
	if err := f.Call(ctx, "connect", []any{lnd.Pubkey() + "@" + lnd.P2PAddress()}, nil); err != nil {
		t.Fatal(err)
	}
	var opened fundChannelReply
	if err := f.Call(ctx, "fundchannel", map[string]any{"id": lnd.Pubkey(), "amount": capacity, "push_msat": push,
		"channel_type": channelType}, &opened); err != nil {
		t.Fatalf("fundchannel to lnd: %v", err)
	}
	mine(t, net.Chain, 6)
	waitChannel(t, f, "CHANNELD_NORMAL")
	p := &lndPeer{t: t, net: net, f: f, fID: info(t, f).ID, lnd: lnd, toUs: capacity*1000 - push, total: capacity * 1000}
	waitLndActive(t, lnd, p.fID)
	p.checkAgree("after the open")
	return p
}

// acceptFromLnd has lnd open a channel of capacity sat to f (already
// funded lnd, connected) and mines it until both sides have it active.
func acceptFromLnd(t *testing.T, net *devnet.TestNetwork, f *devnet.Node, lnd *lndtest.TestNode, capacity uint64,
	kind lndtest.CommitmentType) *lndPeer {
	t.Helper()
	fID := info(t, f).ID
	lnd.ConnectPeer(fID, f.P2PAddress)
	lnd.OpenChannel(lndtest.OpenChannelRequest{NodePubkey: fID, LocalFunding: lnwire.Satoshi(capacity), SatPerVByte: 2,
		CommitmentType: kind})
	mine(t, net.Chain, 6)
	waitChannel(t, f, "CHANNELD_NORMAL")
	p := &lndPeer{t: t, net: net, f: f, fID: fID, lnd: lnd, toUs: 0, total: capacity * 1000}
	waitLndActive(t, lnd, fID)
	p.checkAgree("after the open")
	return p
}

// fundLnd gives lnd a confirmed output of sat.
func fundLnd(t *testing.T, net *devnet.TestNetwork, lnd *lndtest.TestNode, sat int64) {
	t.Helper()
	before := lnd.WalletBalance().Confirmed
	fund(t, net.Chain, lnd.NewAddress(lndtest.AddressP2WKH), sat)
	mine(t, net.Chain, 1)
	waitFor(t, 30*time.Second, "lnd's coins", func() bool { return lnd.WalletBalance().Confirmed >= before+lnwire.Satoshi(uint64(sat)) })
}

// checkAgree waits until neither side has an HTLC left and both agree
// with the test on Fulmen's balance, to the millisatoshi: Fulmen's to_us,
// and lnd's own view of the side that does not pay the commitment fee.
func (p *lndPeer) checkAgree(when string) {
	p.t.Helper()
	var last string
	deadline := time.Now().Add(30 * time.Second)
	for {
		last = p.disagreement()
		if last == "" {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s", when, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// disagreement says how the two sides differ from the expected balances,
// "" when they do not.
func (p *lndPeer) disagreement() string {
	fc := fulmenChannel(p.t, p.f)
	lc, ok := lndChannelWith(p.lnd, p.fID)
	switch {
	case !ok:
		return "lnd has no channel with fulmen"
	case fc.ToUsMsat != p.toUs:
		return fmt.Sprintf("fulmen's to_us %d msat, want %d", fc.ToUsMsat, p.toUs)
	case len(fc.HTLCs) != 0 || len(lc.PendingHTLCs) != 0:
		return fmt.Sprintf("HTLCs left: fulmen %+v, lnd %+v", fc.HTLCs, lc.PendingHTLCs)
	case lc.Capacity*1000 != lnwire.Satoshi(p.total/1000)*1000:
		return fmt.Sprintf("lnd's capacity %d sat", lc.Capacity)
	}
	// The side that does not pay the commitment fee sees its balance
	// whole in lnd's reply (rounded down to the satoshi there).
	if lc.Initiator {
		if want := lnwire.Satoshi(p.toUs / 1000); lc.RemoteBalance != want {
			return fmt.Sprintf("lnd sees fulmen's balance as %d sat, want %d", lc.RemoteBalance, want)
		}
	} else if want := lnwire.Satoshi((p.total - p.toUs) / 1000); lc.LocalBalance != want {
		return fmt.Sprintf("lnd's balance %d sat, want %d", lc.LocalBalance, want)
	}
	// With one channel, lnd's channel balance is this channel's, exact.
	if len(p.lnd.ListChannels()) == 1 {
		b := p.lnd.ChannelBalance()
		side, want := b.Local, p.total-p.toUs
		if lc.Initiator {
			side, want = b.Remote, p.toUs
		}
		if uint64(side) != want || b.UnsettledLocal != 0 || b.UnsettledRemote != 0 {
			return fmt.Sprintf("lnd's channel balance %+v, want the non-opener's at %d msat", b, want)
		}
	}
	return ""
}

// reconnect waits until Fulmen and lnd are connected again with the
// channel re-established on both sides, asking Fulmen to connect while
// they are not (Fulmen also reconnects by itself, with back-off, to a
// peer it dialled).
func (p *lndPeer) reconnect() {
	p.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		fc := fulmenChannel(p.t, p.f)
		lc, _ := lndChannelWith(p.lnd, p.fID)
		if fc.PeerConnected && slices.Contains(fc.Status, "channel re-established") && lc.Active {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("not reconnected: fulmen %+v, lnd active %v", fc, lc.Active)
		}
		if !fc.PeerConnected {
			p.f.Call(ctx, "connect", []any{p.lnd.Pubkey() + "@" + p.lnd.P2PAddress()}, nil) // may race the auto-reconnect
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// freeze stops a process we started (SIGSTOP by pid): it keeps its sockets
// but reads nothing, so what its peer sends waits in the kernel. The
// returned thaw (SIGCONT) is also run when the test ends.
func freeze(t *testing.T, pid int) (thaw func()) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("SIGSTOP %d: %v", pid, err)
	}
	var once sync.Once
	thaw = func() {
		once.Do(func() {
			if err := syscall.Kill(pid, syscall.SIGCONT); err != nil && !errors.Is(err, syscall.ESRCH) {
				t.Errorf("SIGCONT %d: %v", pid, err)
			}
		})
	}
	t.Cleanup(thaw)
	return thaw
}

// payResult is the outcome of a pay call made in the background.
type payResult struct {
	reply paymentReply
	err   error
}

// fulmenPays calls pay in the background; the call may outlive its
// daemon (then err says the connection broke).
func fulmenPays(n *devnet.Node, bolt11 string) <-chan payResult {
	out := make(chan payResult, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var r payResult
		r.err = n.Call(ctx, "pay", []any{bolt11}, &r.reply)
		out <- r
	}()
	return out
}

// receive waits for a background result.
func receive[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(90 * time.Second):
	}
	t.Fatalf("timed out waiting for %s", what)
	var zero T
	return zero
}

// lndPayment is lnd's payment made in the background: inFlight is closed
// once lnd has an HTLC attempt out, done receives the final state (or the
// error that ended the stream).
type lndPayment struct {
	inFlight chan struct{}
	done     chan payOutcome
}

type payOutcome struct {
	payment lndtest.Payment
	err     error
}

// lndPays has lnd pay bolt11 in the background.
func lndPays(lnd *lndtest.TestNode, bolt11 string) *lndPayment {
	p := &lndPayment{inFlight: make(chan struct{}), done: make(chan payOutcome, 1)}
	var once sync.Once
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		payment, err := lnd.Node.SendPayment(ctx, lndtest.SendPaymentRequest{Invoice: bolt11, FeeLimit: 1000},
			func(u lndtest.Payment) {
				for _, a := range u.Attempts {
					if a.Status == "IN_FLIGHT" {
						once.Do(func() { close(p.inFlight) })
					}
				}
			})
		p.done <- payOutcome{payment, err}
	}()
	return p
}

// lndPaysNow has lnd pay bolt11 and waits for success, retrying while
// lnd has not yet put a new channel into its own graph.
func lndPaysNow(t *testing.T, lnd *lndtest.TestNode, bolt11 string) lndtest.Payment {
	t.Helper()
	var out payOutcome
	for range 40 {
		out = receive(t, "lnd's payment", lndPays(lnd, bolt11).done)
		if out.err != nil || (out.payment.FailureReason != "FAILURE_REASON_INSUFFICIENT_BALANCE" &&
			out.payment.FailureReason != "FAILURE_REASON_NO_ROUTE") {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if out.err != nil || out.payment.Status != lndtest.PaymentSucceeded {
		t.Fatalf("lnd's payment: %+v, %v", out.payment, out.err)
	}
	return out.payment
}

// sendpayStatus is Fulmen's listsendpays status of a payment hash, "" when
// it has none.
func sendpayStatus(t *testing.T, n *devnet.Node, hash string) string {
	t.Helper()
	var list struct {
		Payments []paymentReply `json:"payments"`
	}
	if err := n.Call(context.Background(), "listsendpays", map[string]any{"payment_hash": hash}, &list); err != nil {
		t.Fatalf("listsendpays: %v", err)
	}
	if len(list.Payments) == 0 {
		return ""
	}
	return list.Payments[len(list.Payments)-1].Status
}

// rpcCode is the JSON-RPC error code of err, 0 when it is not one.
func rpcCode(err error) int {
	var rerr *rpc.Error
	if errors.As(err, &rerr) {
		return rerr.Code
	}
	return 0
}

// rawTx fetches a transaction from btcd (mempool or chain).
func rawTx(t *testing.T, net *devnet.TestNetwork, txid chainhash.Hash) *wire.MsgTx {
	t.Helper()
	tx, err := net.Chain.Client().RawTransaction(context.Background(), txid)
	if err != nil {
		t.Fatalf("getrawtransaction %s: %v", txid, err)
	}
	return tx
}

// outputsTotal sums a transaction's outputs in satoshis.
func outputsTotal(tx *wire.MsgTx) uint64 {
	var sum uint64
	for _, out := range tx.TxOut {
		sum += uint64(out.Value)
	}
	return sum
}

// fulmenOutputOf is the value of the listfunds output Fulmen holds in tx,
// waiting until it is confirmed.
func fulmenOutputOf(t *testing.T, n *devnet.Node, txid chainhash.Hash) uint64 {
	t.Helper()
	var value uint64
	waitFor(t, 30*time.Second, "fulmen's output in "+txid.String(), func() bool {
		for _, o := range listFunds(t, n, false) {
			if o.TxID == txid.String() && o.Status == "confirmed" {
				value = o.AmountMsat / 1000
				return true
			}
		}
		return false
	})
	return value
}

// hexHash is a payment hash in hex, as Fulmen's RPC writes it.
func hexHash(h [32]byte) string { return hex.EncodeToString(h[:]) }

// checkLndHeardNoError fails the test when lnd's log shows an error or a
// warning message exchanged with a peer (BOLT 1): lnd complaining about
// something Fulmen sent, or Fulmen about lnd. Run it before lnd stops.
func checkLndHeardNoError(t *testing.T, lnd *lndtest.TestNode) {
	t.Helper()
	log, err := os.ReadFile(lnd.LogPath())
	if err != nil {
		t.Fatalf("reading lnd's log: %v", err)
	}
	for _, line := range strings.Split(string(log), "\n") {
		if peerErrorLine.MatchString(line) {
			t.Errorf("lnd's log: %s", line)
		}
	}
}

// peerErrorLine matches lnd's debug line for an error or warning message
// sent to or received from a peer ("Sending Error(chan_id=...) to ...").
var peerErrorLine = regexp.MustCompile(`PEER: .*(Sending|Received) (Error|Warning)[( ]`)

// checkMutualClose checks the mutual closing transaction txid of the
// channel, mines it and checks the output Fulmen gets in listfunds.
//
// BOLT 3 (legacy closing transaction): txout amount: final balance to be
// paid to one node (minus fee_satoshis from closing_signed, if this peer
// funded the channel).
//
// The final balances are rounded down to the satoshi, so the transaction
// pays fee_satoshis plus the millisatoshis both sides lost, one satoshi at
// most: fee_satoshis is the transaction's fee less that.
func (p *lndPeer) checkMutualClose(txid chainhash.Hash, fulmenOpened bool) {
	p.t.Helper()
	tx := rawTx(p.t, p.net, txid)
	ours, theirs := p.toUs/1000, (p.total-p.toUs)/1000
	if len(tx.TxOut) != 2 || outputsTotal(tx) > ours+theirs {
		p.t.Fatalf("closing transaction with %d outputs of %d sat in all, balances %d and %d sat",
			len(tx.TxOut), outputsTotal(tx), ours, theirs)
	}
	fee := ours + theirs - outputsTotal(tx) // fee_satoshis
	if fee == 0 || fee > 10_000 {
		p.t.Fatalf("closing fee %d sat", fee)
	}
	if fulmenOpened {
		ours -= fee
	} else {
		theirs -= fee
	}
	var found bool
	for _, out := range tx.TxOut {
		found = found || uint64(out.Value) == theirs
	}
	if !found {
		p.t.Fatalf("no output of lnd's %d sat in %+v", theirs, tx.TxOut)
	}
	mine(p.t, p.net.Chain, 1)
	waitChannel(p.t, p.f, "ONCHAIN")
	if got := fulmenOutputOf(p.t, p.f, txid); got != ours {
		p.t.Fatalf("fulmen's closing output %d sat, want %d (balance %d msat, fee %d sat, fulmen opened %v)",
			got, ours, p.toUs, fee, fulmenOpened)
	}
}
