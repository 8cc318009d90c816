package bolt11

import "testing"

// benchmarkExamples are BOLT 11 examples of growing size: the smallest, one
// with a fallback and a two-hop route hint, and the pico-bitcoin one with a
// long description.
var benchmarkExamples = []struct {
	name  string
	index int
}{
	{"donation", 0},
	{"fallback+route", 5},
	{"pico+description", 10},
}

func BenchmarkDecode(b *testing.B) {
	ex := loadExamples(b)
	for _, bench := range benchmarkExamples {
		invoice := ex.Valid[bench.index].Invoice
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(invoice); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeSign(b *testing.B) {
	ex := loadExamples(b)
	signer := keySigner{examplePrivateKey(b, ex)}
	for _, bench := range benchmarkExamples {
		inv, err := Decode(ex.Valid[bench.index].Invoice)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bench.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Encode(inv, signer); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
