package itest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/rpc"
)

// peerChannel is the part of a listpeerchannels entry the tests read.
type peerChannel struct {
	PeerID         string `json:"peer_id"`
	PeerConnected  bool   `json:"peer_connected"`
	State          string `json:"state"`
	ShortChannelID string `json:"short_channel_id"`
	ChannelID      string `json:"channel_id"`
	FundingTxID    string `json:"funding_txid"`
	FundingOutnum  uint32 `json:"funding_outnum"`
	Opener         string `json:"opener"`
	ToUsMsat       uint64 `json:"to_us_msat"`
	TotalMsat      uint64 `json:"total_msat"`
	SpendableMsat  uint64 `json:"spendable_msat"`
	ReceivableMsat uint64 `json:"receivable_msat"`
	OurReserveMsat uint64 `json:"our_reserve_msat"`
	Feerate        struct {
		PerKW uint32 `json:"perkw"`
	} `json:"feerate"`
	HTLCs []struct {
		ID uint64 `json:"id"`
	} `json:"htlcs"`
	Updates struct {
		Local struct {
			CLTVExpiryDelta uint16 `json:"cltv_expiry_delta"`
			FeeBaseMsat     uint64 `json:"fee_base_msat"`
			FeeProportional uint32 `json:"fee_proportional_millionths"`
		} `json:"local"`
	} `json:"updates"`
	ChannelType struct {
		Bits  []int    `json:"bits"`
		Names []string `json:"names"`
	} `json:"channel_type"`
}

func listPeerChannels(t *testing.T, n *devnet.Node) []peerChannel {
	t.Helper()
	var reply struct {
		Channels []peerChannel `json:"channels"`
	}
	if err := n.Call(context.Background(), "listpeerchannels", nil, &reply); err != nil {
		t.Fatalf("listpeerchannels on %s: %v", n.Name, err)
	}
	return reply.Channels
}

// waitChannel waits until the node's only channel is in the state (and,
// unless it is closing, its peer connected).
func waitChannel(t *testing.T, n *devnet.Node, state string) peerChannel {
	t.Helper()
	var last []peerChannel
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		last = listPeerChannels(t, n)
		if len(last) == 1 && last[0].State == state && (last[0].PeerConnected || !strings.HasPrefix(state, "CHANNELD")) {
			return last[0]
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: channel not %s: %+v", n.Name, state, last)
	return peerChannel{}
}

type fundChannelReply struct {
	Tx          string `json:"tx"`
	TxID        string `json:"txid"`
	OutNum      uint32 `json:"outnum"`
	ChannelID   string `json:"channel_id"`
	ChannelType struct {
		Bits []int `json:"bits"`
	} `json:"channel_type"`
}

func decodeTx(t *testing.T, text string) *wire.MsgTx {
	t.Helper()
	raw, err := hex.DecodeString(text)
	if err != nil {
		t.Fatal(err)
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	return &tx
}

// counts are getinfo's channel counts.
type counts struct {
	Pending  int `json:"num_pending_channels"`
	Active   int `json:"num_active_channels"`
	Inactive int `json:"num_inactive_channels"`
}

func channelCounts(t *testing.T, n *devnet.Node) counts {
	t.Helper()
	var c counts
	if err := n.Call(context.Background(), "getinfo", nil, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// confirmedSat is the node's confirmed on-chain balance.
func confirmedSat(t *testing.T, n *devnet.Node) uint64 {
	sum, _ := balance(t, n, "confirmed")
	return sum
}

// channelPair starts two nodes, funds the first with one output and
// connects it to the second.
func channelPair(t *testing.T, net *devnet.TestNetwork, name string, fundSat int64) (a, b *devnet.Node, aID, bID string) {
	t.Helper()
	a = net.AddNode(t, name+"-a")
	b = net.AddNode(t, name+"-b")
	aID, bID = info(t, a).ID, info(t, b).ID
	var addr map[string]string
	if err := a.Call(context.Background(), "newaddr", []any{"bech32"}, &addr); err != nil {
		t.Fatal(err)
	}
	fund(t, net.Chain, addr["bech32"], fundSat)
	mine(t, net.Chain, 1)
	waitBalance(t, a, "confirmed", uint64(fundSat), 1)
	if err := a.Call(context.Background(), "connect", []any{bID + "@" + b.P2PAddress}, nil); err != nil {
		t.Fatal(err)
	}
	return a, b, aID, bID
}

func TestChannelOpenRestartClose(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	ctx := context.Background()
	cases := []struct {
		name        string
		channelType []int
		push        uint64 // msat
	}{
		{"static", []int{12}, 0},
		{"static-push", []int{12}, 150_000_000},
		{"anchors", []int{12, 22}, 0},
		{"anchors-push", []int{12, 22}, 250_000_000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			const capacity = 800_000
			a, b, aID, bID := channelPair(t, net, tc.name, 2_000_000)
			params := map[string]any{"id": bID, "amount": capacity, "feerate": "2000perkw", "channel_type": tc.channelType}
			if tc.push > 0 {
				params["push_msat"] = tc.push
			}
			var opened fundChannelReply
			if err := a.Call(ctx, "fundchannel", params, &opened); err != nil {
				t.Fatalf("fundchannel: %v", err)
			}
			fundingTx := decodeTx(t, opened.Tx)
			if fundingTx.TxHash().String() != opened.TxID || fundingTx.TxOut[opened.OutNum].Value != capacity ||
				fmt.Sprint(opened.ChannelType.Bits) != fmt.Sprint(tc.channelType) {
				t.Fatalf("fundchannel reply %+v", opened)
			}
			waitChannel(t, a, "CHANNELD_AWAITING_LOCKIN")
			waitChannel(t, b, "CHANNELD_AWAITING_LOCKIN")
			if gi := channelCounts(t, a); gi.Pending != 1 {
				t.Fatalf("getinfo pending channels %+v", gi)
			}
			mine(t, net.Chain, 3) // minimum_depth 3
			ca := waitChannel(t, a, "CHANNELD_NORMAL")
			cb := waitChannel(t, b, "CHANNELD_NORMAL")
			var peers struct {
				Peers []struct {
					ID          string `json:"id"`
					NumChannels int    `json:"num_channels"`
				} `json:"peers"`
			}
			if err := a.Call(ctx, "listpeers", []any{bID}, &peers); err != nil || len(peers.Peers) != 1 ||
				peers.Peers[0].NumChannels != 1 {
				t.Fatalf("listpeers num_channels: %+v %v", peers, err)
			}
			toA := uint64(capacity)*1000 - tc.push
			if ca.ChannelID != opened.ChannelID || cb.ChannelID != opened.ChannelID || ca.ShortChannelID == "" ||
				ca.ShortChannelID != cb.ShortChannelID || ca.FundingTxID != opened.TxID || ca.PeerID != bID || cb.PeerID != aID ||
				ca.Opener != "local" || cb.Opener != "remote" {
				t.Fatalf("channels differ:\n%+v\n%+v", ca, cb)
			}
			if ca.ToUsMsat != toA || cb.ToUsMsat != tc.push || ca.TotalMsat != capacity*1000 || cb.TotalMsat != capacity*1000 {
				t.Fatalf("balances: alice %d, bob %d of %d/%d", ca.ToUsMsat, cb.ToUsMsat, ca.TotalMsat, cb.TotalMsat)
			}
			// Core Lightning's defaults of fee-base, fee-per-satoshi and
			// cltv-delta.
			if u := ca.Updates.Local; u.CLTVExpiryDelta != 34 || u.FeeBaseMsat != 1000 || u.FeeProportional != 10 {
				t.Fatalf("updates.local %+v", u)
			}
			if ca.SpendableMsat == 0 || ca.SpendableMsat >= toA || cb.ReceivableMsat != ca.SpendableMsat {
				t.Fatalf("spendable %d, bob's receivable %d", ca.SpendableMsat, cb.ReceivableMsat)
			}
			if gi := channelCounts(t, a); gi.Active != 1 || gi.Pending != 0 {
				t.Fatalf("getinfo channels %+v", gi)
			}
			var funds struct {
				Channels []struct {
					PeerID        string `json:"peer_id"`
					State         string `json:"state"`
					OurAmountMsat uint64 `json:"our_amount_msat"`
					AmountMsat    uint64 `json:"amount_msat"`
				} `json:"channels"`
			}
			if err := a.Call(ctx, "listfunds", nil, &funds); err != nil {
				t.Fatal(err)
			}
			if len(funds.Channels) != 1 || funds.Channels[0].OurAmountMsat != toA || funds.Channels[0].AmountMsat != capacity*1000 ||
				funds.Channels[0].State != "CHANNELD_NORMAL" {
				t.Fatalf("listfunds channels %+v", funds.Channels)
			}
			err := a.Call(ctx, "disconnect", []any{bID}, nil)
			var rerr *rpc.Error
			if !errors.As(err, &rerr) || !strings.Contains(rerr.Message, "active channels") {
				t.Fatalf("disconnect of a peer with a channel: %v", err)
			}

			// Restart both: the channel comes back and is re-established;
			// alice dialled bob, so she reconnects to him.
			if err := a.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			if err := b.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			ca = waitChannel(t, a, "CHANNELD_NORMAL")
			cb = waitChannel(t, b, "CHANNELD_NORMAL")
			if ca.ToUsMsat != toA || cb.ToUsMsat != tc.push || ca.ShortChannelID != cb.ShortChannelID {
				t.Fatalf("after restart: %+v / %+v", ca, cb)
			}

			// Mutual close; the final on-chain balances are the channel
			// balances minus the closing fee, which the opener pays.
			aliceBefore := confirmedSat(t, a)
			var closed struct {
				Tx   string `json:"tx"`
				TxID string `json:"txid"`
				Type string `json:"type"`
			}
			if err := a.Call(ctx, "close", []any{bID}, &closed); err != nil {
				t.Fatalf("close: %v", err)
			}
			closingTx := decodeTx(t, closed.Tx)
			if closed.Type != "mutual" || closingTx.TxHash().String() != closed.TxID ||
				closingTx.TxIn[0].PreviousOutPoint.Hash.String() != opened.TxID {
				t.Fatalf("close reply %+v", closed)
			}
			var outputs uint64
			for _, out := range closingTx.TxOut {
				outputs += uint64(out.Value)
			}
			fee := capacity - outputs
			if fee == 0 || fee > 10_000 {
				t.Fatalf("closing fee %d", fee)
			}
			waitChannel(t, b, "CLOSINGD_COMPLETE")
			mine(t, net.Chain, 1)
			waitChannel(t, a, "ONCHAIN")
			waitChannel(t, b, "ONCHAIN")
			wantA := aliceBefore + toA/1000 - fee
			waitFor(t, 30*time.Second, "alice's closing output", func() bool { return confirmedSat(t, a) == wantA })
			waitFor(t, 30*time.Second, "bob's closing output", func() bool { return confirmedSat(t, b) == tc.push/1000 })
			if gi := channelCounts(t, a); gi.Active != 0 || gi.Inactive != 1 {
				t.Fatalf("getinfo after close %+v", gi)
			}
		})
	}
}

func TestFundChannelMisuse(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	ctx := context.Background()
	a, b, _, bID := channelPair(t, net, "misuse", 100_000)
	stranger := info(t, net.AddNode(t, "stranger")).ID
	before := listFunds(t, a, false)
	cases := []struct {
		name   string
		params map[string]any
		code   int
		text   string
	}{
		{"unknown peer", map[string]any{"id": stranger, "amount": 50_000}, 306, "Unknown peer"},
		{"below the minimum channel size", map[string]any{"id": bID, "amount": 10_000}, rpc.CodeInvalidParams, "too small"},
		{"insufficient funds", map[string]any{"id": bID, "amount": 500_000}, 301, "could not afford"},
		{"push above the amount", map[string]any{"id": bID, "amount": 50_000, "push_msat": 60_000_000}, rpc.CodeInvalidParams, "push_msat"},
		{"unsupported channel type", map[string]any{"id": bID, "amount": 50_000, "channel_type": []int{22}}, rpc.CodeInvalidParams, "channel_type"},
		{"bad amount", map[string]any{"id": bID, "amount": "lots"}, rpc.CodeInvalidParams, "amount"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := a.Call(ctx, "fundchannel", tc.params, nil)
			var rerr *rpc.Error
			if !errors.As(err, &rerr) || rerr.Code != tc.code || !strings.Contains(strings.ToLower(rerr.Message), strings.ToLower(tc.text)) {
				t.Fatalf("got %v, want code %d mentioning %q", err, tc.code, tc.text)
			}
		})
	}
	after := listFunds(t, a, false)
	if len(after) != len(before) || after[0] != before[0] || after[0].Reserved {
		t.Fatalf("a refused fundchannel touched the wallet:\n%+v\n%+v", before, after)
	}
	if len(listPeerChannels(t, a)) != 0 || len(listPeerChannels(t, b)) != 0 {
		t.Fatal("a refused fundchannel left a channel")
	}
	err := a.Call(ctx, "close", []any{bID}, nil)
	var rerr *rpc.Error
	if !errors.As(err, &rerr) || rerr.Code != rpc.CodeInvalidParams {
		t.Fatalf("close without a channel: %v", err)
	}
}
