package channel

import (
	"fmt"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// HTLC is one HTLC of a commitment, with what its update_add_htlc carried.
type HTLC struct {
	// Offerer sent the update_add_htlc.
	Offerer     Party
	ID          uint64
	Amount      lnwire.MilliSatoshi
	PaymentHash [32]byte
	CLTVExpiry  lnwire.BlockHeight
	// Onion is the 1366-byte onion_routing_packet, opaque here. It is
	// shared, never modified.
	Onion []byte `json:",omitempty"`
	// PathKey is the blinded_path path_key of the update_add_htlc, if any.
	PathKey *Point `json:",omitempty"`
}

// Spec is the content of one commitment transaction, seen from this node:
// balances are indexed by Party, whoever owns the transaction.
type Spec struct {
	Feerate lnwire.FeeratePerKW
	Balance [2]lnwire.MilliSatoshi
	HTLCs   []HTLC `json:",omitempty"`
}

func (s Spec) clone() Spec {
	s.HTLCs = append([]HTLC(nil), s.HTLCs...)
	return s
}

// find returns the index of the HTLC offered by offerer with the id, or -1.
func (s *Spec) find(offerer Party, id uint64) int {
	for i := range s.HTLCs {
		if s.HTLCs[i].Offerer == offerer && s.HTLCs[i].ID == id {
			return i
		}
	}
	return -1
}

// htlcTotal returns the sum of all HTLC amounts.
func (s *Spec) htlcTotal() lnwire.MilliSatoshi {
	var sum lnwire.MilliSatoshi
	for _, h := range s.HTLCs {
		sum += h.Amount
	}
	return sum
}

// view is a Spec being projected: updates applied to a commitment that does
// not exist yet. Balances are signed so that an unaffordable update shows up
// as a negative balance instead of wrapping around.
type view struct {
	feerate lnwire.FeeratePerKW
	balance [2]int64
	htlcs   []HTLC
}

func (s *Spec) view() view {
	return view{
		feerate: s.Feerate,
		balance: [2]int64{int64(s.Balance[Local]), int64(s.Balance[Remote])},
		htlcs:   append([]HTLC(nil), s.HTLCs...),
	}
}

// apply applies the updates sent by the local node and by the remote node:
// adds take the amount from the offerer's balance, a fulfill pays it to the
// party that fulfilled, a fail returns it to the offerer, and the last
// update_fee sets the feerate (BOLT #2 "Normal Operation").
func (v *view) apply(local, remote []Update) error {
	for _, batch := range [2]struct {
		sender  Party
		updates []Update
	}{{Local, local}, {Remote, remote}} {
		for _, u := range batch.updates {
			if add, ok := u.Msg.(*lnwire.UpdateAddHTLC); ok {
				v.balance[batch.sender] -= int64(add.AmountMsat)
				v.htlcs = append(v.htlcs, htlcFromAdd(batch.sender, add))
			}
		}
	}
	for _, batch := range [2]struct {
		sender  Party
		updates []Update
	}{{Local, local}, {Remote, remote}} {
		for _, u := range batch.updates {
			switch m := u.Msg.(type) {
			case *lnwire.UpdateFulfillHTLC:
				if err := v.remove(batch.sender.Other(), m.ID, batch.sender); err != nil {
					return err
				}
			case *lnwire.UpdateFailHTLC:
				if err := v.remove(batch.sender.Other(), m.ID, batch.sender.Other()); err != nil {
					return err
				}
			case *lnwire.UpdateFailMalformedHTLC:
				if err := v.remove(batch.sender.Other(), m.ID, batch.sender.Other()); err != nil {
					return err
				}
			case *lnwire.UpdateFee:
				v.feerate = m.FeeratePerKW
			}
		}
	}
	return nil
}

// remove takes out the HTLC offered by offerer and pays its amount to payee.
func (v *view) remove(offerer Party, id uint64, payee Party) error {
	for i := range v.htlcs {
		h := &v.htlcs[i]
		if h.Offerer == offerer && h.ID == id {
			v.balance[payee] += int64(h.Amount)
			v.htlcs = append(v.htlcs[:i:i], v.htlcs[i+1:]...)
			return nil
		}
	}
	return newError(Fail, ErrInternal, "removing unknown HTLC %s/%d", offerer, id)
}

// spec turns the projection into a commitment's content.
func (v *view) spec() (Spec, error) {
	if v.balance[Local] < 0 || v.balance[Remote] < 0 {
		return Spec{}, newError(Fail, ErrInternal, "negative balance %d/%d msat", v.balance[Local], v.balance[Remote])
	}
	spec := Spec{
		Feerate: v.feerate,
		Balance: [2]lnwire.MilliSatoshi{lnwire.MilliSatoshi(v.balance[Local]), lnwire.MilliSatoshi(v.balance[Remote])},
	}
	if len(v.htlcs) > 0 {
		spec.HTLCs = v.htlcs
	}
	return spec, nil
}

// offered returns how many HTLCs the party offered and their total.
func (v *view) offered(p Party) (count int, total lnwire.MilliSatoshi) {
	for _, h := range v.htlcs {
		if h.Offerer == p {
			count++
			total += h.Amount
		}
	}
	return count, total
}

// direction returns whether an HTLC is offered or received by the owner of
// a commitment.
func direction(h *HTLC, owner Party) channeltx.HTLCDirection {
	if h.Offerer == owner {
		return channeltx.Offered
	}
	return channeltx.Received
}

// untrimmed counts the HTLC outputs of the owner's commitment at the view's
// feerate, and sums the trimmed ones (its dust exposure).
//
// BOLT #3: for every offered HTLC, if the HTLC amount minus the HTLC-timeout
// fee would be less than dust_limit_satoshis set by the transaction owner,
// the commitment transaction MUST NOT contain that output (received HTLCs
// likewise with the HTLC-success fee).
func (v *view) untrimmed(t channeltx.ChannelType, owner Party, dust lnwire.Satoshi, feerate lnwire.FeeratePerKW) (count int, trimmed lnwire.MilliSatoshi) {
	for i := range v.htlcs {
		h := &v.htlcs[i]
		if channeltx.IsTrimmed(t, feerate, dust, direction(h, owner), h.Amount) {
			trimmed += h.Amount
		} else {
			count++
		}
	}
	return count, trimmed
}

// openerCost is what the opener pays out of its balance for the owner's
// commitment at the given feerate, with extraHTLCs more HTLC outputs: the
// base fee plus, with option_anchors, the two anchors.
//
// BOLT #3: Subtract this base fee from the funder (either to_local or
// to_remote). If option_anchors applies to the commitment transaction, also
// subtract two times the fixed anchor size of 330 sats from the funder.
func openerCost(t channeltx.ChannelType, untrimmed, extraHTLCs int, feerate lnwire.FeeratePerKW) lnwire.MilliSatoshi {
	fee := channeltx.CommitmentFee(t, feerate, untrimmed+extraHTLCs)
	if t.HasAnchors() {
		fee += 2 * channeltx.AnchorValue
	}
	return fee.ToMilliSatoshis()
}

func htlcFromAdd(offerer Party, m *lnwire.UpdateAddHTLC) HTLC {
	h := HTLC{
		Offerer:     offerer,
		ID:          m.ID,
		Amount:      m.AmountMsat,
		PaymentHash: m.PaymentHash,
		CLTVExpiry:  m.CLTVExpiry,
		Onion:       append([]byte(nil), m.OnionRoutingPacket[:]...),
	}
	if m.TLVs.BlindedPath != nil {
		p := Point(*m.TLVs.BlindedPath)
		h.PathKey = &p
	}
	return h
}

// String summarises the spec for logs and golden tests.
func (s Spec) String() string {
	out := fmt.Sprintf("feerate=%d local=%d remote=%d", s.Feerate, s.Balance[Local], s.Balance[Remote])
	for _, h := range s.HTLCs {
		out += fmt.Sprintf(" %s#%d:%d", h.Offerer, h.ID, h.Amount)
	}
	return out
}
