package channeltx

import (
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
)

// PerCommitmentPoint returns per_commitment_point = per_commitment_secret * G.
func PerCommitmentPoint(secret [32]byte) (*btcec.PublicKey, error) {
	priv, err := privateKeyFromSecret(secret)
	if err != nil {
		return nil, err
	}
	return priv.PubKey(), nil
}

// PrivateKeyFromSecret returns the private key whose scalar is the 32 bytes,
// e.g. a per-commitment secret, for DeriveRevocationPrivKey.
func PrivateKeyFromSecret(secret [32]byte) (*btcec.PrivateKey, error) {
	return privateKeyFromSecret(secret)
}

func privateKeyFromSecret(secret [32]byte) (*btcec.PrivateKey, error) {
	var k btcec.ModNScalar
	if overflow := k.SetBytes(&secret); overflow != 0 || k.IsZero() {
		return nil, ErrInvalidSecret
	}
	return btcec.PrivKeyFromScalar(&k), nil
}

// hashScalar returns SHA256(a || b) as a scalar mod n, with a and b
// compressed public keys.
func hashScalar(a, b *btcec.PublicKey) btcec.ModNScalar {
	h := sha256.New()
	h.Write(a.SerializeCompressed())
	h.Write(b.SerializeCompressed())
	var digest [32]byte
	h.Sum(digest[:0])
	var k btcec.ModNScalar
	k.SetBytes(&digest)
	return k
}

// publicKeyFromJacobian converts a point to a public key. The point at
// infinity can only come out of the derivations below if SHA256 is broken,
// so it is a broken invariant.
func publicKeyFromJacobian(p *btcec.JacobianPoint) *btcec.PublicKey {
	if (p.X.IsZero() && p.Y.IsZero()) || p.Z.IsZero() {
		panic("channeltx: key derivation reached the point at infinity")
	}
	p.ToAffine()
	return btcec.NewPublicKey(&p.X, &p.Y)
}

// DerivePubKey derives localpubkey, local_htlcpubkey, remote_htlcpubkey,
// local_delayedpubkey or remote_delayedpubkey from the matching basepoint.
//
// BOLT #3: pubkey = basepoint + SHA256(per_commitment_point || basepoint) * G
func DerivePubKey(basepoint, perCommitmentPoint *btcec.PublicKey) *btcec.PublicKey {
	tweak := hashScalar(perCommitmentPoint, basepoint)
	var tweakPoint, base, sum btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&tweak, &tweakPoint)
	basepoint.AsJacobian(&base)
	btcec.AddNonConst(&base, &tweakPoint, &sum)
	return publicKeyFromJacobian(&sum)
}

// DerivePrivKey derives the private key matching DerivePubKey.
//
// BOLT #3: privkey = basepoint_secret + SHA256(per_commitment_point || basepoint)
func DerivePrivKey(basepointSecret *btcec.PrivateKey, perCommitmentPoint *btcec.PublicKey) *btcec.PrivateKey {
	tweak := hashScalar(perCommitmentPoint, basepointSecret.PubKey())
	var k btcec.ModNScalar
	k.Set(&basepointSecret.Key).Add(&tweak)
	if k.IsZero() {
		panic("channeltx: derived private key is zero")
	}
	return btcec.PrivKeyFromScalar(&k)
}

// DeriveRevocationPubKey derives revocationpubkey from the countersignatory's
// revocation_basepoint and the broadcaster's per_commitment_point.
//
// BOLT #3: revocationpubkey = revocation_basepoint * SHA256(revocation_basepoint || per_commitment_point)
// + per_commitment_point * SHA256(per_commitment_point || revocation_basepoint)
func DeriveRevocationPubKey(revocationBasepoint, perCommitmentPoint *btcec.PublicKey) *btcec.PublicKey {
	baseTweak := hashScalar(revocationBasepoint, perCommitmentPoint)
	pointTweak := hashScalar(perCommitmentPoint, revocationBasepoint)
	var base, point, a, b, sum btcec.JacobianPoint
	revocationBasepoint.AsJacobian(&base)
	perCommitmentPoint.AsJacobian(&point)
	btcec.ScalarMultNonConst(&baseTweak, &base, &a)
	btcec.ScalarMultNonConst(&pointTweak, &point, &b)
	btcec.AddNonConst(&a, &b, &sum)
	return publicKeyFromJacobian(&sum)
}

// DeriveRevocationPrivKey derives revocationprivkey once the broadcaster has
// revealed its per_commitment_secret.
//
// BOLT #3: revocationprivkey = revocation_basepoint_secret * SHA256(revocation_basepoint || per_commitment_point)
// + per_commitment_secret * SHA256(per_commitment_point || revocation_basepoint)
func DeriveRevocationPrivKey(revocationBasepointSecret, perCommitmentSecret *btcec.PrivateKey) *btcec.PrivateKey {
	revocationBasepoint := revocationBasepointSecret.PubKey()
	perCommitmentPoint := perCommitmentSecret.PubKey()
	baseTweak := hashScalar(revocationBasepoint, perCommitmentPoint)
	pointTweak := hashScalar(perCommitmentPoint, revocationBasepoint)
	var a, b btcec.ModNScalar
	a.Mul2(&revocationBasepointSecret.Key, &baseTweak)
	b.Mul2(&perCommitmentSecret.Key, &pointTweak)
	a.Add(&b)
	if a.IsZero() {
		panic("channeltx: derived revocation private key is zero")
	}
	return btcec.PrivKeyFromScalar(&a)
}

// Basepoints are the public basepoints one party announced in open_channel
// or accept_channel.
type Basepoints struct {
	Revocation     *btcec.PublicKey
	Payment        *btcec.PublicKey
	DelayedPayment *btcec.PublicKey
	HTLC           *btcec.PublicKey
}

// CommitmentKeys are the keys of one commitment transaction, named after the
// broadcaster (BOLT #3 "local") and the countersignatory ("remote").
type CommitmentKeys struct {
	// Revocation is revocationpubkey: the countersignatory's revocation
	// basepoint tweaked with the broadcaster's per-commitment point.
	Revocation *btcec.PublicKey
	// BroadcasterDelayed is local_delayedpubkey.
	BroadcasterDelayed *btcec.PublicKey
	// BroadcasterHTLC is local_htlcpubkey.
	BroadcasterHTLC *btcec.PublicKey
	// CountersignatoryHTLC is remote_htlcpubkey.
	CountersignatoryHTLC *btcec.PublicKey
	// CountersignatoryPayment is remotepubkey, which with
	// option_static_remotekey is the countersignatory's payment_basepoint.
	CountersignatoryPayment *btcec.PublicKey
}

func (k *CommitmentKeys) validate() error {
	if k.Revocation == nil || k.BroadcasterDelayed == nil || k.BroadcasterHTLC == nil ||
		k.CountersignatoryHTLC == nil || k.CountersignatoryPayment == nil {
		return fmt.Errorf("%w: incomplete commitment keys", ErrMissingKey)
	}
	return nil
}

// DeriveCommitmentKeys derives the keys of the commitment transaction whose
// broadcaster uses perCommitmentPoint.
func DeriveCommitmentKeys(perCommitmentPoint *btcec.PublicKey, broadcaster, countersignatory *Basepoints) (CommitmentKeys, error) {
	if perCommitmentPoint == nil {
		return CommitmentKeys{}, fmt.Errorf("%w: per-commitment point", ErrMissingKey)
	}
	// A commitment uses the broadcaster's delayed payment and HTLC
	// basepoints and the countersignatory's revocation, payment and HTLC
	// basepoints; the others may be left nil.
	if broadcaster == nil || broadcaster.DelayedPayment == nil || broadcaster.HTLC == nil {
		return CommitmentKeys{}, fmt.Errorf("%w: broadcaster's delayed payment or HTLC basepoint", ErrMissingKey)
	}
	if countersignatory == nil || countersignatory.Revocation == nil || countersignatory.Payment == nil || countersignatory.HTLC == nil {
		return CommitmentKeys{}, fmt.Errorf("%w: countersignatory's revocation, payment or HTLC basepoint", ErrMissingKey)
	}
	return CommitmentKeys{
		Revocation:           DeriveRevocationPubKey(countersignatory.Revocation, perCommitmentPoint),
		BroadcasterDelayed:   DerivePubKey(broadcaster.DelayedPayment, perCommitmentPoint),
		BroadcasterHTLC:      DerivePubKey(broadcaster.HTLC, perCommitmentPoint),
		CountersignatoryHTLC: DerivePubKey(countersignatory.HTLC, perCommitmentPoint),
		// BOLT #3: The remotepubkey is simply the remote node's
		// payment_basepoint.
		CountersignatoryPayment: countersignatory.Payment,
	}, nil
}
