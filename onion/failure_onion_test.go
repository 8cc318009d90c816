package onion

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// BOLT #4 test vector onion-error-test.json: hop 4 fails with
// temporary_node_failure, every hop obfuscates, the origin attributes it.
func TestFailureOnionVector(t *testing.T) {
	var v errorVector
	loadJSON(t, "onion-error-test.json", &v)
	hops := v.Generate.Hops
	keys := make([]*btcec.PublicKey, len(hops))
	for i, h := range hops {
		keys[i] = mustPubKey(t, h.PubKey)
	}
	secrets, err := SharedSecrets(mustPrivKey(t, v.Generate.SessionKey), keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hops {
		if secrets[i] != mustHex32(t, h.HopSharedSecret) {
			t.Fatalf("hop %d shared secret %x", i, secrets[i])
		}
		if got := generateKey(keyTypeAmmag, secrets[i][:]); got != mustHex32(t, h.AmmagKey) {
			t.Fatalf("hop %d ammag key %x", i, got)
		}
	}
	source := len(hops) - 1
	if got := generateKey(keyTypeUm, secrets[source][:]); got != mustHex32(t, hops[source].UmKey) {
		t.Fatalf("um key %x", got)
	}

	msg, err := DecodeFailure(mustHex(t, v.Generate.FailureMessage))
	if err != nil || msg.Code != CodeTemporaryNodeFailure {
		t.Fatalf("failure message: %v %v", msg.Code, err)
	}
	reason, err := NewFailureOnion(secrets[source], msg)
	if err != nil {
		t.Fatal(err)
	}
	// The vector's payload is the packet without its HMAC, before ammag.
	plain := ObfuscateFailure(secrets[source], reason)
	if got, want := hex.EncodeToString(plain[hmacSize:]), hops[source].Payload; got != want {
		t.Fatalf("payload\n got %s\nwant %s", got, want)
	}
	for i := source - 1; i >= 0; i-- {
		reason = ObfuscateFailure(secrets[i], reason)
	}
	if got := hex.EncodeToString(reason); got != v.ErrorPacket {
		t.Fatalf("error packet\n got %s\nwant %s", got, v.ErrorPacket)
	}

	decrypted, err := DecryptFailure(secrets, reason)
	if err != nil {
		t.Fatal(err)
	}
	if decrypted.SourceIndex != source || decrypted.Failure.Code != CodeTemporaryNodeFailure ||
		!bytes.Equal(decrypted.Message, mustHex(t, v.Generate.FailureMessage)) {
		t.Fatalf("decrypted %+v", decrypted)
	}
}

// BOLT #4 "Test Vector" / "Returning Errors" trace in the markdown: a
// failure with a TLV extension padded to 1024 bytes, checked at every hop.
func TestFailureOnionTrace(t *testing.T) {
	var v errorTrace
	loadJSON(t, "onion-error-trace.json", &v)
	keys := make([]*btcec.PublicKey, len(v.PubKeys))
	for i, k := range v.PubKeys {
		keys[i] = mustPubKey(t, k)
	}
	secrets, err := SharedSecrets(mustPrivKey(t, v.SessionKey), keys)
	if err != nil {
		t.Fatal(err)
	}

	failure := Failure{Code: CodeIncorrectOrUnknownPaymentDetails, HTLCMsat: 100, Height: 800000}
	failure.Extension = failure.Extension.Set(34001, bytes.Repeat([]byte{128}, 300))
	encoded, err := failure.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// The trace prints failuremsg followed by pad_len and pad.
	printed := mustHex(t, v.EncodedFailureMessage)
	if !bytes.Equal(encoded, printed[:len(encoded)]) {
		t.Fatalf("encoded failure\n got %x\nwant %x", encoded, printed[:len(encoded)])
	}
	paddedLen := len(mustHex(t, v.Payload)) - 4
	source := v.FailureSource
	if got := generateKey(keyTypeUm, secrets[source][:]); got != mustHex32(t, v.UmKey) {
		t.Fatalf("um key %x", got)
	}

	reason, err := NewFailureOnionPadded(secrets[source], failure, paddedLen)
	if err != nil {
		t.Fatal(err)
	}
	raw := ObfuscateFailure(secrets[source], reason)
	if got := hex.EncodeToString(raw); got != v.RawErrorPacket {
		t.Fatalf("raw error packet\n got %s\nwant %s", got, v.RawErrorPacket)
	}
	if got := hex.EncodeToString(raw[hmacSize:]); got != v.Payload {
		t.Fatal("payload mismatch")
	}

	packet := raw
	for _, step := range v.Forwarding {
		secret := secrets[step.Node]
		if secret != mustHex32(t, step.SharedSecret) {
			t.Fatalf("node %d shared secret %x", step.Node, secret)
		}
		ammag := generateKey(keyTypeAmmag, secret[:])
		if ammag != mustHex32(t, step.AmmagKey) {
			t.Fatalf("node %d ammag key %x", step.Node, ammag)
		}
		if got := hex.EncodeToString(cipherStream(ammag, len(packet))); got != step.Stream {
			t.Fatalf("node %d stream mismatch", step.Node)
		}
		packet = ObfuscateFailure(secret, packet)
		if got := hex.EncodeToString(packet); got != step.ErrorPacket {
			t.Fatalf("node %d error packet\n got %s\nwant %s", step.Node, got, step.ErrorPacket)
		}
		if step.Node == source && !bytes.Equal(packet, reason) {
			t.Fatal("NewFailureOnionPadded output differs from the erring node's packet")
		}
	}

	decrypted, err := DecryptFailure(secrets, packet)
	if err != nil {
		t.Fatal(err)
	}
	got := decrypted.Failure
	if decrypted.SourceIndex != source || got.Code != failure.Code || got.HTLCMsat != 100 || got.Height != 800000 {
		t.Fatalf("decrypted %+v", decrypted)
	}
	if ext, ok := got.Extension.Get(34001); !ok || !bytes.Equal(ext, bytes.Repeat([]byte{128}, 300)) {
		t.Fatal("TLV extension lost")
	}
}

// Each hop of a route can be the one that fails, and the origin finds it.
func TestDecryptFailureFindsEveryHop(t *testing.T) {
	secrets := make([][32]byte, 20)
	for i := range secrets {
		secrets[i][0], secrets[i][31] = byte(i), 0x5a
	}
	for source := range secrets {
		failure := Failure{Code: CodeFeeInsufficient, HTLCMsat: 1000 + 1, ChannelUpdate: []byte{byte(source), 2, 3}}
		reason, err := NewFailureOnion(secrets[source], failure)
		if err != nil {
			t.Fatal(err)
		}
		if len(reason) != hmacSize+4+MinFailurePaddedLen {
			t.Fatalf("reason is %d bytes", len(reason))
		}
		for i := source - 1; i >= 0; i-- {
			reason = ObfuscateFailure(secrets[i], reason)
		}
		decrypted, err := DecryptFailure(secrets, reason)
		if err != nil {
			t.Fatal(err)
		}
		if decrypted.SourceIndex != source || decrypted.Failure.Code != CodeFeeInsufficient ||
			!bytes.Equal(decrypted.Failure.ChannelUpdate, failure.ChannelUpdate) {
			t.Fatalf("source %d: got %+v", source, decrypted)
		}
	}
}

// plainFailurePacket authenticates body (failure_len || ... ) with the um
// key of secret and obfuscates it, without any check on body.
func plainFailurePacket(secret [32]byte, body []byte) []byte {
	mac := computeHMAC(generateKey(keyTypeUm, secret[:]), body)
	return ObfuscateFailure(secret, append(mac[:], body...))
}

func TestDecryptFailureErrors(t *testing.T) {
	secrets := [][32]byte{{1}, {2}, {3}}
	longMsg := make([]byte, 300)
	binary.BigEndian.PutUint16(longMsg, uint16(CodeTemporaryNodeFailure))
	tests := []struct {
		name   string
		reason []byte
		source int // -1: no hop identified
		want   error
	}{
		{"empty", nil, -1, ErrFailureSourceUnknown},
		{"short", make([]byte, 10), -1, ErrFailureSourceUnknown},
		{"garbage", bytes.Repeat([]byte{0x55}, 292), -1, ErrFailureSourceUnknown},
		{"no failure_len", plainFailurePacket(secrets[0], []byte{0x00}), 0, ErrFailureOnionMalformed},
		{"failure_len overruns", plainFailurePacket(secrets[1], []byte{0x01, 0x00, 0x20, 0x02}), 1, ErrFailureOnionMalformed},
		{"message without code", plainFailurePacket(secrets[2], []byte{0x00, 0x01, 0x20, 0x00, 0x00}), 2, ErrFailureMalformed},
		{"truncated fields", plainFailurePacket(secrets[0], []byte{0x00, 0x04, 0x10, 0x07, 0x00, 0x05, 0x00, 0x00}), 0, ErrFailureMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reason := tc.reason
			if tc.source > 0 {
				for i := tc.source - 1; i >= 0; i-- {
					reason = ObfuscateFailure(secrets[i], reason)
				}
			}
			decrypted, err := DecryptFailure(secrets, reason)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.source < 0 {
				if decrypted != nil {
					t.Fatal("result for an unattributed failure")
				}
				return
			}
			if decrypted == nil || decrypted.SourceIndex != tc.source {
				t.Fatalf("source not reported: %+v", decrypted)
			}
		})
	}
	// A message longer than the minimum padding is sent unpadded.
	msg := Failure{Code: 0x1234, Data: longMsg}
	reason, err := NewFailureOnion(secrets[0], msg)
	if err != nil || len(reason) != hmacSize+2+2+len(longMsg)+2 {
		t.Fatalf("len %d err %v", len(reason), err)
	}
	decrypted, err := DecryptFailure(secrets, reason)
	if err != nil || decrypted.Failure.Code != 0x1234 || !bytes.Equal(decrypted.Failure.Data, longMsg) {
		t.Fatalf("unknown code round trip: %+v %v", decrypted, err)
	}
}

func TestNewFailureOnionErrors(t *testing.T) {
	secret := [32]byte{9}
	if _, err := NewFailureOnionPadded(secret, Failure{Code: CodeMPPTimeout}, 255); !errors.Is(err, ErrFailureTooLong) {
		t.Fatalf("padded length below 256: %v", err)
	}
	big := Failure{Code: 0x1234, Data: make([]byte, 400)}
	if _, err := NewFailureOnionPadded(secret, big, 300); !errors.Is(err, ErrFailureTooLong) {
		t.Fatalf("message longer than padded length: %v", err)
	}
	huge := Failure{Code: 0x1234, Data: make([]byte, 70000)}
	if _, err := NewFailureOnion(secret, huge); !errors.Is(err, ErrFailureTooLong) {
		t.Fatalf("message over 65535 bytes: %v", err)
	}
	update := Failure{Code: CodeTemporaryChannelFailure, ChannelUpdate: make([]byte, 70000)}
	if _, err := NewFailureOnion(secret, update); !errors.Is(err, ErrFailureTooLong) {
		t.Fatalf("channel_update over 65535 bytes: %v", err)
	}
}
