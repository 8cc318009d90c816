package config

import (
	"crypto/sha3"
	"encoding/base32"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// AddressKind tells how an Address is reached.
type AddressKind uint8

// Address kinds; the first four match BOLT 7 address descriptor types.
const (
	AddressIPv4  AddressKind = iota + 1 // BOLT 7 type 1
	AddressIPv6                         // BOLT 7 type 2
	AddressTorV3                        // BOLT 7 type 4; announce-addr only
	AddressDNS                          // BOLT 7 type 5
	AddressUnix                         // Unix domain socket; addr and bind-addr only
	AddressAll                          // ":PORT", every local interface; listening only
)

// AddressUse says which option an address came from; each allows a
// different set of forms.
type AddressUse uint8

// The three address options of Core Lightning.
const (
	UseListenAndAnnounce AddressUse = iota + 1 // addr
	UseListen                                  // bind-addr
	UseAnnounce                                // announce-addr
)

// Address is one parsed addr, bind-addr or announce-addr value.
type Address struct {
	Kind AddressKind
	// Host is the IP literal (no brackets), the DNS name or the .onion
	// name; "" means every local interface (listening only). For
	// AddressUnix it is the socket path.
	Host string
	// Port is never 0 once Parse returns: a missing port becomes the
	// network's DefaultPort. Unused for AddressUnix.
	Port uint16
}

// String formats the address as it is written in a config file.
func (a Address) String() string {
	if a.Kind == AddressUnix {
		return a.Host
	}
	return net.JoinHostPort(a.Host, strconv.Itoa(int(a.Port)))
}

// ListenAddress returns the arguments for net.Listen.
func (a Address) ListenAddress() (network, address string) {
	if a.Kind == AddressUnix {
		return "unix", a.Host
	}
	return "tcp", a.String()
}

// maxHostnameLen is the largest DNS hostname a node_announcement can carry:
// BOLT 7 type 5 stores hostname_len in one byte.
const maxHostnameLen = 255

// ParseAddress parses a value of addr, bind-addr or announce-addr:
// HOST[:PORT], IPV4[:PORT], [IPV6][:PORT], a bare IPv6 literal, :PORT
// (every interface, listening only), NAME.onion[:PORT] (announce only) or
// an absolute Unix socket path (listening only). A missing port is left 0.
func ParseAddress(text string, use AddressUse) (Address, error) {
	bad := func(why string) (Address, error) {
		return Address{}, fmt.Errorf("%w %q: %s", ErrBadValue, text, why)
	}
	if text == "" {
		return bad("empty address")
	}
	if strings.HasPrefix(text, "/") {
		if use == UseAnnounce {
			return bad("a Unix socket cannot be announced")
		}
		return Address{Kind: AddressUnix, Host: text}, nil
	}
	if strings.HasPrefix(text, "autotor:") || strings.HasPrefix(text, "statictor:") {
		return bad("Tor control addresses are not supported yet")
	}
	host, portText, err := splitHostPort(text)
	if err != nil {
		return bad(err.Error())
	}
	var a Address
	if portText != "" {
		port, err := strconv.ParseUint(portText, 10, 16)
		if err != nil {
			return bad("port must be a number from 1 to 65535")
		}
		// BOLT #7: MUST NOT create a `type 1`, `type 2` or `type 5` address
		// descriptor with `port` equal to 0.
		if port == 0 {
			return bad("port 0 is not allowed")
		}
		a.Port = uint16(port)
	}
	a.Kind, a.Host, err = classifyHost(host, use, strings.HasPrefix(text, "["))
	if err != nil {
		return bad(err.Error())
	}
	return a, nil
}

// splitHostPort separates the port; a text with two or more colons and no
// brackets is a bare IPv6 literal without a port.
func splitHostPort(text string) (host, port string, err error) {
	if strings.HasPrefix(text, "[") {
		end := strings.IndexByte(text, ']')
		if end < 0 {
			return "", "", fmt.Errorf("missing ']'")
		}
		host, rest := text[1:end], text[end+1:]
		if rest == "" {
			return host, "", nil
		}
		if !strings.HasPrefix(rest, ":") || rest == ":" {
			return "", "", fmt.Errorf("want [IPV6]:PORT")
		}
		return host, rest[1:], nil
	}
	switch strings.Count(text, ":") {
	case 0:
		return text, "", nil
	case 1:
		i := strings.IndexByte(text, ':')
		if i == len(text)-1 {
			return "", "", fmt.Errorf("missing port after ':'")
		}
		return text[:i], text[i+1:], nil
	}
	return text, "", nil
}

func classifyHost(host string, use AddressUse, bracketed bool) (AddressKind, string, error) {
	if host == "" {
		if use == UseAnnounce {
			return 0, "", fmt.Errorf("an empty host cannot be announced")
		}
		return AddressAll, "", nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if !validZone(ip.Zone()) {
			return 0, "", fmt.Errorf("bad IPv6 zone %q", ip.Zone())
		}
		if use == UseAnnounce {
			if ip.IsUnspecified() {
				return 0, "", fmt.Errorf("a wildcard address cannot be announced")
			}
			if ip.Zone() != "" {
				return 0, "", fmt.Errorf("an address with a zone cannot be announced")
			}
		}
		if ip.Is4() {
			if bracketed {
				return 0, "", fmt.Errorf("brackets are for IPv6 addresses")
			}
			return AddressIPv4, ip.String(), nil
		}
		return AddressIPv6, ip.String(), nil
	}
	if bracketed || strings.Contains(host, ":") {
		return 0, "", fmt.Errorf("not an IPv6 address")
	}
	if strings.HasSuffix(strings.ToLower(host), ".onion") {
		if use != UseAnnounce {
			return 0, "", fmt.Errorf("cannot listen on a .onion address")
		}
		name, err := checkOnionV3(host)
		return AddressTorV3, name, err
	}
	if err := checkHostname(host); err != nil {
		return 0, "", err
	}
	return AddressDNS, host, nil
}

// validZone accepts interface names and numbers, nothing that could break
// the [IPV6%ZONE]:PORT syntax.
func validZone(zone string) bool {
	for i := 0; i < len(zone); i++ {
		c := zone[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// checkHostname accepts letter-digit-hyphen labels separated by dots.
func checkHostname(host string) error {
	// BOLT #7: `hostname` bytes MUST be ASCII characters.
	if len(host) > maxHostnameLen {
		return fmt.Errorf("hostname longer than %d bytes", maxHostnameLen)
	}
	labels := strings.Split(host, ".")
	for _, label := range labels {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("hostname labels must be 1 to 63 characters")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("hostname labels cannot start or end with '-'")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
			if !ok {
				return fmt.Errorf("hostname may contain only ASCII letters, digits, '-' and '.'")
			}
		}
	}
	// Top-level domains are never numeric: this is a mistyped IP address.
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return fmt.Errorf("neither an IP address nor a hostname")
	}
	return nil
}

// checkOnionV3 validates a version 3 onion service name and returns it in
// lower case.
func checkOnionV3(host string) (string, error) {
	name := strings.ToLower(host)
	label := strings.TrimSuffix(name, ".onion")
	// BOLT #7: version 3 onion service addresses; Encodes:
	// `[32:32_byte_ed25519_pubkey] || [2:checksum] || [1:version]`, where
	// `checksum = sha3(".onion checksum" || pubkey || version)[:2]`.
	const encodedLen = 56 // base32 of 35 bytes
	if len(label) != encodedLen {
		return "", fmt.Errorf("a Tor v3 onion name has %d base32 characters", encodedLen)
	}
	raw, err := base32.StdEncoding.DecodeString(strings.ToUpper(label))
	if err != nil || len(raw) != 35 {
		return "", fmt.Errorf("onion name is not base32")
	}
	pubkey, checksum, version := raw[:32], raw[32:34], raw[34]
	if version != 3 {
		return "", fmt.Errorf("onion name is not version 3")
	}
	h := sha3.New256()
	h.Write([]byte(".onion checksum"))
	h.Write(pubkey)
	h.Write([]byte{version})
	sum := h.Sum(nil)
	if sum[0] != checksum[0] || sum[1] != checksum[1] {
		return "", fmt.Errorf("onion name checksum mismatch")
	}
	return name, nil
}

// checkAddress re-checks an already built Address for use, as Validate
// must accept only what ParseAddress would produce.
func checkAddress(a Address, use AddressUse) error {
	if a.Kind == AddressUnix {
		_, err := ParseAddress(a.Host, use)
		return err
	}
	if a.Port == 0 {
		return fmt.Errorf("%w %q: port 0 is not allowed", ErrBadValue, a.String())
	}
	parsed, err := ParseAddress(a.String(), use)
	if err != nil {
		return err
	}
	if parsed.Kind != a.Kind {
		return fmt.Errorf("%w %q: kind does not match the host", ErrBadValue, a.String())
	}
	return nil
}
