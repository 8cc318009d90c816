package peer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// longAgo is a deadline in the past, to interrupt blocked I/O.
var longAgo = time.Unix(1, 0)

// exchangeInit sends our init and reads the peer's, under the init timeout
// and ctx. On error the caller closes the connection; a *ProtocolError with
// a warning has had its warning written.
func (p *Peer) exchangeInit(ctx context.Context) error {
	deadline := time.Now().Add(p.cfg.InitTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := p.setDeadlines(deadline); err != nil {
		return fmt.Errorf("%w: %w", ErrInitFailed, err)
	}
	stop := context.AfterFunc(ctx, func() { p.setDeadlines(longAgo) })
	defer stop()

	// BOLT #1: the sending node "MUST send init as the first Lightning
	// message for any connection." We send it at once, without waiting for
	// theirs.
	ours, err := lnwire.WriteMessage(p.ourInit())
	if err != nil {
		return fmt.Errorf("%w: encoding our init: %w", ErrInitFailed, err)
	}
	if err := p.conn.WriteMessage(ours); err != nil {
		return p.initIOError(ctx, "sending init", err)
	}
	raw, err := p.conn.ReadMessage()
	if err != nil {
		return p.initIOError(ctx, "reading init", err)
	}
	if violation := p.acceptInit(raw); violation != nil {
		if violation.Warning != "" {
			if warning, err := lnwire.WriteMessage(warningMessage(violation.Warning)); err == nil {
				p.conn.WriteMessage(warning)
			}
		}
		return violation
	}
	if !stop() {
		return fmt.Errorf("%w: %w", ErrInitFailed, context.Cause(ctx))
	}
	if err := p.setDeadlines(time.Time{}); err != nil {
		return fmt.Errorf("%w: %w", ErrInitFailed, err)
	}
	p.connectedAt = time.Now()
	return nil
}

func (p *Peer) setDeadlines(t time.Time) error {
	return errors.Join(p.conn.SetReadDeadline(t), p.conn.SetWriteDeadline(t))
}

func (p *Peer) initIOError(ctx context.Context, what string, err error) error {
	if ctxErr := context.Cause(ctx); ctxErr != nil {
		return fmt.Errorf("%w: %s: %w (%w)", ErrInitFailed, what, ctxErr, err)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return fmt.Errorf("%w: %s: %w", ErrInitTimeout, what, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrInitFailed, what, err)
}

// ourInit is the init message we send.
func (p *Peer) ourInit() *lnwire.Init {
	msg := &lnwire.Init{
		GlobalFeatures: []byte{},
		// BOLT #1: the sending node "MUST set feature bits as defined in
		// BOLT #9" and "SHOULD use the minimum length required to
		// represent the features field" (Encode is minimal).
		Features: p.cfg.Features.Encode(),
	}
	// BOLT #1: the sending node "SHOULD set networks to all chains it will
	// gossip or open channels for."
	networks := []lnwire.ChainHash{p.cfg.Chain}
	msg.TLVs.Networks = &networks
	if addr, ok := p.remoteAddrRecord(); ok {
		msg.TLVs.RemoteAddr = &addr
	}
	return msg
}

// remoteAddrRecord is the remote_addr we send. BOLT #1: the sending node
// "SHOULD set remote_addr to reflect the remote IP address (and port) of an
// incoming connection, if the node is the receiver and the connection was
// done via IP", and "SHOULD NOT set private addresses as remote_addr".
func (p *Peer) remoteAddrRecord() ([]byte, bool) {
	if p.direction != Inbound {
		return nil, false
	}
	return remoteAddrDescriptor(p.conn.RemoteAddr())
}

// remoteAddrDescriptor encodes a public TCP address as a BOLT 7 address
// descriptor; anything else (Unix sockets, loopback, private and link-local
// addresses) gives false.
func remoteAddrDescriptor(addr net.Addr) ([]byte, bool) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return nil, false
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	if !ok {
		return nil, false
	}
	ip = ip.Unmap()
	if !ip.IsGlobalUnicast() || ip.IsPrivate() || tcp.Port <= 0 || tcp.Port > 65535 {
		return nil, false
	}
	descriptor := lnwire.Address{Type: lnwire.AddressIPv6, IP: ip, Port: uint16(tcp.Port)}
	if ip.Is4() {
		descriptor.Type = lnwire.AddressIPv4
	}
	// BOLT #1: "if it sets remote_addr: MUST set it to a valid address
	// descriptor".
	encoded, err := lnwire.EncodeAddresses([]lnwire.Address{descriptor})
	if err != nil {
		return nil, false
	}
	return encoded, true
}

// acceptInit checks the first message of the peer and records its features
// and remote_addr.
func (p *Peer) acceptInit(raw []byte) *ProtocolError {
	msg, err := lnwire.ReadMessage(raw)
	if err != nil {
		// Nothing may be sent yet. BOLT #1, the receiving node: "MUST wait
		// to receive init before sending any other messages."
		if len(raw) >= 2 && lnwire.MessageType(uint16(raw[0])<<8|uint16(raw[1])) == lnwire.MsgInit {
			return silent(ErrMalformedMessage, err)
		}
		return silent(ErrFirstMessageNotInit, err)
	}
	init, ok := msg.(*lnwire.Init)
	if !ok {
		// BOLT #1: the sending node "MUST send init as the first Lightning
		// message for any connection."
		return silent(ErrFirstMessageNotInit, fmt.Errorf("got %s", msg.MsgType()))
	}
	// BOLT #1: the receiving node "MUST combine (bitwise OR) the two
	// feature bitmaps into one logical features map."
	features := init.CombinedFeatures()
	// BOLT #1: "upon receiving unknown odd feature bits that are non-zero:
	// MUST ignore the bit. upon receiving unknown even feature bits that
	// are non-zero: MUST close the connection."
	if unknown := features.UnknownRequired(p.cfg.Features); len(unknown) > 0 {
		return warned(&UnknownFeatureError{Bits: unknown},
			"unknown required feature bits: "+joinBits(unknown))
	}
	// BOLT #1: "if the feature vector does not set all known, transitive
	// dependencies: MUST close the connection."
	if err := features.CheckDependencies(); err != nil {
		var missing *lnwire.MissingDependencyError
		text := "feature dependency missing"
		if errors.As(err, &missing) {
			text = fmt.Sprintf("feature %s (bit %d) needs %s (bit %d or %d)",
				missing.Feature.Name(), missing.Feature, missing.Missing.Name(), missing.Missing, missing.Missing+1)
		}
		return warned(fmt.Errorf("%w: %w", ErrFeatureDependency, err), text)
	}
	// BOLT #1: "upon receiving networks containing no common chains: MAY
	// close the connection." We do, even for an empty list, which has no
	// chain in common either.
	if networks := init.TLVs.Networks; networks != nil && !slices.Contains(*networks, p.cfg.Chain) {
		return warned(ErrNoCommonChain, "no common chain: we only use chain "+p.cfg.Chain.String())
	}
	p.remoteFeatures = features
	// BOLT #1: the receiving node "MAY use the remote_addr to update its
	// node_announcement"; we only record it. A descriptor we cannot
	// decode is ignored.
	if ra := init.TLVs.RemoteAddr; ra != nil {
		if addrs, err := lnwire.DecodeAddresses(*ra); err == nil && len(addrs) > 0 {
			p.remoteAddr = addrs[0].String()
		}
	}
	return nil
}
