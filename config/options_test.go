package config

import (
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// testEnv has a home directory and no files: Parse does no I/O with it.
var testEnv = Environment{Home: "/home/u"}

// optionCase sets one option on the command line and in a file; exactly
// one of want and wantErr is set.
type optionCase struct {
	name    string
	line    string // "option=value" as in a file; the flag is "--" + line
	want    func(c *Config) any
	expect  any
	wantErr error
}

func optionCases() []optionCase {
	rgb := [3]byte{0x12, 0xab, 0xff}
	return []optionCase{
		{"network regtest", "network=regtest", func(c *Config) any { return c.Network }, Regtest, nil},
		{"network testnet", "network=testnet", func(c *Config) any { return c.Network }, Testnet, nil},
		{"network signet", "network=signet", func(c *Config) any { return c.Network }, Signet, nil},
		{"network bitcoin", "network=bitcoin", func(c *Config) any { return c.Network }, Mainnet, nil},
		{"network mainnet alias", "network=mainnet", func(c *Config) any { return c.Network }, Mainnet, nil},
		{"network unknown", "network=litecoin", nil, nil, ErrBadValue},
		{"network case matters", "network=Regtest", nil, nil, ErrBadValue},
		{"network empty", "network=", nil, nil, ErrMissingValue},
		{"regtest flag", "regtest", func(c *Config) any { return c.Network }, Regtest, nil},
		{"testnet flag", "testnet", func(c *Config) any { return c.Network }, Testnet, nil},
		{"signet flag", "signet", func(c *Config) any { return c.Network }, Signet, nil},
		{"mainnet flag", "mainnet", func(c *Config) any { return c.Network }, Mainnet, nil},
		{"regtest flag with value", "regtest=true", nil, nil, ErrUnexpectedValue},

		{"alias", "alias=Peter Todd", func(c *Config) any { return c.Alias }, "Peter Todd", nil},
		{"alias utf8 32 bytes", "alias=" + strings.Repeat("é", 16), func(c *Config) any { return c.Alias }, strings.Repeat("é", 16), nil},
		{"alias 33 bytes", "alias=" + strings.Repeat("a", 33), nil, nil, ErrBadValue},
		{"alias bad utf8", "alias=\xff\xfe", nil, nil, ErrBadValue},
		{"alias zero byte", "alias=a\x00b", nil, nil, ErrBadValue},
		{"alias missing", "alias", nil, nil, ErrMissingValue},

		{"rgb", "rgb=12abFF", func(c *Config) any { return *c.RGB }, rgb, nil},
		{"rgb short", "rgb=12abf", nil, nil, ErrBadValue},
		{"rgb long", "rgb=12abff00", nil, nil, ErrBadValue},
		{"rgb hash", "rgb=#12abf", nil, nil, ErrBadValue},
		{"rgb not hex", "rgb=zz00ff", nil, nil, ErrBadValue},

		{"log-level io", "log-level=io", func(c *Config) any { return c.LogLevel }, LevelIO, nil},
		{"log-level debug", "log-level=debug", func(c *Config) any { return c.LogLevel }, slog.LevelDebug, nil},
		{"log-level info", "log-level=info", func(c *Config) any { return c.LogLevel }, slog.LevelInfo, nil},
		{"log-level unusual", "log-level=unusual", func(c *Config) any { return c.LogLevel }, slog.LevelWarn, nil},
		{"log-level broken", "log-level=broken", func(c *Config) any { return c.LogLevel }, slog.LevelError, nil},
		{"log-level subsystem", "log-level=debug:gossipd",
			func(c *Config) any { return []any{c.LogLevel, c.SubsystemLogLevels} },
			[]any{slog.LevelInfo, []SubsystemLogLevel{{"gossipd", slog.LevelDebug}}}, nil},
		{"log-level subsystem with colon", "log-level=io:chan#5:x",
			func(c *Config) any { return c.SubsystemLogLevels },
			[]SubsystemLogLevel{{"chan#5:x", LevelIO}}, nil},
		{"log-level unknown", "log-level=warn", nil, nil, ErrBadValue},
		{"log-level empty subsystem", "log-level=debug:", nil, nil, ErrBadValue},
		{"log-level bad level with subsystem", "log-level=loud:gossipd", nil, nil, ErrBadValue},

		{"log-file stdout", "log-file=-", func(c *Config) any { return c.LogFiles }, []string{"-"}, nil},
		{"log-file absolute", "log-file=/var/log/f.log", func(c *Config) any { return c.LogFiles }, []string{"/var/log/f.log"}, nil},
		{"log-file relative", "log-file=f.log", func(c *Config) any { return c.LogFiles }, []string{"/home/u/.fulmen/bitcoin/f.log"}, nil},
		{"log-file home", "log-file=~/f.log", func(c *Config) any { return c.LogFiles }, []string{"/home/u/f.log"}, nil},
		{"log-file empty", "log-file=", nil, nil, ErrMissingValue},

		{"addr ipv4", "addr=10.0.0.1:9000", func(c *Config) any { return c.Addrs },
			[]Address{{AddressIPv4, "10.0.0.1", 9000}}, nil},
		{"addr default port", "addr=10.0.0.1", func(c *Config) any { return c.Addrs },
			[]Address{{AddressIPv4, "10.0.0.1", 9735}}, nil},
		{"addr every interface", "addr=:9000", func(c *Config) any { return c.Addrs },
			[]Address{{AddressAll, "", 9000}}, nil},
		{"addr ipv6", "addr=[::1]:9000", func(c *Config) any { return c.Addrs },
			[]Address{{AddressIPv6, "::1", 9000}}, nil},
		{"addr bare ipv6", "addr=::", func(c *Config) any { return c.Addrs },
			[]Address{{AddressIPv6, "::", 9735}}, nil},
		{"addr dns", "addr=node.example.com:9001", func(c *Config) any { return c.Addrs },
			[]Address{{AddressDNS, "node.example.com", 9001}}, nil},
		{"addr unix", "addr=/tmp/peer.sock", func(c *Config) any { return c.Addrs },
			[]Address{{AddressUnix, "/tmp/peer.sock", 0}}, nil},
		{"addr port 0", "addr=10.0.0.1:0", nil, nil, ErrBadValue},
		{"addr port too big", "addr=10.0.0.1:65536", nil, nil, ErrBadValue},
		{"addr onion", "addr=" + onionDDG + ":9735", nil, nil, ErrBadValue},
		{"addr autotor", "addr=autotor:127.0.0.1:9051", nil, nil, ErrBadValue},
		{"addr missing", "addr", nil, nil, ErrMissingValue},

		{"bind-addr unix", "bind-addr=/run/fulmen.sock", func(c *Config) any { return c.BindAddrs },
			[]Address{{AddressUnix, "/run/fulmen.sock", 0}}, nil},
		{"bind-addr all", "bind-addr=0.0.0.0:9735", func(c *Config) any { return c.BindAddrs },
			[]Address{{AddressIPv4, "0.0.0.0", 9735}}, nil},
		{"bind-addr bad host", "bind-addr=no_underscores:1", nil, nil, ErrBadValue},

		{"announce-addr ipv4", "announce-addr=203.0.113.7", func(c *Config) any { return c.AnnounceAddrs },
			[]Address{{AddressIPv4, "203.0.113.7", 9735}}, nil},
		{"announce-addr onion", "announce-addr=" + onionDDG, func(c *Config) any { return c.AnnounceAddrs },
			[]Address{{AddressTorV3, onionDDG, 9735}}, nil},
		{"announce-addr wildcard", "announce-addr=0.0.0.0:9735", nil, nil, ErrBadValue},
		{"announce-addr unix", "announce-addr=/tmp/s", nil, nil, ErrBadValue},
		{"announce-addr empty host", "announce-addr=:9735", nil, nil, ErrBadValue},

		{"bitcoin-rpcconnect", "bitcoin-rpcconnect=btc.lan", func(c *Config) any { return c.Bitcoin.Host }, "btc.lan", nil},
		{"bitcoin-rpcconnect ipv6", "bitcoin-rpcconnect=::1", func(c *Config) any { return c.Bitcoin.Address() }, "[::1]:8332", nil},
		{"bitcoin-rpcconnect with port", "bitcoin-rpcconnect=host:8332", nil, nil, ErrBadValue},
		{"bitcoin-rpcconnect wildcard", "bitcoin-rpcconnect=0.0.0.0", nil, nil, ErrBadValue},
		{"bitcoin-rpcport", "bitcoin-rpcport=18443", func(c *Config) any { return c.Bitcoin.Port }, uint16(18443), nil},
		{"bitcoin-rpcport 0", "bitcoin-rpcport=0", nil, nil, ErrBadValue},
		{"bitcoin-rpcport text", "bitcoin-rpcport=http", nil, nil, ErrBadValue},
		{"bitcoin-rpcport too big", "bitcoin-rpcport=70000", nil, nil, ErrBadValue},
		{"bitcoin-rpcuser", "bitcoin-rpcuser=alice", func(c *Config) any { return c.Bitcoin.User }, "alice", nil},
		{"bitcoin-rpcpassword with = and #", "bitcoin-rpcpassword=p=w#rd",
			func(c *Config) any { return c.Bitcoin.Password }, "p=w#rd", nil},
		{"bitcoin-rpcpassword missing", "bitcoin-rpcpassword", nil, nil, ErrMissingValue},
		{"bitcoin-rpccert", "bitcoin-rpccert=/etc/btcd/rpc.cert",
			func(c *Config) any { return []any{c.Bitcoin.CertFile, c.Bitcoin.TLS()} },
			[]any{"/etc/btcd/rpc.cert", true}, nil},
		{"bitcoin-rpccert relative", "bitcoin-rpccert=rpc.cert",
			func(c *Config) any { return c.Bitcoin.CertFile }, "/home/u/.fulmen/bitcoin/rpc.cert", nil},

		{"bitcoin-retry-timeout", "bitcoin-retry-timeout=5",
			func(c *Config) any { return c.Bitcoin.RetryTimeout }, 5 * time.Second, nil},
		{"bitcoin-retry-timeout zero", "bitcoin-retry-timeout=0", nil, nil, ErrBadValue},
		{"bitcoin-retry-timeout text", "bitcoin-retry-timeout=soon", nil, nil, ErrBadValue},

		{"allow-deprecated-apis alone", "allow-deprecated-apis", func(c *Config) any { return c.AllowDeprecatedAPIs }, true, nil},
		{"allow-deprecated-apis false", "allow-deprecated-apis=false", func(c *Config) any { return c.AllowDeprecatedAPIs }, false, nil},
		{"allow-deprecated-apis no", "allow-deprecated-apis=no", func(c *Config) any { return c.AllowDeprecatedAPIs }, false, nil},
		{"allow-deprecated-apis yes", "allow-deprecated-apis=yes", func(c *Config) any { return c.AllowDeprecatedAPIs }, true, nil},
		{"allow-deprecated-apis bad", "allow-deprecated-apis=maybe", nil, nil, ErrBadValue},
		{"allow-deprecated-apis empty", "allow-deprecated-apis=", nil, nil, ErrBadValue},

		{"daemon without log file", "daemon", nil, nil, ErrInvalid},
		{"daemon with value", "daemon=true", nil, nil, ErrUnexpectedValue},

		{"pid-file", "pid-file=/run/f.pid", func(c *Config) any { return c.PIDFile }, "/run/f.pid", nil},
		{"pid-file relative", "pid-file=f.pid", func(c *Config) any { return c.PIDFile }, "/home/u/.fulmen/bitcoin/f.pid", nil},
		{"pid-file empty", "pid-file=", nil, nil, ErrMissingValue},

		{"fallback-feerate", "fallback-feerate=253", func(c *Config) any { return c.FallbackFeerate }, lnwire.FeeratePerKW(253), nil},
		{"fallback-feerate zero is none", "fallback-feerate=0", func(c *Config) any { return c.FallbackFeerate }, lnwire.FeeratePerKW(0), nil},
		{"fallback-feerate below floor", "fallback-feerate=252", nil, nil, ErrBadValue},
		{"fallback-feerate negative", "fallback-feerate=-1", nil, nil, ErrBadValue},
		{"fallback-feerate too big", "fallback-feerate=4294967296", nil, nil, ErrBadValue},
		{"fallback-feerate fraction", "fallback-feerate=253.5", nil, nil, ErrBadValue},

		{"fee-base", "fee-base=0", func(c *Config) any { return c.FeeBase }, lnwire.MilliSatoshi(0), nil},
		{"fee-base 2000", "fee-base=2000", func(c *Config) any { return c.FeeBase }, lnwire.MilliSatoshi(2000), nil},
		{"fee-base negative", "fee-base=-1", nil, nil, ErrBadValue},
		{"fee-per-satoshi", "fee-per-satoshi=250", func(c *Config) any { return c.FeePerSatoshi }, uint32(250), nil},
		{"fee-per-satoshi too big", "fee-per-satoshi=4294967296", nil, nil, ErrBadValue},
		{"cltv-delta", "cltv-delta=40", func(c *Config) any { return c.CLTVDelta }, uint16(40), nil},
		{"cltv-delta zero", "cltv-delta=0", nil, nil, ErrBadValue},
		{"cltv-delta too far", "cltv-delta=2017", nil, nil, ErrBadValue},
		{"cltv-delta text", "cltv-delta=soon", nil, nil, ErrBadValue},

		{"force-feerates one", "force-feerates=1000", func(c *Config) any { return c.ForceFeerates }, []lnwire.FeeratePerKW{1000}, nil},
		{"force-feerates six", "force-feerates=300/400/500/600/700/800", func(c *Config) any { return c.ForceFeerates },
			[]lnwire.FeeratePerKW{300, 400, 500, 600, 700, 800}, nil},
		{"force-feerates seven", "force-feerates=300/400/500/600/700/800/900", nil, nil, ErrBadValue},
		{"force-feerates below floor", "force-feerates=1000/252", nil, nil, ErrBadValue},
		{"force-feerates empty part", "force-feerates=1000//2000", nil, nil, ErrBadValue},
		{"force-feerates text", "force-feerates=fast", nil, nil, ErrBadValue},

		{"unknown", "colour=red", nil, nil, ErrUnknownOption},
	}
}

// onionDDG is DuckDuckGo's published Tor v3 onion service name.
const onionDDG = "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion"

func checkOptionCase(t *testing.T, tc optionCase, c *Config, err error) {
	t.Helper()
	if tc.wantErr != nil {
		if !errors.Is(err, tc.wantErr) {
			t.Fatalf("err = %v, want %v", err, tc.wantErr)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("err %T is not *Error", err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("error message spans lines: %q", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if got := tc.want(c); !reflect.DeepEqual(got, tc.expect) {
		t.Fatalf("got %#v, want %#v", got, tc.expect)
	}
}

func TestOptionsOnCommandLine(t *testing.T) {
	for _, tc := range optionCases() {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]string{"--" + tc.line}, testEnv)
			checkOptionCase(t, tc, c, err)
			if err != nil && !errors.Is(err, ErrInvalid) && !strings.Contains(err.Error(), "--") {
				t.Fatalf("command-line error does not name the flag: %q", err)
			}
		})
	}
}

func TestOptionsInFile(t *testing.T) {
	for _, tc := range optionCases() {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv
			env.ReadFile = memFiles{"/home/u/.fulmen/config": "# test\n" + tc.line + "\n"}.read
			c, err := Parse(nil, env)
			checkOptionCase(t, tc, c, err)
			if err != nil && !errors.Is(err, ErrInvalid) && !strings.HasPrefix(err.Error(), "/home/u/.fulmen/config:2: ") {
				t.Fatalf("file error does not name file and line 2: %q", err)
			}
		})
	}
}

// TestOptionValueAsNextArgument covers "--name value" for every valued
// option case that has no '=' inside its value.
func TestOptionValueAsNextArgument(t *testing.T) {
	for _, tc := range optionCases() {
		name, value, ok := strings.Cut(tc.line, "=")
		if !ok || value == "" || strings.HasPrefix(name, "allow-") || tc.wantErr == ErrUnknownOption {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]string{"--" + name, value}, testEnv)
			if tc.wantErr == ErrUnexpectedValue {
				// A flag does not take the next argument: it is positional.
				if !errors.Is(err, ErrUnexpectedArgument) {
					t.Fatalf("err = %v, want %v", err, ErrUnexpectedArgument)
				}
				return
			}
			checkOptionCase(t, tc, c, err)
		})
	}
}

func TestEveryOptionHasACase(t *testing.T) {
	covered := map[string]bool{"help": true, "version": true, "conf": true, "lightning-dir": true}
	for _, tc := range optionCases() {
		name, _, _ := strings.Cut(tc.line, "=")
		covered[name] = true
	}
	for _, opt := range Options() {
		if !covered[opt.Name] {
			t.Errorf("option %q has no test case", opt.Name)
		}
	}
}
