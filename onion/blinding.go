package onion

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"golang.org/x/crypto/chacha20poly1305"
)

// DecryptRecipientData opens encrypted_recipient_data with the secret
// shared over the path key (Peeled.PathKeySecret, or ECDH(current_path_key)
// at an introduction point). It returns the encrypted_data_tlv stream,
// whose contents are for the route-blinding layer to judge.
//
// BOLT #4 "Route Blinding": "rho_i = HMAC256("rho", ss_i) [...] MUST
// decrypt the encrypted_recipient_data field using rho_i as a key using
// ChaCha20-Poly1305 and an all-zero nonce key."
func DecryptRecipientData(pathKeySecret [32]byte, encrypted []byte) ([]byte, error) {
	rho := generateKey(keyTypeRho, pathKeySecret[:])
	aead, err := chacha20poly1305.New(rho[:])
	if err != nil {
		panic("onion: chacha20poly1305 rejected a 32-byte key: " + err.Error())
	}
	var nonce [chacha20poly1305.NonceSize]byte
	plain, err := aead.Open(nil, nonce[:], encrypted, nil)
	if err != nil {
		// BOLT #4: "If the encrypted_recipient_data field is missing, cannot
		// be decrypted into an encrypted_data_tlv [...]: MUST return an
		// error"
		return nil, fmt.Errorf("%w: %v", ErrRecipientDataUndecryptable, err)
	}
	return plain, nil
}

// NextPathKey derives the path_key to hand to the next node of a blinded
// route, when encrypted_data_tlv holds no next_path_key_override.
//
// BOLT #4: "Otherwise: MUST use E_{i+1} = SHA256(E_i || ss_i) * E_i as the
// next path_key".
func NextPathKey(pathKey *btcec.PublicKey, pathKeySecret [32]byte) (*btcec.PublicKey, error) {
	if pathKey == nil {
		return nil, ErrInvalidOnionBlinding
	}
	factor := blindingFactor(pathKey, pathKeySecret)
	next, err := multiply(&factor, pathKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOnionBlinding, err)
	}
	return next, nil
}
