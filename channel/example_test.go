package channel

import (
	"crypto/sha256"
	"fmt"
)

// A runtime drives a channel with Step and carries out the effects in the
// order given: store first, then send, broadcast and notify.
func ExampleStep() {
	h, err := newHarness(defaultConfig(), DefaultPolicy())
	if err != nil {
		panic(err)
	}
	alice := h.nodes[0]
	var stored []byte
	run := func(s State, ev Event) State {
		next, effects, err := Step(s, alice.env, ev)
		if err != nil {
			fmt.Println("error:", ActionOf(err), err)
		}
		for _, e := range effects {
			switch e := e.(type) {
			case PersistState:
				// Write the whole record, durably, before going on.
				stored, _ = Marshal(&next)
				fmt.Println("persist")
			case SendMessage:
				fmt.Println("send", e.Msg.MsgType())
			}
		}
		return next
	}
	preimage := sha256.Sum256([]byte("example"))
	s := run(alice.state, AddHTLC{Amount: 5_000_000, PaymentHash: sha256.Sum256(preimage[:]), CLTVExpiry: 600})
	if s.CanSign() {
		s = run(s, SignCommitment{})
	}
	s = run(s, SignCommitment{})
	restored, _ := Unmarshal(stored)
	fmt.Println("restored commitment", restored.RemotePending.Number)
	// Output:
	// persist
	// send update_add_htlc
	// persist
	// send commitment_signed
	// error: reject channel: waiting for revoke_and_ack: commitment 1
	// restored commitment 1
}
