package funding

import (
	"testing"
)

// BenchmarkNegotiation runs a whole negotiation in memory, both sides,
// messages through the wire codec: open_channel to funding_signed, with the
// signatures of both first commitments.
func BenchmarkNegotiation(b *testing.B) {
	for b.Loop() {
		p := newPair(fullFeatures(), fullFeatures())
		if err := p.open(defaultOpen()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAcceptOpenChannel measures the accepter's checks of one
// open_channel and its accept_channel.
func BenchmarkAcceptOpenChannel(b *testing.B) {
	msg := validOpenChannel(b, fullFeatures(), defaultOpen())
	bob := newSide("bob", fullFeatures())
	ev := OpenChannelReceived{Msg: msg, PeerFeatures: fullFeatures(), Keys: bob.signer.keys()}
	for b.Loop() {
		if _, _, err := Step(State{}, bob.env, ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefuseOpenChannel measures refusing an open_channel (a peer
// flooding us with bad offers).
func BenchmarkRefuseOpenChannel(b *testing.B) {
	msg := validOpenChannel(b, fullFeatures(), defaultOpen())
	msg.ToSelfDelay = 5000
	bob := newSide("bob", fullFeatures())
	ev := OpenChannelReceived{Msg: msg, PeerFeatures: fullFeatures(), Keys: bob.signer.keys()}
	for b.Loop() {
		if _, _, err := Step(State{}, bob.env, ev); err == nil {
			b.Fatal("accepted")
		}
	}
}
