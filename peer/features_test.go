package peer

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

func TestDefaultFeatures(t *testing.T) {
	f := DefaultFeatures()
	if err := checkOurFeatures(f); err != nil {
		t.Fatalf("default features are not valid to send: %v", err)
	}
	// What lnd v0.21 sets as required: Fulmen must know all of it, or lnd
	// would be disconnected for an unknown even bit.
	lndRequired := lnwire.NewFeatureVector(0, 8, 12, 14, 44)
	if unknown := lndRequired.UnknownRequired(f); len(unknown) > 0 {
		t.Errorf("lnd's required bits %v unknown to us", unknown)
	}
	// lnd disconnects a peer without option_data_loss_protect.
	if !f.HasFeature(lnwire.DataLossProtectRequired) {
		t.Error("option_data_loss_protect missing")
	}
	// BOLT #9: "MUST support: var_onion_optin".
	if !f.HasFeature(lnwire.VarOnionOptinRequired) {
		t.Error("var_onion_optin missing")
	}
	// Not supported yet, so never set.
	for _, b := range []lnwire.FeatureBit{lnwire.BasicMPPRequired, lnwire.GossipQueriesRequired, lnwire.AnchorsRequired, lnwire.DualFundRequired} {
		if f.HasFeature(b) {
			t.Errorf("%s set before it is supported", b.Name())
		}
	}
	wantRequired := []lnwire.FeatureBit{0, 8, 12, 14, 44}
	var required []lnwire.FeatureBit
	for _, b := range f.Bits() {
		if b.IsRequired() {
			required = append(required, b)
		}
	}
	if !slices.Equal(required, wantRequired) {
		t.Errorf("required bits %v, want %v", required, wantRequired)
	}
	// Each call returns an independent vector.
	f.Set(101)
	if DefaultFeatures().IsSet(101) {
		t.Error("DefaultFeatures shares storage between calls")
	}
}

func TestCheckOurFeatures(t *testing.T) {
	tests := []struct {
		name    string
		bits    []lnwire.FeatureBit
		wantErr string
	}{
		{"empty", nil, ""},
		{"defaults plus mpp", append(DefaultFeatures().Bits(), lnwire.BasicMPPOptional), ""},
		{"both bits of a pair", []lnwire.FeatureBit{12, 13}, "both bits"},
		{"undefined bit", []lnwire.FeatureBit{101}, "undefined bit 101"},
		{"missing dependency", []lnwire.FeatureBit{lnwire.BasicMPPOptional}, "needs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkOurFeatures(lnwire.NewFeatureVector(tc.bits...))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.wantErr)
			}
			if tc.name == "missing dependency" && !errors.Is(err, lnwire.ErrMissingDependency) {
				t.Errorf("%v does not wrap lnwire.ErrMissingDependency", err)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		adjust  func(*Config)
		wantErr string
	}{
		{"valid", func(*Config) {}, ""},
		{"no key", func(c *Config) { c.Key = nil }, "no node key"},
		{"no chain", func(c *Config) { c.Chain = lnwire.ChainHash{} }, "no chain"},
		{"bad features", func(c *Config) { c.Features = lnwire.NewFeatureVector(101) }, "undefined bit"},
		{"zero init timeout", func(c *Config) { c.InitTimeout = 0 }, "init timeout"},
		{"negative ping interval", func(c *Config) { c.PingInterval = -time.Second }, "ping interval"},
		{"zero pong timeout", func(c *Config) { c.PongTimeout = 0 }, "pong timeout"},
		{"zero handshake timeout", func(c *Config) { c.HandshakeTimeout = 0 }, "handshake timeout"},
		{"zero write timeout", func(c *Config) { c.WriteTimeout = 0 }, "write timeout"},
		{"max below min", func(c *Config) { c.ReconnectMax = c.ReconnectMin / 2 }, "below the minimum"},
		{"zero queue", func(c *Config) { c.SendQueueSize = 0 }, "queue size"},
		{"zero handshakes", func(c *Config) { c.MaxPendingHandshakes = 0 }, "pending handshakes"},
		{"no rand", func(c *Config) { c.Rand = nil }, "random"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, 1)
			tc.adjust(&cfg)
			err := cfg.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				m, err := NewManager(cfg)
				if err != nil {
					t.Fatalf("NewManager: %v", err)
				}
				m.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.wantErr)
			}
			if _, err := NewManager(cfg); err == nil {
				t.Fatal("NewManager accepted an invalid config")
			}
		})
	}
}

func TestPrintableData(t *testing.T) {
	tests := []struct {
		data []byte
		want string
	}{
		{nil, ""},
		{[]byte("channel closed"), "channel closed"},
		{[]byte(" ~"), " ~"},                          // 32 and 126 are printable
		{[]byte("bad\nline"), "hex:6261640a6c696e65"}, // 10 is not
		{[]byte{0x7f}, "hex:7f"},
		{[]byte("caf\xc3\xa9"), "hex:636166c3a9"}, // UTF-8 is not ASCII
	}
	for _, tc := range tests {
		if got := PrintableData(tc.data); got != tc.want {
			t.Errorf("PrintableData(%q) = %q, want %q", tc.data, got, tc.want)
		}
	}
}

func TestNextBackoff(t *testing.T) {
	const minDelay, maxDelay = time.Second, 10 * time.Second
	tests := []struct {
		current, want time.Duration
	}{
		{0, minDelay},
		{minDelay / 4, minDelay},
		{minDelay, 2 * time.Second},
		{2 * time.Second, 4 * time.Second},
		{8 * time.Second, maxDelay},
		{maxDelay, maxDelay},
		{time.Duration(1<<62 + 1), maxDelay}, // doubling overflows
	}
	for _, tc := range tests {
		if got := nextBackoff(tc.current, minDelay, maxDelay); got != tc.want {
			t.Errorf("nextBackoff(%v) = %v, want %v", tc.current, got, tc.want)
		}
	}
	for _, d := range []time.Duration{0, 1, 2, time.Second} {
		for range 20 {
			if got := withJitter(d); got < d || got > d+d/2 {
				t.Errorf("withJitter(%v) = %v, outside [d, 1.5d]", d, got)
			}
		}
	}
}
