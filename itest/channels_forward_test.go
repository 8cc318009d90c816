package itest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/rpc"
)

// waitChannelWith waits until the node's channel with peer is in the
// state with the peer connected.
func waitChannelWith(t *testing.T, n *devnet.Node, peer, state string) peerChannel {
	t.Helper()
	var last []peerChannel
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		last = listPeerChannels(t, n)
		for _, c := range last {
			if c.PeerID == peer && c.State == state && c.PeerConnected {
				return c
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: no channel %s with %s: %+v", n.Name, state, peer, last)
	return peerChannel{}
}

// forwardEntry is the part of a listforwards entry the test reads.
type forwardEntry struct {
	InChannel  string `json:"in_channel"`
	OutChannel string `json:"out_channel"`
	InMsat     uint64 `json:"in_msat"`
	OutMsat    uint64 `json:"out_msat"`
	FeeMsat    uint64 `json:"fee_msat"`
	Status     string `json:"status"`
	FailReason string `json:"failreason"`
}

func listForwards(t *testing.T, n *devnet.Node, params map[string]any) []forwardEntry {
	t.Helper()
	var reply struct {
		Forwards []forwardEntry `json:"forwards"`
	}
	if err := n.Call(context.Background(), "listforwards", params, &reply); err != nil {
		t.Fatalf("listforwards: %v", err)
	}
	return reply.Forwards
}

// TestForwardThreeNodes: alice pays carol through bob with sendpay and an
// explicit two-hop route; bob forwards and earns his fee; a payment carol
// refuses and one bob refuses (fee one short) come back with the right
// erring node; bob's listforwards survives his restart, after which he
// forwards again.
func TestForwardThreeNodes(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	ctx := context.Background()
	alice, bob, _, bobID := channelPair(t, net, "fwd", 2_000_000)
	carol := net.AddNode(t, "fwd-c")
	carolID := info(t, carol).ID
	var addr map[string]string
	if err := bob.Call(ctx, "newaddr", []any{"bech32"}, &addr); err != nil {
		t.Fatal(err)
	}
	fund(t, net.Chain, addr["bech32"], 2_000_000)
	mine(t, net.Chain, 1)
	waitBalance(t, bob, "confirmed", 2_000_000, 1)
	if err := bob.Call(ctx, "connect", []any{carolID + "@" + carol.P2PAddress}, nil); err != nil {
		t.Fatal(err)
	}
	if err := alice.Call(ctx, "fundchannel", map[string]any{"id": bobID, "amount": 1_000_000}, nil); err != nil {
		t.Fatal(err)
	}
	if err := bob.Call(ctx, "fundchannel", map[string]any{"id": carolID, "amount": 600_000}, nil); err != nil {
		t.Fatal(err)
	}
	mine(t, net.Chain, 3)
	ab := waitChannelWith(t, alice, bobID, "CHANNELD_NORMAL")
	bc := waitChannelWith(t, bob, carolID, "CHANNELD_NORMAL")
	waitChannelWith(t, carol, bobID, "CHANNELD_NORMAL")

	// Bob's default policy: 1000 msat + 10 ppm, cltv_expiry_delta 34.
	fee := func(amount uint64) uint64 { return 1000 + amount*10/1_000_000 }
	route := func(amount, fee uint64, delta uint32) []map[string]any {
		return []map[string]any{
			{"id": bobID, "channel": ab.ShortChannelID, "amount_msat": amount + fee, "delay": 40 + delta},
			{"id": carolID, "channel": bc.ShortChannelID, "amount_msat": amount, "delay": 40},
		}
	}
	send := func(inv newInvoice, secret string, hops []map[string]any) (paymentReply, error) {
		if err := alice.Call(ctx, "sendpay", map[string]any{"route": hops, "payment_hash": inv.PaymentHash,
			"payment_secret": secret}, nil); err != nil {
			t.Fatalf("sendpay: %v", err)
		}
		var done paymentReply
		err := alice.Call(ctx, "waitsendpay", map[string]any{"payment_hash": inv.PaymentHash, "timeout": 60}, &done)
		return done, err
	}

	const amount = 50_000_000
	coffee := makeInvoice(t, carol, amount, "coffee")
	paid, err := send(coffee, coffee.PaymentSecret, route(amount, fee(amount), 34))
	if err != nil {
		t.Fatalf("waitsendpay: %v", err)
	}
	checkPreimage(t, paid)
	if status, got := invoiceStatus(t, carol, "coffee"); status != "paid" || got != amount {
		t.Fatalf("carol's invoice %s with %d msat", status, got)
	}
	var pays struct {
		Pays []struct {
			AmountMsat     uint64 `json:"amount_msat"`
			AmountSentMsat uint64 `json:"amount_sent_msat"`
			Destination    string `json:"destination"`
		} `json:"pays"`
	}
	if err := alice.Call(ctx, "listpays", map[string]any{"payment_hash": coffee.PaymentHash}, &pays); err != nil ||
		len(pays.Pays) != 1 || pays.Pays[0].AmountMsat != amount || pays.Pays[0].AmountSentMsat != amount+fee(amount) ||
		pays.Pays[0].Destination != carolID {
		t.Fatalf("alice's listpays: %+v %v", pays, err)
	}
	fw := listForwards(t, bob, nil)
	if len(fw) != 1 || fw[0].Status != "settled" || fw[0].FeeMsat != fee(amount) || fw[0].InChannel != ab.ShortChannelID ||
		fw[0].OutChannel != bc.ShortChannelID || fw[0].OutMsat != amount {
		t.Fatalf("bob's forwards: %+v", fw)
	}

	// Carol refuses (wrong payment secret): erring_index 2 is carol.
	book := makeInvoice(t, carol, 10_000_000, "book")
	wrong := "0000000000000000000000000000000000000000000000000000000000000001"
	_, err = send(book, wrong, route(10_000_000, fee(10_000_000), 34))
	var rerr *rpc.Error
	if !errors.As(err, &rerr) || rerr.Code != 203 {
		t.Fatalf("payment carol refuses: %v", err)
	}
	if data, _ := rerr.Data.(map[string]any); data["erring_index"] != 2.0 || data["erring_node"] != carolID ||
		data["failcodename"] != "incorrect_or_unknown_payment_details" {
		t.Fatalf("error data %+v", rerr.Data)
	}

	// Bob refuses (fee one short): erring_index 1 is bob.
	tea := makeInvoice(t, carol, 10_000_000, "tea")
	_, err = send(tea, tea.PaymentSecret, route(10_000_000, fee(10_000_000)-1, 34))
	if !errors.As(err, &rerr) || rerr.Code != 204 {
		t.Fatalf("payment bob refuses: %v", err)
	}
	if data, _ := rerr.Data.(map[string]any); data["erring_index"] != 1.0 || data["erring_node"] != bobID ||
		data["failcodename"] != "fee_insufficient" || data["erring_channel"] != bc.ShortChannelID {
		t.Fatalf("error data %+v", rerr.Data)
	}
	if local := listForwards(t, bob, map[string]any{"status": "local_failed"}); len(local) != 1 || local[0].FailReason != "fee_insufficient" {
		t.Fatalf("bob's refused forwards: %+v", local)
	}

	// Bob restarts: his forwards are listed, and he forwards again.
	if err := bob.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	waitChannelWith(t, alice, bobID, "CHANNELD_NORMAL")
	waitChannelWith(t, bob, carolID, "CHANNELD_NORMAL")
	if fw := listForwards(t, bob, nil); len(fw) != 3 {
		t.Fatalf("bob's forwards after restart: %+v", fw)
	}
	if _, err := send(tea, tea.PaymentSecret, route(10_000_000, fee(10_000_000), 34)); err != nil {
		t.Fatalf("paying tea after bob's restart: %v", err)
	}
	if settled := listForwards(t, bob, map[string]any{"status": "settled"}); len(settled) != 2 {
		t.Fatalf("bob's settled forwards: %+v", settled)
	}
	earned := fee(amount) + fee(10_000_000)
	waitFor(t, 30*time.Second, "balances", func() bool {
		cb := waitChannelWith(t, carol, bobID, "CHANNELD_NORMAL")
		ba := waitChannelWith(t, bob, info(t, alice).ID, "CHANNELD_NORMAL")
		return cb.ToUsMsat == amount+10_000_000 && ba.ToUsMsat == amount+10_000_000+earned
	})
}
