package bitcoind

import (
	"errors"
	"fmt"

	"github.com/fulmen-ln/fulmen/chain"
)

// Errors of the client. Besides these, methods wrap the shared errors of
// package chain (chain.ErrNotFound, chain.ErrNoEstimate, chain.ErrTx...),
// re-exported here for convenience.
var (
	// ErrUnreachable: no reply from the backend: connection refused or
	// reset, DNS failure, TLS handshake failure, or the call's timeout.
	ErrUnreachable = errors.New("bitcoind: backend unreachable")

	// ErrAuth: the backend refused the credentials (HTTP 401 or 403).
	ErrAuth = errors.New("bitcoind: authentication failed")

	// ErrBadResponse: the reply was not the JSON-RPC object or result
	// shape expected (a proxy's error page, a truncated body...).
	ErrBadResponse = errors.New("bitcoind: bad response")

	// ErrMethodNotFound matches an *RPCError whose code says the backend
	// does not know the method (btcd has no estimatesmartfee, bitcoind no
	// generate).
	ErrMethodNotFound = errors.New("bitcoind: method not found")

	ErrNotFound        = chain.ErrNotFound
	ErrNoEstimate      = chain.ErrNoEstimate
	ErrTxAlreadyKnown  = chain.ErrTxAlreadyKnown
	ErrTxMissingInputs = chain.ErrTxMissingInputs
	ErrTxRejected      = chain.ErrTxRejected
)

// JSON-RPC error codes shared by btcd and bitcoind (bitcoind's
// src/rpc/protocol.h; btcd's btcjson/jsonrpcerr.go).
const (
	CodeMethodNotFound      = -32601
	CodeMisc                = -1  // btcd: getblockhash height out of range
	CodeInvalidAddressOrKey = -5  // unknown block or transaction
	CodeInvalidParameter    = -8  // bitcoind: getblockhash height out of range
	CodeVerifyError         = -25 // missing or spent inputs
	CodeVerifyRejected      = -26 // mempool policy or consensus rejection
	CodeVerifyAlreadyInUTXO = -27 // already in the chain (btcd: or mempool)
)

// RPCError is an error object returned by the backend.
type RPCError struct {
	Method  string
	Code    int
	Message string
}

// Error formats the error with its method and code.
func (e *RPCError) Error() string {
	return fmt.Sprintf("bitcoind: %s: RPC error %d: %s", e.Method, e.Code, e.Message)
}

// Is makes errors.Is(err, ErrMethodNotFound) work on RPC errors.
func (e *RPCError) Is(target error) bool {
	return target == ErrMethodNotFound && e.Code == CodeMethodNotFound
}

// withKind wraps an *RPCError whose code is one of codes with kind, so that
// both errors.Is(err, kind) and errors.As(err, **RPCError) work.
func withKind(err error, kind error, codes ...int) error {
	var rpcErr *RPCError
	if !errors.As(err, &rpcErr) {
		return err
	}
	for _, code := range codes {
		if rpcErr.Code == code {
			return fmt.Errorf("%w: %w", kind, err)
		}
	}
	return err
}
