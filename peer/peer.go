package peer

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// messageConn is what a Peer needs of its connection; *transport.Conn
// implements it.
type messageConn interface {
	ReadMessage() ([]byte, error)
	WriteMessage(msg []byte) error
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	RemoteAddr() net.Addr
	LocalAddr() net.Addr
	RemotePub() *btcec.PublicKey
	Close() error
}

// outgoing is one message waiting in the send queue. When closeAfter is
// set the connection is closed with it once the message is written.
type outgoing struct {
	raw        []byte
	closeAfter error
}

// Peer is one connected node. Its methods are safe for concurrent use.
type Peer struct {
	cfg       *Config
	conn      messageConn
	id        *btcec.PublicKey
	direction Direction
	log       *slog.Logger

	// Set by the init exchange, read-only afterwards.
	remoteFeatures lnwire.FeatureVector
	remoteAddr     string
	connectedAt    time.Time

	out  chan outgoing
	done chan struct{} // closed when the connection is closed

	mu       sync.Mutex
	closeErr error          // why the connection ended
	failing  bool           // a final warning is queued: accept nothing more
	pings    []*pendingPing // pings waiting for their pong, oldest first

	loops sync.WaitGroup // read, write and keep-alive loops
}

func newPeer(cfg *Config, conn messageConn, direction Direction) *Peer {
	id := conn.RemotePub()
	return &Peer{
		cfg:       cfg,
		conn:      conn,
		id:        id,
		direction: direction,
		log:       cfg.Logger.With("peer", hex.EncodeToString(id.SerializeCompressed())),
		out:       make(chan outgoing, cfg.SendQueueSize),
		done:      make(chan struct{}),
	}
}

// ID returns the peer's node key.
func (p *Peer) ID() *btcec.PublicKey { return p.id }

// RemoteFeatures returns the features the peer sent in init.
func (p *Peer) RemoteFeatures() lnwire.FeatureVector { return p.remoteFeatures.Clone() }

// Info describes the connection.
func (p *Peer) Info() Info {
	info := Info{
		ID:          p.id,
		Connected:   !p.isClosed(),
		RemoteAddr:  p.remoteAddr,
		Features:    p.remoteFeatures.Clone(),
		Direction:   p.direction,
		ConnectedAt: p.connectedAt,
	}
	if addr := netAddr(p.conn); addr != "" {
		info.NetAddr = []string{addr}
	}
	return info
}

// netAddr names the remote end: its address, or for an inbound Unix socket
// connection (whose remote end has no name) the socket path.
func netAddr(conn messageConn) string {
	if addr := conn.RemoteAddr(); addr != nil && addr.String() != "" {
		return addr.String()
	}
	if addr := conn.LocalAddr(); addr != nil {
		return addr.String()
	}
	return ""
}

// Done is closed when the connection has ended.
func (p *Peer) Done() <-chan struct{} { return p.done }

// Err returns why the connection ended, or nil while it is up.
func (p *Peer) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closeErr
}

func (p *Peer) isClosed() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Send queues msg for the peer and returns without waiting for the write:
// a slow peer never blocks the caller. If the queue is full the peer is
// disconnected and ErrSendQueueFull returned. ctx is only checked before
// queueing.
func (p *Peer) Send(ctx context.Context, msg lnwire.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	raw, err := lnwire.WriteMessage(msg)
	if err != nil {
		return fmt.Errorf("peer: encoding %s: %w", msg.MsgType(), err)
	}
	return p.enqueue(outgoing{raw: raw})
}

// enqueue adds item to the send queue without blocking; a full queue
// disconnects the peer.
func (p *Peer) enqueue(item outgoing) error {
	err := p.tryEnqueue(item)
	if errors.Is(err, ErrSendQueueFull) {
		p.close(ErrSendQueueFull)
	}
	return err
}

// tryEnqueue adds item to the send queue if there is room.
func (p *Peer) tryEnqueue(item outgoing) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closeErr != nil || p.failing {
		return p.closedError()
	}
	select {
	case p.out <- item:
		if item.closeAfter != nil {
			p.failing = true
		}
		return nil
	default:
		return ErrSendQueueFull
	}
}

// closedError is the error of an operation on a closed or closing peer.
// p.mu must be held.
func (p *Peer) closedError() error {
	if p.closeErr != nil {
		return fmt.Errorf("%w: %w", ErrNotConnected, p.closeErr)
	}
	return fmt.Errorf("%w: disconnecting", ErrNotConnected)
}

// Disconnect closes the connection.
func (p *Peer) Disconnect() { p.close(ErrDisconnectRequested) }

// close ends the connection with reason; only the first reason is kept.
func (p *Peer) close(reason error) {
	p.mu.Lock()
	if p.closeErr != nil {
		p.mu.Unlock()
		return
	}
	p.closeErr = reason
	p.failing = true
	close(p.done)
	p.mu.Unlock()
	p.conn.Close()
	p.log.Debug("disconnected", "reason", reason)
}

// fail ends the connection for a protocol violation: the warning, if any,
// is written first.
func (p *Peer) fail(violation *ProtocolError) {
	p.log.Info("protocol violation", "err", violation.Err)
	if violation.Warning == "" {
		p.close(violation)
		return
	}
	raw, err := lnwire.WriteMessage(warningMessage(violation.Warning))
	if err == nil {
		err = p.tryEnqueue(outgoing{raw: raw, closeAfter: violation})
	}
	if err != nil {
		p.close(violation)
	}
}

// warningMessage builds a warning about no channel in particular. BOLT #1:
// when sending warning, the node "MAY set channel_id to all zero if the
// warning is not related to a specific channel."
func warningMessage(text string) *lnwire.Warning {
	const maxData = lnwire.MaxMessageSize - 2 - 32 - 2
	if len(text) > maxData {
		text = text[:maxData]
	}
	return &lnwire.Warning{Data: []byte(text)}
}

// start runs the loops of a peer whose init exchange succeeded. They end
// when the connection closes, or when ctx is cancelled.
func (p *Peer) start(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { p.close(context.Cause(ctx)) })
	p.loops.Add(3)
	go func() {
		defer p.loops.Done()
		p.readLoop()
	}()
	go func() {
		defer p.loops.Done()
		p.writeLoop()
	}()
	go func() {
		defer p.loops.Done()
		p.keepAlive()
	}()
	go func() {
		<-p.done
		stop()
	}()
}

// wait returns once the loops have ended.
func (p *Peer) wait() { p.loops.Wait() }

func (p *Peer) readLoop() {
	for {
		raw, err := p.conn.ReadMessage()
		if err != nil {
			p.close(fmt.Errorf("%w: %w", ErrConnectionLost, err))
			return
		}
		if violation := p.handleIncoming(raw); violation != nil {
			p.fail(violation)
			return
		}
	}
}

func (p *Peer) writeLoop() {
	for {
		select {
		case <-p.done:
			return
		case item := <-p.out:
			if err := p.write(item.raw); err != nil {
				p.close(fmt.Errorf("%w: %w", ErrConnectionLost, err))
				return
			}
			if item.closeAfter != nil {
				p.close(item.closeAfter)
				return
			}
		}
	}
}

// write writes one message under the write timeout.
func (p *Peer) write(raw []byte) error {
	if err := p.conn.SetWriteDeadline(time.Now().Add(p.cfg.WriteTimeout)); err != nil {
		return err
	}
	return p.conn.WriteMessage(raw)
}

// errPeerGone reports an operation interrupted by the end of the connection.
func (p *Peer) errPeerGone() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closedError()
}

// isQuietClose reports a reason that is normal, not worth a warning log.
func isQuietClose(err error) bool {
	return errors.Is(err, ErrDisconnectRequested) || errors.Is(err, ErrReplaced) ||
		errors.Is(err, ErrManagerClosed) || errors.Is(err, context.Canceled)
}
