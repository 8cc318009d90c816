package config

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(c *Config)
		option string // "" means valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"daemon with log file", func(c *Config) { c.Daemon, c.LogFiles = true, []string{"-", "/l"} }, ""},
		{"one DNS name", func(c *Config) { c.AnnounceAddrs = []Address{{AddressDNS, "a.example", 1}} }, ""},
		{"feerate at floor", func(c *Config) { c.FallbackFeerate = 253 }, ""},
		{"unknown network", func(c *Config) { c.Network = "moon" }, "network"},
		{"empty dir", func(c *Config) { c.LightningDir = "" }, "lightning-dir"},
		{"long alias", func(c *Config) { c.Alias = strings.Repeat("x", 33) }, "alias"},
		{"empty log file", func(c *Config) { c.LogFiles = []string{""} }, "log-file"},
		{"empty subsystem", func(c *Config) { c.SubsystemLogLevels = []SubsystemLogLevel{{"", LevelIO}} }, "log-level"},
		{"addr port 0", func(c *Config) { c.Addrs = []Address{{AddressIPv4, "1.2.3.4", 0}} }, "addr"},
		{"addr wrong kind", func(c *Config) { c.Addrs = []Address{{AddressIPv6, "1.2.3.4", 1}} }, "addr"},
		{"bind onion", func(c *Config) { c.BindAddrs = []Address{{AddressTorV3, onionDDG, 1}} }, "bind-addr"},
		{"announce unix", func(c *Config) { c.AnnounceAddrs = []Address{{AddressUnix, "/s", 0}} }, "announce-addr"},
		{"announce wildcard", func(c *Config) { c.AnnounceAddrs = []Address{{AddressAll, "", 1}} }, "announce-addr"},
		{"two DNS names", func(c *Config) {
			c.Addrs = []Address{{AddressDNS, "a.example", 1}}
			c.AnnounceAddrs = []Address{{AddressDNS, "b.example", 1}}
		}, "announce-addr"},
		{"no rpc host", func(c *Config) { c.Bitcoin.Host = "" }, "bitcoin-rpcconnect"},
		{"no rpc port", func(c *Config) { c.Bitcoin.Port = 0 }, "bitcoin-rpcport"},
		{"feerate below floor", func(c *Config) { c.FallbackFeerate = 252 }, "fallback-feerate"},
		{"no pid file", func(c *Config) { c.PIDFile = "" }, "pid-file"},
		{"daemon logging to stdout only", func(c *Config) { c.Daemon = true }, "daemon"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default(testEnv)
			tc.change(c)
			err := c.Validate()
			if tc.option == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Option != tc.option {
				t.Fatalf("err = %v, want an *Error for %q", err, tc.option)
			}
			if !strings.HasPrefix(err.Error(), tc.option+": ") {
				t.Fatalf("message %q does not start with the option", err)
			}
		})
	}
}

func TestBitcoinRPCStringHidesPassword(t *testing.T) {
	b := BitcoinRPC{Host: "h", Port: 1, User: "u", Password: "hunter2"}
	if s := b.String(); strings.Contains(s, "hunter2") || !strings.Contains(s, "Password:(set)") {
		t.Fatalf("String() = %q", s)
	}
	if b.TLS() || b.Address() != "h:1" {
		t.Fatalf("TLS %v Address %q", b.TLS(), b.Address())
	}
}

func TestTableDefaultsAreValid(t *testing.T) {
	// defaults panics on an invalid default; every row must also be named
	// once and have help text.
	seen := map[string]bool{}
	for _, opt := range Options() {
		if seen[opt.Name] || opt.Help == "" || opt.Kind == 0 || opt.set == nil {
			t.Errorf("bad row %q", opt.Name)
		}
		seen[opt.Name] = true
		if (opt.Kind == KindText || opt.Kind == KindPath) && opt.Arg == "" {
			t.Errorf("%q needs an Arg placeholder for --help", opt.Name)
		}
	}
	_ = Default(Environment{})
}
