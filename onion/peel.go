package onion

import (
	"bytes"
	"crypto/hmac"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/tlv"
)

// ECDH derives SHA256 of the compressed point k*pub with the node's private
// key k. The signer implements it, so peeling never sees the node key.
type ECDH interface {
	ECDH(pub *btcec.PublicKey) ([32]byte, error)
}

// Peeled is the result of peeling one layer of an onion.
type Peeled struct {
	// Payload is this hop's tlv_payload (without its length prefix); decode
	// it with DecodeHopPayload.
	Payload []byte
	// SharedSecret is the secret shared with the origin; keep it to build
	// or obfuscate a failure onion for this HTLC.
	SharedSecret [32]byte
	// PathKeySecret is ECDH(path_key), set only by PeelBlinded: the input to
	// decrypting encrypted_recipient_data and deriving the next path_key.
	PathKeySecret [32]byte
	// Next is the packet to forward, or nil if this node is the final one.
	Next *Packet
}

// IsFinal reports whether the onion ends here (the next HMAC is all zero).
func (p *Peeled) IsFinal() bool { return p.Next == nil }

// Peel authenticates and decrypts one layer of p with the node's ECDH.
// associatedData is the payment hash of the HTLC. Errors:
//   - *BadOnionError for a packet that cannot be authenticated (the HTLC is
//     failed with update_fail_malformed_htlc);
//   - *InvalidPayloadError, returned together with a Peeled carrying the
//     SharedSecret (so the failure can be encrypted back), for an
//     authenticated packet whose payload framing is impossible.
//
// Detecting a replayed HMAC is the caller's job, as it needs storage.
//
// BOLT #4 says a final node MUST NOT return invalid_onion_version,
// invalid_onion_hmac or invalid_onion_key, but no node can know it is final
// before the HMAC is verified; like other implementations, Peel reports
// them regardless and leaves any substitution to the caller.
func Peel(p *Packet, associatedData []byte, ecdh ECDH) (*Peeled, error) {
	return peel(p, associatedData, ecdh, nil)
}

// PeelBlinded is Peel for an HTLC that arrived with a path_key in
// update_add_htlc (inside a blinded route). Every BADONION failure becomes
// invalid_onion_blinding.
//
// BOLT #4: "if path_key is specified: Calculate the blinding_ss as
// ECDH(path_key, node_privkey). Either: Tweak public_key by multiplying by
// HMAC256("blinded_node_id", blinding_ss)."
func PeelBlinded(p *Packet, associatedData []byte, ecdh ECDH, pathKey *btcec.PublicKey) (*Peeled, error) {
	if pathKey == nil {
		return nil, &BadOnionError{Code: CodeInvalidOnionBlinding, OnionHash: p.Hash(), Err: ErrInvalidOnionBlinding}
	}
	return peel(p, associatedData, ecdh, pathKey)
}

func peel(p *Packet, associatedData []byte, ecdh ECDH, pathKey *btcec.PublicKey) (*Peeled, error) {
	bad := func(code FailureCode, err error) error {
		if pathKey != nil {
			// BOLT #4: "if path_key is set in the incoming update_add_htlc:
			// MUST return an invalid_onion_blinding error."
			code = CodeInvalidOnionBlinding
		}
		return &BadOnionError{Code: code, OnionHash: p.Hash(), Err: err}
	}

	// BOLT #4: "if version is not 0: MUST abort processing the packet and
	// fail."
	if p.Version != Version0 {
		return nil, bad(CodeInvalidOnionVersion, fmt.Errorf("%w: %d", ErrInvalidOnionVersion, p.Version))
	}
	// BOLT #4: "if public_key is not a valid pubkey: MUST abort processing
	// the packet and fail."
	publicKey, err := btcec.ParsePubKey(p.PublicKey[:])
	if err != nil {
		return nil, bad(CodeInvalidOnionKey, fmt.Errorf("%w: %v", ErrInvalidOnionKey, err))
	}

	var result Peeled
	ecdhKey := publicKey
	if pathKey != nil {
		result.PathKeySecret, err = ecdh.ECDH(pathKey)
		if err != nil {
			return nil, bad(CodeInvalidOnionBlinding, fmt.Errorf("%w: ecdh: %v", ErrInvalidOnionBlinding, err))
		}
		tweak := scalarFromHash(generateKey([]byte("blinded_node_id"), result.PathKeySecret[:]))
		ecdhKey, err = multiply(&tweak, publicKey)
		if err != nil {
			return nil, bad(CodeInvalidOnionBlinding, fmt.Errorf("%w: %v", ErrInvalidOnionBlinding, err))
		}
	}

	// BOLT #4: "Derive the shared secret ss as ECDH(public_key,
	// node_privkey)."
	result.SharedSecret, err = ecdh.ECDH(ecdhKey)
	if err != nil {
		return nil, bad(CodeInvalidOnionKey, fmt.Errorf("%w: ecdh: %v", ErrInvalidOnionKey, err))
	}

	// BOLT #4: "Derive the HMAC as HMAC256(mu, hop_payloads ||
	// associated_data). MUST use a constant time comparison of the computed
	// HMAC and hmac. If the computed HMAC and hmac differ: MUST abort
	// processing the packet and fail."
	mu := generateKey(keyTypeMu, result.SharedSecret[:])
	expected := computeHMAC(mu, p.HopPayloads[:], associatedData)
	if !hmac.Equal(expected[:], p.HMAC[:]) {
		return nil, bad(CodeInvalidOnionHMAC, ErrInvalidOnionHMAC)
	}

	// BOLT #4: "Derive bytestream of twice the length of hop_payloads using
	// rho. Set unwrapped_payloads to the XOR of hop_payloads and
	// bytestream."
	var unwrapped [2 * HopPayloadsSize]byte
	copy(unwrapped[:], p.HopPayloads[:])
	xorStream(generateKey(keyTypeRho, result.SharedSecret[:]), unwrapped[:])

	payload, consumed, err := splitHopPayload(unwrapped[:])
	if err != nil {
		return &result, &InvalidPayloadError{Err: err}
	}
	result.Payload = payload
	var nextHMAC [hmacSize]byte
	copy(nextHMAC[:], unwrapped[consumed-hmacSize:consumed])

	// BOLT #4: "Otherwise (all-zero next_hmac): This is the final
	// destination of the onion."
	if nextHMAC == ([hmacSize]byte{}) {
		return &result, nil
	}

	// BOLT #4: "If next_hmac is not all-zero (not the final node): Derive
	// blinding_tweak as SHA256(public_key || ss) [...] public_key set to
	// the incoming public_key multiplied by blinding_tweak. hop_payloads set
	// to the unwrapped_payloads, truncated to the incoming hop_payloads
	// size. hmac set to next_hmac."
	factor := blindingFactor(publicKey, result.SharedSecret)
	nextKey, err := multiply(&factor, publicKey)
	if err != nil {
		return &result, &InvalidPayloadError{Err: fmt.Errorf("next public key: %w", err)}
	}
	next := &Packet{Version: Version0, HMAC: nextHMAC}
	copy(next.PublicKey[:], nextKey.SerializeCompressed())
	copy(next.HopPayloads[:], unwrapped[consumed:consumed+HopPayloadsSize])
	result.Next = next
	return &result, nil
}

// splitHopPayload reads length || payload || hmac from the front of the
// unwrapped 2*1300 bytes and returns the payload and the number of bytes
// consumed (through the HMAC).
func splitHopPayload(unwrapped []byte) ([]byte, int, error) {
	r := bytes.NewReader(unwrapped)
	// BOLT #4: "Remove a bigsize from the front of unwrapped_payloads as
	// payload_length. If that is malformed: MUST abort processing the packet
	// and fail."
	length, err := tlv.ReadBigSize(r)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: length: %w", ErrPayloadFraming, err)
	}
	prefix := len(unwrapped) - r.Len()
	// BOLT #4: "If the payload_length is less than two: MUST abort
	// processing the packet and fail."
	if length < 2 {
		return nil, 0, fmt.Errorf("%w: payload length %d is reserved", ErrPayloadFraming, length)
	}
	// BOLT #4: "If there are fewer than payload_length bytes remaining [...]
	// If there are fewer than 32 bytes remaining [...] If
	// unwrapped_payloads is smaller than hop_payloads: MUST abort processing
	// the packet and fail." With unwrapped being 2*1300 bytes, all three
	// amount to: the frame must fit in the first 1300 bytes.
	if length > uint64(HopPayloadsSize-prefix-hmacSize) {
		return nil, 0, fmt.Errorf("%w: payload length %d does not fit", ErrPayloadFraming, length)
	}
	end := prefix + int(length)
	payload := append([]byte(nil), unwrapped[prefix:end]...)
	return payload, end + hmacSize, nil
}

// scalarFromHash reads a 32-byte hash as a scalar modulo the group order.
func scalarFromHash(h [32]byte) btcec.ModNScalar {
	var s btcec.ModNScalar
	s.SetBytes(&h)
	return s
}
