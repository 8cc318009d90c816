package node

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/store"
)

// addHTLC offers an HTLC on the node's channel, as the payment layer will.
func addHTLC(t testing.TB, n *testNode, index uint64, amount lnwire.MilliSatoshi, preimage [32]byte) {
	t.Helper()
	w := n.worker(index)
	err := w.do(context.Background(), func() error {
		return w.step(context.Background(), channel.AddHTLC{Amount: amount, PaymentHash: sha256.Sum256(preimage[:]), CLTVExpiry: 500})
	})
	if err != nil {
		t.Fatalf("%s: add HTLC: %v", n.name, err)
	}
}

// fulfill settles the HTLC the peer offered.
func fulfill(t testing.TB, n *testNode, index, id uint64, preimage [32]byte) {
	t.Helper()
	w := n.worker(index)
	err := w.do(context.Background(), func() error {
		return w.step(context.Background(), channel.FulfillHTLC{ID: id, Preimage: preimage})
	})
	if err != nil {
		t.Fatalf("%s: fulfill HTLC: %v", n.name, err)
	}
}

// settled waits until no update is pending on either side and both
// commitments hold the given HTLC count.
func settled(n *testNode, index uint64, htlcs int) View {
	n.h.t.Helper()
	return n.waitView(index, fmt.Sprintf("settled with %d HTLCs", htlcs), func(v *View) bool {
		s := &v.State
		return v.Connected && s.RemotePending == nil && !s.HasUnsignedChanges() &&
			len(s.LocalChanges.Proposed)+len(s.RemoteChanges.Proposed) == 0 &&
			len(s.LocalCommit.Spec.HTLCs) == htlcs && len(s.RemoteCommit.Spec.HTLCs) == htlcs
	})
}

// storeWitness checks, at the instant a message leaves a node, that the
// node's store already holds the state that produced it.
type storeWitness struct {
	t     *testing.T
	n     *testNode
	mu    sync.Mutex
	count map[lnwire.MessageType]int
}

func (sw *storeWitness) stored(id lnwire.ChannelID) (channel.State, bool) {
	recs, err := sw.n.store.Channels(context.Background())
	if err != nil {
		sw.t.Error(err)
		return channel.State{}, false
	}
	for _, rec := range recs {
		if rec.ChannelID == id {
			st, err := channel.Unmarshal(rec.State)
			if err != nil {
				sw.t.Error(err)
			}
			return st, err == nil
		}
	}
	return channel.State{}, false
}

func (sw *storeWitness) check(msg lnwire.Message) {
	sw.mu.Lock()
	sw.count[msg.MsgType()]++
	sw.mu.Unlock()
	switch m := msg.(type) {
	case *lnwire.FundingSigned:
		if _, ok := sw.stored(m.ChannelID); !ok {
			sw.t.Errorf("%s sent funding_signed before storing the channel", sw.n.name)
		}
	case *lnwire.ChannelReady:
		if st, ok := sw.stored(m.ChannelID); !ok || !st.ReadySent {
			sw.t.Errorf("%s sent channel_ready before storing it", sw.n.name)
		}
	case *lnwire.CommitmentSigned:
		st, ok := sw.stored(m.ChannelID)
		if !ok || st.RemotePending == nil || st.RemotePending.Signature != m.Signature {
			sw.t.Errorf("%s sent commitment_signed before storing it", sw.n.name)
		}
	case *lnwire.RevokeAndAck:
		st, ok := sw.stored(m.ChannelID)
		if !ok || st.LocalCommit.Number == 0 {
			sw.t.Errorf("%s sent revoke_and_ack with no newer commitment stored", sw.n.name)
			return
		}
		w := sw.n.worker(sw.index(m.ChannelID))
		secret, err := w.signer.PerCommitmentSecret(st.LocalCommit.Number - 1)
		if err != nil || secret != m.PerCommitmentSecret {
			sw.t.Errorf("%s revealed a secret its stored state does not revoke", sw.n.name)
		}
	case *lnwire.Shutdown:
		if st, ok := sw.stored(m.ChannelID); !ok || !st.Shutdown.LocalSent {
			sw.t.Errorf("%s sent shutdown before storing it", sw.n.name)
		}
	case *lnwire.ClosingSigned:
		st, ok := sw.stored(m.ChannelID)
		if !ok || st.Closing == nil || !st.Closing.Sent || st.Closing.LastSent != m.FeeSatoshis {
			sw.t.Errorf("%s sent closing_signed before storing it", sw.n.name)
		}
	}
}

func (sw *storeWitness) index(id lnwire.ChannelID) uint64 {
	for _, v := range sw.n.rt.List(nil) {
		if v.State.ChannelID == id {
			return v.Index
		}
	}
	sw.t.Errorf("no channel %s", id)
	return 0
}

func newWitness(t *testing.T, n *testNode, conn *fakeConn) *storeWitness {
	sw := &storeWitness{t: t, n: n, count: make(map[lnwire.MessageType]int)}
	conn.onSend = sw.check
	return sw
}

// TestMessagesLeaveAfterTheirStateIsStored runs a channel's whole life and
// checks every state-changing message against the sender's store at the
// moment it is sent; the funding transaction likewise is broadcast only
// once the opener stored the channel.
func TestMessagesLeaveAfterTheirStateIsStored(t *testing.T) {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob")
	ab, ba := h.connect(alice, bob)
	wa, wb := newWitness(t, alice, ab), newWitness(t, bob, ba)
	h.chain.onBroadcast = func(tx *wire.MsgTx) {
		recs, err := alice.store.Channels(context.Background())
		if err != nil {
			t.Errorf("reading alice's channels: %v", err)
		}
		for _, rec := range recs {
			if rec.FundingTxID == tx.TxHash() {
				return
			}
		}
		if len(tx.TxIn) == 1 && len(recs) > 0 && recs[0].FundingTxID == tx.TxIn[0].PreviousOutPoint.Hash {
			return // the closing transaction
		}
		t.Errorf("transaction %s broadcast before its channel was stored", tx.TxHash())
	}
	_, ia, ib := openChannel(t, h, alice, bob, OpenRequest{Amount: 400_000})

	preimage := [32]byte{1, 2, 3}
	addHTLC(t, alice, ia, 50_000_000, preimage)
	settled(alice, ia, 1)
	settled(bob, ib, 1)
	if accepted, _, _ := bob.payments.counts(); accepted != 1 {
		t.Fatalf("bob was told of %d HTLCs", accepted)
	}
	fulfill(t, bob, ib, 0, preimage)
	settled(alice, ia, 0)
	settled(bob, ib, 0)
	if _, s, _ := alice.payments.counts(); s != 1 {
		t.Fatalf("alice saw %d settlements", s)
	}
	scid := alice.worker(ia).snapshot().State.ShortChannelID
	if _, err := alice.rt.CloseChannel(context.Background(), CloseRequest{Channel: ChannelRef{ShortChannelID: &scid}}); err != nil {
		t.Fatal(err)
	}
	bob.waitView(ib, "closed", func(v *View) bool { return v.ClosingTx != nil })
	for _, want := range []lnwire.MessageType{lnwire.MsgCommitmentSigned, lnwire.MsgRevokeAndAck, lnwire.MsgChannelReady,
		lnwire.MsgShutdown, lnwire.MsgClosingSigned} {
		if wa.count[want] == 0 || wb.count[want] == 0 {
			t.Errorf("%s not exchanged both ways (%d, %d)", want, wa.count[want], wb.count[want])
		}
	}
	if wb.count[lnwire.MsgFundingSigned] != 1 {
		t.Errorf("bob sent %d funding_signed", wb.count[lnwire.MsgFundingSigned])
	}
}

var errDiskFull = errors.New("disk full (test)")

// TestPersistFailureSendsNothing fails bob's store when he must record
// alice's commitment_signed: he must not send revoke_and_ack (or anything
// else), and after a restart the dance completes from the stored state.
func TestPersistFailureSendsNothing(t *testing.T) {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob")
	_, ba := h.connect(alice, bob)
	_, ia, ib := openChannel(t, h, alice, bob, OpenRequest{Amount: 400_000})
	before, beforeVersion := bob.store.storedState(t, ib)

	var sentAtFailure int
	bob.store.setHooks(func(u store.ChannelStateUpdate) error {
		st, err := channel.Unmarshal(u.State)
		if err == nil && st.LocalCommit.Number > before.LocalCommit.Number {
			sentAtFailure = len(ba.sentTypes())
			return errDiskFull
		}
		return nil
	}, nil)
	preimage := [32]byte{7}
	addHTLC(t, alice, ia, 30_000_000, preimage)
	v := bob.waitView(ib, "halted", func(v *View) bool { return v.Halted != nil })
	if !errors.Is(v.Halted, ErrHalted) || !errors.Is(v.Halted, errDiskFull) {
		t.Fatalf("halted with %v", v.Halted)
	}
	if got := len(ba.sentTypes()); got != sentAtFailure {
		t.Fatalf("bob sent %v after the failed write", ba.sentTypes()[sentAtFailure:])
	}
	if after, version := bob.store.storedState(t, ib); after.LocalCommit.Number != before.LocalCommit.Number || version < beforeVersion {
		t.Fatalf("stored commitment moved to %d", after.LocalCommit.Number)
	}
	if v.State.LocalCommit.Number != before.LocalCommit.Number {
		t.Fatalf("in-memory state moved to commitment %d without being stored", v.State.LocalCommit.Number)
	}

	// The disk is back; bob restarts and the dance completes.
	bob.store.setHooks(nil, nil)
	bob.restart()
	h.connect(alice, bob)
	settled(alice, ia, 1)
	settled(bob, ib, 1)
	fulfill(t, bob, ib, 0, preimage)
	va := settled(alice, ia, 0)
	vb := settled(bob, ib, 0)
	if vb.State.LocalCommit.Spec.Balance[channel.Local] != 30_000_000 || va.State.LocalCommit.Spec.Balance[channel.Remote] != 30_000_000 {
		t.Fatalf("balances after the payment: alice %v, bob %v", va.State.LocalCommit.Spec.Balance, vb.State.LocalCommit.Spec.Balance)
	}
}

// TestCrashAfterPersistResends kills bob right after he stored alice's
// commitment_signed, before his revoke_and_ack leaves: after his restart,
// channel_reestablish makes him send it again and both converge.
func TestCrashAfterPersistResends(t *testing.T) {
	for _, crashAt := range []struct {
		name string
		// crash reports whether the state bob just stored is the crash
		// point.
		crash func(before, st *channel.State) bool
	}{
		{"after storing the first commitment_signed", func(before, st *channel.State) bool {
			return st.LocalCommit.Number == before.LocalCommit.Number+1
		}},
		{"after storing his own commitment_signed", func(before, st *channel.State) bool {
			return st.RemotePending != nil
		}},
		{"after storing the final revoke_and_ack", func(before, st *channel.State) bool {
			return st.RemoteCommit.Number == before.RemoteCommit.Number+1
		}},
	} {
		t.Run(crashAt.name, func(t *testing.T) {
			h := newHarness(t)
			alice := h.node("alice", 1_000_000)
			bob := h.node("bob")
			_, ba := h.connect(alice, bob)
			_, ia, ib := openChannel(t, h, alice, bob, OpenRequest{Amount: 400_000})
			before, _ := bob.store.storedState(t, ib)
			crashed := make(chan struct{})
			var once sync.Once
			bob.store.setHooks(nil, func(u store.ChannelStateUpdate) {
				st, err := channel.Unmarshal(u.State)
				if err == nil && crashAt.crash(&before, &st) {
					once.Do(func() {
						ba.dead.Store(true) // nothing more leaves this process
						close(crashed)
					})
				}
			})
			preimage := [32]byte{9}
			addHTLC(t, alice, ia, 40_000_000, preimage)
			<-crashed
			bob.store.setHooks(nil, nil)
			bob.restart()
			h.connect(alice, bob)
			settled(alice, ia, 1)
			settled(bob, ib, 1)
			fulfill(t, bob, ib, 0, preimage)
			va := settled(alice, ia, 0)
			vb := settled(bob, ib, 0)
			if vb.State.LocalCommit.Spec.Balance[channel.Local] != 40_000_000 || va.State.LocalCommit.Number != vb.State.RemoteCommit.Number {
				t.Fatalf("after the crash: alice %v #%d, bob %v #%d", va.State.LocalCommit.Spec.Balance, va.State.LocalCommit.Number,
					vb.State.LocalCommit.Spec.Balance, vb.State.RemoteCommit.Number)
			}
		})
	}
}
