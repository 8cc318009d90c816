package channel

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// openingFixture runs establishment step by step for the tests below.
type openingFixture struct {
	alice, bob       *testSigner
	envA, envB       Env
	aliceReq, bobReq OpenRequest
}

func newOpeningFixture(t channeltx.ChannelType) *openingFixture {
	f := &openingFixture{alice: newTestSigner("alice"), bob: newTestSigner("bob")}
	f.envA, f.envB = Env{Signer: f.alice, Policy: DefaultPolicy()}, Env{Signer: f.bob, Policy: DefaultPolicy()}
	f.aliceReq = OpenRequest{Type: t, Capacity: 1_000_000, PushMsat: 10_000_000, Feerate: 2500,
		Local: f.alice.params(DefaultLimits(1_000_000)), Limits: DefaultOpenLimits()}
	f.bobReq = OpenRequest{Local: f.bob.params(DefaultLimits(1_000_000)), MinimumDepth: 3, Limits: DefaultOpenLimits()}
	return f
}

func (f *openingFixture) open(t *testing.T) (Opening, *lnwire.OpenChannel) {
	t.Helper()
	o, effects, err := Open(f.aliceReq, f.envA, bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return o, effects[0].(SendMessage).Msg.(*lnwire.OpenChannel)
}

func TestEstablishment(t *testing.T) {
	for _, tc := range []struct {
		typ         channeltx.ChannelType
		channelType []byte
	}{
		{channeltx.StaticRemoteKey, []byte{0x10, 0x00}},
		{channeltx.AnchorsZeroFeeHTLC, []byte{0x40, 0x10, 0x00}},
	} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			f := newOpeningFixture(tc.typ)
			opening, open := f.open(t)
			// BOLT #2: MUST use the smallest bitmap possible to represent
			// the channel type.
			if !bytes.Equal(*open.TLVs.ChannelType, tc.channelType) {
				t.Fatalf("channel_type %x, want %x", *open.TLVs.ChannelType, tc.channelType)
			}
			accepting, effects, err := Accept(f.bobReq, f.envB, open)
			if err != nil {
				t.Fatal(err)
			}
			opening, effects, err = StepOpening(opening, f.envA, PeerMessage{Msg: effects[0].(SendMessage).Msg})
			if err != nil {
				t.Fatal(err)
			}
			need := effects[0].(FundingNeeded)
			if need.Amount != 1_000_000 || len(need.PkScript) != 34 || need.PkScript[0] != 0 || need.PkScript[1] != 32 {
				t.Fatalf("funding output %s %x is not a P2WSH of the capacity", need.Amount, need.PkScript)
			}
			opening, effects, err = StepOpening(opening, f.envA, FundingBuilt{TxID: testFundingTxID, OutputIndex: 0})
			if err != nil {
				t.Fatal(err)
			}
			accepting, effects, err = StepOpening(accepting, f.envB, PeerMessage{Msg: effects[0].(SendMessage).Msg})
			if err != nil {
				t.Fatal(err)
			}
			// The accepter stores the channel before funding_signed leaves.
			bobState := effects[0].(ChannelFunded).State
			signed := effects[1].(SendMessage).Msg.(*lnwire.FundingSigned)
			opening, effects, err = StepOpening(opening, f.envA, PeerMessage{Msg: signed})
			if err != nil {
				t.Fatal(err)
			}
			// The opener stores the channel before publishing the funding.
			aliceState := effects[0].(ChannelFunded).State
			if _, ok := effects[1].(PublishFundingTx); !ok {
				t.Fatalf("second effect %#v", effects[1])
			}
			if opening.Phase != OpeningDone || accepting.Phase != OpeningDone {
				t.Fatalf("phases %d/%d", opening.Phase, accepting.Phase)
			}
			if aliceState.ChannelID != bobState.ChannelID || aliceState.ChannelID != lnwire.NewChannelID(testFundingTxID, 0) {
				t.Fatal("channel ids differ")
			}
			if aliceState.Type != tc.typ || bobState.Type != tc.typ {
				t.Fatalf("types %s/%s", aliceState.Type, bobState.Type)
			}
			if got := bobState.LocalCommit.Spec.Balance[Local]; got != 10_000_000 {
				t.Fatalf("bob's pushed balance %s", got)
			}
		})
	}
}

func TestOpenChannelViolations(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*lnwire.OpenChannel)
		want   error
	}{
		{"unknown chain", func(m *lnwire.OpenChannel) { m.ChainHash[0] = 1 }, ErrOpenRejected},
		{"no channel_type", func(m *lnwire.OpenChannel) { m.TLVs.ChannelType = nil }, ErrChannelType},
		{"unsupported channel_type", func(m *lnwire.OpenChannel) { b := []byte{0x20, 0x00}; m.TLVs.ChannelType = &b }, ErrChannelType},
		{"push above funding", func(m *lnwire.OpenChannel) { m.PushMsat = 1_000_000_001 }, ErrOpenRejected},
		{"funding too small", func(m *lnwire.OpenChannel) { m.FundingSatoshis = 10_000; m.PushMsat = 0 }, ErrOpenRejected},
		{"to_self_delay too large", func(m *lnwire.OpenChannel) { m.ToSelfDelay = 2017 }, ErrOpenRejected},
		{"max_accepted_htlcs above 483", func(m *lnwire.OpenChannel) { m.MaxAcceptedHTLCs = 484 }, ErrOpenRejected},
		{"max_accepted_htlcs below lnd's 5", func(m *lnwire.OpenChannel) { m.MaxAcceptedHTLCs = 4 }, ErrOpenRejected},
		{"dust limit below 354", func(m *lnwire.OpenChannel) { m.DustLimitSatoshis = 353 }, ErrOpenRejected},
		{"dust limit above 1062", func(m *lnwire.OpenChannel) { m.DustLimitSatoshis = 1063 }, ErrOpenRejected},
		{"dust limit above reserve", func(m *lnwire.OpenChannel) { m.ChannelReserveSatoshis = 500 }, ErrOpenRejected},
		{"reserve above 20%", func(m *lnwire.OpenChannel) { m.ChannelReserveSatoshis = 200_001 }, ErrOpenRejected},
		{"invalid funding key", func(m *lnwire.OpenChannel) { m.FundingPubKey[0] = 5 }, ErrOpenRejected},
		{"invalid first point", func(m *lnwire.OpenChannel) { m.FirstPerCommitmentPoint = [33]byte{2} }, ErrOpenRejected},
		{"opener cannot pay the fee", func(m *lnwire.OpenChannel) { m.PushMsat = 999_500_000 }, ErrFundingUnaffordable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newOpeningFixture(channeltx.StaticRemoteKey)
			_, open := f.open(t)
			tc.mutate(open)
			o, effects, err := Accept(f.bobReq, f.envB, open)
			if !errors.Is(err, tc.want) || ActionOf(err) != Fail {
				t.Fatalf("error %v (%s), want %v", err, ActionOf(err), tc.want)
			}
			if o.Phase != OpeningAborted || len(effects) != 2 {
				t.Fatalf("phase %d, %d effects", o.Phase, len(effects))
			}
			if m := effects[0].(SendMessage).Msg.(*lnwire.Error); m.ChannelID != open.TemporaryChannelID {
				t.Fatalf("error for channel %s", m.ChannelID)
			}
		})
	}
}

func TestAcceptChannelViolations(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*lnwire.AcceptChannel)
		want   error
	}{
		{"other temporary_channel_id", func(m *lnwire.AcceptChannel) { m.TemporaryChannelID[0] ^= 1 }, ErrWrongTemporaryID},
		{"no channel_type", func(m *lnwire.AcceptChannel) { m.TLVs.ChannelType = nil }, ErrChannelType},
		{"other channel_type", func(m *lnwire.AcceptChannel) { b := []byte{0x40, 0x10, 0x00}; m.TLVs.ChannelType = &b }, ErrChannelType},
		{"minimum_depth too large", func(m *lnwire.AcceptChannel) { m.MinimumDepth = 5000 }, ErrOpenRejected},
		{"reserve below our dust limit", func(m *lnwire.AcceptChannel) { m.ChannelReserveSatoshis = 400; m.DustLimitSatoshis = 354 }, ErrOpenRejected},
		{"dust limit above our reserve", func(m *lnwire.AcceptChannel) { m.DustLimitSatoshis, m.ChannelReserveSatoshis = 1000, 1000 }, ErrOpenRejected},
		{"invalid htlc basepoint", func(m *lnwire.AcceptChannel) { m.HTLCBasepoint = [33]byte{3} }, ErrOpenRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newOpeningFixture(channeltx.StaticRemoteKey)
			f.aliceReq.Local.ChannelReserve = 900
			opening, open := f.open(t)
			_, effects, err := Accept(f.bobReq, f.envB, open)
			if err != nil {
				t.Fatal(err)
			}
			accept := effects[0].(SendMessage).Msg.(*lnwire.AcceptChannel)
			tc.mutate(accept)
			o, effects, err := StepOpening(opening, f.envA, PeerMessage{Msg: accept})
			if !errors.Is(err, tc.want) || ActionOf(err) != Fail {
				t.Fatalf("error %v (%s), want %v", err, ActionOf(err), tc.want)
			}
			if o.Phase != OpeningAborted || len(effects) != 2 {
				t.Fatalf("phase %d, %d effects", o.Phase, len(effects))
			}
		})
	}
}

// TestFundingSignatures checks that bad first-commitment signatures abort
// establishment on both sides, and that a disconnection forgets it.
func TestFundingSignatures(t *testing.T) {
	f := newOpeningFixture(channeltx.StaticRemoteKey)
	opening, open := f.open(t)
	accepting, effects, err := Accept(f.bobReq, f.envB, open)
	if err != nil {
		t.Fatal(err)
	}
	opening, _, err = StepOpening(opening, f.envA, PeerMessage{Msg: effects[0].(SendMessage).Msg})
	if err != nil {
		t.Fatal(err)
	}
	opening, effects, err = StepOpening(opening, f.envA, FundingBuilt{TxID: testFundingTxID})
	if err != nil {
		t.Fatal(err)
	}
	created := *effects[0].(SendMessage).Msg.(*lnwire.FundingCreated)
	bad := created
	bad.Signature[5] ^= 1
	if _, _, err := StepOpening(accepting, f.envB, PeerMessage{Msg: &bad}); !errors.Is(err, ErrBadCommitmentSignature) {
		t.Fatalf("bad funding_created signature: %v", err)
	}
	_, effects, err = StepOpening(accepting, f.envB, PeerMessage{Msg: &created})
	if err != nil {
		t.Fatal(err)
	}
	signed := *effects[1].(SendMessage).Msg.(*lnwire.FundingSigned)
	signed.Signature[9] ^= 1
	if _, _, err := StepOpening(opening, f.envA, PeerMessage{Msg: &signed}); !errors.Is(err, ErrBadCommitmentSignature) {
		t.Fatalf("bad funding_signed signature: %v", err)
	}
	aborted, effects, err := StepOpening(opening, f.envA, Disconnected{})
	if err != nil || aborted.Phase != OpeningAborted || len(effects) != 1 {
		t.Fatalf("disconnection: %v, phase %d, %d effects", err, aborted.Phase, len(effects))
	}
	if _, _, err := StepOpening(opening, f.envA, PeerMessage{Msg: &created}); !errors.Is(err, ErrUnexpectedMessage) {
		t.Fatalf("funding_created to the opener: %v", err)
	}
}
