package lnwire

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// FuzzReadMessage decodes arbitrary bytes as a message. Whatever decodes must
// encode back to exactly the same bytes: the decoders accept only canonical
// encodings, and unknown odd TLV records and messages are kept.
func FuzzReadMessage(f *testing.F) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, typ := range KnownMessageTypes() {
		for _, m := range []Message{newMessage(typ), newMessage(typ)} {
			if m != nil {
				populate(m, rnd)
			}
			wire, err := WriteMessage(m)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(wire)
		}
		empty, _ := WriteMessage(newMessage(typ))
		f.Add(empty)
	}
	for _, seed := range []string{"001000000000c9012acb0104", "001000000000ca012a", "8001dead", "0064"} {
		f.Add(mustHex(f, seed))
	}
	for _, v := range loadExtendedQueryVectors(f) {
		f.Add(mustHex(f, v.Hex))
	}
	f.Fuzz(func(t *testing.T, wire []byte) {
		m, err := ReadMessage(wire)
		if err != nil {
			if m != nil {
				t.Fatalf("ReadMessage returned %T with error %v", m, err)
			}
			return
		}
		out, err := WriteMessage(m)
		if err != nil {
			t.Fatalf("decoded %s does not encode: %v", m.MsgType(), err)
		}
		if !bytes.Equal(out, wire) {
			t.Fatalf("%s: read %x, wrote %x", m.MsgType(), wire, out)
		}
	})
}
