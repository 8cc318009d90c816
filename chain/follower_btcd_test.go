package chain_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/fulmen-ln/fulmen/chain"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/regtest"
)

// btcdModel replays follower events and checks them against btcd's best
// chain.
type btcdModel struct {
	mu   sync.Mutex
	refs []chain.BlockRef
	log  []string
}

func (m *btcdModel) handle(_ context.Context, events []chain.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range events {
		switch e.Kind {
		case chain.BlockDisconnected:
			tip := m.refs[len(m.refs)-1]
			if tip.Height != e.Height || tip.Hash != e.Hash {
				return fmt.Errorf("%v does not remove the tip %v", e, tip)
			}
			m.refs = m.refs[:len(m.refs)-1]
			m.log = append(m.log, fmt.Sprintf("-%d", e.Height))
		case chain.BlockConnected:
			if n := len(m.refs); n > 0 && e.Block.Header.PrevBlock != m.refs[n-1].Hash {
				return fmt.Errorf("%v does not build on %v", e, m.refs[n-1])
			}
			m.refs = append(m.refs, chain.BlockRef{Height: e.Height, Hash: e.Hash})
			m.log = append(m.log, fmt.Sprintf("+%d", e.Height))
		}
	}
	return nil
}

// takeLog returns and clears the "+h"/"-h" log.
func (m *btcdModel) takeLog() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	got := fmt.Sprint(m.log)
	m.log = nil
	return got
}

// check compares the model with btcd's best chain.
func (m *btcdModel) check(t *testing.T, h *regtest.Harness) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	ctx := t.Context()
	tip, err := h.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.refs[len(m.refs)-1].Height; got != tip {
		t.Fatalf("model tip at %d, btcd at %d", got, tip)
	}
	for _, ref := range m.refs {
		hash, err := h.Client().BlockHash(ctx, ref.Height)
		if err != nil || hash != ref.Hash {
			t.Fatalf("model has %v, btcd %s (%v)", ref, hash, err)
		}
	}
}

func TestFollowerAgainstBtcd(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := regtest.StartWithOptions(t, regtest.Options{SkipSetup: true, NoTLS: true})
	client := h.Client()
	if _, err := h.Mine(ctx, 10); err != nil {
		t.Fatal(err)
	}
	follower, err := chain.NewFollower(chain.FollowerConfig{StartHeight: 1, KeepBlocks: 5})
	if err != nil {
		t.Fatal(err)
	}
	model := &btcdModel{}
	catchUp := func() {
		t.Helper()
		if err := chain.CatchUp(ctx, client, follower, model.handle); err != nil {
			t.Fatal(err)
		}
		model.check(t, h)
	}
	catchUp()
	if got := model.takeLog(); got != "[+1 +2 +3 +4 +5 +6 +7 +8 +9 +10]" {
		t.Fatalf("initial catch-up: %s", got)
	}

	// Reorganisations of depth 1 and 3 with invalidateblock: the
	// replacement chain is one block longer each time.
	for _, depth := range []lnwire.BlockHeight{1, 3} {
		tip, err := h.Height(ctx)
		if err != nil {
			t.Fatal(err)
		}
		forkHeight := tip - depth + 1
		stale, err := client.BlockHash(ctx, forkHeight)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.InvalidateBlock(ctx, stale); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Mine(ctx, uint32(depth)+1); err != nil {
			t.Fatal(err)
		}
		catchUp()
		want := ""
		for height := tip; height >= forkHeight; height-- {
			want += fmt.Sprintf(" -%d", height)
		}
		for height := forkHeight; height <= tip+1; height++ {
			want += fmt.Sprintf(" +%d", height)
		}
		if got := model.takeLog(); got != "["+want[1:]+"]" {
			t.Fatalf("reorg of depth %d: %s, want [%s]", depth, got, want[1:])
		}
	}

	// Restart from the persisted blocks while btcd moves on.
	persisted := follower.Processed()
	if _, err := h.Mine(ctx, 3); err != nil {
		t.Fatal(err)
	}
	follower, err = chain.NewFollower(chain.FollowerConfig{StartHeight: 1, KeepBlocks: 5, Processed: persisted})
	if err != nil {
		t.Fatal(err)
	}
	catchUp()
	if got := model.takeLog(); got != "[+13 +14 +15]" {
		t.Fatalf("catch-up after restart: %s", got)
	}

	// The polling loop follows new blocks on its own.
	pollCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- chain.Poll(pollCtx, chain.PollConfig{
			Source: client, Follower: follower, Handle: model.handle,
			Interval: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler),
		})
	}()
	hashes, err := h.Mine(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		model.mu.Lock()
		defer model.mu.Unlock()
		return model.refs[len(model.refs)-1].Hash == hashes[1]
	})
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Poll returned %v", err)
	}
	model.check(t, h)
	var last chainhash.Hash = hashes[1]
	if tip, _ := follower.Tip(); tip.Hash != last {
		t.Fatalf("follower tip %v, want %s", tip, last)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
