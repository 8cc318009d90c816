package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"sync/atomic"
)

// Client calls a daemon's JSON-RPC socket. One call at a time per Client
// is the simple contract; make several clients for parallel calls.
type Client struct {
	path   string
	nextID atomic.Uint64
}

// NewClient returns a client for the socket at path.
func NewClient(path string) *Client { return &Client{path: path} }

// Call sends one request and decodes the reply's result into result (which
// may be nil, or a *json.RawMessage to keep it raw). params may be a slice
// (by position), a map or struct (by name), or nil. An error reply comes
// back as *Error.
func (c *Client) Call(ctx context.Context, method string, params any, result any) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.path)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", c.path, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	if params == nil {
		params = []any{}
	}
	id := c.nextID.Add(1)
	req := map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return fmt.Errorf("sending %s: %w", method, err)
	}
	var resp struct {
		Result json.RawMessage `json:"result"`
		Error  *Error          `json:"error"`
	}
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("reading reply to %s: %w", method, err)
	}
	if resp.Error != nil {
		return resp.Error
	}
	if result == nil {
		return nil
	}
	if raw, ok := result.(*json.RawMessage); ok {
		*raw = resp.Result
		return nil
	}
	return json.Unmarshal(resp.Result, result)
}
