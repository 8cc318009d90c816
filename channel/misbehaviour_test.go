package channel

import (
	"errors"
	"reflect"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// peerAdd is an update_add_htlc alice could send, with the next id.
func peerAdd(h *harness, amount lnwire.MilliSatoshi) *lnwire.UpdateAddHTLC {
	return &lnwire.UpdateAddHTLC{
		ChannelID:   h.nodes[1].state.ChannelID,
		ID:          h.nodes[1].state.NextHTLCID[Remote],
		AmountMsat:  amount,
		PaymentHash: h.newPayment(),
		CLTVExpiry:  600,
	}
}

// signedByAlice has alice add an HTLC and sign; bob has received the add
// and the returned commitment_signed is still undelivered.
func signedByAlice(h *harness, amount lnwire.MilliSatoshi) *lnwire.CommitmentSigned {
	alice, bob := h.nodes[0], h.nodes[1]
	h.step(alice, AddHTLC{Amount: amount, PaymentHash: h.newPayment(), CLTVExpiry: 600})
	h.step(alice, SignCommitment{})
	h.deliver(bob, 1)
	m := bob.inbox[0].(*lnwire.CommitmentSigned)
	bob.inbox = nil
	return m
}

// committedToBob leaves an HTLC from alice irrevocably committed.
func committedToBob(h *harness, amount lnwire.MilliSatoshi) {
	h.step(h.nodes[0], AddHTLC{Amount: amount, PaymentHash: h.newPayment(), CLTVExpiry: 600})
	h.settle()
}

type misbehaviour struct {
	name   string
	config func(*channelConfig)
	// setup prepares the channel and returns who receives what.
	setup  func(h *harness) (*node, Event)
	want   error
	action Action
}

var peerMisbehaviours = []misbehaviour{
	{name: "amount zero", want: ErrAmountZero, action: Fail,
		setup: func(h *harness) (*node, Event) { return h.nodes[1], PeerMessage{peerAdd(h, 0)} }},
	{name: "below htlc_minimum_msat", want: ErrBelowHTLCMinimum, action: Fail,
		setup: func(h *harness) (*node, Event) { return h.nodes[1], PeerMessage{peerAdd(h, 999)} }},
	{name: "cltv_expiry in seconds", want: ErrExpiryInSeconds, action: Fail,
		setup: func(h *harness) (*node, Event) {
			m := peerAdd(h, 5_000_000)
			m.CLTVExpiry = 500_000_000
			return h.nodes[1], PeerMessage{m}
		}},
	{name: "id skips a value", want: ErrUnexpectedHTLCID, action: Fail,
		setup: func(h *harness) (*node, Event) {
			m := peerAdd(h, 5_000_000)
			m.ID = 7
			return h.nodes[1], PeerMessage{m}
		}},
	{name: "sender cannot afford", want: ErrCannotAfford, action: Fail,
		setup: func(h *harness) (*node, Event) { return h.nodes[1], PeerMessage{peerAdd(h, 695_000_000)} }},
	{name: "more than max_accepted_htlcs", want: ErrTooManyHTLCs, action: Fail,
		config: func(c *channelConfig) { c.Bob.MaxAcceptedHTLCs = 2 },
		setup: func(h *harness) (*node, Event) {
			for i := 0; i < 2; i++ {
				h.step(h.nodes[1], PeerMessage{peerAdd(h, 5_000_000)})
			}
			return h.nodes[1], PeerMessage{peerAdd(h, 5_000_000)}
		}},
	{name: "above max_htlc_value_in_flight_msat", want: ErrInFlightExceeded, action: Fail,
		config: func(c *channelConfig) { c.Bob.MaxHTLCValueInFlight = 8_000_000 },
		setup: func(h *harness) (*node, Event) {
			h.step(h.nodes[1], PeerMessage{peerAdd(h, 5_000_000)})
			return h.nodes[1], PeerMessage{peerAdd(h, 5_000_000)}
		}},
	{name: "add after shutdown", want: ErrAddAfterShutdown, action: Fail,
		setup: func(h *harness) (*node, Event) {
			committedToBob(h, 5_000_000)
			h.step(h.nodes[0], Shutdown{Script: h.nodes[0].env.Policy.ShutdownScript})
			h.deliver(h.nodes[1], -1)
			return h.nodes[1], PeerMessage{peerAdd(h, 5_000_000)}
		}},
	{name: "fulfill of an unknown HTLC", want: ErrUnknownHTLC, action: Fail,
		setup: func(h *harness) (*node, Event) {
			return h.nodes[0], PeerMessage{&lnwire.UpdateFulfillHTLC{ChannelID: h.nodes[0].state.ChannelID, ID: 3}}
		}},
	{name: "fulfill with a wrong preimage", want: ErrWrongPreimage, action: Fail,
		setup: func(h *harness) (*node, Event) {
			committedToBob(h, 5_000_000)
			return h.nodes[0], PeerMessage{&lnwire.UpdateFulfillHTLC{ChannelID: h.nodes[0].state.ChannelID, ID: 0}}
		}},
	{name: "second removal of one HTLC", want: ErrUnknownHTLC, action: Fail,
		setup: func(h *harness) (*node, Event) {
			committedToBob(h, 5_000_000)
			fail := &lnwire.UpdateFailHTLC{ChannelID: h.nodes[0].state.ChannelID, ID: 0}
			h.step(h.nodes[0], PeerMessage{fail})
			return h.nodes[0], PeerMessage{fail}
		}},
	{name: "malformed without BADONION", want: ErrNotBadOnion, action: Fail,
		setup: func(h *harness) (*node, Event) {
			committedToBob(h, 5_000_000)
			return h.nodes[0], PeerMessage{&lnwire.UpdateFailMalformedHTLC{ChannelID: h.nodes[0].state.ChannelID, ID: 0, FailureCode: 0x4000 | 5}}
		}},
	{name: "invalid commitment signature", want: ErrBadCommitmentSignature, action: Fail,
		setup: func(h *harness) (*node, Event) {
			m := signedByAlice(h, 5_000_000)
			m.Signature[40] ^= 1
			return h.nodes[1], PeerMessage{m}
		}},
	{name: "high-S commitment signature", want: ErrBadCommitmentSignature, action: Fail,
		setup: func(h *harness) (*node, Event) {
			m := signedByAlice(h, 5_000_000)
			m.Signature = highS(m.Signature)
			return h.nodes[1], PeerMessage{m}
		}},
	{name: "missing htlc_signature", want: ErrHTLCSignatureCount, action: Fail,
		setup: func(h *harness) (*node, Event) {
			m := signedByAlice(h, 5_000_000)
			m.HTLCSignature = nil
			return h.nodes[1], PeerMessage{m}
		}},
	{name: "invalid htlc_signature", want: ErrBadHTLCSignature, action: Fail,
		setup: func(h *harness) (*node, Event) {
			m := signedByAlice(h, 5_000_000)
			m.HTLCSignature[0] = m.Signature
			return h.nodes[1], PeerMessage{m}
		}},
	{name: "revoke_and_ack without commitment_signed", want: ErrUnexpectedRevocation, action: Fail,
		setup: func(h *harness) (*node, Event) {
			return h.nodes[0], PeerMessage{&lnwire.RevokeAndAck{ChannelID: h.nodes[0].state.ChannelID}}
		}},
	{name: "revoke_and_ack with a wrong secret", want: ErrBadRevocationSecret, action: Fail,
		setup: func(h *harness) (*node, Event) {
			h.step(h.nodes[1], PeerMessage{signedByAlice(h, 5_000_000)})
			revoke := *h.nodes[0].inbox[0].(*lnwire.RevokeAndAck)
			h.nodes[0].inbox = nil
			revoke.PerCommitmentSecret, _ = h.nodes[1].signer.PerCommitmentSecret(5)
			return h.nodes[0], PeerMessage{&revoke}
		}},
	{name: "update_fee from the accepter", want: ErrFeeFromAccepter, action: Fail,
		setup: func(h *harness) (*node, Event) {
			return h.nodes[0], PeerMessage{&lnwire.UpdateFee{ChannelID: h.nodes[0].state.ChannelID, FeeratePerKW: 3000}}
		}},
	{name: "update_fee too low", want: ErrFeerateOutOfRange, action: Fail,
		setup: func(h *harness) (*node, Event) {
			return h.nodes[1], PeerMessage{&lnwire.UpdateFee{ChannelID: h.nodes[1].state.ChannelID, FeeratePerKW: 252}}
		}},
	{name: "update_fee unreasonably large", want: ErrFeerateOutOfRange, action: Fail,
		setup: func(h *harness) (*node, Event) {
			return h.nodes[1], PeerMessage{&lnwire.UpdateFee{ChannelID: h.nodes[1].state.ChannelID, FeeratePerKW: 100_001}}
		}},
	{name: "update_fee the opener cannot pay", want: ErrCannotAfford, action: Fail,
		config: func(c *channelConfig) {
			c.Capacity, c.Push = 20_000, 0
			c.Alice.ChannelReserve, c.Bob.ChannelReserve = 1000, 1000
		},
		setup: func(h *harness) (*node, Event) {
			return h.nodes[1], PeerMessage{&lnwire.UpdateFee{ChannelID: h.nodes[1].state.ChannelID, FeeratePerKW: 90_000}}
		}},
	{name: "update_fee trimming too much dust", want: ErrDustExposure, action: Fail,
		setup: func(h *harness) (*node, Event) {
			for i := 0; i < 4; i++ {
				committedToBob(h, 10_000_000)
			}
			h.nodes[1].env.Policy.MaxDustHTLCExposure = 30_000_000
			return h.nodes[1], PeerMessage{&lnwire.UpdateFee{ChannelID: h.nodes[1].state.ChannelID, FeeratePerKW: 20_000}}
		}},
	{name: "shutdown to a non-standard script", want: ErrBadShutdownScript, action: Warn,
		setup: func(h *harness) (*node, Event) {
			return h.nodes[1], PeerMessage{&lnwire.Shutdown{ChannelID: h.nodes[1].state.ChannelID, ScriptPubKey: []byte{0x76, 0xa9}}}
		}},
	{name: "closing_signed before negotiation", want: ErrUnexpectedMessage, action: Fail,
		setup: func(h *harness) (*node, Event) {
			return h.nodes[1], PeerMessage{&lnwire.ClosingSigned{ChannelID: h.nodes[1].state.ChannelID, FeeSatoshis: 500}}
		}},
	{name: "error from the peer", want: ErrPeerFailed, action: Fail,
		setup: func(h *harness) (*node, Event) {
			return h.nodes[1], PeerMessage{&lnwire.Error{ChannelID: h.nodes[1].state.ChannelID, Data: []byte("bye")}}
		}},
	{name: "update before channel_reestablish", want: ErrMessageBeforeReestab, action: Warn,
		setup: func(h *harness) (*node, Event) {
			h.reconnect()
			return h.nodes[1], PeerMessage{peerAdd(h, 5_000_000)}
		}},
}

// highS returns the same signature with S replaced by N-S.
func highS(sig lnwire.Signature) lnwire.Signature {
	var n = [32]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
		0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41}
	var out [32]byte
	borrow := 0
	for i := 31; i >= 0; i-- {
		d := int(n[i]) - int(sig[32+i]) - borrow
		borrow = 0
		if d < 0 {
			d += 256
			borrow = 1
		}
		out[i] = byte(d)
	}
	copy(sig[32:], out[:])
	return sig
}

func TestPeerMisbehaviour(t *testing.T) {
	for _, tc := range peerMisbehaviours {
		t.Run(tc.name, func(t *testing.T) {
			cfg := defaultConfig()
			if tc.config != nil {
				tc.config(&cfg)
			}
			policy := DefaultPolicy()
			policy.ShutdownScript = append([]byte{0, 20}, make([]byte, 20)...)
			h, err := newHarness(cfg, policy)
			if err != nil {
				t.Fatal(err)
			}
			victim, ev := tc.setup(h)
			before := victim.state.Clone()
			next, effects, err := Step(victim.state, victim.env, ev)
			checkProtocolError(t, err, tc.want, tc.action)
			checkActionEffects(t, before, next, effects, tc.action)
		})
	}
}

// checkProtocolError checks the sentinel and the action of an error.
func checkProtocolError(t *testing.T, err, want error, action Action) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Action != action {
		t.Fatalf("action %s, want %s (%v)", ActionOf(err), action, err)
	}
}

// checkActionEffects checks that the effects and the new state are what
// the action calls for.
func checkActionEffects(t *testing.T, before, next State, effects []Effect, action Action) {
	t.Helper()
	switch action {
	case Reject, Ignore:
		if len(effects) != 0 || !reflect.DeepEqual(before, next) {
			t.Fatalf("%s changed something: %d effects", action, len(effects))
		}
	case Warn:
		if len(effects) != 2 || !reflect.DeepEqual(before, next) {
			t.Fatalf("warn: %d effects, state changed %t", len(effects), !reflect.DeepEqual(before, next))
		}
		if m, ok := effects[0].(SendMessage); !ok || m.Msg.MsgType() != lnwire.MsgWarning {
			t.Fatalf("warn: first effect %#v", effects[0])
		}
		if _, ok := effects[1].(Disconnect); !ok {
			t.Fatalf("warn: second effect %#v", effects[1])
		}
	case Fail, FailWithoutBroadcast:
		if next.Phase != Failed {
			t.Fatalf("phase %s after failing", next.Phase)
		}
		if _, ok := effects[0].(PersistState); !ok {
			t.Fatalf("first effect %#v, want PersistState", effects[0])
		}
		fail, ok := effects[len(effects)-1].(FailChannel)
		if !ok || fail.Broadcast != (action == Fail) {
			t.Fatalf("last effect %#v", effects[len(effects)-1])
		}
		if before.Link != LinkDown {
			if m, ok := effects[1].(SendMessage); !ok || m.Msg.MsgType() != lnwire.MsgError {
				t.Fatalf("second effect %#v, want an error message", effects[1])
			}
		}
	}
}
