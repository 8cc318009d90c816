package chain

import (
	"context"
	"errors"
	"testing"
)

// FuzzFollower lets the input bytes drive a fake chain (mine, reorganise,
// shorten), follower restarts and backend failures; after every sync the
// events must apply to a replayed copy of the chain, and after a final
// catch-up that copy must equal the best chain.
func FuzzFollower(f *testing.F) {
	f.Add([]byte{0x03, 0x41, 0x12, 0x83, 0x24})
	f.Add([]byte{0x07, 0x07, 0x53, 0x62, 0xc1, 0x35, 0x90, 0x13})
	f.Add([]byte{0x0f, 0x44, 0x44, 0x44, 0xa0, 0xe3, 0x21})
	f.Fuzz(func(t *testing.T, ops []byte) {
		ctx := context.Background()
		chain := newFakeChain()
		cfg := FollowerConfig{StartHeight: 1, KeepBlocks: 3, MaxConnect: 4, MaxReorgDepth: 64}
		follower, err := NewFollower(cfg)
		if err != nil {
			t.Fatal(err)
		}
		model := &chainModel{}
		branch := byte('a')
		for _, op := range ops {
			n := int(op>>4)%4 + 1
			switch op & 0x7 {
			case 0, 1: // mine on the best chain
				chain.mine(string(branch), n)
			case 2: // reorganise: replace n blocks with n+1 on a new branch
				if len(chain.best) > n+1 {
					chain.best = chain.best[:len(chain.best)-n]
					branch++
					chain.mine(string(branch), n+1)
				}
			case 3: // shorten the chain, as invalidateblock does
				if len(chain.best) > n+1 {
					chain.best = chain.best[:len(chain.best)-n]
				}
			case 4: // restart from the persisted blocks
				cfg.Processed = follower.Processed()
				if follower, err = NewFollower(cfg); err != nil {
					t.Fatal(err)
				}
				cfg.Processed = nil
			case 5: // the backend fails on one call of the next sync
				chain.calls, chain.failAt = 0, n
			}
			events, err := follower.Sync(ctx, chain, chain.height())
			chain.failAt = 0
			if err != nil && !errors.Is(err, errBackend) {
				t.Fatalf("sync: %v", err)
			}
			if err := model.apply(events); err != nil {
				t.Fatalf("events not applicable: %v", err)
			}
		}
		if err := CatchUp(ctx, chain, follower, func(_ context.Context, events []Event) error {
			return model.apply(events)
		}); err != nil {
			t.Fatal(err)
		}
		if err := model.matches(chain, cfg.StartHeight); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkFollowerSync measures connecting blocks one at a time (the
// steady state: one new block per sync) against the in-memory chain.
func BenchmarkFollowerSync(b *testing.B) {
	ctx := context.Background()
	chain := newFakeChain()
	follower, err := NewFollower(FollowerConfig{StartHeight: 1})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		chain.mine("a", 1)
		events, err := follower.Sync(ctx, chain, chain.height())
		if err != nil || len(events) != 1 {
			b.Fatalf("sync: %d events, %v", len(events), err)
		}
	}
}

// BenchmarkFollowerReorg measures a depth-3 reorganisation.
func BenchmarkFollowerReorg(b *testing.B) {
	ctx := context.Background()
	chain := newFakeChain()
	chain.mine("a", 10)
	follower, err := NewFollower(FollowerConfig{StartHeight: 1})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := follower.Sync(ctx, chain, chain.height()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		chain.best = chain.best[:len(chain.best)-3]
		chain.mine("b", 3)
		events, err := follower.Sync(ctx, chain, chain.height())
		if err != nil || len(events) != 6 {
			b.Fatalf("sync: %d events, %v", len(events), err)
		}
	}
}
