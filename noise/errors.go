package noise

import (
	"errors"
	"fmt"
)

// Handshake failures. Each is wrapped in a *HandshakeError naming the act.
var (
	// ErrBadActLength: an act was not exactly its fixed size (a short read
	// on the wire; the vectors call it ACTn_READ_FAILED).
	ErrBadActLength = errors.New("noise: act has the wrong length")
	// ErrUnknownVersion: the leading handshake version byte is not 0.
	ErrUnknownVersion = errors.New("noise: unknown handshake version")
	// ErrBadPubKey: a public key in an act is not a valid compressed
	// secp256k1 point.
	ErrBadPubKey = errors.New("noise: invalid public key")
	// ErrBadMAC: the authenticating tag of an act did not verify.
	ErrBadMAC = errors.New("noise: MAC check failed")
	// ErrBadStaticKeyCiphertext: the MAC of the encrypted static key in act
	// three did not verify (ACT3_BAD_CIPHERTEXT in the vectors).
	ErrBadStaticKeyCiphertext = errors.New("noise: encrypted static key failed its MAC check")
	// ErrLocalECDH: the LocalKey implementation failed to perform ECDH.
	ErrLocalECDH = errors.New("noise: local ECDH failed")
	// ErrWrongStep: a handshake method was called out of order, or after
	// the handshake already failed or finished.
	ErrWrongStep = errors.New("noise: handshake step called out of order")
)

// Message cipher failures.
var (
	// ErrMessageTooLarge: a message longer than MaxMessageSize was given
	// to SendCipher.Encrypt.
	ErrMessageTooLarge = errors.New("noise: message exceeds 65535 bytes")
	// ErrBadFrame: a length header or body of the wrong size, or a body
	// given without a preceding length header.
	ErrBadFrame = errors.New("noise: malformed frame")
	// ErrCipherBroken: the ReceiveCipher already failed a MAC check; the
	// stream can no longer be decrypted and the connection must be closed.
	ErrCipherBroken = errors.New("noise: receive cipher failed earlier")
)

// HandshakeError reports which act failed and why. Err is one of the
// sentinels above (possibly wrapping a cause), so errors.Is works through it.
type HandshakeError struct {
	Act int // 1, 2 or 3
	Err error
}

func (e *HandshakeError) Error() string {
	return fmt.Sprintf("%v (act %d)", e.Err, e.Act)
}

func (e *HandshakeError) Unwrap() error { return e.Err }

func actError(act int, err error) error {
	return &HandshakeError{Act: act, Err: err}
}
