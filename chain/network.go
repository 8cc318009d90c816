package chain

import (
	"errors"
	"fmt"
)

// Network names a Bitcoin network the way the node's configuration does
// (Core Lightning's names: network=bitcoin|testnet|testnet4|signet|regtest).
type Network string

// The networks a backend can be on.
const (
	NetworkBitcoin  Network = "bitcoin"
	NetworkTestnet  Network = "testnet"
	NetworkTestnet4 Network = "testnet4"
	NetworkSignet   Network = "signet"
	NetworkRegtest  Network = "regtest"
)

// ErrUnknownNetwork: a backend reported a chain name that is not one of the
// supported networks (btcd's "simnet", for instance).
var ErrUnknownNetwork = errors.New("chain: unknown network")

// NetworkFromChainName maps the "chain" field of getblockchaininfo to a
// Network. bitcoind says main/test/testnet4/signet/regtest; btcd says
// mainnet/testnet3/signet/regtest (its chaincfg names).
func NetworkFromChainName(name string) (Network, error) {
	switch name {
	case "main", "mainnet":
		return NetworkBitcoin, nil
	case "test", "testnet3":
		return NetworkTestnet, nil
	case "testnet4":
		return NetworkTestnet4, nil
	case "signet":
		return NetworkSignet, nil
	case "regtest":
		return NetworkRegtest, nil
	}
	return "", fmt.Errorf("%w: chain name %q", ErrUnknownNetwork, name)
}
