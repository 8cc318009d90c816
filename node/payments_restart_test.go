package node

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
	"github.com/fulmen-ln/fulmen/store"
)

// waitOutcome waits (10 s at most) for the payment's outcome on the
// node's current runtime.
func waitOutcome(t testing.TB, n *testNode, hash [32]byte) (Payment, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := n.rt.WaitPayment(ctx, hash)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s: payment %x still pending", n.name, hash[:4])
	}
	return p, err
}

// attempts lists the node's stored attempts for the hash.
func attempts(t testing.TB, n *testNode, hash [32]byte) []Payment {
	t.Helper()
	list, err := n.rt.Payments(context.Background(), PaymentFilter{PaymentHash: &hash})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// reconnect restarts the node from its store, connects it to peer again
// and waits for its channel to be re-established.
func reconnect(h *harness, n, peer *testNode) {
	n.restart()
	h.connect(n, peer)
	n.waitView(n.onlyChannel(), "re-established", func(v *View) bool { return v.Connected })
}

// TestPaymentsSurviveRestarts restarts the payer between every step:
// listings, waitsendpay and a second payment of a paid hash work from the
// store alone.
func TestPaymentsSurviveRestarts(t *testing.T) {
	h, alice, bob, ia, ib := payingPair(t)
	ctx := context.Background()
	coffee, coffeeTerms := bob.invoices.add("coffee", msat(25_000_000), 18)
	book, bookTerms := bob.invoices.add("book", msat(40_000_000), 18)
	wrong := sha256.Sum256([]byte("not the secret"))

	sent, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: bob.id, Amount: 25_000_000, PaymentHash: coffee,
		PaymentSecret: &coffeeTerms.PaymentSecret, FinalCLTVDelta: 18, Label: "coffee", Bolt11: "lnbcrt250u1...", Description: "a coffee"})
	if err != nil || sent.ID == 0 || sent.GroupID != 1 || sent.Status != PaymentPending {
		t.Fatalf("sendpay: %+v, %v", sent, err)
	}
	if p, err := waitOutcome(t, alice, coffee); err != nil || p.Preimage != coffeeTerms.Preimage {
		t.Fatalf("coffee: %+v, %v", p, err)
	}
	if _, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: bob.id, Amount: 40_000_000, PaymentHash: book,
		PaymentSecret: &wrong, FinalCLTVDelta: 18}); err != nil {
		t.Fatal(err)
	}
	if _, err := waitOutcome(t, alice, book); !errors.Is(err, ErrPaymentFailed) {
		t.Fatalf("book with the wrong secret: %v", err)
	}
	settled(alice, ia, 0)

	reconnect(h, alice, bob)
	list, err := alice.rt.Payments(ctx, PaymentFilter{})
	if err != nil || len(list) != 2 {
		t.Fatalf("after restart: %d payments, %v", len(list), err)
	}
	got := list[0]
	if got.ID != sent.ID || got.Status != PaymentComplete || got.Preimage != coffeeTerms.Preimage || got.Label != "coffee" ||
		got.Bolt11 != "lnbcrt250u1..." || got.Description != "a coffee" || got.Amount != 25_000_000 ||
		got.AmountSent != 25_000_000 || !got.Destination.IsEqual(bob.id) || got.CompletedAt.IsZero() ||
		!got.CreatedAt.Equal(sent.CreatedAt) || got.FirstChannel() != alice.worker(ia).snapshot().State.ShortChannelID {
		t.Fatalf("coffee after restart: %+v (sent %+v)", got, sent)
	}
	if failed := list[1]; failed.Status != PaymentFailed || failed.Failure == nil ||
		failed.Failure.Code != onion.CodeIncorrectOrUnknownPaymentDetails || failed.Failure.ErringIndex != 0 ||
		failed.Failure.Message.HTLCMsat != 40_000_000 {
		t.Fatalf("book after restart: %+v", failed)
	}
	if complete, _ := alice.rt.Payments(ctx, PaymentFilter{Status: PaymentComplete}); len(complete) != 1 {
		t.Fatalf("%d complete payments", len(complete))
	}

	reconnect(h, alice, bob)
	// waitsendpay of finished payments reads the store.
	if p, err := waitOutcome(t, alice, coffee); err != nil || p.Preimage != coffeeTerms.Preimage {
		t.Fatalf("waitsendpay coffee after restart: %+v, %v", p, err)
	}
	var f *PaymentFailure
	if _, err := waitOutcome(t, alice, book); !errors.As(err, &f) || f.Code != onion.CodeIncorrectOrUnknownPaymentDetails {
		t.Fatalf("waitsendpay book after restart: %v", err)
	}

	reconnect(h, alice, bob)
	// Paying the paid hash again returns the completed payment.
	again, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: bob.id, Amount: 25_000_000, PaymentHash: coffee,
		PaymentSecret: &coffeeTerms.PaymentSecret, FinalCLTVDelta: 18})
	if !errors.Is(err, ErrAlreadyPaid) || again.ID != sent.ID || again.Preimage != coffeeTerms.Preimage {
		t.Fatalf("paying coffee again: %+v, %v", again, err)
	}

	reconnect(h, alice, bob)
	// A failed hash may be paid again: a second group.
	retry, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: bob.id, Amount: 40_000_000, PaymentHash: book,
		PaymentSecret: &bookTerms.PaymentSecret, FinalCLTVDelta: 18})
	if err != nil || retry.GroupID != 2 {
		t.Fatalf("retrying book: %+v, %v", retry, err)
	}
	if p, err := waitOutcome(t, alice, book); err != nil || p.ID != retry.ID || p.Preimage != bookTerms.Preimage {
		t.Fatalf("book retried: %+v, %v", p, err)
	}
	if n := len(attempts(t, alice, book)); n != 2 {
		t.Fatalf("%d attempts for book", n)
	}
	va, vb := settled(alice, ia, 0), settled(bob, ib, 0)
	if vb.State.LocalCommit.Spec.Balance[channel.Local] != 65_000_000 || va.State.LocalCommit.Spec.Balance[channel.Remote] != 65_000_000 {
		t.Fatalf("balances alice %v bob %v", va.State.LocalCommit.Spec.Balance, vb.State.LocalCommit.Spec.Balance)
	}
}

// TestWaitPaymentAcrossRestart: a payment is in flight when both nodes
// restart; the payer's new process reports its outcome.
func TestWaitPaymentAcrossRestart(t *testing.T) {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob") // records HTLC events, decides nothing
	h.connect(alice, bob)
	_, ia, ib := openChannel(t, h, alice, bob, OpenRequest{Amount: 500_000})
	hash, terms := bob.invoices.add("tea", msat(7_000_000), 18)
	ctx := context.Background()
	if _, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: bob.id, Amount: 7_000_000, PaymentHash: hash,
		PaymentSecret: &terms.PaymentSecret, FinalCLTVDelta: 18}); err != nil {
		t.Fatal(err)
	}
	settled(alice, ia, 1)
	settled(bob, ib, 1)

	alice.restart()
	if _, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: bob.id, Amount: 7_000_000, PaymentHash: hash,
		PaymentSecret: &terms.PaymentSecret, FinalCLTVDelta: 18}); !errors.Is(err, ErrPaymentInProgress) {
		t.Fatalf("paying a hash in flight after restart: %v", err)
	}
	if pending, _ := alice.rt.Payments(ctx, PaymentFilter{Status: PaymentPending}); len(pending) != 1 {
		t.Fatalf("%d pending payments after restart", len(pending))
	}
	bob.builtin = true
	bob.restart()
	h.connect(alice, bob)
	if p, err := waitOutcome(t, alice, hash); err != nil || p.Status != PaymentComplete || p.Preimage != terms.Preimage {
		t.Fatalf("payment %+v, %v", p, err)
	}
	settled(alice, ia, 0)
	alice.restart()
	if list := attempts(t, alice, hash); len(list) != 1 || list[0].Status != PaymentComplete {
		t.Fatalf("after the second restart: %+v", list)
	}
}

// TestPaymentFailingLocallyIsStored: attempts whose HTLC is never offered
// are stored as failed by our own node (erring index -1).
func TestPaymentFailingLocallyIsStored(t *testing.T) {
	h, alice, bob, ia, _ := payingPair(t)
	ctx := context.Background()
	carol := h.node("carol")
	noChannel := sha256.Sum256([]byte("to carol"))
	tooMuch, terms := bob.invoices.add("house", msat(600_000_000), 18)
	for _, tc := range []struct {
		name string
		req  PaymentRequest
		err  error
		code onion.FailureCode
	}{
		{"no channel with the destination", PaymentRequest{Destination: carol.id, Amount: 1_000, PaymentHash: noChannel},
			ErrNoRoute, onion.CodeUnknownNextPeer},
		{"more than the channel holds", PaymentRequest{Destination: bob.id, Amount: 600_000_000, PaymentHash: tooMuch,
			PaymentSecret: &terms.PaymentSecret, FinalCLTVDelta: 18}, nil, onion.CodeTemporaryChannelFailure},
		{"no amount", PaymentRequest{Destination: bob.id, PaymentHash: sha256.Sum256([]byte("no amount"))}, ErrInvalidRoute, 0},
		{"a route hop without a node", PaymentRequest{PaymentHash: sha256.Sum256([]byte("bad route")),
			Route: []RouteHop{{Amount: 1_000}}}, ErrInvalidRoute, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := alice.rt.SendPayment(ctx, tc.req)
			if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
			if tc.code == 0 {
				if list := attempts(t, alice, tc.req.PaymentHash); len(list) != 0 {
					t.Fatalf("an invalid request was stored: %+v", list)
				}
				return
			}
			reconnect(h, alice, bob)
			list := attempts(t, alice, tc.req.PaymentHash)
			if len(list) != 1 || list[0].Status != PaymentFailed || list[0].Failure.ErringIndex != -1 || list[0].Failure.Code != tc.code {
				t.Fatalf("stored %+v", list)
			}
			var f *PaymentFailure
			if _, err := waitOutcome(t, alice, tc.req.PaymentHash); !errors.As(err, &f) || f.ErringIndex != -1 {
				t.Fatalf("waitsendpay: %v", err)
			}
		})
	}
	if v := settled(alice, ia, 0); v.State.LocalCommit.Spec.Balance[channel.Remote] != 0 {
		t.Fatal("a failed attempt moved money")
	}
}

// crashingStore is the node's store that "crashes" right after its
// n-th write once armed: that write is durable, every later one fails,
// and onCrash (which kills the node's connection) runs before the writer
// gets control back, so nothing that follows the write leaves the node.
type crashingStore struct {
	*testStore
	mu         sync.Mutex
	writes     int
	crashAt    int // 0: never
	isCrashed  bool
	onCrash    func()
	crashed    chan struct{}
	writeKinds []string
}

var errCrashed = errors.New("process crashed (test)")

func newCrashingStore(s *testStore) *crashingStore {
	return &crashingStore{testStore: s, crashed: make(chan struct{})}
}

// arm makes the store crash after n more writes.
func (s *crashingStore) arm(n int, onCrash func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.crashAt, s.onCrash = s.writes+n, onCrash
}

func (s *crashingStore) write(kind string, fn func() error) error {
	s.mu.Lock()
	if s.isCrashed {
		s.mu.Unlock()
		return errCrashed
	}
	s.mu.Unlock()
	if err := fn(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	s.writeKinds = append(s.writeKinds, kind)
	if s.writes == s.crashAt {
		s.isCrashed = true
		s.onCrash()
		close(s.crashed)
	}
	return nil
}

func (s *crashingStore) UpdateChannelState(ctx context.Context, u store.ChannelStateUpdate) (v uint64, err error) {
	err = s.write("state", func() error { v, err = s.testStore.UpdateChannelState(ctx, u); return err })
	return v, err
}

func (s *crashingStore) UpdateChannelStateAndHTLCs(ctx context.Context, u store.ChannelStateUpdate, r *store.HTLCRecords) (v uint64, err error) {
	err = s.write("state+records", func() error { v, err = s.testStore.UpdateChannelStateAndHTLCs(ctx, u, r); return err })
	return v, err
}

func (s *crashingStore) SaveHTLCRecords(ctx context.Context, r *store.HTLCRecords) error {
	return s.write("records", func() error { return s.testStore.SaveHTLCRecords(ctx, r) })
}

// restartOn restarts the node's runtime on another view of its store.
func (n *testNode) restartOn(s Store) {
	n.rt.Stop()
	n.peers.dropAll()
	cfg := n.config()
	cfg.Store = s
	rt, err := New(cfg)
	if err != nil {
		n.h.t.Fatal(err)
	}
	n.rt = rt
	if err := rt.Start(context.Background(), n.peers); err != nil {
		n.h.t.Fatal(err)
	}
}

// TestPaymentOutcomeSurvivesCrashAfterEachWrite crashes the payer right
// after each of its writes during a payment (the attempt with its HTLC,
// every commitment step, the outcome), restarts it from the store and
// checks that the payment ends exactly once, with the right outcome,
// and that the attempt is never left pending. A first run without a
// crash counts the writes.
func TestPaymentOutcomeSurvivesCrashAfterEachWrite(t *testing.T) {
	for _, refused := range []bool{false, true} {
		name := "settled"
		if refused {
			name = "failed"
		}
		t.Run(name, func(t *testing.T) {
			kinds := crashPayment(t, 0, refused)
			t.Logf("the payer's writes: %v", kinds)
			if len(kinds) < 5 {
				t.Fatalf("only %d writes during the payment: %v", len(kinds), kinds)
			}
			for k := 1; k <= len(kinds); k++ {
				t.Run(fmt.Sprintf("crash after write %d (%s)", k, kinds[k-1]), func(t *testing.T) {
					crashPayment(t, k, refused)
				})
			}
		})
	}
}

// crashPayment runs one payment with the payer crashing after its k-th
// write (never for k = 0), restarts it and checks the outcome; it returns
// the kinds of the writes made before the restart.
func crashPayment(t *testing.T, k int, refused bool) []string {
	h := newHarness(t)
	alice := h.node("alice", 1_000_000)
	bob := h.node("bob")
	bob.builtin = true
	bob.restart()
	h.connect(alice, bob)
	_, ia, ib := openChannel(t, h, alice, bob, OpenRequest{Amount: 500_000})

	crashing := newCrashingStore(alice.store)
	alice.restartOn(crashing)
	ab, _ := h.connect(alice, bob)
	settled(alice, ia, 0)
	settled(bob, ib, 0)
	if k > 0 {
		crashing.arm(k, func() { ab.dead.Store(true) })
	}

	hash, terms := bob.invoices.add("crash", msat(12_000_000), 18)
	secret := terms.PaymentSecret
	if refused {
		secret = [32]byte{1}
	}
	ctx := context.Background()
	if _, err := alice.rt.SendPayment(ctx, PaymentRequest{Destination: bob.id, Amount: 12_000_000, PaymentHash: hash,
		PaymentSecret: &secret, FinalCLTVDelta: 18}); err != nil {
		t.Fatal(err)
	}
	// The payer is done when its channel is back to no HTLC and nothing
	// pending, or it crashed.
	done := make(chan struct{})
	w := alice.worker(ia)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	go func() {
		defer close(done)
		w.waitFor(wctx, func(v *View) bool {
			s := &v.State
			return v.Halted != nil || len(s.LocalCommit.Spec.HTLCs)+len(s.RemoteCommit.Spec.HTLCs) == 0 &&
				s.RemotePending == nil && !s.HasUnsignedChanges() && len(s.RemoteChanges.Proposed) == 0 &&
				len(s.LocalChanges.Proposed)+len(s.LocalChanges.Signed)+len(s.RemoteChanges.Signed) == 0
		})
	}()
	select {
	case <-crashing.crashed:
	case <-done:
	}
	crashing.mu.Lock()
	kinds := append([]string(nil), crashing.writeKinds...)
	crashing.mu.Unlock()

	alice.restart() // on the plain store: the disk is back
	h.connect(alice, bob)
	p, err := waitOutcome(t, alice, hash)
	if refused {
		var f *PaymentFailure
		if !errors.As(err, &f) || f.Code != onion.CodeIncorrectOrUnknownPaymentDetails || f.ErringIndex != 0 {
			t.Fatalf("crash after write %d: got %+v, %v; want incorrect_or_unknown_payment_details", k, p, err)
		}
	} else if err != nil || p.Preimage != terms.Preimage {
		t.Fatalf("crash after write %d: got %+v, %v", k, p, err)
	}
	va, vb := settled(alice, ia, 0), settled(bob, ib, 0)
	want := lnwire.MilliSatoshi(12_000_000)
	if refused {
		want = 0
	}
	if vb.State.LocalCommit.Spec.Balance[channel.Local] != want || va.State.LocalCommit.Spec.Balance[channel.Remote] != want {
		t.Fatalf("balances alice %v bob %v", va.State.LocalCommit.Spec.Balance, vb.State.LocalCommit.Spec.Balance)
	}
	// One more restart: the outcome is in the store, not only in memory.
	alice.restart()
	list := attempts(t, alice, hash)
	wantStatus := PaymentComplete
	if refused {
		wantStatus = PaymentFailed
	}
	if len(list) != 1 || list[0].Status != wantStatus || list[0].CompletedAt.IsZero() {
		t.Fatalf("crash after write %d: stored %+v", k, list)
	}
	if pending, _ := alice.rt.Payments(ctx, PaymentFilter{Status: PaymentPending}); len(pending) != 0 {
		t.Fatalf("pending attempts left: %+v", pending)
	}
	return kinds
}
