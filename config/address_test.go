package config

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAddress(t *testing.T) {
	const (
		L  = UseListenAndAnnounce
		B  = UseListen
		An = UseAnnounce
	)
	// A valid name with one character of the key changed: checksum fails.
	badChecksum := "e" + onionDDG[1:]
	cases := []struct {
		text string
		use  AddressUse
		want Address // zero Kind means an error is expected
	}{
		{"127.0.0.1:9735", L, Address{AddressIPv4, "127.0.0.1", 9735}},
		{"127.0.0.1", B, Address{AddressIPv4, "127.0.0.1", 0}},
		{"[2001:db8::1]:65535", An, Address{AddressIPv6, "2001:db8::1", 65535}},
		{"[2001:DB8::1]", An, Address{AddressIPv6, "2001:db8::1", 0}},
		{"2001:db8::1", An, Address{AddressIPv6, "2001:db8::1", 0}},
		{"::ffff:1.2.3.4", B, Address{AddressIPv6, "::ffff:1.2.3.4", 0}},
		{"[fe80::1%eth0]:1", B, Address{AddressIPv6, "fe80::1%eth0", 1}},
		{"[fe80::1%eth0]:1", An, Address{}},
		{"::%]", B, Address{}}, // found by FuzzParseAddress: zone "]"
		{"[::1%a:b]:1", B, Address{}},
		{":9735", B, Address{AddressAll, "", 9735}},
		{":9735", L, Address{AddressAll, "", 9735}},
		{":9735", An, Address{}},
		{"[::]:1", B, Address{AddressIPv6, "::", 1}},
		{"[::]:1", An, Address{}},
		{"0.0.0.0", An, Address{}},
		{"localhost:9", B, Address{AddressDNS, "localhost", 9}},
		{"Node-1.example.org", An, Address{AddressDNS, "Node-1.example.org", 0}},
		{"xn--bcher-kva.example", An, Address{AddressDNS, "xn--bcher-kva.example", 0}},
		{onionDDG + ":9735", An, Address{AddressTorV3, onionDDG, 9735}},
		{strings.ToUpper(onionDDG[:56]) + ".onion", An, Address{AddressTorV3, onionDDG, 0}},
		{onionDDG, L, Address{}},
		{onionDDG, B, Address{}},
		{badChecksum, An, Address{}},
		{"short.onion", An, Address{}},
		{"/tmp/s.sock", L, Address{AddressUnix, "/tmp/s.sock", 0}},
		{"/tmp/s.sock", B, Address{AddressUnix, "/tmp/s.sock", 0}},
		{"/tmp/s.sock", An, Address{}},
		{"", B, Address{}},
		{"1.2.3.4:", B, Address{}},
		{"1.2.3.4:0", B, Address{}},
		{"1.2.3.4:-1", B, Address{}},
		{"1.2.3.4:65536", B, Address{}},
		{"1.2.3.4:port", B, Address{}},
		{"[1.2.3.4]:1", B, Address{}},
		{"[::1", B, Address{}},
		{"[::1]9735", B, Address{}},
		{"[::1]:", B, Address{}},
		{"[host]:1", B, Address{}},
		{"1.2.3.999", B, Address{}},
		{"1.2.3", B, Address{}},
		{"under_score.com", B, Address{}},
		{"-lead.com", B, Address{}},
		{"trail-.com", B, Address{}},
		{"double..dot", B, Address{}},
		{"trailing.dot.", B, Address{}},
		{strings.Repeat("a", 64) + ".com", B, Address{}},
		{strings.Repeat(strings.Repeat("a", 63)+".", 4) + "com", An, Address{}}, // 259 bytes
		{"ünicode.example", An, Address{}},
		{"autotor:127.0.0.1:9051", L, Address{}},
		{"statictor:127.0.0.1", L, Address{}},
	}
	for _, tc := range cases {
		got, err := ParseAddress(tc.text, tc.use)
		if tc.want.Kind == 0 {
			if !errors.Is(err, ErrBadValue) {
				t.Errorf("ParseAddress(%q, %d) = %+v, %v; want ErrBadValue", tc.text, tc.use, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseAddress(%q, %d) = %+v, %v; want %+v", tc.text, tc.use, got, err, tc.want)
		}
	}
}

func TestAddressString(t *testing.T) {
	cases := []struct {
		a             Address
		text, network string
	}{
		{Address{AddressIPv4, "10.0.0.1", 9735}, "10.0.0.1:9735", "tcp"},
		{Address{AddressIPv6, "::1", 1}, "[::1]:1", "tcp"},
		{Address{AddressAll, "", 19846}, ":19846", "tcp"},
		{Address{AddressDNS, "a.example", 2}, "a.example:2", "tcp"},
		{Address{AddressUnix, "/run/s", 0}, "/run/s", "unix"},
	}
	for _, tc := range cases {
		network, address := tc.a.ListenAddress()
		if tc.a.String() != tc.text || address != tc.text || network != tc.network {
			t.Errorf("%+v: String %q ListenAddress %q %q", tc.a, tc.a.String(), network, address)
		}
		// String is the config syntax: it parses back to the same address.
		back, err := ParseAddress(tc.a.String(), UseListen)
		if err != nil || back != tc.a {
			t.Errorf("%q parses back to %+v, %v", tc.a.String(), back, err)
		}
	}
}

func TestNetworks(t *testing.T) {
	cases := []struct {
		name          string
		want          Network
		port, rpcPort uint16
		paramsName    string
	}{
		{"bitcoin", Mainnet, 9735, 8332, "mainnet"},
		{"mainnet", Mainnet, 9735, 8332, "mainnet"},
		{"testnet", Testnet, 19735, 18332, "testnet3"},
		{"signet", Signet, 39735, 38332, "signet"},
		{"regtest", Regtest, 19846, 18443, "regtest"},
	}
	for _, tc := range cases {
		n, err := ParseNetwork(tc.name)
		if err != nil || n != tc.want || !n.Valid() {
			t.Fatalf("ParseNetwork(%q) = %v, %v", tc.name, n, err)
		}
		if n.DefaultPort() != tc.port || n.DefaultBitcoindRPCPort() != tc.rpcPort || n.Params().Name != tc.paramsName {
			t.Errorf("%s: port %d rpc %d params %s", n, n.DefaultPort(), n.DefaultBitcoindRPCPort(), n.Params().Name)
		}
	}
	for _, bad := range []string{"", "Bitcoin", "testnet3", "testnet4", "litecoin", "simnet"} {
		if _, err := ParseNetwork(bad); !errors.Is(err, ErrBadValue) {
			t.Errorf("ParseNetwork(%q) err = %v", bad, err)
		}
	}
	var unknown Network = "moon"
	if unknown.Valid() || unknown.Params() != nil || unknown.DefaultPort() != 0 || unknown.DefaultBitcoindRPCPort() != 0 {
		t.Errorf("unknown network has parameters")
	}
}

func TestLogLevels(t *testing.T) {
	for _, name := range []string{"io", "debug", "info", "unusual", "broken"} {
		level, err := ParseLogLevel(name)
		if err != nil || LogLevelName(level) != name {
			t.Errorf("%s -> %v, %v -> %s", name, level, err, LogLevelName(level))
		}
	}
	// Levels are ordered like Core Lightning's.
	if !(LevelIO < LevelDebug && LevelDebug < LevelInfo && LevelInfo < LevelUnusual && LevelUnusual < LevelBroken) {
		t.Errorf("levels out of order")
	}
	if LogLevelName(LevelInfo+1) != "info" || LogLevelName(LevelIO-10) != "io" || LogLevelName(LevelBroken+4) != "broken" {
		t.Errorf("in-between levels do not round down")
	}
	for _, bad := range []string{"", "INFO", "warn", "trace"} {
		if _, err := ParseLogLevel(bad); !errors.Is(err, ErrBadValue) {
			t.Errorf("ParseLogLevel(%q) err = %v", bad, err)
		}
	}
}
