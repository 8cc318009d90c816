package funding

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// regtest is the chain the test nodes run on.
var regtest = lnwire.ChainHash(*chaincfg.RegressionNetParams.GenesisHash)

// fullFeatures are init features with everything this package negotiates.
func fullFeatures() lnwire.FeatureVector {
	return lnwire.NewFeatureVector(
		lnwire.StaticRemoteKeyRequired,
		lnwire.ChannelTypeRequired,
		lnwire.AnchorsOptional,
		lnwire.UpfrontShutdownScriptOptional,
		lnwire.ShutdownAnySegwitOptional,
		lnwire.LargeChannelOptional,
	)
}

// basicFeatures are Fulmen's peer.DefaultFeatures today: no anchors, no
// upfront shutdown script.
func basicFeatures() lnwire.FeatureVector {
	return lnwire.NewFeatureVector(
		lnwire.DataLossProtectRequired,
		lnwire.StaticRemoteKeyRequired,
		lnwire.ChannelTypeRequired,
		lnwire.LargeChannelOptional,
		lnwire.ShutdownAnySegwitOptional,
	)
}

// fixedRand is a deterministic source of randomness.
func fixedRand(seed string) *bytes.Reader {
	var out []byte
	for i := 0; len(out) < 1024; i++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", seed, i))
		out = append(out, sum[:]...)
	}
	return bytes.NewReader(out)
}

// side is one node of a negotiation with what its runtime would keep.
type side struct {
	name      string
	signer    *testSigner
	env       Env
	features  lnwire.FeatureVector
	state     State
	persisted *channel.State
	broadcast *wire.MsgTx
	watch     *WatchFunding
	handOver  *HandOver
	failure   error
	released  bool
	log       strings.Builder
}

func newSide(name string, features lnwire.FeatureVector) *side {
	s := newTestSigner(name)
	return &side{
		name:     name,
		signer:   s,
		features: features,
		env: Env{
			Channel: channel.Env{Signer: s, Policy: channel.DefaultPolicy()},
			Config:  DefaultConfig(regtest, features),
			Rand:    fixedRand(name),
		},
	}
}

// pair is an opener and an accepter connected in memory. Messages go
// through the wire codec.
type pair struct {
	opener, accepter *side
	queue            []delivery
	// mutate, when set, may change a message in flight.
	mutate func(to *side, m lnwire.Message)
	// violations lists broken runtime contracts (effect order).
	violations []string
	// pendingTx is the wallet's answer, delivered in queue order.
	pendingTx *FundingTxBuilt
}

type delivery struct {
	to  *side
	msg lnwire.Message
}

func newPair(openerFeatures, accepterFeatures lnwire.FeatureVector) *pair {
	return &pair{opener: newSide("alice", openerFeatures), accepter: newSide("bob", accepterFeatures)}
}

func (p *pair) other(s *side) *side {
	if s == p.opener {
		return p.accepter
	}
	return p.opener
}

// step runs one event and carries out its effects as a runtime would.
func (p *pair) step(s *side, ev Event) error {
	next, effects, err := Step(s.state, s.env, ev)
	s.state = next
	if err != nil {
		fmt.Fprintf(&s.log, "%s: %s: %v\n", s.name, ActionOf(err), err)
	}
	p.checkOrder(s, effects)
	for _, e := range effects {
		p.apply(s, e)
	}
	return err
}

// checkOrder enforces that PersistChannel comes before any message or
// broadcast of the same step.
func (p *pair) checkOrder(s *side, effects []Effect) {
	persisted := false
	for _, e := range effects {
		switch e.(type) {
		case PersistChannel:
			persisted = true
		case SendMessage, BroadcastFundingTx, HandOver:
			if s.state.Phase == Established && !persisted {
				p.violations = append(p.violations, fmt.Sprintf("%s: %T before PersistChannel", s.name, e))
			}
		}
	}
}

func (p *pair) apply(s *side, e Effect) {
	switch e := e.(type) {
	case SendMessage:
		raw, err := lnwire.WriteMessage(e.Msg)
		if err != nil {
			p.violations = append(p.violations, fmt.Sprintf("%s: encode %s: %v", s.name, e.Msg.MsgType(), err))
			return
		}
		msg, err := lnwire.ReadMessage(raw)
		if err != nil {
			p.violations = append(p.violations, fmt.Sprintf("%s: decode %s: %v", s.name, e.Msg.MsgType(), err))
			return
		}
		fmt.Fprintf(&s.log, "%s -> %s: %s\n", s.name, p.other(s).name, msg.MsgType())
		p.queue = append(p.queue, delivery{to: p.other(s), msg: msg})
	case BuildFundingTx:
		tx, index := walletTx(e)
		p.queue = append(p.queue, delivery{to: s, msg: nil})
		p.pendingTx = &FundingTxBuilt{Tx: tx, OutputIndex: index}
	case ReleaseFundingTx:
		s.released = true
	case PersistChannel:
		c := e.Channel
		s.persisted = &c
	case BroadcastFundingTx:
		s.broadcast = e.Tx
	case WatchFunding:
		w := e
		s.watch = &w
	case HandOver:
		h := e
		s.handOver = &h
	case NegotiationFailed:
		s.failure = e.Err
	}
}

// walletTx plays the wallet: one segwit input, a change output, then the
// funding output.
func walletTx(req BuildFundingTx) (*wire.MsgTx, uint32) {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{
		PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash(sha256.Sum256([]byte("coin"))), Index: 0},
		Witness:          wire.TxWitness{{0x30}, {0x02}},
	})
	tx.AddTxOut(wire.NewTxOut(12_345, append([]byte{0x00, 0x14}, bytes.Repeat([]byte{9}, 20)...)))
	tx.AddTxOut(wire.NewTxOut(int64(req.Amount), req.PkScript))
	return tx, 1
}

// run delivers messages (and the wallet's answers) until nothing is left.
// It returns the first error of a step.
func (p *pair) run() error {
	var first error
	for len(p.queue) > 0 {
		d := p.queue[0]
		p.queue = p.queue[1:]
		var ev Event
		switch {
		case d.msg == nil:
			ev = *p.pendingTx
		case d.to.state.Phase == Idle && d.msg.MsgType() == lnwire.MsgOpenChannel:
			ev = OpenChannelReceived{
				Msg:          d.msg.(*lnwire.OpenChannel),
				PeerFeatures: p.other(d.to).features,
				Keys:         d.to.signer.keys(),
			}
		default:
			if p.mutate != nil {
				p.mutate(d.to, d.msg)
			}
			ev = PeerMessage{Msg: d.msg}
		}
		if err := p.step(d.to, ev); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// open makes the opener run Open and runs the negotiation to its end.
func (p *pair) open(cmd Open) error {
	if cmd.Keys == (Keys{}) {
		cmd.Keys = p.opener.signer.keys()
	}
	if cmd.PeerFeatures.IsEmpty() {
		cmd.PeerFeatures = p.accepter.features
	}
	if err := p.step(p.opener, cmd); err != nil {
		return err
	}
	return p.run()
}

// defaultOpen is a channel both test nodes accept.
func defaultOpen() Open {
	return Open{
		Funding:  1_000_000,
		PushMsat: 100_000_000,
		Feerate:  2500,
		Announce: true,
	}
}
