package funding

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// The channel_type fields lnd v0.21 sends: the even bits of the type in
// the smallest big-endian bitmap (BOLT #2 "Defined Channel Types", BOLT #1
// feature encoding).
func TestChannelTypeBits(t *testing.T) {
	tests := []struct {
		t   channeltx.ChannelType
		hex string
	}{
		{channeltx.StaticRemoteKey, "1000"},      // bit 12
		{channeltx.AnchorsZeroFeeHTLC, "401000"}, // bits 22 and 12
	}
	for _, tc := range tests {
		if got := hex.EncodeToString(ChannelTypeBits(tc.t)); got != tc.hex {
			t.Errorf("%s: %s, want %s", tc.t, got, tc.hex)
		}
		bits, _ := hex.DecodeString(tc.hex)
		if got, ok := ParseChannelType(bits); !ok || got != tc.t {
			t.Errorf("parse %s: %s %v", tc.hex, got, ok)
		}
	}
	for _, bad := range []string{"", "00", "0400", "400000", "40001000", "4000000000401000", "04401000", "1001"} {
		bits, _ := hex.DecodeString(bad)
		if got, ok := ParseChannelType(bits); ok {
			t.Errorf("%q parsed as %s", bad, got)
		}
	}
}

// TestChannelTypeNegotiation runs whole negotiations: the type the opener
// picks, the exact echo, and refusals.
func TestChannelTypeNegotiation(t *testing.T) {
	tests := []struct {
		name             string
		openerFeatures   lnwire.FeatureVector
		accepterFeatures lnwire.FeatureVector
		wish             channeltx.ChannelType
		want             channeltx.ChannelType
		wantErr          error
	}{
		{name: "both support anchors", openerFeatures: fullFeatures(), accepterFeatures: fullFeatures(), want: channeltx.AnchorsZeroFeeHTLC},
		{name: "only the opener supports anchors", openerFeatures: fullFeatures(), accepterFeatures: basicFeatures(), want: channeltx.StaticRemoteKey},
		{name: "only the accepter supports anchors", openerFeatures: basicFeatures(), accepterFeatures: fullFeatures(), want: channeltx.StaticRemoteKey},
		{name: "static_remotekey asked", openerFeatures: fullFeatures(), accepterFeatures: fullFeatures(), wish: channeltx.StaticRemoteKey, want: channeltx.StaticRemoteKey},
		{name: "anchors asked of a peer without them", openerFeatures: fullFeatures(), accepterFeatures: basicFeatures(),
			wish: channeltx.AnchorsZeroFeeHTLC, wantErr: ErrUnsupportedChannelType},
		{name: "anchors asked by a node without them", openerFeatures: basicFeatures(), accepterFeatures: fullFeatures(),
			wish: channeltx.AnchorsZeroFeeHTLC, wantErr: ErrUnsupportedChannelType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(tc.openerFeatures, tc.accepterFeatures)
			var open, accept []byte
			p.mutate = func(to *side, m lnwire.Message) {
				if a, ok := m.(*lnwire.AcceptChannel); ok {
					accept = *a.TLVs.ChannelType
				}
			}
			cmd := defaultOpen()
			cmd.ChannelType = tc.wish
			err := p.step(p.opener, withPeer(p, cmd))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || ActionOf(err) != Reject {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			open = *p.queue[0].msg.(*lnwire.OpenChannel).TLVs.ChannelType
			if err := p.run(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(open, ChannelTypeBits(tc.want)) {
				t.Errorf("open_channel channel_type %x, want %x", open, ChannelTypeBits(tc.want))
			}
			// BOLT #2: [accept_channel sender] MUST set channel_type to the
			// channel_type from open_channel; lnd fails the flow unless
			// the echo is the very type it proposed.
			if !bytes.Equal(accept, open) {
				t.Errorf("accept_channel channel_type %x, open_channel %x", accept, open)
			}
			for _, s := range []*side{p.opener, p.accepter} {
				if s.handOver == nil || s.handOver.Channel.Type != tc.want {
					t.Errorf("%s: handed over %v", s.name, s.handOver)
				}
			}
		})
	}
}

func withPeer(p *pair, cmd Open) Open {
	cmd.Keys, cmd.PeerFeatures = p.opener.signer.keys(), p.accepter.features
	return cmd
}

// An lnd opener sends {anchors, static_remotekey} when both set bit 23, else
// {static_remotekey}; both must be taken, and echoed byte for byte, even
// in a longer encoding than needed.
func TestAccepterEchoesTheOpenersChannelType(t *testing.T) {
	for _, field := range []string{"1000", "401000", "001000", "00401000"} {
		t.Run(field, func(t *testing.T) {
			bits, _ := hex.DecodeString(field)
			msg := validOpenChannel(t, fullFeatures(), defaultOpen())
			msg.TLVs.ChannelType = &bits
			bob := newSide("bob", fullFeatures())
			state, effects, err := Step(State{}, bob.env, OpenChannelReceived{Msg: msg, PeerFeatures: fullFeatures(), Keys: bob.signer.keys()})
			if err != nil {
				t.Fatal(err)
			}
			accept := effects[0].(SendMessage).Msg.(*lnwire.AcceptChannel)
			if !bytes.Equal(*accept.TLVs.ChannelType, bits) {
				t.Errorf("echoed %x", *accept.TLVs.ChannelType)
			}
			if want, _ := ParseChannelType(bits); state.Type != want {
				t.Errorf("type %s, want %s", state.Type, want)
			}
		})
	}
}

// The opener compares types, not encodings.
func TestOpenerTakesALongerEchoOfItsType(t *testing.T) {
	alice, msg := openerAwaitingAccept(t, defaultOpen())
	longer := append([]byte{0}, ChannelTypeBits(channeltx.AnchorsZeroFeeHTLC)...)
	msg.TLVs.ChannelType = &longer
	if _, _, err := Step(alice.state, alice.env, PeerMessage{Msg: msg}); err != nil {
		t.Fatal(err)
	}
}

func TestValidShutdownScript(t *testing.T) {
	tests := []struct {
		name      string
		hex       string
		anySegwit bool
		want      bool
	}{
		{"p2wpkh", "0014" + "ab" + "00000000000000000000000000000000000000", false, true},
		{"p2wsh", "0020" + "0000000000000000000000000000000000000000000000000000000000000000", false, true},
		{"taproot without anysegwit", "5120" + "0000000000000000000000000000000000000000000000000000000000000000", false, false},
		{"taproot with anysegwit", "5120" + "0000000000000000000000000000000000000000000000000000000000000000", true, true},
		{"v16 two bytes", "60020102", true, true},
		{"v1 one byte push", "510101", true, false},
		{"v1 41 bytes", "5129" + "0000000000000000000000000000000000000000000000000000000000000000000000000000000000", true, false},
		{"v1 length mismatch", "512001", true, false},
		{"p2wpkh too short", "00130000000000000000000000000000000000000000", false, false},
		{"p2pkh", "76a914000000000000000000000000000000000000000088ac", true, false},
		{"p2sh", "a914000000000000000000000000000000000000000087", true, false},
		{"op_return", "6a0401020304", true, false},
		{"empty", "", true, false},
	}
	for _, tc := range tests {
		script, err := hex.DecodeString(tc.hex)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := validShutdownScript(script, tc.anySegwit); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNames(t *testing.T) {
	names := map[string]string{
		Opener.String(): "opener", Accepter.String(): "accepter", Role(7).String(): "Role(7)",
		AwaitingAccept.String(): "awaiting-accept", Established.String(): "established", Phase(99).String(): "Phase(99)",
		Fail.String(): "fail-negotiation", Action(9).String(): "Action(9)",
	}
	for got, want := range names {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
}
