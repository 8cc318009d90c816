package devnet

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/fulmen-ln/fulmen/lnwire"

	"context"
	"os"
	"testing"
)

// TestNetwork wraps Network for tests: failures fail the test, and the
// logs of every node are printed when the test failed.
type TestNetwork struct {
	*Network
	t testing.TB
}

// Start starts a chain (mined to regtest.SetupHeight: segwit active,
// coinbases mature) for the test and stops everything when it ends.
func Start(t testing.TB) *TestNetwork {
	t.Helper()
	dir, err := os.MkdirTemp("", "fulmen-devnet-") // short: Unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n, err := NewNetwork(ctx, dir, "")
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	tn := &TestNetwork{Network: n, t: t}
	t.Cleanup(func() {
		if t.Failed() {
			for _, node := range n.nodes {
				t.Logf("--- log of %s (%s) ---\n%s", node.Name, node.LightningDir, node.LogTail(60))
			}
		}
		n.Close(ctx)
		if !t.Failed() || os.Getenv("FULMEN_KEEP") == "" {
			os.RemoveAll(dir)
		}
	})
	return tn
}

// AddNode starts a node or fails the test.
func (tn *TestNetwork) AddNode(t testing.TB, name string, extra ...string) *Node {
	t.Helper()
	node, err := tn.Network.AddNode(context.Background(), name, NodeOptions{Extra: extra})
	if err != nil {
		t.Fatal(err)
	}
	return node
}

// Mine mines n blocks or fails the test.
func (tn *TestNetwork) Mine(t testing.TB, n int) {
	t.Helper()
	if _, err := tn.Chain.Mine(context.Background(), uint32(n)); err != nil {
		t.Fatal(err)
	}
}

// Height is the chain height, or fails the test.
func (tn *TestNetwork) Height(t testing.TB) uint32 {
	t.Helper()
	h, err := tn.Chain.Height(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return uint32(h)
}

// BuildT builds the binaries or fails the test.
func BuildT(t testing.TB) Binaries {
	t.Helper()
	b, err := Build(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Fund pays amount satoshis to address and fails the test on error.
func (tn *TestNetwork) Fund(t testing.TB, address string, amount lnwire.Satoshi) chainhash.Hash {
	t.Helper()
	txid, err := tn.Network.Fund(context.Background(), address, amount)
	if err != nil {
		t.Fatal(err)
	}
	return txid
}
