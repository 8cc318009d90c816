package peer

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/noise"
	"github.com/fulmen-ln/fulmen/transport"
)

// Defaults of DefaultConfig.
const (
	DefaultHandshakeTimeout     = transport.DefaultHandshakeTimeout
	DefaultInitTimeout          = 30 * time.Second
	DefaultPingInterval         = time.Minute
	DefaultPongTimeout          = 30 * time.Second
	DefaultWriteTimeout         = 30 * time.Second
	DefaultSendQueueSize        = 256
	DefaultReconnectMin         = time.Second
	DefaultReconnectMax         = 5 * time.Minute
	DefaultMaxPendingHandshakes = 64
)

// Config configures a Manager and the peers it runs. Start from
// DefaultConfig and set Key and Chain.
type Config struct {
	// Key is the node's static key for the BOLT #8 handshake
	// (signer.NodeECDH in production).
	Key noise.LocalKey
	// Chain is the genesis hash of the chain we are on; init's networks
	// carries it.
	Chain lnwire.ChainHash
	// Features is the features field of our init. They are also the
	// features we know: a peer requiring any other even bit is refused.
	Features lnwire.FeatureVector

	// Handler receives every message that is not link-level (see
	// MessageHandler). Nil means ChannelRefuser.
	Handler MessageHandler
	// Events receives connection events. Nil drops them.
	Events EventHandler
	// Logger is the logger; nil discards.
	Logger *slog.Logger
	// HasActiveChannels tells Disconnect whether a peer has channels, so
	// that a disconnection without force is refused. Nil means none has.
	HasActiveChannels func(id *btcec.PublicKey) bool

	// HandshakeTimeout bounds the three BOLT #8 acts.
	HandshakeTimeout time.Duration
	// InitTimeout bounds the init exchange that follows.
	InitTimeout time.Duration
	// PingInterval is the time between keep-alive pings.
	PingInterval time.Duration
	// PongTimeout is how long a keep-alive ping waits for its pong before
	// the connection is dropped.
	PongTimeout time.Duration
	// WriteTimeout bounds the write of one message.
	WriteTimeout time.Duration
	// SendQueueSize is the number of messages that may wait to be written;
	// a peer whose queue overflows is disconnected.
	SendQueueSize int
	// ReconnectMin and ReconnectMax bound the exponential back-off between
	// attempts to reach a persistent peer.
	ReconnectMin, ReconnectMax time.Duration
	// MaxPendingHandshakes bounds the inbound connections still in the
	// handshake or init exchange; more are closed at once.
	MaxPendingHandshakes int
	// Rand is the source of the handshake's ephemeral keys.
	Rand io.Reader
}

// DefaultConfig returns the default timeouts and sizes, DefaultFeatures and
// crypto/rand. Key and Chain are left for the caller.
func DefaultConfig() Config {
	return Config{
		Features:             DefaultFeatures(),
		HandshakeTimeout:     DefaultHandshakeTimeout,
		InitTimeout:          DefaultInitTimeout,
		PingInterval:         DefaultPingInterval,
		PongTimeout:          DefaultPongTimeout,
		WriteTimeout:         DefaultWriteTimeout,
		SendQueueSize:        DefaultSendQueueSize,
		ReconnectMin:         DefaultReconnectMin,
		ReconnectMax:         DefaultReconnectMax,
		MaxPendingHandshakes: DefaultMaxPendingHandshakes,
		Rand:                 rand.Reader,
	}
}

// Validate reports a missing or nonsensical setting.
func (c Config) Validate() error {
	if c.Key == nil || c.Key.PubKey() == nil {
		return errors.New("peer: no node key")
	}
	if c.Chain == (lnwire.ChainHash{}) {
		return errors.New("peer: no chain hash")
	}
	if err := checkOurFeatures(c.Features); err != nil {
		return err
	}
	durations := []struct {
		name string
		d    time.Duration
	}{
		{"handshake timeout", c.HandshakeTimeout},
		{"init timeout", c.InitTimeout},
		{"ping interval", c.PingInterval},
		{"pong timeout", c.PongTimeout},
		{"write timeout", c.WriteTimeout},
		{"minimum reconnect delay", c.ReconnectMin},
		{"maximum reconnect delay", c.ReconnectMax},
	}
	for _, d := range durations {
		if d.d <= 0 {
			return fmt.Errorf("peer: %s %v must be positive", d.name, d.d)
		}
	}
	if c.ReconnectMax < c.ReconnectMin {
		return fmt.Errorf("peer: maximum reconnect delay %v below the minimum %v", c.ReconnectMax, c.ReconnectMin)
	}
	if c.SendQueueSize <= 0 {
		return fmt.Errorf("peer: send queue size %d must be positive", c.SendQueueSize)
	}
	if c.MaxPendingHandshakes <= 0 {
		return fmt.Errorf("peer: max pending handshakes %d must be positive", c.MaxPendingHandshakes)
	}
	if c.Rand == nil {
		return errors.New("peer: no random source")
	}
	return nil
}

// withDefaults fills the optional hooks.
func (c Config) withDefaults() Config {
	if c.Handler == nil {
		c.Handler = ChannelRefuser{}
	}
	if c.Events == nil {
		c.Events = dropEvents{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Features = c.Features.Clone()
	return c
}

func (c Config) transport() transport.Config {
	return transport.Config{HandshakeTimeout: c.HandshakeTimeout, Rand: c.Rand}
}
