package main

import (
	"log/slog"
	"net"
	"strconv"

	"github.com/fulmen-ln/fulmen/config"
	"github.com/fulmen-ln/fulmen/daemon"
)

// daemonConfig maps the parsed options onto the daemon's own Config.
func daemonConfig(cfg *config.Config, log *slog.Logger) daemon.Config {
	// addr= both listens and announces, but a Unix socket or an
	// every-interface address cannot be announced.
	announce := append([]config.Address(nil), cfg.AnnounceAddrs...)
	for _, a := range cfg.Addrs {
		if a.Kind != config.AddressUnix && a.Kind != config.AddressAll {
			announce = append(announce, a)
		}
	}
	return daemon.Config{
		Network:      cfg.Network,
		LightningDir: cfg.LightningDir,
		NetworkDir:   cfg.NetworkDir(),
		PIDFile:      cfg.PIDFile,
		Alias:        cfg.Alias,
		Color:        cfg.RGB,
		Listen:       append(append([]config.Address(nil), cfg.Addrs...), cfg.BindAddrs...),
		Announce:     announce,
		Bitcoin: daemon.BitcoinRPC{
			Host:     net.JoinHostPort(cfg.Bitcoin.Host, strconv.Itoa(int(cfg.Bitcoin.Port))),
			User:     cfg.Bitcoin.User,
			Password: cfg.Bitcoin.Password,
			CertFile: cfg.Bitcoin.CertFile,
		},
		BackendRetryTimeout: cfg.Bitcoin.RetryTimeout,
		FallbackFeerate:     cfg.FallbackFeerate,
		ForceFeerates:       cfg.ForceFeerates,
		FeeBase:             cfg.FeeBase,
		FeePerSatoshi:       cfg.FeePerSatoshi,
		CLTVDelta:           cfg.CLTVDelta,
		Log:                 log,
	}
}
