package funding

import (
	"bytes"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// validOpenChannel returns the open_channel alice sends for cmd.
func validOpenChannel(t testing.TB, features lnwire.FeatureVector, cmd Open) *lnwire.OpenChannel {
	t.Helper()
	alice := newSide("alice", features)
	cmd.Keys = alice.signer.keys()
	cmd.PeerFeatures = features
	_, effects, err := Step(State{}, alice.env, cmd)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return effects[0].(SendMessage).Msg.(*lnwire.OpenChannel)
}

// openCase changes a valid open_channel (or what comes with it) so that
// bob must refuse it.
type openCase struct {
	name   string
	cmd    func(*Open)
	msg    func(*lnwire.OpenChannel)
	event  func(*OpenChannelReceived)
	env    func(*Env)
	want   error
	action Action
}

func ptr[T any](v T) *T { return &v }

var invalidPoint = channel.Point{0x02} // x = 0 is not on the curve

func openCases() []openCase {
	return []openCase{
		{name: "unknown chain", msg: func(m *lnwire.OpenChannel) {
			m.ChainHash = lnwire.ChainHash(*chaincfg.MainNetParams.GenesisHash)
		}, want: ErrUnknownChain},
		{name: "dual fund negotiated", event: func(e *OpenChannelReceived) {
			e.PeerFeatures.Set(lnwire.DualFundOptional)
		}, env: func(e *Env) { e.Config.LocalFeatures.Set(lnwire.DualFundOptional) }, want: ErrDualFundNegotiated},
		{name: "too many pending channels", event: func(e *OpenChannelReceived) { e.PendingChannels = 4 }, want: ErrTooManyPendingChannels},
		{name: "channel_type missing", msg: func(m *lnwire.OpenChannel) { m.TLVs.ChannelType = nil }, want: ErrMissingChannelType},
		{name: "channel_type with scid_alias", msg: func(m *lnwire.OpenChannel) {
			m.TLVs.ChannelType = ptr(lnwire.NewFeatureVector(12, 22, 46).Encode())
		}, want: ErrUnsupportedChannelType},
		{name: "channel_type with zeroconf", msg: func(m *lnwire.OpenChannel) {
			m.TLVs.ChannelType = ptr(lnwire.NewFeatureVector(12, 50).Encode())
		}, want: ErrUnsupportedChannelType},
		{name: "channel_type empty (legacy)", msg: func(m *lnwire.OpenChannel) { m.TLVs.ChannelType = ptr([]byte{}) }, want: ErrUnsupportedChannelType},
		{name: "channel_type anchors without static_remotekey", msg: func(m *lnwire.OpenChannel) {
			m.TLVs.ChannelType = ptr(lnwire.NewFeatureVector(22).Encode())
		}, want: ErrUnsupportedChannelType},
		{name: "anchors we do not support", env: func(e *Env) { e.Config.LocalFeatures = basicFeatures() }, want: ErrUnsupportedChannelType},
		{name: "funding below our minimum", msg: func(m *lnwire.OpenChannel) { m.FundingSatoshis = 19_999 }, want: ErrFundingTooSmall},
		{name: "funding zero", msg: func(m *lnwire.OpenChannel) { m.FundingSatoshis = 0 }, want: ErrFundingTooSmall},
		{name: "funding 2^24 without large channels on our side", msg: func(m *lnwire.OpenChannel) { m.FundingSatoshis = 1 << 24 },
			env: func(e *Env) { e.Config.LocalFeatures.Unset(lnwire.LargeChannelOptional) }, want: ErrFundingTooLarge},
		{name: "funding 2^24 without large channels on the peer's side", msg: func(m *lnwire.OpenChannel) { m.FundingSatoshis = 1 << 24 },
			event: func(e *OpenChannelReceived) { e.PeerFeatures.Unset(lnwire.LargeChannelOptional) }, want: ErrFundingTooLarge},
		{name: "funding above our maximum", env: func(e *Env) { e.Config.MaxFunding = 999_999 }, want: ErrFundingTooLarge},
		{name: "funding above 2^63", msg: func(m *lnwire.OpenChannel) { m.FundingSatoshis = -1 }, want: ErrFundingTooLarge},
		{name: "funding above 21M BTC", msg: func(m *lnwire.OpenChannel) { m.FundingSatoshis = MaxMoney + 1 }, want: ErrFundingTooLarge},
		{name: "push above funding", msg: func(m *lnwire.OpenChannel) { m.PushMsat = m.FundingSatoshis.ToMilliSatoshis() + 1 }, want: ErrPushTooLarge},
		{name: "feerate too low", msg: func(m *lnwire.OpenChannel) { m.FeeratePerKW = 252 }, want: ErrFeerateOutOfRange},
		{name: "feerate unreasonably large", msg: func(m *lnwire.OpenChannel) { m.FeeratePerKW = 100_001 }, want: ErrFeerateOutOfRange},
		{name: "to_self_delay unreasonably large", msg: func(m *lnwire.OpenChannel) { m.ToSelfDelay = 2017 }, want: ErrToSelfDelayTooLarge},
		{name: "max_accepted_htlcs above 483", msg: func(m *lnwire.OpenChannel) { m.MaxAcceptedHTLCs = 484 }, want: ErrTooManyAcceptedHTLCs},
		{name: "max_accepted_htlcs too small", msg: func(m *lnwire.OpenChannel) { m.MaxAcceptedHTLCs = 4 }, want: ErrTooFewAcceptedHTLCs},
		{name: "funding_pubkey invalid", msg: func(m *lnwire.OpenChannel) { m.FundingPubKey = invalidPoint }, want: ErrInvalidKey},
		{name: "revocation_basepoint invalid", msg: func(m *lnwire.OpenChannel) { m.RevocationBasepoint = invalidPoint }, want: ErrInvalidKey},
		{name: "payment_basepoint invalid", msg: func(m *lnwire.OpenChannel) { m.PaymentBasepoint = [33]byte{} }, want: ErrInvalidKey},
		{name: "delayed_payment_basepoint invalid", msg: func(m *lnwire.OpenChannel) { m.DelayedPaymentBasepoint[0] = 0x04 }, want: ErrInvalidKey},
		{name: "htlc_basepoint invalid", msg: func(m *lnwire.OpenChannel) { m.HTLCBasepoint = invalidPoint }, want: ErrInvalidKey},
		{name: "first_per_commitment_point invalid", msg: func(m *lnwire.OpenChannel) { m.FirstPerCommitmentPoint = invalidPoint }, want: ErrInvalidFirstPoint},
		{name: "dust limit below 354", msg: func(m *lnwire.OpenChannel) { m.DustLimitSatoshis = 353 }, want: ErrDustLimitTooSmall},
		{name: "dust limit above 2^63", msg: func(m *lnwire.OpenChannel) { m.DustLimitSatoshis = -5 }, want: ErrDustLimitTooSmall},
		{name: "dust limit too large", msg: func(m *lnwire.OpenChannel) { m.DustLimitSatoshis = 1063 }, want: ErrDustLimitTooLarge},
		{name: "dust limit above channel reserve", msg: func(m *lnwire.OpenChannel) {
			m.DustLimitSatoshis, m.ChannelReserveSatoshis = 600, 599
		}, want: ErrReserveBelowDust},
		{name: "channel reserve too large", msg: func(m *lnwire.OpenChannel) { m.ChannelReserveSatoshis = m.FundingSatoshis/5 + 1 }, want: ErrReserveTooLarge},
		{name: "htlc_minimum_msat too large", msg: func(m *lnwire.OpenChannel) { m.HTLCMinimumMsat = m.FundingSatoshis.ToMilliSatoshis() }, want: ErrHTLCMinimumTooLarge},
		{name: "max_htlc_value_in_flight_msat below 5 htlc minimums", msg: func(m *lnwire.OpenChannel) {
			m.HTLCMinimumMsat, m.MaxHTLCValueInFlightMsat = 1000, 4999
		}, want: ErrInFlightTooSmall},
		{name: "max_htlc_value_in_flight_msat below htlc_minimum_msat", msg: func(m *lnwire.OpenChannel) {
			m.HTLCMinimumMsat, m.MaxHTLCValueInFlightMsat = 1, 0
		}, want: ErrInFlightTooSmall},
		{name: "upfront_shutdown_script OP_RETURN", msg: func(m *lnwire.OpenChannel) {
			m.TLVs.UpfrontShutdownScript = ptr([]byte{0x6a, 0x01, 0x01})
		}, want: ErrBadUpfrontShutdown},
		{name: "upfront_shutdown_script v1 without anysegwit", msg: func(m *lnwire.OpenChannel) {
			m.TLVs.UpfrontShutdownScript = ptr(append([]byte{0x51, 0x20}, bytes.Repeat([]byte{1}, 32)...))
		}, env: func(e *Env) { e.Config.LocalFeatures.Unset(lnwire.ShutdownAnySegwitOptional) }, want: ErrBadUpfrontShutdown},
		{name: "funder cannot pay the fee", msg: func(m *lnwire.OpenChannel) {
			m.PushMsat = m.FundingSatoshis.ToMilliSatoshis() - 3_000_000
		}, want: ErrCannotAffordFee},
		{name: "both outputs at or below the reserves", cmd: func(o *Open) { o.Funding, o.PushMsat = 20_000, 0 },
			msg: func(m *lnwire.OpenChannel) { m.FeeratePerKW = 17_000 }, want: ErrOutputsBelowReserve},
		{name: "our own keys invalid", event: func(e *OpenChannelReceived) { e.Keys.HTLCBasepoint = invalidPoint }, want: ErrBadLocalParams},
		{name: "our own upfront script invalid", event: func(e *OpenChannelReceived) { e.UpfrontShutdownScript = []byte{1, 2, 3} }, want: ErrBadLocalParams},
		{name: "signer cannot give the first point", env: func(e *Env) {
			s := newTestSigner("bob")
			s.failPoints = true
			e.Channel.Signer = s
		}, want: ErrSigner},
	}
}

func TestAccepterRefusesOpenChannel(t *testing.T) {
	for _, tc := range openCases() {
		t.Run(tc.name, func(t *testing.T) {
			cmd := defaultOpen()
			if tc.cmd != nil {
				tc.cmd(&cmd)
			}
			msg := validOpenChannel(t, fullFeatures(), cmd)
			bob := newSide("bob", fullFeatures())
			ev := OpenChannelReceived{Msg: msg, PeerFeatures: fullFeatures(), Keys: bob.signer.keys()}
			if tc.msg != nil {
				tc.msg(msg)
			}
			if tc.event != nil {
				tc.event(&ev)
			}
			if tc.env != nil {
				tc.env(&bob.env)
			}
			state, effects, err := Step(State{}, bob.env, ev)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			checkFailed(t, state, effects, err, msg.TemporaryChannelID, false)
		})
	}
}

// checkFailed checks that a refused peer message ended the negotiation with
// an error for the temporary channel id, and nothing else.
func checkFailed(t *testing.T, state State, effects []Effect, err error, tempID lnwire.ChannelID, release bool) {
	t.Helper()
	if ActionOf(err) != Fail {
		t.Errorf("action %s, want %s", ActionOf(err), Fail)
	}
	if state.Phase != Failed || state.Failure == "" {
		t.Errorf("phase %s, failure %q", state.Phase, state.Failure)
	}
	want := 2
	if release {
		want = 3
	}
	if len(effects) != want {
		t.Fatalf("effects %#v", effects)
	}
	send, ok := effects[0].(SendMessage)
	if !ok {
		t.Fatalf("first effect %T", effects[0])
	}
	msg, ok := send.Msg.(*lnwire.Error)
	if !ok || msg.ChannelID != tempID || len(msg.Data) == 0 {
		t.Errorf("sent %#v, want an error for %s", send.Msg, tempID)
	}
	if release {
		if r, ok := effects[1].(ReleaseFundingTx); !ok || r.TemporaryChannelID != tempID {
			t.Errorf("second effect %#v, want ReleaseFundingTx", effects[1])
		}
	}
	if f, ok := effects[len(effects)-1].(NegotiationFailed); !ok || !errors.Is(f.Err, err) {
		t.Errorf("last effect %#v, want NegotiationFailed", effects[len(effects)-1])
	}
}

func TestAccepterAnswersZeroTemporaryIDWithWarning(t *testing.T) {
	msg := validOpenChannel(t, fullFeatures(), defaultOpen())
	msg.TemporaryChannelID = lnwire.ChannelID{}
	bob := newSide("bob", fullFeatures())
	_, effects, err := Step(State{}, bob.env, OpenChannelReceived{Msg: msg, PeerFeatures: fullFeatures(), Keys: bob.signer.keys()})
	if !errors.Is(err, ErrZeroTemporaryChannelID) || ActionOf(err) != Fail {
		t.Fatalf("error %v", err)
	}
	if w, ok := effects[0].(SendMessage).Msg.(*lnwire.Warning); !ok || !w.ChannelID.IsAll() {
		t.Errorf("sent %#v, want a connection-level warning (an error would fail every channel)", effects[0])
	}
}

// Rules that only apply when a feature is negotiated let the same message
// through otherwise.
func TestAccepterToleratesWhatIsNotNegotiated(t *testing.T) {
	msg := validOpenChannel(t, fullFeatures(), defaultOpen())
	// option_upfront_shutdown_script not negotiated: the script is not
	// enforced, so an invalid one is ignored.
	msg.TLVs.UpfrontShutdownScript = ptr([]byte{0x6a})
	bob := newSide("bob", fullFeatures())
	bob.env.Config.LocalFeatures.Unset(lnwire.UpfrontShutdownScriptOptional)
	state, effects, err := Step(State{}, bob.env, OpenChannelReceived{Msg: msg, PeerFeatures: fullFeatures(), Keys: bob.signer.keys()})
	if err != nil {
		t.Fatal(err)
	}
	if state.Remote.UpfrontShutdownScript != nil {
		t.Errorf("kept %x", state.Remote.UpfrontShutdownScript)
	}
	if _, ok := effects[0].(SendMessage).Msg.(*lnwire.AcceptChannel); !ok {
		t.Errorf("sent %#v", effects[0])
	}
	// Undefined channel_flags bits are ignored.
	msg.ChannelFlags = 0xfe
	state, _, err = Step(State{}, bob.env, OpenChannelReceived{Msg: msg, PeerFeatures: fullFeatures(), Keys: bob.signer.keys()})
	if err != nil || state.ChannelFlags != 0 {
		t.Errorf("flags 0xfe: %v, kept %x", err, state.ChannelFlags)
	}
}
