package config

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Kind is the syntax of an option's value.
type Kind uint8

// Option kinds.
const (
	// KindFlag takes no value: "--daemon", "daemon".
	KindFlag Kind = iota + 1
	// KindBool takes an optional value: "--name" alone means true;
	// "--name=false" or "name=no" turn it off. "--name value" is not read
	// as a value (like Go's flag package), so write "--name=false".
	KindBool
	// KindText needs a non-empty value: "--name=v", "--name v", "name=v".
	KindText
	// KindPath is KindText whose leading "~/" means the home directory.
	KindPath
)

// source is where a setting was read; options may be limited to some.
type source uint8

const (
	fromCommandLine  source = 1 << iota
	fromExplicitFile        // the --conf file
	fromBaseFile            // <lightning-dir>/config
	fromNetworkFile         // <lightning-dir>/<network>/config

	fromAnywhere = fromCommandLine | fromExplicitFile | fromBaseFile | fromNetworkFile
)

// Option is one row of the option table.
type Option struct {
	Name       string
	Kind       Kind
	Arg        string // placeholder in --help, e.g. "RRGGBB"
	Default    string // applied before any setting; "" for none
	Help       string
	Repeatable bool // every occurrence adds a value instead of replacing it
	// Early options decide which files are read, so they are applied in a
	// first pass over the command line and the base file.
	Early bool

	allowed source // 0 means anywhere
	set     func(c *Config, value string) error
}

func (o *Option) permits(from source) bool {
	return o.allowed == 0 || o.allowed&from != 0
}

// Options returns the option table, in --help order.
func Options() []Option { return optionTable() }

// optionTable builds the table; a function, not a package variable, so
// nothing global can be changed by a caller.
func optionTable() []Option {
	return []Option{
		{Name: "help", Kind: KindFlag, Help: "Print this help and exit",
			allowed: fromCommandLine, set: func(*Config, string) error { return ErrHelp }},
		{Name: "version", Kind: KindFlag, Help: "Print version and exit",
			allowed: fromCommandLine, set: func(*Config, string) error { return ErrVersion }},
		{Name: "conf", Kind: KindPath, Arg: "FILE", Early: true, allowed: fromCommandLine,
			Help: "Read this config file instead of <lightning-dir>/config and <lightning-dir>/<network>/config",
			set:  func(c *Config, v string) error { c.ConfigFile = v; return nil }},
		{Name: "lightning-dir", Kind: KindPath, Arg: "DIR", Default: "~/.fulmen", Early: true,
			allowed: fromCommandLine | fromExplicitFile,
			Help:    "Base directory; the network's files live in <lightning-dir>/<network>",
			set:     func(c *Config, v string) error { c.LightningDir = v; return nil }},
		{Name: "network", Kind: KindText, Arg: "NETWORK", Default: "bitcoin", Early: true,
			allowed: fromAnywhere &^ fromNetworkFile,
			Help:    "bitcoin (alias mainnet), testnet, signet or regtest",
			set:     setNetwork},
		networkAlias("mainnet", Mainnet),
		networkAlias("testnet", Testnet),
		networkAlias("signet", Signet),
		networkAlias("regtest", Regtest),
		{Name: "alias", Kind: KindText, Arg: "NAME",
			Help: "Node alias, up to 32 bytes of UTF-8 (default: derived from the node id)",
			set: func(c *Config, v string) error {
				if err := checkAlias(v); err != nil {
					return err
				}
				c.Alias = v
				return nil
			}},
		{Name: "rgb", Kind: KindText, Arg: "RRGGBB",
			Help: "Node color as 6 hex digits (default: derived from the node id)", set: setRGB},
		{Name: "log-level", Kind: KindText, Arg: "LEVEL[:SUBSYSTEM]", Default: "info", Repeatable: true,
			Help: "io, debug, info, unusual or broken; with :SUBSYSTEM only for subsystems containing it",
			set:  setLogLevel},
		{Name: "log-file", Kind: KindPath, Arg: "PATH", Repeatable: true,
			Help: "Log to this file (\"-\" is stdout; default stdout)",
			set:  func(c *Config, v string) error { c.LogFiles = append(c.LogFiles, v); return nil }},
		{Name: "addr", Kind: KindText, Arg: "[HOST][:PORT]|SOCKET", Repeatable: true,
			Help: "Listen on this address and announce it if public (port defaults to the network's)",
			set:  addAddress(UseListenAndAnnounce, func(c *Config) *[]Address { return &c.Addrs })},
		{Name: "bind-addr", Kind: KindText, Arg: "[HOST][:PORT]|SOCKET", Repeatable: true,
			Help: "Listen on this address or Unix socket path, without announcing it",
			set:  addAddress(UseListen, func(c *Config) *[]Address { return &c.BindAddrs })},
		{Name: "announce-addr", Kind: KindText, Arg: "HOST[:PORT]", Repeatable: true,
			Help: "Announce this address (IPv4, [IPv6], DNS name or Tor v3 .onion) without listening",
			set:  addAddress(UseAnnounce, func(c *Config) *[]Address { return &c.AnnounceAddrs })},
		{Name: "bitcoin-rpcconnect", Kind: KindText, Arg: "HOST", Default: "127.0.0.1",
			Help: "bitcoind (or btcd) RPC host", set: setRPCHost},
		{Name: "bitcoin-rpcport", Kind: KindText, Arg: "PORT",
			Help: "bitcoind RPC port (default: bitcoind's port for the network)", set: setRPCPort},
		{Name: "bitcoin-rpcuser", Kind: KindText, Arg: "USER", Help: "bitcoind RPC user name",
			set: func(c *Config, v string) error { c.Bitcoin.User = v; return nil }},
		{Name: "bitcoin-rpcpassword", Kind: KindText, Arg: "PASSWORD", Help: "bitcoind RPC password",
			set: func(c *Config, v string) error { c.Bitcoin.Password = v; return nil }},
		{Name: "bitcoin-rpccert", Kind: KindPath, Arg: "FILE",
			Help: "btcd RPC certificate; setting it turns on TLS (default: plain HTTP)",
			set:  func(c *Config, v string) error { c.Bitcoin.CertFile = v; return nil }},
		{Name: "bitcoin-retry-timeout", Kind: KindText, Arg: "SECONDS", Default: "60",
			Help: "How long start-up waits for the bitcoin backend before giving up",
			set: func(c *Config, v string) error {
				secs, err := strconv.ParseUint(v, 10, 32)
				if err != nil || secs == 0 {
					return fmt.Errorf("%w %q: want a whole number of seconds, at least 1", ErrBadValue, v)
				}
				c.Bitcoin.RetryTimeout = time.Duration(secs) * time.Second
				return nil
			}},
		{Name: "allow-deprecated-apis", Kind: KindBool, Arg: "BOOL", Default: "true",
			Help: "Keep deprecated JSON-RPC commands and fields",
			set:  setBool(func(c *Config) *bool { return &c.AllowDeprecatedAPIs })},
		{Name: "daemon", Kind: KindFlag, Help: "Run in the background (needs a log-file)",
			set: func(c *Config, _ string) error { c.Daemon = true; return nil }},
		{Name: "pid-file", Kind: KindPath, Arg: "PATH",
			Help: "PID file (default: <lightning-dir>/fulmend-<network>.pid)",
			set:  func(c *Config, v string) error { c.PIDFile = v; return nil }},
		{Name: "fee-base", Kind: KindText, Arg: "MSAT", Default: "1000",
			Help: "Base fee in millisatoshi charged for every payment we forward",
			set: func(c *Config, v string) error {
				n, err := parseUint(v, 32)
				c.FeeBase = lnwire.MilliSatoshi(n)
				return err
			}},
		{Name: "fee-per-satoshi", Kind: KindText, Arg: "MILLIONTHS", Default: "10",
			Help: "Proportional fee in millionths of the amount we forward",
			set: func(c *Config, v string) error {
				n, err := parseUint(v, 32)
				c.FeePerSatoshi = uint32(n)
				return err
			}},
		{Name: "cltv-delta", Kind: KindText, Arg: "BLOCKS", Default: "34",
			Help: "Blocks between the expiries of an incoming HTLC and the one we forward, 1 to 2016",
			set: func(c *Config, v string) error {
				n, err := parseUint(v, 16)
				if err == nil && (n == 0 || n > 2016) {
					err = fmt.Errorf("%w %q: want 1 to 2016 blocks", ErrBadValue, v)
				}
				c.CLTVDelta = uint16(n)
				return err
			}},
		{Name: "fallback-feerate", Kind: KindText, Arg: "PERKW",
			Help: "Feerate in sat per 1000 weight when the chain gives no estimate, at least 253 (default: none)",
			set:  setFallbackFeerate},
		{Name: "force-feerates", Kind: KindText, Arg: "PERKW[/PERKW...]",
			Help: "Override fee estimates: opening/mutual_close/unilateral_close/delayed_to_us/htlc_resolution/penalty in perkw, the last value for the rest (for regtest and testnet)",
			set:  setForceFeerates},
	}
}

func networkAlias(name string, n Network) Option {
	return Option{Name: name, Kind: KindFlag, Early: true, allowed: fromAnywhere &^ fromNetworkFile,
		Help: "Alias for --network=" + string(n),
		set:  func(c *Config, _ string) error { c.Network = n; return nil }}
}

func setNetwork(c *Config, v string) error {
	n, err := ParseNetwork(v)
	if err != nil {
		return err
	}
	c.Network = n
	return nil
}

func setRGB(c *Config, v string) error {
	var rgb [3]byte
	if len(v) != 6 {
		return fmt.Errorf("%w %q: want 6 hex digits RRGGBB", ErrBadValue, v)
	}
	if _, err := hex.Decode(rgb[:], []byte(v)); err != nil {
		return fmt.Errorf("%w %q: want 6 hex digits RRGGBB", ErrBadValue, v)
	}
	c.RGB = &rgb
	return nil
}

func setLogLevel(c *Config, v string) error {
	level, subsystem, err := parseLogLevelSetting(v)
	if err != nil {
		return err
	}
	if subsystem == "" {
		c.LogLevel = level
		return nil
	}
	c.SubsystemLogLevels = append(c.SubsystemLogLevels, SubsystemLogLevel{Subsystem: subsystem, Level: level})
	return nil
}

func addAddress(use AddressUse, field func(*Config) *[]Address) func(*Config, string) error {
	return func(c *Config, v string) error {
		a, err := ParseAddress(v, use)
		if err != nil {
			return err
		}
		list := field(c)
		*list = append(*list, a)
		return nil
	}
}

func setRPCHost(c *Config, v string) error {
	if _, _, err := classifyHost(v, UseAnnounce, false); err != nil {
		return fmt.Errorf("%w %q: %v", ErrBadValue, v, err)
	}
	c.Bitcoin.Host = v
	return nil
}

func setRPCPort(c *Config, v string) error {
	port, err := strconv.ParseUint(v, 10, 16)
	if err != nil || port == 0 {
		return fmt.Errorf("%w %q: want a port from 1 to 65535", ErrBadValue, v)
	}
	c.Bitcoin.Port = uint16(port)
	return nil
}

func setBool(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		switch v {
		case "true", "yes":
			*field(c) = true
		case "false", "no":
			*field(c) = false
		default:
			return fmt.Errorf("%w %q: want true, false, yes or no", ErrBadValue, v)
		}
		return nil
	}
}

// parseUint reads a whole number of at most bits bits.
func parseUint(v string, bits int) (uint64, error) {
	n, err := strconv.ParseUint(v, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%w %q: want a whole number below 2^%d", ErrBadValue, v, bits)
	}
	return n, nil
}

// forceFeerateRoles is how many roles force-feerates names.
const forceFeerateRoles = 6

func setForceFeerates(c *Config, v string) error {
	parts := strings.Split(v, "/")
	if len(parts) > forceFeerateRoles {
		return fmt.Errorf("%w %q: at most %d values separated by /", ErrBadValue, v, forceFeerateRoles)
	}
	rates := make([]lnwire.FeeratePerKW, 0, len(parts))
	for _, part := range parts {
		rate, err := strconv.ParseUint(part, 10, 32)
		if err != nil {
			return fmt.Errorf("%w %q: want whole numbers of sat per 1000 weight separated by /", ErrBadValue, v)
		}
		if lnwire.FeeratePerKW(rate) < minFeerate {
			return fmt.Errorf("%w %q: %d is below the floor of %d perkw", ErrBadValue, v, rate, minFeerate)
		}
		rates = append(rates, lnwire.FeeratePerKW(rate))
	}
	c.ForceFeerates = rates
	return nil
}

func setFallbackFeerate(c *Config, v string) error {
	rate, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return fmt.Errorf("%w %q: want a whole number of sat per 1000 weight", ErrBadValue, v)
	}
	if rate != 0 && lnwire.FeeratePerKW(rate) < minFeerate {
		return fmt.Errorf("%w %q: below the floor of %d perkw", ErrBadValue, v, minFeerate)
	}
	c.FallbackFeerate = lnwire.FeeratePerKW(rate)
	return nil
}
