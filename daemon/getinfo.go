package daemon

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/fulmen-ln/fulmen/config"
	"github.com/fulmen-ln/fulmen/rpc"
)

// methods builds the daemon's JSON-RPC method table.
func (d *Daemon) methods() *rpc.Table {
	t := rpc.NewTable()
	t.Add(rpc.Method{
		Name:        "getinfo",
		Category:    "utility",
		Description: "Show information about this node.",
		Handler:     d.getinfo,
	})
	t.Add(rpc.Method{
		Name:        "stop",
		Category:    "utility",
		Description: "Shut down the fulmend process.",
		Handler: func(context.Context, rpc.Params) (any, error) {
			d.requestStop()
			return map[string]string{"result": "Shutdown complete"}, nil
		},
	})
	d.addInvoiceMethods(t)
	d.addFundsMethods(t) // the wallet's methods; listfunds shows channels too
	d.addPeerMethods(t)
	d.addChannelMethods(t)
	d.addListPaysMethods(t)
	d.addForwardMethods(t)
	return t
}

// Address is one entry of getinfo's address and binding lists.
type Address struct {
	Type    string `json:"type"` // ipv4, ipv6, torv3, dns, local socket
	Address string `json:"address,omitempty"`
	Port    uint16 `json:"port,omitempty"`
	Socket  string `json:"socket,omitempty"`
}

// GetInfo is getinfo's reply, with Core Lightning's field names.
type GetInfo struct {
	ID                  string    `json:"id"`
	Alias               string    `json:"alias"`
	Color               string    `json:"color"`
	NumPeers            int       `json:"num_peers"`
	NumPendingChannels  int       `json:"num_pending_channels"`
	NumActiveChannels   int       `json:"num_active_channels"`
	NumInactiveChannels int       `json:"num_inactive_channels"`
	Address             []Address `json:"address"`
	Binding             []Address `json:"binding"`
	Version             string    `json:"version"`
	BlockHeight         uint32    `json:"blockheight"`
	Network             string    `json:"network"`
	FeesCollectedMsat   uint64    `json:"fees_collected_msat"`
	LightningDir        string    `json:"lightning-dir"`
}

func (d *Daemon) getinfo(context.Context, rpc.Params) (any, error) {
	id := d.signer.NodeID().SerializeCompressed()
	info := GetInfo{
		ID:           hex.EncodeToString(id),
		Alias:        d.alias(id),
		Color:        d.color(id),
		Address:      announcedAddresses(d.cfg.Announce),
		Binding:      append([]Address{}, d.bound...),
		NumPeers:     d.connectedPeers(),
		Version:      Version,
		BlockHeight:  d.tipHeight.Load(),
		Network:      string(d.cfg.Network),
		LightningDir: d.cfg.NetworkDir,
	}
	counts := d.channels.Count()
	info.NumPendingChannels, info.NumActiveChannels, info.NumInactiveChannels = counts.Pending, counts.Active, counts.Inactive
	return info, nil
}

func (d *Daemon) alias(id []byte) string {
	if d.cfg.Alias != "" {
		return sanitizeAlias(d.cfg.Alias)
	}
	return defaultAlias(id)
}

func (d *Daemon) color(id []byte) string {
	if d.cfg.Color != nil {
		return fmt.Sprintf("%x", d.cfg.Color[:])
	}
	return defaultColor(id)
}

// hexID is the node id in hex, for logs and errors.
func (d *Daemon) hexID() string { return hex.EncodeToString(d.signer.NodeID().SerializeCompressed()) }

// announcedAddresses renders addresses in getinfo's form.
func announcedAddresses(list []config.Address) []Address {
	out := []Address{}
	for _, a := range list {
		entry := Address{Address: a.Host, Port: a.Port}
		switch a.Kind {
		case config.AddressIPv4:
			entry.Type = "ipv4"
		case config.AddressIPv6:
			entry.Type = "ipv6"
		case config.AddressTorV3:
			entry.Type = "torv3"
		case config.AddressDNS:
			entry.Type = "dns"
		default:
			continue
		}
		out = append(out, entry)
	}
	return out
}

func (d *Daemon) connectedPeers() int {
	n := 0
	for _, p := range d.peers.Peers() {
		if p.Connected {
			n++
		}
	}
	return n
}
