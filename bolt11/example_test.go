package bolt11_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fulmen-ln/fulmen/bolt11"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
)

// The node's InvoiceSigner client is a bolt11.Signer: the node key never
// leaves the signer package.
var _ bolt11.Signer = signer.InvoiceSigner{}

func ExampleEncode() {
	node, err := signer.New([32]byte{1})
	if err != nil {
		panic(err)
	}
	preimage := [32]byte{42}
	description := "1 cup coffee"
	amount := lnwire.MilliSatoshi(250_000_000)
	expiry := uint64(600)
	inv := &bolt11.Invoice{
		Currency:      bolt11.CurrencyRegtest,
		Amount:        &amount,
		Timestamp:     1_700_000_000,
		PaymentHash:   sha256.Sum256(preimage[:]),
		PaymentSecret: [32]byte{7},
		Description:   &description,
		Expiry:        &expiry,
		Features: lnwire.NewFeatureVector(lnwire.VarOnionOptinRequired,
			lnwire.PaymentSecretRequired, lnwire.BasicMPPOptional),
	}
	s, err := bolt11.Encode(inv, node.InvoiceSigner())
	if err != nil {
		panic(err)
	}

	decoded, err := bolt11.Decode(s)
	if err != nil {
		panic(err)
	}
	fmt.Println(s[:12])
	fmt.Println("payee is the node:", decoded.Payee.IsEqual(node.NodeID()))
	fmt.Println("expired 5 minutes later:", decoded.IsExpired(time.Unix(1_700_000_300, 0)))
	fmt.Println("expired 10 minutes later:", decoded.IsExpired(time.Unix(1_700_000_600, 0)))

	view, _ := json.Marshal(bolt11.NewDecoded(decoded))
	var fields map[string]any
	_ = json.Unmarshal(view, &fields)
	fmt.Println(fields["type"], fields["currency"], fields["amount_msat"], fields["description"], fields["features"])
	// Output:
	// lnbcrt2500u1
	// payee is the node: true
	// expired 5 minutes later: false
	// expired 10 minutes later: true
	// bolt11 invoice bcrt 2.5e+08 1 cup coffee 024100
}
