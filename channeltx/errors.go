package channeltx

import "errors"

var (
	// ErrUnknownChannelType reports a ChannelType this package does not
	// implement (including the zero value).
	ErrUnknownChannelType = errors.New("channeltx: unknown channel type")

	// ErrUnknownParty reports a Party that is neither Local nor Remote.
	ErrUnknownParty = errors.New("channeltx: unknown party")

	// ErrMissingKey reports a nil public key where one is required.
	ErrMissingKey = errors.New("channeltx: missing key")

	// ErrInvalidSecret reports 32 bytes that are not a valid secp256k1
	// private key (zero or not below the group order).
	ErrInvalidSecret = errors.New("channeltx: invalid secret")

	// ErrCommitmentNumber reports a commitment number that does not fit in
	// 48 bits.
	ErrCommitmentNumber = errors.New("channeltx: commitment number above 2^48-1")

	// ErrNotCommitment reports a transaction without the locktime and
	// sequence markers of a commitment transaction.
	ErrNotCommitment = errors.New("channeltx: not a commitment transaction")

	// ErrNegativeAmount reports a negative amount or dust limit.
	ErrNegativeAmount = errors.New("channeltx: negative amount")

	// ErrUnbalanced reports balances and HTLCs that do not add up to the
	// funding amount.
	ErrUnbalanced = errors.New("channeltx: balances and HTLCs do not add up to the funding amount")

	// ErrFeeTooHigh reports a fee (or anchor outputs) larger than the
	// paying party's balance.
	ErrFeeTooHigh = errors.New("channeltx: fee exceeds the paying party's balance")

	// ErrNoOutputs reports a closing transaction left without any output.
	ErrNoOutputs = errors.New("channeltx: transaction has no outputs")

	// ErrInputIndex reports an input index outside the transaction.
	ErrInputIndex = errors.New("channeltx: input index out of range")

	// ErrInvalidSignature reports a signature that does not verify.
	ErrInvalidSignature = errors.New("channeltx: invalid signature")
)
