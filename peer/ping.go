package peer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

const (
	// NoPongThreshold is the smallest num_pong_bytes that asks for no pong.
	// BOLT #1: "the maximum sensible byteslen is 65531 ... This allows a
	// convenient cutoff for num_pong_bytes to indicate that no reply should
	// be sent."
	NoPongThreshold = 65532
	// MaxPingBytesLen is the largest byteslen of a ping: the message is at
	// most 65535 bytes, of which 6 are type, num_pong_bytes and byteslen.
	MaxPingBytesLen = lnwire.MaxMessageSize - 6
	// maxOutstandingPings bounds the pings waiting for their pong.
	maxOutstandingPings = 16
	// keepAlivePongBytes is the num_pong_bytes of keep-alive pings.
	keepAlivePongBytes = 0
)

// pendingPing is a ping we sent that expects a pong.
type pendingPing struct {
	numPongBytes uint16
	reply        chan int // the pong's total length; buffered
}

// Ping sends a ping and waits for its pong, returning the pong's total
// length (type included), as Core Lightning's ping command reports it. A
// numPongBytes of NoPongThreshold or more asks for no pong: Ping returns 0
// once the ping is queued. The ignored bytes are zeros (BOLT #1: the sender
// "SHOULD set ignored to 0s").
//
// A pong is matched to the oldest outstanding ping with the same
// num_pong_bytes. If ctx ends first, the ping stays outstanding, so a late
// pong still pairs with it and not with a newer ping.
func (p *Peer) Ping(ctx context.Context, numPongBytes, bytesLen uint16) (int, error) {
	if int(bytesLen) > MaxPingBytesLen {
		return 0, fmt.Errorf("%w: byteslen %d above %d", ErrPingTooLarge, bytesLen, MaxPingBytesLen)
	}
	expectPong := numPongBytes < NoPongThreshold
	pending := &pendingPing{numPongBytes: numPongBytes, reply: make(chan int, 1)}
	if expectPong {
		p.mu.Lock()
		if len(p.pings) >= maxOutstandingPings {
			p.mu.Unlock()
			return 0, ErrTooManyPings
		}
		p.pings = append(p.pings, pending)
		p.mu.Unlock()
	}
	if err := p.Send(ctx, &lnwire.Ping{NumPongBytes: numPongBytes, Ignored: make([]byte, bytesLen)}); err != nil {
		p.forgetPing(pending)
		return 0, err
	}
	if !expectPong {
		return 0, nil
	}
	select {
	case n := <-pending.reply:
		return n, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-p.done:
		return 0, p.errPeerGone()
	}
}

func (p *Peer) forgetPing(pending *pendingPing) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, pp := range p.pings {
		if pp == pending {
			p.pings = append(p.pings[:i], p.pings[i+1:]...)
			return
		}
	}
}

func (p *Peer) handlePing(m *lnwire.Ping) *ProtocolError {
	// BOLT #1, a node receiving a ping: "if num_pong_bytes is less than
	// 65532: MUST respond by sending a pong message, with byteslen equal to
	// num_pong_bytes. otherwise (num_pong_bytes is not less than 65532):
	// MUST ignore the ping." Its byteslen and ignored bytes are not looked
	// at.
	if m.NumPongBytes >= NoPongThreshold {
		return nil
	}
	// BOLT #1, a node sending a pong: "SHOULD set ignored to 0s."
	pong := &lnwire.Pong{Ignored: make([]byte, m.NumPongBytes)}
	raw, err := lnwire.WriteMessage(pong)
	if err != nil {
		// Unreachable: num_pong_bytes below 65532 always fits.
		panic(fmt.Sprintf("peer: encoding a pong of %d bytes: %v", m.NumPongBytes, err))
	}
	// A full queue disconnects the peer: a ping flood ends there.
	p.enqueue(outgoing{raw: raw})
	return nil
}

// handlePong resolves the oldest ping whose num_pong_bytes matches.
func (p *Peer) handlePong(m *lnwire.Pong, totalLen int) {
	p.mu.Lock()
	for i, pp := range p.pings {
		if int(pp.numPongBytes) == len(m.Ignored) {
			p.pings = append(p.pings[:i], p.pings[i+1:]...)
			p.mu.Unlock()
			pp.reply <- totalLen
			return
		}
	}
	p.mu.Unlock()
	// BOLT #1, a node receiving a pong: "if byteslen does not correspond
	// to any ping's num_pong_bytes value it has sent: MAY close the
	// connection." We ignore it.
	p.log.Debug("ignoring unsolicited pong", "byteslen", len(m.Ignored))
}

// keepAlive pings the peer every PingInterval and closes the connection
// when a pong does not come within PongTimeout.
func (p *Peer) keepAlive() {
	ticker := time.NewTicker(p.cfg.PingInterval)
	defer ticker.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-ticker.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), p.cfg.PongTimeout)
		_, err := p.Ping(ctx, keepAlivePongBytes, 0)
		cancel()
		switch {
		case err == nil:
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, ErrTooManyPings):
			// BOLT #1, a node sending a ping: "if it doesn't receive a
			// corresponding pong: MAY close the network connection, and
			// MUST NOT fail the channels in this case."
			p.close(ErrPongTimeout)
			return
		default:
			return // the connection is gone
		}
	}
}
