package itest

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

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
