package onion

import (
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/tlv"
)

// Hop is one hop of a route as the origin sees it: the node's public key
// and the TLV payload meant for it (a tlv_payload stream, without the
// BigSize length prefix, which NewPacket adds).
type Hop struct {
	PublicKey *btcec.PublicKey
	Payload   []byte
}

// framedLen is the shift_size of a hop: the BigSize length, the payload and
// the HMAC that follows it.
//
// BOLT #4: "shift_size is defined as the length of the hop_payload plus the
// bigsize encoding of the length and the length of that HMAC."
func framedLen(payload []byte) int {
	return tlv.BigSizeLen(uint64(len(payload))) + len(payload) + hmacSize
}

// NewPacket builds the onion_packet for a route. sessionKey must be fresh
// randomness chosen by the caller for this packet alone; associatedData is
// the payment hash for an HTLC. It returns the packet for the first hop and
// the shared secret of every hop, in route order, which the origin keeps to
// decrypt a failure coming back.
func NewPacket(sessionKey *btcec.PrivateKey, hops []Hop, associatedData []byte) (*Packet, [][32]byte, error) {
	if len(hops) == 0 {
		return nil, nil, ErrNoHops
	}
	total := 0
	for i, h := range hops {
		// BOLT #4: "Since no payload TLV value can ever be shorter than 2
		// bytes, length values of 0 and 1 are reserved."
		if len(h.Payload) < 2 {
			return nil, nil, fmt.Errorf("%w: hop %d has %d bytes", ErrPayloadTooShort, i, len(h.Payload))
		}
		total += framedLen(h.Payload)
	}
	if total > HopPayloadsSize {
		return nil, nil, fmt.Errorf("%w: %d bytes", ErrRouteTooLong, total)
	}
	keys := make([]*btcec.PublicKey, len(hops))
	for i, h := range hops {
		keys[i] = h.PublicKey
	}
	secrets, err := SharedSecrets(sessionKey, keys)
	if err != nil {
		return nil, nil, err
	}

	filler := generateFiller(hops, secrets)

	// BOLT #4: "The packet is initialized with 1300 random bytes derived
	// from a CSPRNG (ChaCha20). The pad key [...] Once the paddingKey has
	// been obtained, ChaCha20 is used with an all zero nonce, to generate
	// 1300 random bytes."
	sessionBytes := sessionKey.Key.Bytes()
	var header [HopPayloadsSize]byte
	xorStream(generateKey(keyTypePad, sessionBytes[:]), header[:])

	var nextHMAC [hmacSize]byte
	for i := len(hops) - 1; i >= 0; i-- {
		payload := hops[i].Payload
		shift := framedLen(payload)

		// BOLT #4: "The hop_payload field is right-shifted by shift_size
		// bytes, discarding the last shift_size bytes that exceed its
		// 1300-byte size. The bigsize-serialized length, serialized
		// hop_payload and hmac are copied into the following shift_size
		// bytes."
		copy(header[shift:], header[:HopPayloadsSize-shift])
		frame := tlv.AppendBigSize(header[:0], uint64(len(payload)))
		frame = append(frame, payload...)
		copy(header[len(frame):shift], nextHMAC[:])

		// BOLT #4: "The rho-key is used to generate 1300 bytes of
		// pseudo-random byte stream which is then applied, with XOR, to the
		// hop_payloads field."
		xorStream(generateKey(keyTypeRho, secrets[i][:]), header[:])

		// BOLT #4: "If this is the last hop, i.e. the first iteration, then
		// the tail of the hop_payloads field is overwritten with the routing
		// information filler."
		if i == len(hops)-1 {
			copy(header[HopPayloadsSize-len(filler):], filler)
		}

		// BOLT #4: "The next HMAC is computed (with the mu-key as HMAC-key)
		// over the concatenated hop_payloads and associated data."
		nextHMAC = computeHMAC(generateKey(keyTypeMu, secrets[i][:]), header[:], associatedData)
	}

	packet := &Packet{Version: Version0, HopPayloads: header, HMAC: nextHMAC}
	copy(packet.PublicKey[:], sessionKey.PubKey().SerializeCompressed())
	return packet, secrets, nil
}

// generateFiller computes the bytes every hop but the last appends (as
// obfuscated zeros) when it shifts the hop_payloads left, so the origin can
// place them at the tail of the innermost layer and have every HMAC match.
//
// BOLT #4 "Filler Generation": the processing node pads hop_payloads with
// 1300 zero bytes before XORing a 2*1300-byte stream, so after hop i the
// tail of the packet is the previous filler followed by shift_i zeros, all
// XORed with the part of hop i's rho stream that lands there.
func generateFiller(hops []Hop, secrets [][32]byte) []byte {
	var filler []byte
	// BOLT #4: "The last hop does not obfuscate, it's not forwarding
	// anymore."
	for i := 0; i < len(hops)-1; i++ {
		start := HopPayloadsSize - len(filler)
		filler = append(filler, make([]byte, framedLen(hops[i].Payload))...)
		stream := cipherStream(generateKey(keyTypeRho, secrets[i][:]), HopPayloadsSize+len(filler))
		for j := range filler {
			filler[j] ^= stream[start+j]
		}
	}
	return filler
}

// SharedSecrets derives the shared secret of every hop of a route from the
// session key, as NewPacket does; the origin can call it again rather than
// store the secrets.
//
// BOLT #4 "Packet Construction": "The sender executes ECDH with the hop's
// public key and the ephemeral private key to obtain a curve point, which is
// hashed using SHA256 to produce the shared secret ss_k. The blinding factor
// is the SHA256 hash of the concatenation between the ephemeral public key
// epk_k and the shared secret ss_k. The ephemeral private key for the next
// hop ek_{k+1} is computed by multiplying the current ephemeral private key
// ek_k by the blinding factor."
func SharedSecrets(sessionKey *btcec.PrivateKey, nodeKeys []*btcec.PublicKey) ([][32]byte, error) {
	if sessionKey == nil || sessionKey.Key.IsZero() {
		return nil, ErrInvalidSessionKey
	}
	ephemeral := sessionKey.Key // a copy: the caller's key is not modified
	secrets := make([][32]byte, len(nodeKeys))
	for i, nodeKey := range nodeKeys {
		if nodeKey == nil {
			return nil, fmt.Errorf("%w: hop %d has no key", ErrInvalidHopKey, i)
		}
		ss, err := sharedSecret(&ephemeral, nodeKey)
		if err != nil {
			return nil, fmt.Errorf("hop %d: %w", i, err)
		}
		secrets[i] = ss

		var ephemeralPub btcec.JacobianPoint
		btcec.ScalarBaseMultNonConst(&ephemeral, &ephemeralPub)
		ephemeralPub.ToAffine()
		epk := btcec.NewPublicKey(&ephemeralPub.X, &ephemeralPub.Y)
		factor := blindingFactor(epk, ss)
		ephemeral.Mul(&factor)
		if ephemeral.IsZero() {
			// Probability 2^-256: only a broken hash gets here.
			return nil, fmt.Errorf("%w: ephemeral key became zero at hop %d", ErrInvalidSessionKey, i)
		}
	}
	return secrets, nil
}

// sharedSecret is SHA256 of the compressed point scalar*pub.
//
// BOLT #4 "Shared Secret": "The resulting curve point is serialized to the
// compressed format and hashed using SHA256."
func sharedSecret(scalar *btcec.ModNScalar, pub *btcec.PublicKey) ([32]byte, error) {
	point, err := multiply(scalar, pub)
	if err != nil {
		return [32]byte{}, fmt.Errorf("%w: %v", ErrInvalidHopKey, err)
	}
	return sha256.Sum256(point.SerializeCompressed()), nil
}

// blindingFactor is SHA256(pub || secret) reduced modulo the group order.
//
// BOLT #4 "Blinding Ephemeral Onion Keys": "it is the SHA256 hash value of
// the concatenation of the public key serialized in its compressed format
// and the shared secret."
func blindingFactor(pub *btcec.PublicKey, secret [32]byte) btcec.ModNScalar {
	h := sha256.New()
	h.Write(pub.SerializeCompressed())
	h.Write(secret[:])
	var digest [32]byte
	h.Sum(digest[:0])
	return scalarFromHash(digest)
}

// multiply returns scalar*pub, failing if the result is the point at
// infinity (a zero scalar).
func multiply(scalar *btcec.ModNScalar, pub *btcec.PublicKey) (*btcec.PublicKey, error) {
	var point, result btcec.JacobianPoint
	pub.AsJacobian(&point)
	btcec.ScalarMultNonConst(scalar, &point, &result)
	if (result.X.IsZero() && result.Y.IsZero()) || result.Z.IsZero() {
		return nil, errPointAtInfinity
	}
	result.ToAffine()
	return btcec.NewPublicKey(&result.X, &result.Y), nil
}
