package node

import (
	"context"
	"time"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/onion"
	"github.com/fulmen-ln/fulmen/store"
)

// Outgoing payments are written with the channel state, never after it.
//
//   - An attempt is stored in the transaction that stores the channel
//     state offering its HTLC (persist before send: the row exists before
//     update_add_htlc leaves, and never without its HTLC).
//   - HTLCFailed comes after the PersistState of a state from which the
//     HTLC is gone: the failure is written in that same transaction.
//   - HTLCSettled comes from the step that receives update_fulfill_htlc,
//     which persists nothing: the outcome is written on its own before
//     anything else of the step, so before any later state that drops the
//     HTLC. If the process dies first, the peer retransmits the fulfill
//     after channel_reestablish (we never acknowledged it) and the
//     outcome is written then.
//
// Writing with the state rather than reconciling at start means no
// pending row ever outlives its HTLC in the stored state: a restart has
// nothing to repair, and the failure reason, gone from the state with
// the HTLC, is never needed again.

// stepRecords are the payment and forward rows one channel step writes,
// and what to update in memory once they are stored.
type stepRecords struct {
	rows     store.HTLCRecords
	offered  *outgoing
	resolved []resolution
	// relayed is the forward whose outgoing HTLC the step offers;
	// forwards are the forwards whose outgoing HTLC it settles or fails
	// (forward_records.go).
	relayed  *store.ForwardRecord
	forwards []forwardResolution
}

// resolution is the outcome of an attempt in flight.
type resolution struct {
	p        *outgoing
	status   PaymentStatus
	preimage [32]byte
	failure  *PaymentFailure
	at       time.Time
}

// htlcRecords collects the rows the step's effects write: the outcomes
// of our attempts they settle or fail and, when the step persists the
// state, the attempt whose HTLC it offers. It returns nil when there are
// none.
func (w *worker) htlcRecords(ctx context.Context, effects []channel.Effect) (*stepRecords, error) {
	persists, outcomes := false, false
	for _, e := range effects {
		switch e.(type) {
		case channel.PersistState:
			persists = true
		case channel.HTLCSettled, channel.HTLCFailed:
			outcomes = true
		}
	}
	offering := persists && (w.offering != nil || w.relaying != nil)
	if !offering && !outcomes {
		return nil, nil
	}
	book, _, err := w.rt.book(ctx)
	if err != nil {
		return nil, err
	}
	r := &stepRecords{}
	if persists && w.offering != nil {
		r.offered = w.offering
		r.rows.NewPayments = []*store.PaymentRecord{w.offering.record}
		w.offering = nil
	}
	if persists && w.relaying != nil {
		r.relayed = w.relaying
		r.rows.NewForwards = []*store.ForwardRecord{w.relaying}
		w.relaying = nil
	}
	now := time.Now()
	book.mu.Lock()
	defer book.mu.Unlock()
	for _, e := range effects {
		var ref store.HTLCRef
		switch e := e.(type) {
		case channel.HTLCSettled:
			ref = store.HTLCRef{ChannelIndex: w.index, ID: e.ID}
		case channel.HTLCFailed:
			ref = store.HTLCRef{ChannelIndex: w.index, ID: e.ID}
		default:
			continue
		}
		p := book.byHTLC[ref]
		if p == nil {
			if f := book.forwards[ref]; f != nil {
				r.resolveForward(f, e, now)
			}
			continue
		}
		var res resolution
		switch e := e.(type) {
		case channel.HTLCSettled:
			res = resolution{status: PaymentComplete, preimage: e.Preimage}
		case channel.HTLCFailed:
			res = resolution{status: PaymentFailed, failure: failureOf(p.secrets, e)}
		}
		// HTLCSettled comes again when the peer retransmits its fulfill.
		if p == nil || p.Status != PaymentPending || r.resolves(p) {
			continue
		}
		res.p, res.at = p, now
		r.resolved = append(r.resolved, res)
		out := store.PaymentOutcome{ID: p.ID, Status: store.PaymentStatus(res.status), Preimage: res.preimage,
			CompletedAt: now.Unix()}
		if res.failure != nil {
			out.Failure = storedFailure(res.failure)
		}
		r.rows.PaymentOutcomes = append(r.rows.PaymentOutcomes, out)
	}
	if r.rows.Empty() {
		return nil, nil
	}
	return r, nil
}

func (r *stepRecords) resolves(p *outgoing) bool {
	for _, res := range r.resolved {
		if res.p == p {
			return true
		}
	}
	return false
}

// failureOf decrypts why an HTLC of ours was failed.
func failureOf(secrets [][32]byte, ev channel.HTLCFailed) *PaymentFailure {
	f := &PaymentFailure{Code: onion.CodeTemporaryNodeFailure}
	switch {
	case ev.Malformed != nil:
		// BOLT #4: the origin node [...] if update_fail_malformed_htlc
		// was received: reports the failure_code. (Only the first hop
		// sends it to us.)
		f.Code = onion.FailureCode(ev.Malformed.FailureCode)
		f.Message = onion.Failure{Code: f.Code, OnionHash: ev.Malformed.SHA256OfOnion}
	default:
		if d, err := onion.DecryptFailure(secrets, ev.Reason); d != nil {
			f.ErringIndex, f.Message, f.Code = d.SourceIndex, d.Failure, d.Failure.Code
			if err != nil {
				f.Code = onion.CodeTemporaryNodeFailure
			}
		}
	}
	return f
}

// persistWithRecords writes the step's state and payment rows in one
// transaction.
func (w *worker) persistWithRecords(ctx context.Context, u store.ChannelStateUpdate, r *stepRecords) (uint64, error) {
	book, ps, err := w.rt.book(ctx)
	if err != nil {
		return 0, err
	}
	v, err := ps.UpdateChannelStateAndHTLCs(ctx, u, &r.rows)
	if err != nil {
		return 0, err
	}
	w.rt.resolveIncoming(book.apply(r))
	return v, nil
}

// saveRecords writes the step's payment rows on their own.
func (w *worker) saveRecords(ctx context.Context, r *stepRecords) error {
	book, ps, err := w.rt.book(ctx)
	if err != nil {
		return err
	}
	if err := ps.SaveHTLCRecords(ctx, &r.rows); err != nil {
		return err
	}
	w.rt.resolveIncoming(book.apply(r))
	return nil
}

// apply updates the book once the step's rows are stored; it returns the
// forwards whose outcome is now stored, to settle their incoming HTLC.
func (b *paymentBook) apply(r *stepRecords) []store.ForwardRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p := r.offered; p != nil {
		p.ID, p.GroupID, p.htlc = p.record.ID, p.record.GroupID, p.record.HTLC
		b.byHTLC[*p.htlc] = p
	}
	for _, res := range r.resolved {
		b.endLocked(res.p, res.status, res.preimage, res.failure, res.at)
	}
	if f := r.relayed; f != nil {
		b.forwards[*f.Out] = f
	}
	var done []store.ForwardRecord
	for _, res := range r.forwards {
		delete(b.forwards, *res.f.Out)
		done = append(done, resolvedForward(*res.f, res.outcome))
	}
	return done
}

// hasPersist reports whether the effects store the state.
func hasPersist(effects []channel.Effect) bool {
	for _, e := range effects {
		if _, ok := e.(channel.PersistState); ok {
			return true
		}
	}
	return false
}
