package invoices

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/store"
)

// testClock is a clock tests move by hand.
type testClock struct{ unix atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Unix(c.unix.Load(), 0) }
func (c *testClock) Advance(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

type fixture struct {
	reg   *Registry
	clock *testClock
	st    *store.Store
	path  string
	sig   *signer.Signer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	st, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sig, err := signer.New([32]byte{1})
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{}
	clock.unix.Store(1_700_000_000)
	f := &fixture{clock: clock, st: st, path: path, sig: sig}
	f.reg = f.registry(st)
	return f
}

func (f *fixture) registry(st *store.Store) *Registry {
	return New(Config{Store: st, Signer: f.sig.InvoiceSigner(), Currency: bolt11.Currency("bcrt"),
		Now: f.clock.Now, Rand: bytes.NewReader(bytes.Repeat([]byte{0x42, 0x17, 0x99}, 1000))})
}

func msat(v uint64) *lnwire.MilliSatoshi { m := lnwire.MilliSatoshi(v); return &m }

func TestCreateEncodesWhatItStores(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	preimage := [32]byte{7, 7, 7}
	inv, err := f.reg.Create(ctx, CreateRequest{Amount: msat(123_000), Label: "cat", Description: "a cat",
		Expiry: time.Hour, Preimage: &preimage})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Status != StatusUnpaid || inv.PaymentHash != sha256.Sum256(preimage[:]) {
		t.Fatalf("created %+v", inv)
	}
	dec, err := bolt11.Decode(inv.Bolt11)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Amount == nil || *dec.Amount != 123_000 || dec.PaymentHash != inv.PaymentHash ||
		dec.PaymentSecret != inv.PaymentSecret || *dec.Description != "a cat" ||
		dec.ExpirySeconds() != 3600 || dec.FinalCLTVDelta() != DefaultCLTV ||
		!dec.Payee.IsEqual(f.sig.NodeID()) {
		t.Fatalf("decoded invoice does not match: %+v", dec)
	}
	if inv.ExpiresAt != f.clock.Now().Unix()+3600 {
		t.Fatalf("expires_at %d", inv.ExpiresAt)
	}
}

func TestCreateErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	preimage := [32]byte{1}
	if _, err := f.reg.Create(ctx, CreateRequest{Label: "a", Description: "x", Preimage: &preimage}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  CreateRequest
		want error
	}{
		{"duplicate label", CreateRequest{Label: "a", Description: "y"}, ErrDuplicateLabel},
		{"duplicate preimage", CreateRequest{Label: "b", Description: "y", Preimage: &preimage}, ErrDuplicatePreimage},
		{"zero amount", CreateRequest{Label: "c", Amount: msat(0)}, ErrBadRequest},
		{"empty label", CreateRequest{Description: "z"}, ErrBadRequest},
		{"description too long", CreateRequest{Label: "d", Description: string(bytes.Repeat([]byte("x"), 700))}, ErrBadRequest},
	}
	for _, tc := range tests {
		if _, err := f.reg.Create(ctx, tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestSettleWakesWaitersAndSurvivesRestart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inv, err := f.reg.Create(ctx, CreateRequest{Amount: msat(5000), Label: "w", Description: "wait"})
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan Invoice, 2)
	errs := make(chan error, 2)
	go func() {
		got, err := f.reg.Wait(ctx, "w")
		waited <- got
		errs <- err
	}()
	go func() {
		got, err := f.reg.WaitAny(ctx, 0, 0)
		waited <- got
		errs <- err
	}()
	if _, err := f.reg.Settle(ctx, inv.PaymentHash, 5000); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		got := <-waited
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusPaid || got.PayIndex != 1 || got.AmountReceivedMsat != 5000 {
			t.Fatalf("waiter %d got %+v", i, got)
		}
	}
	if _, err := f.reg.Settle(ctx, inv.PaymentHash, 5000); !errors.Is(err, ErrAlreadyPaid) {
		t.Fatalf("second settle: %v", err)
	}

	f.st.Close()
	st2, err := store.OpenSQLite(ctx, f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	reg2 := f.registry(st2)
	again, err := reg2.Wait(ctx, "w")
	if err != nil || again.Status != StatusPaid {
		t.Fatalf("after restart: %+v %v", again, err)
	}
}

func TestExpiry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.reg.Create(ctx, CreateRequest{Label: "e", Description: "soon", Expiry: time.Second}); err != nil {
		t.Fatal(err)
	}
	// The wait returns when the (real) second passes: our clock is fixed, so
	// the registry's timer is what fires; then we move the clock.
	done := make(chan error, 1)
	go func() {
		_, err := f.reg.Wait(ctx, "e")
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	f.clock.Advance(2 * time.Second)
	f.reg.notify()
	if err := <-done; !errors.Is(err, ErrExpired) {
		t.Fatalf("wait on expiry: %v", err)
	}
	inv, _ := f.reg.ByLabel(ctx, "e")
	if inv.Status != StatusExpired {
		t.Fatalf("status %s", inv.Status)
	}
	if _, err := f.reg.Settle(ctx, inv.PaymentHash, 1); err != nil {
		// The registry records what the payment path decided; refusing
		// payment of an expired invoice is the payment path's check.
		t.Fatalf("settle: %v", err)
	}
}

func TestWaitAnyTimeoutAndOrder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.reg.WaitAny(ctx, 0, 20*time.Millisecond); !errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("timeout: %v", err)
	}
	var hashes [][32]byte
	for _, l := range []string{"x", "y"} {
		inv, err := f.reg.Create(ctx, CreateRequest{Label: l, Description: l})
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, inv.PaymentHash)
	}
	f.reg.Settle(ctx, hashes[1], 1)
	f.reg.Settle(ctx, hashes[0], 2)
	first, _ := f.reg.WaitAny(ctx, 0, time.Second)
	second, _ := f.reg.WaitAny(ctx, first.PayIndex, time.Second)
	if first.Label != "y" || second.Label != "x" || second.PayIndex != 2 {
		t.Fatalf("order %s(%d) %s(%d)", first.Label, first.PayIndex, second.Label, second.PayIndex)
	}
}

func TestDeleteChecksStatusAndWakesWaiter(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.reg.Create(ctx, CreateRequest{Label: "d", Description: "d"})
	if _, err := f.reg.Delete(ctx, "d", StatusPaid); !errors.Is(err, ErrStatusMismatch) {
		t.Fatalf("wrong status: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := f.reg.Wait(ctx, "d")
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	if _, err := f.reg.Delete(ctx, "d", StatusUnpaid); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrNotFound) {
		t.Fatalf("waiter after delete: %v", err)
	}
	if _, err := f.reg.Delete(ctx, "d", StatusUnpaid); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := f.reg.Wait(ctx, "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("wait unknown: %v", err)
	}
}
