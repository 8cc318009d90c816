package config

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg"
)

// Network is a Bitcoin network, named as Core Lightning names it; the name
// is also the network subdirectory of the lightning directory.
type Network string

// The networks fulmend runs on.
const (
	Mainnet Network = "bitcoin"
	Testnet Network = "testnet"
	Signet  Network = "signet"
	Regtest Network = "regtest"
)

// ParseNetwork accepts Core Lightning's network names plus "mainnet" as an
// alias of "bitcoin".
func ParseNetwork(name string) (Network, error) {
	switch name {
	case "bitcoin", "mainnet":
		return Mainnet, nil
	case "testnet", "signet", "regtest":
		return Network(name), nil
	}
	return "", fmt.Errorf("%w %q: want bitcoin (or mainnet), testnet, signet or regtest", ErrBadValue, name)
}

// Valid reports whether n is one of the networks above.
func (n Network) Valid() bool {
	switch n {
	case Mainnet, Testnet, Signet, Regtest:
		return true
	}
	return false
}

func (n Network) String() string { return string(n) }

// Params returns btcd's chain parameters for n, or nil if n is not valid.
func (n Network) Params() *chaincfg.Params {
	switch n {
	case Mainnet:
		return &chaincfg.MainNetParams
	case Testnet:
		return &chaincfg.TestNet3Params
	case Signet:
		return &chaincfg.SigNetParams
	case Regtest:
		return &chaincfg.RegressionNetParams
	}
	return nil
}

// DefaultPort is the Lightning peer port used when an address gives none
// (Core Lightning's defaults), or 0 if n is not valid.
func (n Network) DefaultPort() uint16 {
	switch n {
	case Mainnet:
		return 9735
	case Testnet:
		return 19735
	case Signet:
		return 39735
	case Regtest:
		return 19846
	}
	return 0
}

// DefaultBitcoindRPCPort is bitcoind's default RPC port on n, used when
// bitcoin-rpcport is not set, or 0 if n is not valid. (btcd users set
// bitcoin-rpcport: btcd's defaults differ.)
func (n Network) DefaultBitcoindRPCPort() uint16 {
	switch n {
	case Mainnet:
		return 8332
	case Testnet:
		return 18332
	case Signet:
		return 38332
	case Regtest:
		return 18443
	}
	return 0
}
