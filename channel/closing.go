package channel

import (
	"github.com/btcsuite/btcd/txscript"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// FeeRange is closing_signed's fee_range.
type FeeRange struct {
	Min, Max lnwire.Satoshi
}

// Negotiation is the closing_signed exchange (BOLT #2 "Legacy Closing
// Negotiation").
type Negotiation struct {
	// LastSent is the fee_satoshis of our last closing_signed (when Sent).
	Sent     bool           `json:",omitempty"`
	LastSent lnwire.Satoshi `json:",omitempty"`
	// LastReceived is the peer's last fee_satoshis (when Received).
	Received     bool           `json:",omitempty"`
	LastReceived lnwire.Satoshi `json:",omitempty"`
	// OurRange is the fee_range we sent, nil in the legacy form.
	OurRange *FeeRange `json:",omitempty"`
	// Reconnected is set once negotiation restarted after a reconnection,
	// which lifts the "strictly between" rule.
	Reconnected bool `json:",omitempty"`
	// FinalFee and FinalSignature are our closing_signed for the closing
	// transaction both sides signed, kept to retransmit it.
	FinalFee       lnwire.Satoshi   `json:",omitempty"`
	FinalSignature lnwire.Signature `json:",omitempty"`
}

// restart forgets the exchange; the opener proposes again.
//
// BOLT #2: To avoid keeping state and to handle the corner case, where fees
// have shifted between disconnection and reconnection, negotiation restarts
// on reconnection.
func (n *Negotiation) restart() {
	*n = Negotiation{Reconnected: true}
}

// finalClosingSigned is our closing_signed for the signed closing
// transaction.
func (s *State) finalClosingSigned() *lnwire.ClosingSigned {
	return &lnwire.ClosingSigned{ChannelID: s.ChannelID, FeeSatoshis: s.Closing.FinalFee, Signature: s.Closing.FinalSignature}
}

// startNegotiation moves to closing negotiation once both shutdowns were
// exchanged and no HTLC or update is left.
//
// BOLT #2: The funding node: after shutdown has been received, AND no HTLCs
// remain in either commitment transaction: SHOULD send a closing_signed
// message.
func (s *State) startNegotiation(env Env, o *outbox) error {
	s.Phase = Negotiating
	s.Closing = &Negotiation{}
	o.save()
	if s.Opener == Local {
		return s.proposeClosing(env, o)
	}
	return nil
}

// closingTx builds the legacy closing transaction at a fee: outputs below
// dustLimit are removed, and without withRemote the peer's output is left
// out (a signer "MAY eliminate its own output").
func (s *State) closingTx(fee, dustLimit lnwire.Satoshi, withRemote bool) (*channeltx.ClosingTx, error) {
	funding, err := s.funding()
	if err != nil {
		return nil, err
	}
	remoteScript := s.Shutdown.RemoteScript
	if !withRemote {
		remoteScript = nil
	}
	return channeltx.BuildLegacyClosingTx(&channeltx.LegacyClosingSpec{
		Funding:       funding,
		Opener:        s.Opener,
		Fee:           fee,
		DustLimit:     dustLimit,
		LocalScript:   s.Shutdown.LocalScript,
		RemoteScript:  remoteScript,
		LocalBalance:  s.LocalCommit.Spec.Balance[Local],
		RemoteBalance: s.LocalCommit.Spec.Balance[Remote],
	})
}

// idealClosingFee is the fee we would like at the policy's feerate, capped
// by what the opener owns, and the fee_range we are prepared to accept.
func (s *State) idealClosingFee(env Env, theirs *FeeRange) (lnwire.Satoshi, FeeRange, error) {
	tx, err := s.closingTx(0, s.Local.DustLimit, true)
	if err != nil {
		return 0, FeeRange{}, newError(Fail, ErrInternal, "closing transaction: %v", err)
	}
	openerBalance := s.LocalCommit.Spec.Balance[s.Opener].ToSatoshis()
	fee := min(env.Policy.ClosingFeerate.FeeForWeight(tx.ExpectedWeight()), openerBalance)
	r := FeeRange{Min: fee / 2, Max: min(2*fee, openerBalance)}
	if s.Opener != Local {
		// BOLT #2: if it is not the funder: SHOULD set max_fee_satoshis to
		// at least the max_fee_satoshis received. SHOULD set
		// min_fee_satoshis to a fairly low value.
		r.Max = openerBalance
		if theirs != nil {
			r.Max = max(r.Max, theirs.Max)
		}
	}
	return fee, r, nil
}

// signClosing signs the closing transaction at a fee and returns our
// closing_signed.
func (s *State) signClosing(env Env, tx *channeltx.ClosingTx, fee lnwire.Satoshi, r *FeeRange) (*lnwire.ClosingSigned, error) {
	sig, err := env.Signer.SignClosing(&tx.FundingSpend)
	if err != nil {
		return nil, newError(Reject, ErrSigner, "closing: %v", err)
	}
	msg := &lnwire.ClosingSigned{ChannelID: s.ChannelID, FeeSatoshis: fee, Signature: sig}
	if r != nil {
		msg.TLVs.FeeRange = &lnwire.ClosingSignedFeeRange{MinFeeSatoshis: r.Min, MaxFeeSatoshis: r.Max}
	}
	return msg, nil
}

// proposeClosing sends our closing_signed at our ideal fee.
//
// BOLT #2: The sending node SHOULD set the initial fee_satoshis according
// to its estimate of cost of inclusion in a block. SHOULD set fee_range
// according to the minimum and maximum fees it is prepared to pay for a
// close transaction.
func (s *State) proposeClosing(env Env, o *outbox) error {
	if s.Link != LinkUp {
		return nil
	}
	fee, r, err := s.idealClosingFee(env, nil)
	if err != nil {
		return err
	}
	return s.sendClosing(env, fee, r, o)
}

// sendClosing signs and sends a closing_signed at the fee.
func (s *State) sendClosing(env Env, fee lnwire.Satoshi, r FeeRange, o *outbox) error {
	tx, err := s.closingTx(fee, s.Local.DustLimit, true)
	if err != nil {
		return newError(Fail, ErrInternal, "closing transaction at fee %s: %v", fee, err)
	}
	var rp *FeeRange
	if env.Policy.ClosingFeeRange {
		rp = &r
	}
	msg, err := s.signClosing(env, tx, fee, rp)
	if err != nil {
		return err
	}
	s.Closing.Sent, s.Closing.LastSent, s.Closing.OurRange = true, fee, rp
	o.save()
	o.send(msg)
	return nil
}

// receiveClosingSigned takes the peer's closing_signed.
func (s *State) receiveClosingSigned(env Env, m *lnwire.ClosingSigned, o *outbox) error {
	if s.Phase == Closed {
		// The peer restarted the negotiation (it missed our last
		// closing_signed): send it again.
		if m.FeeSatoshis != s.Closing.FinalFee {
			o.send(s.finalClosingSigned())
		}
		return nil
	}
	if s.Phase == ShuttingDown && s.Opener == Remote && s.readyToNegotiate() {
		s.Phase, s.Closing = Negotiating, &Negotiation{}
	}
	if s.Phase != Negotiating {
		return failf(ErrUnexpectedMessage, "closing_signed in phase %s", s.Phase)
	}
	n := s.Closing
	fee := m.FeeSatoshis
	tx, err := s.verifyClosing(m)
	if err != nil {
		return err
	}
	previousReceived, hadReceived := n.LastReceived, n.Received
	n.Received, n.LastReceived = true, fee

	// BOLT #2: if fee_satoshis is equal to its previously sent
	// fee_satoshis: SHOULD sign and broadcast the final closing
	// transaction.
	if n.Sent && fee == n.LastSent {
		return s.finishClosing(env, tx, m, false, o)
	}
	ideal, ours, err := s.idealClosingFee(env, feeRangeOf(m))
	if err != nil {
		return err
	}
	if n.OurRange != nil {
		ours = *n.OurRange
	}
	// A fee_range answering our legacy proposal is ignored, as a node that
	// does not know fee_range would: the negotiation stays legacy on both
	// sides, since our messages carry no fee_range.
	if r := feeRangeOf(m); r != nil && (n.OurRange != nil || !n.Sent) {
		overlap := FeeRange{Min: max(r.Min, ours.Min), Max: min(r.Max, ours.Max)}
		// BOLT #2: if there is no overlap between that and its own
		// fee_range: SHOULD send a warning.
		if overlap.Min > overlap.Max {
			return warnf(ErrClosingFeeRange, "theirs [%d, %d], ours [%d, %d]", r.Min, r.Max, ours.Min, ours.Max)
		}
		inOverlap := fee >= overlap.Min && fee <= overlap.Max
		if s.Opener == Local || n.Sent {
			// BOLT #2: if it is the funder: if fee_satoshis is not in the
			// overlap between the sent and received fee_range: MUST fail
			// the channel. Otherwise: MUST reply with the same
			// fee_satoshis. (Not the funder: if it has already sent a
			// closing_signed: if fee_satoshis is not the same as the value
			// it sent: MUST fail the channel.)
			if !inOverlap || s.Opener != Local {
				return failf(ErrClosingFee, "%s not in [%d, %d]", fee, overlap.Min, overlap.Max)
			}
			return s.finishClosing(env, tx, m, true, o)
		}
		// BOLT #2: otherwise (not the funder, nothing sent yet): MUST
		// propose a fee_satoshis in the overlap between received and
		// (about-to-be) sent fee_range.
		if inOverlap {
			n.OurRange = &ours
			return s.finishClosing(env, tx, m, true, o)
		}
		return s.sendClosing(env, min(max(ideal, overlap.Min), overlap.Max), ours, o)
	}

	// The legacy back-and-forth.
	// BOLT #2: otherwise, if fee_satoshis is not strictly between its
	// last-sent fee_satoshis and its previously-received fee_satoshis,
	// UNLESS it has since reconnected: SHOULD send a warning and close the
	// connection, or send an error and fail the channel.
	if n.Sent && hadReceived && !n.Reconnected {
		lo, hi := min(n.LastSent, previousReceived), max(n.LastSent, previousReceived)
		if fee <= lo || fee >= hi {
			return failf(ErrClosingFee, "%s not strictly between %s and %s", fee, lo, hi)
		}
	}
	current := ideal
	if n.Sent {
		current = n.LastSent
	}
	// BOLT #2: otherwise, if the receiver agrees with the fee: SHOULD reply
	// with a closing_signed with the same fee_satoshis value. Otherwise:
	// MUST propose a value "strictly between" the received fee_satoshis and
	// its previously-sent fee_satoshis.
	next := (current + fee) / 2
	if fee == current || next == current || next == fee {
		return s.finishClosing(env, tx, m, true, o)
	}
	return s.sendClosing(env, next, ours, o)
}

func feeRangeOf(m *lnwire.ClosingSigned) *FeeRange {
	if m.TLVs.FeeRange == nil {
		return nil
	}
	return &FeeRange{Min: m.TLVs.FeeRange.MinFeeSatoshis, Max: m.TLVs.FeeRange.MaxFeeSatoshis}
}

// verifyClosing finds the closing transaction the peer signed: the peer
// removed outputs below its dust limit and may have left out its own.
//
// BOLT #2: if the signature is not valid for either variant of closing
// transaction specified in BOLT #3 OR non-compliant with LOW-S-standard
// rule: MUST send a warning and close the connection, or send an error and
// fail the channel.
func (s *State) verifyClosing(m *lnwire.ClosingSigned) (*channeltx.ClosingTx, error) {
	sig, err := parseLowS(m.Signature)
	if err != nil {
		return nil, failf(ErrBadClosingSignature, "%v", err)
	}
	openerBalance := s.LocalCommit.Spec.Balance[s.Opener].ToSatoshis()
	if m.FeeSatoshis > openerBalance {
		return nil, failf(ErrClosingFee, "%s above the opener's balance %s", m.FeeSatoshis, openerBalance)
	}
	for _, dust := range []lnwire.Satoshi{s.Remote.DustLimit, s.Local.DustLimit} {
		for _, withRemote := range []bool{true, false} {
			tx, err := s.closingTx(m.FeeSatoshis, dust, withRemote)
			if err != nil {
				continue
			}
			if tx.Verify(Remote, sig) == nil {
				// BOLT #2: if one of the outputs in the closing transaction
				// is below the dust limit for its scriptpubkey: MUST fail
				// the channel.
				for _, out := range tx.Tx.TxOut {
					if lnwire.Satoshi(out.Value) < dustThreshold(out.PkScript) {
						return nil, failf(ErrClosingFee, "output of %d sat below the dust limit of its script", out.Value)
					}
				}
				return tx, nil
			}
		}
	}
	return nil, failf(ErrBadClosingSignature, "fee %s", m.FeeSatoshis)
}

// dustThreshold is Bitcoin Core's dust threshold for an output script
// (BOLT #3 "Dust Limits").
func dustThreshold(script []byte) lnwire.Satoshi {
	switch class := txscript.GetScriptClass(script); class {
	case txscript.WitnessV0PubKeyHashTy:
		return channeltx.DustLimitP2WPKH
	case txscript.WitnessV0ScriptHashTy:
		return channeltx.DustLimitP2WSH
	case txscript.PubKeyHashTy:
		return channeltx.DustLimitP2PKH
	case txscript.ScriptHashTy:
		return channeltx.DustLimitP2SH
	default:
		if txscript.IsWitnessProgram(script) {
			return channeltx.DustLimitUnknownSegwit
		}
		return channeltx.DustLimitP2PKH
	}
}

// finishClosing signs the transaction the peer signed, replies with the same
// fee when reply is set, and broadcasts it.
func (s *State) finishClosing(env Env, tx *channeltx.ClosingTx, m *lnwire.ClosingSigned, reply bool, o *outbox) error {
	msg, err := s.signClosing(env, tx, m.FeeSatoshis, s.Closing.OurRange)
	if err != nil {
		return err
	}
	ours, err := msg.Signature.ToECDSA()
	if err != nil {
		return newError(Reject, ErrSigner, "our closing signature: %v", err)
	}
	theirs, err := m.Signature.ToECDSA()
	if err != nil {
		return failf(ErrBadClosingSignature, "%v", err)
	}
	tx.AddWitness(ours, theirs)
	s.Closing.Sent, s.Closing.LastSent = true, m.FeeSatoshis
	s.Closing.FinalFee, s.Closing.FinalSignature = m.FeeSatoshis, msg.Signature
	s.Phase = Closed
	o.save()
	if reply {
		o.send(msg)
	}
	o.broadcast(BroadcastTx{Tx: tx.Tx})
	return nil
}
