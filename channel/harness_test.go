package channel

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// node is one side of a harness channel, with what its runtime would keep:
// the persisted record and the messages in flight towards it.
type node struct {
	name      string
	state     State
	persisted []byte
	env       Env
	signer    *testSigner
	inbox     []lnwire.Message
	// What the payment layer heard.
	accepted []HTLC
	settled  []uint64
	failed   []uint64
	closeTx  int
	failure  error
}

// harness drives two channels against each other in memory, checking the
// invariants after every step.
type harness struct {
	nodes     [2]*node
	connected bool
	preimages map[[32]byte][32]byte
	payments  int
	out       strings.Builder
	// strict makes any channel failure or effect-order violation an error.
	violations []string
}

func newHarness(cfg channelConfig, policy Policy) (*harness, error) {
	h := &harness{connected: true, preimages: map[[32]byte][32]byte{}}
	for i, name := range []string{"alice", "bob"} {
		s := newTestSigner(name)
		h.nodes[i] = &node{name: name, signer: s, env: Env{Signer: s, Policy: policy}}
	}
	a, b, err := establishPair(cfg, h.nodes[0].signer, h.nodes[1].signer, h.nodes[0].env, h.nodes[1].env)
	if err != nil {
		return nil, err
	}
	h.nodes[0].state, h.nodes[1].state = a, b
	for _, n := range h.nodes {
		if n.persisted, err = Marshal(&n.state); err != nil {
			return nil, err
		}
	}
	for _, n := range h.nodes {
		h.step(n, FundingLocked{ShortChannelID: lnwire.ShortChannelID{BlockHeight: 100, TxIndex: 1, OutputIndex: 1}})
	}
	h.deliverAll()
	h.out.Reset()
	return h, nil
}

func (h *harness) byName(name string) (*node, error) {
	for _, n := range h.nodes {
		if n.name == name {
			return n, nil
		}
	}
	return nil, fmt.Errorf("no node %q", name)
}

func (h *harness) peer(n *node) *node {
	if n == h.nodes[0] {
		return h.nodes[1]
	}
	return h.nodes[0]
}

func (h *harness) printf(format string, args ...any) { fmt.Fprintf(&h.out, format+"\n", args...) }

// step runs one event on a node and carries out the effects as a runtime
// would: persist, then send, then broadcast, then notify.
func (h *harness) step(n *node, ev Event) error {
	next, effects, err := Step(n.state, n.env, ev)
	n.state = next
	if err != nil {
		h.printf("%s: %s: %v", n.name, ActionOf(err), err)
	}
	h.checkOrder(n, effects)
	for _, e := range effects {
		h.apply(n, e)
	}
	h.checkInvariants()
	return err
}

// checkOrder enforces that PersistState comes before anything else.
func (h *harness) checkOrder(n *node, effects []Effect) {
	for i, e := range effects {
		if _, ok := e.(PersistState); ok && i != 0 {
			h.violations = append(h.violations, fmt.Sprintf("%s: PersistState at position %d", n.name, i))
		}
	}
}

func (h *harness) apply(n *node, e Effect) {
	switch e := e.(type) {
	case PersistState:
		b, err := Marshal(&n.state)
		if err != nil {
			h.violations = append(h.violations, fmt.Sprintf("%s: marshal: %v", n.name, err))
		}
		n.persisted = b
		h.checkRoundTrip(n, b)
		h.printf("%s: persist", n.name)
	case SendMessage:
		h.printf("%s -> %s: %s", n.name, h.peer(n).name, describe(e.Msg))
		if h.connected {
			p := h.peer(n)
			p.inbox = append(p.inbox, e.Msg)
		}
	case Disconnect:
		h.printf("%s: disconnect", n.name)
		h.disconnect()
	case HTLCAccepted:
		n.accepted = append(n.accepted, e.HTLC)
		h.printf("%s: accepted htlc %d %s dust-exceeded=%t", n.name, e.HTLC.ID, e.HTLC.Amount, e.DustExposureExceeded)
	case HTLCSettled:
		n.settled = append(n.settled, e.ID)
		h.printf("%s: settled htlc %d", n.name, e.ID)
	case HTLCFailed:
		n.failed = append(n.failed, e.ID)
		h.printf("%s: failed htlc %d", n.name, e.ID)
	case BroadcastTx:
		n.closeTx++
		h.printf("%s: broadcast %d-output tx", n.name, len(e.Tx.TxOut))
	case FailChannel:
		n.failure = e.Err
		h.printf("%s: fail channel broadcast=%t", n.name, e.Broadcast)
	default:
		h.violations = append(h.violations, fmt.Sprintf("unknown effect %T", e))
	}
}

// deliver hands up to count queued messages to the node (all if count<0).
func (h *harness) deliver(n *node, count int) int {
	done := 0
	for len(n.inbox) > 0 && (count < 0 || done < count) {
		m := n.inbox[0]
		n.inbox = n.inbox[1:]
		h.printf("%s <- %s", n.name, describe(m))
		h.step(n, PeerMessage{Msg: m})
		done++
	}
	return done
}

// deliverAll delivers until both inboxes are empty.
func (h *harness) deliverAll() {
	for h.deliver(h.nodes[0], -1)+h.deliver(h.nodes[1], -1) > 0 {
	}
}

// settle delivers and signs until nothing is left to do on either side.
func (h *harness) settle() {
	for round := 0; round < 100; round++ {
		moved := h.deliver(h.nodes[0], -1) + h.deliver(h.nodes[1], -1)
		for _, n := range h.nodes {
			if n.state.CanSign() {
				h.step(n, SignCommitment{})
				moved++
			}
		}
		if moved == 0 {
			return
		}
	}
	h.violations = append(h.violations, "settle did not converge")
}

func (h *harness) disconnect() {
	if !h.connected {
		return
	}
	h.connected = false
	for _, n := range h.nodes {
		n.inbox = nil
		h.step(n, Disconnected{})
	}
}

func (h *harness) reconnect() {
	h.disconnect()
	h.connected = true
	for _, n := range h.nodes {
		h.step(n, Reconnected{})
	}
}

// restart reloads a node from its persisted record; the connection drops.
func (h *harness) restart(n *node) error {
	h.disconnect()
	s, err := Unmarshal(n.persisted)
	if err != nil {
		return err
	}
	n.state = s
	h.checkInvariants()
	return nil
}

// newPayment returns a payment hash whose preimage the harness remembers.
func (h *harness) newPayment() [32]byte {
	h.payments++
	preimage := sha256.Sum256([]byte(fmt.Sprintf("preimage %d", h.payments)))
	hash := sha256.Sum256(preimage[:])
	h.preimages[hash] = preimage
	return hash
}

func describe(m lnwire.Message) string {
	switch m := m.(type) {
	case *lnwire.UpdateAddHTLC:
		return fmt.Sprintf("update_add_htlc id=%d amount=%s cltv=%d", m.ID, m.AmountMsat, m.CLTVExpiry)
	case *lnwire.UpdateFulfillHTLC:
		return fmt.Sprintf("update_fulfill_htlc id=%d", m.ID)
	case *lnwire.UpdateFailHTLC:
		return fmt.Sprintf("update_fail_htlc id=%d", m.ID)
	case *lnwire.UpdateFailMalformedHTLC:
		return fmt.Sprintf("update_fail_malformed_htlc id=%d code=%#04x", m.ID, m.FailureCode)
	case *lnwire.UpdateFee:
		return fmt.Sprintf("update_fee feerate=%d", m.FeeratePerKW)
	case *lnwire.CommitmentSigned:
		return fmt.Sprintf("commitment_signed htlc_sigs=%d", len(m.HTLCSignature))
	case *lnwire.RevokeAndAck:
		return "revoke_and_ack"
	case *lnwire.ChannelReestablish:
		return fmt.Sprintf("channel_reestablish next_commitment=%d next_revocation=%d", m.NextCommitmentNumber, m.NextRevocationNumber)
	case *lnwire.ChannelReady:
		return "channel_ready"
	case *lnwire.Shutdown:
		return "shutdown"
	case *lnwire.ClosingSigned:
		if r := m.TLVs.FeeRange; r != nil {
			return fmt.Sprintf("closing_signed fee=%d range=%d..%d", m.FeeSatoshis, r.MinFeeSatoshis, r.MaxFeeSatoshis)
		}
		return fmt.Sprintf("closing_signed fee=%d", m.FeeSatoshis)
	case *lnwire.Error:
		return fmt.Sprintf("error %q", m.Data)
	case *lnwire.Warning:
		return fmt.Sprintf("warning %q", m.Data)
	}
	return m.MsgType().String()
}

// summary prints one node's state for golden files.
func (h *harness) summary(n *node) string {
	s := &n.state
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s/%s next-htlc=%d/%d\n", n.name, s.Phase, s.Link, s.NextHTLCID[Local], s.NextHTLCID[Remote])
	fmt.Fprintf(&b, "  local  #%d %s\n", s.LocalCommit.Number, s.LocalCommit.Spec)
	fmt.Fprintf(&b, "  remote #%d %s\n", s.RemoteCommit.Number, s.RemoteCommit.Spec)
	if p := s.RemotePending; p != nil {
		fmt.Fprintf(&b, "  pending #%d %s\n", p.Number, p.Spec)
	}
	for _, c := range []struct {
		name string
		log  *Changes
	}{{"ours", &s.LocalChanges}, {"theirs", &s.RemoteChanges}} {
		if !c.log.empty() {
			fmt.Fprintf(&b, "  %s: proposed=%d signed=%d acked=%d\n", c.name, len(c.log.Proposed), len(c.log.Signed), len(c.log.Acked))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
