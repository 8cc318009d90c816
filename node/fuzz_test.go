package node

import (
	"testing"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
)

// FuzzCheckFinalHop feeds arbitrary final payloads and HTLCs to the
// receiver's checks: they never panic, and whatever they accept pays the
// invoice, with its secret, in time, at most twice over.
func FuzzCheckFinalHop(f *testing.F) {
	secret := [32]byte{7}
	for _, p := range []*onion.HopPayload{
		onion.NewFinalPayload(10_000, 150, &onion.PaymentData{PaymentSecret: secret, TotalMsat: 10_000}),
		onion.NewFinalPayload(1, 1, nil),
	} {
		b, err := p.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint64(10_000), uint32(150), uint64(10_000), uint32(18), false)
	}
	f.Add([]byte{0x02, 0x01, 0x01}, uint64(0), uint32(0), uint64(0), uint32(0), true)
	f.Fuzz(func(t *testing.T, raw []byte, htlcAmount uint64, htlcCLTV uint32, invoiceAmount uint64, minFinal uint32, anyAmount bool) {
		payload, err := onion.DecodeHopPayload(raw, onion.HopContext{Final: true})
		if err != nil {
			return
		}
		amount := lnwire.MilliSatoshi(invoiceAmount)
		inv := &InvoiceTerms{PaymentSecret: secret, MinFinalCLTV: minFinal % 10_000}
		if !anyAmount {
			inv.Amount = &amount
		}
		h := finalHop{HTLC: channel.HTLC{Amount: lnwire.MilliSatoshi(htlcAmount), CLTVExpiry: lnwire.BlockHeight(htlcCLTV)},
			Payload: payload, Height: 1000}
		failure, ok := checkFinalHop(h, inv)
		if !ok {
			if failure.Code == 0 {
				t.Fatal("refused without a failure code")
			}
			return
		}
		pd := payload.PaymentData
		switch {
		case pd == nil || pd.PaymentSecret != secret:
			t.Fatal("accepted without the payment secret")
		case h.HTLC.Amount < *payload.AmountToForward || h.HTLC.CLTVExpiry < *payload.OutgoingCLTV:
			t.Fatal("accepted an HTLC below its onion")
		case h.HTLC.CLTVExpiry < h.Height+lnwire.BlockHeight(inv.MinFinalCLTV):
			t.Fatal("accepted an HTLC expiring too soon")
		case inv.Amount != nil && (pd.TotalMsat < *inv.Amount || pd.TotalMsat > 2**inv.Amount):
			t.Fatal("accepted a wrong amount")
		}
	})
}
