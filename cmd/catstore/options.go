package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fulmen-ln/fulmen/config"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/paywall"
	"github.com/fulmen-ln/fulmen/rpc"
)

// errUsage marks command-line mistakes (exit status 3).
var errUsage = errors.New("catstore: bad usage")

// Defaults of the flags.
const (
	defaultListen = "127.0.0.1:0"
	defaultPrice  = "10000sat"
	defaultTitle  = "Fulmen cat store"
)

// options are catstore's flags, checked.
type options struct {
	lightningDir    string
	network         string // "" when --network was not given
	rpcFile         string
	listen          string
	price           lnwire.MilliSatoshi
	expiry          time.Duration
	requirePreimage bool
	title           string
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	var price string
	fs := flag.NewFlagSet("catstore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.lightningDir, "lightning-dir", "", "the node's lightning directory (default ~/.fulmen)")
	fs.StringVar(&o.network, "network", "", "bitcoin, testnet, signet or regtest (default: the lightning-dir's config file, else bitcoin)")
	fs.StringVar(&o.rpcFile, "rpc-file", "", "the node's JSON-RPC socket, absolute or relative to <lightning-dir>/<network>")
	fs.StringVar(&o.listen, "listen", defaultListen, "HTTP address to serve on (port 0: a free port)")
	fs.StringVar(&price, "price", defaultPrice, `price of the cat: "10000sat", "5000msat", "0.0001btc" (a bare number is msat)`)
	fs.DurationVar(&o.expiry, "expiry", paywall.DefaultInvoiceExpiry, "how long each invoice may be paid")
	fs.BoolVar(&o.requirePreimage, "require-preimage", false, "ask for the payment preimage as proof of payment on the content link")
	fs.StringVar(&o.title, "title", defaultTitle, "the shop's name")
	if err := fs.Parse(args); err != nil {
		return o, fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	var err error
	if o.price, err = rpc.ParseMsat(price); err != nil || o.price == 0 {
		return o, fmt.Errorf("%w: --price %q: want a positive amount such as 10000sat", errUsage, price)
	}
	if o.network != "" {
		n, err := config.ParseNetwork(o.network)
		if err != nil {
			return o, fmt.Errorf("%w: --network: %w", errUsage, err)
		}
		o.network = string(n)
	}
	if o.expiry < time.Second {
		return o, fmt.Errorf("%w: --expiry %v: at least 1s", errUsage, o.expiry)
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return o, fmt.Errorf("%w: --listen %q: %w", errUsage, o.listen, err)
	}
	return o, nil
}

// socketPath finds the node's JSON-RPC socket the way fulmen-cli and
// lightning-cli do.
func (o options) socketPath() string {
	dir := o.lightningDir
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".fulmen")
	}
	network := o.network
	if network == "" {
		network = networkFromConfig(filepath.Join(dir, "config"))
	}
	netDir := filepath.Join(dir, network)
	switch {
	case o.rpcFile == "":
		return filepath.Join(netDir, "lightning-rpc")
	case filepath.IsAbs(o.rpcFile):
		return o.rpcFile
	}
	return filepath.Join(netDir, o.rpcFile)
}

// networkFromConfig reads the network from a Core Lightning style config
// file: a `network=NAME` line or a bare `regtest`/`testnet`/`signet`/
// `mainnet` line, the last one winning; "bitcoin" when there is none or the
// file cannot be read.
func networkFromConfig(path string) string {
	network := string(config.Mainnet)
	data, err := os.ReadFile(path)
	if err != nil {
		return network
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		name := line
		if key, value, ok := strings.Cut(line, "="); ok {
			if strings.TrimSpace(key) != "network" {
				continue
			}
			name = strings.TrimSpace(value)
		} else if name != "regtest" && name != "testnet" && name != "signet" && name != "mainnet" {
			continue
		}
		if n, err := config.ParseNetwork(name); err == nil {
			network = string(n)
		}
	}
	return network
}
