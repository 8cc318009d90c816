package onion

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// BOLT #4 test vector onion-test.json: building the onion.
func TestNewPacketVector(t *testing.T) {
	var v onionVector
	loadJSON(t, "onion-test.json", &v)
	packet, secrets, err := NewPacket(mustPrivKey(t, v.Generate.SessionKey), vectorHops(t, &v), mustHex(t, v.Generate.AssociatedData))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(packet.Bytes()); got != v.Onion {
		t.Fatalf("onion mismatch\n got %s\nwant %s", got, v.Onion)
	}
	// The error vector uses the same keys: its hop_shared_secret values
	// must be the ones the builder derived.
	var ev errorVector
	loadJSON(t, "onion-error-test.json", &ev)
	for i, h := range ev.Generate.Hops {
		if want := mustHex32(t, h.HopSharedSecret); secrets[i] != want {
			t.Errorf("hop %d shared secret %x, want %x", i, secrets[i], want)
		}
	}
}

// BOLT #4 test vector onion-test.json: every hop peels its layer with its
// private key and finds its payload; only the last one is final.
func TestPeelVector(t *testing.T) {
	var v onionVector
	loadJSON(t, "onion-test.json", &v)
	hops := vectorHops(t, &v)
	packet, err := ParsePacket(mustHex(t, v.Onion))
	if err != nil {
		t.Fatal(err)
	}
	assoc := mustHex(t, v.Generate.AssociatedData)
	for i, keyHex := range v.Decode {
		peeled, err := Peel(packet, assoc, keyECDH{mustPrivKey(t, keyHex)})
		if err != nil {
			t.Fatalf("hop %d: %v", i, err)
		}
		if !bytes.Equal(peeled.Payload, hops[i].Payload) {
			t.Fatalf("hop %d payload %x, want %x", i, peeled.Payload, hops[i].Payload)
		}
		if last := i == len(v.Decode)-1; peeled.IsFinal() != last {
			t.Fatalf("hop %d: IsFinal = %v", i, peeled.IsFinal())
		}
		packet = peeled.Next
	}
}

// Round trip over routes of every length that fits, with payloads of
// different sizes (including a 3-byte BigSize length).
func TestBuildAndPeelRoutes(t *testing.T) {
	assoc := bytes.Repeat([]byte{0x99}, 32)
	session, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x07}, 32))
	for _, payloadLen := range []int{2, 20, 252, 253, 600} {
		maxHops := HopPayloadsSize / (payloadLen + 3 + hmacSize)
		for n := 1; n <= min(maxHops, 27); n++ {
			keys := make([]*btcec.PrivateKey, n)
			hops := make([]Hop, n)
			for i := range hops {
				keys[i], _ = btcec.PrivKeyFromBytes(bytes.Repeat([]byte{byte(i + 1)}, 32))
				payload := bytes.Repeat([]byte{byte(0xa0 + i)}, payloadLen)
				hops[i] = Hop{PublicKey: keys[i].PubKey(), Payload: payload}
			}
			packet, secrets, err := NewPacket(session, hops, assoc)
			if err != nil {
				t.Fatalf("len %d hops %d: %v", payloadLen, n, err)
			}
			for i := range hops {
				peeled, err := Peel(packet, assoc, keyECDH{keys[i]})
				if err != nil {
					t.Fatalf("len %d hops %d, hop %d: %v", payloadLen, n, i, err)
				}
				if !bytes.Equal(peeled.Payload, hops[i].Payload) || peeled.SharedSecret != secrets[i] {
					t.Fatalf("len %d hops %d, hop %d: wrong payload or secret", payloadLen, n, i)
				}
				if peeled.IsFinal() != (i == n-1) {
					t.Fatalf("len %d hops %d, hop %d: IsFinal = %v", payloadLen, n, i, peeled.IsFinal())
				}
				packet = peeled.Next
			}
		}
	}
}

func TestNewPacketErrors(t *testing.T) {
	session, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x07}, 32))
	node, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x01}, 32))
	okHop := Hop{PublicKey: node.PubKey(), Payload: []byte{0x02, 0x00}}
	tests := []struct {
		name    string
		session *btcec.PrivateKey
		hops    []Hop
		want    error
	}{
		{"no hops", session, nil, ErrNoHops},
		{"empty payload", session, []Hop{{PublicKey: node.PubKey()}}, ErrPayloadTooShort},
		{"one-byte payload", session, []Hop{okHop, {PublicKey: node.PubKey(), Payload: []byte{1}}}, ErrPayloadTooShort},
		{"too long", session, []Hop{{PublicKey: node.PubKey(), Payload: make([]byte, HopPayloadsSize-hmacSize-2)}}, ErrRouteTooLong},
		{"too many hops", session, bytesHops(okHop, 38), ErrRouteTooLong},
		{"nil hop key", session, []Hop{okHop, {Payload: []byte{1, 2}}}, ErrInvalidHopKey},
		{"nil session key", nil, []Hop{okHop}, ErrInvalidSessionKey},
		{"zero session key", &btcec.PrivateKey{}, []Hop{okHop}, ErrInvalidSessionKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := NewPacket(tc.session, tc.hops, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// Exactly 1300 bytes fits.
	exact := Hop{PublicKey: node.PubKey(), Payload: make([]byte, HopPayloadsSize-hmacSize-3)}
	if _, _, err := NewPacket(session, []Hop{exact}, nil); err != nil {
		t.Fatalf("1300-byte frame rejected: %v", err)
	}
}

func bytesHops(h Hop, n int) []Hop {
	hops := make([]Hop, n)
	for i := range hops {
		hops[i] = h
	}
	return hops
}

func TestParsePacketLength(t *testing.T) {
	for _, n := range []int{0, PacketSize - 1, PacketSize + 1} {
		if _, err := ParsePacket(make([]byte, n)); !errors.Is(err, ErrPacketLength) {
			t.Errorf("%d bytes: err = %v", n, err)
		}
	}
	raw := make([]byte, PacketSize)
	for i := range raw {
		raw[i] = byte(i)
	}
	p, err := ParsePacket(raw)
	if err != nil || !bytes.Equal(p.Bytes(), raw) {
		t.Fatalf("round trip failed: %v", err)
	}
}

// singleHopFixture returns a one-hop packet, its node key and associated
// data, for tampering.
func singleHopFixture(t *testing.T) (*Packet, *btcec.PrivateKey, []byte) {
	t.Helper()
	session, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x07}, 32))
	node, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x01}, 32))
	assoc := bytes.Repeat([]byte{0x42}, 32)
	packet, _, err := NewPacket(session, []Hop{{PublicKey: node.PubKey(), Payload: []byte{0x02, 0x01, 0x05}}}, assoc)
	if err != nil {
		t.Fatal(err)
	}
	return packet, node, assoc
}

// BOLT #4 "Onion Decryption" reader requirements before the HMAC is
// trusted: each maps to a BADONION code and carries sha256 of the onion.
func TestPeelBadOnion(t *testing.T) {
	packet, node, assoc := singleHopFixture(t)
	tests := []struct {
		name   string
		mutate func(p *Packet) ([]byte, ECDH)
		code   FailureCode
		want   error
	}{
		{"version 1", func(p *Packet) ([]byte, ECDH) { p.Version = 1; return assoc, keyECDH{node} },
			CodeInvalidOnionVersion, ErrInvalidOnionVersion},
		{"key prefix 0x04", func(p *Packet) ([]byte, ECDH) { p.PublicKey[0] = 0x04; return assoc, keyECDH{node} },
			CodeInvalidOnionKey, ErrInvalidOnionKey},
		{"key not on curve", func(p *Packet) ([]byte, ECDH) {
			copy(p.PublicKey[1:], bytes.Repeat([]byte{0xff}, 32))
			return assoc, keyECDH{node}
		}, CodeInvalidOnionKey, ErrInvalidOnionKey},
		{"ecdh unavailable", func(p *Packet) ([]byte, ECDH) { return assoc, failingECDH{} },
			CodeInvalidOnionKey, ErrInvalidOnionKey},
		{"flipped payload bit", func(p *Packet) ([]byte, ECDH) { p.HopPayloads[700] ^= 1; return assoc, keyECDH{node} },
			CodeInvalidOnionHMAC, ErrInvalidOnionHMAC},
		{"flipped hmac bit", func(p *Packet) ([]byte, ECDH) { p.HMAC[0] ^= 1; return assoc, keyECDH{node} },
			CodeInvalidOnionHMAC, ErrInvalidOnionHMAC},
		{"other payment hash", func(p *Packet) ([]byte, ECDH) { return bytes.Repeat([]byte{0x43}, 32), keyECDH{node} },
			CodeInvalidOnionHMAC, ErrInvalidOnionHMAC},
		{"wrong node", func(p *Packet) ([]byte, ECDH) {
			other, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x02}, 32))
			return assoc, keyECDH{other}
		}, CodeInvalidOnionHMAC, ErrInvalidOnionHMAC},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := *packet
			ad, ecdh := tc.mutate(&p)
			peeled, err := Peel(&p, ad, ecdh)
			if peeled != nil {
				t.Fatal("a bad onion returned a result")
			}
			var bad *BadOnionError
			if !errors.As(err, &bad) || !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want BadOnionError matching %v", err, tc.want)
			}
			if bad.Code != tc.code || bad.OnionHash != p.Hash() || !bad.Code.IsBadOnion() {
				t.Fatalf("code %v hash %x, want %v and sha256 of the onion", bad.Code, bad.OnionHash, tc.code)
			}
			var reporter FailureReporter
			if !errors.As(err, &reporter) || reporter.Failure().Code != tc.code || reporter.Failure().OnionHash != p.Hash() {
				t.Fatal("FailureReporter does not give the BADONION failure")
			}
		})
	}
}

// sealSingleLayer makes an authenticated one-hop packet whose decrypted
// hop_payloads start with plain, so framing errors can be tested behind a
// valid HMAC.
func sealSingleLayer(t *testing.T, node *btcec.PublicKey, plain []byte, assoc []byte) *Packet {
	t.Helper()
	session, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x07}, 32))
	secrets, err := SharedSecrets(session, []*btcec.PublicKey{node})
	if err != nil {
		t.Fatal(err)
	}
	p := &Packet{Version: Version0}
	copy(p.PublicKey[:], session.PubKey().SerializeCompressed())
	copy(p.HopPayloads[:], plain)
	xorStream(generateKey(keyTypeRho, secrets[0][:]), p.HopPayloads[:])
	p.HMAC = computeHMAC(generateKey(keyTypeMu, secrets[0][:]), p.HopPayloads[:], assoc)
	return p
}

// BOLT #4 "Onion Decryption" framing requirements after the HMAC checked
// out: invalid_onion_payload, with the shared secret available.
func TestPeelFraming(t *testing.T) {
	node, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x01}, 32))
	tests := []struct {
		name  string
		plain []byte
		ok    bool
	}{
		{"length 0 (legacy)", []byte{0x00}, false},
		{"length 1 (reserved)", []byte{0x01, 0x00}, false},
		{"non-canonical bigsize", []byte{0xfd, 0x00, 0x05}, false},
		{"payload overruns 1300", []byte{0xfd, 0x04, 0xf2}, false}, // 3+1266+32 = 1301
		{"payload exactly fills", []byte{0xfd, 0x04, 0xf1}, true},  // 3+1265+32 = 1300
		{"minimal", []byte{0x02, 0x00, 0x00}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			packet := sealSingleLayer(t, node.PubKey(), tc.plain, nil)
			peeled, err := Peel(packet, nil, keyECDH{node})
			if tc.ok {
				if err != nil || !peeled.IsFinal() {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var invalid *InvalidPayloadError
			if !errors.As(err, &invalid) || !errors.Is(err, ErrInvalidOnionPayload) || !errors.Is(err, ErrPayloadFraming) {
				t.Fatalf("err = %v, want InvalidPayloadError/ErrPayloadFraming", err)
			}
			if peeled == nil || peeled.SharedSecret == ([32]byte{}) {
				t.Fatal("shared secret not returned with the payload error")
			}
			if f := invalid.Failure(); f.Code != CodeInvalidOnionPayload {
				t.Fatalf("failure code %v", f.Code)
			}
		})
	}
}

func TestSharedSecretsDoNotModifySessionKey(t *testing.T) {
	session, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x07}, 32))
	before := session.Key
	node, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x01}, 32))
	if _, err := SharedSecrets(session, []*btcec.PublicKey{node.PubKey(), node.PubKey()}); err != nil {
		t.Fatal(err)
	}
	if !session.Key.Equals(&before) {
		t.Fatal("session key modified")
	}
}
