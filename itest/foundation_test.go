package itest

import (
	"context"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/rpc"
)

type getinfo struct {
	ID          string `json:"id"`
	Alias       string `json:"alias"`
	Color       string `json:"color"`
	BlockHeight uint32 `json:"blockheight"`
	Network     string `json:"network"`
	Version     string `json:"version"`
	Dir         string `json:"lightning-dir"`
}

func info(t *testing.T, n *devnet.Node) getinfo {
	t.Helper()
	var gi getinfo
	if err := n.Call(context.Background(), "getinfo", nil, &gi); err != nil {
		t.Fatalf("getinfo on %s: %v", n.Name, err)
	}
	return gi
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestTwoNodesSideBySideFollowTheChain(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	alice := net.AddNode(t, "alice")
	bob := net.AddNode(t, "bob")

	a, b := info(t, alice), info(t, bob)
	if a.ID == b.ID {
		t.Fatal("two nodes share an id")
	}
	for _, gi := range []getinfo{a, b} {
		if raw, err := hex.DecodeString(gi.ID); err != nil || len(raw) != 33 {
			t.Fatalf("id %q is not a 33-byte key", gi.ID)
		}
		// Like Core Lightning, the color is the first three bytes of the id.
		if gi.Color != gi.ID[:6] {
			t.Fatalf("color %q, want %q", gi.Color, gi.ID[:6])
		}
		if gi.Network != "regtest" {
			t.Fatalf("network %q", gi.Network)
		}
	}
	if a.Alias != "alice" || b.Alias != "bob" {
		t.Fatalf("aliases %q %q", a.Alias, b.Alias)
	}
	height := net.Height(t)
	if a.BlockHeight != height || b.BlockHeight != height {
		t.Fatalf("blockheight %d/%d, chain at %d", a.BlockHeight, b.BlockHeight, height)
	}

	net.Mine(t, 3)
	waitFor(t, 15*time.Second, "getinfo blockheight to follow the chain", func() bool {
		return info(t, alice).BlockHeight == height+3 && info(t, bob).BlockHeight == height+3
	})
}

func TestRestartKeepsIdentityAndSecondDaemonIsRefused(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	alice := net.AddNode(t, "alice")
	before := info(t, alice)

	secret := filepath.Join(alice.NetworkDir(), "hsm_secret")
	st, err := os.Stat(secret)
	if err != nil || st.Mode().Perm() != 0o400 {
		t.Fatalf("hsm_secret: %v, mode %v", err, st.Mode().Perm())
	}

	// A second daemon on the same directory refuses to start.
	out, err := exec.Command(net.Binaries().Fulmend, "--lightning-dir="+alice.LightningDir).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("second daemon: err=%v output=%s", err, out)
	}
	if !strings.Contains(string(out), "already running") {
		t.Fatalf("second daemon message: %s", out)
	}
	// ...and did not disturb the first.
	if after := info(t, alice); after.ID != before.ID {
		t.Fatal("first daemon changed after the refused second start")
	}

	if err := alice.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after := info(t, alice); after.ID != before.ID {
		t.Fatalf("node id changed across restart: %s -> %s", before.ID, after.ID)
	}
}

func TestCrashedDaemonRestartsCleanly(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	alice := net.AddNode(t, "alice")
	before := info(t, alice)
	alice.Kill() // SIGKILL: stale socket and pid file stay behind
	if err := alice.Start(context.Background()); err != nil {
		t.Fatalf("restart after kill: %v", err)
	}
	if info(t, alice).ID != before.ID {
		t.Fatal("node id changed after a crash")
	}
}

// runFulmend runs the daemon binary with args and returns its exit code and
// combined output, failing the test if it does not exit in time.
func runFulmend(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("fulmend %v did not exit: %s", args, out)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func TestBadConfigurationIsOneClearLine(t *testing.T) {
	t.Parallel()
	bin := devnet.BuildT(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config"), []byte("network=regtest\n# fine\ncolour=red\n"), 0o600)

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown option in file", []string{"--lightning-dir=" + dir}, `config:3: unknown option "colour"`},
		{"unknown flag", []string{"--lightning-dir=" + t.TempDir(), "--frobnicate"}, "frobnicate"},
		{"bad value", []string{"--lightning-dir=" + t.TempDir(), "--rgb=zz"}, "rgb"},
		{"bad network", []string{"--lightning-dir=" + t.TempDir(), "--network=moon"}, "network"},
	}
	for _, tc := range tests {
		code, out := runFulmend(t, bin.Fulmend, tc.args...)
		if code != 1 || !strings.Contains(out, tc.want) {
			t.Errorf("%s: exit %d, output %q; want exit 1 mentioning %q", tc.name, code, out, tc.want)
		}
		if lines := strings.Count(strings.TrimSpace(out), "\n"); lines != 0 {
			t.Errorf("%s: %d lines of output, want one: %q", tc.name, lines+1, out)
		}
	}
}

func TestUnreachableBackendFailsClearly(t *testing.T) {
	t.Parallel()
	bin := devnet.BuildT(t)
	// A port nothing listens on: bind one, then close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	code, out := runFulmend(t, bin.Fulmend, "--lightning-dir="+dir, "--network=regtest",
		"--bitcoin-rpcport="+strconv.Itoa(port), "--bitcoin-rpcuser=u", "--bitcoin-retry-timeout=2", "--log-file="+filepath.Join(dir, "log"))
	if code != 1 || !strings.Contains(out, "unreachable") {
		t.Fatalf("exit %d, output %q", code, out)
	}
	// It left nothing locked: the pid file is gone.
	if _, err := os.Stat(filepath.Join(dir, "fulmend-regtest.pid")); !os.IsNotExist(err) {
		t.Fatalf("pid file left behind: %v", err)
	}
}

func TestBackendOnAnotherNetworkIsRefused(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	b := net.Backend()
	dir := t.TempDir()
	code, out := runFulmend(t, net.Binaries().Fulmend, "--lightning-dir="+dir, "--network=testnet",
		"--bitcoin-rpcport="+strconv.Itoa(b.Port), "--bitcoin-rpcuser="+b.User,
		"--bitcoin-rpcpassword="+b.Password, "--bitcoin-rpccert="+b.CertFile,
		"--log-file="+filepath.Join(dir, "log"))
	if code != 1 || !strings.Contains(out, `is on network "regtest", but fulmend is configured for "testnet"`) {
		t.Fatalf("exit %d, output %q", code, out)
	}
	code, out = runFulmend(t, net.Binaries().Fulmend, "--lightning-dir="+dir, "--network=regtest",
		"--bitcoin-rpcport="+strconv.Itoa(b.Port), "--bitcoin-rpcuser="+b.User,
		"--bitcoin-rpcpassword=wrong", "--bitcoin-rpccert="+b.CertFile,
		"--log-file="+filepath.Join(dir, "log"))
	if code != 1 || !strings.Contains(out, "authentication failed") {
		t.Fatalf("wrong password: exit %d, output %q", code, out)
	}
}

func TestDaemonModeDetachesAndStops(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	b := net.Backend()
	dir, err := os.MkdirTemp("", "fulmen-detach-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	pidFile := filepath.Join(dir, "fulmend-regtest.pid")
	code, out := runFulmend(t, net.Binaries().Fulmend, "--lightning-dir="+dir, "--network=regtest", "--daemon",
		"--bitcoin-rpcport="+strconv.Itoa(b.Port), "--bitcoin-rpcuser="+b.User,
		"--bitcoin-rpcpassword="+b.Password, "--bitcoin-rpccert="+b.CertFile,
		"--log-file="+filepath.Join(dir, "log"))
	if code != 0 {
		t.Fatalf("--daemon: exit %d, %q", code, out)
	}
	pidText, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(pidText)))
	if pid == 0 {
		t.Fatalf("no pid in %s", pidFile)
	}
	defer func() { // if the test fails half-way, do not leave our daemon behind
		if p, err := os.FindProcess(pid); err == nil {
			p.Signal(os.Kill)
		}
	}()
	client := rpc.NewClient(filepath.Join(dir, "regtest", "lightning-rpc"))
	var gi getinfo
	if err := client.Call(context.Background(), "getinfo", nil, &gi); err != nil || gi.Network != "regtest" {
		t.Fatalf("detached daemon getinfo: %+v %v", gi, err)
	}
	if err := client.Call(context.Background(), "stop", nil, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "detached daemon to remove its pid file", func() bool {
		_, err := os.Stat(pidFile)
		return os.IsNotExist(err)
	})
}
