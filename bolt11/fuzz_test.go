package bolt11

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// comparableInvoice replaces the keys of an invoice by their serialization so
// that reflect.DeepEqual compares what matters.
type comparableInvoice struct {
	Invoice
	NodeID     []byte
	Payee      []byte
	RouteHints [][]comparableHop
}

type comparableHop struct {
	RouteHop
	NodeID []byte
}

func keyBytes(k *btcec.PublicKey) []byte {
	if k == nil {
		return nil
	}
	return k.SerializeCompressed()
}

func toComparable(inv *Invoice, withSignature bool) comparableInvoice {
	c := comparableInvoice{Invoice: *inv, NodeID: keyBytes(inv.NodeID)}
	c.Invoice.NodeID, c.Invoice.Payee, c.Invoice.RouteHints = nil, nil, nil
	if withSignature {
		c.Payee = keyBytes(inv.Payee)
	} else {
		c.Invoice.Signature = [65]byte{}
	}
	for _, route := range inv.RouteHints {
		hops := make([]comparableHop, len(route))
		for i, hop := range route {
			hops[i] = comparableHop{RouteHop: hop, NodeID: keyBytes(hop.NodeID)}
			hops[i].RouteHop.NodeID = nil
		}
		c.RouteHints = append(c.RouteHints, hops)
	}
	return c
}

// invoicesEqual compares two invoices, with or without Payee and Signature.
func invoicesEqual(a, b *Invoice, withSignature bool) bool {
	return reflect.DeepEqual(toComparable(a, withSignature), toComparable(b, withSignature))
}

// FuzzDecode feeds arbitrary strings to Decode. Invariants: Decode never
// panics; whatever it accepts, Encode accepts too (re-signed with a test key,
// which becomes the n field when there was one), and decoding that gives the
// same invoice back, but for the signature and the payee.
func FuzzDecode(f *testing.F) {
	raw, err := os.ReadFile("testdata/bolt11_examples.json")
	if err != nil {
		f.Fatal(err)
	}
	var ex specExamples
	if err := json.Unmarshal(raw, &ex); err != nil {
		f.Fatal(err)
	}
	for _, v := range ex.Valid {
		f.Add(v.Invoice)
	}
	for _, v := range ex.Invalid {
		f.Add(v.Invoice)
	}
	key := testKey(9)
	f.Add(buildInvoice("lnbcrt1", withFields(nil, bytesField(FieldNodeID, key.PubKey().SerializeCompressed())), key, nil))
	f.Add(buildInvoice("lntbs10p", withFields(nil, testField{2, []byte{1}}, testField{FieldFeatures, nil}), key, nil))

	f.Fuzz(func(t *testing.T, s string) { checkDecodeInvariants(t, s, key) })
}

// FuzzDecodeSigned gets past the checksum and the signature, which random
// strings almost never do: the fuzzer picks the human-readable part and the
// data elements (timestamp and tagged fields), and the invoice is signed
// with a test key before the invariants of FuzzDecode are checked.
func FuzzDecodeSigned(f *testing.F) {
	ex := loadExamples(f)
	for _, v := range ex.Valid {
		hrp, data, err := bech32Decode(v.Invoice)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(hrp, data[:len(data)-signatureElements])
	}
	f.Add("lnbc", []byte{})
	key := testKey(9)
	f.Fuzz(func(t *testing.T, hrp string, elems []byte) {
		data := make([]byte, len(elems))
		for i, e := range elems {
			data[i] = e & 31
		}
		hrp = strings.ToLower(hrp)
		hash := signingHash(hrp, data)
		sig, err := signatureFromCompact(ecdsa.SignCompact(key, hash[:], true))
		if err != nil {
			t.Fatal(err)
		}
		checkDecodeInvariants(t, bech32Encode(hrp, appendBytesAsElements(data, sig[:])), key)
	})
}

// checkDecodeInvariants: Decode never panics; whatever it accepts, Encode
// accepts too (re-signed with key, which becomes the n field when there was
// one), and decoding that gives the same invoice back, but for the
// signature and the payee.
func checkDecodeInvariants(t *testing.T, s string, key *btcec.PrivateKey) {
	inv, err := Decode(s)
	if err != nil {
		if inv != nil {
			t.Fatalf("Decode returned both an invoice and %v", err)
		}
		return
	}
	if _, err := json.Marshal(NewDecoded(inv)); err != nil {
		t.Fatalf("Decoded view does not marshal: %v", err)
	}
	if inv.NodeID != nil {
		inv.NodeID = key.PubKey()
	}
	signer := keySigner{key}
	again, err := Encode(inv, signer)
	if err != nil {
		t.Fatalf("decoded invoice does not encode: %v\n%s", err, s)
	}
	back, err := Decode(again)
	if err != nil {
		t.Fatalf("re-encoded invoice does not decode: %v\n%s\n%s", err, s, again)
	}
	if !invoicesEqual(inv, back, false) {
		t.Fatalf("round trip changed the invoice\n%s\n%s\n%+v\n%+v", s, again, toComparable(inv, false), toComparable(back, false))
	}
	if !back.Payee.IsEqual(key.PubKey()) {
		t.Fatal("re-signed invoice has another payee")
	}
	if again2, err := Encode(back, signer); err != nil || again2 != again {
		t.Fatalf("second encoding differs: %v", err)
	}
}

// TestRoundTripSpecExamples runs the fuzz invariant on every example, and
// checks that decoding then encoding with the example key reproduces the
// example.
func TestRoundTripSpecExamples(t *testing.T) {
	ex := loadExamples(t)
	key := examplePrivateKey(t, ex)
	for _, want := range ex.Valid {
		inv, err := Decode(want.Invoice)
		if err != nil {
			t.Fatal(err)
		}
		var signer Signer = keySigner{key}
		if want.HighS {
			signer = negatedSSigner{key}
		}
		s, err := Encode(inv, signer)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.EqualFold([]byte(s), []byte(want.Invoice)) {
			t.Errorf("%s: decode+encode gives\n %s", want.Name, s)
		}
		back, err := Decode(s)
		if err != nil || !invoicesEqual(inv, back, true) {
			t.Errorf("%s: decode(encode(decode(x))) differs: %v", want.Name, err)
		}
	}
}
