package channel

import (
	"reflect"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

func TestPendingIncoming(t *testing.T) {
	h, err := newHarness(defaultConfig(), DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	bob := h.nodes[1]
	committedToBob(h, 5_000_000)
	committedToBob(h, 6_000_000)
	h.step(h.nodes[0], AddHTLC{Amount: 7_000_000, PaymentHash: h.newPayment(), CLTVExpiry: 600})
	h.deliverAll() // not committed yet
	h.step(bob, FailHTLC{ID: 0, Reason: []byte{1}})
	got := bob.state.PendingIncoming()
	if len(got) != 1 || got[0].ID != 1 || got[0].Amount != 6_000_000 || len(got[0].Onion) != 1366 {
		t.Fatalf("pending incoming %+v, want only HTLC 1", got)
	}
	if local, remote := bob.state.Balance(); local != 300_000_000 || remote != 700_000_000-11_000_000 {
		t.Fatalf("balances %s/%s", local, remote)
	}
}

// TestEmptyCommitmentAccepted: BOLT #2 forbids sending a commitment_signed
// without updates, but lnd has sent them; like Core Lightning we accept one
// and revoke.
func TestEmptyCommitmentAccepted(t *testing.T) {
	h, err := newHarness(defaultConfig(), DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := h.nodes[0], h.nodes[1]
	sig, htlcSigs, err := alice.state.signRemote(alice.env, 1, alice.state.RemoteNextPoint, &alice.state.RemoteCommit.Spec)
	if err != nil {
		t.Fatal(err)
	}
	empty := &lnwire.CommitmentSigned{ChannelID: bob.state.ChannelID, Signature: sig, HTLCSignature: htlcSigs}
	next, effects, err := Step(bob.state, bob.env, PeerMessage{Msg: empty})
	if err != nil {
		t.Fatal(err)
	}
	if next.LocalCommit.Number != 1 || len(effects) != 2 {
		t.Fatalf("commitment %d, %d effects", next.LocalCommit.Number, len(effects))
	}
	if m, ok := effects[1].(SendMessage); !ok || m.Msg.MsgType() != lnwire.MsgRevokeAndAck {
		t.Fatalf("second effect %#v, want revoke_and_ack", effects[1])
	}
}

// TestDustExposureFlag: an incoming HTLC trimmed on a commitment whose
// trimmed HTLCs exceed the limit is flagged for the payment layer to fail.
func TestDustExposureFlag(t *testing.T) {
	h, err := newHarness(defaultConfig(), DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	bob := h.nodes[1]
	bob.env.Policy.MaxDustHTLCExposure = 2_500_000
	committedToBob(h, 2_000_000) // trimmed: 2000 sat minus the HTLC fee is below 546
	committedToBob(h, 2_000_000)
	committedToBob(h, 50_000_000) // not trimmed
	if len(bob.accepted) != 3 {
		t.Fatalf("%d HTLCs accepted", len(bob.accepted))
	}
	var flags []bool
	for _, line := range strings.Split(h.out.String(), "\n") {
		if strings.HasPrefix(line, "bob: accepted") {
			flags = append(flags, strings.HasSuffix(line, "dust-exceeded=true"))
		}
	}
	if want := []bool{false, true, false}; !reflect.DeepEqual(flags, want) {
		t.Fatalf("dust flags %v, want %v", flags, want)
	}
}
