package wallet

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
)

func coin(id byte, amount lnwire.Satoshi, kind signer.AddressKind) Coin {
	return Coin{OutPoint: wire.OutPoint{Hash: chainhash.Hash{id}}, Amount: amount, Kind: kind}
}

func TestTxWeight(t *testing.T) {
	cases := []struct {
		name    string
		inputs  []signer.AddressKind
		outputs []int
		want    int64
	}{
		// 42 (fixed, marker, counts) + 273 (P2WPKH input) + 124 (P2WPKH output)
		{"p2wpkh to p2wpkh", []signer.AddressKind{signer.P2WPKH}, []int{22}, 439},
		// 42 + 230 (P2TR input) + 172 (P2TR output) + 124
		{"p2tr to p2tr and p2wpkh", []signer.AddressKind{signer.P2TR}, []int{34, 22}, 568},
		// P2PKH output: 8 + 1 + 25 bytes
		{"to p2pkh", []signer.AddressKind{signer.P2WPKH, signer.P2TR}, []int{25}, 42 + 273 + 230 + 136},
	}
	for _, tc := range cases {
		if got := TxWeight(tc.inputs, tc.outputs); got != tc.want {
			t.Errorf("%s: weight %d, want %d", tc.name, got, tc.want)
		}
	}
	// 253 inputs need a 3-byte count.
	many := make([]signer.AddressKind, 253)
	for i := range many {
		many[i] = signer.P2TR
	}
	if got, want := TxWeight(many, []int{22}), int64(32+2+4*(3+1)+253*230+124); got != want {
		t.Errorf("253 inputs: %d, want %d", got, want)
	}
}

func TestSelectCoins(t *testing.T) {
	w, tr := signer.P2WPKH, signer.P2TR
	coins := []Coin{coin(1, 10_000, w), coin(2, 50_000, tr), coin(3, 50_000, w), coin(4, 200_000, tr)}
	cases := []struct {
		name       string
		req        SelectionRequest
		wantInputs []byte // coin ids in order
		wantChange lnwire.Satoshi
		wantFee    lnwire.Satoshi
		wantErr    error
	}{
		{name: "largest covers it, with change",
			req:        SelectionRequest{Coins: coins, Amount: 150_000, DestScriptLen: 22, ChangeScriptLen: 34, Feerate: 1000},
			wantInputs: []byte{4}, wantChange: 200_000 - 150_000 - 568, wantFee: 568},
		{name: "ties broken by outpoint",
			req:        SelectionRequest{Coins: coins, Amount: 240_000, DestScriptLen: 22, ChangeScriptLen: 34, Feerate: 1000},
			wantInputs: []byte{4, 2}, wantChange: 250_000 - 240_000 - 798, wantFee: 798},
		{name: "change below dust goes to fee",
			req:        SelectionRequest{Coins: coins, Amount: 199_000, DestScriptLen: 22, ChangeScriptLen: 34, Feerate: 1000},
			wantInputs: []byte{4}, wantChange: 0, wantFee: 1000},
		{name: "exactly dust change is kept",
			req:        SelectionRequest{Coins: coins, Amount: 200_000 - 568 - 546, DestScriptLen: 22, ChangeScriptLen: 34, Feerate: 1000},
			wantInputs: []byte{4}, wantChange: 546, wantFee: 568},
		{name: "use all given coins",
			req:        SelectionRequest{Coins: coins[:2], Amount: 20_000, UseAllCoins: true, DestScriptLen: 22, ChangeScriptLen: 34, Feerate: 253},
			wantInputs: []byte{2, 1}, wantChange: 60_000 - 20_000 - 212, wantFee: 212}, // 253 * 841 / 1000
		{name: "sweep all",
			req:        SelectionRequest{Coins: coins, All: true, DestScriptLen: 34, Feerate: 2000},
			wantInputs: []byte{4, 2, 3, 1}, wantFee: 2 * (42 + 230*2 + 273*2 + 172)},
		{name: "insufficient",
			req:     SelectionRequest{Coins: coins, Amount: 310_000, DestScriptLen: 22, ChangeScriptLen: 34, Feerate: 1000},
			wantErr: ErrInsufficientFunds},
		{name: "insufficient by the fee only",
			req:     SelectionRequest{Coins: coins, Amount: 309_500, DestScriptLen: 22, ChangeScriptLen: 34, Feerate: 1000},
			wantErr: ErrInsufficientFunds},
		{name: "no coins",
			req:     SelectionRequest{Amount: 1000, DestScriptLen: 22, Feerate: 1000},
			wantErr: ErrInsufficientFunds},
		{name: "dust amount",
			req:     SelectionRequest{Coins: coins, Amount: 545, DestScriptLen: 22, Feerate: 1000},
			wantErr: ErrDustOutput},
		{name: "sweep nothing",
			req:     SelectionRequest{All: true, DestScriptLen: 22, Feerate: 1000},
			wantErr: ErrInsufficientFunds},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := SelectCoins(tc.req)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			var ids []byte
			for _, c := range sel.Inputs {
				ids = append(ids, c.OutPoint.Hash[0])
			}
			if string(ids) != string(tc.wantInputs) || sel.Change != tc.wantChange || sel.Fee != tc.wantFee {
				t.Fatalf("inputs %v change %s fee %s; want %v %s %s", ids, sel.Change, sel.Fee,
					tc.wantInputs, tc.wantChange, tc.wantFee)
			}
			checkSelection(t, tc.req, sel)
		})
	}
}

// checkSelection asserts the invariants every selection keeps.
func checkSelection(t testing.TB, req SelectionRequest, sel Selection) {
	t.Helper()
	var in lnwire.Satoshi
	for _, c := range sel.Inputs {
		in += c.Amount
	}
	if in != sel.Amount+sel.Change+sel.Fee {
		t.Fatalf("inputs %s != amount %s + change %s + fee %s", in, sel.Amount, sel.Change, sel.Fee)
	}
	if sel.Fee < req.Feerate.FeeForWeight(sel.Weight) {
		t.Fatalf("fee %s below feerate for weight %d", sel.Fee, sel.Weight)
	}
	if sel.Change != 0 && sel.Change < DustLimit || sel.Amount < DustLimit {
		t.Fatalf("dust output: amount %s change %s", sel.Amount, sel.Change)
	}
	if !req.All && sel.Amount != req.Amount {
		t.Fatalf("amount %s, asked %s", sel.Amount, req.Amount)
	}
}

func FuzzSelectCoins(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint32(100_000), uint32(1000), false)
	f.Add([]byte{0xff, 0xff, 0xff, 0, 1}, uint32(546), uint32(253), true)
	f.Fuzz(func(t *testing.T, amounts []byte, amount uint32, feerate uint32, all bool) {
		var coins []Coin
		for i := 0; i+2 < len(amounts) && len(coins) < 50; i += 3 {
			v := lnwire.Satoshi(binary.BigEndian.Uint16(amounts[i:])) * 100
			kind := signer.P2WPKH
			if amounts[i+2]&1 == 1 {
				kind = signer.P2TR
			}
			coins = append(coins, coin(byte(i), v, kind))
		}
		req := SelectionRequest{Coins: coins, Amount: lnwire.Satoshi(amount), All: all, DestScriptLen: 22,
			ChangeScriptLen: 34, Feerate: lnwire.FeeratePerKW(feerate%100_000) + FeerateFloor}
		sel, err := SelectCoins(req)
		if err != nil {
			if !errors.Is(err, ErrInsufficientFunds) && !errors.Is(err, ErrDustOutput) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		checkSelection(t, req, sel)
	})
}

func BenchmarkSelectCoins(b *testing.B) {
	var coins []Coin
	for i := 0; i < 500; i++ {
		coins = append(coins, coin(byte(i), lnwire.Satoshi(1000+i*37%5000), signer.P2TR))
	}
	req := SelectionRequest{Coins: coins, Amount: 400_000, DestScriptLen: 22, ChangeScriptLen: 34, Feerate: 1000}
	for b.Loop() {
		if _, err := SelectCoins(req); err != nil {
			b.Fatal(err)
		}
	}
}
