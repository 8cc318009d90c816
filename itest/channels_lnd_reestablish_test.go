package itest

import (
	"context"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/lndtest"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// TestLndPaymentsInterrupted interrupts payments between Fulmen and lnd,
// in both directions, on one channel Fulmen opened (anchors, lnd's default
// type, with push so that both can pay): the connection drops, or one
// side stops, while an HTLC is either locked in (lnd holds a hold
// invoice's HTLC) or half-way through the commitment dance (the receiver
// is frozen with SIGSTOP, so update_add_htlc and commitment_signed wait
// unread in its socket when the connection goes). After the reconnection
// each payment completes or fails cleanly, both sides agree on the
// balances to the millisatoshi, and the channel keeps working. lnd then
// closes the channel by mutual agreement (legacy closing_signed): Fulmen's
// output is its balance minus the closing fee, exactly.
func TestLndPaymentsInterrupted(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	ctx := context.Background()
	lnd := startLnd(t, net, "lnd")
	t.Cleanup(func() { checkLndHeardNoError(t, lnd) })
	f := net.AddNode(t, "fulmen")
	ch := openToLnd(t, net, f, lnd, 1_000_000, 400_000_000, []int{12, 22})
	lndID := lnd.Pubkey()

	// lnd puts the new channel into its graph a moment after it is active:
	// one payment each way before anything is interrupted.
	warmup := makeInvoice(t, f, 1_000_000, "warm-up")
	lndPaysNow(t, lnd, warmup.Bolt11)
	ch.toUs += 1_000_000
	ch.checkAgree("after lnd's first payment")

	// fulmenHeld has Fulmen pay a hold invoice of lnd's and returns once lnd
	// holds the locked-in HTLC.
	fulmenHeld := func(t *testing.T, msat uint64) (preimage, hash [32]byte, result <-chan payResult) {
		t.Helper()
		preimage, hash = newPreimage(t)
		inv := lnd.AddHoldInvoice(lndtest.HoldInvoiceRequest{PaymentHash: hash, Amount: lnwire.MilliSatoshi(msat), Memo: t.Name()})
		result = fulmenPays(f, inv.PaymentRequest)
		waitFor(t, 30*time.Second, "lnd to hold the HTLC", func() bool {
			return lnd.LookupInvoice(hash).State == lndtest.InvoiceAccepted
		})
		return preimage, hash, result
	}
	// completed checks a payment Fulmen made that must have succeeded.
	completed := func(t *testing.T, r payResult, hash [32]byte, msat uint64) {
		t.Helper()
		if r.err != nil {
			t.Fatalf("pay: %v", r.err)
		}
		checkPreimage(t, r.reply)
		if r.reply.PaymentHash != hexHash(hash) || r.reply.AmountMsat != msat {
			t.Fatalf("pay reply %+v", r.reply)
		}
		ch.toUs -= msat
	}
	// lndInFlight has lnd pay a Fulmen invoice while Fulmen is frozen, and
	// returns once lnd's HTLC is out and its update_add_htlc and
	// commitment_signed are in Fulmen's socket.
	lndInFlight := func(t *testing.T, label string, msat uint64) (thaw func(), payment *lndPayment) {
		t.Helper()
		inv := makeInvoice(t, f, msat, label)
		thaw = freeze(t, f.Pid())
		payment = lndPays(lnd, inv.Bolt11)
		select {
		case <-payment.inFlight:
		case out := <-payment.done:
			t.Fatalf("lnd's payment ended before its HTLC went out: %+v, %v", out.payment, out.err)
		case <-time.After(30 * time.Second):
			t.Fatal("lnd sent no HTLC")
		}
		// lnd's link signs its pending updates every 50 ms.
		time.Sleep(500 * time.Millisecond)
		return thaw, payment
	}
	// lndSettled accounts for lnd's payment of a Fulmen invoice, which
	// may have succeeded or failed, and checks both sides say the same.
	lndSettled := func(t *testing.T, p lndtest.Payment, label string, msat uint64) {
		t.Helper()
		status, received := invoiceStatus(t, f, label)
		switch p.Status {
		case lndtest.PaymentSucceeded:
			if status != "paid" || received != msat {
				t.Fatalf("lnd paid, but fulmen's invoice is %s with %d msat", status, received)
			}
			ch.toUs += msat
		case lndtest.PaymentFailed:
			if status != "unpaid" {
				t.Fatalf("lnd's payment failed (%s), but fulmen's invoice is %s", p.FailureReason, status)
			}
			t.Logf("lnd's payment failed cleanly: %s", p.FailureReason)
		default:
			t.Fatalf("lnd's payment is still %s", p.Status)
		}
	}

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"fulmen pays, lnd holds the HTLC, fulmen disconnects, lnd settles meanwhile", func(t *testing.T) {
			const msat = 21_000_000
			preimage, hash, result := fulmenHeld(t, msat)
			if err := f.Call(ctx, "disconnect", map[string]any{"id": lndID, "force": true}, nil); err != nil {
				t.Fatalf("disconnect: %v", err)
			}
			lnd.SettleInvoice(preimage)
			ch.reconnect()
			completed(t, receive(t, "fulmen's pay", result), hash, msat)
		}},
		{"fulmen pays, lnd holds the HTLC, lnd disconnects and cancels", func(t *testing.T) {
			_, hash, result := fulmenHeld(t, 9_000_000)
			lnd.Disconnect(ch.fID)
			lnd.CancelInvoice(hash)
			ch.reconnect()
			r := receive(t, "fulmen's pay", result)
			if code := rpcCode(r.err); code != 203 && code != 204 {
				t.Fatalf("pay of a cancelled invoice: %+v, %v", r.reply, r.err)
			}
			if status := sendpayStatus(t, f, hexHash(hash)); status != "failed" {
				t.Fatalf("listsendpays status %q", status)
			}
		}},
		{"lnd pays, fulmen frozen mid-dance, lnd disconnects", func(t *testing.T) {
			const msat = 13_000_000
			thaw, payment := lndInFlight(t, "mid-dance-lnd-disconnects", msat)
			lnd.Disconnect(ch.fID)
			thaw()
			ch.reconnect()
			out := receive(t, "lnd's payment", payment.done)
			if out.err != nil {
				t.Fatal(out.err)
			}
			lndSettled(t, out.payment, "mid-dance-lnd-disconnects", msat)
		}},
		{"lnd pays, fulmen signs while lnd is frozen, fulmen disconnects", func(t *testing.T) {
			const msat = 8_000_000
			thawFulmen, payment := lndInFlight(t, "mid-dance-fulmen-disconnects", msat)
			thawLnd := freeze(t, lnd.PID())
			thawFulmen()
			// Fulmen takes lnd's update_add_htlc and commitment_signed and
			// answers with revoke_and_ack and commitment_signed, which lnd
			// does not read before the connection goes.
			waitFor(t, 30*time.Second, "fulmen to sign for lnd's HTLC", func() bool { return len(fulmenChannel(t, f).HTLCs) == 1 })
			time.Sleep(200 * time.Millisecond)
			if err := f.Call(ctx, "disconnect", map[string]any{"id": lndID, "force": true}, nil); err != nil {
				t.Fatalf("disconnect: %v", err)
			}
			thawLnd()
			ch.reconnect()
			out := receive(t, "lnd's payment", payment.done)
			if out.err != nil {
				t.Fatal(out.err)
			}
			lndSettled(t, out.payment, "mid-dance-fulmen-disconnects", msat)
		}},
		{"fulmen pays, lnd frozen mid-dance, fulmen disconnects", func(t *testing.T) {
			const msat = 17_000_000
			inv := lnd.AddInvoice(lndtest.InvoiceRequest{Amount: lnwire.MilliSatoshi(msat), Memo: t.Name()})
			thaw := freeze(t, lnd.PID())
			result := fulmenPays(f, inv.PaymentRequest)
			hash := hexHash([32]byte(inv.PaymentHash))
			waitFor(t, 30*time.Second, "fulmen's payment to start", func() bool { return sendpayStatus(t, f, hash) == "pending" })
			time.Sleep(300 * time.Millisecond) // update_add_htlc, commitment_signed into lnd's socket
			if err := f.Call(ctx, "disconnect", map[string]any{"id": lndID, "force": true}, nil); err != nil {
				t.Fatalf("disconnect: %v", err)
			}
			thaw()
			ch.reconnect()
			r := receive(t, "fulmen's pay", result)
			if r.err == nil {
				completed(t, r, [32]byte(inv.PaymentHash), msat)
			} else if code := rpcCode(r.err); code != 203 && code != 204 {
				t.Fatalf("pay neither completed nor failed cleanly: %v", r.err)
			}
		}},
		{"fulmen pays, lnd holds the HTLC, fulmen crashes and restarts, lnd settles meanwhile", func(t *testing.T) {
			const msat = 11_000_000
			preimage, hash, result := fulmenHeld(t, msat)
			f.Kill() // SIGKILL by pid
			if r := receive(t, "fulmen's pay", result); r.err == nil {
				t.Fatalf("pay returned %+v from a killed daemon", r.reply)
			}
			lnd.SettleInvoice(preimage)
			if err := f.Start(ctx); err != nil {
				t.Fatal(err)
			}
			ch.reconnect()
			var done paymentReply
			if err := f.Call(ctx, "waitsendpay", map[string]any{"payment_hash": hexHash(hash), "timeout": 60}, &done); err != nil {
				t.Fatalf("waitsendpay after the restart: %v", err)
			}
			completed(t, payResult{reply: done}, hash, msat)
		}},
		{"fulmen pays, lnd holds the HTLC, lnd restarts, then settles", func(t *testing.T) {
			const msat = 7_000_000
			preimage, hash, result := fulmenHeld(t, msat)
			lnd.Restart()
			ch.reconnect()
			if state := lnd.LookupInvoice(hash).State; state != lndtest.InvoiceAccepted {
				t.Fatalf("after its restart lnd's invoice is %s", state)
			}
			lnd.SettleInvoice(preimage)
			completed(t, receive(t, "fulmen's pay", result), hash, msat)
		}},
		{"lnd pays, fulmen frozen mid-dance, fulmen crashes and restarts", func(t *testing.T) {
			const msat = 5_000_000
			_, payment := lndInFlight(t, "mid-dance-fulmen-crashes", msat)
			f.Kill() // SIGKILL ends a stopped process too
			if err := f.Start(ctx); err != nil {
				t.Fatal(err)
			}
			ch.reconnect()
			out := receive(t, "lnd's payment", payment.done)
			if out.err != nil {
				t.Fatal(out.err)
			}
			lndSettled(t, out.payment, "mid-dance-fulmen-crashes", msat)
		}},
		{"lnd pays, fulmen frozen mid-dance, lnd restarts", func(t *testing.T) {
			const msat = 3_000_000
			thaw, payment := lndInFlight(t, "mid-dance-lnd-restarts", msat)
			if err := lnd.Node.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			// The stream ends with lnd; the payment is lnd's to resume.
			receive(t, "the end of lnd's payment stream", payment.done)
			thaw()
			lnd.Restart() // lnd is stopped: this starts it
			ch.reconnect()
			hash := invoiceHash(t, f, "mid-dance-lnd-restarts")
			var p lndtest.Payment
			waitFor(t, 60*time.Second, "lnd's payment to end after its restart", func() bool {
				var ok bool
				p, ok = lnd.LookupPayment(hash)
				return ok && p.Status.Final()
			})
			lndSettled(t, p, "mid-dance-lnd-restarts", msat)
		}},
		{"the channel still works both ways", func(t *testing.T) {
			inv := lnd.AddInvoice(lndtest.InvoiceRequest{Amount: 4_321_000, Memo: "after"})
			var paid paymentReply
			if err := f.Call(ctx, "pay", []any{inv.PaymentRequest}, &paid); err != nil {
				t.Fatalf("pay: %v", err)
			}
			completed(t, payResult{reply: paid}, [32]byte(inv.PaymentHash), 4_321_000)
			lndPaysNow(t, lnd, makeInvoice(t, f, 2_345_000, "after").Bolt11)
			ch.toUs += 2_345_000
		}},
	}
	for i, step := range steps {
		ok := t.Run(step.name, func(t *testing.T) {
			step.run(t)
			ch.checkAgree(fmt.Sprintf("after step %d", i+1))
		})
		if !ok {
			t.FailNow()
		}
	}

	// lnd closes the channel Fulmen opened: Fulmen pays the closing fee.
	lc, _ := lndChannelWith(lnd, ch.fID)
	point, err := lc.Point()
	if err != nil {
		t.Fatal(err)
	}
	ch.checkMutualClose(lnd.CloseChannel(point, lndtest.CloseRequest{}), true)
}

// invoiceHash is the payment hash of the Fulmen invoice labelled label.
func invoiceHash(t *testing.T, n *devnet.Node, label string) [32]byte {
	t.Helper()
	var list struct {
		Invoices []struct {
			PaymentHash string `json:"payment_hash"`
		} `json:"invoices"`
	}
	if err := n.Call(context.Background(), "listinvoices", map[string]any{"label": label}, &list); err != nil || len(list.Invoices) != 1 {
		t.Fatalf("listinvoices %s: %v", label, err)
	}
	raw, err := hex.DecodeString(list.Invoices[0].PaymentHash)
	if err != nil || len(raw) != 32 {
		t.Fatalf("payment hash %q", list.Invoices[0].PaymentHash)
	}
	return [32]byte(raw)
}
