package lnwire

import (
	"math/rand/v2"
	"testing"
)

func benchmarkMessage(b *testing.B, m Message) {
	populate(m, rand.New(rand.NewPCG(7, 8)))
	clearTLVs(m) // the common case: no extension
	wire, err := WriteMessage(m)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("WriteMessage", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			if _, err := WriteMessage(m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("EncodeReusingBuffer", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		buf := make([]byte, 0, len(wire))
		for b.Loop() {
			if buf, err = m.Encode(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ReadMessage", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			if _, err := ReadMessage(wire); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeReusingMessage", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		into := newMessage(m.MsgType())
		for b.Loop() {
			if err := into.Decode(wire[2:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkUpdateAddHTLC(b *testing.B) { benchmarkMessage(b, &UpdateAddHTLC{}) }

func BenchmarkChannelUpdate(b *testing.B) { benchmarkMessage(b, &ChannelUpdate{}) }
