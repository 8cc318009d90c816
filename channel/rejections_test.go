package channel

import (
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// reestablishFrom returns the channel_reestablish the node would send.
func reestablishFrom(t *testing.T, n *node) *lnwire.ChannelReestablish {
	t.Helper()
	m, err := n.state.reestablishMessage(n.env)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReestablishMisbehaviour(t *testing.T) {
	cases := []misbehaviour{
		{name: "next_commitment_number zero", want: ErrZeroNextCommitment, action: Fail,
			setup: func(h *harness) (*node, Event) {
				h.reconnect()
				m := *h.nodes[1].inbox[0].(*lnwire.ChannelReestablish)
				m.NextCommitmentNumber = 0
				return h.nodes[1], PeerMessage{&m}
			}},
		{name: "wrong your_last_per_commitment_secret", want: ErrBadLastSecret, action: Fail,
			setup: func(h *harness) (*node, Event) {
				committedToBob(h, 5_000_000)
				committedToBob(h, 5_000_000)
				h.reconnect()
				m := *h.nodes[1].inbox[0].(*lnwire.ChannelReestablish)
				m.YourLastPerCommitmentSecret[0] ^= 1
				return h.nodes[1], PeerMessage{&m}
			}},
		{name: "peer claims commitments it cannot prove", want: ErrBadLastSecret, action: Fail,
			setup: func(h *harness) (*node, Event) {
				h.reconnect()
				m := *h.nodes[1].inbox[0].(*lnwire.ChannelReestablish)
				m.NextRevocationNumber = 9
				return h.nodes[1], PeerMessage{&m}
			}},
		{name: "peer is behind", want: ErrBadReestablish, action: Fail,
			setup: func(h *harness) (*node, Event) {
				committedToBob(h, 5_000_000)
				committedToBob(h, 5_000_000)
				h.reconnect()
				m := *h.nodes[1].inbox[0].(*lnwire.ChannelReestablish)
				m.NextCommitmentNumber, m.NextRevocationNumber, m.YourLastPerCommitmentSecret = 1, 0, [32]byte{}
				return h.nodes[1], PeerMessage{&m}
			}},
		{name: "channel_reestablish twice", want: ErrUnexpectedMessage, action: Warn,
			setup: func(h *harness) (*node, Event) {
				h.reconnect()
				m := h.nodes[1].inbox[0]
				h.deliver(h.nodes[1], -1)
				return h.nodes[1], PeerMessage{m}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := newHarness(defaultConfig(), DefaultPolicy())
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

// TestDataLossProtect restores bob from an old backup: alice's
// channel_reestablish proves bob is behind, so bob must not broadcast.
func TestDataLossProtect(t *testing.T) {
	h, err := newHarness(defaultConfig(), DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := h.nodes[0], h.nodes[1]
	committedToBob(h, 5_000_000)
	backup := append([]byte(nil), bob.persisted...)
	committedToBob(h, 6_000_000)
	committedToBob(h, 7_000_000)

	h.disconnect()
	old, err := Unmarshal(backup)
	if err != nil {
		t.Fatal(err)
	}
	bob.state = old
	h.violations = nil // bob's old commitment is revoked: that is the point
	h.connected = true
	h.step(alice, Reconnected{})
	h.step(bob, Reconnected{})
	fromAlice := bob.inbox[0]
	fromBob := alice.inbox[0]

	before := bob.state.Clone()
	next, effects, err := Step(bob.state, bob.env, PeerMessage{fromAlice})
	checkProtocolError(t, err, ErrDataLoss, FailWithoutBroadcast)
	checkActionEffects(t, before, next, effects, FailWithoutBroadcast)

	// alice sees bob's stale numbers and fails the channel with her own,
	// valid, commitment.
	_, _, err = Step(alice.state, alice.env, PeerMessage{fromBob})
	checkProtocolError(t, err, ErrBadReestablish, Fail)
}

func TestLocalCommandRejections(t *testing.T) {
	cases := []misbehaviour{
		{name: "add zero", want: ErrAmountZero, action: Reject,
			setup: func(h *harness) (*node, Event) { return h.nodes[0], AddHTLC{Amount: 0, CLTVExpiry: 600} }},
		{name: "add below the peer's minimum", want: ErrBelowHTLCMinimum, action: Reject,
			setup: func(h *harness) (*node, Event) { return h.nodes[0], AddHTLC{Amount: 10, CLTVExpiry: 600} }},
		{name: "add with expiry in seconds", want: ErrExpiryInSeconds, action: Reject,
			setup: func(h *harness) (*node, Event) {
				return h.nodes[0], AddHTLC{Amount: 5_000_000, CLTVExpiry: 600_000_000}
			}},
		{name: "add more than we have", want: ErrCannotAfford, action: Reject,
			setup: func(h *harness) (*node, Event) { return h.nodes[1], AddHTLC{Amount: 295_000_000, CLTVExpiry: 600} }},
		{name: "add beyond the fee spike buffer", want: ErrFeeSpikeBuffer, action: Reject,
			setup: func(h *harness) (*node, Event) { return h.nodes[0], AddHTLC{Amount: 686_000_000, CLTVExpiry: 600} }},
		{name: "add beyond the peer's max_accepted_htlcs", want: ErrTooManyHTLCs, action: Reject,
			config: func(c *channelConfig) { c.Bob.MaxAcceptedHTLCs = 1 },
			setup: func(h *harness) (*node, Event) {
				h.step(h.nodes[0], AddHTLC{Amount: 5_000_000, CLTVExpiry: 600})
				return h.nodes[0], AddHTLC{Amount: 5_000_000, CLTVExpiry: 600}
			}},
		{name: "add beyond the peer's in-flight limit", want: ErrInFlightExceeded, action: Reject,
			config: func(c *channelConfig) { c.Bob.MaxHTLCValueInFlight = 6_000_000 },
			setup: func(h *harness) (*node, Event) {
				h.step(h.nodes[0], AddHTLC{Amount: 5_000_000, CLTVExpiry: 600})
				return h.nodes[0], AddHTLC{Amount: 5_000_000, CLTVExpiry: 600}
			}},
		{name: "add over the dust exposure", want: ErrDustExposure, action: Reject,
			setup: func(h *harness) (*node, Event) {
				h.nodes[0].env.Policy.MaxDustHTLCExposure = 3_000_000
				h.step(h.nodes[0], AddHTLC{Amount: 2_000_000, CLTVExpiry: 600})
				return h.nodes[0], AddHTLC{Amount: 2_000_000, CLTVExpiry: 600}
			}},
		{name: "add while disconnected", want: ErrNotConnected, action: Reject,
			setup: func(h *harness) (*node, Event) {
				h.disconnect()
				return h.nodes[0], AddHTLC{Amount: 5_000_000, CLTVExpiry: 600}
			}},
		{name: "sign with nothing to sign", want: ErrNothingToSign, action: Reject,
			setup: func(h *harness) (*node, Event) { return h.nodes[0], SignCommitment{} }},
		{name: "sign while waiting for revoke_and_ack", want: ErrAwaitingRevocation, action: Reject,
			setup: func(h *harness) (*node, Event) {
				h.step(h.nodes[0], AddHTLC{Amount: 5_000_000, CLTVExpiry: 600})
				h.step(h.nodes[0], SignCommitment{})
				h.step(h.nodes[0], AddHTLC{Amount: 5_000_000, CLTVExpiry: 600})
				return h.nodes[0], SignCommitment{}
			}},
		{name: "fulfill an HTLC not yet committed", want: ErrHTLCNotCommitted, action: Reject,
			setup: func(h *harness) (*node, Event) {
				h.step(h.nodes[0], AddHTLC{Amount: 5_000_000, CLTVExpiry: 600})
				h.deliver(h.nodes[1], -1)
				return h.nodes[1], FulfillHTLC{ID: 0}
			}},
		{name: "fulfill with the wrong preimage", want: ErrWrongPreimage, action: Reject,
			setup: func(h *harness) (*node, Event) {
				committedToBob(h, 5_000_000)
				return h.nodes[1], FulfillHTLC{ID: 0}
			}},
		{name: "fail twice", want: ErrUnknownHTLC, action: Reject,
			setup: func(h *harness) (*node, Event) {
				committedToBob(h, 5_000_000)
				h.step(h.nodes[1], FailHTLC{ID: 0})
				return h.nodes[1], FailHTLC{ID: 0}
			}},
		{name: "malformed without BADONION", want: ErrNotBadOnion, action: Reject,
			setup: func(h *harness) (*node, Event) {
				committedToBob(h, 5_000_000)
				return h.nodes[1], FailMalformedHTLC{ID: 0, FailureCode: 0x2002}
			}},
		{name: "update_fee from the accepter", want: ErrNotOpener, action: Reject,
			setup: func(h *harness) (*node, Event) { return h.nodes[1], UpdateFee{Feerate: 3000} }},
		{name: "shutdown twice", want: ErrAlreadyShutdown, action: Reject,
			setup: func(h *harness) (*node, Event) {
				committedToBob(h, 5_000_000)
				script := append([]byte{0, 20}, make([]byte, 20)...)
				h.step(h.nodes[0], Shutdown{Script: script})
				return h.nodes[0], Shutdown{Script: script}
			}},
		{name: "shutdown to a non-standard script", want: ErrBadShutdownScript, action: Reject,
			setup: func(h *harness) (*node, Event) { return h.nodes[0], Shutdown{Script: []byte{0x51, 0x02, 1, 2}} }},
		{name: "shutdown to another script than announced", want: ErrUpfrontScriptMismatch, action: Reject,
			config: func(c *channelConfig) { c.Alice.UpfrontShutdownScript = append([]byte{0, 20}, make([]byte, 20)...) },
			setup: func(h *harness) (*node, Event) {
				return h.nodes[0], Shutdown{Script: append([]byte{0, 32}, make([]byte, 32)...)}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := defaultConfig()
			if tc.config != nil {
				tc.config(&cfg)
			}
			h, err := newHarness(cfg, DefaultPolicy())
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

// TestFirstCommitment checks the hand-over API channel establishment uses:
// NewState refuses bad terms, AcceptFirstSignature refuses a bad signature.
func TestFirstCommitment(t *testing.T) {
	alice, bob := newTestSigner("alice"), newTestSigner("bob")
	envA, envB := Env{Signer: alice, Policy: DefaultPolicy()}, Env{Signer: bob, Policy: DefaultPolicy()}
	a, b, err := establishPair(defaultConfig(), alice, bob, envA, envB)
	if err != nil {
		t.Fatal(err)
	}
	if a.Phase != AwaitingReady || b.LocalCommit.Signature == (lnwire.Signature{}) {
		t.Fatalf("phase %s, bob holds no signature", a.Phase)
	}
	sig, err := a.SignFirstCommitment(envA)
	if err != nil {
		t.Fatal(err)
	}
	sig[10] ^= 1
	if err := b.AcceptFirstSignature(envB, sig); !errors.Is(err, ErrBadCommitmentSignature) {
		t.Fatalf("bad first signature: %v", err)
	}
	terms := Funded{Type: channeltx.StaticRemoteKey, Capacity: 1000, PushMsat: 1_000_001,
		Local: alice.params(testLimits()), Remote: bob.params(testLimits()), RemoteFirstPoint: a.RemoteCommit.Point}
	if _, err := NewState(terms); err == nil {
		t.Fatal("push above the capacity accepted")
	}
	terms.PushMsat, terms.Remote.HTLCBasepoint = 0, Point{2}
	if _, err := NewState(terms); !errors.Is(err, ErrBadPoint) {
		t.Fatalf("invalid basepoint: %v", err)
	}
	terms.Remote.HTLCBasepoint, terms.Type = a.Remote.HTLCBasepoint, 0
	if _, err := NewState(terms); err == nil {
		t.Fatal("unknown channel type accepted")
	}
}
