package daemon

import (
	"context"
	"errors"
	"fmt"

	"github.com/fulmen-ln/fulmen/chain"
	"github.com/fulmen-ln/fulmen/chain/bitcoind"
)

// bitcoindBackend adapts the bitcoind-compatible client to what the
// daemon needs.
type bitcoindBackend struct{ *bitcoind.Client }

func newChainBackend(cfg BitcoinRPC) (chainBackend, error) {
	client, err := bitcoind.New(bitcoind.Config{Host: cfg.Host, User: cfg.User, Pass: cfg.Password, TLSCertPath: cfg.CertFile})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBackend, err)
	}
	return bitcoindBackend{client}, nil
}

// Network is the backend's network in Core Lightning's naming.
func (b bitcoindBackend) Network(ctx context.Context) (string, error) {
	info, err := b.ChainInfo(ctx)
	if err != nil {
		return "", err
	}
	return string(info.Network), nil
}

// isPermanentBackendError tells failures that waiting cannot cure.
func isPermanentBackendError(err error) bool {
	return errors.Is(err, bitcoind.ErrAuth) || errors.Is(err, chain.ErrUnknownNetwork)
}
