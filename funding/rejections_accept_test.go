package funding

import (
	"errors"
	"io"
	"testing"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// openerAwaitingAccept returns alice after Open, and bob's real answer.
func openerAwaitingAccept(t testing.TB, cmd Open) (*side, *lnwire.AcceptChannel) {
	t.Helper()
	p := newPair(fullFeatures(), fullFeatures())
	cmd.Keys = p.opener.signer.keys()
	cmd.PeerFeatures = fullFeatures()
	if err := p.step(p.opener, cmd); err != nil {
		t.Fatal(err)
	}
	open := p.queue[0].msg.(*lnwire.OpenChannel)
	p.queue = nil
	if err := p.step(p.accepter, OpenChannelReceived{Msg: open, PeerFeatures: fullFeatures(), Keys: p.accepter.signer.keys()}); err != nil {
		t.Fatal(err)
	}
	return p.opener, p.queue[0].msg.(*lnwire.AcceptChannel)
}

func TestOpenerRefusesAcceptChannel(t *testing.T) {
	tests := []struct {
		name string
		cmd  func(*Open)
		msg  func(*lnwire.AcceptChannel)
		env  func(*Env)
		want error
	}{
		{name: "channel_type missing", msg: func(m *lnwire.AcceptChannel) { m.TLVs.ChannelType = nil }, want: ErrMissingChannelType},
		{name: "channel_type not echoed (static_remotekey for anchors)", msg: func(m *lnwire.AcceptChannel) {
			m.TLVs.ChannelType = ptr(ChannelTypeBits(channeltx.StaticRemoteKey))
		}, want: ErrChannelTypeMismatch},
		{name: "channel_type with an extra bit", msg: func(m *lnwire.AcceptChannel) {
			m.TLVs.ChannelType = ptr(lnwire.NewFeatureVector(12, 22, 50).Encode())
		}, want: ErrChannelTypeMismatch},
		{name: "minimum_depth unreasonably large", msg: func(m *lnwire.AcceptChannel) { m.MinimumDepth = 145 }, want: ErrMinimumDepthTooLarge},
		{name: "to_self_delay unreasonably large", msg: func(m *lnwire.AcceptChannel) { m.ToSelfDelay = 5000 }, want: ErrToSelfDelayTooLarge},
		{name: "max_accepted_htlcs above 483", msg: func(m *lnwire.AcceptChannel) { m.MaxAcceptedHTLCs = 1000 }, want: ErrTooManyAcceptedHTLCs},
		{name: "funding_pubkey invalid", msg: func(m *lnwire.AcceptChannel) { m.FundingPubKey = invalidPoint }, want: ErrInvalidKey},
		{name: "first_per_commitment_point invalid", msg: func(m *lnwire.AcceptChannel) { m.FirstPerCommitmentPoint = [33]byte{} }, want: ErrInvalidFirstPoint},
		{name: "dust limit below 354", msg: func(m *lnwire.AcceptChannel) { m.DustLimitSatoshis = 300 }, want: ErrDustLimitTooSmall},
		{name: "dust limit above its own reserve", msg: func(m *lnwire.AcceptChannel) {
			m.DustLimitSatoshis, m.ChannelReserveSatoshis = 700, 699
		}, want: ErrReserveBelowDust},
		{name: "reserve below open_channel's dust limit", msg: func(m *lnwire.AcceptChannel) {
			m.DustLimitSatoshis, m.ChannelReserveSatoshis = 354, 545
		}, want: ErrReserveBelowDust},
		{name: "open_channel's reserve below accept's dust limit", cmd: func(o *Open) { o.Funding, o.PushMsat = 20_000, 0 }, msg: func(m *lnwire.AcceptChannel) {
			m.DustLimitSatoshis, m.ChannelReserveSatoshis = 600, 600
		}, want: ErrReserveBelowDust},
		{name: "reserve too large", msg: func(m *lnwire.AcceptChannel) { m.ChannelReserveSatoshis = 200_001 }, want: ErrReserveTooLarge},
		{name: "htlc_minimum_msat too large", msg: func(m *lnwire.AcceptChannel) { m.HTLCMinimumMsat = 1_000_000_000 }, want: ErrHTLCMinimumTooLarge},
		{name: "max_htlc_value_in_flight_msat too small", msg: func(m *lnwire.AcceptChannel) { m.MaxHTLCValueInFlightMsat = 4 }, want: ErrInFlightTooSmall},
		{name: "upfront_shutdown_script invalid", msg: func(m *lnwire.AcceptChannel) { m.TLVs.UpfrontShutdownScript = ptr([]byte{0, 20, 1}) }, want: ErrBadUpfrontShutdown},
		{name: "both outputs at or below the reserves", cmd: func(o *Open) { o.Funding, o.PushMsat, o.Feerate = 20_000, 0, 14_500 },
			msg: func(m *lnwire.AcceptChannel) { m.ChannelReserveSatoshis = 3100 }, want: ErrOutputsBelowReserve},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := defaultOpen()
			if tc.cmd != nil {
				tc.cmd(&cmd)
			}
			alice, msg := openerAwaitingAccept(t, cmd)
			if tc.msg != nil {
				tc.msg(msg)
			}
			if tc.env != nil {
				tc.env(&alice.env)
			}
			state, effects, err := Step(alice.state, alice.env, PeerMessage{Msg: msg})
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			checkFailed(t, state, effects, err, alice.state.TemporaryChannelID, false)
		})
	}
}

func TestOpenerIgnoresAcceptForAnotherChannel(t *testing.T) {
	alice, msg := openerAwaitingAccept(t, defaultOpen())
	msg.TemporaryChannelID[0] ^= 1
	state, effects, err := Step(alice.state, alice.env, PeerMessage{Msg: msg})
	if !errors.Is(err, ErrWrongChannel) || ActionOf(err) != Ignore || len(effects) != 0 || state.Phase != AwaitingAccept {
		t.Errorf("error %v (%s), %d effects, phase %s", err, ActionOf(err), len(effects), state.Phase)
	}
}

func TestOpenerTakesMinimumDepthZeroAsOne(t *testing.T) {
	alice, msg := openerAwaitingAccept(t, defaultOpen())
	msg.MinimumDepth = 0
	state, effects, err := Step(alice.state, alice.env, PeerMessage{Msg: msg})
	if err != nil {
		t.Fatal(err)
	}
	if state.MinimumDepth != 1 {
		t.Errorf("minimum depth %d", state.MinimumDepth)
	}
	if _, ok := effects[0].(BuildFundingTx); !ok || len(effects) != 1 {
		t.Errorf("effects %#v", effects)
	}
}

func TestOpenCommandRefused(t *testing.T) {
	tests := []struct {
		name string
		cmd  func(*Open)
		env  func(*Env)
		want error
	}{
		{name: "funding below our minimum", cmd: func(o *Open) { o.Funding = 19_999 }, want: ErrFundingTooSmall},
		{name: "large channel the peer cannot take", cmd: func(o *Open) {
			o.Funding = 1 << 24
			o.PeerFeatures = basicFeatures()
			o.PeerFeatures.Unset(lnwire.LargeChannelOptional)
		}, want: ErrFundingTooLarge},
		{name: "push above funding", cmd: func(o *Open) { o.PushMsat = o.Funding.ToMilliSatoshis() + 1 }, want: ErrPushTooLarge},
		{name: "feerate below the policy", cmd: func(o *Open) { o.Feerate = 100 }, want: ErrFeerateOutOfRange},
		{name: "anchors the peer does not support", cmd: func(o *Open) {
			o.ChannelType = channeltx.AnchorsZeroFeeHTLC
			o.PeerFeatures = basicFeatures()
		}, want: ErrUnsupportedChannelType},
		{name: "unknown channel type", cmd: func(o *Open) { o.ChannelType = 9 }, want: ErrUnsupportedChannelType},
		{name: "upfront script invalid", cmd: func(o *Open) { o.UpfrontShutdownScript = []byte{0x76, 0xa9} }, want: ErrBadUpfrontShutdown},
		{name: "our key invalid", cmd: func(o *Open) { o.Keys.FundingKey = invalidPoint }, want: ErrInvalidKey},
		{name: "our reserve below our dust limit", cmd: func(o *Open) {
			cfg := DefaultConfig(regtest, fullFeatures())
			l := cfg.DefaultLimits(o.Funding)
			l.ChannelReserve = l.DustLimit - 1
			o.Limits = &l
		}, want: ErrBadLocalParams},
		{name: "our dust limit below 354", cmd: func(o *Open) {
			cfg := DefaultConfig(regtest, fullFeatures())
			l := cfg.DefaultLimits(o.Funding)
			l.DustLimit = 300
			o.Limits = &l
		}, want: ErrBadLocalParams},
		{name: "our reserve not below the capacity", cmd: func(o *Open) { o.Limits = limitsWith(o.Funding, func(l *Limits) { l.ChannelReserve = o.Funding }) }, want: ErrBadLocalParams},
		{name: "our max_accepted_htlcs zero", cmd: func(o *Open) { o.Limits = limitsWith(o.Funding, func(l *Limits) { l.MaxAcceptedHTLCs = 0 }) }, want: ErrBadLocalParams},
		{name: "our max_accepted_htlcs above 483", cmd: func(o *Open) { o.Limits = limitsWith(o.Funding, func(l *Limits) { l.MaxAcceptedHTLCs = 484 }) }, want: ErrBadLocalParams},
		{name: "our to_self_delay zero", cmd: func(o *Open) { o.Limits = limitsWith(o.Funding, func(l *Limits) { l.ToSelfDelay = 0 }) }, want: ErrBadLocalParams},
		{name: "our htlc minimum above our in-flight cap", cmd: func(o *Open) {
			o.Limits = limitsWith(o.Funding, func(l *Limits) { l.HTLCMinimum = l.MaxHTLCValueInFlight + 1 })
		}, want: ErrBadLocalParams},
		{name: "cannot pay the fee", cmd: func(o *Open) { o.PushMsat = o.Funding.ToMilliSatoshis() - 1000 }, want: ErrCannotAffordFee},
		{name: "no accepter could take it", cmd: func(o *Open) { o.Funding, o.PushMsat, o.Feerate = 20_000, 0, 17_000 }, want: ErrOutputsBelowReserve},
		{name: "no randomness", env: func(e *Env) { e.Rand = nil }, want: ErrRandomness},
		{name: "randomness exhausted", env: func(e *Env) { e.Rand = io.LimitReader(e.Rand, 10) }, want: ErrRandomness},
		{name: "signer fails", env: func(e *Env) {
			s := newTestSigner("alice")
			s.failPoints = true
			e.Channel.Signer = s
		}, want: ErrSigner},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			alice := newSide("alice", fullFeatures())
			cmd := defaultOpen()
			cmd.Keys, cmd.PeerFeatures = alice.signer.keys(), fullFeatures()
			if tc.cmd != nil {
				tc.cmd(&cmd)
			}
			if tc.env != nil {
				tc.env(&alice.env)
			}
			state, effects, err := Step(State{}, alice.env, cmd)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if ActionOf(err) != Reject || len(effects) != 0 || state.Phase != Idle {
				t.Errorf("action %s, %d effects, phase %s", ActionOf(err), len(effects), state.Phase)
			}
		})
	}
}

// TestLaterFailures covers the steps after accept_channel: the wallet's
// answer, funding_created, funding_signed, and the ways a negotiation ends.
func TestLaterFailures(t *testing.T) {
	tests := []struct {
		name string
		// until runs the negotiation until this message (0: the wallet's
		// answer) is the next delivery; ev replaces it.
		until   lnwire.MessageType
		side    string
		ev      func(p *pair) Event
		want    error
		action  Action
		release bool
	}{
		{name: "wallet pays the wrong amount", until: walletAnswer, side: "alice", ev: func(p *pair) Event {
			b := *p.pendingTx
			tx := b.Tx.Copy()
			tx.TxOut[b.OutputIndex].Value--
			return FundingTxBuilt{Tx: tx, OutputIndex: b.OutputIndex}
		}, want: ErrBadFundingTx, action: Fail, release: true},
		{name: "wallet names another output", until: walletAnswer, side: "alice", ev: func(p *pair) Event {
			return FundingTxBuilt{Tx: p.pendingTx.Tx, OutputIndex: 0}
		}, want: ErrBadFundingTx, action: Fail, release: true},
		{name: "wallet names no output", until: walletAnswer, side: "alice", ev: func(p *pair) Event {
			return FundingTxBuilt{Tx: p.pendingTx.Tx, OutputIndex: 7}
		}, want: ErrBadFundingTx, action: Fail, release: true},
		{name: "wallet has no funds", until: walletAnswer, side: "alice", ev: func(p *pair) Event {
			return FundingTxFailed{Err: errors.New("insufficient funds")}
		}, want: ErrWallet, action: Fail, release: true},
		{name: "funding_created with a bad signature", until: lnwire.MsgFundingCreated, side: "bob", ev: func(p *pair) Event {
			m := *p.queue[0].msg.(*lnwire.FundingCreated)
			m.Signature[40] ^= 1
			return PeerMessage{Msg: &m}
		}, want: ErrBadCommitmentSignature, action: Fail},
		{name: "funding_created for another outpoint", until: lnwire.MsgFundingCreated, side: "bob", ev: func(p *pair) Event {
			m := *p.queue[0].msg.(*lnwire.FundingCreated)
			m.FundingOutputIndex++
			return PeerMessage{Msg: &m}
		}, want: ErrBadCommitmentSignature, action: Fail},
		{name: "funding_signed with a bad signature", until: lnwire.MsgFundingSigned, side: "alice", ev: func(p *pair) Event {
			m := *p.queue[0].msg.(*lnwire.FundingSigned)
			m.Signature[10] ^= 1
			return PeerMessage{Msg: &m}
		}, want: ErrBadCommitmentSignature, action: Fail, release: true},
		{name: "funding_signed for another channel id", until: lnwire.MsgFundingSigned, side: "alice", ev: func(p *pair) Event {
			m := *p.queue[0].msg.(*lnwire.FundingSigned)
			m.ChannelID[31] ^= 1
			return PeerMessage{Msg: &m}
		}, want: ErrWrongChannel, action: Fail, release: true},
		{name: "funding_signed before accept_channel", until: lnwire.MsgAcceptChannel, side: "alice", ev: func(p *pair) Event {
			return PeerMessage{Msg: &lnwire.FundingSigned{}}
		}, want: ErrUnexpectedMessage, action: Fail},
		{name: "second open_channel", until: lnwire.MsgFundingCreated, side: "bob", ev: func(p *pair) Event {
			return PeerMessage{Msg: &lnwire.OpenChannel{}}
		}, want: ErrUnexpectedMessage, action: Fail},
		{name: "peer error while waiting for accept", until: lnwire.MsgAcceptChannel, side: "alice", ev: func(p *pair) Event {
			return PeerMessage{Msg: &lnwire.Error{Data: []byte("no")}}
		}, want: ErrPeerFailed, action: Abandon},
		{name: "peer error while the wallet works", until: walletAnswer, side: "alice", ev: func(p *pair) Event {
			return PeerMessage{Msg: &lnwire.Error{Data: []byte("no")}}
		}, want: ErrPeerFailed, action: Abandon, release: true},
		{name: "disconnection before funding_signed", until: lnwire.MsgFundingSigned, side: "alice", ev: func(p *pair) Event {
			return Disconnected{}
		}, want: ErrDisconnected, action: Abandon, release: true},
		{name: "disconnection before funding_created", until: lnwire.MsgFundingCreated, side: "bob", ev: func(p *pair) Event {
			return Disconnected{}
		}, want: ErrDisconnected, action: Abandon},
		{name: "cancelled by the user", until: lnwire.MsgAcceptChannel, side: "alice", ev: func(p *pair) Event {
			return Cancel{Reason: "timeout"}
		}, want: ErrCancelled, action: Fail},
		{name: "cancelled accepter", until: lnwire.MsgFundingCreated, side: "bob", ev: func(p *pair) Event {
			return Cancel{Reason: "timeout"}
		}, want: ErrCancelled, action: Fail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(fullFeatures(), fullFeatures())
			s := p.opener
			if tc.side == "bob" {
				s = p.accepter
			}
			runUntil(t, p, tc.until)
			state, effects, err := Step(s.state, s.env, tc.ev(p))
			if !errors.Is(err, tc.want) || ActionOf(err) != tc.action {
				t.Fatalf("error %v (%s), want %v (%s)", err, ActionOf(err), tc.want, tc.action)
			}
			tempID := p.opener.state.TemporaryChannelID
			if tc.action == Fail {
				checkFailed(t, state, effects, err, tempID, tc.release)
				return
			}
			// Abandon sends nothing.
			for _, e := range effects {
				if _, ok := e.(SendMessage); ok {
					t.Errorf("abandon sent %#v", e)
				}
			}
			_, released := effects[0].(ReleaseFundingTx)
			if released != tc.release || state.Phase != Failed {
				t.Errorf("effects %#v, phase %s", effects, state.Phase)
			}
		})
	}
}

// walletAnswer stands for the wallet's FundingTxBuilt in runUntil.
const walletAnswer lnwire.MessageType = 0

// runUntil opens the channel and delivers messages until the next delivery
// is the given message (or the wallet's answer), which stays queued.
func runUntil(t testing.TB, p *pair, next lnwire.MessageType) {
	t.Helper()
	cmd := defaultOpen()
	cmd.Keys, cmd.PeerFeatures = p.opener.signer.keys(), p.accepter.features
	if err := p.step(p.opener, cmd); err != nil {
		t.Fatal(err)
	}
	for {
		if len(p.queue) == 0 {
			t.Fatalf("%s never came", next)
		}
		d := p.queue[0]
		if (d.msg == nil && next == walletAnswer) || (d.msg != nil && d.msg.MsgType() == next) {
			return
		}
		p.queue = p.queue[1:]
		var ev Event = PeerMessage{Msg: d.msg}
		switch {
		case d.msg == nil:
			ev = *p.pendingTx
		case d.msg.MsgType() == lnwire.MsgOpenChannel:
			ev = OpenChannelReceived{Msg: d.msg.(*lnwire.OpenChannel), PeerFeatures: p.opener.features, Keys: p.accepter.signer.keys()}
		}
		if err := p.step(d.to, ev); err != nil {
			t.Fatal(err)
		}
	}
}

// limitsWith returns the default limits for the capacity, changed.
func limitsWith(capacity lnwire.Satoshi, change func(*Limits)) *Limits {
	cfg := DefaultConfig(regtest, fullFeatures())
	l := cfg.DefaultLimits(capacity)
	change(&l)
	return &l
}
