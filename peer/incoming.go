package peer

import (
	"errors"
	"fmt"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// handleIncoming processes one message received after init. A non-nil
// result ends the connection.
func (p *Peer) handleIncoming(raw []byte) *ProtocolError {
	msg, err := lnwire.ReadMessage(raw)
	if err != nil {
		return decodeViolation(err)
	}
	switch m := msg.(type) {
	case *lnwire.Ping:
		return p.handlePing(m)
	case *lnwire.Pong:
		p.handlePong(m, len(raw))
	case *lnwire.Error:
		p.handleError(m)
	case *lnwire.Warning:
		p.handleWarning(m)
	case *lnwire.Init:
		// BOLT #1 sends init once per connection; a second one changes
		// nothing.
		p.log.Debug("ignoring a second init")
	case *lnwire.UnknownMessage:
		// BOLT #1: "upon receiving a message of odd, unknown type: MUST
		// ignore the received message."
		p.log.Debug("ignoring unknown odd message", "type", uint16(m.Type))
	default:
		p.cfg.Handler.HandleMessage(p, msg)
	}
	return nil
}

// decodeViolation turns a decoding error into the BOLT #1 reaction: the
// connection is closed in every case; a warning says why first.
func decodeViolation(err error) *ProtocolError {
	var unknown *lnwire.UnknownEvenMessageError
	if errors.As(err, &unknown) {
		// BOLT #1: "upon receiving a message of even, unknown type: MUST
		// close the connection."
		return warned(fmt.Errorf("%w: %w", ErrUnknownEvenMessage, err),
			fmt.Sprintf("unknown even message type %d", uint16(unknown.Type)))
	}
	// BOLT #1: "upon receiving a known message with insufficient length
	// for the contents: MUST close the connection", and "if the extension
	// is invalid: MUST close the connection."
	return warned(fmt.Errorf("%w: %w", ErrMalformedMessage, err), "malformed message: "+err.Error())
}

func (p *Peer) handleError(m *lnwire.Error) {
	text := PrintableData(m.Data)
	p.log.Warn("peer sent error", "channel_id", m.ChannelID.String(), "data", text)
	// BOLT #1, upon receiving error: "if channel_id is all zero: MUST
	// fail all channels with the sending node. otherwise: MUST fail the
	// channel referred to by channel_id, if that channel is with the
	// sending node." Failing channels is the channel subsystem's job: the
	// event carries what it needs.
	p.cfg.Events.HandlePeerEvent(Event{
		Kind:        EventErrorReceived,
		Info:        p.Info(),
		ChannelID:   m.ChannelID,
		AllChannels: m.ChannelID.IsAll(),
		Message:     text,
	})
}

func (p *Peer) handleWarning(m *lnwire.Warning) {
	text := PrintableData(m.Data)
	// BOLT #1, upon receiving warning: "SHOULD log the message for later
	// diagnosis."
	p.log.Warn("peer sent warning", "channel_id", m.ChannelID.String(), "data", text)
	p.cfg.Events.HandlePeerEvent(Event{
		Kind:        EventWarningReceived,
		Info:        p.Info(),
		ChannelID:   m.ChannelID,
		AllChannels: m.ChannelID.IsAll(),
		Message:     text,
	})
}
