package chain

import (
	"context"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// lockedSource serialises access to a fakeChain shared between a test and
// a Poll goroutine.
type lockedSource struct {
	mu    *sync.Mutex
	chain *fakeChain
}

func (s *lockedSource) BlockCount(ctx context.Context) (lnwire.BlockHeight, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chain.BlockCount(ctx)
}

func (s *lockedSource) BlockHash(ctx context.Context, height lnwire.BlockHeight) (chainhash.Hash, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chain.BlockHash(ctx, height)
}

func (s *lockedSource) BlockHeader(ctx context.Context, hash chainhash.Hash) (*wire.BlockHeader, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chain.BlockHeader(ctx, hash)
}

func (s *lockedSource) Block(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chain.Block(ctx, hash)
}
