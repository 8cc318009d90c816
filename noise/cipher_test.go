package noise

import (
	"bytes"
	"errors"
	"testing"
)

// sessionPair returns the two sessions of a completed handshake.
func sessionPair(t testing.TB, seed uint64) (initiator, responder *Session) {
	t.Helper()
	r := seededReader(seed)
	alice, bob := testKey{mustEphemeral(t, r)}, testKey{mustEphemeral(t, r)}
	a, b, err := runHandshake(t, alice, bob, bob.PubKey(), r)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func decryptFrame(r *ReceiveCipher, frame []byte) ([]byte, error) {
	if len(frame) < LengthHeaderSize {
		return nil, ErrBadFrame
	}
	if _, err := r.DecryptLength(frame[:LengthHeaderSize]); err != nil {
		return nil, err
	}
	return r.DecryptBody(nil, frame[LengthHeaderSize:])
}

func TestMessageRoundTripSizes(t *testing.T) {
	a, b := sessionPair(t, 10)
	for _, size := range []int{0, 1, 2, 1024, MaxMessageSize - 1, MaxMessageSize} {
		msg := bytes.Repeat([]byte{byte(size)}, size)
		frame, err := a.Send.Encrypt(nil, msg)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if len(frame) != EncryptedSize(size) {
			t.Fatalf("size %d: frame of %d bytes, want %d", size, len(frame), EncryptedSize(size))
		}
		got, err := decryptFrame(b.Receive, frame)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("size %d: round trip changed the message", size)
		}
	}
	if EncryptedSize(MaxMessageSize) != MaxFrameSize || MaxFrameSize != 65569 {
		t.Fatalf("MaxFrameSize %d, BOLT #8 says 2 + 16 + 65535 + 16 = 65569", MaxFrameSize)
	}
}

func TestBothDirectionsAreIndependent(t *testing.T) {
	a, b := sessionPair(t, 11)
	for i := range 1200 { // crosses two rotations in each direction
		ping := []byte{byte(i), 'p'}
		frame, err := a.Send.Encrypt(nil, ping)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := decryptFrame(b.Receive, frame); err != nil || !bytes.Equal(got, ping) {
			t.Fatalf("a->b %d: %x %v", i, got, err)
		}
		if i%3 == 0 { // the other direction at another pace
			pong := []byte{'q', byte(i)}
			frame, err := b.Send.Encrypt(nil, pong)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := decryptFrame(a.Receive, frame); err != nil || !bytes.Equal(got, pong) {
				t.Fatalf("b->a %d: %x %v", i, got, err)
			}
		}
	}
}

// An oversized message is refused and the nonce does not move: the next
// frame still decrypts.
func TestEncryptRefusesOversizedMessage(t *testing.T) {
	a, b := sessionPair(t, 12)
	prefix := []byte("kept")
	out, err := a.Send.Encrypt(prefix, make([]byte, MaxMessageSize+1))
	if !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("got %v, want ErrMessageTooLarge", err)
	}
	if !bytes.Equal(out, prefix) {
		t.Fatalf("dst changed on refusal: %q", out)
	}
	frame, err := a.Send.Encrypt(nil, []byte("after"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decryptFrame(b.Receive, frame); err != nil || string(got) != "after" {
		t.Fatalf("after a refusal: %q %v", got, err)
	}
}

func TestEncryptAppendsToDst(t *testing.T) {
	a, b := sessionPair(t, 13)
	frame, err := a.Send.Encrypt([]byte("xy"), []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if string(frame[:2]) != "xy" || len(frame) != 2+EncryptedSize(5) {
		t.Fatalf("frame %x does not extend dst", frame)
	}
	if got, err := decryptFrame(b.Receive, frame[2:]); err != nil || string(got) != "hello" {
		t.Fatalf("got %q %v", got, err)
	}
}

// Every malformed or tampered input fails with its typed error, and the
// receive cipher refuses everything afterwards (BOLT #8: the MAC protects
// against modification in flight; the stream cannot be resynchronised).
func TestReceiveErrors(t *testing.T) {
	flip := func(b []byte, i int) []byte {
		c := bytes.Clone(b)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name string
		run  func(r *ReceiveCipher, frame []byte) error
		want error
	}{
		{"tampered length", func(r *ReceiveCipher, f []byte) error {
			_, err := r.DecryptLength(flip(f, 0)[:LengthHeaderSize])
			return err
		}, ErrBadMAC},
		{"tampered length MAC", func(r *ReceiveCipher, f []byte) error {
			_, err := r.DecryptLength(flip(f, LengthHeaderSize-1)[:LengthHeaderSize])
			return err
		}, ErrBadMAC},
		{"tampered body", func(r *ReceiveCipher, f []byte) error {
			_, err := decryptFrame(r, flip(f, LengthHeaderSize))
			return err
		}, ErrBadMAC},
		{"tampered body MAC", func(r *ReceiveCipher, f []byte) error {
			_, err := decryptFrame(r, flip(f, len(f)-1))
			return err
		}, ErrBadMAC},
		{"short header", func(r *ReceiveCipher, f []byte) error {
			_, err := r.DecryptLength(f[:LengthHeaderSize-1])
			return err
		}, ErrBadFrame},
		{"body without header", func(r *ReceiveCipher, f []byte) error {
			_, err := r.DecryptBody(nil, f[LengthHeaderSize:])
			return err
		}, ErrBadFrame},
		{"body of the wrong size", func(r *ReceiveCipher, f []byte) error {
			_, err := decryptFrame(r, f[:len(f)-1])
			return err
		}, ErrBadFrame},
		{"header twice", func(r *ReceiveCipher, f []byte) error {
			if _, err := r.DecryptLength(f[:LengthHeaderSize]); err != nil {
				return err
			}
			_, err := r.DecryptLength(f[:LengthHeaderSize])
			return err
		}, ErrBadFrame},
		{"frame replayed", func(r *ReceiveCipher, f []byte) error {
			if _, err := decryptFrame(r, f); err != nil {
				return err
			}
			_, err := decryptFrame(r, f)
			return err
		}, ErrBadMAC},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := sessionPair(t, uint64(100+i))
			frame, err := a.Send.Encrypt(nil, []byte("hello"))
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.run(b.Receive, frame); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			next, err := a.Send.Encrypt(nil, []byte("next"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := decryptFrame(b.Receive, next); !errors.Is(err, ErrCipherBroken) {
				t.Fatalf("after failure: %v, want ErrCipherBroken", err)
			}
			if _, err := b.Receive.DecryptBody(nil, next[LengthHeaderSize:]); !errors.Is(err, ErrCipherBroken) {
				t.Fatalf("body after failure: %v, want ErrCipherBroken", err)
			}
		})
	}
}
