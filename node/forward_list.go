package node

import (
	"context"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
	"github.com/fulmen-ln/fulmen/store"
)

// ForwardStatus is Core Lightning's listforwards status.
type ForwardStatus string

// Statuses of a forward.
const (
	ForwardOffered     = ForwardStatus(store.ForwardOffered)
	ForwardSettled     = ForwardStatus(store.ForwardSettled)
	ForwardFailed      = ForwardStatus(store.ForwardFailed)
	ForwardLocalFailed = ForwardStatus(store.ForwardLocalFailed)
)

// Forward is an HTLC we were asked to relay, as stored.
type Forward struct {
	ID          uint64
	PaymentHash [32]byte
	InChannel   lnwire.ShortChannelID
	InHTLCID    uint64
	InAmount    lnwire.MilliSatoshi
	// OutChannel is the channel the onion asked for; OutHTLCID is nil
	// when no outgoing HTLC was offered.
	OutChannel lnwire.ShortChannelID
	OutHTLCID  *uint64
	OutAmount  lnwire.MilliSatoshi
	Status     ForwardStatus
	// FailCode is set for our own refusals and malformed onions
	// downstream; other failures are encrypted for the origin.
	FailCode   onion.FailureCode
	ReceivedAt time.Time
	ResolvedAt time.Time // zero while offered
}

// Fee is what the forward earns if it settles.
func (f *Forward) Fee() lnwire.MilliSatoshi {
	if f.InAmount < f.OutAmount {
		return 0
	}
	return f.InAmount - f.OutAmount
}

// ForwardFilter selects forwards; zero fields match everything.
type ForwardFilter struct {
	Status     ForwardStatus
	InChannel  *lnwire.ShortChannelID
	OutChannel *lnwire.ShortChannelID
}

// Forwards lists the stored forwards matching the filter, oldest first.
func (rt *Channels) Forwards(ctx context.Context, f ForwardFilter) ([]Forward, error) {
	_, hs, err := rt.book(ctx)
	if err != nil {
		return nil, err
	}
	filter := store.ForwardFilter{Status: store.ForwardStatus(f.Status)}
	if f.InChannel != nil {
		filter.InScid = f.InChannel.ToUint64()
	}
	if f.OutChannel != nil {
		filter.OutScid = f.OutChannel.ToUint64()
	}
	list, err := hs.Forwards(ctx, filter)
	if err != nil {
		return nil, err
	}
	out := make([]Forward, len(list))
	for i, rec := range list {
		out[i] = Forward{ID: rec.ID, PaymentHash: rec.PaymentHash, InChannel: lnwire.NewShortChannelIDFromUint64(rec.InScid),
			InHTLCID: rec.In.ID, InAmount: lnwire.MilliSatoshi(rec.InMsat), OutChannel: lnwire.NewShortChannelIDFromUint64(rec.OutScid),
			OutAmount: lnwire.MilliSatoshi(rec.OutMsat), Status: ForwardStatus(rec.Status), FailCode: onion.FailureCode(rec.FailCode),
			ReceivedAt: time.Unix(0, rec.ReceivedTime)}
		if rec.Out != nil {
			id := rec.Out.ID
			out[i].OutHTLCID = &id
		}
		if rec.ResolvedTime != 0 {
			out[i].ResolvedAt = time.Unix(0, rec.ResolvedTime)
		}
	}
	return out, nil
}
