package daemon

import (
	"context"
	"encoding/hex"
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/config"
	"github.com/fulmen-ln/fulmen/peer"
	"github.com/fulmen-ln/fulmen/rpc"
)

// Core Lightning's connect error codes (common/jsonrpc_errors.h).
const (
	codeConnectNoKnownAddress = 400
	codeConnectAllFailed      = 401
)

func (d *Daemon) addPeerMethods(t *rpc.Table) {
	t.Add(rpc.Method{
		Name:        "connect",
		Category:    "network",
		Params:      []rpc.Param{{Name: "id", Required: true}, {Name: "host"}, {Name: "port"}},
		Description: "Connect to {id} at {host} (which can end in ':port' if not specified separately), or id@host:port, or id@/path/to/socket.",
		Handler:     d.rpcConnect,
	})
	t.Add(rpc.Method{
		Name:        "disconnect",
		Category:    "network",
		Params:      []rpc.Param{{Name: "id", Required: true}, {Name: "force"}},
		Description: "Disconnect from {id}; refuses if it has channels unless {force} is true.",
		Handler:     d.rpcDisconnect,
	})
	t.Add(rpc.Method{
		Name:        "listpeers",
		Category:    "network",
		Params:      []rpc.Param{{Name: "id"}, {Name: "level"}},
		Description: "Show the connected peers, or only {id}.",
		Handler:     d.rpcListPeers,
	})
	t.Add(rpc.Method{
		Name:        "ping",
		Category:    "network",
		Params:      []rpc.Param{{Name: "id", Required: true}, {Name: "len"}, {Name: "pongbytes"}},
		Description: "Send a ping of {len} bytes (default 128) to {id}, asking for {pongbytes} (default 128).",
		Handler:     d.rpcPing,
	})
}

// parseNodeID reads a 33-byte compressed public key in hex.
func parseNodeID(name, text string) (*btcec.PublicKey, error) {
	raw, err := hex.DecodeString(text)
	if err == nil && len(raw) == 33 {
		if key, err := btcec.ParsePubKey(raw); err == nil {
			return key, nil
		}
	}
	return nil, rpc.InvalidParams("%s: should be a node id: invalid token '%s'", name, text)
}

// nodeIDParam reads a required node id parameter.
func nodeIDParam(p rpc.Params, name string) (*btcec.PublicKey, error) {
	text, err := p.String(name)
	if err != nil {
		return nil, err
	}
	return parseNodeID(name, text)
}

// connectAddress resolves connect's forms into a node id and a dial
// address: "id@host:port", "id@host", "id@/unix/socket", and id with host
// and port given separately. A missing port is the network's default.
func (d *Daemon) connectAddress(p rpc.Params) (*btcec.PublicKey, string, error) {
	idText, err := p.String("id")
	if err != nil {
		return nil, "", err
	}
	host, err := p.OptionalString("host")
	if err != nil {
		return nil, "", err
	}
	port, err := p.OptionalUint64("port")
	if err != nil {
		return nil, "", err
	}
	if at := strings.IndexByte(idText, '@'); at >= 0 {
		if host != nil {
			return nil, "", rpc.InvalidParams("host: Can't specify host as both xxx@yyy and separate argument")
		}
		h := idText[at+1:]
		host, idText = &h, idText[:at]
	}
	id, err := parseNodeID("id", idText)
	if err != nil {
		return nil, "", err
	}
	if host == nil || *host == "" {
		return nil, "", &rpc.Error{Code: codeConnectNoKnownAddress, Message: "Unable to connect, no address known for peer"}
	}
	if strings.HasPrefix(*host, "/") {
		if port != nil {
			return nil, "", rpc.InvalidParams("port: Can't specify a port for a Unix socket")
		}
		return id, *host, nil
	}
	if port != nil {
		if *port == 0 || *port > 65535 {
			return nil, "", rpc.InvalidParams("port: should be a port number: invalid token '%d'", *port)
		}
		return id, net.JoinHostPort(strings.Trim(*host, "[]"), strconv.FormatUint(*port, 10)), nil
	}
	if _, _, err := net.SplitHostPort(*host); err == nil {
		return id, *host, nil
	}
	return id, net.JoinHostPort(strings.Trim(*host, "[]"), strconv.Itoa(int(d.cfg.Network.DefaultPort()))), nil
}

// connectReply is connect's reply, as Core Lightning's.
type connectReply struct {
	ID        string  `json:"id"`
	Features  string  `json:"features"`
	Direction string  `json:"direction"` // "in" or "out"
	Address   Address `json:"address"`
}

func (d *Daemon) rpcConnect(ctx context.Context, p rpc.Params) (any, error) {
	id, address, err := d.connectAddress(p)
	if err != nil {
		return nil, err
	}
	info, err := d.peers.Connect(ctx, id, address)
	if err != nil {
		if errors.Is(err, peer.ErrBadAddress) {
			return nil, rpc.InvalidParams("%v", err)
		}
		return nil, &rpc.Error{Code: codeConnectAllFailed, Message: "Connection establishment: " + err.Error()}
	}
	direction := "out"
	if info.Direction == peer.Inbound {
		direction = "in"
	}
	return connectReply{ID: hex.EncodeToString(id.SerializeCompressed()), Features: info.FeaturesHex(),
		Direction: direction, Address: addressOf(address)}, nil
}

// addressOf describes a dialled or bound address as Core Lightning does.
func addressOf(address string) Address {
	if strings.HasPrefix(address, "/") {
		return Address{Type: "local socket", Socket: address}
	}
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return Address{Type: "dns", Address: address}
	}
	port, _ := strconv.Atoi(portText)
	kind := "dns"
	if ip := net.ParseIP(host); ip != nil {
		kind = "ipv6"
		if ip.To4() != nil {
			kind = "ipv4"
		}
	}
	return Address{Type: kind, Address: host, Port: uint16(port)}
}

func (d *Daemon) rpcDisconnect(_ context.Context, p rpc.Params) (any, error) {
	id, err := nodeIDParam(p, "id")
	if err != nil {
		return nil, err
	}
	force, err := p.OptionalBool("force")
	if err != nil {
		return nil, err
	}
	err = d.peers.Disconnect(id, force != nil && *force)
	switch {
	case errors.Is(err, peer.ErrNotConnected):
		return nil, rpc.Errorf(rpc.CodeLightningd, "Peer not connected")
	case errors.Is(err, peer.ErrActiveChannels):
		return nil, rpc.Errorf(rpc.CodeLightningd, "Peer has active channels: use force=true to disconnect")
	case err != nil:
		return nil, err
	}
	return struct{}{}, nil
}

// peerJSON is one entry of listpeers, as Core Lightning's.
type peerJSON struct {
	ID          string   `json:"id"`
	Connected   bool     `json:"connected"`
	NumChannels int      `json:"num_channels"`
	NetAddr     []string `json:"netaddr,omitempty"`
	RemoteAddr  string   `json:"remote_addr,omitempty"`
	Features    string   `json:"features,omitempty"`
}

func (d *Daemon) rpcListPeers(_ context.Context, p rpc.Params) (any, error) {
	var only *btcec.PublicKey
	if text, err := p.OptionalString("id"); err != nil {
		return nil, err
	} else if text != nil {
		if only, err = parseNodeID("id", *text); err != nil {
			return nil, err
		}
	}
	if level, err := p.OptionalString("level"); err != nil {
		return nil, err
	} else if level != nil {
		if _, err := config.ParseLogLevel(*level); err != nil {
			return nil, rpc.InvalidParams("level: %v", err)
		}
	}
	var infos []peer.Info
	if only != nil {
		if info, ok := d.peers.Peer(only); ok {
			infos = append(infos, info)
		}
	} else {
		infos = d.peers.Peers()
	}
	out := []peerJSON{}
	for _, info := range infos {
		entry := peerJSON{ID: hex.EncodeToString(info.ID.SerializeCompressed()), Connected: info.Connected,
			NetAddr: info.NetAddr, RemoteAddr: info.RemoteAddr, NumChannels: len(d.channels.List(info.ID))}
		if info.Connected {
			entry.Features = info.FeaturesHex()
		}
		out = append(out, entry)
	}
	return map[string]any{"peers": out}, nil
}

func (d *Daemon) rpcPing(ctx context.Context, p rpc.Params) (any, error) {
	id, err := nodeIDParam(p, "id")
	if err != nil {
		return nil, err
	}
	length, pongBytes := uint64(128), uint64(128)
	if v, err := p.OptionalUint64("len"); err != nil {
		return nil, err
	} else if v != nil {
		length = *v
	}
	if v, err := p.OptionalUint64("pongbytes"); err != nil {
		return nil, err
	} else if v != nil {
		pongBytes = *v
	}
	// BOLT #1: a ping is at most 65535 bytes: type (2), num_pong_bytes (2),
	// byteslen (2) and the ignored bytes.
	if length > 65535-6 {
		return nil, rpc.InvalidParams("len: should be at most 65529: invalid token '%d'", length)
	}
	if pongBytes > 65535 {
		return nil, rpc.InvalidParams("pongbytes: should be at most 65535: invalid token '%d'", pongBytes)
	}
	totlen, err := d.peers.Ping(ctx, id, uint16(pongBytes), uint16(length))
	if errors.Is(err, peer.ErrNotConnected) {
		return nil, rpc.Errorf(rpc.CodeLightningd, "Peer not connected")
	}
	if err != nil {
		return nil, err
	}
	return map[string]int{"totlen": totlen}, nil
}
