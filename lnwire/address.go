package lnwire

import (
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// AddressType is the first byte of a BOLT 7 address descriptor.
type AddressType byte

// Address descriptor types (BOLT 7, node_announcement).
const (
	AddressIPv4  AddressType = 1 // [4:ipv4_addr][2:port]
	AddressIPv6  AddressType = 2 // [16:ipv6_addr][2:port]
	AddressTorV2 AddressType = 3 // deprecated: [10:onion_addr][2:port]
	AddressTorV3 AddressType = 4 // [35:onion_addr][2:port]
	AddressDNS   AddressType = 5 // [1:hostname_len][hostname_len:hostname][2:port]
)

// Address is one address descriptor of node_announcement's addresses (and
// of init's remote_addr).
type Address struct {
	Type  AddressType
	IP    netip.Addr // AddressIPv4, AddressIPv6
	Onion []byte     // AddressTorV2 (10 bytes), AddressTorV3 (35 bytes)
	Host  string     // AddressDNS: ASCII hostname
	Port  uint16
}

// ErrBadAddress reports an address descriptor that cannot be decoded or
// encoded.
var ErrBadAddress = errors.New("lnwire: bad address descriptor")

var onionBase32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// String returns "1.2.3.4:9735", "[::1]:9735", "<onion>.onion:9735" or
// "host:9735".
func (a Address) String() string {
	port := strconv.Itoa(int(a.Port))
	switch a.Type {
	case AddressIPv4, AddressIPv6:
		return netip.AddrPortFrom(a.IP, a.Port).String()
	case AddressTorV2, AddressTorV3:
		return strings.ToLower(onionBase32.EncodeToString(a.Onion)) + ".onion:" + port
	}
	return a.Host + ":" + port
}

// ParseAddress reads the String form: an IPv4 or IPv6 address with port, a
// Tor v3 ".onion" host (56 base32 characters) with port, or a DNS hostname
// with port.
func ParseAddress(text string) (Address, error) {
	if ap, err := netip.ParseAddrPort(text); err == nil {
		if ap.Addr().Is4() || ap.Addr().Is4In6() {
			return Address{Type: AddressIPv4, IP: ap.Addr().Unmap(), Port: ap.Port()}, nil
		}
		return Address{Type: AddressIPv6, IP: ap.Addr(), Port: ap.Port()}, nil
	}
	host, portText, found := strings.Cut(text, ":")
	port, err := strconv.ParseUint(portText, 10, 16)
	if !found || err != nil || host == "" {
		return Address{}, fmt.Errorf("%w: %q is not host:port", ErrBadAddress, text)
	}
	if name, ok := strings.CutSuffix(host, ".onion"); ok {
		onion, err := onionBase32.DecodeString(strings.ToUpper(name))
		if err != nil || len(onion) != 35 {
			return Address{}, fmt.Errorf("%w: %q is not a Tor v3 address", ErrBadAddress, host)
		}
		return Address{Type: AddressTorV3, Onion: onion, Port: uint16(port)}, nil
	}
	a := Address{Type: AddressDNS, Host: host, Port: uint16(port)}
	if _, err := EncodeAddresses([]Address{a}); err != nil {
		return Address{}, err
	}
	return a, nil
}

// DecodeAddresses reads a list of address descriptors. BOLT 7: the receiver
// "SHOULD ignore the first `address descriptor` that does NOT match the types
// defined above": an unknown type ends the list, since its length is
// unknown, and what follows is ignored. A known descriptor cut short is an
// error (BOLT 7: "if `addrlen` is insufficient to hold the address
// descriptors of the known types: SHOULD send a `warning`").
func DecodeAddresses(b []byte) ([]Address, error) {
	var out []Address
	r := &wireReader{buf: b}
	for r.more() {
		a := Address{Type: AddressType(r.u8())}
		switch a.Type {
		case AddressIPv4:
			var ip [4]byte
			r.fill(ip[:])
			a.IP = netip.AddrFrom4(ip)
		case AddressIPv6:
			var ip [16]byte
			r.fill(ip[:])
			a.IP = netip.AddrFrom16(ip)
		case AddressTorV2:
			a.Onion = r.bytes(10)
		case AddressTorV3:
			a.Onion = r.bytes(35)
		case AddressDNS:
			a.Host = string(r.bytes(int(r.u8())))
		default:
			return out, nil
		}
		a.Port = r.u16()
		if r.err != nil {
			return nil, fmt.Errorf("%w: %s descriptor: %w", ErrBadAddress, a.Type, r.err)
		}
		out = append(out, a)
	}
	return out, nil
}

// EncodeAddresses writes address descriptors in the order given (BOLT 7:
// the origin "MUST place address descriptors in ascending order").
func EncodeAddresses(addrs []Address) ([]byte, error) {
	var out []byte
	for _, a := range addrs {
		out = append(out, byte(a.Type))
		switch a.Type {
		case AddressIPv4:
			if !a.IP.Is4() {
				return nil, fmt.Errorf("%w: %v is not IPv4", ErrBadAddress, a.IP)
			}
			ip := a.IP.As4()
			out = append(out, ip[:]...)
		case AddressIPv6:
			if !a.IP.Is6() {
				return nil, fmt.Errorf("%w: %v is not IPv6", ErrBadAddress, a.IP)
			}
			ip := a.IP.As16()
			out = append(out, ip[:]...)
		case AddressTorV2, AddressTorV3:
			if want := map[AddressType]int{AddressTorV2: 10, AddressTorV3: 35}[a.Type]; len(a.Onion) != want {
				return nil, fmt.Errorf("%w: %s onion address of %d bytes", ErrBadAddress, a.Type, len(a.Onion))
			}
			out = append(out, a.Onion...)
		case AddressDNS:
			// BOLT 7: "`hostname` bytes MUST be ASCII characters."
			if len(a.Host) == 0 || len(a.Host) > 255 || !isASCII(a.Host) {
				return nil, fmt.Errorf("%w: hostname %q", ErrBadAddress, a.Host)
			}
			out = append(out, byte(len(a.Host)))
			out = append(out, a.Host...)
		default:
			return nil, fmt.Errorf("%w: unknown type %d", ErrBadAddress, a.Type)
		}
		out = binary.BigEndian.AppendUint16(out, a.Port)
	}
	return out, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// String names the type: "ipv4", "ipv6", "torv2", "torv3", "dns".
func (t AddressType) String() string {
	switch t {
	case AddressIPv4:
		return "ipv4"
	case AddressIPv6:
		return "ipv6"
	case AddressTorV2:
		return "torv2"
	case AddressTorV3:
		return "torv3"
	case AddressDNS:
		return "dns"
	}
	return "type_" + strconv.Itoa(int(t))
}
