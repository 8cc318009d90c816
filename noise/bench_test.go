package noise

import "testing"

func BenchmarkHandshake(b *testing.B) {
	r := seededReader(30)
	alice, bob := testKey{mustEphemeral(b, r)}, testKey{mustEphemeral(b, r)}
	for b.Loop() {
		if _, _, err := runHandshake(b, alice, bob, bob.PubKey(), r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncryptDecrypt1KiB(b *testing.B) {
	a, peer := sessionPair(b, 31)
	msg := make([]byte, 1024)
	frame := make([]byte, 0, EncryptedSize(len(msg)))
	plaintext := make([]byte, 0, len(msg))
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		frame, err = a.Send.Encrypt(frame[:0], msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := peer.Receive.DecryptLength(frame[:LengthHeaderSize]); err != nil {
			b.Fatal(err)
		}
		plaintext, err = peer.Receive.DecryptBody(plaintext[:0], frame[LengthHeaderSize:])
		if err != nil {
			b.Fatal(err)
		}
	}
}
