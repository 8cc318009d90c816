package bolt11

import (
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

func TestParseHRP(t *testing.T) {
	msat := func(v uint64) *lnwire.MilliSatoshi { m := lnwire.MilliSatoshi(v); return &m }
	tests := []struct {
		hrp      string
		currency Currency
		amount   *lnwire.MilliSatoshi
		wantErr  error
	}{
		// Currencies of BOLT 11: lnbc, lntb, lntbs, lnbcrt.
		{"lnbc", CurrencyBitcoin, nil, nil},
		{"lntb", CurrencyTestnet, nil, nil},
		{"lntbs", CurrencySignet, nil, nil},
		{"lnbcrt", CurrencyRegtest, nil, nil},
		{"lntbs2500u", CurrencySignet, msat(250_000_000), nil},
		{"lnbcrt1", CurrencyRegtest, msat(100_000_000_000), nil},
		// Amounts of the BOLT 11 examples.
		{"lnbc2500u", CurrencyBitcoin, msat(250_000_000), nil},
		{"lnbc20m", CurrencyBitcoin, msat(2_000_000_000), nil},
		{"lnbc25m", CurrencyBitcoin, msat(2_500_000_000), nil},
		{"lnbc10m", CurrencyBitcoin, msat(1_000_000_000), nil},
		{"lnbc9678785340p", CurrencyBitcoin, msat(967_878_534), nil},
		// Every multiplier, and non-shortest forms ("non-largest multipliers
		// have been encountered in the wild").
		{"lnbc1", CurrencyBitcoin, msat(100_000_000_000), nil},
		{"lnbc1m", CurrencyBitcoin, msat(100_000_000), nil},
		{"lnbc1u", CurrencyBitcoin, msat(100_000), nil},
		{"lnbc1n", CurrencyBitcoin, msat(100), nil},
		{"lnbc10p", CurrencyBitcoin, msat(1), nil},
		{"lnbc1000u", CurrencyBitcoin, msat(100_000_000), nil},
		{"lnbc1000000000p", CurrencyBitcoin, msat(100_000_000), nil},
		{"lnbc184467440737095516150p", CurrencyBitcoin, msat(18446744073709551615), nil},
		// Unknown prefixes.
		{"bc", "", nil, ErrUnknownCurrency},
		{"lnxy", "", nil, ErrUnknownCurrency},
		{"lnbcx", "", nil, ErrUnknownCurrency},
		{"ln", "", nil, ErrUnknownCurrency},
		{"lnltc25m", "", nil, ErrUnknownCurrency},
		// "if amount contains a non-digit OR is followed by anything except
		// a multiplier: MUST fail the payment."
		{"lnbc2500x", "", nil, ErrInvalidAmount},
		{"lnbc25mm", "", nil, ErrInvalidAmount},
		{"lnbc2.5m", "", nil, ErrInvalidAmount},
		{"lnbc25m1", "", nil, ErrInvalidAmount},
		{"lnbc1-m", "", nil, ErrInvalidAmount},
		// Writer: "a positive decimal integer with no leading 0s".
		{"lnbc0", "", nil, ErrNonCanonicalAmount},
		{"lnbc0m", "", nil, ErrNonCanonicalAmount},
		{"lnbc025m", "", nil, ErrNonCanonicalAmount},
		// "if multiplier is p and the last decimal of amount is not 0: MUST
		// fail the payment."
		{"lnbc2500000001p", "", nil, ErrSubMillisatoshi},
		{"lnbc1p", "", nil, ErrSubMillisatoshi},
		// Beyond 2^64-1 msat.
		{"lnbc184467440737095516160p", "", nil, ErrAmountOverflow},
		{"lnbc184467441", "", nil, ErrAmountOverflow},
		{"lnbc184467440737096m", "", nil, ErrAmountOverflow},
		{"lnbc99999999999999999999999u", "", nil, ErrAmountOverflow},
	}
	for _, tc := range tests {
		currency, amount, err := parseHRP(tc.hrp)
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("%q: got %v, want %v", tc.hrp, err, tc.wantErr)
			}
			continue
		}
		if err != nil || currency != tc.currency {
			t.Errorf("%q: got %q, %v", tc.hrp, currency, err)
			continue
		}
		switch {
		case tc.amount == nil && amount != nil:
			t.Errorf("%q: amount %v, want none", tc.hrp, *amount)
		case tc.amount != nil && (amount == nil || *amount != *tc.amount):
			t.Errorf("%q: amount %v, want %v", tc.hrp, amount, *tc.amount)
		}
	}
}

func TestFormatAmountShortest(t *testing.T) {
	tests := []struct {
		msat lnwire.MilliSatoshi
		want string
	}{
		{1, "10p"},
		{99, "990p"},
		{100, "1n"},
		{101, "1010p"},
		{1000, "10n"},
		{100_000, "1u"},
		{250_000_000, "2500u"},
		{967_878_534, "9678785340p"},
		{2_000_000_000, "20m"},
		{100_000_000_000, "1"},
		{110_000_000_000, "1100m"},
		{2_100_000_000_000_000_000, "21000000"},
		{18446744073709551615, "184467440737095516150p"},
	}
	for _, tc := range tests {
		got := formatAmount(tc.msat)
		if got != tc.want {
			t.Errorf("%d msat: %q, want %q", tc.msat, got, tc.want)
		}
		back, err := parseAmount(got)
		if err != nil || back != tc.msat {
			t.Errorf("%q parses back as %d, %v", got, back, err)
		}
	}
}

func TestCurrencyChainParams(t *testing.T) {
	for currency, name := range map[Currency]string{
		CurrencyBitcoin: "mainnet", CurrencyTestnet: "testnet3", CurrencySignet: "signet", CurrencyRegtest: "regtest",
	} {
		params, ok := currency.ChainParams()
		if !ok || params.Name != name {
			t.Errorf("%q: chain %v", currency, params)
		}
	}
	if _, ok := Currency("ltc").ChainParams(); ok {
		t.Error("unknown currency has chain params")
	}
}
