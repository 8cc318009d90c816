package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
)

// maxRequestBytes bounds one request, so a client cannot make the daemon
// buffer without end.
const maxRequestBytes = 16 << 20

// Server serves a Table over a Unix socket.
type Server struct {
	table *Table
	log   *slog.Logger

	mu       sync.Mutex
	listener net.Listener
	conns    map[net.Conn]struct{}
	handlers sync.WaitGroup
	ctx      context.Context
	cancel   context.CancelFunc
}

// NewServer builds a server for the table.
func NewServer(table *Table, log *slog.Logger) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{table: table, log: log, conns: make(map[net.Conn]struct{}), ctx: ctx, cancel: cancel}
}

// ListenUnix creates the socket at path with mode 0600. A stale socket file
// left by a crashed daemon is replaced; the caller must hold the data
// directory's lock so that it is not a live daemon's socket.
func (s *Server) ListenUnix(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("rpc: removing stale socket %s: %w", path, err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("rpc: listening on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return fmt.Errorf("rpc: chmod %s: %w", path, err)
	}
	s.mu.Lock()
	s.listener = l
	s.mu.Unlock()
	go s.accept(l)
	return nil
}

// Close stops accepting, cancels running calls, closes every connection
// and waits for the handlers to return.
func (s *Server) Close() error {
	s.cancel()
	s.mu.Lock()
	if s.listener != nil {
		s.listener.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.handlers.Wait()
	return nil
}

func (s *Server) accept(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.ctx.Err() != nil {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		s.handlers.Add(1)
		s.mu.Unlock()
		go s.serveConn(conn)
	}
}

// request is a JSON-RPC request as received.
type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  *string         `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// response is a JSON-RPC response.
type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

func (s *Server) serveConn(conn net.Conn) {
	ctx, cancel := context.WithCancel(s.ctx)
	var calls sync.WaitGroup
	defer func() {
		cancel()
		calls.Wait()
		conn.Close()
		s.mu.Lock()
		delete(s.conns, conn)
		s.mu.Unlock()
		s.handlers.Done()
	}()

	var writeMu sync.Mutex
	reply := func(r response) {
		r.JSONRPC = "2.0"
		if r.ID == nil {
			r.ID = json.RawMessage("null")
		}
		out, err := json.Marshal(r)
		if err != nil {
			out, _ = json.Marshal(response{JSONRPC: "2.0", ID: r.ID,
				Error: &Error{Code: CodeLightningd, Message: "internal error encoding reply: " + err.Error()}})
		}
		writeMu.Lock()
		defer writeMu.Unlock()
		conn.Write(append(out, '\n', '\n'))
	}

	dec := json.NewDecoder(io.LimitReader(conn, maxRequestBytes))
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				// The stream is no longer in sync: say why, then hang up,
				// as Core Lightning does.
				reply(response{Error: Errorf(CodeParseError, "Parse error: %v", err)})
			}
			return
		}
		var req request
		if err := json.Unmarshal(raw, &req); err != nil || !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
			reply(response{Error: Errorf(CodeInvalidRequest, "Expected {} for json command")})
			continue
		}
		if req.ID == nil {
			reply(response{Error: Errorf(CodeInvalidRequest, "No id")})
			continue
		}
		if req.Method == nil {
			reply(response{ID: req.ID, Error: Errorf(CodeInvalidRequest, "Expected string for method")})
			continue
		}
		calls.Add(1)
		go func() {
			defer calls.Done()
			result, rerr := s.call(ctx, *req.Method, req.Params)
			reply(response{ID: req.ID, Result: result, Error: rerr})
		}()
	}
}

// call dispatches one request. A panicking handler is a bug, but it must
// not take the daemon down with it: it becomes an error reply.
func (s *Server) call(ctx context.Context, name string, raw json.RawMessage) (result any, rerr *Error) {
	m, ok := s.table.Lookup(name)
	if !ok {
		return nil, Errorf(CodeMethodNotFound, "Unknown command '%s'", name)
	}
	params, err := NewParams(m.Params, raw)
	if err != nil {
		return nil, asRPCError(err)
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("rpc handler panicked", "method", name, "panic", p)
			result, rerr = nil, Errorf(CodeLightningd, "internal error in %s", name)
		}
	}()
	s.log.Debug("rpc call", "method", name)
	res, err := m.Handler(ctx, params)
	if err != nil {
		return nil, asRPCError(err)
	}
	if res == nil {
		res = struct{}{}
	}
	return res, nil
}
