package revocation

import "errors"

var (
	// ErrIndexOutOfRange reports an index above FirstIndex (secrets have
	// 48-bit indexes) or a commitment number with no index.
	ErrIndexOutOfRange = errors.New("revocation: index out of range")

	// ErrUnexpectedIndex reports a secret inserted out of order: secrets are
	// received in descending index order starting at FirstIndex.
	ErrUnexpectedIndex = errors.New("revocation: secret received out of order")

	// ErrSecretMismatch reports a secret that does not derive the secrets
	// already stored, so the two were not generated from the same seed.
	ErrSecretMismatch = errors.New("revocation: secret does not derive earlier secrets")

	// ErrUnknownIndex reports a lookup of a secret not yet received.
	ErrUnknownIndex = errors.New("revocation: secret not received yet")

	// ErrBadEncoding reports a persisted store that cannot be decoded or is
	// not internally consistent.
	ErrBadEncoding = errors.New("revocation: bad store encoding")
)
