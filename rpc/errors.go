package rpc

import (
	"errors"
	"fmt"
)

// Error codes, as Core Lightning uses them (common/jsonrpc_errors.h and the
// per-command codes documented in its schemas).
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeLightningd     = -1 // generic failure inside the daemon
)

// Error is a JSON-RPC error reply.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *Error) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

// Errorf builds an Error with the given code.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidParams builds the error Core Lightning returns for a parameter that
// is missing or malformed.
func InvalidParams(format string, args ...any) *Error {
	return Errorf(CodeInvalidParams, format, args...)
}

// asRPCError turns any handler error into a reply error: an *Error keeps its
// code; anything else is a generic daemon failure with its message.
func asRPCError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeLightningd, Message: err.Error()}
}
