package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
	"github.com/fulmen-ln/fulmen/store"
)

// Errors of payments.
var (
	// ErrNoRoute: no channel in normal operation with the first hop.
	ErrNoRoute = errors.New("node: no channel to the destination")
	// ErrInvalidRoute: a route or payment request that cannot be paid as
	// given (no hop, a hop without a node or an amount).
	ErrInvalidRoute = errors.New("node: invalid route")
	// ErrPaymentInProgress: a payment with that hash is pending.
	ErrPaymentInProgress = errors.New("node: payment in progress")
	// ErrAlreadyPaid: a payment with that hash succeeded.
	ErrAlreadyPaid = errors.New("node: payment hash already paid")
	// ErrUnknownPayment: no payment with that hash was sent.
	ErrUnknownPayment = errors.New("node: unknown payment")
	// ErrPaymentFailed: the payment failed; *PaymentFailure says why.
	ErrPaymentFailed = errors.New("node: payment failed")
)

// finalCLTVMargin is added to the final hop's CLTV delta of a payment we
// route ourselves, so that a block found while the HTLC travels does not
// bring it too near the present for the recipient.
const finalCLTVMargin = 2

// RouteHop is one hop of a route, as Core Lightning's sendpay takes it:
// the node, the channel that leads to it, and the amount and CLTV delay
// of the HTLC it receives. Delay counts blocks over the height the
// payment is sent at plus one (the HTLC's cltv_expiry is height + 1 +
// Delay).
type RouteHop struct {
	NodeID         *btcec.PublicKey
	ShortChannelID lnwire.ShortChannelID
	Amount         lnwire.MilliSatoshi
	Delay          uint32
}

// PaymentRequest is a payment to send: either directly to one of our
// peers (Destination, Amount, FinalCLTVDelta, optionally Channel), or
// along Route.
type PaymentRequest struct {
	Destination *btcec.PublicKey
	// Channel, when set, is the channel to use for a direct payment.
	Channel     *lnwire.ShortChannelID
	Amount      lnwire.MilliSatoshi
	PaymentHash [32]byte
	// PaymentSecret is the invoice's; the final payload carries it with
	// total_msat = the amount delivered.
	PaymentSecret *[32]byte
	// FinalCLTVDelta is the invoice's min_final_cltv_expiry_delta.
	FinalCLTVDelta uint32
	// Route, when set, is the path to pay along (sendpay's route): its
	// first hop is a peer we have a channel with, its last the
	// destination. It replaces Destination, Channel, Amount and
	// FinalCLTVDelta.
	Route []RouteHop
	// Label, Bolt11 and Description are kept with the payment.
	Label       string
	Bolt11      string
	Description string
}

// PaymentStatus is Core Lightning's sendpay status.
type PaymentStatus string

// Statuses of a payment.
const (
	PaymentPending  PaymentStatus = PaymentStatus(store.PaymentPending)
	PaymentComplete PaymentStatus = PaymentStatus(store.PaymentComplete)
	PaymentFailed   PaymentStatus = PaymentStatus(store.PaymentFailed)
)

// Payment is one attempt at an outgoing payment, as stored.
type Payment struct {
	// ID is the attempt's created_index; GroupID numbers the attempts of
	// one payment hash from 1.
	ID          uint64
	GroupID     uint64
	PaymentHash [32]byte
	Destination *btcec.PublicKey
	// Amount is what the destination receives; AmountSent what we sent,
	// fees included.
	Amount      lnwire.MilliSatoshi
	AmountSent  lnwire.MilliSatoshi
	Route       []RouteHop
	Label       string
	Bolt11      string
	Description string
	CreatedAt   time.Time
	CompletedAt time.Time // zero while pending
	Status      PaymentStatus
	Preimage    [32]byte
	Failure     *PaymentFailure
}

// FirstChannel is the channel the payment left on.
func (p *Payment) FirstChannel() lnwire.ShortChannelID {
	if len(p.Route) == 0 {
		return lnwire.ShortChannelID{}
	}
	return p.Route[0].ShortChannelID
}

// PaymentFailure is why a payment failed: the failure message the
// erring node sent (decrypted), or the failure code of a malformed onion.
type PaymentFailure struct {
	Code onion.FailureCode
	// ErringIndex is the position of the failing node in the route: 0 is
	// the first hop (the destination of a direct payment), -1 our own
	// node (the HTLC was never offered).
	ErringIndex int
	Message     onion.Failure
}

func (f *PaymentFailure) Error() string {
	return fmt.Sprintf("%v: %s at hop %d", ErrPaymentFailed, f.Code, f.ErringIndex)
}

// Unwrap makes errors.Is(err, ErrPaymentFailed) work.
func (f *PaymentFailure) Unwrap() error { return ErrPaymentFailed }

// channelTo finds our channel in normal operation with the peer.
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

// routeOf checks the request and returns its route; a direct payment is a
// route of one hop whose channel is chosen when the HTLC is offered.
func routeOf(req *PaymentRequest) ([]RouteHop, error) {
	if len(req.Route) == 0 {
		if req.Destination == nil || req.Amount == 0 {
			return nil, fmt.Errorf("%w: a payment needs a destination and an amount", ErrInvalidRoute)
		}
		hop := RouteHop{NodeID: req.Destination, Amount: req.Amount, Delay: req.FinalCLTVDelta + finalCLTVMargin}
		if req.Channel != nil {
			hop.ShortChannelID = *req.Channel
		}
		return []RouteHop{hop}, nil
	}
	route := append([]RouteHop(nil), req.Route...)
	for i, h := range route {
		if h.NodeID == nil || h.Amount == 0 {
			return nil, fmt.Errorf("%w: hop %d needs a node and an amount", ErrInvalidRoute, i)
		}
	}
	return route, nil
}

// SendPayment offers an HTLC carrying an onion along the request's route
// (or directly to the destination). The attempt is stored with the
// channel state that offers the HTLC, before update_add_htlc leaves; it
// returns once the HTLC is offered, and WaitPayment reports the outcome.
// An attempt that fails before any HTLC is offered is stored as failed
// and returned with the error.
func (rt *Channels) SendPayment(ctx context.Context, req PaymentRequest) (Payment, error) {
	route, err := routeOf(&req)
	if err != nil {
		return Payment{}, err
	}
	book, ps, err := rt.book(ctx)
	if err != nil {
		return Payment{}, err
	}
	var scid *lnwire.ShortChannelID
	if req.Channel != nil || len(req.Route) > 0 {
		scid = &route[0].ShortChannelID
	}
	w, offerErr := rt.channelTo(route[0].NodeID, scid)
	if offerErr == nil {
		route[0].ShortChannelID = w.snapshot().State.ShortChannelID
	}
	last := route[len(route)-1]
	p := &outgoing{Payment: Payment{PaymentHash: req.PaymentHash, Destination: last.NodeID, Amount: last.Amount,
		AmountSent: route[0].Amount, Route: route, Label: req.Label, Bolt11: req.Bolt11, Description: req.Description,
		CreatedAt: time.Now().Truncate(time.Second), Status: PaymentPending}, done: make(chan struct{})}
	if prior, err := book.start(ctx, ps, p); err != nil {
		return prior, err
	}
	if offerErr == nil {
		offerErr = rt.offer(ctx, w, p, req.PaymentSecret)
	}
	if offerErr != nil {
		failure := &PaymentFailure{Code: onion.CodeTemporaryChannelFailure, ErringIndex: -1}
		if errors.Is(offerErr, ErrNoRoute) {
			failure.Code = onion.CodeUnknownNextPeer
		}
		if err := book.failLocally(context.WithoutCancel(ctx), ps, p, failure); err != nil {
			rt.log.Error("storing a failed payment", "payment_hash", fmt.Sprintf("%x", p.PaymentHash), "err", err)
		}
		return book.copyOf(p), offerErr
	}
	return book.copyOf(p), nil
}

// offer builds the onion and adds the HTLC on the first hop's channel w.
func (rt *Channels) offer(ctx context.Context, w *worker, p *outgoing, secret *[32]byte) error {
	height, err := rt.cfg.Chain.BlockCount(ctx)
	if err != nil {
		return err
	}
	packet, secrets, err := rt.buildOnion(p.Route, height+1, p.PaymentHash, secret)
	if err != nil {
		return err
	}
	first := p.Route[0]
	add := channel.AddHTLC{Amount: first.Amount, PaymentHash: p.PaymentHash, CLTVExpiry: height + 1 + lnwire.BlockHeight(first.Delay)}
	copy(add.Onion[:], packet.Bytes())
	return w.do(ctx, func() error {
		if w.halted != nil {
			return w.halted
		}
		if w.state.ShortChannelID != first.ShortChannelID {
			return fmt.Errorf("%w: channel %s changed", ErrNoRoute, first.ShortChannelID)
		}
		// The attempt goes into the transaction that stores the state
		// offering its HTLC (worker.execute, payments_records.go).
		id := w.state.NextHTLCID[channel.Local]
		p.secrets = secrets
		p.record = recordOf(p, &store.HTLCRef{ChannelIndex: w.index, ID: id})
		w.offering = p
		err := w.step(ctx, add)
		w.offering = nil
		if p.record.ID == 0 {
			p.record = nil // not stored: the add was refused
			if err == nil {
				err = fmt.Errorf("node: the HTLC of payment %x was not offered", p.PaymentHash)
			}
			return err
		}
		if err != nil {
			// Stored with the state that offers the HTLC: the payment is
			// in flight whatever happened after (a restart resumes it).
			rt.log.Warn("payment offered, then the channel step failed", "payment_hash", fmt.Sprintf("%x", p.PaymentHash), "err", err)
		}
		return nil
	})
}

// buildOnion builds the onion of a route: a forward payload for every hop
// but the last (the next channel, amount and CLTV), and a final payload
// with the payment secret. base is the height the delays count from.
func (rt *Channels) buildOnion(route []RouteHop, base lnwire.BlockHeight, hash [32]byte, secret *[32]byte) (*onion.Packet, [][32]byte, error) {
	hops := make([]onion.Hop, len(route))
	for i, h := range route {
		var payload *onion.HopPayload
		if i+1 < len(route) {
			next := route[i+1]
			payload = onion.NewForwardPayload(next.ShortChannelID, next.Amount, base+lnwire.BlockHeight(next.Delay))
		} else {
			var data *onion.PaymentData
			if secret != nil {
				// BOLT #4: otherwise (a single HTLC): MUST set total_msat
				// equal to amt_to_forward.
				data = &onion.PaymentData{PaymentSecret: *secret, TotalMsat: h.Amount}
			}
			payload = onion.NewFinalPayload(h.Amount, base+lnwire.BlockHeight(h.Delay), data)
		}
		raw, err := payload.Encode()
		if err != nil {
			return nil, nil, err
		}
		hops[i] = onion.Hop{PublicKey: h.NodeID, Payload: raw}
	}
	var seed [32]byte
	if _, err := io.ReadFull(rt.cfg.Rand, seed[:]); err != nil {
		return nil, nil, err
	}
	sessionKey, _ := btcec.PrivKeyFromBytes(seed[:])
	return onion.NewPacket(sessionKey, hops, hash[:])
}

// WaitPayment waits for the outcome of the latest attempt with the hash,
// also one started before a restart: the completed Payment, or an error
// wrapping ErrPaymentFailed (a *PaymentFailure), ErrUnknownPayment or
// ctx's error.
func (rt *Channels) WaitPayment(ctx context.Context, hash [32]byte) (Payment, error) {
	book, ps, err := rt.book(ctx)
	if err != nil {
		return Payment{}, err
	}
	var out Payment
	if p := book.inFlight(hash); p != nil {
		select {
		case <-p.done:
		case <-ctx.Done():
			return book.copyOf(p), ctx.Err()
		case <-rt.ctx.Done():
			return book.copyOf(p), ErrStopped
		}
		out = book.copyOf(p)
	} else {
		list, err := ps.Payments(ctx, store.PaymentFilter{PaymentHash: &hash})
		if err != nil {
			return Payment{}, err
		}
		if len(list) == 0 {
			return Payment{}, fmt.Errorf("%w: %x", ErrUnknownPayment, hash)
		}
		if out, err = paymentOf(&list[len(list)-1]); err != nil {
			return Payment{}, err
		}
	}
	if out.Status == PaymentFailed {
		return out, out.Failure
	}
	return out, nil
}

// PaymentFilter selects payments; zero fields match everything.
type PaymentFilter struct {
	PaymentHash *[32]byte
	Status      PaymentStatus
}

// Payments lists the stored payment attempts matching the filter, oldest
// first; they survive restarts.
func (rt *Channels) Payments(ctx context.Context, f PaymentFilter) ([]Payment, error) {
	_, ps, err := rt.book(ctx)
	if err != nil {
		return nil, err
	}
	list, err := ps.Payments(ctx, store.PaymentFilter{PaymentHash: f.PaymentHash, Status: store.PaymentStatus(f.Status)})
	if err != nil {
		return nil, err
	}
	out := make([]Payment, 0, len(list))
	for i := range list {
		p, err := paymentOf(&list[i])
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
