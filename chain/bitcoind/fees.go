package bitcoind

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// FeerateFloor is the lowest feerate EstimateFee returns: 253 sat/kw is
// 1012 sat/kvB, the smallest rate that still meets the default 1 sat/vB
// minimum relay fee once weight is rounded up to virtual bytes (the floor
// lnd and Core Lightning use too).
const FeerateFloor lnwire.FeeratePerKW = 253

const (
	feeUnknown int32 = iota
	feeSmart         // estimatesmartfee (bitcoind)
	feeLegacy        // estimatefee (btcd)
)

// EstimateFee estimates the feerate to confirm within confTarget blocks.
// It calls estimatesmartfee (bitcoind); when the backend does not know
// that method (btcd), it remembers so and calls estimatefee instead. An
// answer without a feerate, a non-positive feerate (btcd answers 0 or an
// error on a fresh regtest chain) or a failing estimatefee give an error
// wrapping chain.ErrNoEstimate, so the caller uses its fallback feerate.
// Results below FeerateFloor are raised to it.
func (c *Client) EstimateFee(ctx context.Context, confTarget uint32) (lnwire.FeeratePerKW, error) {
	if c.feeMethod.Load() == feeLegacy {
		return c.estimateLegacy(ctx, confTarget)
	}
	rate, err := c.estimateSmart(ctx, confTarget)
	if errors.Is(err, ErrMethodNotFound) {
		c.feeMethod.Store(feeLegacy)
		return c.estimateLegacy(ctx, confTarget)
	}
	if err == nil || errors.Is(err, ErrNoEstimate) {
		c.feeMethod.Store(feeSmart)
	}
	return rate, err
}

func (c *Client) estimateSmart(ctx context.Context, confTarget uint32) (lnwire.FeeratePerKW, error) {
	var reply struct {
		Feerate *json.Number `json:"feerate"`
		Errors  []string     `json:"errors"`
	}
	if err := c.Call(ctx, "estimatesmartfee", []any{confTarget}, &reply); err != nil {
		return 0, err
	}
	if reply.Feerate == nil {
		return 0, fmt.Errorf("%w: estimatesmartfee %d: %s", ErrNoEstimate, confTarget, strings.Join(reply.Errors, "; "))
	}
	return feerateFromBTCPerKvB("estimatesmartfee", *reply.Feerate)
}

func (c *Client) estimateLegacy(ctx context.Context, confTarget uint32) (lnwire.FeeratePerKW, error) {
	var reply json.Number
	if err := c.Call(ctx, "estimatefee", []any{confTarget}, &reply); err != nil {
		var rpcErr *RPCError
		if errors.As(err, &rpcErr) {
			// btcd: "not enough blocks have been observed", "Fee
			// estimation disabled"...
			return 0, fmt.Errorf("%w: %w", ErrNoEstimate, err)
		}
		return 0, err
	}
	return feerateFromBTCPerKvB("estimatefee", reply)
}

// feerateFromBTCPerKvB converts a BTC per 1000 virtual bytes rate to sat
// per 1000 weight units (one vbyte is four weight units), rounding down,
// raised to FeerateFloor.
func feerateFromBTCPerKvB(method string, btcPerKvB json.Number) (lnwire.FeeratePerKW, error) {
	satPerKvB, err := ParseBTC(btcPerKvB)
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %w", ErrBadResponse, method, err)
	}
	if satPerKvB <= 0 {
		return 0, fmt.Errorf("%w: %s answered %s", ErrNoEstimate, method, btcPerKvB)
	}
	perKW := int64(satPerKvB) / 4
	if perKW > int64(^uint32(0)) {
		return 0, fmt.Errorf("%w: %s: feerate %s out of range", ErrBadResponse, method, btcPerKvB)
	}
	return max(lnwire.FeeratePerKW(perKW), FeerateFloor), nil
}

// ErrBadAmount: a BTC amount is not a number or out of range.
var ErrBadAmount = errors.New("bitcoind: bad BTC amount")

var (
	jsonNumber = regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE]([+-]?[0-9]+))?$`)
	satPerBTC  = big.NewRat(100_000_000, 1)
	// maxBTCSats bounds parsed amounts well inside int64 (21e6 BTC would
	// do; 2^62 sat leaves room for sums).
	maxBTCSats = new(big.Int).Lsh(big.NewInt(1), 62)
)

// ParseBTC converts a JSON number of bitcoins ("0.00012", btcd's Go-float
// forms such as "1e-05") to satoshis exactly, rounding fractions of a
// satoshi to the nearest (halves away from zero).
func ParseBTC(n json.Number) (lnwire.Satoshi, error) {
	text := n.String()
	if len(text) > 64 {
		return 0, fmt.Errorf("%w: %.64q...", ErrBadAmount, text)
	}
	m := jsonNumber.FindStringSubmatch(text)
	if m == nil {
		return 0, fmt.Errorf("%w: %q is not a JSON number", ErrBadAmount, text)
	}
	if m[1] != "" {
		// Keep big.Rat away from exponents like 1e999999999.
		if exp, err := strconv.Atoi(m[1]); err != nil || exp < -40 || exp > 40 {
			return 0, fmt.Errorf("%w: %q out of range", ErrBadAmount, text)
		}
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrBadAmount, text)
	}
	r.Mul(r, satPerBTC)
	// Round half away from zero: trunc((2*num + sign*den) / (2*den)).
	num := new(big.Int).Mul(r.Num(), big.NewInt(2))
	den := new(big.Int).Mul(r.Denom(), big.NewInt(2))
	if r.Sign() >= 0 {
		num.Add(num, r.Denom())
	} else {
		num.Sub(num, r.Denom())
	}
	sats := num.Quo(num, den)
	if new(big.Int).Abs(sats).Cmp(maxBTCSats) > 0 {
		return 0, fmt.Errorf("%w: %q out of range", ErrBadAmount, text)
	}
	return lnwire.Satoshi(sats.Int64()), nil
}
