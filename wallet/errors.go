package wallet

import (
	"errors"
	"fmt"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Errors the RPC layer maps to Core Lightning's codes.
var (
	// ErrInsufficientFunds: the eligible outputs cannot pay the amount
	// and the fee (Core Lightning's 301). InsufficientFundsError wraps it.
	ErrInsufficientFunds = errors.New("wallet: insufficient funds")
	// ErrDustOutput: an output would be below DustLimit (Core Lightning's
	// 302).
	ErrDustOutput = errors.New("wallet: output would be dust")
	// ErrBadFeerate: a feerate that cannot be parsed or is below the floor.
	ErrBadFeerate = errors.New("wallet: bad feerate")
	// ErrNoFeerate: no estimate from the chain and no fallback feerate.
	ErrNoFeerate = errors.New("wallet: cannot estimate fees")
	// ErrUnknownOutput: an outpoint given by the caller is not an unspent
	// output of the wallet.
	ErrUnknownOutput = errors.New("wallet: not an unspent wallet output")
	// ErrReserved: an output is reserved by another in-flight transaction.
	ErrReserved = errors.New("wallet: output is reserved")
	// ErrBroadcast: the backend refused the transaction; nothing was
	// recorded and the inputs were released.
	ErrBroadcast = errors.New("wallet: broadcast failed")
)

// InsufficientFundsError says how far short the wallet is.
type InsufficientFundsError struct {
	Need  lnwire.Satoshi // amount plus fee of the smallest transaction that would do
	Have  lnwire.Satoshi // sum of the eligible outputs
	Coins int            // number of eligible outputs
}

func (e *InsufficientFundsError) Error() string {
	return fmt.Sprintf("Could not afford %s using all %d available UTXOs: %s short",
		e.Need, e.Coins, e.Need-e.Have)
}

// Unwrap makes errors.Is(err, ErrInsufficientFunds) true.
func (e *InsufficientFundsError) Unwrap() error { return ErrInsufficientFunds }
