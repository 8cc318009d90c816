package onion

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzPeel peels arbitrary packets. With sealed false the input is the
// serialized packet (padded or cut to 1366 bytes), which almost always
// fails the HMAC; with sealed true the input is the decrypted hop_payloads
// behind a valid HMAC, so the framing code is exercised. Peel must never
// panic and every error must be typed.
func FuzzPeel(f *testing.F) {
	var v onionVector
	loadJSON(f, "onion-test.json", &v)
	f.Add(mustHex(f, v.Onion), false)
	f.Add(make([]byte, PacketSize), false)
	f.Add([]byte{0x02, 0x00, 0x00}, true)
	f.Add([]byte{0xfd, 0x04, 0xf1, 0x01}, true)
	f.Add(append([]byte{0x05, 1, 2, 3, 4, 5}, bytes.Repeat([]byte{0x77}, 32)...), true)
	f.Add([]byte{0xff, 0xff}, true)

	node := mustPrivKey(f, v.Decode[0])
	assoc := mustHex(f, v.Generate.AssociatedData)
	f.Fuzz(func(t *testing.T, data []byte, sealed bool) {
		var packet *Packet
		if sealed {
			packet = sealSingleLayer(t, node.PubKey(), data, assoc)
		} else {
			raw := make([]byte, PacketSize)
			copy(raw, data)
			var err error
			if packet, err = ParsePacket(raw); err != nil {
				t.Fatal(err)
			}
		}
		peeled, err := Peel(packet, assoc, keyECDH{node})
		var bad *BadOnionError
		var invalid *InvalidPayloadError
		switch {
		case err == nil:
			if len(peeled.Payload) < 2 {
				t.Fatalf("accepted a %d-byte payload", len(peeled.Payload))
			}
			if peeled.Next != nil && peeled.Next.Version != Version0 {
				t.Fatal("next packet has a bad version")
			}
		case errors.As(err, &bad):
			if !bad.Code.IsBadOnion() || bad.OnionHash != packet.Hash() || peeled != nil {
				t.Fatalf("bad onion error %v with code %v", err, bad.Code)
			}
		case errors.As(err, &invalid):
			if !errors.Is(err, ErrPayloadFraming) || peeled == nil || invalid.Failure().Code != CodeInvalidOnionPayload {
				t.Fatalf("payload error %v", err)
			}
		default:
			t.Fatalf("untyped error %v", err)
		}
		if sealed && errors.As(err, &bad) {
			t.Fatalf("sealed packet failed authentication: %v", err)
		}
	})
}

// FuzzDecodeHopPayload decodes arbitrary payloads under every hop context.
// Errors must be *InvalidPayloadError; an accepted payload must encode back
// to the same bytes (all accepted encodings are canonical).
func FuzzDecodeHopPayload(f *testing.F) {
	var v onionVector
	loadJSON(f, "onion-test.json", &v)
	for _, h := range vectorHops(f, &v) {
		f.Add(h.Payload, false, false)
		f.Add(h.Payload, true, false)
	}
	f.Add(mustHex(f, "0a03aabbcc0c21024d4b6cd1361032ca9bd2aeb9d900aa4d45d9ead80ac9423374c451a7254d0766"), false, false)
	f.Add(mustHex(f, "0201010401020a03aabbcc120164"), true, true)
	f.Add(mustHex(f, "020101040102ff0000000146c6616c200000000000000000000000000000000000000000000000000000000000000000"), true, false)
	f.Add([]byte{0x02, 0x02, 0x00, 0x01}, true, false)
	f.Fuzz(func(t *testing.T, data []byte, final, incomingPathKey bool) {
		ctx := HopContext{Final: final, IncomingPathKey: incomingPathKey}
		p, err := DecodeHopPayload(data, ctx)
		if err != nil {
			var invalid *InvalidPayloadError
			if !errors.As(err, &invalid) || !errors.Is(err, ErrInvalidOnionPayload) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		encoded, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(encoded, data) {
			t.Fatalf("re-encoding differs\n got %x\nwant %x", encoded, data)
		}
	})
}

// FuzzDecryptFailure unwraps arbitrary failure onions with the vector's
// shared secrets. It must never panic, attribute only to route hops, and
// type every error.
func FuzzDecryptFailure(f *testing.F) {
	var v errorVector
	loadJSON(f, "onion-error-test.json", &v)
	secrets := make([][32]byte, len(v.Generate.Hops))
	for i, h := range v.Generate.Hops {
		secrets[i] = mustHex32(f, h.HopSharedSecret)
	}
	f.Add(mustHex(f, v.ErrorPacket))
	f.Add([]byte{})
	f.Add(make([]byte, 292))
	f.Add(plainFailurePacket(secrets[0], []byte{0xff, 0xff, 0x20, 0x02}))
	f.Fuzz(func(t *testing.T, reason []byte) {
		result, err := DecryptFailure(secrets, reason)
		if result != nil && (result.SourceIndex < 0 || result.SourceIndex >= len(secrets)) {
			t.Fatalf("source %d outside the route", result.SourceIndex)
		}
		switch {
		case err == nil:
			if result == nil || len(result.Message) < 2 {
				t.Fatal("success without a message")
			}
		case errors.Is(err, ErrFailureSourceUnknown):
			if result != nil {
				t.Fatal("result for an unattributed failure")
			}
		case errors.Is(err, ErrFailureOnionMalformed), errors.Is(err, ErrFailureMalformed):
			if result == nil {
				t.Fatal("attributed failure lost its source")
			}
		default:
			t.Fatalf("untyped error %v", err)
		}
	})
}

// FuzzDecodeFailure checks that decoding is stable: what decodes, encodes
// to something that decodes to the same message.
func FuzzDecodeFailure(f *testing.F) {
	f.Add([]byte{0x20, 0x02})
	f.Add(mustHex(f, "400f0000000000000064000c3500fd84d1020101"))
	f.Add(mustHex(f, "100b00000000000001020003010203"))
	f.Add(mustHex(f, "4016fd01000014"))
	f.Add(mustHex(f, "7777010203"))
	f.Fuzz(func(t *testing.T, data []byte) {
		failure, err := DecodeFailure(data)
		if err != nil {
			if !errors.Is(err, ErrFailureMalformed) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		encoded, err := failure.Encode()
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeFailure(encoded)
		if err != nil || !reflect.DeepEqual(again, failure) {
			t.Fatalf("unstable: %+v then %+v (%v)", failure, again, err)
		}
	})
}

func BenchmarkNewPacket5Hops(b *testing.B) {
	var v onionVector
	loadJSON(b, "onion-test.json", &v)
	hops := vectorHops(b, &v)
	session := mustPrivKey(b, v.Generate.SessionKey)
	assoc := mustHex(b, v.Generate.AssociatedData)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := NewPacket(session, hops, assoc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPeel(b *testing.B) {
	var v onionVector
	loadJSON(b, "onion-test.json", &v)
	packet, err := ParsePacket(mustHex(b, v.Onion))
	if err != nil {
		b.Fatal(err)
	}
	node := keyECDH{mustPrivKey(b, v.Decode[0])}
	assoc := mustHex(b, v.Generate.AssociatedData)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Peel(packet, assoc, node); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecryptFailure(b *testing.B) {
	var v errorVector
	loadJSON(b, "onion-error-test.json", &v)
	secrets := make([][32]byte, len(v.Generate.Hops))
	for i, h := range v.Generate.Hops {
		secrets[i] = mustHex32(b, h.HopSharedSecret)
	}
	reason := mustHex(b, v.ErrorPacket)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecryptFailure(secrets, reason); err != nil {
			b.Fatal(err)
		}
	}
}
