package noise

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// seededReader is a deterministic stand-in for crypto/rand in tests.
func seededReader(seed uint64) io.Reader {
	var key [32]byte
	key[0] = byte(seed)
	key[1] = byte(seed >> 8)
	return rand.NewChaCha8(key)
}

func mustEphemeral(t testing.TB, r io.Reader) *btcec.PrivateKey {
	t.Helper()
	key, err := NewEphemeralKey(r)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// runHandshake performs the three acts between fresh state machines and
// returns both sessions.
func runHandshake(t testing.TB, initiatorKey, responderKey LocalKey, expectedResponder *btcec.PublicKey, r io.Reader) (*Session, *Session, error) {
	t.Helper()
	initiator, err := NewInitiator(initiatorKey, expectedResponder, mustEphemeral(t, r))
	if err != nil {
		return nil, nil, err
	}
	responder, err := NewResponder(responderKey, mustEphemeral(t, r))
	if err != nil {
		return nil, nil, err
	}
	actOne, err := initiator.ActOne()
	if err != nil {
		return nil, nil, err
	}
	if err := responder.ReadActOne(actOne); err != nil {
		return nil, nil, err
	}
	actTwo, err := responder.ActTwo()
	if err != nil {
		return nil, nil, err
	}
	if err := initiator.ReadActTwo(actTwo); err != nil {
		return nil, nil, err
	}
	actThree, initiatorSession, err := initiator.ActThree()
	if err != nil {
		return nil, nil, err
	}
	responderSession, err := responder.ReadActThree(actThree)
	if err != nil {
		return nil, nil, err
	}
	return initiatorSession, responderSession, nil
}

func TestHandshakeRoundTrip(t *testing.T) {
	r := seededReader(1)
	for i := range 20 {
		alice := testKey{mustEphemeral(t, r)}
		bob := testKey{mustEphemeral(t, r)}
		a, b, err := runHandshake(t, alice, bob, bob.PubKey(), r)
		if err != nil {
			t.Fatalf("handshake %d: %v", i, err)
		}
		if !a.RemoteStatic.IsEqual(bob.PubKey()) || !b.RemoteStatic.IsEqual(alice.PubKey()) {
			t.Fatalf("handshake %d: wrong remote static keys", i)
		}
		if a.Send.state.key != b.Receive.state.key || a.Receive.state.key != b.Send.state.key {
			t.Fatalf("handshake %d: keys do not pair up", i)
		}
		if a.Send.state.key == a.Receive.state.key {
			t.Fatalf("handshake %d: both directions share a key", i)
		}
	}
}

// An initiator that expects the wrong responder key fails the responder's
// act one MAC check: BOLT #8 "the initiator does not know the responder's
// static public key".
func TestHandshakeWrongResponderKey(t *testing.T) {
	r := seededReader(2)
	alice, bob, carol := testKey{mustEphemeral(t, r)}, testKey{mustEphemeral(t, r)}, testKey{mustEphemeral(t, r)}
	_, _, err := runHandshake(t, alice, bob, carol.PubKey(), r)
	var hsErr *HandshakeError
	if !errors.Is(err, ErrBadMAC) || !errors.As(err, &hsErr) || hsErr.Act != 1 {
		t.Fatalf("got %v, want act 1 ErrBadMAC", err)
	}
}

type failingKey struct{ testKey }

var errSignerDown = errors.New("signer down")

func (failingKey) ECDH(*btcec.PublicKey) ([32]byte, error) { return [32]byte{}, errSignerDown }

func TestHandshakeLocalECDHFailure(t *testing.T) {
	r := seededReader(3)
	alice, bob := testKey{mustEphemeral(t, r)}, testKey{mustEphemeral(t, r)}
	tests := []struct {
		name      string
		initiator LocalKey
		responder LocalKey
		act       int
	}{
		{"responder ECDH in act one", alice, failingKey{bob}, 1},
		{"initiator ECDH in act three", failingKey{alice}, bob, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runHandshake(t, tc.initiator, tc.responder, bob.PubKey(), r)
			var hsErr *HandshakeError
			if !errors.Is(err, ErrLocalECDH) || !errors.Is(err, errSignerDown) {
				t.Fatalf("got %v, want ErrLocalECDH wrapping the cause", err)
			}
			if !errors.As(err, &hsErr) || hsErr.Act != tc.act {
				t.Fatalf("got %v, want act %d", err, tc.act)
			}
		})
	}
}

func TestNewStateMachinesRejectNilKeys(t *testing.T) {
	r := seededReader(4)
	key := testKey{mustEphemeral(t, r)}
	eph := mustEphemeral(t, r)
	tests := []struct {
		name string
		err  error
	}{
		{"initiator nil local", func() error { _, err := NewInitiator(nil, key.PubKey(), eph); return err }()},
		{"initiator nil remote", func() error { _, err := NewInitiator(key, nil, eph); return err }()},
		{"initiator nil ephemeral", func() error { _, err := NewInitiator(key, key.PubKey(), nil); return err }()},
		{"responder nil local", func() error { _, err := NewResponder(nil, eph); return err }()},
		{"responder nil ephemeral", func() error { _, err := NewResponder(key, nil); return err }()},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, ErrNilKey) {
			t.Errorf("%s: got %v, want ErrNilKey", tc.name, tc.err)
		}
	}
}

func TestHandshakeStepsOutOfOrder(t *testing.T) {
	r := seededReader(5)
	alice, bob := testKey{mustEphemeral(t, r)}, testKey{mustEphemeral(t, r)}
	newInitiator := func() *Initiator {
		i, err := NewInitiator(alice, bob.PubKey(), mustEphemeral(t, r))
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	newResponder := func() *Responder {
		resp, err := NewResponder(bob, mustEphemeral(t, r))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	act := make([]byte, ActThreeSize)
	tests := []struct {
		name string
		run  func() error
	}{
		{"initiator reads act two before act one", func() error { return newInitiator().ReadActTwo(act[:ActTwoSize]) }},
		{"initiator sends act three before act two", func() error { _, _, err := newInitiator().ActThree(); return err }},
		{"initiator sends act one twice", func() error {
			i := newInitiator()
			if _, err := i.ActOne(); err != nil {
				return err
			}
			_, err := i.ActOne()
			return err
		}},
		{"responder sends act two before act one", func() error { _, err := newResponder().ActTwo(); return err }},
		{"responder reads act three before act two", func() error { _, err := newResponder().ReadActThree(act); return err }},
		{"responder continues after a failed act one", func() error {
			resp := newResponder()
			if err := resp.ReadActOne(act[:ActOneSize]); err == nil {
				return errors.New("zero act one accepted")
			}
			_, err := resp.ActTwo()
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !errors.Is(err, ErrWrongStep) {
				t.Fatalf("got %v, want ErrWrongStep", err)
			}
		})
	}
}

// After a successful handshake the machines are finished.
func TestHandshakeDoneRefusesMore(t *testing.T) {
	r := seededReader(6)
	alice, bob := testKey{mustEphemeral(t, r)}, testKey{mustEphemeral(t, r)}
	initiator, _ := NewInitiator(alice, bob.PubKey(), mustEphemeral(t, r))
	responder, _ := NewResponder(bob, mustEphemeral(t, r))
	one, _ := initiator.ActOne()
	if err := responder.ReadActOne(one); err != nil {
		t.Fatal(err)
	}
	two, _ := responder.ActTwo()
	if err := initiator.ReadActTwo(two); err != nil {
		t.Fatal(err)
	}
	three, _, err := initiator.ActThree()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := responder.ReadActThree(three); err != nil {
		t.Fatal(err)
	}
	if _, _, err := initiator.ActThree(); !errors.Is(err, ErrWrongStep) {
		t.Fatalf("initiator act three again: %v", err)
	}
	if _, err := responder.ReadActThree(three); !errors.Is(err, ErrWrongStep) {
		t.Fatalf("responder act three again: %v", err)
	}
}

// scriptedReader yields the given chunks, then reads from rest (or EOF).
type scriptedReader struct {
	chunks [][]byte
	rest   io.Reader
}

func (s *scriptedReader) Read(p []byte) (int, error) {
	if len(s.chunks) == 0 {
		if s.rest == nil {
			return 0, io.EOF
		}
		return s.rest.Read(p)
	}
	n := copy(p, s.chunks[0])
	s.chunks[0] = s.chunks[0][n:]
	if len(s.chunks[0]) == 0 {
		s.chunks = s.chunks[1:]
	}
	return n, nil
}

func TestNewEphemeralKey(t *testing.T) {
	order := btcec.S256().N.Bytes() // the group order itself is out of range
	valid := bytes.Repeat([]byte{0x12}, 32)
	tests := []struct {
		name    string
		reader  io.Reader
		want    []byte // expected private key, nil when an error is expected
		wantErr error
	}{
		{"valid bytes are the key", &scriptedReader{chunks: [][]byte{valid}}, valid, nil},
		{"zero is skipped", &scriptedReader{chunks: [][]byte{make([]byte, 32), valid}}, valid, nil},
		{"the group order is skipped", &scriptedReader{chunks: [][]byte{order, valid}}, valid, nil},
		{"short read fails", &scriptedReader{chunks: [][]byte{valid[:10]}}, nil, io.ErrUnexpectedEOF},
		{"only zeros fails", bytes.NewReader(make([]byte, 32*8)), nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, err := NewEphemeralKey(tc.reader)
			if tc.want == nil {
				if err == nil {
					t.Fatal("expected an error")
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(key.Serialize(), tc.want) {
				t.Fatalf("key %x, want %x", key.Serialize(), tc.want)
			}
		})
	}
}

func TestHandshakeErrorMessage(t *testing.T) {
	err := actError(2, ErrUnknownVersion)
	if got, want := err.Error(), "noise: unknown handshake version (act 2)"; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
}
