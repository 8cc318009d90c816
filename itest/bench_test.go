package itest

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
)

// BenchmarkInvoiceRPC measures `invoice` over the JSON-RPC socket of a real
// daemon: create, sign (BOLT 11) and store (SQLite, fsync) one invoice per
// op. Run: go test -run '^$' -bench InvoiceRPC ./itest
func BenchmarkInvoiceRPC(b *testing.B) {
	net := devnet.Start(b)
	carol := net.AddNode(b, "carol")
	ctx := context.Background()
	var n atomic.Int64
	b.Run("sequential", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			label := "seq-" + strconv.FormatInt(n.Add(1), 10)
			if err := carol.Call(ctx, "invoice", []any{1000, label, "bench"}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel8", func(b *testing.B) {
		b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 concurrent clients
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				label := "par-" + strconv.FormatInt(n.Add(1), 10)
				if err := carol.Call(ctx, "invoice", []any{1000, label, "bench"}, nil); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("getinfo", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := carol.Call(ctx, "getinfo", nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDirectPayments measures `pay` over one channel between two real
// daemons: from the pay request to success (preimage back), invoices made
// beforehand (not timed). Run:
// go test -run '^$' -bench DirectPayments -benchtime 200x ./itest
func BenchmarkDirectPayments(b *testing.B) {
	net := devnet.Start(b)
	ctx := context.Background()
	alice, bob := net.AddNode(b, "alice"), net.AddNode(b, "bob")
	var bobInfo, addr struct {
		ID     string `json:"id"`
		Bech32 string `json:"bech32"`
	}
	if err := bob.Call(ctx, "getinfo", nil, &bobInfo); err != nil {
		b.Fatal(err)
	}
	if err := alice.Call(ctx, "newaddr", []any{"bech32"}, &addr); err != nil {
		b.Fatal(err)
	}
	net.Fund(b, addr.Bech32, 5_000_000)
	net.Mine(b, 1)
	if err := alice.Call(ctx, "connect", []any{bobInfo.ID + "@" + bob.P2PAddress}, nil); err != nil {
		b.Fatal(err)
	}
	for attempt := 0; ; attempt++ { // until the wallet has seen the block
		err := alice.Call(ctx, "fundchannel", map[string]any{"id": bobInfo.ID, "amount": 4_000_000}, nil)
		if err == nil {
			break
		}
		if attempt == 100 {
			b.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	net.Mine(b, 3)
	for attempt := 0; ; attempt++ {
		var reply struct {
			Channels []struct {
				State string `json:"state"`
			} `json:"channels"`
		}
		alice.Call(ctx, "listpeerchannels", nil, &reply)
		if len(reply.Channels) == 1 && reply.Channels[0].State == "CHANNELD_NORMAL" {
			break
		}
		if attempt == 300 {
			b.Fatal("channel not normal")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var n atomic.Int64
	invoices := func(count int) []string {
		out := make([]string, count)
		for i := range out {
			var inv struct {
				Bolt11 string `json:"bolt11"`
			}
			label := "bench-" + strconv.FormatInt(n.Add(1), 10)
			if err := bob.Call(ctx, "invoice", []any{1_000_000, label, "bench"}, &inv); err != nil {
				b.Fatal(err)
			}
			out[i] = inv.Bolt11
		}
		return out
	}
	b.Run("sequential", func(b *testing.B) {
		list := invoices(b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := alice.Call(ctx, "pay", []any{list[i]}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("concurrent8", func(b *testing.B) {
		list := invoices(b.N)
		var next atomic.Int64
		b.ResetTimer()
		b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 payers
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := alice.Call(ctx, "pay", []any{list[next.Add(1)-1]}, nil); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
