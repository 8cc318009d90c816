package bolt11

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/chaincfg"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Currency is the BIP-0173 currency prefix that follows "ln" in the
// human-readable part.
type Currency string

// The currencies BOLT 11 names: "lnbc for Bitcoin mainnet, lntb for Bitcoin
// testnet, lntbs for Bitcoin signet, and lnbcrt for Bitcoin regtest".
const (
	CurrencyBitcoin Currency = "bc"
	CurrencyTestnet Currency = "tb"
	CurrencySignet  Currency = "tbs"
	CurrencyRegtest Currency = "bcrt"
)

// Known reports whether the currency is one BOLT 11 defines.
func (c Currency) Known() bool {
	switch c {
	case CurrencyBitcoin, CurrencyTestnet, CurrencySignet, CurrencyRegtest:
		return true
	}
	return false
}

// ChainParams returns the chain whose addresses the fallback fields use.
func (c Currency) ChainParams() (*chaincfg.Params, bool) {
	switch c {
	case CurrencyBitcoin:
		return &chaincfg.MainNetParams, true
	case CurrencyTestnet:
		return &chaincfg.TestNet3Params, true
	case CurrencySignet:
		return &chaincfg.SigNetParams, true
	case CurrencyRegtest:
		return &chaincfg.RegressionNetParams, true
	}
	return nil, false
}

// msatPerBitcoin is 10^11: the amount unit is the bitcoin, "NOT satoshis".
const msatPerBitcoin = 100_000_000_000

// multiplierMsat gives, for each multiplier letter, the millisatoshis one
// unit is worth; 'p' (0.1 msat) is handled apart.
func multiplierMsat(letter byte) (uint64, bool) {
	switch letter {
	case 'm':
		return msatPerBitcoin / 1_000, true
	case 'u':
		return msatPerBitcoin / 1_000_000, true
	case 'n':
		return msatPerBitcoin / 1_000_000_000, true
	}
	return 0, false
}

// parseHRP splits a lowercase human-readable part into currency and optional
// amount.
func parseHRP(hrp string) (Currency, *lnwire.MilliSatoshi, error) {
	if !strings.HasPrefix(hrp, "ln") {
		return "", nil, fmt.Errorf("%w: %q does not start with \"ln\"", ErrUnknownCurrency, hrp)
	}
	rest := hrp[2:]
	cut := strings.IndexFunc(rest, func(r rune) bool { return r >= '0' && r <= '9' })
	if cut < 0 {
		cut = len(rest)
	}
	currency := Currency(rest[:cut])
	// BOLT 11: "if it does NOT understand the prefix: MUST fail the payment."
	if !currency.Known() {
		return "", nil, fmt.Errorf("%w: %q", ErrUnknownCurrency, string(currency))
	}
	// BOLT 11: "if the amount is empty: SHOULD indicate to the payer that
	// amount is unspecified."
	if cut == len(rest) {
		return currency, nil, nil
	}
	amount, err := parseAmount(rest[cut:])
	if err != nil {
		return "", nil, err
	}
	return currency, &amount, nil
}

// parseAmount parses the amount of the human-readable part: decimal digits
// and an optional multiplier letter.
func parseAmount(text string) (lnwire.MilliSatoshi, error) {
	digits := text
	var letter byte
	if last := text[len(text)-1]; last < '0' || last > '9' {
		digits, letter = text[:len(text)-1], last
	}
	if digits == "" {
		return 0, fmt.Errorf("%w: %q has no digits", ErrInvalidAmount, text)
	}
	// BOLT 11: "if amount contains a non-digit OR is followed by anything
	// except a multiplier (see table above): MUST fail the payment."
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, fmt.Errorf("%w: %q", ErrInvalidAmount, text)
		}
	}
	if letter != 0 && letter != 'p' {
		if _, ok := multiplierMsat(letter); !ok {
			return 0, fmt.Errorf("%w: unknown multiplier %q", ErrInvalidAmount, letter)
		}
	}
	// BOLT 11 writer: "MUST encode amount as a positive decimal integer with
	// no leading 0s."
	if digits[0] == '0' {
		return 0, fmt.Errorf("%w: %q", ErrNonCanonicalAmount, text)
	}
	if letter == 'p' {
		// BOLT 11: "if multiplier is `p` and the last decimal of amount is
		// not 0: MUST fail the payment." Dropping that 0 gives millisatoshis
		// without overflowing on the way.
		if digits[len(digits)-1] != '0' {
			return 0, fmt.Errorf("%w: %q", ErrSubMillisatoshi, text)
		}
		value, err := strconv.ParseUint(digits[:len(digits)-1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: %q", ErrAmountOverflow, text)
		}
		return lnwire.MilliSatoshi(value), nil
	}
	value, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrAmountOverflow, text)
	}
	// BOLT 11: "if the multiplier is present: MUST multiply amount by the
	// multiplier value to derive the amount required for payment."
	unit := uint64(msatPerBitcoin)
	if letter != 0 {
		unit, _ = multiplierMsat(letter)
	}
	hi, lo := bits.Mul64(value, unit)
	if hi != 0 {
		return 0, fmt.Errorf("%w: %q", ErrAmountOverflow, text)
	}
	return lnwire.MilliSatoshi(lo), nil
}

// formatAmount writes an amount in its shortest form (BOLT 11: "SHOULD use
// the shortest representation possible, by using the largest multiplier or
// omitting the multiplier"); it never returns "0": a zero amount must be
// omitted instead.
func formatAmount(amount lnwire.MilliSatoshi) string {
	v := uint64(amount)
	switch {
	case v%msatPerBitcoin == 0:
		return strconv.FormatUint(v/msatPerBitcoin, 10)
	case v%(msatPerBitcoin/1_000) == 0:
		return strconv.FormatUint(v/(msatPerBitcoin/1_000), 10) + "m"
	case v%(msatPerBitcoin/1_000_000) == 0:
		return strconv.FormatUint(v/(msatPerBitcoin/1_000_000), 10) + "u"
	case v%(msatPerBitcoin/1_000_000_000) == 0:
		return strconv.FormatUint(v/(msatPerBitcoin/1_000_000_000), 10) + "n"
	default:
		// BOLT 11: "If the p multiplier is used the last decimal of amount
		// MUST be 0." Appending the digit avoids overflowing v*10.
		return strconv.FormatUint(v, 10) + "0p"
	}
}
