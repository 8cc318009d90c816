package funding

import (
	"errors"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// Step never changes the State it is given: every event of a negotiation
// is replayed on a copy and compared.
func TestStepLeavesItsInputAlone(t *testing.T) {
	p := newPair(fullFeatures(), fullFeatures())
	cmd := withPeer(p, defaultOpen())
	if err := p.step(p.opener, cmd); err != nil {
		t.Fatal(err)
	}
	for len(p.queue) > 0 {
		d := p.queue[0]
		p.queue = p.queue[1:]
		var ev Event = PeerMessage{Msg: d.msg}
		switch {
		case d.msg == nil:
			ev = *p.pendingTx
		case d.msg.MsgType() == lnwire.MsgOpenChannel:
			ev = OpenChannelReceived{Msg: d.msg.(*lnwire.OpenChannel), PeerFeatures: p.opener.features, Keys: p.accepter.signer.keys()}
		}
		before := d.to.state.Clone()
		if _, _, err := Step(d.to.state, d.to.env, ev); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, d.to.state) {
			t.Fatalf("%s: Step changed its input on %T", d.to.name, ev)
		}
		if err := p.step(d.to, ev); err != nil {
			t.Fatal(err)
		}
	}
	if p.opener.state.Phase != Established || p.accepter.state.Phase != Established {
		t.Fatalf("phases %s / %s", p.opener.state.Phase, p.accepter.state.Phase)
	}
}

// Once a negotiation ended, peer messages are ignored and commands refused:
// the channel package takes over, or nothing remains.
func TestEndedNegotiationsTakeNothing(t *testing.T) {
	p := newPair(fullFeatures(), fullFeatures())
	if err := p.open(defaultOpen()); err != nil {
		t.Fatal(err)
	}
	failed := State{Role: Opener, Phase: Failed}
	for _, s := range []State{p.opener.state, p.accepter.state, failed} {
		for _, ev := range []Event{
			PeerMessage{Msg: &lnwire.FundingSigned{}},
			PeerMessage{Msg: &lnwire.Error{}},
			Cancel{}, Disconnected{}, FundingTxFailed{}, Open{},
		} {
			next, effects, err := Step(s, p.opener.env, ev)
			want := Reject
			if _, ok := ev.(PeerMessage); ok {
				want = Ignore
			}
			if !errors.Is(err, ErrNegotiationEnded) || ActionOf(err) != want || len(effects) != 0 || next.Phase != s.Phase {
				t.Errorf("%s %T: %v (%s), %d effects", s.Phase, ev, err, ActionOf(err), len(effects))
			}
		}
	}
}

func TestEventsOutOfPlace(t *testing.T) {
	alice, _ := openerAwaitingAccept(t, defaultOpen())
	tests := []struct {
		name   string
		state  State
		ev     Event
		want   error
		action Action
	}{
		{"wallet answer before accept_channel", alice.state, FundingTxBuilt{}, ErrBadCommand, Reject},
		{"wallet failure before accept_channel", alice.state, FundingTxFailed{}, ErrBadCommand, Reject},
		{"second Open", alice.state, Open{}, ErrBadCommand, Reject},
		{"open_channel received by an opener", alice.state, OpenChannelReceived{Msg: &lnwire.OpenChannel{}}, ErrBadCommand, Reject},
		{"nil event", alice.state, nil, ErrBadCommand, Reject},
		{"OpenChannelReceived without message", State{}, OpenChannelReceived{}, ErrBadCommand, Reject},
		{"cancel without negotiation", State{}, Cancel{}, ErrBadCommand, Reject},
		{"disconnection without negotiation", State{}, Disconnected{}, ErrBadCommand, Reject},
		{"message without negotiation", State{}, PeerMessage{Msg: &lnwire.AcceptChannel{}}, ErrUnexpectedMessage, Ignore},
		{"nil message", alice.state, PeerMessage{}, ErrUnexpectedMessage, Ignore},
		{"warning", alice.state, PeerMessage{Msg: &lnwire.Warning{Data: []byte("hm")}}, ErrUnexpectedMessage, Ignore},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			next, effects, err := Step(tc.state, alice.env, tc.ev)
			if !errors.Is(err, tc.want) || ActionOf(err) != tc.action {
				t.Fatalf("error %v (%s), want %v (%s)", err, ActionOf(err), tc.want, tc.action)
			}
			if len(effects) != 0 || !reflect.DeepEqual(next, tc.state) {
				t.Errorf("%d effects, state changed", len(effects))
			}
		})
	}
}

// BOLT #2: funding_output_index can only be 2 bytes.
func TestFundingOutputIndexAbove65535(t *testing.T) {
	p := newPair(fullFeatures(), fullFeatures())
	runUntil(t, p, walletAnswer)
	built := *p.pendingTx
	tx := built.Tx.Copy()
	for len(tx.TxOut) <= 0x10000 {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: 1})
	}
	tx.TxOut[0x10000] = tx.TxOut[built.OutputIndex]
	state, effects, err := Step(p.opener.state, p.opener.env, FundingTxBuilt{Tx: tx, OutputIndex: 0x10000})
	if !errors.Is(err, ErrFundingOutputIndexRange) {
		t.Fatalf("error %v", err)
	}
	checkFailed(t, state, effects, err, p.opener.state.TemporaryChannelID, true)
}

// An error that is not an *Error (a broken invariant) fails the
// negotiation as an internal error.
func TestActionOfForeignErrors(t *testing.T) {
	if ActionOf(errors.New("x")) != Fail {
		t.Error("foreign error")
	}
	s, effects, err := onError(State{Role: Opener, Phase: AwaitingAccept, TemporaryChannelID: lnwire.ChannelID{1}}, &State{Role: Opener, TemporaryChannelID: lnwire.ChannelID{1}}, errors.New("boom"))
	if !errors.Is(err, ErrInternal) || s.Phase != Failed || len(effects) != 2 {
		t.Errorf("%v, phase %s, %d effects", err, s.Phase, len(effects))
	}
}
