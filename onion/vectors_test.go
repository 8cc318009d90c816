package onion

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// mustHex decodes a hex string or fails the test.
func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustHex32(t testing.TB, s string) [32]byte {
	t.Helper()
	var a [32]byte
	b := mustHex(t, s)
	if len(b) != 32 {
		t.Fatalf("want 32 bytes, got %d", len(b))
	}
	copy(a[:], b)
	return a
}

func mustPubKey(t testing.TB, s string) *btcec.PublicKey {
	t.Helper()
	k, err := btcec.ParsePubKey(mustHex(t, s))
	if err != nil {
		t.Fatalf("bad public key %s: %v", s, err)
	}
	return k
}

func mustPrivKey(t testing.TB, s string) *btcec.PrivateKey {
	t.Helper()
	k, _ := btcec.PrivKeyFromBytes(mustHex(t, s))
	return k
}

// loadJSON reads testdata/name into v.
func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// keyECDH is the test stand-in for the signer's ECDH client.
type keyECDH struct{ key *btcec.PrivateKey }

func (k keyECDH) ECDH(pub *btcec.PublicKey) ([32]byte, error) {
	if pub == nil {
		return [32]byte{}, errors.New("nil key")
	}
	return sharedSecret(&k.key.Key, pub)
}

// failingECDH is an ECDH client whose signer is unavailable.
type failingECDH struct{}

var errSignerDown = errors.New("signer unavailable")

func (failingECDH) ECDH(*btcec.PublicKey) ([32]byte, error) { return [32]byte{}, errSignerDown }

// onionVector is testdata/onion-test.json.
type onionVector struct {
	Generate struct {
		SessionKey     string `json:"session_key"`
		AssociatedData string `json:"associated_data"`
		Hops           []struct {
			PubKey  string `json:"pubkey"`
			Payload string `json:"payload"`
		} `json:"hops"`
	} `json:"generate"`
	Onion  string   `json:"onion"`
	Decode []string `json:"decode"`
}

// errorVector is testdata/onion-error-test.json.
type errorVector struct {
	Generate struct {
		SessionKey     string `json:"session_key"`
		FailureMessage string `json:"failure_message"`
		Hops           []struct {
			PubKey          string `json:"pubkey"`
			HopSharedSecret string `json:"hop_shared_secret"`
			AmmagKey        string `json:"ammag_key"`
			UmKey           string `json:"um_key"`
			Payload         string `json:"payload"`
		} `json:"hops"`
	} `json:"generate"`
	ErrorPacket string `json:"errorpacket"`
}

// errorTrace is testdata/onion-error-trace.json.
type errorTrace struct {
	SessionKey            string   `json:"session_key"`
	PubKeys               []string `json:"pubkeys"`
	FailureSource         int      `json:"failure_source"`
	EncodedFailureMessage string   `json:"encoded_failure_message"`
	UmKey                 string   `json:"um_key"`
	Payload               string   `json:"payload"`
	RawErrorPacket        string   `json:"raw_error_packet"`
	Forwarding            []struct {
		Node         int    `json:"node"`
		SharedSecret string `json:"shared_secret"`
		AmmagKey     string `json:"ammag_key"`
		Stream       string `json:"stream"`
		ErrorPacket  string `json:"error_packet"`
	} `json:"forwarding"`
}

// vectorHops turns the onion-test.json hops into NewPacket input.
func vectorHops(t testing.TB, v *onionVector) []Hop {
	t.Helper()
	hops := make([]Hop, len(v.Generate.Hops))
	for i, h := range v.Generate.Hops {
		hops[i] = Hop{PublicKey: mustPubKey(t, h.PubKey), Payload: unframe(t, mustHex(t, h.Payload))}
	}
	return hops
}

// unframe removes the BigSize length prefix the vectors' payloads carry.
func unframe(t testing.TB, framed []byte) []byte {
	t.Helper()
	payload, consumed, err := splitHopPayload(append(framed, make([]byte, 2*HopPayloadsSize)...))
	if err != nil || consumed-hmacSize != len(framed) {
		t.Fatalf("payload framing of %x: %v", framed, err)
	}
	return payload
}

// blindedVector is the part of testdata/blinded-payment-onion-test.json the
// tests read.
type blindedVector struct {
	Generate struct {
		SessionKey     string `json:"session_key"`
		AssociatedData string `json:"associated_data"`
		BlindedRoute   struct {
			FirstNodeID  string `json:"first_node_id"`
			FirstPathKey string `json:"first_path_key"`
			Hops         []struct {
				Alias         string `json:"alias"`
				BlindedNodeID string `json:"blinded_node_id"`
				EncryptedData string `json:"encrypted_data"`
			} `json:"hops"`
		} `json:"blinded_route"`
		FullRoute struct {
			Hops []struct {
				Alias   string `json:"alias"`
				PubKey  string `json:"pubkey"`
				Payload string `json:"payload"`
			} `json:"hops"`
		} `json:"full_route"`
		Onion string `json:"onion"`
	} `json:"generate"`
	Decrypt struct {
		Hops []struct {
			Alias       string `json:"alias"`
			Onion       string `json:"onion"`
			NodePrivKey string `json:"node_privkey"`
			NextPathKey string `json:"next_path_key"`
		} `json:"hops"`
	} `json:"decrypt"`
}
