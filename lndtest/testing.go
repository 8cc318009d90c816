package lndtest

import (
	"context"
	"os"
	"testing"
	"time"
)

// SkipEnv names the environment variable that, set to 1, skips every test
// that needs lnd.
const SkipEnv = "FULMEN_SKIP_LND"

// callTimeout bounds each call the *testing.T wrappers make.
const callTimeout = 2 * time.Minute

// RequireBinaries returns lnd and lncli for a test, building them the first
// time on this machine (minutes), or fails the test. With FULMEN_SKIP_LND=1
// it skips the test, saying so.
func RequireBinaries(t testing.TB) Binaries {
	t.Helper()
	if os.Getenv(SkipEnv) == "1" {
		t.Skipf("%s=1: skipping the interoperability test against lnd %s", SkipEnv, Version)
	}
	// Leave the test time to fail cleanly, with advice, before go test's
	// -timeout (10m by default) panics: a cold build takes about as long.
	deadline := time.Now().Add(30 * time.Minute)
	if d, ok := testDeadline(t); ok && d.Add(-time.Minute).Before(deadline) {
		deadline = d.Add(-time.Minute)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	bin, err := Install(ctx)
	if err != nil {
		if ctx.Err() != nil {
			t.Fatalf("building lnd %s did not finish before the test deadline (it takes 7-9 minutes on "+
				"2 cores; the Go build cache keeps the progress): run scripts/install-lnd.sh once, or "+
				"go test -timeout 30m\n%v", Version, err)
		}
		t.Fatal(err)
	}
	t.Logf("lnd %s in %s (install step took %s)", Version, bin.Dir, time.Since(start).Round(time.Millisecond))
	return bin
}

// testDeadline is t's deadline when t is a *testing.T run with -timeout.
func testDeadline(t testing.TB) (time.Time, bool) {
	if dt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		return dt.Deadline()
	}
	return time.Time{}, false
}

// TestNode is a Node whose methods fail the test instead of returning
// errors. The context-taking methods stay reachable through Node.
type TestNode struct {
	*Node
	t testing.TB
}

// StartT starts lnd for the test or fails it. An empty opts.Dir becomes a
// fresh temporary directory. lnd is stopped when the test ends, and the tail
// of its log is printed if the test failed.
func StartT(t testing.TB, bin Binaries, opts Options) *TestNode {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	node, err := Start(t.Context(), bin, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- lnd %s log tail (%s) ---\n%s", node.Pubkey(), node.LogPath(), node.LogTail(80))
		}
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		if err := node.Stop(ctx); err != nil {
			t.Errorf("stopping lnd: %v", err)
		}
	})
	return &TestNode{Node: node, t: t}
}

func (tn *TestNode) context() (context.Context, context.CancelFunc) {
	return context.WithTimeout(tn.t.Context(), callTimeout)
}

// GetInfo returns lnd's GetInfo or fails the test.
func (tn *TestNode) GetInfo() Info {
	tn.t.Helper()
	ctx, cancel := tn.context()
	defer cancel()
	info, err := tn.Node.GetInfo(ctx)
	if err != nil {
		tn.t.Fatal(err)
	}
	return info
}

// NewAddress returns a new wallet address or fails the test.
func (tn *TestNode) NewAddress(kind AddressType) string {
	tn.t.Helper()
	ctx, cancel := tn.context()
	defer cancel()
	addr, err := tn.Node.NewAddress(ctx, kind)
	if err != nil {
		tn.t.Fatal(err)
	}
	return addr
}

// WalletBalance returns the on-chain balance or fails the test.
func (tn *TestNode) WalletBalance() Balance {
	tn.t.Helper()
	ctx, cancel := tn.context()
	defer cancel()
	b, err := tn.Node.WalletBalance(ctx)
	if err != nil {
		tn.t.Fatal(err)
	}
	return b
}

// ConnectPeer connects lnd to pubkey at host or fails the test.
func (tn *TestNode) ConnectPeer(pubkey, host string) {
	tn.t.Helper()
	ctx, cancel := tn.context()
	defer cancel()
	if err := tn.Node.ConnectPeer(ctx, pubkey, host); err != nil {
		tn.t.Fatal(err)
	}
}

// ListPeers returns lnd's peers or fails the test.
func (tn *TestNode) ListPeers() []Peer {
	tn.t.Helper()
	ctx, cancel := tn.context()
	defer cancel()
	peers, err := tn.Node.ListPeers(ctx)
	if err != nil {
		tn.t.Fatal(err)
	}
	return peers
}

// AddInvoice adds an invoice or fails the test.
func (tn *TestNode) AddInvoice(req InvoiceRequest) AddedInvoice {
	tn.t.Helper()
	ctx, cancel := tn.context()
	defer cancel()
	added, err := tn.Node.AddInvoice(ctx, req)
	if err != nil {
		tn.t.Fatal(err)
	}
	return added
}

// WaitForHeight waits until lnd is synced at height or fails the test.
func (tn *TestNode) WaitForHeight(height uint32) Info {
	tn.t.Helper()
	ctx, cancel := tn.context()
	defer cancel()
	info, err := tn.Node.WaitForHeight(ctx, height)
	if err != nil {
		tn.t.Fatal(err)
	}
	return info
}

// Restart restarts lnd or fails the test.
func (tn *TestNode) Restart() {
	tn.t.Helper()
	ctx, cancel := tn.context()
	defer cancel()
	if err := tn.Node.Restart(ctx); err != nil {
		tn.t.Fatal(err)
	}
}

// Disconnect drops the connection to pubkey or fails the test.
func (tn *TestNode) Disconnect(pubkey string) {
	tn.t.Helper()
	ctx, cancel := tn.context()
	defer cancel()
	if err := tn.Node.Disconnect(ctx, pubkey); err != nil {
		tn.t.Fatal(err)
	}
}
