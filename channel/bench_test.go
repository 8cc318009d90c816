package channel

import (
	"crypto/sha256"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// benchPair is a lean two-node driver: no invariant checks, messages passed
// directly; persist optionally marshals the state as a runtime would.
type benchPair struct {
	state   [2]State
	env     [2]Env
	queue   [2][]lnwire.Message
	persist bool
}

func (p *benchPair) step(b *testing.B, i int, ev Event) {
	next, effects, err := Step(p.state[i], p.env[i], ev)
	if err != nil {
		b.Fatalf("node %d: %v", i, err)
	}
	p.state[i] = next
	for _, e := range effects {
		switch e := e.(type) {
		case PersistState:
			if p.persist {
				if _, err := Marshal(&p.state[i]); err != nil {
					b.Fatal(err)
				}
			}
		case SendMessage:
			p.queue[1-i] = append(p.queue[1-i], e.Msg)
		}
	}
}

func (p *benchPair) deliver(b *testing.B, i int) {
	for len(p.queue[i]) > 0 {
		m := p.queue[i][0]
		p.queue[i] = p.queue[i][1:]
		p.step(b, i, PeerMessage{Msg: m})
	}
}

// roundTrip is one payment from node `from` to the other: add, sign,
// revoke both ways, fulfill, sign, revoke both ways (BOLT #2 "Normal
// Operation").
func (p *benchPair) roundTrip(b *testing.B, from int, preimage [32]byte) {
	to := 1 - from
	id := p.state[from].NextHTLCID[Local]
	p.step(b, from, AddHTLC{Amount: 10_000_000, PaymentHash: sha256.Sum256(preimage[:]), CLTVExpiry: 600})
	p.step(b, from, SignCommitment{})
	p.deliver(b, to)   // add, commitment_signed -> revoke_and_ack
	p.deliver(b, from) // revoke_and_ack
	p.step(b, to, SignCommitment{})
	p.deliver(b, from) // commitment_signed -> revoke_and_ack
	p.deliver(b, to)   // revoke_and_ack: HTLC accepted
	p.step(b, to, FulfillHTLC{ID: id, Preimage: preimage})
	p.step(b, to, SignCommitment{})
	p.deliver(b, from)
	p.deliver(b, to)
	p.step(b, from, SignCommitment{})
	p.deliver(b, to)
	p.deliver(b, from)
}

func benchmarkRoundTrip(b *testing.B, persist bool) {
	h, err := newHarness(defaultConfig(), DefaultPolicy())
	if err != nil {
		b.Fatal(err)
	}
	p := &benchPair{persist: persist}
	for i, n := range h.nodes {
		p.state[i], p.env[i] = n.state, n.env
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Alternate directions so that balances never run out.
		p.roundTrip(b, i%2, sha256.Sum256([]byte{byte(i), byte(i >> 8), byte(i >> 16)}))
	}
	b.StopTimer()
	if n := len(p.state[0].LocalCommit.Spec.HTLCs); n != 0 {
		b.Fatalf("%d HTLCs left", n)
	}
}

// BenchmarkRoundTrip is one add -> sign -> revoke -> fulfill -> sign ->
// revoke payment between the two instances, with real signatures and
// verifications (4 commitments signed and verified).
func BenchmarkRoundTrip(b *testing.B) { benchmarkRoundTrip(b, false) }

// BenchmarkRoundTripPersisted also marshals the state at every
// PersistState, as the runtime's store would.
func BenchmarkRoundTripPersisted(b *testing.B) { benchmarkRoundTrip(b, true) }
