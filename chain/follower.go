package chain

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// EventKind says what happened to a block.
type EventKind uint8

// The two kinds of event a Follower emits.
const (
	// BlockConnected: the block is now part of the best chain, on top of
	// the previously connected one.
	BlockConnected EventKind = iota + 1
	// BlockDisconnected: the block, the current tip of what was processed,
	// left the best chain in a reorganisation.
	BlockDisconnected
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case BlockConnected:
		return "connected"
	case BlockDisconnected:
		return "disconnected"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one step of the follower's view of the best chain. Applying the
// events of a Sync in order moves a consumer from the old tip to the new one.
type Event struct {
	Kind   EventKind
	Height lnwire.BlockHeight
	Hash   chainhash.Hash
	Block  *wire.MsgBlock // set for BlockConnected only
}

// String formats the event as "connected 105:hash".
func (e Event) String() string { return fmt.Sprintf("%s %d:%s", e.Kind, e.Height, e.Hash) }

// Errors of the Follower.
var (
	// ErrDeepReorg: no common ancestor was found within MaxReorgDepth
	// blocks of the processed tip, or a stale block of the processed chain
	// is unknown to the backend (a wiped regtest chain, another network).
	ErrDeepReorg = errors.New("chain: reorganisation deeper than the follower can follow")

	// ErrBadBlock: the backend returned a block whose hash is not the one
	// asked for.
	ErrBadBlock = errors.New("chain: backend returned the wrong block")
)

// Defaults for FollowerConfig.
const (
	DefaultKeepBlocks    = 144
	DefaultMaxConnect    = 100
	DefaultMaxReorgDepth = 2016
)

// FollowerConfig sets up a Follower. The zero value follows the chain from
// the genesis block with the defaults.
type FollowerConfig struct {
	// KeepBlocks is how many of the most recently processed blocks the
	// follower remembers (N). Deeper reorganisations are still followed by
	// walking the stale blocks' headers back, up to MaxReorgDepth.
	KeepBlocks int
	// MaxConnect bounds the BlockConnected events of one Sync, so that
	// catching up many blocks never holds them all in memory.
	MaxConnect int
	// MaxReorgDepth bounds the BlockDisconnected events of one Sync.
	MaxReorgDepth int
	// StartHeight is the first height ever reported: with nothing
	// processed, the first BlockConnected is at StartHeight, and blocks
	// below it are never disconnected.
	StartHeight lnwire.BlockHeight
	// Processed are the persisted last processed blocks, contiguous and
	// ascending by height (the last one is the tip), for a restart. Empty
	// means nothing processed yet. A caller that persisted only the last
	// processed height h can instead start with StartHeight h+1; it then
	// does not learn of a reorganisation at or below h that happened while
	// it was down.
	Processed []BlockRef
}

// ErrBadConfig: a FollowerConfig is inconsistent.
var ErrBadConfig = errors.New("chain: bad follower config")

func (c FollowerConfig) withDefaults() FollowerConfig {
	if c.KeepBlocks == 0 {
		c.KeepBlocks = DefaultKeepBlocks
	}
	if c.MaxConnect == 0 {
		c.MaxConnect = DefaultMaxConnect
	}
	if c.MaxReorgDepth == 0 {
		c.MaxReorgDepth = DefaultMaxReorgDepth
	}
	return c
}

// Validate checks the config (after defaults are applied).
func (c FollowerConfig) Validate() error {
	c = c.withDefaults()
	if c.KeepBlocks < 1 || c.MaxConnect < 1 || c.MaxReorgDepth < 1 {
		return fmt.Errorf("%w: KeepBlocks, MaxConnect and MaxReorgDepth must be positive", ErrBadConfig)
	}
	for i, ref := range c.Processed {
		if ref.Height < c.StartHeight {
			return fmt.Errorf("%w: processed block %v below StartHeight %d", ErrBadConfig, ref, c.StartHeight)
		}
		if i > 0 && ref.Height != c.Processed[i-1].Height+1 {
			return fmt.Errorf("%w: processed blocks not contiguous at %v", ErrBadConfig, ref)
		}
	}
	return nil
}

// Follower tracks which blocks of the best chain were processed and turns
// the backend's changes into ordered events. It is not safe for concurrent
// use; it has no goroutines, timers or I/O of its own.
type Follower struct {
	cfg    FollowerConfig
	window []BlockRef // last processed blocks, ascending, contiguous; last is the tip
}

// NewFollower builds a Follower from its config.
func NewFollower(cfg FollowerConfig) (*Follower, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	f := &Follower{cfg: cfg}
	f.window = append(f.window, cfg.Processed...)
	f.trim()
	f.cfg.Processed = nil
	return f, nil
}

// Tip returns the last processed block; ok is false when nothing has been
// processed.
func (f *Follower) Tip() (tip BlockRef, ok bool) {
	if len(f.window) == 0 {
		return BlockRef{}, false
	}
	return f.window[len(f.window)-1], true
}

// Processed returns a copy of the remembered processed blocks, ascending:
// what to persist so that NewFollower can resume after a restart.
func (f *Follower) Processed() []BlockRef {
	return append([]BlockRef(nil), f.window...)
}

// nextHeight is the height of the next block to connect.
func (f *Follower) nextHeight() lnwire.BlockHeight {
	if tip, ok := f.Tip(); ok {
		return tip.Height + 1
	}
	return f.cfg.StartHeight
}

// Sync brings the follower to the backend's best chain, whose tip is at
// tipHeight: it disconnects processed blocks that left the best chain and
// connects new ones, up to MaxConnect of them. The returned events are in
// the order to apply them. When an error stops it midway, the events
// returned with the error are valid, already reflected in the follower's
// state, and must be applied too; calling Sync again resumes.
//
// If the best chain changes while Sync runs, it goes round again (a few
// times); a later Sync picks up whatever it could not finish.
func (f *Follower) Sync(ctx context.Context, src BlockSource, tipHeight lnwire.BlockHeight) ([]Event, error) {
	var events []Event
	for round := 0; round < 3; round++ {
		var err error
		events, err = f.disconnectStale(ctx, src, events)
		if err != nil {
			return events, err
		}
		var changed bool
		events, changed, err = f.connectNew(ctx, src, tipHeight, events)
		if err != nil || !changed {
			return events, err
		}
	}
	return events, nil
}

// disconnectStale walks back from the processed tip until it reaches a
// block that is on the best chain (the fork point), emitting
// BlockDisconnected for every block above it.
func (f *Follower) disconnectStale(ctx context.Context, src BlockSource, events []Event) ([]Event, error) {
	depth := 0
	for {
		tip, ok := f.Tip()
		if !ok {
			return events, nil
		}
		// Ask even when tip.Height > tipHeight: the chain may have grown
		// since tipHeight was read.
		best, err := src.BlockHash(ctx, tip.Height)
		switch {
		case errors.Is(err, ErrNotFound):
			// The best chain is shorter than the processed one: the tip
			// is not on it.
		case err != nil:
			return events, err
		case best == tip.Hash:
			return events, nil
		}
		if depth == f.cfg.MaxReorgDepth {
			return events, fmt.Errorf("%w: no common ancestor within %d blocks of %v", ErrDeepReorg, depth, tip)
		}
		if err := f.popTip(ctx, src); err != nil {
			return events, err
		}
		depth++
		events = append(events, Event{Kind: BlockDisconnected, Height: tip.Height, Hash: tip.Hash})
	}
}

// popTip forgets the processed tip. When it was the only remembered block,
// its parent, learnt from the stale block's header, becomes the tip: every
// block between StartHeight and a processed block was processed too.
func (f *Follower) popTip(ctx context.Context, src BlockSource) error {
	tip := f.window[len(f.window)-1]
	if len(f.window) > 1 {
		f.window = f.window[:len(f.window)-1]
		return nil
	}
	if tip.Height == f.cfg.StartHeight {
		f.window = f.window[:0] // back to nothing processed
		return nil
	}
	header, err := src.BlockHeader(ctx, tip.Hash)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: stale block %v unknown to the backend: %w", ErrDeepReorg, tip, err)
	}
	if err != nil {
		return err
	}
	f.window[0] = BlockRef{Height: tip.Height - 1, Hash: header.PrevBlock}
	return nil
}

// connectNew connects best-chain blocks above the processed tip up to
// tipHeight. changed reports that a block did not build on the processed
// tip, i.e. the best chain changed under it.
func (f *Follower) connectNew(ctx context.Context, src BlockSource, tipHeight lnwire.BlockHeight, events []Event) (_ []Event, changed bool, _ error) {
	for connected := 0; connected < f.cfg.MaxConnect; connected++ {
		height := f.nextHeight()
		if height > tipHeight {
			return events, false, nil
		}
		hash, err := src.BlockHash(ctx, height)
		if errors.Is(err, ErrNotFound) {
			return events, true, nil // the best chain got shorter
		}
		if err != nil {
			return events, false, err
		}
		block, err := src.Block(ctx, hash)
		if errors.Is(err, ErrNotFound) {
			return events, true, nil
		}
		if err != nil {
			return events, false, err
		}
		if got := block.BlockHash(); got != hash {
			return events, false, fmt.Errorf("%w: asked for %s, got %s", ErrBadBlock, hash, got)
		}
		if tip, ok := f.Tip(); ok && block.Header.PrevBlock != tip.Hash {
			return events, true, nil
		}
		ref := BlockRef{Height: height, Hash: hash}
		f.window = append(f.window, ref)
		f.trim()
		events = append(events, Event{Kind: BlockConnected, Height: height, Hash: hash, Block: block})
	}
	return events, false, nil
}

// trim keeps the last KeepBlocks processed blocks.
func (f *Follower) trim() {
	if extra := len(f.window) - f.cfg.KeepBlocks; extra > 0 {
		f.window = append(f.window[:0], f.window[extra:]...)
	}
}
