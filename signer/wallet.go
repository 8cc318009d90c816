package signer

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"golang.org/x/crypto/hkdf"
)

// AddressKind is an on-chain wallet address type.
type AddressKind uint8

// Wallet address kinds and the BIP 32 purpose each derives under.
const (
	P2WPKH AddressKind = iota + 1 // BIP 84: m/84'/coin'/0'/change/index
	P2TR                          // BIP 86: m/86'/coin'/0'/change/index
)

// String names the kind as Core Lightning's newaddr does.
func (k AddressKind) String() string {
	switch k {
	case P2WPKH:
		return "bech32"
	case P2TR:
		return "p2tr"
	}
	return fmt.Sprintf("AddressKind(%d)", uint8(k))
}

func (k AddressKind) purpose() (uint32, error) {
	switch k {
	case P2WPKH:
		return 84, nil
	case P2TR:
		return 86, nil
	}
	return 0, fmt.Errorf("signer: unknown address kind %d", k)
}

// KeyPath locates one wallet key: m/purpose'/coin'/0'/change/index.
type KeyPath struct {
	Kind   AddressKind
	Change bool
	Index  uint32
}

// String renders the BIP 32 path for the given coin type.
func (p KeyPath) String() string {
	purpose, _ := p.Kind.purpose()
	change := 0
	if p.Change {
		change = 1
	}
	return fmt.Sprintf("m/%d'/c'/0'/%d/%d", purpose, change, p.Index)
}

// WalletSigner derives the on-chain wallet's keys and signs its inputs.
// Account keys are derived once; the private keys never leave this package.
type WalletSigner struct {
	params   *chaincfg.Params
	accounts map[AddressKind]*hdkeychain.ExtendedKey // m/purpose'/coin'/0'
}

// ErrUnknownPath is returned for paths outside the wallet's accounts.
var ErrUnknownPath = errors.New("signer: key path outside the wallet")

// Wallet returns the wallet client for the network. The BIP 32 seed is
// HKDF-SHA256(hsm_secret, salt "fulmen", info "bip32 seed"); coin type 0 on
// mainnet, 1 elsewhere (BIP 44).
func (s *Signer) Wallet(params *chaincfg.Params) (*WalletSigner, error) {
	seed := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, s.secret[:], []byte("fulmen"), []byte("bip32 seed")), seed); err != nil {
		return nil, err
	}
	master, err := hdkeychain.NewMaster(seed, params)
	if err != nil {
		return nil, fmt.Errorf("signer: bip32 master: %w", err)
	}
	coin := uint32(1)
	if params.Net == chaincfg.MainNetParams.Net {
		coin = 0
	}
	w := &WalletSigner{params: params, accounts: make(map[AddressKind]*hdkeychain.ExtendedKey)}
	for _, kind := range []AddressKind{P2WPKH, P2TR} {
		purpose, _ := kind.purpose()
		key := master
		for _, child := range []uint32{purpose, coin, 0} {
			if key, err = key.Derive(hdkeychain.HardenedKeyStart + child); err != nil {
				return nil, fmt.Errorf("signer: deriving account %s: %w", kind, err)
			}
		}
		w.accounts[kind] = key
	}
	return w, nil
}

func (w *WalletSigner) privKey(p KeyPath) (*btcec.PrivateKey, error) {
	account, ok := w.accounts[p.Kind]
	if !ok || p.Index >= hdkeychain.HardenedKeyStart {
		return nil, fmt.Errorf("%w: %v", ErrUnknownPath, p)
	}
	change := uint32(0)
	if p.Change {
		change = 1
	}
	branch, err := account.Derive(change)
	if err != nil {
		return nil, err
	}
	child, err := branch.Derive(p.Index)
	if err != nil {
		return nil, err
	}
	return child.ECPrivKey()
}

// PubKey returns the public key at the path.
func (w *WalletSigner) PubKey(p KeyPath) (*btcec.PublicKey, error) {
	priv, err := w.privKey(p)
	if err != nil {
		return nil, err
	}
	return priv.PubKey(), nil
}

// Address returns the address and output script of the key at the path:
// P2WPKH, or a BIP 86 key-path-only P2TR output.
func (w *WalletSigner) Address(p KeyPath) (btcutil.Address, []byte, error) {
	pub, err := w.PubKey(p)
	if err != nil {
		return nil, nil, err
	}
	var addr btcutil.Address
	switch p.Kind {
	case P2WPKH:
		addr, err = btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), w.params)
	case P2TR:
		outputKey := txscript.ComputeTaprootKeyNoScript(pub)
		addr, err = btcutil.NewAddressTaproot(outputKey.SerializeCompressed()[1:], w.params)
	}
	if err != nil {
		return nil, nil, err
	}
	script, err := txscript.PayToAddrScript(addr)
	return addr, script, err
}

// WalletInput is one input of a transaction the wallet asks to sign.
type WalletInput struct {
	Index    int     // input index in the transaction
	Path     KeyPath // key that owns the spent output
	PkScript []byte  // spent output's script
	Amount   int64   // spent output's value in satoshis
}

// SignInputs fills the witnesses of the given inputs, which must all be
// the wallet's own P2WPKH or P2TR outputs. prevOuts must describe every
// input of tx (taproot signatures commit to all of them).
func (w *WalletSigner) SignInputs(tx *wire.MsgTx, inputs []WalletInput, prevOuts txscript.PrevOutputFetcher) error {
	hashes := txscript.NewTxSigHashes(tx, prevOuts)
	for _, in := range inputs {
		if in.Index < 0 || in.Index >= len(tx.TxIn) {
			return fmt.Errorf("signer: input %d out of range", in.Index)
		}
		priv, err := w.privKey(in.Path)
		if err != nil {
			return err
		}
		// Only sign what the key really owns.
		_, script, err := w.Address(in.Path)
		if err != nil {
			return err
		}
		if string(script) != string(in.PkScript) {
			return fmt.Errorf("signer: input %d script does not belong to %v", in.Index, in.Path)
		}
		var witness wire.TxWitness
		switch in.Path.Kind {
		case P2WPKH:
			witness, err = txscript.WitnessSignature(tx, hashes, in.Index, in.Amount, in.PkScript,
				txscript.SigHashAll, priv, true)
		case P2TR:
			witness, err = txscript.TaprootWitnessSignature(tx, hashes, in.Index, in.Amount, in.PkScript,
				txscript.SigHashDefault, priv)
		}
		if err != nil {
			return fmt.Errorf("signer: signing input %d: %w", in.Index, err)
		}
		tx.TxIn[in.Index].Witness = witness
	}
	return nil
}
