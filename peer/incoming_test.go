package peer

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// recordingHandler keeps the messages handed to the MessageHandler.
type recordingHandler struct{ got []lnwire.Message }

func (h *recordingHandler) HandleMessage(_ *Peer, msg lnwire.Message) { h.got = append(h.got, msg) }

func TestHandleIncoming(t *testing.T) {
	channel := lnwire.ChannelID{7, 7, 7}
	tests := []struct {
		name        string
		raw         []byte
		wantErr     error            // the violation; nil keeps the connection
		wantWarning string           // text of the warning sent before closing
		wantQueued  []lnwire.Message // replies queued, in order
		wantHandled int              // messages given to the MessageHandler
		wantEvent   *Event           // Kind, ChannelID, AllChannels, Message compared
	}{
		{
			name:       "ping answered with num_pong_bytes zeros",
			raw:        mustEncode(t, &lnwire.Ping{NumPongBytes: 3, Ignored: []byte{1, 2, 3, 4, 5}}),
			wantQueued: []lnwire.Message{&lnwire.Pong{Ignored: []byte{0, 0, 0}}},
		},
		{
			name:       "ping with num_pong_bytes 0",
			raw:        mustEncode(t, &lnwire.Ping{}),
			wantQueued: []lnwire.Message{&lnwire.Pong{Ignored: []byte{}}},
		},
		{
			name:       "ping with num_pong_bytes 65531 answered",
			raw:        mustEncode(t, &lnwire.Ping{NumPongBytes: 65531}),
			wantQueued: []lnwire.Message{&lnwire.Pong{Ignored: make([]byte, 65531)}},
		},
		{name: "ping with num_pong_bytes 65532 ignored", raw: mustEncode(t, &lnwire.Ping{NumPongBytes: 65532})},
		{name: "ping with num_pong_bytes 65535 ignored", raw: mustEncode(t, &lnwire.Ping{NumPongBytes: 65535, Ignored: make([]byte, 100)})},
		{name: "unsolicited pong ignored", raw: mustEncode(t, &lnwire.Pong{Ignored: make([]byte, 9)})},
		{name: "unknown odd message ignored", raw: []byte{0x80, 0x01, 0xde, 0xad}},
		{name: "second init ignored", raw: initMessage(t, nil, nil, nil, nil)},
		{
			name:      "error for all channels",
			raw:       mustEncode(t, &lnwire.Error{Data: []byte("internal error")}),
			wantEvent: &Event{Kind: EventErrorReceived, AllChannels: true, Message: "internal error"},
		},
		{
			name:      "error for one channel, not printable",
			raw:       mustEncode(t, &lnwire.Error{ChannelID: channel, Data: []byte{0, 1}}),
			wantEvent: &Event{Kind: EventErrorReceived, ChannelID: channel, Message: "hex:0001"},
		},
		{
			name:      "warning",
			raw:       mustEncode(t, &lnwire.Warning{Data: []byte("fee too low")}),
			wantEvent: &Event{Kind: EventWarningReceived, AllChannels: true, Message: "fee too low"},
		},
		{
			name:        "channel message goes to the handler",
			raw:         mustEncode(t, &lnwire.ChannelReady{ChannelID: channel}),
			wantHandled: 1,
		},
		{
			name:        "gossip goes to the handler",
			raw:         mustEncode(t, &lnwire.GossipTimestampFilter{ChainHash: regtest}),
			wantHandled: 1,
		},
		{
			name:    "unknown even message",
			raw:     []byte{0x80, 0x00, 0x01},
			wantErr: ErrUnknownEvenMessage, wantWarning: "unknown even message type 32768",
		},
		{
			name:    "unknown even message in the channel range",
			raw:     []byte{0x00, 0x2a},
			wantErr: ErrUnknownEvenMessage, wantWarning: "type 42",
		},
		{
			name:    "truncated ping",
			raw:     []byte{0x00, 0x12, 0x00, 0x04, 0x00, 0x08, 0x00},
			wantErr: ErrMalformedMessage, wantWarning: "malformed message",
		},
		{
			name:    "truncated channel message",
			raw:     []byte{0x00, 0x24, 0x01},
			wantErr: ErrMalformedMessage, wantWarning: "malformed message",
		},
		{
			name:    "invalid extension",
			raw:     append(mustEncode(t, &lnwire.Pong{}), 0x04, 0x00),
			wantErr: ErrMalformedMessage, wantWarning: "malformed message",
		},
		{
			name:    "no type",
			raw:     []byte{0x00},
			wantErr: ErrMalformedMessage, wantWarning: "malformed message",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			handler := &recordingHandler{}
			p, _, events := newFakePeer(t, func(c *Config) { c.Handler = handler })
			violation := p.handleIncoming(tc.raw)
			if tc.wantErr == nil {
				if violation != nil {
					t.Fatalf("connection failed: %v", violation)
				}
			} else {
				if violation == nil || !errors.Is(violation, tc.wantErr) {
					t.Fatalf("got %v, want %v", violation, tc.wantErr)
				}
				if !strings.Contains(violation.Warning, tc.wantWarning) {
					t.Errorf("warning %q does not contain %q", violation.Warning, tc.wantWarning)
				}
			}
			got := queued(t, p)
			if len(got) != len(tc.wantQueued) {
				t.Fatalf("queued %d messages, want %d", len(got), len(tc.wantQueued))
			}
			for i := range got {
				if !bytes.Equal(mustEncode(t, got[i]), mustEncode(t, tc.wantQueued[i])) {
					t.Errorf("queued %#v, want %#v", got[i], tc.wantQueued[i])
				}
			}
			if len(handler.got) != tc.wantHandled {
				t.Errorf("handler got %d messages, want %d", len(handler.got), tc.wantHandled)
			}
			events.mu.Lock()
			recorded := events.events
			events.mu.Unlock()
			if tc.wantEvent == nil {
				if len(recorded) != 0 {
					t.Errorf("unexpected events %v", recorded)
				}
				return
			}
			if len(recorded) != 1 {
				t.Fatalf("got %d events, want 1", len(recorded))
			}
			e := recorded[0]
			if e.Kind != tc.wantEvent.Kind || e.ChannelID != tc.wantEvent.ChannelID ||
				e.AllChannels != tc.wantEvent.AllChannels || e.Message != tc.wantEvent.Message {
				t.Errorf("event %+v, want %+v", e, *tc.wantEvent)
			}
			if !e.Info.ID.IsEqual(p.ID()) {
				t.Error("event does not name the peer")
			}
		})
	}
}

// A peer that fails sends its warning, then nothing more is accepted.
func TestFailQueuesWarningThenCloses(t *testing.T) {
	p, _, _ := newFakePeer(t, nil)
	p.fail(warned(ErrUnknownEvenMessage, "bye"))
	if err := p.Send(context.Background(), &lnwire.Ping{}); !errors.Is(err, ErrNotConnected) {
		t.Errorf("Send after fail: %v, want ErrNotConnected", err)
	}
	item := <-p.out
	if !errors.Is(item.closeAfter, ErrUnknownEvenMessage) {
		t.Errorf("warning not marked to close after: %v", item.closeAfter)
	}
	msg, err := lnwire.ReadMessage(item.raw)
	if err != nil {
		t.Fatal(err)
	}
	if w, ok := msg.(*lnwire.Warning); !ok || string(w.Data) != "bye" {
		t.Errorf("queued %#v, want the warning", msg)
	}
	// A long text is cut to fit one message.
	if w := warningMessage(strings.Repeat("x", 70000)); len(mustEncode(t, w)) != lnwire.MaxMessageSize {
		t.Errorf("long warning not cut to the maximum message size")
	}
}

func TestSendQueueFullDisconnects(t *testing.T) {
	p, _, _ := newFakePeer(t, func(c *Config) { c.SendQueueSize = 2 })
	ctx := context.Background()
	for range 2 {
		if err := p.Send(ctx, &lnwire.Ping{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Send(ctx, &lnwire.Ping{}); !errors.Is(err, ErrSendQueueFull) {
		t.Fatalf("third send: %v, want ErrSendQueueFull", err)
	}
	select {
	case <-p.Done():
	default:
		t.Fatal("peer still connected after its queue overflowed")
	}
	if !errors.Is(p.Err(), ErrSendQueueFull) {
		t.Errorf("Err() = %v", p.Err())
	}
	// A ping flood ends the same way: pongs overflow the queue.
	p, _, _ = newFakePeer(t, func(c *Config) { c.SendQueueSize = 4 })
	for range 10 {
		if violation := p.handleIncoming(mustEncode(t, &lnwire.Ping{NumPongBytes: 1})); violation != nil {
			t.Fatal(violation)
		}
	}
	if !errors.Is(p.Err(), ErrSendQueueFull) {
		t.Errorf("after a ping flood Err() = %v, want ErrSendQueueFull", p.Err())
	}
}

func TestSendRefusesBadInput(t *testing.T) {
	p, _, _ := newFakePeer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Send(ctx, &lnwire.Ping{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	tooBig := &lnwire.UnknownMessage{Type: 0x8001, Payload: make([]byte, lnwire.MaxMessageSize)}
	if err := p.Send(context.Background(), tooBig); !errors.Is(err, lnwire.ErrMessageTooLarge) {
		t.Errorf("oversized message: %v, want lnwire.ErrMessageTooLarge", err)
	}
	if _, err := p.Ping(context.Background(), 0, MaxPingBytesLen+1); !errors.Is(err, ErrPingTooLarge) {
		t.Errorf("oversized ping: %v, want ErrPingTooLarge", err)
	}
}

func TestChannelRefuser(t *testing.T) {
	temporary := lnwire.ChannelID{0xaa, 0xbb}
	channel := lnwire.ChannelID{0x11}
	tests := []struct {
		name     string
		msg      lnwire.Message
		wantID   lnwire.ChannelID
		wantText string // "" when no reply is due
	}{
		{"open_channel", &lnwire.OpenChannel{ChainHash: regtest, TemporaryChannelID: temporary}, temporary, RefuseOpenText},
		{"open_channel2", &lnwire.OpenChannel2{ChainHash: regtest, TemporaryChannelID: temporary}, temporary, RefuseOpenText},
		{"accept_channel", &lnwire.AcceptChannel{TemporaryChannelID: temporary}, temporary, UnknownChannelText},
		{"update_add_htlc", &lnwire.UpdateAddHTLC{ChannelID: channel}, channel, UnknownChannelText},
		{"channel_reestablish", &lnwire.ChannelReestablish{ChannelID: channel}, channel, UnknownChannelText},
		{"update_fee", &lnwire.UpdateFee{ChannelID: channel}, channel, UnknownChannelText},
		{"stfu is below 32", &lnwire.Stfu{ChannelID: channel}, lnwire.ChannelID{}, ""},
		{"gossip", &lnwire.ChannelUpdate{ChainHash: regtest}, lnwire.ChannelID{}, ""},
		{"announcement_signatures", &lnwire.AnnouncementSignatures{ChannelID: channel}, lnwire.ChannelID{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _, _ := newFakePeer(t, nil) // the default handler
			if violation := p.handleIncoming(mustEncode(t, tc.msg)); violation != nil {
				t.Fatal(violation)
			}
			got := queued(t, p)
			if tc.wantText == "" {
				if len(got) != 0 {
					t.Fatalf("replied %v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("queued %d messages, want one error", len(got))
			}
			e, ok := got[0].(*lnwire.Error)
			if !ok {
				t.Fatalf("replied %s, want error", got[0].MsgType())
			}
			if e.ChannelID != tc.wantID || string(e.Data) != tc.wantText {
				t.Errorf("error for %s %q, want %s %q", e.ChannelID, e.Data, tc.wantID, tc.wantText)
			}
			if id, ok := ChannelIDOf(tc.msg); !ok || id != tc.wantID {
				t.Errorf("ChannelIDOf = %s, %v", id, ok)
			}
		})
	}
}
