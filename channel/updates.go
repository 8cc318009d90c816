package channel

import (
	"encoding/json"
	"fmt"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Update is one update message of the log: *lnwire.UpdateAddHTLC,
// *lnwire.UpdateFulfillHTLC, *lnwire.UpdateFailHTLC,
// *lnwire.UpdateFailMalformedHTLC or *lnwire.UpdateFee. It keeps the whole
// message so that a retransmission sends the same bytes. Messages in the
// log are never modified.
type Update struct {
	Msg lnwire.Message
}

// isUpdate reports whether m is one of the five update messages.
func isUpdate(m lnwire.Message) bool {
	switch m.(type) {
	case *lnwire.UpdateAddHTLC, *lnwire.UpdateFulfillHTLC, *lnwire.UpdateFailHTLC,
		*lnwire.UpdateFailMalformedHTLC, *lnwire.UpdateFee:
		return true
	}
	return false
}

// removes returns the id of the HTLC a fulfill or fail removes.
func (u Update) removes() (id uint64, ok bool) {
	switch m := u.Msg.(type) {
	case *lnwire.UpdateFulfillHTLC:
		return m.ID, true
	case *lnwire.UpdateFailHTLC:
		return m.ID, true
	case *lnwire.UpdateFailMalformedHTLC:
		return m.ID, true
	}
	return 0, false
}

// MarshalJSON stores the message in its wire encoding.
func (u Update) MarshalJSON() ([]byte, error) {
	return marshalWire(u.Msg)
}

// UnmarshalJSON reads the wire encoding back.
func (u *Update) UnmarshalJSON(data []byte) error {
	m, err := unmarshalWire(data)
	if err != nil {
		return err
	}
	if !isUpdate(m) {
		return fmt.Errorf("channel: %s in the update log", m.MsgType())
	}
	u.Msg = m
	return nil
}

func marshalWire(m lnwire.Message) ([]byte, error) {
	b, err := lnwire.WriteMessage(m)
	if err != nil {
		return nil, err
	}
	return json.Marshal(b)
}

func unmarshalWire(data []byte) (lnwire.Message, error) {
	var b []byte
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, err
	}
	return lnwire.ReadMessage(b)
}

// Changes are the updates one party sent that are not yet in both
// commitments, in the order sent, by phase (BOLT #2 "Normal Operation"
// lists the five steps each update goes through).
//
// For our updates (State.LocalChanges): Proposed were sent and not yet
// covered by our commitment_signed; Signed are in the remote commitment we
// signed, waiting for its revoke_and_ack; Acked are irrevocably in the
// remote commitment and wait to enter ours with the peer's next
// commitment_signed.
//
// For the peer's updates (State.RemoteChanges): Proposed were received and
// not yet covered by its commitment_signed; Acked are in our commitment (we
// revoked the previous one) and wait to enter the remote commitment with our
// next commitment_signed; Signed are in that commitment, waiting for its
// revoke_and_ack.
type Changes struct {
	Proposed []Update `json:",omitempty"`
	Signed   []Update `json:",omitempty"`
	Acked    []Update `json:",omitempty"`
}

func (c Changes) clone() Changes {
	return Changes{
		Proposed: append([]Update(nil), c.Proposed...),
		Signed:   append([]Update(nil), c.Signed...),
		Acked:    append([]Update(nil), c.Acked...),
	}
}

// empty reports whether no update is pending in any phase.
func (c *Changes) empty() bool {
	return len(c.Proposed) == 0 && len(c.Signed) == 0 && len(c.Acked) == 0
}

// all returns the updates of every phase, oldest first.
func (c *Changes) all() []Update {
	out := make([]Update, 0, len(c.Acked)+len(c.Signed)+len(c.Proposed))
	out = append(out, c.Acked...)
	out = append(out, c.Signed...)
	return append(out, c.Proposed...)
}

// removing reports whether an update in any phase already removes the HTLC.
func (c *Changes) removing(id uint64) bool {
	for _, list := range [][]Update{c.Proposed, c.Signed, c.Acked} {
		for _, u := range list {
			if rid, ok := u.removes(); ok && rid == id {
				return true
			}
		}
	}
	return false
}

// countAdds returns how many update_add_htlc are in the list.
func countAdds(list []Update) uint64 {
	var n uint64
	for _, u := range list {
		if _, ok := u.Msg.(*lnwire.UpdateAddHTLC); ok {
			n++
		}
	}
	return n
}
