package noise

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	// MaxMessageSize is the largest Lightning message BOLT #8 allows.
	MaxMessageSize = 65535
	// LengthHeaderSize is the size of the encrypted length prefix: 2 bytes
	// of length and its MAC.
	LengthHeaderSize = 2 + MACSize
	// MaxFrameSize is the largest frame on the wire: 2 + 16 + 65535 + 16.
	MaxFrameSize = LengthHeaderSize + MaxMessageSize + MACSize

	// rotationInterval is the nonce value at which a key is rotated.
	rotationInterval = 1000
)

// newAEAD builds the RFC 8439 ChaCha20-Poly1305 AEAD for key.
func newAEAD(key [KeySize]byte) cipher.AEAD {
	aead, err := chacha20poly1305.New(key[:])
	if err != nil {
		// Only a key of the wrong size can fail, and key is [32]byte.
		panic("noise: chacha20poly1305 rejected a 32-byte key: " + err.Error())
	}
	return aead
}

// cipherState is one direction of the message phase: a key, its nonce and
// the chaining key used to rotate it.
type cipherState struct {
	key   [KeySize]byte
	ck    [KeySize]byte
	nonce uint64
	aead  cipher.AEAD
	// nonceBuf and lengthBuf are scratch space kept here so that sealing
	// and opening do not allocate.
	nonceBuf  [chacha20poly1305.NonceSize]byte
	lengthBuf [2]byte
}

func newCipherState(key, ck [KeySize]byte) cipherState {
	return cipherState{key: key, ck: ck, aead: newAEAD(key)}
}

// advance increments the nonce after a use of the key and rotates the key
// when the nonce reaches 1000.
func (c *cipherState) advance() {
	c.nonce++
	// BOLT #8: "A key is to be rotated after a party encrypts or decrypts
	// 1000 times with it (i.e. every 500 messages). This can be properly
	// accounted for by rotating the key once the nonce dedicated to it
	// reaches 1000."
	if c.nonce == rotationInterval {
		// BOLT #8: ck', k' = HKDF(ck, k); n = 0; k = k'; ck = ck'
		c.ck, c.key = hkdf2(c.ck[:], c.key[:])
		c.nonce = 0
		c.aead = newAEAD(c.key)
	}
}

// seal appends the encryption of plaintext (with an empty AD) to dst and
// advances the nonce.
func (c *cipherState) seal(dst, plaintext []byte) []byte {
	c.nonceBuf = nonceBytes(c.nonce)
	out := c.aead.Seal(dst, c.nonceBuf[:], plaintext, nil)
	c.advance()
	return out
}

// open appends the decryption of ciphertext (with an empty AD) to dst and
// advances the nonce. It returns ErrBadMAC when the tag does not verify.
func (c *cipherState) open(dst, ciphertext []byte) ([]byte, error) {
	c.nonceBuf = nonceBytes(c.nonce)
	out, err := c.aead.Open(dst, c.nonceBuf[:], ciphertext, nil)
	if err != nil {
		return nil, ErrBadMAC
	}
	c.advance()
	return out, nil
}

// Session is the outcome of a successful handshake: the two halves of the
// message cipher and the authenticated static key of the remote node.
//
// Send and Receive share no state, so one goroutine may use Send while
// another uses Receive; each half on its own is not safe for concurrent use.
type Session struct {
	Send         *SendCipher
	Receive      *ReceiveCipher
	RemoteStatic *btcec.PublicKey
}

// newSession derives the message keys from the final chaining key:
// BOLT #8: "sk, rk = HKDF(ck, zero)" for the initiator, "rk, sk = HKDF(ck,
// zero)" for the responder, and "rck = sck = ck", "rn = 0, sn = 0".
func newSession(ck [KeySize]byte, initiator bool, remote *btcec.PublicKey) *Session {
	first, second := hkdf2(ck[:], nil)
	sendKey, recvKey := first, second
	if !initiator {
		sendKey, recvKey = second, first
	}
	return &Session{
		Send:         &SendCipher{state: newCipherState(sendKey, ck)},
		Receive:      &ReceiveCipher{state: newCipherState(recvKey, ck), pending: -1},
		RemoteStatic: remote,
	}
}

// SendCipher encrypts outgoing Lightning messages.
type SendCipher struct {
	state cipherState
}

// EncryptedSize returns the size of the frame Encrypt produces for a message
// of msgLen bytes.
func EncryptedSize(msgLen int) int {
	return LengthHeaderSize + msgLen + MACSize
}

// Encrypt appends the frame for msg (encrypted length, its MAC, encrypted
// message, its MAC) to dst and returns the extended slice. A message longer
// than MaxMessageSize is refused with ErrMessageTooLarge and leaves the
// cipher unchanged.
func (s *SendCipher) Encrypt(dst, msg []byte) ([]byte, error) {
	// BOLT #8: "The maximum size of any Lightning message MUST NOT exceed
	// 65535 bytes."
	if len(msg) > MaxMessageSize {
		return dst, fmt.Errorf("%w: %d bytes", ErrMessageTooLarge, len(msg))
	}
	// BOLT #8: "Serialize l into 2 bytes encoded as a big-endian integer."
	length := s.state.lengthBuf[:]
	binary.BigEndian.PutUint16(length, uint16(len(msg)))
	// BOLT #8: "Encrypt l ... to obtain lc", then "The nonce sn MUST be
	// incremented after this step."
	dst = s.state.seal(dst, length)
	// BOLT #8: "encrypt the message itself (m) using the same procedure".
	return s.state.seal(dst, msg), nil
}

// ReceiveCipher decrypts incoming Lightning messages in two steps:
// DecryptLength on exactly LengthHeaderSize bytes, then DecryptBody on exactly
// length+MACSize bytes.
//
// After any failure the cipher is broken for good (ErrCipherBroken): the
// nonces can no longer be trusted to match the sender's, and BOLT #8 treats
// the stream as compromised, so the connection must be closed.
type ReceiveCipher struct {
	state cipherState
	// pending is the body length announced by the last header, or -1 when
	// a header is expected next.
	pending int
	broken  bool
}

// DecryptLength decrypts a length header and returns the length of the
// message body that follows it (not counting the body's MAC). The caller
// must then read exactly length+MACSize bytes and pass them to DecryptBody.
func (r *ReceiveCipher) DecryptLength(header []byte) (int, error) {
	if r.broken {
		return 0, ErrCipherBroken
	}
	if r.pending >= 0 {
		r.broken = true
		return 0, fmt.Errorf("%w: length header given while a body was expected", ErrBadFrame)
	}
	if len(header) != LengthHeaderSize {
		r.broken = true
		return 0, fmt.Errorf("%w: length header of %d bytes, want %d", ErrBadFrame, len(header), LengthHeaderSize)
	}
	// BOLT #8: "Decrypt lc (using ChaCha20-Poly1305, rn, and rk), to obtain
	// the size of the encrypted packet l." and "The nonce rn MUST be
	// incremented after this step."
	length, err := r.state.open(r.state.lengthBuf[:0], header)
	if err != nil {
		r.broken = true
		return 0, fmt.Errorf("noise: message length: %w", err)
	}
	r.pending = int(binary.BigEndian.Uint16(length))
	return r.pending, nil
}

// DecryptBody decrypts the body announced by the previous DecryptLength,
// appends the plaintext to dst and returns the extended slice. body must be
// exactly length+MACSize bytes.
func (r *ReceiveCipher) DecryptBody(dst, body []byte) ([]byte, error) {
	if r.broken {
		return dst, ErrCipherBroken
	}
	if r.pending < 0 {
		r.broken = true
		return dst, fmt.Errorf("%w: body without a length header", ErrBadFrame)
	}
	if len(body) != r.pending+MACSize {
		r.broken = true
		return dst, fmt.Errorf("%w: body of %d bytes, want %d", ErrBadFrame, len(body), r.pending+MACSize)
	}
	// BOLT #8: "Decrypt c (using ChaCha20-Poly1305, rn, and rk), to obtain
	// decrypted plaintext packet p." and "The nonce rn MUST be incremented
	// after this step."
	out, err := r.state.open(dst, body)
	if err != nil {
		r.broken = true
		return dst, fmt.Errorf("noise: message body: %w", err)
	}
	r.pending = -1
	return out, nil
}
