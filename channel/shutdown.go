package channel

import (
	"bytes"

	"github.com/btcsuite/btcd/txscript"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// validShutdownScript reports whether a scriptpubkey has one of the forms
// BOLT #2 allows in shutdown.
//
// BOLT #2: MUST set scriptpubkey in one of the following forms: OP_0 20
// 20-bytes (version 0 pay to witness pubkey hash), OR OP_0 32 32-bytes
// (version 0 pay to witness script hash), OR if (and only if)
// option_shutdown_anysegwit is negotiated: OP_1 through OP_16 inclusive,
// followed by a single push of 2 to 40 bytes (witness program versions 1
// through 16).
func validShutdownScript(script []byte, anySegwit bool) bool {
	switch {
	case len(script) == 22 && script[0] == txscript.OP_0 && script[1] == 20:
		return true
	case len(script) == 34 && script[0] == txscript.OP_0 && script[1] == 32:
		return true
	case anySegwit && len(script) >= 4 && script[0] >= txscript.OP_1 && script[0] <= txscript.OP_16:
		n := int(script[1])
		return n >= 2 && n <= 40 && len(script) == 2+n
	}
	return false
}

// startShutdown begins a mutual close (the Shutdown command). The shutdown
// message goes out once our proposed updates are signed.
func (s *State) startShutdown(env Env, script []byte, o *outbox) error {
	switch {
	case s.Shutdown.LocalScript != nil:
		return rejectf(ErrAlreadyShutdown, "")
	case s.Phase != AwaitingReady && s.Phase != Normal && s.Phase != ShuttingDown:
		return rejectf(ErrNotReady, "phase %s", s.Phase)
	}
	upfront := s.Local.UpfrontShutdownScript
	if script == nil {
		script = upfront
	}
	// BOLT #2: if it sent a non-zero-length shutdown_scriptpubkey in
	// open_channel or accept_channel: MUST send the same value in
	// scriptpubkey.
	if len(upfront) > 0 && !bytes.Equal(script, upfront) {
		return rejectf(ErrUpfrontScriptMismatch, "")
	}
	if !validShutdownScript(script, s.AnySegwit) {
		return rejectf(ErrBadShutdownScript, "%x", script)
	}
	s.Shutdown.LocalScript = append([]byte(nil), script...)
	s.Phase = ShuttingDown
	o.save()
	return nil
}

// sendShutdown sends our shutdown.
func (s *State) sendShutdown(o *outbox) {
	s.Shutdown.LocalSent = true
	o.save()
	o.send(&lnwire.Shutdown{ChannelID: s.ChannelID, ScriptPubKey: s.Shutdown.LocalScript})
}

// receiveShutdown takes the peer's shutdown and prepares our answer.
func (s *State) receiveShutdown(env Env, m *lnwire.Shutdown, o *outbox) error {
	if s.Shutdown.RemoteScript != nil {
		// A retransmission after reconnection (BOLT #2: "if it has sent a
		// previous shutdown: MUST retransmit shutdown").
		if bytes.Equal(m.ScriptPubKey, s.Shutdown.RemoteScript) {
			return nil
		}
		return newError(Ignore, ErrUnexpectedMessage, "second shutdown with another script")
	}
	if s.Phase != AwaitingReady && s.Phase != Normal && s.Phase != ShuttingDown {
		return newError(Ignore, ErrUnexpectedMessage, "shutdown in phase %s", s.Phase)
	}
	// BOLT #2: if the scriptpubkey is not in one of the above forms: SHOULD
	// send a warning.
	if !validShutdownScript(m.ScriptPubKey, s.AnySegwit) {
		return warnf(ErrBadShutdownScript, "%x", m.ScriptPubKey)
	}
	// BOLT #2: if both nodes advertised the option_upfront_shutdown_script
	// feature, and the receiving node received a non-zero-length
	// shutdown_scriptpubkey in open_channel or accept_channel, and that
	// shutdown_scriptpubkey is not equal to scriptpubkey: MAY send a
	// warning. MUST fail the connection.
	if up := s.Remote.UpfrontShutdownScript; len(up) > 0 && !bytes.Equal(up, m.ScriptPubKey) {
		return warnf(ErrUpfrontScriptMismatch, "%x", m.ScriptPubKey)
	}
	// BOLT #2: once there are no outstanding updates on the peer, UNLESS it
	// has already sent a shutdown: MUST reply to a shutdown message with a
	// shutdown. (afterStep sends it once our proposed updates are signed.)
	if s.Shutdown.LocalScript == nil {
		script := s.Local.UpfrontShutdownScript
		if len(script) == 0 {
			script = env.Policy.ShutdownScript
		}
		if !validShutdownScript(script, s.AnySegwit) {
			return rejectf(ErrBadShutdownScript, "our policy's shutdown script %x", script)
		}
		s.Shutdown.LocalScript = append([]byte(nil), script...)
	}
	s.Shutdown.RemoteScript = append([]byte(nil), m.ScriptPubKey...)
	s.Phase = ShuttingDown
	o.save()
	return nil
}

// updatesForbidden reports whether the shutdown has reached the point after
// which no update may be sent: the peer may already be negotiating the
// close.
//
// BOLT #2: if no HTLCs remain in either commitment transaction (including
// dust HTLCs) and neither side has a pending revoke_and_ack to send: MUST
// NOT send any update message after that point.
//
// We stop earlier than the letter: as soon as neither our commitment nor the
// newest remote commitment we signed holds an HTLC. Waiting for the peer's
// pending revoke_and_ack would race with the peer, which is clean as soon
// as it sent that revoke_and_ack.
func (s *State) updatesForbidden() bool {
	if s.Phase != ShuttingDown || !s.Shutdown.LocalSent {
		return false
	}
	if len(s.LocalCommit.Spec.HTLCs) > 0 || len(s.latestRemoteSpec().HTLCs) > 0 {
		return false
	}
	return countAdds(s.LocalChanges.all()) == 0 && countAdds(s.RemoteChanges.all()) == 0
}

// dropFeeUpdates removes our unsigned update_fee, which may no longer be
// sent.
func (s *State) dropFeeUpdates() bool {
	var kept []Update
	for _, u := range s.LocalChanges.Proposed {
		if _, ok := u.Msg.(*lnwire.UpdateFee); !ok {
			kept = append(kept, u)
		}
	}
	dropped := len(kept) != len(s.LocalChanges.Proposed)
	s.LocalChanges.Proposed = kept
	return dropped
}
