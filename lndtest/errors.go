package lndtest

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidOptions reports Options that cannot start lnd.
	ErrInvalidOptions = errors.New("lndtest: invalid options")
	// ErrInstall reports that scripts/install-lnd.sh failed or gave no
	// usable binaries.
	ErrInstall = errors.New("lndtest: installing lnd")
	// ErrExited reports that lnd exited while it was expected to run.
	ErrExited = errors.New("lndtest: lnd exited")
	// ErrNotReady reports that lnd did not become synced to the chain within
	// Options.StartTimeout.
	ErrNotReady = errors.New("lndtest: lnd not ready")
	// ErrNotRunning reports a call to a node that is stopped.
	ErrNotRunning = errors.New("lndtest: lnd is not running")
	// ErrBadResponse reports an lnd reply that is not what its API
	// documents (bad JSON, wrong address network...).
	ErrBadResponse = errors.New("lndtest: malformed lnd response")
	// ErrStreamDone is returned by a Stream callback to end the stream
	// early without an error.
	ErrStreamDone = errors.New("lndtest: stream done")
)

// APIError is an error reply of lnd's REST API: the gRPC status code and
// message that grpc-gateway puts in the JSON body, and the HTTP status.
type APIError struct {
	Method     string // HTTP method of the request
	Path       string // request path, e.g. "/v1/peers"
	HTTPStatus int    // 0 for an error inside a stream
	Code       int    // gRPC status code (2 unknown, 5 not found, ...)
	Message    string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("lnd %s %s: HTTP %d, code %d: %s", e.Method, e.Path, e.HTTPStatus, e.Code, e.Message)
}
