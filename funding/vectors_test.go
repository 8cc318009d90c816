package funding

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// readVector reads "key: value" lines, skipping comments.
func readVector(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	scanner := bufio.NewScanner(f)
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		out[key] = value
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFundingOutputVector checks the funding output the opener asks the
// wallet for, and the check of the wallet's transaction, against BOLT #3
// Appendix B.
func TestFundingOutputVector(t *testing.T) {
	v := readVector(t, "testdata/bolt03-appendix-b.txt")
	var local, remote channel.Params
	copy(local.FundingKey[:], mustHex(t, v["local_funding_pubkey"]))
	copy(remote.FundingKey[:], mustHex(t, v["remote_funding_pubkey"]))
	amount, err := strconv.ParseInt(v["funding_satoshis"], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	capacity := lnwire.Satoshi(amount)
	pkScript, ferr := fundingPkScript(&local, &remote, capacity)
	if ferr != nil {
		t.Fatal(ferr)
	}
	if want := channeltx.WitnessScriptHash(mustHex(t, v["funding_witness_script"])); !bytes.Equal(pkScript, want) {
		t.Errorf("funding pkScript %x, want P2WSH of the vector's script %x", pkScript, want)
	}
	// The accepter computes the same script with the roles swapped.
	if swapped, _ := fundingPkScript(&remote, &local, capacity); !bytes.Equal(swapped, pkScript) {
		t.Errorf("accepter's script %x", swapped)
	}

	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(mustHex(t, v["funding_tx"]))); err != nil {
		t.Fatal(err)
	}
	index, err := strconv.ParseUint(v["funding_output"], 10, 32)
	if err != nil {
		t.Fatal(err)
	}
	outpoint, ferr := fundingOutpoint(&tx, uint32(index), capacity, pkScript)
	if ferr != nil {
		t.Fatal(ferr)
	}
	if outpoint.Hash.String() != v["txid"] || outpoint.Index != uint32(index) {
		t.Errorf("outpoint %v, want %s:%d", outpoint, v["txid"], index)
	}
	// The change output, a wrong amount, and a missing output are refused.
	for _, bad := range []struct {
		index    uint32
		capacity lnwire.Satoshi
	}{{1, capacity}, {uint32(index), capacity + 1}, {2, capacity}} {
		if _, ferr := fundingOutpoint(&tx, bad.index, bad.capacity, pkScript); !errors.Is(ferr, ErrBadFundingTx) {
			t.Errorf("output %d for %s: %v", bad.index, bad.capacity, ferr)
		}
	}
}
