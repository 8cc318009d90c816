package node

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
)

// Errors of payments.
var (
	// ErrNoRoute: no channel in normal operation with the destination
	// (only direct payments are made so far).
	ErrNoRoute = errors.New("node: no channel to the destination")
	// ErrPaymentInProgress: a payment with that hash is pending.
	ErrPaymentInProgress = errors.New("node: payment in progress")
	// ErrAlreadyPaid: a payment with that hash succeeded.
	ErrAlreadyPaid = errors.New("node: payment hash already paid")
	// ErrUnknownPayment: no payment with that hash was sent.
	ErrUnknownPayment = errors.New("node: unknown payment")
	// ErrPaymentFailed: the payment failed; *PaymentFailure says why.
	ErrPaymentFailed = errors.New("node: payment failed")
)

// PaymentRequest pays one of our peers directly over our channel with it.
type PaymentRequest struct {
	Destination *btcec.PublicKey
	// Channel, when set, is the channel to use (sendpay's route).
	Channel     *lnwire.ShortChannelID
	Amount      lnwire.MilliSatoshi
	PaymentHash [32]byte
	// PaymentSecret is the invoice's; the final payload carries it with
	// total_msat = Amount.
	PaymentSecret *[32]byte
	// FinalCLTVDelta is the invoice's min_final_cltv_expiry_delta.
	FinalCLTVDelta uint32
}

// PaymentStatus is Core Lightning's sendpay status.
type PaymentStatus string

// Statuses of a payment.
const (
	PaymentPending  PaymentStatus = "pending"
	PaymentComplete PaymentStatus = "complete"
	PaymentFailed   PaymentStatus = "failed"
)

// Payment is an outgoing payment as the runtime knows it.
type Payment struct {
	ID          uint64
	Request     PaymentRequest
	CreatedAt   time.Time
	Status      PaymentStatus
	Preimage    [32]byte
	Failure     *PaymentFailure
	ChannelID   lnwire.ChannelID
	ShortChanID lnwire.ShortChannelID
}

// PaymentFailure is why a payment failed: the failure message the
// erring node sent (decrypted), or the failure code of a malformed onion.
type PaymentFailure struct {
	Code onion.FailureCode
	// ErringIndex is the position of the failing node in the route (0 is
	// the destination of a direct payment).
	ErringIndex int
	Message     onion.Failure
}

func (f *PaymentFailure) Error() string {
	return fmt.Sprintf("%v: %s at hop %d", ErrPaymentFailed, f.Code, f.ErringIndex)
}

// Unwrap makes errors.Is(err, ErrPaymentFailed) work.
func (f *PaymentFailure) Unwrap() error { return ErrPaymentFailed }

// outgoing is a payment in flight.
type outgoing struct {
	Payment
	index   uint64 // channel
	htlcID  uint64
	secrets [][32]byte
	done    chan struct{}
}

// paymentBook tracks outgoing payments (in memory: a restart forgets them,
// though their HTLCs settle or fail on the channel as usual).
type paymentBook struct {
	mu     sync.Mutex
	nextID uint64
	byHash map[[32]byte]*outgoing
	byHTLC map[[2]uint64]*outgoing // channel index, HTLC id
}

func newPaymentBook() *paymentBook {
	return &paymentBook{byHash: make(map[[32]byte]*outgoing), byHTLC: make(map[[2]uint64]*outgoing)}
}

// settled completes the payment of an HTLC the peer fulfilled.
func (b *paymentBook) settled(index uint64, ev channel.HTLCSettled) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.byHTLC[[2]uint64{index, ev.ID}]
	if p == nil || p.Status != PaymentPending {
		return
	}
	if sha256.Sum256(ev.Preimage[:]) != p.Request.PaymentHash {
		return // the channel checked it; never happens
	}
	p.Status, p.Preimage = PaymentComplete, ev.Preimage
	delete(b.byHTLC, [2]uint64{index, ev.ID})
	close(p.done)
}

// failed ends the payment of an HTLC that was failed back.
func (b *paymentBook) failed(index uint64, ev channel.HTLCFailed) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.byHTLC[[2]uint64{index, ev.ID}]
	if p == nil || p.Status != PaymentPending {
		return
	}
	f := &PaymentFailure{Code: onion.CodeTemporaryNodeFailure}
	switch {
	case ev.Malformed != nil:
		// BOLT #4: the origin node [...] if update_fail_malformed_htlc
		// was received: reports the failure_code.
		f.Code = onion.FailureCode(ev.Malformed.FailureCode)
	default:
		if d, err := onion.DecryptFailure(p.secrets, ev.Reason); d != nil {
			f.ErringIndex, f.Message, f.Code = d.SourceIndex, d.Failure, d.Failure.Code
			if err != nil {
				f.Code = onion.CodeTemporaryNodeFailure
			}
		}
	}
	p.Status, p.Failure = PaymentFailed, f
	delete(b.byHTLC, [2]uint64{index, ev.ID})
	close(p.done)
}

// channelTo finds our channel in normal operation with the destination.
func (rt *Channels) channelTo(dest *btcec.PublicKey, scid *lnwire.ShortChannelID) (*worker, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, w := range rt.workersOf(keyOf(dest)) {
		v := w.snapshot()
		if v.State.Phase == channel.Normal && (scid == nil || v.State.ShortChannelID == *scid) {
			return w, nil
		}
	}
	return nil, fmt.Errorf("%w %x", ErrNoRoute, dest.SerializeCompressed())
}

// SendPayment offers an HTLC paying the destination over our channel with
// it, with an onion whose final payload carries the amount, the CLTV and
// the invoice's payment secret. It returns once the HTLC is offered; use
// WaitPayment for the outcome.
func (rt *Channels) SendPayment(ctx context.Context, req PaymentRequest) (Payment, error) {
	if req.Destination == nil || req.Amount == 0 {
		return Payment{}, errors.New("node: payment needs a destination and an amount")
	}
	book := rt.payments
	book.mu.Lock()
	if p := book.byHash[req.PaymentHash]; p != nil {
		switch p.Status {
		case PaymentPending:
			book.mu.Unlock()
			return p.Payment, ErrPaymentInProgress
		case PaymentComplete:
			book.mu.Unlock()
			return p.Payment, ErrAlreadyPaid
		}
	}
	book.nextID++
	p := &outgoing{Payment: Payment{ID: book.nextID, Request: req, CreatedAt: time.Now(), Status: PaymentPending},
		done: make(chan struct{})}
	book.byHash[req.PaymentHash] = p
	book.mu.Unlock()

	err := rt.offer(ctx, p)
	if err != nil {
		book.mu.Lock()
		p.Status, p.Failure = PaymentFailed, &PaymentFailure{Code: onion.CodeTemporaryChannelFailure, ErringIndex: -1}
		close(p.done)
		book.mu.Unlock()
		return p.Payment, err
	}
	book.mu.Lock()
	defer book.mu.Unlock()
	return p.Payment, nil
}

// offer builds the onion and adds the HTLC on the channel's goroutine.
func (rt *Channels) offer(ctx context.Context, p *outgoing) error {
	req := &p.Request
	w, err := rt.channelTo(req.Destination, req.Channel)
	if err != nil {
		return err
	}
	height, err := rt.cfg.Chain.BlockCount(ctx)
	if err != nil {
		return err
	}
	// A few blocks of margin, so that a block found while the HTLC travels
	// does not make it too near the present for the recipient.
	expiry := height + lnwire.BlockHeight(req.FinalCLTVDelta) + 3
	total := req.Amount
	var data *onion.PaymentData
	if req.PaymentSecret != nil {
		// BOLT #4: otherwise (a single HTLC): MUST set total_msat equal to
		// amt_to_forward.
		data = &onion.PaymentData{PaymentSecret: *req.PaymentSecret, TotalMsat: total}
	}
	payload, err := onion.NewFinalPayload(req.Amount, expiry, data).Encode()
	if err != nil {
		return err
	}
	var seed [32]byte
	if _, err := io.ReadFull(rt.cfg.Rand, seed[:]); err != nil {
		return err
	}
	sessionKey, _ := btcec.PrivKeyFromBytes(seed[:])
	packet, secrets, err := onion.NewPacket(sessionKey, []onion.Hop{{PublicKey: req.Destination, Payload: payload}}, req.PaymentHash[:])
	if err != nil {
		return err
	}
	add := channel.AddHTLC{Amount: req.Amount, PaymentHash: req.PaymentHash, CLTVExpiry: expiry}
	copy(add.Onion[:], packet.Bytes())
	return w.do(ctx, func() error {
		if w.halted != nil {
			return w.halted
		}
		id := w.state.NextHTLCID[channel.Local]
		if err := w.step(ctx, add); err != nil {
			return err
		}
		book := rt.payments
		book.mu.Lock()
		p.index, p.htlcID, p.secrets = w.index, id, secrets
		p.ChannelID, p.ShortChanID = w.state.ChannelID, w.state.ShortChannelID
		book.byHTLC[[2]uint64{w.index, id}] = p
		book.mu.Unlock()
		return nil
	})
}

// WaitPayment waits for the outcome of the payment with the hash: the
// completed Payment, or an error wrapping ErrPaymentFailed (a
// *PaymentFailure), ErrUnknownPayment or ctx's error.
func (rt *Channels) WaitPayment(ctx context.Context, hash [32]byte) (Payment, error) {
	book := rt.payments
	book.mu.Lock()
	p := book.byHash[hash]
	book.mu.Unlock()
	if p == nil {
		return Payment{}, fmt.Errorf("%w: %x", ErrUnknownPayment, hash)
	}
	select {
	case <-p.done:
	case <-ctx.Done():
		return rt.paymentCopy(p), ctx.Err()
	case <-rt.ctx.Done():
		return rt.paymentCopy(p), ErrStopped
	}
	out := rt.paymentCopy(p)
	if out.Status == PaymentFailed {
		return out, out.Failure
	}
	return out, nil
}

// Payments lists the payments sent since start.
func (rt *Channels) Payments() []Payment {
	book := rt.payments
	book.mu.Lock()
	defer book.mu.Unlock()
	out := make([]Payment, 0, len(book.byHash))
	for _, p := range book.byHash {
		out = append(out, p.Payment)
	}
	return out
}

func (rt *Channels) paymentCopy(p *outgoing) Payment {
	rt.payments.mu.Lock()
	defer rt.payments.mu.Unlock()
	return p.Payment
}
