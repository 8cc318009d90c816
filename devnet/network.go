package devnet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Network is a regtest chain and the fulmend nodes on it.
type Network struct {
	Dir   string
	Chain *Btcd
	bin   Binaries
	nodes []*Node
}

// NewNetwork builds the binaries (into binDir, or a temporary directory
// when empty; once per process), starts a chain in dir and mines
// initialBlocks blocks.
func NewNetwork(ctx context.Context, dir, binDir string, initialBlocks int) (*Network, error) {
	bin, err := Build(ctx, binDir)
	if err != nil {
		return nil, err
	}
	chain, err := StartBtcd(ctx, filepath.Join(dir, "btcd"))
	if err != nil {
		return nil, err
	}
	if initialBlocks > 0 {
		if err := chain.Mine(ctx, initialBlocks); err != nil {
			chain.Stop()
			return nil, err
		}
	}
	return &Network{Dir: dir, Chain: chain, bin: bin}, nil
}

// Binaries are the built fulmend and fulmen-cli.
func (n *Network) Binaries() Binaries { return n.bin }

// Nodes lists the nodes in the order they were added.
func (n *Network) Nodes() []*Node { return n.nodes }

// AddNode starts a new fulmend named name in dir/name.
func (n *Network) AddNode(ctx context.Context, name string, opts NodeOptions) (*Node, error) {
	dir := filepath.Join(n.Dir, name)
	if _, err := os.Stat(dir); err == nil {
		return nil, fmt.Errorf("devnet: node %q exists", name)
	}
	node, err := NewNode(ctx, n.bin, n.Chain.Backend(), dir, name, opts)
	if err != nil {
		return nil, err
	}
	n.nodes = append(n.nodes, node)
	return node, nil
}

// Close stops every node, then the chain.
func (n *Network) Close(ctx context.Context) {
	for _, node := range n.nodes {
		node.Stop(ctx)
	}
	n.Chain.Stop()
}
