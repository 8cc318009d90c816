package lndtest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/regtest"
)

// startOnChain starts an lnd on h's btcd for the test.
func startOnChain(t *testing.T, bin Binaries, h *regtest.Harness, alias string) *TestNode {
	t.Helper()
	rpc := h.RPC()
	return StartT(t, bin, Options{
		BtcdRPCHost: rpc.Host, BtcdRPCUser: rpc.User, BtcdRPCPass: rpc.Pass, BtcdRPCCert: rpc.CertPath,
		Alias: alias,
	})
}

// eventually polls check every 100ms until it returns nil or d passes.
func eventually(t *testing.T, d time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestLndOnRegtest runs a real lnd on a btcd regtest chain: it syncs,
// follows mined blocks, receives coins on P2WPKH and P2TR addresses,
// makes invoices, streams them, and comes back after a restart.
func TestLndOnRegtest(t *testing.T) {
	t.Parallel()
	start := time.Now()
	bin := RequireBinaries(t)
	chain := regtest.Start(t)
	ctx := t.Context()
	lnd := startOnChain(t, bin, chain, "lnd-interop")
	t.Logf("btcd and lnd ready after %s", time.Since(start).Round(time.Millisecond))

	height, err := chain.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info := lnd.GetInfo()
	if !info.SyncedToChain || info.BlockHeight != uint32(height) {
		t.Fatalf("GetInfo: synced %v at %d, chain at %d", info.SyncedToChain, info.BlockHeight, height)
	}
	if len(info.IdentityPubkey) != 66 || info.IdentityPubkey != lnd.Pubkey() || info.Alias != "lnd-interop" {
		t.Fatalf("GetInfo: pubkey %q (Pubkey() %q), alias %q", info.IdentityPubkey, lnd.Pubkey(), info.Alias)
	}
	if !strings.HasPrefix(info.Version, strings.TrimPrefix(Version, "v")) {
		t.Errorf("lnd version %q, want %s", info.Version, Version)
	}
	checkLndFeatures(t, info.Features)
	raw, _ := json.Marshal(info.Features)
	t.Logf("GetInfo features: %s", raw)

	t.Run("follows mined blocks", func(t *testing.T) {
		hashes, err := chain.Mine(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		info := lnd.WaitForHeight(uint32(height) + 3)
		if info.BlockHeight != uint32(height)+3 || info.BlockHash != hashes[2].String() {
			t.Fatalf("lnd at %d %s, mined to %d %s", info.BlockHeight, info.BlockHash, height+3, hashes[2])
		}
	})

	t.Run("wallet receives coins", func(t *testing.T) {
		payments := []struct {
			kind   AddressType
			amount lnwire.Satoshi
		}{{AddressP2WKH, 250_000}, {AddressP2TR, 150_000}}
		var want lnwire.Satoshi
		for _, p := range payments {
			addr := lnd.NewAddress(p.kind)
			if _, err := chain.Fund(ctx, addr, p.amount); err != nil {
				t.Fatalf("funding %s: %v", addr, err)
			}
			want += p.amount
		}
		if _, err := chain.Mine(ctx, 1); err != nil {
			t.Fatal(err)
		}
		eventually(t, time.Minute, func() error {
			b := lnd.WalletBalance()
			if b.Confirmed != want || b.Total != want || b.Unconfirmed != 0 {
				return fmt.Errorf("balance %+v, want %s confirmed", b, want)
			}
			return nil
		})
	})

	t.Run("invoices and streams", func(t *testing.T) {
		first := lnd.AddInvoice(InvoiceRequest{Memo: "any amount"})
		added := lnd.AddInvoice(InvoiceRequest{Amount: 42_000, Memo: "interop", Expiry: time.Hour})
		if !strings.HasPrefix(added.PaymentRequest, "lnbcrt420n1") || added.AddIndex != first.AddIndex+1 {
			t.Errorf("payment request %q, add index %d after %d", added.PaymentRequest, added.AddIndex, first.AddIndex)
		}
		// lnd replays the invoices added after add_index (0 replays none),
		// so the stream starts with the second invoice, with no race.
		path := fmt.Sprintf("/v1/invoices/subscribe?add_index=%d", first.AddIndex)
		streamCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		var got struct {
			RHash     []byte `json:"r_hash"`
			ValueMsat string `json:"value_msat"`
			Memo      string `json:"memo"`
			State     string `json:"state"`
		}
		err := lnd.Stream(streamCtx, "GET", path, nil, func(result json.RawMessage) error {
			if err := json.Unmarshal(result, &got); err != nil {
				return err
			}
			return ErrStreamDone
		})
		if err != nil || hex.EncodeToString(got.RHash) != hex.EncodeToString(added.PaymentHash) ||
			got.ValueMsat != "42000" || got.Memo != "interop" || got.State != "OPEN" {
			t.Fatalf("subscribed invoice %+v, %v; added %x", got, err, added.PaymentHash)
		}
	})

	t.Run("lncli", func(t *testing.T) {
		out, err := lnd.Lncli(ctx, "getinfo")
		if err != nil {
			t.Fatal(err)
		}
		var cliInfo struct {
			IdentityPubkey string `json:"identity_pubkey"`
		}
		if err := json.Unmarshal(out, &cliInfo); err != nil || cliInfo.IdentityPubkey != lnd.Pubkey() {
			t.Fatalf("lncli getinfo: %v, %s", err, out)
		}
	})

	t.Run("restart", func(t *testing.T) {
		before := lnd.WalletBalance()
		pid := lnd.PID()
		lnd.Restart()
		if lnd.PID() == pid || lnd.PID() == 0 {
			t.Errorf("pid %d after restart, was %d", lnd.PID(), pid)
		}
		info := lnd.GetInfo()
		if info.IdentityPubkey != lnd.Pubkey() || !info.SyncedToChain {
			t.Fatalf("after restart: %+v", info)
		}
		if after := lnd.WalletBalance(); after != before {
			t.Errorf("balance %+v after restart, %+v before", after, before)
		}
		if _, err := chain.Mine(ctx, 1); err != nil {
			t.Fatal(err)
		}
		lnd.WaitForHeight(info.BlockHeight + 1)
	})

	t.Run("stopped node refuses calls", func(t *testing.T) {
		stopCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := lnd.Node.Stop(stopCtx); err != nil || lnd.PID() != 0 {
			t.Fatalf("Stop: %v, pid %d", err, lnd.PID())
		}
		if _, err := lnd.Node.GetInfo(ctx); !errors.Is(err, ErrNotRunning) {
			t.Fatalf("GetInfo on a stopped node: %v", err)
		}
		if err := lnd.Node.Stop(stopCtx); err != nil {
			t.Fatalf("second Stop: %v", err)
		}
	})
}

// checkLndFeatures checks what our BOLT 9 code must accept from lnd: every
// bit lnd requires is one BOLT 9 names, and lnd sets every dependency.
func checkLndFeatures(t *testing.T, features Features) {
	t.Helper()
	vector := features.Vector()
	t.Logf("lnd %s features: %v", Version, vector)
	// lnd v0.21 requires these in its init and node announcement.
	for _, bit := range []lnwire.FeatureBit{0, 8, 12, 14, 44} {
		if !features[bit].IsRequired || !vector.IsSet(bit) {
			t.Errorf("lnd does not require feature bit %d (%s)", bit, bit)
		}
	}
	for _, bit := range vector.Bits() {
		if bit.IsRequired() && bit.Name() == "unknown" {
			t.Errorf("lnd requires bit %d, unknown to BOLT 9 as lnwire has it", bit)
		}
	}
	if err := vector.CheckDependencies(); err != nil {
		t.Errorf("lnd's features break BOLT 9 dependencies: %v", err)
	}
}

// TestLndPeers connects two lnds over BOLT 8 and checks what ListPeers
// reports and that Disconnect drops the connection on both sides.
func TestLndPeers(t *testing.T) {
	t.Parallel()
	bin := RequireBinaries(t)
	chain := regtest.Start(t)
	alice := startOnChain(t, bin, chain, "alice")
	bob := startOnChain(t, bin, chain, "bob")

	alice.ConnectPeer(bob.Pubkey(), bob.P2PAddress())
	eventually(t, 30*time.Second, func() error {
		peers := bob.ListPeers()
		if len(peers) != 1 || peers[0].PubKey != alice.Pubkey() || !peers[0].Inbound {
			return fmt.Errorf("bob's peers %+v", peers)
		}
		return nil
	})
	// lnd lists a peer before it has read the peer's init: wait for the
	// features too.
	var peers []Peer
	eventually(t, 30*time.Second, func() error {
		peers = alice.ListPeers()
		if len(peers) != 1 || len(peers[0].Features) == 0 {
			return fmt.Errorf("alice's peers %+v", peers)
		}
		return nil
	})
	if peers[0].PubKey != bob.Pubkey() || peers[0].Address != bob.P2PAddress() || peers[0].Inbound {
		t.Fatalf("alice's peers %+v", peers)
	}
	// The init features bob sent alice, as lnd reports them.
	checkLndFeatures(t, peers[0].Features)

	alice.Disconnect(bob.Pubkey())
	eventually(t, 30*time.Second, func() error {
		if a, b := len(alice.ListPeers()), len(bob.ListPeers()); a != 0 || b != 0 {
			return fmt.Errorf("peers after disconnect: alice %d, bob %d", a, b)
		}
		return nil
	})
	// Disconnecting a peer that is not connected is an lnd error.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var apiErr *APIError
	if err := alice.Node.Disconnect(ctx, bob.Pubkey()); !errors.As(err, &apiErr) {
		t.Fatalf("second Disconnect: %v, want an *APIError", err)
	}
}
