package noise

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
)

// ErrNilKey: NewInitiator or NewResponder was given a nil key.
var ErrNilKey = errors.New("noise: nil key")

// step is the position of a handshake state machine.
type step int

const (
	stepActOne step = iota
	stepActTwo
	stepActThree
	stepDone
	stepFailed
)

// Initiator is the state machine of the node that opens the connection and
// already knows the responder's static key: act one out, act two in, act three
// out. It is not safe for concurrent use.
type Initiator struct {
	state           handshakeState
	local           LocalKey
	remoteStatic    *btcec.PublicKey
	ephemeral       *btcec.PrivateKey
	remoteEphemeral *btcec.PublicKey
	next            step
}

// NewInitiator prepares a handshake towards the node whose static key is
// remoteStatic. ephemeral must be fresh for every session (see
// NewEphemeralKey); the BOLT #8 test vectors fix it instead.
func NewInitiator(local LocalKey, remoteStatic *btcec.PublicKey, ephemeral *btcec.PrivateKey) (*Initiator, error) {
	if local == nil || local.PubKey() == nil || remoteStatic == nil || ephemeral == nil {
		return nil, ErrNilKey
	}
	return &Initiator{
		// BOLT #8: "The initiating node mixes in the responding node's
		// static public key".
		state:        newHandshakeState(remoteStatic),
		local:        local,
		remoteStatic: remoteStatic,
		ephemeral:    ephemeral,
		next:         stepActOne,
	}, nil
}

func (i *Initiator) fail(act int, err error) error {
	i.next = stepFailed
	return actError(act, err)
}

// ActOne returns the 50-byte act one: -> e, es.
func (i *Initiator) ActOne() ([]byte, error) {
	if i.next != stepActOne {
		return nil, i.fail(1, ErrWrongStep)
	}
	ephemeralPub := i.ephemeral.PubKey().SerializeCompressed()
	// BOLT #8: h = SHA-256(h || e.pub.serializeCompressed())
	i.state.mixHash(ephemeralPub)
	// BOLT #8: es = ECDH(e.priv, rs); ck, temp_k1 = HKDF(ck, es)
	i.state.mixKey(ecdh(i.ephemeral, i.remoteStatic))
	// BOLT #8: c = encryptWithAD(temp_k1, 0, h, zero)
	tag := encryptWithAD(i.state.tempK, 0, i.state.h[:], nil)
	// BOLT #8: h = SHA-256(h || c)
	i.state.mixHash(tag)
	i.next = stepActTwo
	// BOLT #8: m = 0 || e.pub.serializeCompressed() || c
	act := make([]byte, 0, ActOneSize)
	act = append(act, HandshakeVersion)
	act = append(act, ephemeralPub...)
	return append(act, tag...), nil
}

// ReadActTwo processes the responder's 50-byte act two: <- e, ee.
func (i *Initiator) ReadActTwo(act []byte) error {
	if i.next != stepActTwo {
		return i.fail(2, ErrWrongStep)
	}
	// BOLT #8: "Read exactly 50 bytes" and "If v is an unrecognized
	// handshake version, then the responder MUST abort the connection
	// attempt."
	if err := readActHeader(act, ActTwoSize); err != nil {
		return i.fail(2, err)
	}
	remoteEphemeral, err := parseCompressedKey(act[1:34])
	if err != nil {
		return i.fail(2, err)
	}
	tag := act[34:]
	// BOLT #8: h = SHA-256(h || re.serializeCompressed())
	i.state.mixHash(act[1:34])
	// BOLT #8: ee = ECDH(e.priv, re); ck, temp_k2 = HKDF(ck, ee)
	i.state.mixKey(ecdh(i.ephemeral, remoteEphemeral))
	// BOLT #8: "p = decryptWithAD(temp_k2, 0, h, c)": "If the MAC check in
	// this operation fails, then the initiator MUST terminate the
	// connection without any further messages."
	if _, err := decryptWithAD(i.state.tempK, 0, i.state.h[:], tag); err != nil {
		return i.fail(2, err)
	}
	// BOLT #8: h = SHA-256(h || c)
	i.state.mixHash(tag)
	i.remoteEphemeral = remoteEphemeral
	i.next = stepActThree
	return nil
}

// ActThree returns the 66-byte act three (-> s, se) and the session keys.
func (i *Initiator) ActThree() ([]byte, *Session, error) {
	if i.next != stepActThree {
		return nil, nil, i.fail(3, ErrWrongStep)
	}
	// BOLT #8: c = encryptWithAD(temp_k2, 1, h, s.pub.serializeCompressed())
	encryptedStatic := encryptWithAD(i.state.tempK, 1, i.state.h[:], i.local.PubKey().SerializeCompressed())
	// BOLT #8: h = SHA-256(h || c)
	i.state.mixHash(encryptedStatic)
	// BOLT #8: se = ECDH(s.priv, re)
	se, err := i.local.ECDH(i.remoteEphemeral)
	if err != nil {
		return nil, nil, i.fail(3, fmt.Errorf("%w: %w", ErrLocalECDH, err))
	}
	// BOLT #8: ck, temp_k3 = HKDF(ck, se)
	i.state.mixKey(se)
	// BOLT #8: t = encryptWithAD(temp_k3, 0, h, zero)
	tag := encryptWithAD(i.state.tempK, 0, i.state.h[:], nil)
	i.next = stepDone
	// BOLT #8: m = 0 || c || t
	act := make([]byte, 0, ActThreeSize)
	act = append(act, HandshakeVersion)
	act = append(act, encryptedStatic...)
	act = append(act, tag...)
	return act, newSession(i.state.ck, true, i.remoteStatic), nil
}

// Responder is the state machine of the node that accepts a connection: act
// one in, act two out, act three in. It learns the initiator's static key in
// act three. It is not safe for concurrent use.
type Responder struct {
	state           handshakeState
	local           LocalKey
	ephemeral       *btcec.PrivateKey
	remoteEphemeral *btcec.PublicKey
	next            step
}

// NewResponder prepares to answer a handshake. ephemeral must be fresh for
// every session (see NewEphemeralKey).
func NewResponder(local LocalKey, ephemeral *btcec.PrivateKey) (*Responder, error) {
	if local == nil || ephemeral == nil {
		return nil, ErrNilKey
	}
	localPub := local.PubKey()
	if localPub == nil {
		return nil, ErrNilKey
	}
	return &Responder{
		// BOLT #8: "The responding node mixes in their local static
		// public key".
		state:     newHandshakeState(localPub),
		local:     local,
		ephemeral: ephemeral,
		next:      stepActOne,
	}, nil
}

func (r *Responder) fail(act int, err error) error {
	r.next = stepFailed
	return actError(act, err)
}

// ReadActOne processes the initiator's 50-byte act one: -> e, es.
func (r *Responder) ReadActOne(act []byte) error {
	if r.next != stepActOne {
		return r.fail(1, ErrWrongStep)
	}
	// BOLT #8: "Read exactly 50 bytes" and "If v is an unrecognized
	// handshake version, then the responder MUST abort the connection
	// attempt."
	if err := readActHeader(act, ActOneSize); err != nil {
		return r.fail(1, err)
	}
	remoteEphemeral, err := parseCompressedKey(act[1:34])
	if err != nil {
		return r.fail(1, err)
	}
	tag := act[34:]
	// BOLT #8: h = SHA-256(h || re.serializeCompressed())
	r.state.mixHash(act[1:34])
	// BOLT #8: es = ECDH(s.priv, re)
	es, err := r.local.ECDH(remoteEphemeral)
	if err != nil {
		return r.fail(1, fmt.Errorf("%w: %w", ErrLocalECDH, err))
	}
	// BOLT #8: ck, temp_k1 = HKDF(ck, es)
	r.state.mixKey(es)
	// BOLT #8: "p = decryptWithAD(temp_k1, 0, h, c)": "If the MAC check in
	// this operation fails, then the initiator does not know the
	// responder's static public key. If this is the case, then the
	// responder MUST terminate the connection without any further
	// messages."
	if _, err := decryptWithAD(r.state.tempK, 0, r.state.h[:], tag); err != nil {
		return r.fail(1, err)
	}
	// BOLT #8: h = SHA-256(h || c)
	r.state.mixHash(tag)
	r.remoteEphemeral = remoteEphemeral
	r.next = stepActTwo
	return nil
}

// ActTwo returns the 50-byte act two: <- e, ee.
func (r *Responder) ActTwo() ([]byte, error) {
	if r.next != stepActTwo {
		return nil, r.fail(2, ErrWrongStep)
	}
	ephemeralPub := r.ephemeral.PubKey().SerializeCompressed()
	// BOLT #8: h = SHA-256(h || e.pub.serializeCompressed())
	r.state.mixHash(ephemeralPub)
	// BOLT #8: ee = ECDH(e.priv, re); ck, temp_k2 = HKDF(ck, ee)
	r.state.mixKey(ecdh(r.ephemeral, r.remoteEphemeral))
	// BOLT #8: c = encryptWithAD(temp_k2, 0, h, zero)
	tag := encryptWithAD(r.state.tempK, 0, r.state.h[:], nil)
	// BOLT #8: h = SHA-256(h || c)
	r.state.mixHash(tag)
	r.next = stepActThree
	// BOLT #8: m = 0 || e.pub.serializeCompressed() || c
	act := make([]byte, 0, ActTwoSize)
	act = append(act, HandshakeVersion)
	act = append(act, ephemeralPub...)
	return append(act, tag...), nil
}

// ReadActThree processes the initiator's 66-byte act three (-> s, se) and
// returns the session, whose RemoteStatic is the initiator's node key.
func (r *Responder) ReadActThree(act []byte) (*Session, error) {
	if r.next != stepActThree {
		return nil, r.fail(3, ErrWrongStep)
	}
	// BOLT #8: "Read exactly 66 bytes" and "If v is an unrecognized
	// handshake version, then the responder MUST abort the connection
	// attempt."
	if err := readActHeader(act, ActThreeSize); err != nil {
		return nil, r.fail(3, err)
	}
	encryptedStatic, tag := act[1:50], act[50:]
	// BOLT #8: "rs = decryptWithAD(temp_k2, 1, h, c)": "If the MAC check
	// in this operation fails, then the responder MUST terminate the
	// connection without any further messages."
	staticBytes, err := decryptWithAD(r.state.tempK, 1, r.state.h[:], encryptedStatic)
	if err != nil {
		return nil, r.fail(3, ErrBadStaticKeyCiphertext)
	}
	remoteStatic, err := parseCompressedKey(staticBytes)
	if err != nil {
		return nil, r.fail(3, err)
	}
	// BOLT #8: h = SHA-256(h || c)
	r.state.mixHash(encryptedStatic)
	// BOLT #8: se = ECDH(e.priv, rs); ck, temp_k3 = HKDF(ck, se)
	r.state.mixKey(ecdh(r.ephemeral, remoteStatic))
	// BOLT #8: "p = decryptWithAD(temp_k3, 0, h, t)": "If the MAC check in
	// this operation fails, then the responder MUST terminate the
	// connection without any further messages."
	if _, err := decryptWithAD(r.state.tempK, 0, r.state.h[:], tag); err != nil {
		return nil, r.fail(3, err)
	}
	r.next = stepDone
	return newSession(r.state.ck, false, remoteStatic), nil
}
