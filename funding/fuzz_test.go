package funding

import (
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// checkOutcome checks what any Step must guarantee: a refused event leaves
// the state and sends nothing, a failed negotiation sends at most an error
// and reports NegotiationFailed.
func checkOutcome(t *testing.T, before, after State, effects []Effect, err error) {
	t.Helper()
	if err == nil {
		return
	}
	switch ActionOf(err) {
	case Reject, Ignore:
		if len(effects) != 0 || after.Phase != before.Phase {
			t.Fatalf("%v: %d effects, phase %s", err, len(effects), after.Phase)
		}
	case Fail, Abandon:
		if after.Phase != Failed || len(effects) == 0 {
			t.Fatalf("%v: phase %s, %d effects", err, after.Phase, len(effects))
		}
		if _, ok := effects[len(effects)-1].(NegotiationFailed); !ok {
			t.Fatalf("%v: last effect %T", err, effects[len(effects)-1])
		}
	}
}

// FuzzOpenChannelFields feeds arbitrary open_channel values to an accepter.
// It must never panic, and what it accepts must satisfy BOLT #2's rules for
// accept_channel.
func FuzzOpenChannelFields(f *testing.F) {
	valid := validOpenChannel(f, fullFeatures(), defaultOpen())
	bob := newSide("bob", fullFeatures())
	bobKeys := bob.signer.keys()
	f.Add(uint64(valid.FundingSatoshis), uint64(valid.PushMsat), uint64(valid.DustLimitSatoshis), uint64(valid.MaxHTLCValueInFlightMsat),
		uint64(valid.ChannelReserveSatoshis), uint64(valid.HTLCMinimumMsat), uint32(valid.FeeratePerKW), valid.ToSelfDelay,
		valid.MaxAcceptedHTLCs, *valid.TLVs.ChannelType, []byte{}, byte(0), uint8(0))
	f.Add(uint64(1<<63), uint64(1<<64-1), uint64(1<<64-1), uint64(0), uint64(1<<64-1), uint64(1<<64-1), uint32(1<<32-1),
		uint16(1<<16-1), uint16(1<<16-1), []byte{0x10, 0x00}, []byte{0x00, 0x14}, byte(0xff), uint8(1))
	f.Add(uint64(20_000), uint64(0), uint64(354), uint64(5), uint64(354), uint64(1), uint32(253), uint16(1),
		uint16(5), []byte{0x40, 0x10, 0x00}, append([]byte{0x51, 0x02}, 1, 2), byte(1), uint8(2))
	f.Add(uint64(1<<24), uint64(1<<24*1000), uint64(1062), uint64(1<<64-1), uint64(1<<24/5), uint64(0), uint32(100_000), uint16(2016),
		uint16(483), []byte{0x00, 0x40, 0x10, 0x00}, []byte(nil), byte(0), uint8(3))
	f.Fuzz(func(t *testing.T, funding, push, dust, inFlight, reserve, htlcMin uint64, feerate uint32, delay, maxHTLCs uint16,
		typeBits, upfront []byte, flags byte, corrupt uint8) {
		msg := *valid
		msg.FundingSatoshis = lnwire.Satoshi(funding)
		msg.PushMsat = lnwire.MilliSatoshi(push)
		msg.DustLimitSatoshis = lnwire.Satoshi(dust)
		msg.MaxHTLCValueInFlightMsat = lnwire.MilliSatoshi(inFlight)
		msg.ChannelReserveSatoshis = lnwire.Satoshi(reserve)
		msg.HTLCMinimumMsat = lnwire.MilliSatoshi(htlcMin)
		msg.FeeratePerKW = lnwire.FeeratePerKW(feerate)
		msg.ToSelfDelay = delay
		msg.MaxAcceptedHTLCs = maxHTLCs
		msg.ChannelFlags = flags
		msg.TLVs.ChannelType = &typeBits
		msg.TLVs.UpfrontShutdownScript = &upfront
		switch corrupt % 4 {
		case 1:
			msg.TLVs.ChannelType = nil
		case 2:
			msg.FirstPerCommitmentPoint[0] ^= corrupt
		case 3:
			msg.FundingPubKey[1+int(corrupt)%32] ^= 0xff
		}
		ev := OpenChannelReceived{Msg: &msg, PeerFeatures: fullFeatures(), Keys: bobKeys}
		state, effects, err := Step(State{}, bob.env, ev)
		checkOutcome(t, State{}, state, effects, err)
		if err != nil {
			return
		}
		a := effects[0].(SendMessage).Msg.(*lnwire.AcceptChannel)
		switch {
		case a.ChannelReserveSatoshis < msg.DustLimitSatoshis:
			t.Fatalf("our reserve %s below their dust limit %s", a.ChannelReserveSatoshis, msg.DustLimitSatoshis)
		case a.DustLimitSatoshis > msg.ChannelReserveSatoshis:
			t.Fatalf("our dust limit %s above their reserve %s", a.DustLimitSatoshis, msg.ChannelReserveSatoshis)
		case a.DustLimitSatoshis < MinDustLimit || a.DustLimitSatoshis > a.ChannelReserveSatoshis:
			t.Fatalf("our dust limit %s, reserve %s", a.DustLimitSatoshis, a.ChannelReserveSatoshis)
		case msg.PushMsat > msg.FundingSatoshis.ToMilliSatoshis() || msg.FundingSatoshis <= 0:
			t.Fatalf("accepted push %s of %s", msg.PushMsat, msg.FundingSatoshis)
		case string(*a.TLVs.ChannelType) != string(typeBits):
			t.Fatalf("echoed %x for %x", *a.TLVs.ChannelType, typeBits)
		case state.Phase != AwaitingFundingCreated:
			t.Fatalf("phase %s", state.Phase)
		}
	})
}

// FuzzAcceptChannelFields feeds arbitrary accept_channel values to an
// opener waiting for one.
func FuzzAcceptChannelFields(f *testing.F) {
	alice, valid := openerAwaitingAccept(f, defaultOpen())
	f.Add(uint64(valid.DustLimitSatoshis), uint64(valid.MaxHTLCValueInFlightMsat), uint64(valid.ChannelReserveSatoshis),
		uint64(valid.HTLCMinimumMsat), valid.MinimumDepth, valid.ToSelfDelay, valid.MaxAcceptedHTLCs, *valid.TLVs.ChannelType, []byte{}, uint8(0))
	f.Add(uint64(1<<64-1), uint64(0), uint64(1<<63), uint64(1<<64-1), uint32(1<<32-1), uint16(1<<16-1), uint16(0), []byte{}, []byte{0}, uint8(1))
	f.Add(uint64(354), uint64(5), uint64(546), uint64(1), uint32(0), uint16(0), uint16(5), []byte{0x40, 0x10, 0x00}, append([]byte{0, 32}, make([]byte, 32)...), uint8(2))
	f.Fuzz(func(t *testing.T, dust, inFlight, reserve, htlcMin uint64, depth uint32, delay, maxHTLCs uint16, typeBits, upfront []byte, corrupt uint8) {
		msg := *valid
		msg.DustLimitSatoshis = lnwire.Satoshi(dust)
		msg.MaxHTLCValueInFlightMsat = lnwire.MilliSatoshi(inFlight)
		msg.ChannelReserveSatoshis = lnwire.Satoshi(reserve)
		msg.HTLCMinimumMsat = lnwire.MilliSatoshi(htlcMin)
		msg.MinimumDepth = depth
		msg.ToSelfDelay = delay
		msg.MaxAcceptedHTLCs = maxHTLCs
		msg.TLVs.ChannelType = &typeBits
		msg.TLVs.UpfrontShutdownScript = &upfront
		switch corrupt % 4 {
		case 1:
			msg.TLVs.ChannelType = nil
		case 2:
			msg.HTLCBasepoint[0] ^= corrupt
		case 3:
			msg.TemporaryChannelID[0] ^= 1
		}
		state, effects, err := Step(alice.state, alice.env, PeerMessage{Msg: &msg})
		checkOutcome(t, alice.state, state, effects, err)
		if err != nil {
			return
		}
		build, ok := effects[0].(BuildFundingTx)
		switch {
		case !ok || build.Amount != alice.state.Capacity:
			t.Fatalf("effects %#v", effects)
		case state.Remote.ChannelReserve < state.Local.DustLimit || state.Local.ChannelReserve < state.Remote.DustLimit:
			t.Fatalf("reserves below dust limits: %+v / %+v", state.Local, state.Remote)
		case state.MinimumDepth == 0:
			t.Fatal("minimum depth 0")
		}
	})
}

// FuzzPeerMessage decodes arbitrary bytes and gives the message to a
// negotiation in each phase that waits for a peer message.
func FuzzPeerMessage(f *testing.F) {
	states := negotiationStates(f)
	for _, s := range states {
		for _, m := range s.seeds {
			raw, err := lnwire.WriteMessage(m)
			if err == nil {
				f.Add(raw)
			}
		}
	}
	f.Add([]byte{0, 17, 0, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		msg, err := lnwire.ReadMessage(raw)
		if err != nil {
			return
		}
		for _, s := range states {
			next, effects, err := Step(s.state, s.env, PeerMessage{Msg: msg})
			checkOutcome(t, s.state, next, effects, err)
		}
		if open, ok := msg.(*lnwire.OpenChannel); ok {
			bob := newSide("bob", fullFeatures())
			next, effects, err := Step(State{}, bob.env, OpenChannelReceived{Msg: open, PeerFeatures: fullFeatures(), Keys: bob.signer.keys()})
			checkOutcome(t, State{}, next, effects, err)
		}
	})
}

// phaseFixture is a negotiation waiting for a peer message, with the
// messages it expects (as seeds).
type phaseFixture struct {
	state State
	env   Env
	seeds []lnwire.Message
}

// negotiationStates returns a snapshot of each waiting phase.
func negotiationStates(t testing.TB) []phaseFixture {
	var out []phaseFixture
	for _, next := range []lnwire.MessageType{lnwire.MsgAcceptChannel, lnwire.MsgFundingCreated, lnwire.MsgFundingSigned} {
		p := newPair(fullFeatures(), fullFeatures())
		runUntil(t, p, next)
		to := p.queue[0].to
		out = append(out, phaseFixture{state: to.state, env: to.env, seeds: []lnwire.Message{p.queue[0].msg}})
	}
	return out
}
