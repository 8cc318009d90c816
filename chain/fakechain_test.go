package chain

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// fakeChain is an in-memory BlockSource: every block ever mined stays
// known by hash (until forgotten), and best lists the best chain by height.
// Blocks are labelled "<branch><height>" ("a5", "b6") so that expected
// events read like "-5:a5 +5:b5".
type fakeChain struct {
	blocks map[chainhash.Hash]*wire.MsgBlock
	labels map[chainhash.Hash]string
	best   []chainhash.Hash
	nonce  uint32

	calls    int    // BlockSource calls so far
	failAt   int    // when > 0, the call with this number fails with errBackend
	onBlock  func() // run before each Block answer (to change the chain mid-sync)
	wrongFor string // label of a block for which Block returns another block
}

var errBackend = errors.New("fake backend down")

func newFakeChain() *fakeChain {
	c := &fakeChain{blocks: map[chainhash.Hash]*wire.MsgBlock{}, labels: map[chainhash.Hash]string{}}
	c.add("g", chainhash.Hash{})
	return c
}

func (c *fakeChain) add(label string, prev chainhash.Hash) {
	c.nonce++
	block := &wire.MsgBlock{Header: wire.BlockHeader{
		Version:   4,
		PrevBlock: prev,
		Timestamp: time.Unix(1_600_000_000+int64(c.nonce), 0),
		Bits:      0x207fffff,
		Nonce:     c.nonce,
	}}
	hash := block.BlockHash()
	c.blocks[hash] = block
	c.labels[hash] = label
	c.best = append(c.best, hash)
}

func (c *fakeChain) height() lnwire.BlockHeight { return lnwire.BlockHeight(len(c.best) - 1) }

func (c *fakeChain) mine(branch string, n int) {
	for range n {
		c.add(branch+strconv.Itoa(len(c.best)), c.best[len(c.best)-1])
	}
}

func (c *fakeChain) hashOf(label string) chainhash.Hash {
	for hash, l := range c.labels {
		if l == label {
			return hash
		}
	}
	panic("no block " + label)
}

// run applies a script such as "mine a 5; rewind 2; mine b 3; forget a4".
func (c *fakeChain) run(t testing.TB, script string) {
	t.Helper()
	for cmd := range strings.SplitSeq(script, ";") {
		fields := strings.Fields(cmd)
		if len(fields) == 0 {
			continue
		}
		switch {
		case fields[0] == "mine" && len(fields) == 3:
			n, err := strconv.Atoi(fields[2])
			if err != nil {
				t.Fatalf("bad script %q: %v", cmd, err)
			}
			c.mine(fields[1], n)
		case fields[0] == "rewind" && len(fields) == 2:
			n, err := strconv.Atoi(fields[1])
			if err != nil || n >= len(c.best) {
				t.Fatalf("bad script %q", cmd)
			}
			c.best = c.best[:len(c.best)-n]
		case fields[0] == "forget" && len(fields) == 2:
			hash := c.hashOf(fields[1])
			delete(c.blocks, hash)
		default:
			t.Fatalf("bad script command %q", cmd)
		}
	}
}

func (c *fakeChain) call() error {
	c.calls++
	if c.failAt > 0 && c.calls == c.failAt {
		return errBackend
	}
	return nil
}

func (c *fakeChain) BlockCount(context.Context) (lnwire.BlockHeight, error) {
	if err := c.call(); err != nil {
		return 0, err
	}
	return c.height(), nil
}

func (c *fakeChain) BlockHash(_ context.Context, height lnwire.BlockHeight) (chainhash.Hash, error) {
	if err := c.call(); err != nil {
		return chainhash.Hash{}, err
	}
	if int(height) >= len(c.best) {
		return chainhash.Hash{}, fmt.Errorf("height %d: %w", height, ErrNotFound)
	}
	return c.best[height], nil
}

func (c *fakeChain) BlockHeader(_ context.Context, hash chainhash.Hash) (*wire.BlockHeader, error) {
	if err := c.call(); err != nil {
		return nil, err
	}
	block, ok := c.blocks[hash]
	if !ok {
		return nil, fmt.Errorf("header %s: %w", hash, ErrNotFound)
	}
	header := block.Header
	return &header, nil
}

func (c *fakeChain) Block(_ context.Context, hash chainhash.Hash) (*wire.MsgBlock, error) {
	if err := c.call(); err != nil {
		return nil, err
	}
	if c.onBlock != nil {
		c.onBlock()
	}
	block, ok := c.blocks[hash]
	if !ok {
		return nil, fmt.Errorf("block %s: %w", hash, ErrNotFound)
	}
	if c.wrongFor != "" && c.labels[hash] == c.wrongFor {
		return c.blocks[c.best[0]], nil
	}
	return block, nil
}

// render writes events as "-5:a5 +5:b5".
func (c *fakeChain) render(events []Event) string {
	parts := make([]string, 0, len(events))
	for _, e := range events {
		sign := "+"
		if e.Kind == BlockDisconnected {
			sign = "-"
		}
		label, ok := c.labels[e.Hash]
		if !ok {
			label = e.Hash.String()[:8]
		}
		if e.Kind == BlockConnected && (e.Block == nil || e.Block.BlockHash() != e.Hash) {
			label += "(bad block)"
		}
		parts = append(parts, fmt.Sprintf("%s%d:%s", sign, e.Height, label))
	}
	return strings.Join(parts, " ")
}

// chainModel replays events the way a consumer would, and checks that
// they are applicable: a disconnect removes the current tip, a connect
// extends it by one.
type chainModel struct {
	refs []BlockRef
}

func (m *chainModel) apply(events []Event) error {
	for _, e := range events {
		switch e.Kind {
		case BlockDisconnected:
			if len(m.refs) == 0 {
				return fmt.Errorf("%v: nothing to disconnect", e)
			}
			tip := m.refs[len(m.refs)-1]
			if tip.Height != e.Height || tip.Hash != e.Hash {
				return fmt.Errorf("%v: tip is %v", e, tip)
			}
			m.refs = m.refs[:len(m.refs)-1]
		case BlockConnected:
			if n := len(m.refs); n > 0 {
				tip := m.refs[n-1]
				if e.Height != tip.Height+1 || e.Block.Header.PrevBlock != tip.Hash {
					return fmt.Errorf("%v: does not extend %v", e, tip)
				}
			}
			m.refs = append(m.refs, BlockRef{Height: e.Height, Hash: e.Hash})
		default:
			return fmt.Errorf("bad event kind %v", e.Kind)
		}
	}
	return nil
}

// matches reports whether the model is the fake's best chain from start.
func (m *chainModel) matches(c *fakeChain, start lnwire.BlockHeight) error {
	want := c.best[min(int(start), len(c.best)):]
	if len(m.refs) != len(want) {
		return fmt.Errorf("model has %d blocks, best chain %d from height %d", len(m.refs), len(want), start)
	}
	for i, ref := range m.refs {
		if ref.Height != start+lnwire.BlockHeight(i) || ref.Hash != want[i] {
			return fmt.Errorf("model block %d is %v, best chain has %s", i, ref, c.labels[want[i]])
		}
	}
	return nil
}
