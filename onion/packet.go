package onion

import (
	"crypto/sha256"
	"fmt"
)

// Sizes of the version 0 onion_packet (BOLT #4 "Packet Structure").
const (
	// Version0 is the only packet version defined by BOLT #4.
	Version0 byte = 0

	// HopPayloadsSize is the length of the hop_payloads field.
	HopPayloadsSize = 1300

	// PacketSize is the length of a serialized onion_packet:
	// version (1) + public_key (33) + hop_payloads (1300) + hmac (32).
	PacketSize = 1 + pubKeySize + HopPayloadsSize + hmacSize

	pubKeySize = 33
	hmacSize   = 32
)

// Packet is an onion_packet as carried in update_add_htlc. The public key
// is kept as raw bytes so that a packet with an unparsable key can still be
// represented (and rejected with invalid_onion_key when peeled).
type Packet struct {
	Version     byte
	PublicKey   [pubKeySize]byte
	HopPayloads [HopPayloadsSize]byte
	HMAC        [hmacSize]byte
}

// ParsePacket reads a serialized onion_packet. It checks only the length:
// version, key and HMAC are judged by Peel, which knows the failure code
// each problem maps to.
func ParsePacket(b []byte) (*Packet, error) {
	if len(b) != PacketSize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrPacketLength, len(b), PacketSize)
	}
	var p Packet
	p.Version = b[0]
	copy(p.PublicKey[:], b[1:1+pubKeySize])
	copy(p.HopPayloads[:], b[1+pubKeySize:1+pubKeySize+HopPayloadsSize])
	copy(p.HMAC[:], b[1+pubKeySize+HopPayloadsSize:])
	return &p, nil
}

// Bytes serializes the packet: version || public_key || hop_payloads || hmac.
func (p *Packet) Bytes() []byte {
	b := make([]byte, 0, PacketSize)
	b = append(b, p.Version)
	b = append(b, p.PublicKey[:]...)
	b = append(b, p.HopPayloads[:]...)
	b = append(b, p.HMAC[:]...)
	return b
}

// Hash is the SHA256 of the serialized packet, the sha256_of_onion that
// update_fail_malformed_htlc and the BADONION failure messages carry.
func (p *Packet) Hash() [32]byte { return sha256.Sum256(p.Bytes()) }
