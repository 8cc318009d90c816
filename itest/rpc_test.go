package itest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/rpc"
)

func TestRPCErrorsAndCLI(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	alice := net.AddNode(t, "alice")
	ctx := context.Background()

	var rerr *rpc.Error
	if err := alice.Call(ctx, "frobnicate", nil, nil); !errors.As(err, &rerr) || rerr.Code != rpc.CodeMethodNotFound {
		t.Fatalf("unknown method: %v", err)
	}
	if err := alice.Call(ctx, "getinfo", []any{1, 2}, nil); !errors.As(err, &rerr) || rerr.Code != rpc.CodeInvalidParams {
		t.Fatalf("extra params: %v", err)
	}

	// Malformed JSON gets a parse error, and the daemon keeps serving.
	reply := rawRequest(t, alice.RPCPath(), `{"id":1,"method":`)
	if !strings.Contains(reply, "-32700") {
		t.Fatalf("malformed request reply: %s", reply)
	}
	reply = rawRequest(t, alice.RPCPath(), `{"id":1,"method":"getinfo","params":"x"}`)
	if !strings.Contains(reply, "-32600") {
		t.Fatalf("bad params reply: %s", reply)
	}
	info(t, alice)

	// The CLI: pretty JSON on success, exit 1 with the error on failure.
	cli := func(args ...string) (string, string, int) {
		cmd := exec.Command(net.Binaries().FulmenCLI, append([]string{"--lightning-dir=" + alice.LightningDir}, args...)...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		}
		return stdout.String(), stderr.String(), code
	}
	out, _, code := cli("getinfo")
	var gi getinfo
	if code != 0 || json.Unmarshal([]byte(out), &gi) != nil || gi.Alias != "alice" {
		t.Fatalf("cli getinfo: exit %d, %q", code, out)
	}
	out, _, code = cli("-H", "getinfo")
	if code != 0 || !strings.Contains(out, "alias=alice") {
		t.Fatalf("cli -H getinfo: exit %d, %q", code, out)
	}
	_, errOut, code := cli("nosuchmethod")
	if code != 1 || !strings.Contains(errOut, "Unknown command 'nosuchmethod'") {
		t.Fatalf("cli unknown method: exit %d, %q", code, errOut)
	}
	out, _, code = cli("help", "getinfo")
	if code != 0 || !strings.Contains(out, "getinfo") {
		t.Fatalf("cli help getinfo: exit %d, %q", code, out)
	}
	// stop ends the daemon; the CLI then says clearly that nothing answers.
	if out, _, code = cli("stop"); code != 0 || !strings.Contains(out, "Shutdown complete") {
		t.Fatalf("cli stop: exit %d, %q", code, out)
	}
	waitFor(t, 20*time.Second, "daemon to exit after stop", alice.Exited)
	_, errOut, code = cli("getinfo")
	if code != 2 || !strings.Contains(errOut, "cannot reach fulmend") {
		t.Fatalf("cli without daemon: exit %d, %q", code, errOut)
	}
}

// rawRequest writes bytes to the RPC socket and returns the first reply.
func rawRequest(t *testing.T, path, body string) string {
	t.Helper()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, body)
	conn.(*net.UnixConn).CloseWrite()
	var reply json.RawMessage
	if err := json.NewDecoder(conn).Decode(&reply); err != nil {
		t.Fatalf("no reply to %q: %v", body, err)
	}
	return string(reply)
}
