package transport

import (
	"testing"
)

func BenchmarkHandshakeOverPipe(b *testing.B) {
	alice, bob := newTestKey(b, 0x11), newTestKey(b, 0x21)
	for b.Loop() {
		dialed, accepted := pipeHandshake(b, alice, bob, bob.PubKey())
		if dialed.err != nil || accepted.err != nil {
			b.Fatal(dialed.err, accepted.err)
		}
		dialed.conn.Close()
		accepted.conn.Close()
	}
}

func BenchmarkMessage1KiBOverPipe(b *testing.B) {
	a, peer := connectedPair(b, links[0])
	msg := make([]byte, 1024)
	errc := make(chan error, 1)
	go func() {
		for {
			if _, err := peer.ReadMessage(); err != nil {
				errc <- err
				return
			}
		}
	}()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := a.WriteMessage(msg); err != nil {
			b.Fatal(err)
		}
	}
	a.Close()
	<-errc
}
