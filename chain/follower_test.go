package chain

import (
	"context"
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// followerStep changes the fake chain with a script, optionally restarts
// the follower from what it would have persisted, then syncs once.
type followerStep struct {
	script  string // fakeChain.run script, before the sync
	restart bool   // rebuild the follower from Processed() before syncing
	// restartHeightOnly rebuilds the follower as a caller that persisted
	// only its last processed height would: StartHeight = height+1.
	restartHeightOnly bool
	failAt            int    // make the n-th backend call of this sync fail
	want              string // rendered events
	wantErr           error
}

func TestFollowerSync(t *testing.T) {
	tests := []struct {
		name  string
		cfg   FollowerConfig
		steps []followerStep
	}{
		{
			name: "straight progress from genesis",
			steps: []followerStep{
				{script: "mine a 3", want: "+0:g +1:a1 +2:a2 +3:a3"},
				{script: "mine a 2", want: "+4:a4 +5:a5"},
				{want: ""},
			},
		},
		{
			name: "start height skips older blocks",
			cfg:  FollowerConfig{StartHeight: 4},
			steps: []followerStep{
				{script: "mine a 2", want: ""},
				{script: "mine a 3", want: "+4:a4 +5:a5"},
			},
		},
		{
			name: "reorg of depth 1",
			cfg:  FollowerConfig{StartHeight: 1},
			steps: []followerStep{
				{script: "mine a 5", want: "+1:a1 +2:a2 +3:a3 +4:a4 +5:a5"},
				{script: "rewind 1; mine b 2", want: "-5:a5 +5:b5 +6:b6"},
			},
		},
		{
			name: "reorg of depth 3, same length",
			cfg:  FollowerConfig{StartHeight: 5},
			steps: []followerStep{
				{script: "mine a 10", want: "+5:a5 +6:a6 +7:a7 +8:a8 +9:a9 +10:a10"},
				{script: "rewind 3; mine b 3", want: "-10:a10 -9:a9 -8:a8 +8:b8 +9:b9 +10:b10"},
			},
		},
		{
			name: "chain shortened (invalidateblock) then extended",
			cfg:  FollowerConfig{StartHeight: 1},
			steps: []followerStep{
				{script: "mine a 4", want: "+1:a1 +2:a2 +3:a3 +4:a4"},
				{script: "rewind 2", want: "-4:a4 -3:a3"},
				{script: "mine c 1", want: "+3:c3"},
			},
		},
		{
			name: "reorg deeper than the window walks stale headers",
			cfg:  FollowerConfig{StartHeight: 1, KeepBlocks: 2},
			steps: []followerStep{
				{script: "mine a 6", want: "+1:a1 +2:a2 +3:a3 +4:a4 +5:a5 +6:a6"},
				{script: "rewind 4; mine b 4", want: "-6:a6 -5:a5 -4:a4 -3:a3 +3:b3 +4:b4 +5:b5 +6:b6"},
			},
		},
		{
			name: "stale block unknown to the backend beyond the window",
			cfg:  FollowerConfig{StartHeight: 1, KeepBlocks: 2},
			steps: []followerStep{
				{script: "mine a 6", want: "+1:a1 +2:a2 +3:a3 +4:a4 +5:a5 +6:a6"},
				// a5's parent is not in the window and its header is gone.
				{script: "rewind 4; mine b 4; forget a5", want: "-6:a6", wantErr: ErrDeepReorg},
			},
		},
		{
			name: "reorg deeper than MaxReorgDepth",
			cfg:  FollowerConfig{StartHeight: 1, MaxReorgDepth: 2},
			steps: []followerStep{
				{script: "mine a 4", want: "+1:a1 +2:a2 +3:a3 +4:a4"},
				{script: "rewind 3; mine b 3", want: "-4:a4 -3:a3", wantErr: ErrDeepReorg},
			},
		},
		{
			name: "reorg below the start height starts over",
			cfg:  FollowerConfig{StartHeight: 3},
			steps: []followerStep{
				{script: "mine a 4", want: "+3:a3 +4:a4"},
				{script: "rewind 3; mine b 4", want: "-4:a4 -3:a3 +3:b3 +4:b4 +5:b5"},
			},
		},
		{
			name: "restart catches up from persisted blocks",
			cfg:  FollowerConfig{StartHeight: 1},
			steps: []followerStep{
				{script: "mine a 3", want: "+1:a1 +2:a2 +3:a3"},
				{script: "mine a 2", restart: true, want: "+4:a4 +5:a5"},
			},
		},
		{
			name: "restart after a reorg that happened while down",
			cfg:  FollowerConfig{StartHeight: 1},
			steps: []followerStep{
				{script: "mine a 5", want: "+1:a1 +2:a2 +3:a3 +4:a4 +5:a5"},
				{script: "rewind 2; mine b 4", restart: true, want: "-5:a5 -4:a4 +4:b4 +5:b5 +6:b6 +7:b7"},
			},
		},
		{
			name: "restart from a persisted height only",
			cfg:  FollowerConfig{StartHeight: 1},
			steps: []followerStep{
				{script: "mine a 3", want: "+1:a1 +2:a2 +3:a3"},
				{script: "mine a 2", restartHeightOnly: true, want: "+4:a4 +5:a5"},
			},
		},
		{
			name: "max connect bounds one sync",
			cfg:  FollowerConfig{StartHeight: 1, MaxConnect: 2},
			steps: []followerStep{
				{script: "mine a 5", want: "+1:a1 +2:a2"},
				{want: "+3:a3 +4:a4"},
				{want: "+5:a5"},
				{want: ""},
			},
		},
		{
			name: "backend error midway keeps the events so far",
			cfg:  FollowerConfig{StartHeight: 1},
			steps: []followerStep{
				// Calls: hash(1) block(1) hash(2) block(2) hash(3) <- fails.
				{script: "mine a 4", failAt: 5, want: "+1:a1 +2:a2", wantErr: errBackend},
				{want: "+3:a3 +4:a4"},
			},
		},
		{
			name: "backend error while looking for the fork point",
			cfg:  FollowerConfig{StartHeight: 1},
			steps: []followerStep{
				{script: "mine a 3", want: "+1:a1 +2:a2 +3:a3"},
				// Calls: hash(3) mismatch, hash(2) <- fails.
				{script: "rewind 2; mine b 2", failAt: 2, want: "-3:a3", wantErr: errBackend},
				{want: "-2:a2 +2:b2 +3:b3"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			chain := newFakeChain()
			f, err := NewFollower(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			model := &chainModel{}
			for i, step := range tt.steps {
				chain.run(t, step.script)
				if step.restart {
					cfg := tt.cfg
					cfg.Processed = f.Processed()
					if f, err = NewFollower(cfg); err != nil {
						t.Fatalf("step %d: restart: %v", i, err)
					}
				}
				if step.restartHeightOnly {
					tip, _ := f.Tip()
					cfg := tt.cfg
					cfg.StartHeight = tip.Height + 1
					if f, err = NewFollower(cfg); err != nil {
						t.Fatalf("step %d: restart: %v", i, err)
					}
				}
				chain.calls, chain.failAt = 0, step.failAt
				events, err := f.Sync(ctx, chain, chain.height())
				if !errors.Is(err, step.wantErr) {
					t.Fatalf("step %d: error %v, want %v", i, err, step.wantErr)
				}
				if got := chain.render(events); got != step.want {
					t.Fatalf("step %d: events\n got: %s\nwant: %s", i, got, step.want)
				}
				if err := model.apply(events); err != nil {
					t.Fatalf("step %d: events not applicable: %v", i, err)
				}
				tip, ok := f.Tip()
				if n := len(model.refs); ok != (n > 0) || (ok && tip != model.refs[n-1]) {
					t.Fatalf("step %d: follower tip %v (%v), model tip %v", i, tip, ok, model.refs)
				}
			}
			chain.failAt = 0
			if err := CatchUp(ctx, chain, f, func(_ context.Context, events []Event) error {
				return model.apply(events)
			}); err != nil && !errors.Is(err, ErrDeepReorg) {
				t.Fatalf("final catch-up: %v", err)
			}
			if err := model.matches(chain, tt.cfg.StartHeight); err != nil && !errors.Is(tt.steps[len(tt.steps)-1].wantErr, ErrDeepReorg) {
				t.Fatalf("after catching up: %v", err)
			}
		})
	}
}

func TestFollowerChainChangesMidSync(t *testing.T) {
	ctx := context.Background()
	chain := newFakeChain()
	chain.run(t, "mine a 4")
	f, err := NewFollower(FollowerConfig{StartHeight: 1})
	if err != nil {
		t.Fatal(err)
	}
	// While the follower fetches block a3, blocks 2..4 are replaced: a3
	// is still delivered, then b4 does not build on it, and the follower
	// goes round again to find the fork point.
	fetched := 0
	chain.onBlock = func() {
		fetched++
		if fetched == 3 {
			chain.run(t, "rewind 3; mine b 4")
		}
	}
	events, err := f.Sync(ctx, chain, 4)
	if err != nil {
		t.Fatal(err)
	}
	const want = "+1:a1 +2:a2 +3:a3 -3:a3 -2:a2 +2:b2 +3:b3 +4:b4"
	if got := chain.render(events); got != want {
		t.Fatalf("events\n got: %s\nwant: %s", got, want)
	}
	model := &chainModel{}
	if err := model.apply(events); err != nil {
		t.Fatal(err)
	}
	// b5 is above the tip height that was passed in: the next Sync gets it.
	events, err = f.Sync(ctx, chain, chain.height())
	if err != nil {
		t.Fatal(err)
	}
	if err := model.apply(events); err != nil {
		t.Fatal(err)
	}
	if err := model.matches(chain, 1); err != nil {
		t.Fatal(err)
	}
}

func TestFollowerWrongBlock(t *testing.T) {
	chain := newFakeChain()
	chain.run(t, "mine a 3")
	chain.wrongFor = "a2"
	f, err := NewFollower(FollowerConfig{StartHeight: 1})
	if err != nil {
		t.Fatal(err)
	}
	events, err := f.Sync(context.Background(), chain, 3)
	if !errors.Is(err, ErrBadBlock) {
		t.Fatalf("error %v, want ErrBadBlock", err)
	}
	if got := chain.render(events); got != "+1:a1" {
		t.Fatalf("events %s, want +1:a1", got)
	}
}

func TestFollowerKeepsLastN(t *testing.T) {
	chain := newFakeChain()
	chain.run(t, "mine a 10")
	f, err := NewFollower(FollowerConfig{StartHeight: 1, KeepBlocks: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Sync(context.Background(), chain, 10); err != nil {
		t.Fatal(err)
	}
	got := f.Processed()
	if len(got) != 3 {
		t.Fatalf("kept %d blocks, want 3", len(got))
	}
	for i, ref := range got {
		height := lnwire.BlockHeight(8 + i)
		if ref.Height != height || ref.Hash != chain.best[height] {
			t.Fatalf("kept block %d is %v, want %d:%s", i, ref, height, chain.best[height])
		}
	}
}

func TestFollowerConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     FollowerConfig
		wantErr error
	}{
		{name: "zero value", cfg: FollowerConfig{}},
		{name: "negative keep", cfg: FollowerConfig{KeepBlocks: -1}, wantErr: ErrBadConfig},
		{name: "negative max connect", cfg: FollowerConfig{MaxConnect: -1}, wantErr: ErrBadConfig},
		{name: "negative reorg depth", cfg: FollowerConfig{MaxReorgDepth: -1}, wantErr: ErrBadConfig},
		{
			name: "contiguous processed",
			cfg:  FollowerConfig{StartHeight: 2, Processed: []BlockRef{{Height: 2}, {Height: 3}}},
		},
		{
			name:    "gap in processed",
			cfg:     FollowerConfig{Processed: []BlockRef{{Height: 2}, {Height: 4}}},
			wantErr: ErrBadConfig,
		},
		{
			name:    "processed below start",
			cfg:     FollowerConfig{StartHeight: 5, Processed: []BlockRef{{Height: 4}}},
			wantErr: ErrBadConfig,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Validate: %v, want %v", err, tt.wantErr)
			}
			if _, err := NewFollower(tt.cfg); !errors.Is(err, tt.wantErr) {
				t.Fatalf("NewFollower: %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestNetworkFromChainName(t *testing.T) {
	tests := []struct {
		name    string
		want    Network
		wantErr error
	}{
		{"main", NetworkBitcoin, nil},
		{"mainnet", NetworkBitcoin, nil},
		{"test", NetworkTestnet, nil},
		{"testnet3", NetworkTestnet, nil},
		{"testnet4", NetworkTestnet4, nil},
		{"signet", NetworkSignet, nil},
		{"regtest", NetworkRegtest, nil},
		{"simnet", "", ErrUnknownNetwork},
		{"", "", ErrUnknownNetwork},
	}
	for _, tt := range tests {
		got, err := NetworkFromChainName(tt.name)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("NetworkFromChainName(%q) = %q, %v; want %q, %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}
