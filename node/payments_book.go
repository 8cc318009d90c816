package node

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
	"github.com/fulmen-ln/fulmen/store"
)

// HTLCStore is what the runtime needs of the store to keep outgoing
// payments and forwards (part of Store).
type HTLCStore interface {
	// SaveHTLCRecords writes payment and forward rows on their own.
	SaveHTLCRecords(ctx context.Context, r *store.HTLCRecords) error
	// UpdateChannelStateAndHTLCs writes a channel step and its payment and
	// forward rows in one transaction.
	UpdateChannelStateAndHTLCs(ctx context.Context, u store.ChannelStateUpdate, r *store.HTLCRecords) (uint64, error)
	Payments(ctx context.Context, f store.PaymentFilter) ([]store.PaymentRecord, error)
	Forwards(ctx context.Context, f store.ForwardFilter) ([]store.ForwardRecord, error)
}

// outgoing is an attempt in flight, from SendPayment (or the load of a
// pending attempt after a restart) until its outcome is stored.
type outgoing struct {
	Payment
	// secrets are the onion's shared secrets, to decrypt a failure.
	secrets [][32]byte
	// record is the row being stored with the state that offers the HTLC
	// (owned by the channel's goroutine while it offers).
	record *store.PaymentRecord
	// htlc is the HTLC carrying the attempt, once stored.
	htlc *store.HTLCRef
	done chan struct{}
}

// paymentBook tracks the payment attempts and the forwards in flight.
// The store is the truth: the book is loaded from its pending rows at
// first use, and an attempt or a forward leaves the book only once its
// outcome is stored.
type paymentBook struct {
	mu      sync.Mutex
	loaded  bool
	pending map[[32]byte]*outgoing
	byHTLC  map[store.HTLCRef]*outgoing
	// forwards are the offered forwards, by outgoing HTLC.
	forwards map[store.HTLCRef]*store.ForwardRecord
}

func newPaymentBook() *paymentBook {
	return &paymentBook{pending: make(map[[32]byte]*outgoing), byHTLC: make(map[store.HTLCRef]*outgoing),
		forwards: make(map[store.HTLCRef]*store.ForwardRecord)}
}

// book returns the payment book, loaded, and the store behind it.
func (rt *Channels) book(ctx context.Context) (*paymentBook, HTLCStore, error) {
	ps := rt.cfg.Store
	b := rt.payments
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.loaded {
		if err := b.loadLocked(ctx, ps); err != nil {
			return nil, nil, err
		}
	}
	return b, ps, nil
}

// loadLocked takes the pending attempts of the store: their HTLCs are in
// the stored channel states (the attempt was stored in the transaction
// that offered the HTLC, and its outcome is stored no later than the
// state that drops it), so their outcome comes from the channels.
func (b *paymentBook) loadLocked(ctx context.Context, ps HTLCStore) error {
	list, err := ps.Payments(ctx, store.PaymentFilter{Status: store.PaymentPending})
	if err != nil {
		return fmt.Errorf("node: loading pending payments: %w", err)
	}
	for i := range list {
		rec := &list[i]
		pay, err := paymentOf(rec)
		if err != nil {
			return err
		}
		if rec.HTLC == nil {
			return fmt.Errorf("node: pending payment %d has no HTLC", rec.ID)
		}
		p := &outgoing{Payment: pay, secrets: rec.SharedSecrets, htlc: rec.HTLC, done: make(chan struct{})}
		b.pending[pay.PaymentHash] = p
		b.byHTLC[*rec.HTLC] = p
	}
	// Forwards likewise: the outgoing HTLC of an offered forward is in the
	// stored state of its channel.
	forwards, err := ps.Forwards(ctx, store.ForwardFilter{Status: store.ForwardOffered})
	if err != nil {
		return fmt.Errorf("node: loading forwards in flight: %w", err)
	}
	for i := range forwards {
		f := &forwards[i]
		if f.Out == nil {
			return fmt.Errorf("node: forward %d in flight has no outgoing HTLC", f.ID)
		}
		b.forwards[*f.Out] = f
	}
	b.loaded = true
	return nil
}

// start registers a new attempt; it refuses one for a hash with an
// attempt in flight or one that completed, returning that attempt.
func (b *paymentBook) start(ctx context.Context, ps HTLCStore, p *outgoing) (Payment, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if q := b.pending[p.PaymentHash]; q != nil {
		return q.Payment, ErrPaymentInProgress
	}
	paid, err := ps.Payments(ctx, store.PaymentFilter{PaymentHash: &p.PaymentHash, Status: store.PaymentComplete})
	if err != nil {
		return Payment{}, err
	}
	if len(paid) > 0 {
		prior, err := paymentOf(&paid[0])
		if err != nil {
			return Payment{}, err
		}
		return prior, ErrAlreadyPaid
	}
	b.pending[p.PaymentHash] = p
	return Payment{}, nil
}

// failLocally stores and ends an attempt whose HTLC was never offered.
func (b *paymentBook) failLocally(ctx context.Context, ps HTLCStore, p *outgoing, failure *PaymentFailure) error {
	now := time.Now()
	b.mu.Lock()
	rec := recordOf(p, nil)
	b.mu.Unlock()
	rec.Status, rec.Failure, rec.CompletedAt = store.PaymentFailed, storedFailure(failure), now.Unix()
	err := ps.SaveHTLCRecords(ctx, &store.HTLCRecords{NewPayments: []*store.PaymentRecord{rec}})
	b.mu.Lock()
	defer b.mu.Unlock()
	p.ID, p.GroupID = rec.ID, rec.GroupID
	b.endLocked(p, PaymentFailed, [32]byte{}, failure, now)
	return err
}

// endLocked records an outcome in memory and wakes the waiters.
func (b *paymentBook) endLocked(p *outgoing, status PaymentStatus, preimage [32]byte, failure *PaymentFailure, at time.Time) {
	p.Status, p.Preimage, p.Failure, p.CompletedAt = status, preimage, failure, at.Truncate(time.Second)
	if b.pending[p.PaymentHash] == p {
		delete(b.pending, p.PaymentHash)
	}
	if p.htlc != nil {
		delete(b.byHTLC, *p.htlc)
	}
	close(p.done)
}

// inFlight returns the attempt in flight for the hash, if any.
func (b *paymentBook) inFlight(hash [32]byte) *outgoing {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pending[hash]
}

// copyOf returns a consistent copy of the attempt.
func (b *paymentBook) copyOf(p *outgoing) Payment {
	b.mu.Lock()
	defer b.mu.Unlock()
	return p.Payment
}

// recordOf is the row of an attempt; htlc nil for one never offered.
func recordOf(p *outgoing, htlc *store.HTLCRef) *store.PaymentRecord {
	rec := &store.PaymentRecord{
		PaymentHash: p.PaymentHash, AmountMsat: uint64(p.Amount), AmountSentMsat: uint64(p.AmountSent),
		CreatedAt: p.CreatedAt.Unix(), Status: store.PaymentStatus(p.Status), Bolt11: p.Bolt11, Label: p.Label,
		Description: p.Description, HTLC: htlc, ShortChannelID: p.FirstChannel().ToUint64(),
		SharedSecrets: p.secrets,
	}
	copy(rec.Destination[:], p.Destination.SerializeCompressed())
	for _, h := range p.Route {
		hop := store.PaymentHop{ShortChannelID: h.ShortChannelID.ToUint64(), AmountMsat: uint64(h.Amount), Delay: h.Delay}
		copy(hop.NodeID[:], h.NodeID.SerializeCompressed())
		rec.Route = append(rec.Route, hop)
	}
	return rec
}

// storedFailure is a failure as the store keeps it.
func storedFailure(f *PaymentFailure) *store.PaymentFailure {
	msg, err := f.Message.Encode()
	if err != nil || f.Message.Code == 0 {
		msg = nil
	}
	return &store.PaymentFailure{ErringIndex: f.ErringIndex, Code: uint16(f.Code), Message: msg}
}

// paymentOf reads a stored attempt.
func paymentOf(rec *store.PaymentRecord) (Payment, error) {
	dest, err := btcec.ParsePubKey(rec.Destination[:])
	if err != nil {
		return Payment{}, fmt.Errorf("node: payment %d: destination: %w", rec.ID, err)
	}
	p := Payment{ID: rec.ID, GroupID: rec.GroupID, PaymentHash: rec.PaymentHash, Destination: dest,
		Amount: lnwire.MilliSatoshi(rec.AmountMsat), AmountSent: lnwire.MilliSatoshi(rec.AmountSentMsat),
		Label: rec.Label, Bolt11: rec.Bolt11, Description: rec.Description, CreatedAt: time.Unix(rec.CreatedAt, 0),
		Status: PaymentStatus(rec.Status)}
	if rec.CompletedAt != 0 {
		p.CompletedAt = time.Unix(rec.CompletedAt, 0)
	}
	if rec.Preimage != nil {
		p.Preimage = *rec.Preimage
	}
	for i, h := range rec.Route {
		id, err := btcec.ParsePubKey(h.NodeID[:])
		if err != nil {
			return Payment{}, fmt.Errorf("node: payment %d: hop %d: %w", rec.ID, i, err)
		}
		p.Route = append(p.Route, RouteHop{NodeID: id, ShortChannelID: lnwire.NewShortChannelIDFromUint64(h.ShortChannelID),
			Amount: lnwire.MilliSatoshi(h.AmountMsat), Delay: h.Delay})
	}
	if f := rec.Failure; f != nil {
		p.Failure = &PaymentFailure{Code: onion.FailureCode(f.Code), ErringIndex: f.ErringIndex,
			Message: onion.Failure{Code: onion.FailureCode(f.Code)}}
		if msg, err := onion.DecodeFailure(f.Message); f.Message != nil && err == nil {
			p.Failure.Message = msg
		}
	}
	return p, nil
}
