package noise

import (
	"bytes"
	"errors"
	"testing"
)

// handshakeSentinels are the only failures an act may report.
var handshakeSentinels = []error{
	ErrBadActLength, ErrUnknownVersion, ErrBadPubKey, ErrBadMAC, ErrBadStaticKeyCiphertext,
}

// checkActFailure asserts that err is a typed failure of the given act.
func checkActFailure(t *testing.T, act int, err error) {
	t.Helper()
	var hsErr *HandshakeError
	if !errors.As(err, &hsErr) || hsErr.Act != act {
		t.Fatalf("error %v is not a HandshakeError for act %d", err, act)
	}
	for _, sentinel := range handshakeSentinels {
		if errors.Is(err, sentinel) {
			return
		}
	}
	t.Fatalf("error %v is not one of the handshake sentinels", err)
}

// seedActs adds the vector inputs for one act plus a few mutations.
func seedActs(f *testing.F, acts []string) {
	for _, act := range acts {
		if act == "" {
			continue
		}
		b := unhex(f, act)
		f.Add(b)
		f.Add(b[:len(b)/2])
		mutated := bytes.Clone(b)
		mutated[len(mutated)/2] ^= 0x80
		f.Add(mutated)
	}
	f.Add([]byte{})
}

func vectorResponder(t testing.TB, v appendixA) *Responder {
	r := v.Responder[0]
	responder, err := NewResponder(testKey{privKey(t, r.LocalPriv)}, privKey(t, r.EphPriv))
	if err != nil {
		t.Fatal(err)
	}
	return responder
}

func vectorInitiator(t testing.TB, v appendixA) *Initiator {
	i := v.Initiator[0]
	initiator, err := NewInitiator(testKey{privKey(t, i.LocalPriv)}, pubKey(t, i.RemotePub), privKey(t, i.EphPriv))
	if err != nil {
		t.Fatal(err)
	}
	return initiator
}

func FuzzResponderActOne(f *testing.F) {
	v := loadAppendixA(f)
	var seeds []string
	for _, r := range v.Responder {
		seeds = append(seeds, r.ActOne)
	}
	seedActs(f, seeds)
	f.Fuzz(func(t *testing.T, act []byte) {
		responder := vectorResponder(t, v)
		err := responder.ReadActOne(act)
		if err != nil {
			checkActFailure(t, 1, err)
			return
		}
		if len(act) != ActOneSize || act[0] != HandshakeVersion {
			t.Fatalf("accepted act one %x", act)
		}
		if _, err := responder.ActTwo(); err != nil {
			t.Fatalf("act two after an accepted act one: %v", err)
		}
	})
}

func FuzzInitiatorActTwo(f *testing.F) {
	v := loadAppendixA(f)
	var seeds []string
	for _, i := range v.Initiator {
		seeds = append(seeds, i.ActTwo)
	}
	seedActs(f, seeds)
	f.Fuzz(func(t *testing.T, act []byte) {
		initiator := vectorInitiator(t, v)
		if _, err := initiator.ActOne(); err != nil {
			t.Fatal(err)
		}
		err := initiator.ReadActTwo(act)
		if err != nil {
			checkActFailure(t, 2, err)
			return
		}
		if len(act) != ActTwoSize || act[0] != HandshakeVersion {
			t.Fatalf("accepted act two %x", act)
		}
		if _, session, err := initiator.ActThree(); err != nil || session == nil {
			t.Fatalf("act three after an accepted act two: %v", err)
		}
	})
}

func FuzzResponderActThree(f *testing.F) {
	v := loadAppendixA(f)
	var seeds []string
	for _, r := range v.Responder {
		seeds = append(seeds, r.ActThree)
	}
	seedActs(f, seeds)
	actOne := unhex(f, v.Responder[0].ActOne)
	f.Fuzz(func(t *testing.T, act []byte) {
		responder := vectorResponder(t, v)
		if err := responder.ReadActOne(actOne); err != nil {
			t.Fatal(err)
		}
		if _, err := responder.ActTwo(); err != nil {
			t.Fatal(err)
		}
		session, err := responder.ReadActThree(act)
		if err != nil {
			checkActFailure(t, 3, err)
			if session != nil {
				t.Fatal("session returned with an error")
			}
			return
		}
		if len(act) != ActThreeSize || session == nil || session.RemoteStatic == nil {
			t.Fatalf("accepted act three %x without a complete session", act)
		}
	})
}

// FuzzReceiveFrames feeds arbitrary bytes to a receive cipher as a stream of
// frames: it must never panic, and must only fail with its typed errors.
func FuzzReceiveFrames(f *testing.F) {
	v := loadAppendixA(f)
	m := v.Message
	var stream []byte
	for _, o := range m.Outputs[:2] { // messages 0 and 1 are consecutive
		frame := unhex(f, o.Frame)
		f.Add(frame)
		stream = append(stream, frame...)
	}
	f.Add(stream)
	f.Add(stream[:LengthHeaderSize])
	f.Add([]byte{})
	key, ck := unhex32(f, m.SendKey), unhex32(f, m.ChainingKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		receive := &ReceiveCipher{state: newCipherState(key, ck), pending: -1}
		for len(data) >= LengthHeaderSize {
			length, err := receive.DecryptLength(data[:LengthHeaderSize])
			if err != nil {
				if !errors.Is(err, ErrBadMAC) {
					t.Fatalf("length: %v", err)
				}
				return
			}
			data = data[LengthHeaderSize:]
			if length > MaxMessageSize {
				t.Fatalf("length %d above the maximum", length)
			}
			bodySize := min(length+MACSize, len(data))
			plaintext, err := receive.DecryptBody(nil, data[:bodySize])
			if err != nil {
				if !errors.Is(err, ErrBadMAC) && !errors.Is(err, ErrBadFrame) {
					t.Fatalf("body: %v", err)
				}
				return
			}
			if len(plaintext) != length {
				t.Fatalf("body of %d bytes, header said %d", len(plaintext), length)
			}
			data = data[bodySize:]
		}
	})
}

func FuzzMessageRoundTrip(f *testing.F) {
	f.Add([]byte("hello"))
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 1024))
	a, b := sessionPair(f, 20)
	f.Fuzz(func(t *testing.T, msg []byte) {
		frame, err := a.Send.Encrypt(nil, msg)
		if len(msg) > MaxMessageSize {
			if !errors.Is(err, ErrMessageTooLarge) {
				t.Fatalf("oversized message: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := decryptFrame(b.Receive, frame)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("round trip gave %x, want %x", got, msg)
		}
	})
}

// FuzzHandshake runs complete handshakes with keys drawn from the fuzzer's
// seed: every one must succeed with matching keys.
func FuzzHandshake(f *testing.F) {
	f.Add(uint64(0))
	f.Add(uint64(1 << 40))
	f.Fuzz(func(t *testing.T, seed uint64) {
		r := seededReader(seed)
		alice, bob := testKey{mustEphemeral(t, r)}, testKey{mustEphemeral(t, r)}
		a, b, err := runHandshake(t, alice, bob, bob.PubKey(), r)
		if err != nil {
			t.Fatal(err)
		}
		if a.Send.state.key != b.Receive.state.key || a.Receive.state.key != b.Send.state.key {
			t.Fatal("session keys do not pair up")
		}
	})
}
