package config

import (
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Config is the daemon's resolved configuration. Parse returns it with
// every default filled in, network-dependent ports resolved and relative
// paths joined to NetworkDir, and already validated.
type Config struct {
	Network Network
	// LightningDir is the base directory; absolute when Parse was given
	// Environment.WorkingDir (or the path was absolute).
	LightningDir string
	// ConfigFile is the --conf file, or "" when the default files were read.
	ConfigFile string

	Alias string   // node_announcement alias; "" lets the daemon derive one
	RGB   *[3]byte // node_announcement rgb_color; nil lets the daemon derive one

	LogLevel           slog.Level          // level of every subsystem not listed below
	SubsystemLogLevels []SubsystemLogLevel // in the order given
	LogFiles           []string            // "-" is stdout; none means stdout

	Addrs         []Address // listen and announce
	BindAddrs     []Address // listen only
	AnnounceAddrs []Address // announce only

	Bitcoin BitcoinRPC

	AllowDeprecatedAPIs bool
	Daemon              bool   // run in the background
	PIDFile             string // default <lightning-dir>/fulmend-<network>.pid

	// FallbackFeerate is used when the chain backend gives no estimate
	// (typically regtest); 0 means no fallback.
	FallbackFeerate lnwire.FeeratePerKW
	// ForceFeerates overrides the estimates (force-feerates): Core
	// Lightning's roles opening, mutual_close, unilateral_close,
	// delayed_to_us, htlc_resolution, penalty, in perkw; the last value
	// given stands for the rest.
	ForceFeerates []lnwire.FeeratePerKW

	// FeeBase, FeePerSatoshi and CLTVDelta are our forwarding policy
	// (fee-base in msat, fee-per-satoshi in millionths, cltv-delta in
	// blocks), Core Lightning's defaults 1000, 10 and 34.
	FeeBase       lnwire.MilliSatoshi
	FeePerSatoshi uint32
	CLTVDelta     uint16
}

// BitcoinRPC is how to reach bitcoind (or btcd) over JSON-RPC.
type BitcoinRPC struct {
	Host     string // bitcoin-rpcconnect
	Port     uint16 // bitcoin-rpcport; default the network's bitcoind port
	User     string
	Password string
	// CertFile is btcd's RPC certificate; when set, the connection uses TLS
	// and trusts this certificate. When empty, plain HTTP (bitcoind).
	CertFile string
	// RetryTimeout is how long start-up waits for the backend
	// (bitcoin-retry-timeout, as in Core Lightning).
	RetryTimeout time.Duration
}

// TLS reports whether the RPC connection uses TLS: exactly when a
// certificate file is configured.
func (b BitcoinRPC) TLS() bool { return b.CertFile != "" }

// Address is host:port for dialing.
func (b BitcoinRPC) Address() string {
	return net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port)))
}

// String describes the connection without the password, so a Config can be
// logged.
func (b BitcoinRPC) String() string {
	password := ""
	if b.Password != "" {
		password = "(set)"
	}
	return fmt.Sprintf("{Host:%s Port:%d User:%s Password:%s CertFile:%s RetryTimeout:%s}",
		b.Host, b.Port, b.User, password, b.CertFile, b.RetryTimeout)
}

// NetworkDir is <lightning-dir>/<network>, where the daemon keeps its
// files for the network (Core Lightning's layout).
func (c *Config) NetworkDir() string {
	return filepath.Join(c.LightningDir, string(c.Network))
}

// Core Lightning and lnd floor feerates at 253 sat/kw: bitcoind's 1 sat/vbyte
// relay minimum (250 sat/kw) plus rounding slack.
const minFeerate lnwire.FeeratePerKW = 253

// maxAliasLen is the size of node_announcement's alias field.
const maxAliasLen = 32

// Validate checks a Config, whether from Parse or built by hand.
func (c *Config) Validate() error {
	invalid := func(option, format string, args ...any) error {
		return &Error{Option: option, Err: fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)}
	}
	if !c.Network.Valid() {
		return invalid("network", "unknown network %q", c.Network)
	}
	if c.LightningDir == "" {
		return invalid("lightning-dir", "empty")
	}
	if err := checkAlias(c.Alias); err != nil {
		return &Error{Option: "alias", Err: err}
	}
	for _, f := range c.LogFiles {
		if f == "" {
			return invalid("log-file", "empty path")
		}
	}
	for _, s := range c.SubsystemLogLevels {
		if s.Subsystem == "" {
			return invalid("log-level", "empty subsystem")
		}
	}
	for _, group := range []struct {
		option string
		use    AddressUse
		addrs  []Address
	}{
		{"addr", UseListenAndAnnounce, c.Addrs},
		{"bind-addr", UseListen, c.BindAddrs},
		{"announce-addr", UseAnnounce, c.AnnounceAddrs},
	} {
		for _, a := range group.addrs {
			if err := checkAddress(a, group.use); err != nil {
				return &Error{Option: group.option, Err: err}
			}
		}
	}
	// BOLT #7: MUST NOT announce more than one `type 5` DNS hostname.
	if n := countDNS(c.Addrs) + countDNS(c.AnnounceAddrs); n > 1 {
		return invalid("announce-addr", "%d DNS hostnames would be announced; BOLT 7 allows one", n)
	}
	if c.Bitcoin.Host == "" {
		return invalid("bitcoin-rpcconnect", "empty host")
	}
	if c.Bitcoin.Port == 0 {
		return invalid("bitcoin-rpcport", "port 0")
	}
	if c.FallbackFeerate != 0 && c.FallbackFeerate < minFeerate {
		return invalid("fallback-feerate", "%d perkw is below the floor of %d", c.FallbackFeerate, minFeerate)
	}
	if c.PIDFile == "" {
		return invalid("pid-file", "empty path")
	}
	if c.Daemon && !hasFileLog(c.LogFiles) {
		return invalid("daemon", "running in the background needs a log-file other than \"-\"")
	}
	return nil
}

// checkAlias enforces what node_announcement can carry.
func checkAlias(alias string) error {
	if len(alias) > maxAliasLen {
		return fmt.Errorf("%w %q: longer than %d bytes", ErrBadValue, alias, maxAliasLen)
	}
	// BOLT #7: MUST set `alias` to a valid UTF-8 string, with any `alias`
	// trailing-bytes equal to 0.
	if !utf8.ValidString(alias) {
		return fmt.Errorf("%w %q: not valid UTF-8", ErrBadValue, alias)
	}
	for i := 0; i < len(alias); i++ {
		if alias[i] == 0 {
			return fmt.Errorf("%w %q: contains a zero byte", ErrBadValue, alias)
		}
	}
	return nil
}

func countDNS(addrs []Address) int {
	n := 0
	for _, a := range addrs {
		if a.Kind == AddressDNS {
			n++
		}
	}
	return n
}

func hasFileLog(files []string) bool {
	for _, f := range files {
		if f != "-" {
			return true
		}
	}
	return false
}

// finish fills what depends on the final network and directory: ports
// left 0, the default pid file, and paths relative to NetworkDir.
func (c *Config) finish() {
	port := c.Network.DefaultPort()
	for _, addrs := range [][]Address{c.Addrs, c.BindAddrs, c.AnnounceAddrs} {
		for i := range addrs {
			if addrs[i].Kind != AddressUnix && addrs[i].Port == 0 {
				addrs[i].Port = port
			}
		}
	}
	if c.Bitcoin.Port == 0 {
		c.Bitcoin.Port = c.Network.DefaultBitcoindRPCPort()
	}
	if c.PIDFile == "" {
		c.PIDFile = filepath.Join(c.LightningDir, "fulmend-"+string(c.Network)+".pid")
	}
	// Core Lightning: "All files (except --conf and --lightning-dir on the
	// command line) are relative to" the lightning directory; the daemon
	// works in the network directory, so that is the base.
	c.PIDFile = c.underNetworkDir(c.PIDFile)
	c.Bitcoin.CertFile = c.underNetworkDir(c.Bitcoin.CertFile)
	for i, f := range c.LogFiles {
		c.LogFiles[i] = c.underNetworkDir(f)
	}
}

func (c *Config) underNetworkDir(path string) string {
	if path == "" || path == "-" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(c.NetworkDir(), path)
}
