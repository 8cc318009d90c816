package itest

import (
	"context"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/lndtest"
)

// TestChannelWithLnd runs channels with lnd, a peer no one here wrote:
// Fulmen opens (both channel types, with push_msat), pays an lnd invoice
// and closes by mutual agreement; then lnd opens to Fulmen and pays a
// Fulmen invoice.
func TestChannelWithLnd(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	ctx := context.Background()
	lnd := startLnd(t, net, "lnd")
	lndID := lnd.Pubkey()
	for _, tc := range []struct {
		name string
		bits []int
	}{{"static", []int{12}}, {"anchors", []int{12, 22}}} {
		t.Run("fulmen opens "+tc.name, func(t *testing.T) {
			a := net.AddNode(t, "to-lnd-"+tc.name)
			var addr map[string]string
			if err := a.Call(ctx, "newaddr", []any{"bech32"}, &addr); err != nil {
				t.Fatal(err)
			}
			fund(t, net.Chain, addr["bech32"], 1_000_000)
			mine(t, net.Chain, 1)
			waitBalance(t, a, "confirmed", 1_000_000, 1)
			if err := a.Call(ctx, "connect", []any{lndID + "@" + lnd.P2PAddress()}, nil); err != nil {
				t.Fatal(err)
			}
			var opened fundChannelReply
			if err := a.Call(ctx, "fundchannel", map[string]any{"id": lndID, "amount": 500_000, "push_msat": 100_000_000,
				"channel_type": tc.bits}, &opened); err != nil {
				t.Fatalf("fundchannel to lnd: %v", err)
			}
			if fmt.Sprint(opened.ChannelType.Bits) != fmt.Sprint(tc.bits) {
				t.Fatalf("channel type %v", opened.ChannelType.Bits)
			}
			mine(t, net.Chain, 6)
			if c := waitChannel(t, a, "CHANNELD_NORMAL"); c.ToUsMsat != 400_000_000 {
				t.Fatalf("to_us %d", c.ToUsMsat)
			}

			// Pay an lnd invoice: lnd peels our onion and settles.
			invoice, err := lnd.Node.AddInvoice(ctx, lndtest.InvoiceRequest{Amount: 20_000_000, Memo: "from fulmen"})
			if err != nil {
				t.Fatal(err)
			}
			var paid paymentReply
			if err := a.Call(ctx, "pay", []any{invoice.PaymentRequest}, &paid); err != nil {
				t.Fatalf("pay lnd: %v", err)
			}
			checkPreimage(t, paid)
			if paid.PaymentHash != hex.EncodeToString(invoice.PaymentHash) {
				t.Fatalf("paid %s, invoice %x", paid.PaymentHash, invoice.PaymentHash)
			}
			if c := waitChannel(t, a, "CHANNELD_NORMAL"); c.ToUsMsat != 380_000_000 {
				t.Fatalf("to_us after paying %d", c.ToUsMsat)
			}

			before := confirmedSat(t, a)
			var closed struct {
				Tx string `json:"tx"`
			}
			if err := a.Call(ctx, "close", []any{opened.ChannelID}, &closed); err != nil {
				t.Fatalf("close with lnd: %v", err)
			}
			var outputs uint64
			for _, out := range decodeTx(t, closed.Tx).TxOut {
				outputs += uint64(out.Value)
			}
			mine(t, net.Chain, 1)
			waitChannel(t, a, "ONCHAIN")
			fee := 500_000 - outputs
			waitFor(t, 30*time.Second, "our closing output", func() bool { return confirmedSat(t, a) == before+380_000-fee })
		})
	}

	t.Run("lnd opens", func(t *testing.T) {
		b := net.AddNode(t, "from-lnd")
		bID := info(t, b).ID
		fund(t, net.Chain, lnd.NewAddress(lndtest.AddressP2WKH), 2_000_000)
		mine(t, net.Chain, 1)
		waitFor(t, 30*time.Second, "lnd's coins", func() bool { return lnd.WalletBalance().Confirmed >= 2_000_000 })
		lnd.ConnectPeer(bID, b.P2PAddress)
		lnd.OpenChannel(lndtest.OpenChannelRequest{NodePubkey: bID, LocalFunding: 600_000, SatPerVByte: 2, Private: true})
		mine(t, net.Chain, 6)
		c := waitChannel(t, b, "CHANNELD_NORMAL")
		if c.Opener != "remote" || c.ToUsMsat != 0 || c.TotalMsat != 600_000_000 {
			t.Fatalf("channel from lnd %+v", c)
		}
		waitLndActive(t, lnd, bID)
		// lnd pays a Fulmen invoice: we peel lnd's onion and settle.
		inv := makeInvoice(t, b, 55_000_000, "from-lnd")
		if payment := lndPaysNow(t, lnd, inv.Bolt11); len(payment.Preimage) != 64 {
			t.Fatalf("lnd's payment: %+v", payment)
		}
		if status, got := invoiceStatus(t, b, "from-lnd"); status != "paid" || got != 55_000_000 {
			t.Fatalf("invoice %s with %d msat", status, got)
		}
		waitFor(t, 10*time.Second, "the payment in the channel", func() bool {
			return waitChannel(t, b, "CHANNELD_NORMAL").ToUsMsat == 55_000_000
		})
	})
}
