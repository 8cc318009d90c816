package peer

import (
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// fuzzSeeds are well-formed and broken messages of every kind the read
// loop meets.
func fuzzSeeds(t testing.TB) [][]byte {
	return [][]byte{
		mustEncode(t, &lnwire.Ping{NumPongBytes: 4, Ignored: []byte{1}}),
		mustEncode(t, &lnwire.Ping{NumPongBytes: 65532}),
		mustEncode(t, &lnwire.Pong{Ignored: make([]byte, 4)}),
		mustEncode(t, &lnwire.Error{Data: []byte("boom")}),
		mustEncode(t, &lnwire.Warning{ChannelID: lnwire.ChannelID{1}, Data: []byte{0xff}}),
		mustEncode(t, &lnwire.OpenChannel{ChainHash: regtest, TemporaryChannelID: lnwire.ChannelID{2}}),
		mustEncode(t, &lnwire.UpdateAddHTLC{ChannelID: lnwire.ChannelID{3}}),
		mustEncode(t, &lnwire.GossipTimestampFilter{ChainHash: regtest}),
		initMessage(t, DefaultFeatures().Bits(), nil, chains(regtest), []byte{1, 1, 2, 3, 4, 0, 1}),
		initMessage(t, []lnwire.FeatureBit{100, lnwire.BasicMPPOptional}, []lnwire.FeatureBit{2}, chains(), nil),
		{0x80, 0x00},
		{0x80, 0x01, 0x00},
		{0x00, 0x12, 0x00, 0x04, 0x00, 0x08},
		{0x00},
		{},
	}
}

// FuzzHandleIncoming feeds arbitrary post-handshake message bytes to a
// Peer's message processing: it must never panic, fail only with a
// protocol sentinel, and queue only messages that decode.
func FuzzHandleIncoming(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	base, _, _ := newFakePeer(f, nil)
	cfg := *base.cfg
	remote := base.id
	f.Fuzz(func(t *testing.T, raw []byte) {
		handler := &recordingHandler{}
		c := cfg
		c.Handler = handler
		c.SendQueueSize = 4
		p := newPeer(&c, newFakeConn(remote, 1), Inbound)
		p.remoteFeatures = DefaultFeatures()
		// Twice: state (outstanding pings, the queue) carries over.
		for range 2 {
			violation := p.handleIncoming(raw)
			if violation != nil {
				if !errors.Is(violation, ErrUnknownEvenMessage) && !errors.Is(violation, ErrMalformedMessage) {
					t.Fatalf("violation %v has no protocol sentinel", violation)
				}
				if violation.Warning == "" {
					t.Fatal("a decoding failure must be answered with a warning")
				}
				break
			}
		}
		for _, msg := range queued(t, p) {
			switch msg.(type) {
			case *lnwire.Pong, *lnwire.Error:
			default:
				t.Fatalf("queued an unexpected %s", msg.MsgType())
			}
		}
		for _, msg := range handler.got {
			switch msg.(type) {
			case *lnwire.Ping, *lnwire.Pong, *lnwire.Init, *lnwire.Error, *lnwire.Warning, *lnwire.UnknownMessage:
				t.Fatalf("link-level %s reached the handler", msg.MsgType())
			}
		}
	})
}

// FuzzAcceptInit feeds arbitrary bytes as the first message: only a valid
// init whose features we can live with is accepted, and nothing is said
// before an init was received.
func FuzzAcceptInit(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	base, _, _ := newFakePeer(f, nil)
	cfg := *base.cfg
	remote := base.id
	f.Fuzz(func(t *testing.T, raw []byte) {
		p := newPeer(&cfg, newFakeConn(remote, 1), Outbound)
		violation := p.acceptInit(raw)
		msg, decodeErr := lnwire.ReadMessage(raw)
		_, isInit := msg.(*lnwire.Init)
		if violation == nil {
			if decodeErr != nil || !isInit {
				t.Fatalf("accepted %x, which is not an init", raw)
			}
			if unknown := p.remoteFeatures.UnknownRequired(cfg.Features); len(unknown) > 0 {
				t.Fatalf("accepted unknown required bits %v", unknown)
			}
			if err := p.remoteFeatures.CheckDependencies(); err != nil {
				t.Fatalf("accepted broken dependencies: %v", err)
			}
			return
		}
		if violation.Warning != "" && (decodeErr != nil || !isInit) {
			t.Fatalf("warning %q sent before an init was received", violation.Warning)
		}
	})
}
