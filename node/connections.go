package node

import (
	"context"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/peer"
)

// HandleMessage is the peer manager's MessageHandler: it routes each
// channel message to its negotiation or its channel. It never blocks: the
// channel's goroutine does the work.
func (rt *Channels) HandleMessage(p *peer.Peer, msg lnwire.Message) {
	rt.deliver(p, msg)
}

// HandlePeerEvent is the peer manager's EventHandler: a new connection
// re-establishes the peer's channels, and an error from the peer fails the
// channel (or negotiation) it names, or all of them.
func (rt *Channels) HandlePeerEvent(ev peer.Event) {
	switch ev.Kind {
	case peer.EventConnected:
		if rt.peers == nil {
			return
		}
		if p, ok := rt.peers.Conn(ev.Info.ID); ok {
			rt.adopt(p)
		}
	case peer.EventErrorReceived:
		rt.errorReceived(ev)
	}
}

// deliver routes one message that arrived on conn.
func (rt *Channels) deliver(conn Conn, msg lnwire.Message) {
	rt.adopt(conn)
	switch m := msg.(type) {
	case *lnwire.OpenChannel:
		rt.opens.received(conn, m)
		return
	case *lnwire.AcceptChannel, *lnwire.FundingCreated, *lnwire.FundingSigned:
		if rt.opens.deliver(conn, msg) {
			return
		}
	}
	id, ok := peer.ChannelIDOf(msg)
	if !ok {
		return // gossip and other messages no channel needs
	}
	rt.mu.Lock()
	w := rt.byID[id]
	rt.mu.Unlock()
	if w == nil || w.peer != keyOf(conn.ID()) {
		// BOLT #1: SHOULD send error with the unknown channel_id in reply
		// to messages of type 32-255 related to unknown channels.
		rt.log.Debug("message for an unknown channel", "type", msg.MsgType().String(), "channel_id", id.String())
		conn.Send(context.Background(), &lnwire.Error{ChannelID: id, Data: []byte(peer.UnknownChannelText)})
		return
	}
	w.inbox.push(item{kind: itemMessage, ev: channel.PeerMessage{Msg: msg}, conn: conn})
}

// adopt makes conn the connection of its peer's channels: each channel gets
// Reconnected (and sends channel_reestablish) before any message read on
// conn, and Disconnected once conn ends, unless a newer connection replaced
// it by then.
func (rt *Channels) adopt(conn Conn) {
	key := keyOf(conn.ID())
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.conns[key] == conn || rt.ctx.Err() != nil {
		return
	}
	select {
	case <-conn.Done():
		return
	default:
	}
	rt.conns[key] = conn
	for _, w := range rt.workersOf(key) {
		w.inbox.push(item{kind: itemReconnected, conn: conn})
	}
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		select {
		case <-conn.Done():
		case <-rt.ctx.Done():
			return
		}
		rt.opens.disconnected(conn)
		rt.mu.Lock()
		defer rt.mu.Unlock()
		if rt.conns[key] != conn {
			return
		}
		delete(rt.conns, key)
		for _, w := range rt.workersOf(key) {
			w.inbox.push(item{kind: itemDisconnected, conn: conn})
		}
	}()
}

// conn returns the current connection of a peer, or nil.
func (rt *Channels) conn(key nodeKey) Conn {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.conns[key]
}

// errorReceived gives the peer's error to the channels it names.
//
// BOLT #1: upon receiving error: if channel_id is all zero: MUST fail all
// channels with the sending node. otherwise: MUST fail the channel
// referred to by channel_id, if that channel is with the sending node.
func (rt *Channels) errorReceived(ev peer.Event) {
	if ev.Info.ID == nil {
		return
	}
	key := keyOf(ev.Info.ID)
	msg := &lnwire.Error{ChannelID: ev.ChannelID, Data: []byte(ev.Message)}
	rt.opens.errorReceived(key, ev.ChannelID, ev.AllChannels, msg)
	rt.mu.Lock()
	defer rt.mu.Unlock()
	conn := rt.conns[key]
	for _, w := range rt.workersOf(key) {
		if ev.AllChannels || w.snapshot().State.ChannelID == ev.ChannelID {
			w.inbox.push(item{kind: itemMessage, ev: channel.PeerMessage{Msg: msg}, conn: conn})
		}
	}
}
