package channeltx

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// benchSpec is the Appendix C channel with n untrimmed HTLCs, half offered
// by each side.
func benchSpec(ch *vectorChannel, typ ChannelType, n int) *CommitmentSpec {
	var htlcs []HTLC
	var sum lnwire.MilliSatoshi
	for i := 0; i < n; i++ {
		h := HTLC{Offerer: Party(i % 2), Amount: lnwire.MilliSatoshi(20_000_000 + i*1000), CLTVExpiry: lnwire.BlockHeight(800_000 + i)}
		h.PaymentHash = sha256.Sum256([]byte(fmt.Sprint(i)))
		htlcs = append(htlcs, h)
		sum += h.Amount
	}
	remote := lnwire.MilliSatoshi(3_000_000_000)
	return ch.spec(typ, ch.funding.Amount.ToMilliSatoshis()-remote-sum, remote, 2500, 546, htlcs)
}

// BenchmarkBuildAndSignCommitment builds a commitment and produces what
// commitment_signed carries: the commitment signature and one signature per
// HTLC transaction.
func BenchmarkBuildAndSignCommitment(b *testing.B) {
	ch := loadVectorChannel(b)
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		for _, n := range []int{0, 10, 100} {
			spec := benchSpec(ch, typ, n)
			b.Run(fmt.Sprintf("%s/htlcs=%d", typ, n), func(b *testing.B) {
				for b.Loop() {
					c, err := BuildCommitment(spec)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := c.Sign(ch.localFundingPriv); err != nil {
						b.Fatal(err)
					}
					htlcTxs := c.HTLCTransactions()
					if len(htlcTxs) != n {
						b.Fatalf("%d HTLC transactions", len(htlcTxs))
					}
					for _, h := range htlcTxs {
						if _, err := h.Sign(Remote, ch.remoteHTLCPriv); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}

// BenchmarkBuildCommitment measures construction alone.
func BenchmarkBuildCommitment(b *testing.B) {
	ch := loadVectorChannel(b)
	for _, n := range []int{0, 10, 100} {
		spec := benchSpec(ch, AnchorsZeroFeeHTLC, n)
		b.Run(fmt.Sprintf("htlcs=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := BuildCommitment(spec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDeriveCommitmentKeys(b *testing.B) {
	ch := loadVectorChannel(b)
	base := Basepoints{
		Revocation: ch.keys.Revocation, Payment: ch.keys.CountersignatoryPayment,
		DelayedPayment: ch.keys.BroadcasterDelayed, HTLC: ch.keys.BroadcasterHTLC,
	}
	point := ch.keys.CountersignatoryHTLC
	for b.Loop() {
		if _, err := DeriveCommitmentKeys(point, &base, &base); err != nil {
			b.Fatal(err)
		}
	}
}
