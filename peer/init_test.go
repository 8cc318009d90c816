package peer

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// initMessage builds an init with features (local field), optional global
// features, and networks (nil: no record).
func initMessage(t testing.TB, local, global []lnwire.FeatureBit, networks *[]lnwire.ChainHash, remoteAddr []byte) []byte {
	t.Helper()
	msg := &lnwire.Init{
		GlobalFeatures: lnwire.NewFeatureVector(global...).Encode(),
		Features:       lnwire.NewFeatureVector(local...).Encode(),
	}
	msg.TLVs.Networks = networks
	if remoteAddr != nil {
		msg.TLVs.RemoteAddr = &remoteAddr
	}
	return mustEncode(t, msg)
}

func chains(c ...lnwire.ChainHash) *[]lnwire.ChainHash { return &c }

func TestAcceptInit(t *testing.T) {
	defaults := DefaultFeatures().Bits()
	other := lnwire.ChainHash{1}
	publicAddr := []byte{1, 203, 0, 113, 9, 0x26, 0x07} // 203.0.113.9:9735
	tests := []struct {
		name        string
		raw         []byte
		wantErr     error  // nil: accepted
		wantWarning string // text the warning must contain; "" for none
		wantAddr    string
	}{
		{name: "defaults", raw: initMessage(t, defaults, nil, chains(regtest), nil)},
		{name: "no features, no networks", raw: initMessage(t, nil, nil, nil, nil)},
		{name: "unknown odd bit ignored", raw: initMessage(t, append(defaults, 101), nil, nil, nil)},
		{name: "global features merged", raw: initMessage(t, nil, []lnwire.FeatureBit{1, 9}, nil, nil)},
		{name: "our chain among others", raw: initMessage(t, nil, nil, chains(other, regtest), nil)},
		{name: "remote_addr recorded", raw: initMessage(t, nil, nil, nil, publicAddr), wantAddr: "203.0.113.9:9735"},
		{name: "bad remote_addr ignored", raw: initMessage(t, nil, nil, nil, []byte{1, 2, 3})},
		{
			name: "unknown even bit", raw: initMessage(t, append(defaults, 100), nil, nil, nil),
			wantErr: ErrUnknownRequiredFeature, wantWarning: "unknown required feature bits: 100",
		},
		{
			// bit 2 was never a valid required bit (initial_routing_sync
			// was optional only)
			name: "unknown even bit in globalfeatures", raw: initMessage(t, nil, []lnwire.FeatureBit{2}, nil, nil),
			wantErr: ErrUnknownRequiredFeature, wantWarning: "bits: 2",
		},
		{
			// option_anchors is a known BOLT 9 feature, but not ours.
			name: "required feature we do not support", raw: initMessage(t, []lnwire.FeatureBit{22}, nil, nil, nil),
			wantErr: ErrUnknownRequiredFeature, wantWarning: "22",
		},
		{
			name: "dependency missing", raw: initMessage(t, []lnwire.FeatureBit{lnwire.BasicMPPOptional}, nil, nil, nil),
			wantErr: ErrFeatureDependency, wantWarning: "basic_mpp (bit 17) needs payment_secret",
		},
		{
			name: "no common chain", raw: initMessage(t, defaults, nil, chains(other), nil),
			wantErr: ErrNoCommonChain, wantWarning: "no common chain",
		},
		{
			name: "empty networks", raw: initMessage(t, defaults, nil, chains(), nil),
			wantErr: ErrNoCommonChain, wantWarning: "no common chain",
		},
		{name: "ping first", raw: mustEncode(t, &lnwire.Ping{}), wantErr: ErrFirstMessageNotInit},
		{name: "unknown odd message first", raw: []byte{0x80, 0x01}, wantErr: ErrFirstMessageNotInit},
		{name: "one byte", raw: []byte{0x00}, wantErr: ErrFirstMessageNotInit},
		{name: "truncated init", raw: []byte{0x00, 0x10, 0x00, 0x05, 0x01}, wantErr: ErrMalformedMessage},
		{name: "init with bad extension", raw: append(initMessage(t, nil, nil, nil, nil), 0x02, 0x00), wantErr: ErrMalformedMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _, _ := newFakePeer(t, nil)
			p.remoteFeatures = lnwire.FeatureVector{}
			violation := p.acceptInit(tc.raw)
			if tc.wantErr == nil {
				if violation != nil {
					t.Fatalf("refused: %v", violation)
				}
				if p.remoteAddr != tc.wantAddr {
					t.Errorf("remote_addr %q, want %q", p.remoteAddr, tc.wantAddr)
				}
				return
			}
			if violation == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(violation, tc.wantErr) {
				t.Fatalf("got %v, want %v", violation, tc.wantErr)
			}
			if tc.wantWarning == "" && violation.Warning != "" {
				t.Errorf("warning %q sent before init was received", violation.Warning)
			}
			if !strings.Contains(violation.Warning, tc.wantWarning) {
				t.Errorf("warning %q does not contain %q", violation.Warning, tc.wantWarning)
			}
		})
	}
}

func TestUnknownFeatureErrorNamesBits(t *testing.T) {
	p, _, _ := newFakePeer(t, nil)
	violation := p.acceptInit(initMessage(t, []lnwire.FeatureBit{100, 102, 103}, nil, nil, nil))
	var unknown *UnknownFeatureError
	if !errors.As(violation, &unknown) {
		t.Fatalf("got %v, want an *UnknownFeatureError", violation)
	}
	if got := joinBits(unknown.Bits); got != "100,102" {
		t.Errorf("bits %s, want 100,102 (odd 103 is fine)", got)
	}
}

func TestOurInit(t *testing.T) {
	p, _, _ := newFakePeer(t, nil)
	for _, direction := range []Direction{Inbound, Outbound} {
		p.direction = direction
		init := p.ourInit()
		if got := lnwire.DecodeFeatures(init.Features); !got.Equal(DefaultFeatures()) {
			t.Errorf("features %s, want the defaults", got)
		}
		if init.TLVs.Networks == nil || len(*init.TLVs.Networks) != 1 || (*init.TLVs.Networks)[0] != regtest {
			t.Errorf("networks %v, want [regtest]", init.TLVs.Networks)
		}
		// The fake connection comes from a public address: only the
		// receiver of the connection reports it.
		if (init.TLVs.RemoteAddr != nil) != (direction == Inbound) {
			t.Errorf("%s: remote_addr %v", direction, init.TLVs.RemoteAddr)
		}
	}
}

func TestRemoteAddrDescriptor(t *testing.T) {
	tests := []struct {
		name string
		addr net.Addr
		want []byte // nil: not sent
	}{
		{"public IPv4", &net.TCPAddr{IP: net.IPv4(203, 0, 113, 9), Port: 9735}, []byte{1, 203, 0, 113, 9, 0x26, 0x07}},
		{"public IPv6", &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 1},
			append(append([]byte{2}, net.ParseIP("2001:db8::1")...), 0, 1)},
		{"loopback", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9735}, nil},
		{"private", &net.TCPAddr{IP: net.IPv4(192, 168, 1, 2), Port: 9735}, nil},
		{"private IPv6", &net.TCPAddr{IP: net.ParseIP("fd00::1"), Port: 9735}, nil},
		{"link-local", &net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 9735}, nil},
		{"unix socket", &net.UnixAddr{Name: "/tmp/x.sock", Net: "unix"}, nil},
		{"nil", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := remoteAddrDescriptor(tc.addr)
			if ok != (tc.want != nil) || string(got) != string(tc.want) {
				t.Fatalf("got %x (%v), want %x", got, ok, tc.want)
			}
			if ok {
				if _, err := lnwire.DecodeAddresses(got); err != nil {
					t.Fatalf("not a valid descriptor: %v", err)
				}
			}
		})
	}
}
