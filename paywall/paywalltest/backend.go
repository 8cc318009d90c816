package paywalltest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/paywall"
)

// Start is the fake clock's time when a Backend is made.
var Start = time.Date(2025, time.November, 23, 12, 0, 0, 0, time.UTC)

// ErrNotUnpaid: Pay was asked for an invoice that is paid or expired.
var ErrNotUnpaid = errors.New("paywalltest: invoice is not unpaid")

// Backend is a fake node implementing paywall.Backend. Its zero value is
// not usable; call NewBackend.
type Backend struct {
	key *btcec.PrivateKey

	mu       sync.Mutex
	now      time.Time
	invoices map[string]*invoice
	changed  chan struct{} // closed and replaced at every change, to wake waiters
	failure  error         // when set, every call fails with it
	created  int
	waiters  int
}

type invoice struct {
	paywall.Invoice
	preimage [32]byte
	paid     bool
}

// NewBackend returns an empty fake node whose clock reads Start.
func NewBackend() *Backend {
	seed := sha256.Sum256([]byte("paywalltest node key"))
	key, _ := btcec.PrivKeyFromBytes(seed[:])
	return &Backend{key: key, now: Start, invoices: make(map[string]*invoice), changed: make(chan struct{})}
}

// SignCompact signs invoices with the fake node's key (bolt11.Signer).
func (b *Backend) SignCompact(hash [32]byte) ([]byte, error) {
	return ecdsa.SignCompact(b.key, hash[:], true), nil
}

// PubKey is the fake node's key: the payee of its invoices.
func (b *Backend) PubKey() *btcec.PublicKey { return b.key.PubKey() }

// notify wakes every waiter; b.mu must be held.
func (b *Backend) notify() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// status is the invoice's state at the fake clock's time; b.mu must be held.
func (b *Backend) status(inv *invoice) paywall.Status {
	switch {
	case inv.paid:
		return paywall.StatusPaid
	case !b.now.Before(inv.ExpiresAt):
		return paywall.StatusExpired
	}
	return paywall.StatusUnpaid
}

// snapshot copies the invoice with its current status; b.mu must be held.
func (b *Backend) snapshot(inv *invoice) paywall.Invoice {
	out := inv.Invoice
	out.Status = b.status(inv)
	if out.Status == paywall.StatusPaid {
		out.Preimage = inv.preimage
	}
	return out
}

// CreateInvoice makes a signed regtest invoice; the preimage is derived
// from the label, so tests can predict it with Preimage.
func (b *Backend) CreateInvoice(ctx context.Context, label string, amount lnwire.MilliSatoshi,
	description string, expiry time.Duration) (paywall.Invoice, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failure != nil {
		return paywall.Invoice{}, b.failure
	}
	if _, ok := b.invoices[label]; ok {
		return paywall.Invoice{}, fmt.Errorf("%w: %q", paywall.ErrDuplicateLabel, label)
	}
	seconds := uint64((expiry + time.Second - 1) / time.Second)
	preimage := Preimage(label)
	amt := amount
	bolt, err := bolt11.Encode(&bolt11.Invoice{
		Currency:      bolt11.CurrencyRegtest,
		Amount:        &amt,
		Timestamp:     uint64(b.now.Unix()),
		PaymentHash:   sha256.Sum256(preimage[:]),
		PaymentSecret: sha256.Sum256([]byte("paywalltest secret " + label)),
		Description:   &description,
		Expiry:        &seconds,
		Features:      lnwire.NewFeatureVector(lnwire.VarOnionOptinRequired, lnwire.PaymentSecretRequired),
	}, b)
	if err != nil {
		return paywall.Invoice{}, fmt.Errorf("paywalltest: encoding invoice: %w", err)
	}
	inv := &invoice{Invoice: paywall.Invoice{
		Label:       label,
		Bolt11:      bolt,
		PaymentHash: sha256.Sum256(preimage[:]),
		Amount:      amount,
		ExpiresAt:   b.now.Add(time.Duration(seconds) * time.Second),
	}, preimage: preimage}
	b.invoices[label] = inv
	b.created++
	b.notify()
	return b.snapshot(inv), nil
}

// WaitInvoice waits until the invoice is paid, expires (the clock moves
// only through Advance) or is deleted.
func (b *Backend) WaitInvoice(ctx context.Context, label string) (paywall.Invoice, error) {
	for {
		b.mu.Lock()
		if b.failure != nil {
			err := b.failure
			b.mu.Unlock()
			return paywall.Invoice{}, err
		}
		inv, ok := b.invoices[label]
		if !ok {
			b.mu.Unlock()
			return paywall.Invoice{}, fmt.Errorf("%w: %q", paywall.ErrInvoiceNotFound, label)
		}
		got := b.snapshot(inv)
		changed := b.changed
		b.mu.Unlock()
		if got.Status != paywall.StatusUnpaid {
			return got, nil
		}
		if !b.block(ctx, changed) {
			return paywall.Invoice{}, ctx.Err()
		}
	}
}

// block waits for the next change, counted as a waiter; false when ctx
// ends first.
func (b *Backend) block(ctx context.Context, changed <-chan struct{}) bool {
	b.mu.Lock()
	b.waiters++
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.waiters--
		b.mu.Unlock()
	}()
	select {
	case <-ctx.Done():
		return false
	case <-changed:
		return true
	}
}

// Waiters counts the WaitInvoice calls blocked right now, so a test can
// pay only once a long poll is really waiting.
func (b *Backend) Waiters() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.waiters
}

// LookupInvoice returns the invoice in its state at the fake clock's time.
func (b *Backend) LookupInvoice(ctx context.Context, label string) (paywall.Invoice, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failure != nil {
		return paywall.Invoice{}, b.failure
	}
	inv, ok := b.invoices[label]
	if !ok {
		return paywall.Invoice{}, fmt.Errorf("%w: %q", paywall.ErrInvoiceNotFound, label)
	}
	return b.snapshot(inv), nil
}

// Pay settles the invoice as if a payment had arrived, and returns the
// preimage the payer's wallet would now know.
func (b *Backend) Pay(label string) ([32]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	inv, ok := b.invoices[label]
	if !ok {
		return [32]byte{}, fmt.Errorf("%w: %q", paywall.ErrInvoiceNotFound, label)
	}
	if s := b.status(inv); s != paywall.StatusUnpaid {
		return [32]byte{}, fmt.Errorf("%w: %q is %s", ErrNotUnpaid, label, s)
	}
	inv.paid = true
	b.notify()
	return inv.preimage, nil
}

// Delete removes the invoice, as delinvoice does.
func (b *Backend) Delete(label string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.invoices[label]; !ok {
		return fmt.Errorf("%w: %q", paywall.ErrInvoiceNotFound, label)
	}
	delete(b.invoices, label)
	b.notify()
	return nil
}

// Advance moves the fake clock forward; invoices whose expiry it passes
// become expired and their waiters return.
func (b *Backend) Advance(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.now = b.now.Add(d)
	b.notify()
}

// Now reads the fake clock.
func (b *Backend) Now() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now
}

// Fail makes every later call fail with err (nil restores service), as an
// unreachable node would.
func (b *Backend) Fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failure = err
	b.notify()
}

// Labels lists the labels of the invoices, sorted.
func (b *Backend) Labels() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, 0, len(b.invoices))
	for l := range b.invoices {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Created counts the invoices ever created.
func (b *Backend) Created() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.created
}

// Preimage is the preimage the fake gives the invoice labelled label.
func Preimage(label string) [32]byte {
	return sha256.Sum256([]byte("paywalltest preimage " + label))
}
