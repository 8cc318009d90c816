package bolt11

import (
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
)

// Fallback versions beyond the segwit witness versions 0..16.
const (
	FallbackP2PKH byte = 17
	FallbackP2SH  byte = 18
)

// Fallback is an on-chain address from an `f` field: "for Bitcoin, this
// starts with a 5-bit version and contains a witness program or P2PKH or P2SH
// address".
type Fallback struct {
	// Version is the witness version (0..16), FallbackP2PKH or FallbackP2SH.
	Version byte
	// Program is the witness program, or the 20-byte hash for versions 17
	// and 18.
	Program []byte
}

// validate checks the program length a known version requires (BOLT 11
// writer: "MUST set an f field to a valid witness version and program, OR to
// 17 followed by a public key hash, OR to 18 followed by a script hash").
func (f Fallback) validate() error {
	n := len(f.Program)
	switch {
	case f.Version == FallbackP2PKH || f.Version == FallbackP2SH:
		if n != 20 {
			return fmt.Errorf("%w: version %d needs a 20-byte hash, got %d bytes", ErrInvalidFallback, f.Version, n)
		}
	case f.Version == 0:
		if n != 20 && n != 32 {
			return fmt.Errorf("%w: witness v0 program of %d bytes", ErrInvalidFallback, n)
		}
	case f.Version <= 16:
		// BIP-0141: a witness program is 2 to 40 bytes.
		if n < 2 || n > 40 {
			return fmt.Errorf("%w: witness v%d program of %d bytes", ErrInvalidFallback, f.Version, n)
		}
	default:
		return fmt.Errorf("%w: unknown version %d", ErrInvalidFallback, f.Version)
	}
	return nil
}

// Type names the address type the way Core Lightning does ("P2PKH", "P2SH",
// "P2WPKH", "P2WSH", "P2TR"), or "" for other witness programs.
func (f Fallback) Type() string {
	switch {
	case f.Version == FallbackP2PKH:
		return "P2PKH"
	case f.Version == FallbackP2SH:
		return "P2SH"
	case f.Version == 0 && len(f.Program) == 20:
		return "P2WPKH"
	case f.Version == 0 && len(f.Program) == 32:
		return "P2WSH"
	case f.Version == 1 && len(f.Program) == 32:
		return "P2TR"
	}
	return ""
}

// PkScript returns the output script paying to the fallback address.
func (f Fallback) PkScript() ([]byte, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	b := txscript.NewScriptBuilder()
	switch f.Version {
	case FallbackP2PKH:
		b.AddOp(txscript.OP_DUP).AddOp(txscript.OP_HASH160).AddData(f.Program).
			AddOp(txscript.OP_EQUALVERIFY).AddOp(txscript.OP_CHECKSIG)
	case FallbackP2SH:
		b.AddOp(txscript.OP_HASH160).AddData(f.Program).AddOp(txscript.OP_EQUAL)
	default:
		b.AddOp(witnessVersionOpcode(f.Version)).AddData(f.Program)
	}
	return b.Script()
}

// witnessVersionOpcode maps witness version v (0..16) to the opcode pushing
// it: OP_0, or OP_1 .. OP_16.
func witnessVersionOpcode(v byte) byte {
	if v == 0 {
		return txscript.OP_0
	}
	return txscript.OP_1 + v - 1
}

// Address encodes the fallback for the invoice's currency. Only the address
// types Type names are encoded; other witness versions give an error.
func (f Fallback) Address(currency Currency) (string, error) {
	params, ok := currency.ChainParams()
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownCurrency, string(currency))
	}
	if err := f.validate(); err != nil {
		return "", err
	}
	var (
		addr btcutil.Address
		err  error
	)
	switch f.Type() {
	case "P2PKH":
		addr, err = btcutil.NewAddressPubKeyHash(f.Program, params)
	case "P2SH":
		addr, err = btcutil.NewAddressScriptHashFromHash(f.Program, params)
	case "P2WPKH":
		addr, err = btcutil.NewAddressWitnessPubKeyHash(f.Program, params)
	case "P2WSH":
		addr, err = btcutil.NewAddressWitnessScriptHash(f.Program, params)
	case "P2TR":
		addr, err = btcutil.NewAddressTaproot(f.Program, params)
	default:
		return "", fmt.Errorf("%w: no address form for witness v%d program of %d bytes",
			ErrInvalidFallback, f.Version, len(f.Program))
	}
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidFallback, err)
	}
	return addr.EncodeAddress(), nil
}

// fallbackFromElements reads an `f` field. known is false for versions this
// reader must skip (BOLT 11: "MUST skip over f fields that use an unknown
// version").
func fallbackFromElements(elems []byte) (fb Fallback, known bool, err error) {
	if len(elems) == 0 {
		return Fallback{}, false, fmt.Errorf("%w: empty f field", ErrInvalidFallback)
	}
	version := elems[0]
	if version > FallbackP2SH {
		return Fallback{}, false, nil
	}
	rest := elems[1:]
	// The program must fill whole bytes, with less than one element of
	// padding left over.
	if len(rest)*5%8 >= 5 {
		return Fallback{}, false, fmt.Errorf("%w: %d elements do not make whole bytes", ErrInvalidFallback, len(rest))
	}
	fb = Fallback{Version: version, Program: elementsToBytes(rest)}
	if err := fb.validate(); err != nil {
		return Fallback{}, false, err
	}
	return fb, true, nil
}

// appendElements appends the data of the `f` field.
func (f Fallback) appendElements(dst []byte) []byte {
	dst = append(dst, f.Version)
	return appendBytesAsElements(dst, f.Program)
}
