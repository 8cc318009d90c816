package itest

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/lndtest"
)

// TestLndMutualCloses closes channels with lnd by mutual agreement, each
// after payments that leave Fulmen a balance in odd millisatoshis: lnd
// closes a channel it opened, Fulmen closes a channel lnd opened, and lnd
// closes a channel Fulmen opened (static_remotekey; the anchors case ends
// TestLndPaymentsInterrupted). lnd negotiates with legacy closing_signed.
// Fulmen's closing output is its balance rounded down to the satoshi
// (BOLT 3), less the closing fee when Fulmen opened.
func TestLndMutualCloses(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	ctx := context.Background()
	lnd := startLnd(t, net, "lnd")
	t.Cleanup(func() { checkLndHeardNoError(t, lnd) })
	fundLnd(t, net, lnd, 2_000_000)

	pointOf := func(t *testing.T, ch *lndPeer) lndtest.ChannelPoint {
		t.Helper()
		lc, ok := lndChannelWith(lnd, ch.fID)
		if !ok {
			t.Fatal("lnd has no channel with fulmen")
		}
		point, err := lc.Point()
		if err != nil {
			t.Fatal(err)
		}
		return point
	}

	t.Run("lnd opens, lnd closes", func(t *testing.T) {
		ch := acceptFromLnd(t, net, net.AddNode(t, "lnd-closes-its-own"), lnd, 600_000, lndtest.CommitmentDefault)
		lndPaysNow(t, lnd, makeInvoice(t, ch.f, 123_456_789, "odd").Bolt11)
		ch.toUs += 123_456_789
		ch.checkAgree("after lnd's payment")
		ch.checkMutualClose(lnd.CloseChannel(pointOf(t, ch), lndtest.CloseRequest{}), false)
	})
	t.Run("lnd opens, fulmen closes", func(t *testing.T) {
		ch := acceptFromLnd(t, net, net.AddNode(t, "fulmen-closes"), lnd, 500_000, lndtest.CommitmentStaticRemoteKey)
		lndPaysNow(t, lnd, makeInvoice(t, ch.f, 77_777_777, "odd").Bolt11)
		ch.toUs += 77_777_777
		ch.checkAgree("after lnd's payment")
		var reply struct {
			TxID string `json:"txid"`
			Type string `json:"type"`
		}
		if err := ch.f.Call(ctx, "close", []any{lnd.Pubkey()}, &reply); err != nil || reply.Type != "mutual" {
			t.Fatalf("close: %+v, %v", reply, err)
		}
		txid, err := chainhash.NewHashFromStr(reply.TxID)
		if err != nil {
			t.Fatal(err)
		}
		ch.checkMutualClose(*txid, false)
	})
	t.Run("fulmen opens, lnd closes", func(t *testing.T) {
		ch := openToLnd(t, net, net.AddNode(t, "lnd-closes-ours"), lnd, 700_000, 50_000_000, []int{12})
		inv := lnd.AddInvoice(lndtest.InvoiceRequest{Amount: 31_415_926, Memo: "pi"})
		var paid paymentReply
		if err := ch.f.Call(ctx, "pay", []any{inv.PaymentRequest}, &paid); err != nil {
			t.Fatalf("pay: %v", err)
		}
		ch.toUs -= 31_415_926
		lndPaysNow(t, lnd, makeInvoice(t, ch.f, 2_718_281, "e").Bolt11)
		ch.toUs += 2_718_281
		ch.checkAgree("after the payments")
		ch.checkMutualClose(lnd.CloseChannel(pointOf(t, ch), lndtest.CloseRequest{}), true)
	})

	// Every negotiation was the legacy one: closing_signed, never
	// option_simple_close's closing_complete.
	log, err := os.ReadFile(lnd.LogPath())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), "Received ClosingSigned("); n < 3 || strings.Contains(string(log), "ClosingComplete(") {
		t.Fatalf("lnd's log has %d closing_signed received and closing_complete %v", n,
			strings.Contains(string(log), "ClosingComplete("))
	}
}
