// Package wallet is the node's on-chain wallet: it watches the chain for
// outputs paying its own keys, keeps their state in the store, selects
// coins, builds and signs (through the signer) and broadcasts payments.
// It implements no BOLT; it serves BOLT 2 funding and BOLT 5 sweeps later.
//
// Keys. Addresses are BIP 84 P2WPKH ("bech32") and BIP 86 P2TR ("p2tr")
// keys of the signer's WalletSigner, on a receive and a change branch
// each. newaddr hands out the next index of a receive branch; change goes
// to the next index of the P2TR change branch. On every branch the wallet
// derives and watches Gap (default 20) keys past the highest index handed
// out or seen paid, so a restored wallet finds payments to addresses up to
// 20 unused ones apart; a block that pays a key near the end of the window
// is scanned again after the window moves.
//
// Chain. Sync compares the last processed block (kept with the hashes of
// all processed blocks since the wallet's birth height) with the backend:
// blocks no longer in the best chain are disconnected (their outputs and
// spends become unconfirmed), new blocks are connected in order (outputs
// to watched scripts are added, spends of wallet outputs recorded). With a
// Mempool, unconfirmed payments are seen before they confirm, and
// unconfirmed transactions that left the mempool (a reorg's victims, a
// replaced spend) are forgotten: their outputs vanish and the outputs they
// spent are unspent again. Rescan processes blocks again from a height.
// Everything is persisted, one store transaction per block or change.
//
// Spending. Coin selection is largest-first (deterministic: amount, then
// outpoint), the fee is the feerate applied to the estimated weight
// (worst-case signature sizes, so the paid feerate is never below the one
// asked for), change below DustLimit (546 sat) is left to the fee,
// transactions are BIP 69 ordered, version 2, nLockTime at the tip, inputs
// signalling BIP 125 replaceability. The inputs of a prepared spend are
// reserved in the store until it is published or released, or until the
// reservation's block height passes (Core Lightning's reserveinputs).
//
// Feerates. The chain's estimate is used when it has one; btcd and a fresh
// regtest bitcoind have none, so the fallback-feerate option is used, and
// without it only explicit feerates work (feerates then reports the
// estimates missing, as Core Lightning does).
//
// Layer L2. It imports signer (key paths, signing), store and lnwire. It
// must not import chain backends, rpc or daemon: the chain is reached
// through the interfaces in chain.go, declared here by their user.
package wallet
