package peer

import (
	"context"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// BenchmarkHandleIncomingPing: decode a ping, queue its pong.
func BenchmarkHandleIncomingPing(b *testing.B) {
	p, _, _ := newFakePeer(b, nil)
	raw := mustEncode(b, &lnwire.Ping{NumPongBytes: 64, Ignored: make([]byte, 64)})
	b.ReportAllocs()
	for b.Loop() {
		if violation := p.handleIncoming(raw); violation != nil {
			b.Fatal(violation)
		}
		<-p.out
	}
}

// BenchmarkHandleIncomingChannelMessage: decode update_add_htlc and hand
// it to the MessageHandler.
func BenchmarkHandleIncomingChannelMessage(b *testing.B) {
	p, _, _ := newFakePeer(b, func(c *Config) { c.Handler = discardHandler{} })
	raw := mustEncode(b, &lnwire.UpdateAddHTLC{ChannelID: lnwire.ChannelID{1}, AmountMsat: 1000})
	b.ReportAllocs()
	for b.Loop() {
		if violation := p.handleIncoming(raw); violation != nil {
			b.Fatal(violation)
		}
	}
}

type discardHandler struct{}

func (discardHandler) HandleMessage(*Peer, lnwire.Message) {}

// BenchmarkPingRoundTrip: a ping and its pong between two nodes over
// loopback TCP (encryption, both read and write loops).
func BenchmarkPingRoundTrip(b *testing.B) {
	ctx := context.Background()
	alice, bob := newTestNode(b, 1, nil), newTestNode(b, 2, nil)
	if _, err := alice.Connect(ctx, bob.id, bob.listenTCP(b)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := alice.Ping(ctx, bob.id, 32, 32); err != nil {
			b.Fatal(err)
		}
	}
}
