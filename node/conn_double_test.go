package node

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/peer"
)

var errConnClosed = errors.New("fake connection closed")

// fakeConn is one end of an in-memory connection between two runtimes.
// Messages go through the wire encoding and arrive in order on the other
// runtime, as peer.Peer would hand them over: error messages become
// EventErrorReceived, warnings are dropped.
type fakeConn struct {
	from, to *testNode
	target   *Channels // the runtime the messages go to
	other    *fakeConn
	done     chan struct{} // shared by both ends
	once     *sync.Once
	queue    chan lnwire.Message

	// onSend, when set, runs synchronously in Send before the message is
	// queued (tests check the store at that instant).
	onSend func(msg lnwire.Message)
	// dead drops every message sent: the sending process "crashed".
	dead atomic.Bool

	mu   sync.Mutex
	sent []lnwire.Message
}

func (c *fakeConn) ID() *btcec.PublicKey  { return c.to.id }
func (c *fakeConn) Done() <-chan struct{} { return c.done }
func (c *fakeConn) Disconnect()           { c.once.Do(func() { close(c.done) }) }
func (c *fakeConn) RemoteFeatures() lnwire.FeatureVector {
	return c.to.rt.cfg.Funding.LocalFeatures.Clone()
}

func (c *fakeConn) Send(ctx context.Context, msg lnwire.Message) error {
	select {
	case <-c.done:
		return errConnClosed
	default:
	}
	if c.dead.Load() {
		return nil
	}
	raw, err := lnwire.WriteMessage(msg)
	if err != nil {
		return err
	}
	decoded, err := lnwire.ReadMessage(raw)
	if err != nil {
		return err
	}
	if c.onSend != nil {
		c.onSend(msg)
	}
	c.mu.Lock()
	c.sent = append(c.sent, msg)
	c.mu.Unlock()
	select {
	case c.queue <- decoded:
		return nil
	default:
		c.Disconnect()
		return errors.New("fake connection queue full")
	}
}

// sentTypes lists the types of the messages sent so far.
func (c *fakeConn) sentTypes() []lnwire.MessageType {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]lnwire.MessageType, len(c.sent))
	for i, m := range c.sent {
		out[i] = m.MsgType()
	}
	return out
}

// pump delivers the queued messages to the other runtime until the
// connection closes.
func (c *fakeConn) pump() {
	for {
		select {
		case <-c.done:
			return
		case msg := <-c.queue:
			select {
			case <-c.done:
				return
			default:
			}
			switch m := msg.(type) {
			case *lnwire.Error:
				c.target.HandlePeerEvent(peer.Event{Kind: peer.EventErrorReceived, Info: peer.Info{ID: c.from.id},
					ChannelID: m.ChannelID, AllChannels: m.ChannelID.IsAll(), Message: peer.PrintableData(m.Data)})
			case *lnwire.Warning:
			default:
				c.target.deliver(c.other, msg)
			}
		}
	}
}

// fakePeers is a node's peer manager: its live connections.
type fakePeers struct {
	mu         sync.Mutex
	conns      map[nodeKey]*fakeConn
	persistent map[nodeKey]string
}

func newFakePeers() *fakePeers {
	return &fakePeers{conns: make(map[nodeKey]*fakeConn), persistent: make(map[nodeKey]string)}
}

func (p *fakePeers) Conn(id *btcec.PublicKey) (Conn, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.conns[keyOf(id)]
	if !ok {
		return nil, false
	}
	select {
	case <-c.done:
		return nil, false
	default:
		return c, true
	}
}

func (p *fakePeers) Peer(id *btcec.PublicKey) (peer.Info, bool) {
	if _, ok := p.Conn(id); !ok {
		return peer.Info{}, false
	}
	return peer.Info{ID: id, Connected: true, Direction: peer.Outbound, NetAddr: []string{"127.0.0.1:9735"}}, true
}

func (p *fakePeers) SetPersistent(id *btcec.PublicKey, address string, persistent bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if persistent {
		p.persistent[keyOf(id)] = address
	} else {
		delete(p.persistent, keyOf(id))
	}
	return nil
}

func (p *fakePeers) dropAll() {
	p.mu.Lock()
	conns := make([]*fakeConn, 0, len(p.conns))
	for _, c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.Disconnect()
	}
}

// connect links two nodes and reports the connection to both runtimes, as
// the peer manager's connect event does. It returns a's end and b's end.
func (h *harness) connect(a, b *testNode) (*fakeConn, *fakeConn) {
	done := make(chan struct{})
	once := new(sync.Once)
	ab := &fakeConn{from: a, to: b, target: b.rt, done: done, once: once, queue: make(chan lnwire.Message, 1024)}
	ba := &fakeConn{from: b, to: a, target: a.rt, done: done, once: once, queue: make(chan lnwire.Message, 1024)}
	ab.other, ba.other = ba, ab
	for _, end := range []struct {
		n    *testNode
		conn *fakeConn
	}{{a, ab}, {b, ba}} {
		end.n.peers.mu.Lock()
		if old := end.n.peers.conns[keyOf(end.conn.to.id)]; old != nil {
			old.Disconnect()
		}
		end.n.peers.conns[keyOf(end.conn.to.id)] = end.conn
		end.n.peers.mu.Unlock()
	}
	go ab.pump()
	go ba.pump()
	a.rt.HandlePeerEvent(peer.Event{Kind: peer.EventConnected, Info: peer.Info{ID: b.id}})
	b.rt.HandlePeerEvent(peer.Event{Kind: peer.EventConnected, Info: peer.Info{ID: a.id}})
	return ab, ba
}
