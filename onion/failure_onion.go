package onion

import (
	"crypto/hmac"
	"encoding/binary"
	"fmt"
	"math"
)

const (
	// MinFailurePaddedLen is the least failure_len + pad_len of a return
	// packet, and the length it SHOULD have when the message fits.
	//
	// BOLT #4: "MUST set pad such that the failure_len plus pad_len is at
	// least 256. SHOULD set pad such that the failure_len plus pad_len is
	// equal to 256."
	MinFailurePaddedLen = 256

	// failureDecryptRounds is how many times the origin runs the decryption
	// loop whatever the route length.
	//
	// BOLT #4: "SHOULD continue decrypting, until the loop has been repeated
	// 27 times (maximum route length of tlv payload type). SHOULD use
	// constant ammag and um keys to obfuscate the route length."
	failureDecryptRounds = 27
)

// NewFailureOnion builds the return packet at the erring node, for the
// reason field of update_fail_htlc: the failure message padded to
// MinFailurePaddedLen (or not padded, if longer), authenticated with the um
// key and obfuscated with the ammag key of sharedSecret (from Peel).
func NewFailureOnion(sharedSecret [32]byte, failure Failure) ([]byte, error) {
	msg, err := failure.Encode()
	if err != nil {
		return nil, err
	}
	return newFailureOnion(sharedSecret, msg, max(MinFailurePaddedLen, len(msg)))
}

// NewFailureOnionPadded is NewFailureOnion with failure_len + pad_len set to
// paddedLen, which must be at least MinFailurePaddedLen and hold the
// message.
func NewFailureOnionPadded(sharedSecret [32]byte, failure Failure, paddedLen int) ([]byte, error) {
	msg, err := failure.Encode()
	if err != nil {
		return nil, err
	}
	if paddedLen < MinFailurePaddedLen {
		return nil, fmt.Errorf("%w: padded length %d below %d", ErrFailureTooLong, paddedLen, MinFailurePaddedLen)
	}
	return newFailureOnion(sharedSecret, msg, paddedLen)
}

// newFailureOnion lays out hmac || u16 failure_len || failuremsg || u16
// pad_len || pad and obfuscates it.
func newFailureOnion(sharedSecret [32]byte, msg []byte, paddedLen int) ([]byte, error) {
	padLen := paddedLen - len(msg)
	if len(msg) > math.MaxUint16 || padLen < 0 || padLen > math.MaxUint16 {
		return nil, fmt.Errorf("%w: %d-byte message in %d padded bytes", ErrFailureTooLong, len(msg), paddedLen)
	}
	packet := make([]byte, hmacSize, hmacSize+4+paddedLen)
	packet = binary.BigEndian.AppendUint16(packet, uint16(len(msg)))
	packet = append(packet, msg...)
	packet = binary.BigEndian.AppendUint16(packet, uint16(padLen))
	packet = append(packet, make([]byte, padLen)...)

	// BOLT #4: "hmac is an HMAC authenticating the remainder of the packet,
	// with a key generated using the above process, with key type um".
	mac := computeHMAC(generateKey(keyTypeUm, sharedSecret[:]), packet[hmacSize:])
	copy(packet, mac[:])

	// BOLT #4: "The erring node then generates a new key, using the key type
	// ammag. This key is then used to generate a pseudo-random stream, which
	// is in turn applied to the packet using XOR."
	return ObfuscateFailure(sharedSecret, packet), nil
}

// ObfuscateFailure applies a hop's ammag stream to a failure onion. Each
// intermediate hop calls it with its own shared secret before passing the
// reason upstream; it returns a new slice.
//
// BOLT #4: "Generate the node's ammag key, generate the pseudo-random byte
// streams, and apply the result to obfuscate the return packet."
func ObfuscateFailure(sharedSecret [32]byte, reason []byte) []byte {
	out := append([]byte(nil), reason...)
	xorStream(generateKey(keyTypeAmmag, sharedSecret[:]), out)
	return out
}

// DecryptedFailure is a failure onion unwrapped by the origin.
type DecryptedFailure struct {
	// SourceIndex is the position in the route of the hop that failed: 0 is
	// the first hop after the origin, len(route)-1 the final node.
	SourceIndex int
	// Message is the raw failuremsg.
	Message []byte
	// Failure is Message decoded (zero if decoding failed).
	Failure Failure
}

// DecryptFailure unwraps a failure onion at the origin, given the shared
// secrets of the route in order (as returned by NewPacket or
// SharedSecrets). It identifies the failing hop by the first um key whose
// HMAC authenticates the packet (none: ErrFailureSourceUnknown). If the
// authenticated packet or its message then cannot be read, the
// DecryptedFailure is returned with SourceIndex set, together with an error
// matching ErrFailureOnionMalformed or ErrFailureMalformed, so the origin
// still knows whom to blame.
func DecryptFailure(sharedSecrets [][32]byte, reason []byte) (*DecryptedFailure, error) {
	packet := append([]byte(nil), reason...)
	source := -1
	var found []byte
	var dummy [32]byte
	for i := 0; i < max(failureDecryptRounds, len(sharedSecrets)); i++ {
		secret := &dummy
		if i < len(sharedSecrets) {
			secret = &sharedSecrets[i]
		}
		xorStream(generateKey(keyTypeAmmag, secret[:]), packet)
		if len(packet) < hmacSize {
			continue
		}
		// BOLT #4: "Compute the HMAC for the return packet, using the hop's
		// um key. When the computed HMAC matches hmac in the return packet,
		// the origin node will know that the current hop is the sender of
		// the failure."
		mac := computeHMAC(generateKey(keyTypeUm, secret[:]), packet[hmacSize:])
		if hmac.Equal(mac[:], packet[:hmacSize]) && source < 0 && i < len(sharedSecrets) {
			source = i
			found = append([]byte(nil), packet...)
		}
	}
	if source < 0 {
		return nil, ErrFailureSourceUnknown
	}
	result := &DecryptedFailure{SourceIndex: source}
	if len(found) < hmacSize+2 {
		return result, fmt.Errorf("%w: no failure_len (hop %d)", ErrFailureOnionMalformed, source)
	}
	msgLen := int(binary.BigEndian.Uint16(found[hmacSize:]))
	if msgLen > len(found)-hmacSize-2 {
		return result, fmt.Errorf("%w: failure_len %d exceeds packet (hop %d)", ErrFailureOnionMalformed, msgLen, source)
	}
	result.Message = found[hmacSize+2 : hmacSize+2+msgLen]
	failure, err := DecodeFailure(result.Message)
	if err != nil {
		return result, fmt.Errorf("hop %d: %w", source, err)
	}
	result.Failure = failure
	return result, nil
}
