package rpc

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func startServer(t *testing.T) (*Client, string) {
	t.Helper()
	table := NewTable()
	table.Add(Method{
		Name:   "echo",
		Params: []Param{{Name: "label", Required: true}, {Name: "count"}},
		Handler: func(_ context.Context, p Params) (any, error) {
			label, err := p.String("label")
			if err != nil {
				return nil, err
			}
			count, err := p.OptionalUint64("count")
			if err != nil {
				return nil, err
			}
			return map[string]any{"label": label, "count": count}, nil
		},
	})
	table.Add(Method{Name: "boom", Handler: func(context.Context, Params) (any, error) { panic("boom") }})
	table.Add(Method{Name: "fail", Handler: func(context.Context, Params) (any, error) {
		return nil, &Error{Code: 900, Message: "duplicate label"}
	}})
	table.Add(Method{Name: "block", Handler: func(ctx context.Context, _ Params) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}})
	dir, err := os.MkdirTemp("", "fulmen-rpc-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "lightning-rpc")
	srv := NewServer(table, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.ListenUnix(path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return NewClient(path), path
}

func TestSocketMode(t *testing.T) {
	_, path := startServer(t)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, want 0600", info.Mode().Perm())
	}
}

func TestCalls(t *testing.T) {
	client, _ := startServer(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		method   string
		params   any
		want     string
		wantCode int
	}{
		{"positional", "echo", []any{"a", 3}, `{"count":3,"label":"a"}`, 0},
		{"named", "echo", map[string]any{"label": "b"}, `{"count":null,"label":"b"}`, 0},
		{"number as label", "echo", []any{42}, `{"count":null,"label":"42"}`, 0},
		{"string number", "echo", map[string]any{"label": "x", "count": "7"}, `{"count":7,"label":"x"}`, 0},
		{"missing required", "echo", []any{}, "", CodeInvalidParams},
		{"too many", "echo", []any{"a", 1, 2}, "", CodeInvalidParams},
		{"unknown named", "echo", map[string]any{"label": "a", "colour": 1}, "", CodeInvalidParams},
		{"bad type", "echo", map[string]any{"label": "a", "count": -1}, "", CodeInvalidParams},
		{"unknown method", "nosuch", nil, "", CodeMethodNotFound},
		{"panic", "boom", nil, "", CodeLightningd},
		{"custom code", "fail", nil, "", 900},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got json.RawMessage
			err := client.Call(ctx, tc.method, tc.params, &got)
			if tc.wantCode != 0 {
				var rerr *Error
				if !errors.As(err, &rerr) || rerr.Code != tc.wantCode {
					t.Fatalf("err = %v, want code %d", err, tc.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestUnknownMethodMessageLikeCLN(t *testing.T) {
	client, _ := startServer(t)
	err := client.Call(context.Background(), "frobnicate", nil, nil)
	var rerr *Error
	if !errors.As(err, &rerr) || rerr.Message != "Unknown command 'frobnicate'" {
		t.Fatalf("got %v", err)
	}
}

func TestHelp(t *testing.T) {
	client, _ := startServer(t)
	var reply HelpReply
	if err := client.Call(context.Background(), "help", nil, &reply); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range reply.Help {
		names = append(names, h.Command)
	}
	if got := strings.Join(names, ","); !strings.Contains(got, "echo label [count]") || !strings.Contains(got, "help [command]") {
		t.Fatalf("help lists %q", got)
	}
	if err := client.Call(context.Background(), "help", []any{"echo"}, &reply); err != nil || len(reply.Help) != 1 {
		t.Fatalf("help echo: %v %+v", err, reply)
	}
}

// rawExchange writes raw bytes to the socket and reads one reply.
func rawExchange(t *testing.T, path, send string) map[string]any {
	t.Helper()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, send); err != nil {
		t.Fatal(err)
	}
	var reply map[string]any
	if err := json.NewDecoder(bufio.NewReader(conn)).Decode(&reply); err != nil {
		t.Fatalf("no reply to %q: %v", send, err)
	}
	return reply
}

func TestMalformedRequests(t *testing.T) {
	client, path := startServer(t)
	tests := []struct {
		send string
		code float64
	}{
		{`{"id":1,"method":"echo","params":["a"`, CodeParseError}, // truncated, then EOF on close
		{`nonsense`, CodeParseError},
		{`[1,2,3]`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","method":"echo","params":["a"]}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":1,"params":["a"]}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":1,"method":"echo","params":"a"}`, CodeInvalidRequest},
		{`{"jsonrpc":"2.0","id":1,"method":"echo","params":{"label":{"x":1}}}`, CodeInvalidParams},
	}
	for _, tc := range tests {
		send := tc.send
		if tc.code == CodeParseError && strings.HasSuffix(send, `"a"`) {
			// Close our write side so the server sees the truncation.
			conn, err := net.Dial("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(conn, send)
			conn.(*net.UnixConn).CloseWrite()
			var reply map[string]any
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			if err := json.NewDecoder(conn).Decode(&reply); err != nil {
				t.Fatalf("%q: %v", send, err)
			}
			conn.Close()
			checkCode(t, send, reply, tc.code)
			continue
		}
		checkCode(t, send, rawExchange(t, path, send), tc.code)
	}
	// The server still serves well-formed requests afterwards.
	if err := client.Call(context.Background(), "echo", []any{"ok"}, nil); err != nil {
		t.Fatalf("server broken after malformed input: %v", err)
	}
}

func checkCode(t *testing.T, send string, reply map[string]any, want float64) {
	t.Helper()
	errObj, ok := reply["error"].(map[string]any)
	if !ok {
		t.Fatalf("%q: no error in %v", send, reply)
	}
	if errObj["code"] != want {
		t.Fatalf("%q: code %v, want %v (%v)", send, errObj["code"], want, errObj["message"])
	}
}

func TestPipelinedRequestsOnOneConnection(t *testing.T) {
	_, path := startServer(t)
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, `{"id":1,"method":"echo","params":["x"]}{"id":2,"method":"echo","params":["y"]}`)
	dec := json.NewDecoder(conn)
	seen := map[float64]bool{}
	for i := 0; i < 2; i++ {
		var reply map[string]any
		if err := dec.Decode(&reply); err != nil {
			t.Fatal(err)
		}
		seen[reply["id"].(float64)] = true
	}
	if !seen[1] || !seen[2] {
		t.Fatalf("replies for %v", seen)
	}
}

func TestClientCancelStopsCall(t *testing.T) {
	client, _ := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := client.Call(ctx, "block", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want deadline exceeded", err)
	}
}
