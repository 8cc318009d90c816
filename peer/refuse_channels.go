package peer

import (
	"context"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// This file is the one place that answers channel messages while Fulmen has
// no channels. The channel subsystem replaces ChannelRefuser with its own
// MessageHandler (Config.Handler).

// ChannelRefuser is the MessageHandler used until channels exist. It
// answers open_channel and open_channel2 with an error for their
// temporary_channel_id, and every other message of types 32-255 with an
// error for its channel_id. Other messages (gossip, peer storage) are
// ignored.
type ChannelRefuser struct{}

// Texts of the errors ChannelRefuser sends.
const (
	RefuseOpenText      = "channels are not supported yet"
	UnknownChannelText  = "unknown channel"
	firstChannelMessage = 32
	lastChannelMessage  = 255
)

// HandleMessage answers channel messages with an error.
func (ChannelRefuser) HandleMessage(p *Peer, msg lnwire.Message) {
	id, ok := ChannelIDOf(msg)
	if !ok {
		return
	}
	text := UnknownChannelText
	switch msg.MsgType() {
	case lnwire.MsgOpenChannel, lnwire.MsgOpenChannel2:
		// BOLT #1: the fundee and the accepter "MUST use
		// temporary_channel_id in lieu of channel_id" in errors before
		// funding_signed / accept_channel2; refusing the open is such an
		// error.
		text = RefuseOpenText
	}
	// BOLT #1, a sending node: "SHOULD send error with the unknown
	// channel_id in reply to messages of type 32-255 related to unknown
	// channels."
	if err := p.Send(context.Background(), &lnwire.Error{ChannelID: id, Data: []byte(text)}); err != nil {
		p.log.Debug("could not refuse channel message", "type", msg.MsgType().String(), "err", err)
	}
}

// ChannelIDOf returns the channel_id (or temporary_channel_id) a channel
// message of types 32-255 starts with; false for other messages. Every such
// message in BOLT #2 begins with its channel id, except open_channel and
// open_channel2, which begin with chain_hash.
func ChannelIDOf(msg lnwire.Message) (lnwire.ChannelID, bool) {
	t := msg.MsgType()
	if t < firstChannelMessage || t > lastChannelMessage {
		return lnwire.ChannelID{}, false
	}
	payload, err := msg.Encode(nil)
	if err != nil {
		return lnwire.ChannelID{}, false
	}
	offset := 0
	if t == lnwire.MsgOpenChannel || t == lnwire.MsgOpenChannel2 {
		offset = len(lnwire.ChainHash{})
	}
	var id lnwire.ChannelID
	if len(payload) < offset+len(id) {
		return lnwire.ChannelID{}, false
	}
	copy(id[:], payload[offset:])
	return id, true
}
