package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func testForward(inID uint64, status ForwardStatus) *ForwardRecord {
	f := &ForwardRecord{
		In: HTLCRef{ChannelIndex: 1, ID: inID}, InScid: 101<<40 | 1<<16, InMsat: 11_001, InCLTV: 250,
		OutScid: 102<<40 | 1<<16, OutMsat: 10_000, OutCLTV: 216, Status: status, ReceivedTime: 1_700_000_000_123_456_789,
	}
	f.PaymentHash[0], f.SharedSecret[0] = byte(inID), 0x55
	switch status {
	case ForwardOffered:
		f.Out = &HTLCRef{ChannelIndex: 2, ID: inID + 10}
	case ForwardLocalFailed, ForwardFailed:
		f.FailReason, f.FailCode = []byte{1, 2, 3}, 0x1007
	}
	return f
}

func TestForwardsRoundTripAndResolve(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	settled, failed, refused, pending := testForward(0, ForwardOffered), testForward(1, ForwardOffered),
		testForward(2, ForwardLocalFailed), testForward(3, ForwardOffered)
	if err := s.SaveHTLCRecords(ctx, &HTLCRecords{NewForwards: []*ForwardRecord{settled, failed, refused, pending}}); err != nil {
		t.Fatal(err)
	}
	err := s.SaveHTLCRecords(ctx, &HTLCRecords{ForwardOutcomes: []ForwardOutcome{
		{ID: settled.ID, Status: ForwardSettled, Preimage: [32]byte{7}, ResolvedTime: 1_700_000_001_000_000_000},
		{ID: failed.ID, Status: ForwardFailed, FailReason: []byte{9, 9}, ResolvedTime: 1_700_000_002_000_000_000},
	}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = OpenSQLite(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.Forwards(ctx, ForwardFilter{})
	if err != nil || len(all) != 4 {
		t.Fatalf("%d forwards, %v", len(all), err)
	}
	want := *settled
	want.Status, want.Preimage, want.ResolvedTime = ForwardSettled, &[32]byte{7}, 1_700_000_001_000_000_000
	if !reflect.DeepEqual(all[0], want) {
		t.Fatalf("settled forward read back as\n%+v\nwant\n%+v", all[0], want)
	}
	if f := all[1]; f.Status != ForwardFailed || string(f.FailReason) != "\x09\x09" || f.FailCode != 0 || f.Preimage != nil {
		t.Fatalf("failed forward read back as %+v", f)
	}
	if f := all[2]; f.Status != ForwardLocalFailed || f.Out != nil || f.FailCode != 0x1007 {
		t.Fatalf("refused forward read back as %+v", f)
	}
	for _, tc := range []struct {
		name   string
		filter ForwardFilter
		want   []uint64
	}{
		{"offered", ForwardFilter{Status: ForwardOffered}, []uint64{pending.ID}},
		{"one incoming HTLC", ForwardFilter{In: &HTLCRef{ChannelIndex: 1, ID: 2}}, []uint64{refused.ID}},
		{"unknown incoming HTLC", ForwardFilter{In: &HTLCRef{ChannelIndex: 2, ID: 2}}, nil},
		{"by incoming channel", ForwardFilter{InScid: settled.InScid, Status: ForwardSettled}, []uint64{settled.ID}},
		{"by outgoing channel", ForwardFilter{OutScid: 7}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := s.Forwards(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, f := range list {
				got = append(got, f.ID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ids %v, want %v", got, tc.want)
			}
		})
	}
}

func TestForwardRecordErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	first := testForward(0, ForwardOffered)
	if err := s.SaveHTLCRecords(ctx, &HTLCRecords{NewForwards: []*ForwardRecord{first}}); err != nil {
		t.Fatal(err)
	}
	noOut := testForward(1, ForwardOffered)
	noOut.Out = nil
	noReason := testForward(1, ForwardLocalFailed)
	noReason.FailReason = nil
	noPreimage := testForward(1, ForwardSettled)
	badStatus := testForward(1, "lost")
	for _, tc := range []struct {
		name    string
		records HTLCRecords
		want    error
	}{
		{"the same incoming HTLC twice", HTLCRecords{NewForwards: []*ForwardRecord{testForward(0, ForwardLocalFailed)}}, ErrDuplicateForward},
		{"offered without an outgoing HTLC", HTLCRecords{NewForwards: []*ForwardRecord{noOut}}, ErrInvalidForward},
		{"refused without a reason", HTLCRecords{NewForwards: []*ForwardRecord{noReason}}, ErrInvalidForward},
		{"settled without a preimage", HTLCRecords{NewForwards: []*ForwardRecord{noPreimage}}, ErrInvalidForward},
		{"unknown status", HTLCRecords{NewForwards: []*ForwardRecord{badStatus}}, ErrInvalidForward},
		{"failed without a reason", HTLCRecords{ForwardOutcomes: []ForwardOutcome{{ID: first.ID, Status: ForwardFailed}}}, ErrInvalidForward},
		{"outcome offered", HTLCRecords{ForwardOutcomes: []ForwardOutcome{{ID: first.ID, Status: ForwardOffered}}}, ErrInvalidForward},
		{"unknown forward", HTLCRecords{ForwardOutcomes: []ForwardOutcome{{ID: 99, Status: ForwardSettled}}}, ErrForwardNotOffered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.SaveHTLCRecords(ctx, &tc.records); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// Resolved once, then refused.
	done := HTLCRecords{ForwardOutcomes: []ForwardOutcome{{ID: first.ID, Status: ForwardSettled}}}
	if err := s.SaveHTLCRecords(ctx, &done); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveHTLCRecords(ctx, &done); !errors.Is(err, ErrForwardNotOffered) {
		t.Fatalf("resolved twice: %v", err)
	}
}

// TestForwardWithChannelState: the outgoing HTLC's forward row and the
// outgoing channel's state are stored together or not at all.
func TestForwardWithChannelState(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.AddChannel(ctx, testChannel(2, 0x22)); err != nil {
		t.Fatal(err)
	}
	f := testForward(0, ForwardOffered)
	if _, err := s.UpdateChannelStateAndHTLCs(ctx, ChannelStateUpdate{Index: 2, Version: 7, State: []byte("x")},
		&HTLCRecords{NewForwards: []*ForwardRecord{f}}); !errors.Is(err, ErrStaleChannelVersion) {
		t.Fatalf("stale version: %v", err)
	}
	if list, _ := s.Forwards(ctx, ForwardFilter{}); len(list) != 0 {
		t.Fatalf("forward stored without its state: %+v", list)
	}
	if _, err := s.UpdateChannelStateAndHTLCs(ctx, ChannelStateUpdate{Index: 2, Version: 1, State: []byte("x")},
		&HTLCRecords{NewForwards: []*ForwardRecord{f}}); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Forwards(ctx, ForwardFilter{Status: ForwardOffered}); len(list) != 1 {
		t.Fatalf("forwards %+v", list)
	}
}
