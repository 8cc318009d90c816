package devnet

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/regtest"
)

// Network is a regtest chain and the fulmend nodes on it.
type Network struct {
	Dir   string
	Chain *regtest.Harness
	bin   Binaries
	nodes []*Node
}

// NewNetwork builds the binaries (into binDir, or a temporary directory
// when empty; once per process) and starts a chain in dir/btcd, mined past
// segwit activation with mature coinbases (regtest.SetupHeight) so that
// Fund works at once.
func NewNetwork(ctx context.Context, dir, binDir string) (*Network, error) {
	bin, err := Build(ctx, binDir)
	if err != nil {
		return nil, err
	}
	chain, err := regtest.New(ctx, regtest.Options{Dir: filepath.Join(dir, "btcd")})
	if err != nil {
		return nil, err
	}
	return &Network{Dir: dir, Chain: chain, bin: bin}, nil
}

// Binaries are the built fulmend and fulmen-cli.
func (n *Network) Binaries() Binaries { return n.bin }

// Nodes lists the nodes in the order they were added.
func (n *Network) Nodes() []*Node { return n.nodes }

// Backend is how daemons reach the chain.
func (n *Network) Backend() Backend {
	rpc := n.Chain.RPC()
	host, portText, _ := net.SplitHostPort(rpc.Host)
	port, _ := strconv.Atoi(portText)
	return Backend{Host: host, Port: port, User: rpc.User, Password: rpc.Pass, CertFile: rpc.CertPath}
}

// AddNode starts a new fulmend named name in dir/name.
func (n *Network) AddNode(ctx context.Context, name string, opts NodeOptions) (*Node, error) {
	dir := filepath.Join(n.Dir, name)
	if _, err := os.Stat(dir); err == nil {
		return nil, fmt.Errorf("devnet: node %q exists", name)
	}
	node, err := NewNode(ctx, n.bin, n.Backend(), dir, name, opts)
	if err != nil {
		return nil, err
	}
	n.nodes = append(n.nodes, node)
	return node, nil
}

// Mine mines n blocks.
func (n *Network) Mine(ctx context.Context, blocks uint32) ([]chainhash.Hash, error) {
	return n.Chain.Mine(ctx, blocks)
}

// Fund pays amount to address from the chain's mining key (unconfirmed
// until the next Mine).
func (n *Network) Fund(ctx context.Context, address string, amount lnwire.Satoshi) (chainhash.Hash, error) {
	return n.Chain.Fund(ctx, address, amount)
}

// Close stops every node, then the chain.
func (n *Network) Close(ctx context.Context) {
	for _, node := range n.nodes {
		node.Stop(ctx)
	}
	n.Chain.Close()
}
