package noise

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/btcec/v2"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	// ProtocolName is hashed into the initial handshake state.
	ProtocolName = "Noise_XK_secp256k1_ChaChaPoly_SHA256"
	// Prologue is mixed into the handshake digest after the protocol name.
	Prologue = "lightning"
	// HandshakeVersion is the only handshake version BOLT #8 defines.
	HandshakeVersion byte = 0

	// ActOneSize is the size of act one: version, ephemeral key, MAC.
	ActOneSize = 1 + 33 + MACSize
	// ActTwoSize is the size of act two: version, ephemeral key, MAC.
	ActTwoSize = 1 + 33 + MACSize
	// ActThreeSize is the size of act three: version, encrypted static key
	// with its MAC, final MAC.
	ActThreeSize = 1 + 33 + MACSize + MACSize

	// MACSize is the size of a Poly1305 tag.
	MACSize = chacha20poly1305.Overhead
	// KeySize is the size of every symmetric key and chaining key.
	KeySize = 32
)

// LocalKey is the node's static key as the handshake needs it: its public
// half, and ECDH with its private half. The signer package implements it so
// that the private key never leaves the signer.
type LocalKey interface {
	PubKey() *btcec.PublicKey
	// ECDH returns SHA256 of the compressed serialization of
	// priv·remote, the BOLT #8 ECDH(k, rk).
	ECDH(remote *btcec.PublicKey) ([32]byte, error)
}

// NewEphemeralKey draws a fresh secp256k1 private key from rand.
//
// BOLT #8: "For each session, a node MUST generate a new ephemeral key with
// strong cryptographic randomness." The caller chooses the reader; the
// transport passes crypto/rand.
func NewEphemeralKey(rand io.Reader) (*btcec.PrivateKey, error) {
	// A uniformly random 32-byte string is out of range with probability
	// about 2^-128; a few attempts only matter for a broken reader.
	const attempts = 8
	var buf [32]byte
	for range attempts {
		if _, err := io.ReadFull(rand, buf[:]); err != nil {
			return nil, fmt.Errorf("noise: reading ephemeral key: %w", err)
		}
		var scalar btcec.ModNScalar
		if overflow := scalar.SetBytes(&buf); overflow != 0 || scalar.IsZero() {
			continue
		}
		return btcec.PrivKeyFromScalar(&scalar), nil
	}
	return nil, errors.New("noise: random source gave no valid private key")
}

// ecdh is BOLT #8 ECDH(k, rk) for keys held in this package (the ephemeral
// keys): SHA256 of the compressed shared point.
func ecdh(priv *btcec.PrivateKey, remote *btcec.PublicKey) [32]byte {
	var point, shared btcec.JacobianPoint
	remote.AsJacobian(&point)
	btcec.ScalarMultNonConst(&priv.Key, &point, &shared)
	shared.ToAffine()
	return sha256.Sum256(btcec.NewPublicKey(&shared.X, &shared.Y).SerializeCompressed())
}

// parseCompressedKey parses a 33-byte compressed public key.
func parseCompressedKey(b []byte) (*btcec.PublicKey, error) {
	if len(b) != 33 || (b[0] != 0x02 && b[0] != 0x03) {
		return nil, ErrBadPubKey
	}
	key, err := btcec.ParsePubKey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadPubKey, err)
	}
	return key, nil
}

// hkdf2 is BOLT #8 HKDF(salt, ikm): RFC 5869 with an empty info, 64 bytes of
// output split into two 32-byte keys.
func hkdf2(salt, ikm []byte) (first, second [KeySize]byte) {
	out, err := hkdf.Key(sha256.New, ikm, salt, "", 2*KeySize)
	if err != nil {
		// 64 bytes is far below the 255*32 limit of HKDF-SHA256.
		panic("noise: HKDF-SHA256 refused 64 bytes: " + err.Error())
	}
	copy(first[:], out[:KeySize])
	copy(second[:], out[KeySize:])
	return first, second
}

// nonceBytes encodes n as BOLT #8 requires: "32 zero bits, followed by a
// little-endian 64-bit value".
func nonceBytes(n uint64) [chacha20poly1305.NonceSize]byte {
	var nonce [chacha20poly1305.NonceSize]byte
	binary.LittleEndian.PutUint64(nonce[4:], n)
	return nonce
}

// encryptWithAD is BOLT #8 encryptWithAD(k, n, ad, plaintext).
func encryptWithAD(key [KeySize]byte, n uint64, ad, plaintext []byte) []byte {
	aead := newAEAD(key)
	nonce := nonceBytes(n)
	return aead.Seal(nil, nonce[:], plaintext, ad)
}

// decryptWithAD is BOLT #8 decryptWithAD(k, n, ad, ciphertext). It returns
// ErrBadMAC when the tag does not verify.
func decryptWithAD(key [KeySize]byte, n uint64, ad, ciphertext []byte) ([]byte, error) {
	aead := newAEAD(key)
	nonce := nonceBytes(n)
	plaintext, err := aead.Open(nil, nonce[:], ciphertext, ad)
	if err != nil {
		return nil, ErrBadMAC
	}
	return plaintext, nil
}

// handshakeState is the state BOLT #8 "Handshake State" lists, minus the keys
// that the role-specific machines hold: the chaining key ck, the handshake
// hash h, and the current intermediate key temp_k.
type handshakeState struct {
	ck    [KeySize]byte
	h     [KeySize]byte
	tempK [KeySize]byte
}

// newHandshakeState runs BOLT #8 "Handshake State Initialization"; both sides
// mix in the responder's static public key.
func newHandshakeState(responderStatic *btcec.PublicKey) handshakeState {
	var s handshakeState
	// BOLT #8: h = SHA-256(protocolName)
	s.h = sha256.Sum256([]byte(ProtocolName))
	// BOLT #8: ck = h
	s.ck = s.h
	// BOLT #8: h = SHA-256(h || prologue)
	s.mixHash([]byte(Prologue))
	// BOLT #8: h = SHA-256(h || rs.pub.serializeCompressed()) for the
	// initiator, h = SHA-256(h || ls.pub.serializeCompressed()) for the
	// responder: the same key either way.
	s.mixHash(responderStatic.SerializeCompressed())
	return s
}

// mixHash sets h = SHA-256(h || data).
func (s *handshakeState) mixHash(data []byte) {
	digest := sha256.New()
	digest.Write(s.h[:])
	digest.Write(data)
	digest.Sum(s.h[:0])
}

// mixKey sets ck, temp_k = HKDF(ck, ikm).
func (s *handshakeState) mixKey(ikm [32]byte) {
	s.ck, s.tempK = hkdf2(s.ck[:], ikm[:])
}

// readActHeader checks the length and version of an incoming act.
func readActHeader(act []byte, size int) error {
	if len(act) != size {
		return fmt.Errorf("%w: got %d bytes, want %d", ErrBadActLength, len(act), size)
	}
	// BOLT #8: "If v is an unrecognized handshake version, then the
	// responder MUST abort the connection attempt."
	if act[0] != HandshakeVersion {
		return fmt.Errorf("%w: %d", ErrUnknownVersion, act[0])
	}
	return nil
}
