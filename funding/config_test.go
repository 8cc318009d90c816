package funding

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

func TestDefaultConfigIsValid(t *testing.T) {
	cfg := DefaultConfig(regtest, fullFeatures())
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
	}{
		{"dust limit below 354", func(c *Config) { c.DustLimit = 353 }},
		{"dust limit above what lnd takes", func(c *Config) { c.DustLimit = 1063 }},
		{"max accepted HTLCs below what lnd takes", func(c *Config) { c.MaxAcceptedHTLCs = 4 }},
		{"max accepted HTLCs above 483", func(c *Config) { c.MaxAcceptedHTLCs = 484 }},
		{"no to_self_delay", func(c *Config) { c.MinToSelfDelay = 0 }},
		{"to_self_delay range upside down", func(c *Config) { c.MinToSelfDelay, c.MaxToSelfDelay = 2016, 144 }},
		{"zero-conf", func(c *Config) { c.MinimumDepth = 0 }},
		{"no minimum funding", func(c *Config) { c.MinFunding = 0 }},
		{"maximum below minimum", func(c *Config) { c.MaxFunding = c.MinFunding - 1 }},
		{"no pending channel allowed", func(c *Config) { c.MaxPendingChannels = 0 }},
		{"remote dust limit cap below 354", func(c *Config) { c.MaxRemoteDustLimit = 300 }},
		{"remote reserve cap zero", func(c *Config) { c.MaxRemoteReservePercent = 0 }},
		{"remote reserve cap above 100%", func(c *Config) { c.MaxRemoteReservePercent = 101 }},
		{"remote max accepted HTLCs floor above 483", func(c *Config) { c.MinRemoteMaxAcceptedHTLCs = 484 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig(regtest, fullFeatures())
			tc.change(&cfg)
			if err := cfg.Validate(); !errors.Is(err, ErrBadConfig) {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

// lnd v0.21 scales the to_self_delay it asks linearly from 144 to 2016
// blocks by capacity / (2^24 - 1) (server.go RequiredRemoteDelay); so do
// we.
func TestToSelfDelayScalesLikeLnd(t *testing.T) {
	cfg := DefaultConfig(regtest, fullFeatures())
	tests := []struct {
		capacity lnwire.Satoshi
		want     uint16
	}{
		{20_000, 144},
		{1_000_000, 144},
		{1_198_372, 144}, // 2016 * c / (2^24-1) = 143.99...
		{2_000_000, 240}, // 240.3
		{8_388_607, 1007},
		{16_777_214, 2015},
		{16_777_215, 2016},
		{100_000_000, 2016},
	}
	for _, tc := range tests {
		if got := cfg.ToSelfDelayFor(tc.capacity); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.capacity, got, tc.want)
		}
	}
}

// lndAccepts applies the checks lnd v0.21 makes of the parameters a peer
// announces (lnwallet.VerifyConstraints and validateReserveBounds, with
// its default max CSV delay of 2016), transcribed as facts.
func lndAccepts(l Limits, capacity lnwire.Satoshi, lndDust lnwire.Satoshi) error {
	switch {
	case l.ToSelfDelay > 2016:
		return fmt.Errorf("csv delay %d", l.ToSelfDelay)
	case l.DustLimit > l.ChannelReserve:
		return fmt.Errorf("reserve %s below dust %s", l.ChannelReserve, l.DustLimit)
	case l.DustLimit < 354 || l.DustLimit > 3*354:
		return fmt.Errorf("dust limit %s", l.DustLimit)
	case l.ChannelReserve > capacity/5:
		return fmt.Errorf("reserve %s above 20%%", l.ChannelReserve)
	case l.HTLCMinimum > l.MaxHTLCValueInFlight:
		return fmt.Errorf("min htlc above in-flight")
	case l.MaxAcceptedHTLCs > 483 || l.MaxAcceptedHTLCs < 5:
		return fmt.Errorf("max htlcs %d", l.MaxAcceptedHTLCs)
	case l.MaxHTLCValueInFlight < 5*l.HTLCMinimum:
		return fmt.Errorf("in-flight too small")
	case l.ChannelReserve < lndDust:
		return fmt.Errorf("reserve below lnd's dust limit")
	}
	return nil
}

func TestDefaultLimitsSuitLnd(t *testing.T) {
	cfg := DefaultConfig(regtest, fullFeatures())
	for _, capacity := range []lnwire.Satoshi{20_000, 54_600, 100_000, 1_000_000, 16_777_215, 1_000_000_000} {
		l := cfg.DefaultLimits(capacity)
		// lnd's own dust limit is 354 sat.
		if err := lndAccepts(l, capacity, 354); err != nil {
			t.Errorf("%s: lnd would refuse: %v", capacity, err)
		}
		if want := max(capacity/100, cfg.DustLimit); l.ChannelReserve != want {
			t.Errorf("%s: reserve %s, want 1%% or the dust limit: %s", capacity, l.ChannelReserve, want)
		}
		if l.MaxHTLCValueInFlight != (capacity - l.ChannelReserve).ToMilliSatoshis() {
			t.Errorf("%s: in-flight %s", capacity, l.MaxHTLCValueInFlight)
		}
	}
}

// The accepter answers an opener with a small reserve or a large dust limit
// so that both reserves are at least both dust limits (what lnd's
// validateReserveBounds demands of the pair).
func TestAccepterAdaptsItsLimitsToTheOpener(t *testing.T) {
	tests := []struct {
		name                      string
		openerDust, openerReserve lnwire.Satoshi
		wantAccepterDust, wantRsv lnwire.Satoshi
	}{
		{"lnd-like opener with a 354 sat reserve", 354, 354, 354, 546},
		{"opener with a large dust limit", 1000, 1000, 546, 1000},
		{"default opener", 546, 546, 546, 546},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := defaultOpen()
			cmd.Funding, cmd.PushMsat = 20_000, 0
			cfg := DefaultConfig(regtest, fullFeatures())
			l := cfg.DefaultLimits(cmd.Funding)
			l.DustLimit, l.ChannelReserve = tc.openerDust, tc.openerReserve
			cmd.Limits = &l
			msg := validOpenChannel(t, fullFeatures(), cmd)
			bob := newSide("bob", fullFeatures())
			_, effects, err := Step(State{}, bob.env, OpenChannelReceived{Msg: msg, PeerFeatures: fullFeatures(), Keys: bob.signer.keys()})
			if err != nil {
				t.Fatal(err)
			}
			a := effects[0].(SendMessage).Msg.(*lnwire.AcceptChannel)
			if a.DustLimitSatoshis != tc.wantAccepterDust || a.ChannelReserveSatoshis != tc.wantRsv {
				t.Errorf("dust %s reserve %s, want %s %s", a.DustLimitSatoshis, a.ChannelReserveSatoshis, tc.wantAccepterDust, tc.wantRsv)
			}
			if a.MinimumDepth != 3 || a.MaxAcceptedHTLCs != 483 || a.HTLCMinimumMsat != 1 || a.ToSelfDelay != 144 {
				t.Errorf("accept_channel %+v", a)
			}
		})
	}
}
