package store

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
)

func testChannel(index uint64, fill byte) *ChannelRecord {
	rec := &ChannelRecord{
		Index: index, Phase: "awaiting-ready", FundingOutnum: 1, HeightHint: 101, MinimumDepth: 3,
		PeerAddress: "127.0.0.1:9735",
		FundingTx:   []byte{0x02, 0x00}, State: []byte(`{"Version":1}`),
	}
	for i := range rec.ChannelID {
		rec.ChannelID[i] = fill
		rec.FundingTxID[i] = fill ^ 0xFF
	}
	rec.PeerID[0] = 0x02
	rec.PeerID[1] = fill
	return rec
}

func TestChannelIndexesNeverRepeat(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	seen := map[uint64]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i, err := s.NextChannelIndex(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[i] {
				t.Errorf("index %d handed out twice", i)
			}
			seen[i] = true
		}()
	}
	wg.Wait()
	s.Close()
	s2, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	i, err := s2.NextChannelIndex(ctx)
	if err != nil || i != 8 {
		t.Fatalf("after reopen: index %d (%v), want 8", i, err)
	}
}

func TestChannelRecordLifecycle(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	rec := testChannel(3, 0xAA)
	if err := s.AddChannel(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if rec.Version != 1 {
		t.Fatalf("version %d after add, want 1", rec.Version)
	}
	for _, dup := range []*ChannelRecord{testChannel(3, 0xBB), testChannel(4, 0xAA)} {
		if err := s.AddChannel(ctx, dup); !errors.Is(err, ErrDuplicateChannel) {
			t.Fatalf("duplicate %d: %v, want ErrDuplicateChannel", dup.Index, err)
		}
	}
	v, err := s.UpdateChannelState(ctx, ChannelStateUpdate{Index: 3, Version: 1, Phase: "normal",
		ShortChannelID: 0x0000650000010001, State: []byte("two")})
	if err != nil || v != 2 {
		t.Fatalf("update: version %d, %v", v, err)
	}
	if err := s.SetChannelClosingTx(ctx, 3, []byte{9, 9}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChannelPeerAddress(ctx, 3, "/tmp/peer.sock"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChannelSpentHeight(ctx, 3, 120); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Channel(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := *testChannel(3, 0xAA)
	want.Version, want.Phase, want.ShortChannelID, want.State = 2, "normal", 0x0000650000010001, []byte("two")
	want.ClosingTx, want.SpentHeight, want.PeerAddress = []byte{9, 9}, 120, "/tmp/peer.sock"
	if got.Index != want.Index || got.ChannelID != want.ChannelID || got.PeerID != want.PeerID ||
		got.PeerAddress != want.PeerAddress || got.MinimumDepth != want.MinimumDepth || got.Version != want.Version || got.Phase != want.Phase || got.ShortChannelID != want.ShortChannelID ||
		got.FundingTxID != want.FundingTxID || got.FundingOutnum != want.FundingOutnum ||
		!bytes.Equal(got.FundingTx, want.FundingTx) || got.HeightHint != want.HeightHint ||
		!bytes.Equal(got.ClosingTx, want.ClosingTx) || got.SpentHeight != want.SpentHeight ||
		!bytes.Equal(got.State, want.State) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, want)
	}
	all, err := s.Channels(ctx)
	if err != nil || len(all) != 1 || all[0].Index != 3 {
		t.Fatalf("Channels: %+v, %v", all, err)
	}
}

func TestChannelUpdateErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.AddChannel(ctx, testChannel(1, 1)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		u    ChannelStateUpdate
		want error
	}{
		{"stale version", ChannelStateUpdate{Index: 1, Version: 7, Phase: "normal", State: []byte("x")}, ErrStaleChannelVersion},
		{"unknown channel", ChannelStateUpdate{Index: 2, Version: 1, Phase: "normal", State: []byte("x")}, ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.UpdateChannelState(ctx, tc.u); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	got, err := s.Channel(ctx, 1)
	if err != nil || got.Version != 1 || string(got.State) != `{"Version":1}` {
		t.Fatalf("a refused update changed the record: %+v %v", got, err)
	}
	if _, err := s.Channel(ctx, 2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown channel: %v", err)
	}
	if err := s.SetChannelClosingTx(ctx, 2, []byte{1}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("closing tx of unknown channel: %v", err)
	}
}

func BenchmarkUpdateChannelState(b *testing.B) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, b.TempDir()+"/"+DefaultFileName)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.AddChannel(ctx, testChannel(0, 1)); err != nil {
		b.Fatal(err)
	}
	state := bytes.Repeat([]byte{'x'}, 4000)
	version := uint64(1)
	b.ResetTimer()
	for range b.N {
		if version, err = s.UpdateChannelState(ctx, ChannelStateUpdate{Index: 0, Version: version, Phase: "normal", State: state}); err != nil {
			b.Fatal(err)
		}
	}
}
