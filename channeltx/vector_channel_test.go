package channeltx

// The channel of BOLT #3 Appendix C, shared with Appendix F.

import (
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// vectorChannel is the channel shared by Appendix C and Appendix F: keys,
// funding output and the seven test HTLCs, as the header of Appendix C
// defines them.
type vectorChannel struct {
	funding          Funding
	commitmentNumber uint64
	toSelfDelay      uint16
	dustLimit        lnwire.Satoshi
	htlcs            []HTLC // HTLC #i of the appendix
	preimages        [][32]byte
	obscuringFactor  uint64
	keys             CommitmentKeys

	localFundingPriv, remoteFundingPriv *btcec.PrivateKey
	localHTLCPriv, remoteHTLCPriv       *btcec.PrivateKey
	// For spending the outputs: local_delayed_privkey, the revocation
	// private key of this commitment, and remotepubkey's private key.
	localDelayedPriv, revocationPriv, remotePaymentPriv *btcec.PrivateKey
}

// htlcsFor returns the test HTLCs a case uses: BOLT #3 Appendix C: "the HTLCs
// are not used for the first "simple commitment tx with no HTLCs" test, and
// HTLCs 5 and 6 are only used in the "same amount and preimage" test."
func (ch *vectorChannel) htlcsFor(name string) (htlcs []HTLC, numbers []int) {
	switch {
	case strings.HasPrefix(name, "simple commitment tx with no HTLCs"):
		return nil, nil
	case strings.Contains(name, "same amount and preimage"):
		numbers = []int{1, 5, 6}
	default:
		numbers = []int{0, 1, 2, 3, 4}
	}
	for _, n := range numbers {
		htlcs = append(htlcs, ch.htlcs[n])
	}
	return htlcs, numbers
}

// loadVectorChannel reads the header of Appendix C and checks that the keys
// it lists follow from the basepoints and secrets (Key Derivation).
func loadVectorChannel(t testing.TB) *vectorChannel {
	t.Helper()
	v := map[string]string{}
	for _, l := range readVectorLines(t, "testdata/appendix_c.txt") {
		if l.key == "name" {
			break
		}
		v[l.key] = l.value
	}
	get := func(k string) string {
		if v[k] == "" {
			t.Fatalf("Appendix C header: %q missing", k)
		}
		return v[k]
	}
	num := func(k string) uint64 {
		n, err := strconv.ParseUint(get(k), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		return n
	}
	ch := &vectorChannel{
		commitmentNumber:  num("commitment_number"),
		toSelfDelay:       uint16(num("local_delay")),
		dustLimit:         lnwire.Satoshi(num("local_dust_limit_satoshi")),
		localFundingPriv:  mustPrivKey(t, get("local_funding_privkey")),
		remoteFundingPriv: mustPrivKey(t, get("remote_funding_privkey")),
	}
	fundingHash, err := chainhash.NewHashFromStr(get("funding_tx_id"))
	if err != nil {
		t.Fatal(err)
	}
	ch.funding = Funding{
		Outpoint:  wire.OutPoint{Hash: *fundingHash, Index: uint32(num("funding_output_index"))},
		Amount:    lnwire.Satoshi(num("funding_amount_satoshi")),
		LocalKey:  mustPubKey(t, get("local_funding_pubkey")),
		RemoteKey: mustPubKey(t, get("remote_funding_pubkey")),
	}
	if !ch.localFundingPriv.PubKey().IsEqual(ch.funding.LocalKey) || !ch.remoteFundingPriv.PubKey().IsEqual(ch.funding.RemoteKey) {
		t.Fatal("funding private keys do not match the funding pubkeys")
	}
	for i := 0; ; i++ {
		prefix := fmt.Sprintf("htlc %d ", i)
		if v[prefix+"direction"] == "" {
			break
		}
		h := HTLC{
			Amount:     lnwire.MilliSatoshi(num(prefix + "amount_msat")),
			CLTVExpiry: lnwire.BlockHeight(num(prefix + "expiry")),
		}
		switch v[prefix+"direction"] {
		case "local->remote":
			h.Offerer = Local
		case "remote->local":
			h.Offerer = Remote
		default:
			t.Fatalf("htlc %d direction %q", i, v[prefix+"direction"])
		}
		preimage := mustHex32(t, get(prefix+"payment_preimage"))
		h.PaymentHash = sha256.Sum256(preimage[:])
		ch.htlcs = append(ch.htlcs, h)
		ch.preimages = append(ch.preimages, preimage)
	}
	if len(ch.htlcs) != 7 {
		t.Fatalf("parsed %d HTLCs, want 7", len(ch.htlcs))
	}

	// Key derivation from the basepoint secrets listed in the appendix.
	perCommitmentSecret := mustHex32(t, get("x_local_per_commitment_secret")[:64])
	point, err := PerCommitmentPoint(perCommitmentSecret)
	if err != nil || !point.IsEqual(mustPubKey(t, get("local_per_commitment_point"))) {
		t.Fatalf("local_per_commitment_point: %v", err)
	}
	localPaymentSecret := mustPrivKey(t, get("local_payment_basepoint_secret"))
	remotePaymentSecret := mustPrivKey(t, get("remote_payment_basepoint_secret"))
	remoteRevocationSecret := mustPrivKey(t, get("remote_revocation_basepoint_secret"))
	localDelayedSecret := mustPrivKey(t, get("local_delayed_payment_basepoint_secret"))
	local := Basepoints{
		Payment:        mustPubKey(t, get("local_payment_basepoint")),
		DelayedPayment: mustPubKey(t, get("local_delayed_payment_basepoint")),
		HTLC:           mustPubKey(t, get("local_htlc_basepoint")),
	}
	remote := Basepoints{
		Revocation: mustPubKey(t, get("remote_revocation_basepoint")),
		Payment:    mustPubKey(t, get("remote_payment_basepoint")),
		HTLC:       mustPubKey(t, get("remote_htlc_basepoint")),
	}
	for name, pair := range map[string][2]*btcec.PublicKey{
		"local_payment_basepoint":         {localPaymentSecret.PubKey(), local.Payment},
		"remote_payment_basepoint":        {remotePaymentSecret.PubKey(), remote.Payment},
		"remote_revocation_basepoint":     {remoteRevocationSecret.PubKey(), remote.Revocation},
		"local_delayed_payment_basepoint": {localDelayedSecret.PubKey(), local.DelayedPayment},
	} {
		if !pair[0].IsEqual(pair[1]) {
			t.Fatalf("%s does not match its secret", name)
		}
	}
	ch.keys, err = DeriveCommitmentKeys(point, &local, &remote)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]*btcec.PublicKey{
		"local_htlcpubkey":        {ch.keys.BroadcasterHTLC, mustPubKey(t, get("local_htlcpubkey"))},
		"remote_htlcpubkey":       {ch.keys.CountersignatoryHTLC, mustPubKey(t, get("remote_htlcpubkey"))},
		"local_delayedpubkey":     {ch.keys.BroadcasterDelayed, mustPubKey(t, get("local_delayedpubkey"))},
		"local_revocation_pubkey": {ch.keys.Revocation, mustPubKey(t, get("local_revocation_pubkey"))},
	} {
		if !pair[0].IsEqual(pair[1]) {
			t.Fatalf("derived %s %x differs from the appendix", name, pair[0].SerializeCompressed())
		}
	}
	// The HTLC basepoints equal the payment basepoints, so the HTLC private
	// keys derive from the payment basepoint secrets.
	ch.localHTLCPriv = DerivePrivKey(localPaymentSecret, point)
	ch.remoteHTLCPriv = DerivePrivKey(remotePaymentSecret, point)
	if ch.localHTLCPriv.Key.Bytes() != mustPrivKey(t, get("local_privkey")).Key.Bytes() {
		t.Fatal("local_privkey does not derive from local_payment_basepoint_secret")
	}
	if ch.remoteHTLCPriv.Key.Bytes() != mustPrivKey(t, get("remote_privkey")).Key.Bytes() {
		t.Fatal("remote_privkey does not derive from remote_payment_basepoint_secret")
	}
	if !ch.localHTLCPriv.PubKey().IsEqual(ch.keys.BroadcasterHTLC) || !ch.remoteHTLCPriv.PubKey().IsEqual(ch.keys.CountersignatoryHTLC) {
		t.Fatal("HTLC private keys do not match the HTLC pubkeys")
	}
	localDelayedPriv := DerivePrivKey(localDelayedSecret, point)
	if localDelayedPriv.Key.Bytes() != mustPrivKey(t, get("local_delayed_privkey")).Key.Bytes() {
		t.Fatal("local_delayed_privkey does not derive from local_delayed_payment_basepoint_secret")
	}
	ch.localDelayedPriv = localDelayedPriv
	ch.remotePaymentPriv = remotePaymentSecret
	perCommitmentKey, err := PrivateKeyFromSecret(perCommitmentSecret)
	if err != nil {
		t.Fatal(err)
	}
	ch.revocationPriv = DeriveRevocationPrivKey(remoteRevocationSecret, perCommitmentKey)
	if !ch.revocationPriv.PubKey().IsEqual(ch.keys.Revocation) {
		t.Fatal("revocation private key does not match local_revocation_pubkey")
	}
	ch.obscuringFactor = ObscuringFactor(local.Payment, remote.Payment)
	return ch
}

// spec returns the local commitment of a test case.
func (ch *vectorChannel) spec(t ChannelType, toLocal, toRemote lnwire.MilliSatoshi, feerate lnwire.FeeratePerKW, dustLimit lnwire.Satoshi, htlcs []HTLC) *CommitmentSpec {
	return &CommitmentSpec{
		Type:             t,
		Funding:          ch.funding,
		Owner:            Local,
		Opener:           Local,
		CommitmentNumber: ch.commitmentNumber,
		ObscuringFactor:  ch.obscuringFactor,
		Feerate:          feerate,
		DustLimit:        dustLimit,
		ToSelfDelay:      ch.toSelfDelay,
		Keys:             ch.keys,
		LocalBalance:     toLocal,
		RemoteBalance:    toRemote,
		HTLCs:            htlcs,
	}
}
