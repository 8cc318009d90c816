package node

import (
	"context"
	"testing"
)

// BenchmarkHTLCRoundTrip offers an HTLC and settles it between two
// runtimes with SQLite stores: two commitment dances, each step persisted
// (fsync) before its messages leave.
func BenchmarkHTLCRoundTrip(b *testing.B) {
	h := newHarness(b)
	alice := h.node("alice", 5_000_000)
	bob := h.node("bob")
	h.connect(alice, bob)
	_, ia, ib := openChannel(b, h, alice, bob, OpenRequest{Amount: 4_000_000})
	b.ResetTimer()
	for i := range b.N {
		preimage := [32]byte{byte(i), byte(i >> 8), byte(i >> 16)}
		addHTLC(b, alice, ia, 1_000, preimage)
		settled(bob, ib, 1)
		fulfill(b, bob, ib, uint64(i), preimage)
		settled(alice, ia, 0)
		settled(bob, ib, 0)
	}
}

// BenchmarkOpenChannel negotiates and stores a channel (no confirmation).
func BenchmarkOpenChannel(b *testing.B) {
	h := newHarness(b)
	alice := h.node("alice", 100_000_000)
	bob := h.node("bob")
	bob.rt.cfg.Funding.MaxPendingChannels = 1 << 30
	h.connect(alice, bob)
	b.ResetTimer()
	for range b.N {
		if _, err := alice.rt.Open(context.Background(), OpenRequest{Peer: bob.id, Amount: 100_000, FundingFeerate: 1000}); err != nil {
			b.Fatal(err)
		}
	}
}
