package signer

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"golang.org/x/crypto/hkdf"
)

// Signer holds hsm_secret and the keys derived from it.
type Signer struct {
	secret  [secretLen]byte
	nodeKey *btcec.PrivateKey
}

// New builds a Signer from a 32-byte hsm_secret.
func New(secret [secretLen]byte) (*Signer, error) {
	nodeKey, err := deriveKey(secret, "nodeid")
	if err != nil {
		return nil, err
	}
	return &Signer{secret: secret, nodeKey: nodeKey}, nil
}

// deriveKey derives a valid secp256k1 private key for the given purpose.
func deriveKey(secret [secretLen]byte, purpose string) (*btcec.PrivateKey, error) {
	for attempt := 0; attempt < 100; attempt++ {
		info := purpose
		if attempt > 0 {
			info += "/" + strconv.Itoa(attempt)
		}
		var scalar [32]byte
		r := hkdf.New(sha256.New, secret[:], []byte("fulmen"), []byte(info))
		if _, err := io.ReadFull(r, scalar[:]); err != nil {
			return nil, fmt.Errorf("signer: deriving %s: %w", purpose, err)
		}
		var s btcec.ModNScalar
		if overflow := s.SetBytes(&scalar); overflow == 0 && !s.IsZero() {
			return btcec.PrivKeyFromScalar(&s), nil
		}
	}
	return nil, errors.New("signer: no valid key derivable (broken invariant)")
}

// NodeID returns the node's public key, its identity on the network.
func (s *Signer) NodeID() *btcec.PublicKey { return s.nodeKey.PubKey() }

// String never shows secret material.
func (s *Signer) String() string {
	return "signer{node " + fmt.Sprintf("%x", s.NodeID().SerializeCompressed()) + "}"
}

// NodeECDH returns the client the transport and onion layers use: BOLT 8
// ECDH with the node key and nothing else.
func (s *Signer) NodeECDH() NodeECDH { return NodeECDH{key: s.nodeKey} }

// InvoiceSigner returns the client that signs BOLT 11 invoices with the node
// key and nothing else.
func (s *Signer) InvoiceSigner() InvoiceSigner { return InvoiceSigner{key: s.nodeKey} }

// NodeECDH performs ECDH with the node key.
type NodeECDH struct{ key *btcec.PrivateKey }

// ECDH returns SHA256 of the compressed shared point, as BOLT 8 and BOLT 4
// define it.
func (e NodeECDH) ECDH(remote *btcec.PublicKey) ([32]byte, error) {
	if remote == nil {
		return [32]byte{}, errors.New("signer: ECDH with a nil key")
	}
	var point, result btcec.JacobianPoint
	remote.AsJacobian(&point)
	btcec.ScalarMultNonConst(&e.key.Key, &point, &result)
	result.ToAffine()
	shared := btcec.NewPublicKey(&result.X, &result.Y)
	return sha256.Sum256(shared.SerializeCompressed()), nil
}

// PubKey returns the node public key.
func (e NodeECDH) PubKey() *btcec.PublicKey { return e.key.PubKey() }

// InvoiceSigner signs invoice hashes with the node key.
type InvoiceSigner struct{ key *btcec.PrivateKey }

// SignCompact returns a 65-byte recoverable signature of hash (header byte
// first, as btcec produces it).
func (i InvoiceSigner) SignCompact(hash [32]byte) ([]byte, error) {
	return ecdsa.SignCompact(i.key, hash[:], true), nil
}

// PubKey returns the node public key.
func (i InvoiceSigner) PubKey() *btcec.PublicKey { return i.key.PubKey() }
