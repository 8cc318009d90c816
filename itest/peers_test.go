package itest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/rpc"
)

type listedPeer struct {
	ID        string   `json:"id"`
	Connected bool     `json:"connected"`
	NetAddr   []string `json:"netaddr"`
	Features  string   `json:"features"`
}

func listPeers(t *testing.T, n *devnet.Node) []listedPeer {
	t.Helper()
	var reply struct {
		Peers []listedPeer `json:"peers"`
	}
	if err := n.Call(context.Background(), "listpeers", nil, &reply); err != nil {
		t.Fatal(err)
	}
	return reply.Peers
}

func seesPeer(t *testing.T, n *devnet.Node, id string) bool {
	for _, p := range listPeers(t, n) {
		if p.ID == id && p.Connected && p.Features != "" {
			return true
		}
	}
	return false
}

func TestFulmenNodesConnectOverTCPAndUnixSocket(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	alice := net.AddNode(t, "alice")
	bob := net.AddNode(t, "bob")
	ctx := context.Background()
	aliceID, bobID := info(t, alice).ID, info(t, bob).ID

	// TCP, id@host:port form.
	var reply struct {
		ID        string `json:"id"`
		Direction string `json:"direction"`
		Features  string `json:"features"`
	}
	if err := alice.Call(ctx, "connect", []any{bobID + "@" + bob.P2PAddress}, &reply); err != nil {
		t.Fatal(err)
	}
	if reply.ID != bobID || reply.Direction != "out" || reply.Features == "" {
		t.Fatalf("connect reply %+v", reply)
	}
	waitFor(t, 10*time.Second, "both sides to list each other", func() bool {
		return seesPeer(t, alice, bobID) && seesPeer(t, bob, aliceID)
	})
	var gi struct {
		NumPeers int `json:"num_peers"`
		Binding  []struct {
			Type string `json:"type"`
		} `json:"binding"`
	}
	bob.Call(ctx, "getinfo", nil, &gi)
	if gi.NumPeers != 1 || len(gi.Binding) != 2 {
		t.Fatalf("bob getinfo: %+v", gi)
	}
	var pong struct {
		Totlen int `json:"totlen"`
	}
	if err := alice.Call(ctx, "ping", map[string]any{"id": bobID, "len": 64, "pongbytes": 100}, &pong); err != nil {
		t.Fatal(err)
	}
	// pong: type (2) + byteslen (2) + 100 bytes.
	if pong.Totlen != 104 {
		t.Fatalf("ping totlen %d", pong.Totlen)
	}

	if err := alice.Call(ctx, "disconnect", []any{bobID}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "bob to notice the disconnect", func() bool { return !seesPeer(t, bob, aliceID) })

	// Unix socket, id host form; then bob connects back over TCP with
	// separate host and port, which replaces nothing and just works.
	if err := alice.Call(ctx, "connect", []any{bobID, bob.PeerSocket}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "reconnection over the Unix socket", func() bool {
		return seesPeer(t, alice, bobID) && seesPeer(t, bob, aliceID)
	})
	host, port, _ := strings.Cut(alice.P2PAddress, ":")
	if err := bob.Call(ctx, "connect", map[string]any{"id": aliceID, "host": host, "port": port}, nil); err != nil {
		t.Fatal(err)
	}
	if !seesPeer(t, alice, bobID) || !seesPeer(t, bob, aliceID) {
		t.Fatal("peers lost after the second connect")
	}
}

func TestConnectErrors(t *testing.T) {
	t.Parallel()
	net := devnet.Start(t)
	alice := net.AddNode(t, "alice")
	ctx := context.Background()
	someID := "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" // the generator point
	tests := []struct {
		name   string
		params []any
		code   int
	}{
		{"malformed id", []any{"nothex@127.0.0.1:1"}, rpc.CodeInvalidParams},
		{"short id", []any{"02abcd@127.0.0.1:1"}, rpc.CodeInvalidParams},
		{"no address", []any{someID}, 400},
		{"unreachable", []any{someID + "@127.0.0.1:1"}, 401},
		{"no such socket", []any{someID + "@/nonexistent/socket"}, 401},
	}
	for _, tc := range tests {
		var rerr *rpc.Error
		err := alice.Call(ctx, "connect", tc.params, nil)
		if !errors.As(err, &rerr) || rerr.Code != tc.code {
			t.Errorf("%s: %v, want code %d", tc.name, err, tc.code)
		}
	}
	var rerr *rpc.Error
	if err := alice.Call(ctx, "ping", []any{someID}, nil); !errors.As(err, &rerr) {
		t.Errorf("ping unknown peer: %v", err)
	}
	if err := alice.Call(ctx, "disconnect", []any{someID}, nil); !errors.As(err, &rerr) {
		t.Errorf("disconnect unknown peer: %v", err)
	}
}
