package lnwire

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestAddressRoundTrip(t *testing.T) {
	onion := strings.Repeat("a", 55) + "d" // 56 base32 characters, 35 bytes
	tests := []struct {
		text string
		typ  AddressType
		hex  string
	}{
		{"1.2.3.4:9735", AddressIPv4, "01010203042607"},
		{"[2001:db8::1]:9735", AddressIPv6, "0220010db80000000000000000000000012607"},
		{onion + ".onion:9735", AddressTorV3, "04" + strings.Repeat("00", 34) + "03" + "2607"},
		{"node.example.com:9735", AddressDNS, "05106e6f64652e6578616d706c652e636f6d2607"},
	}
	for _, tc := range tests {
		a, err := ParseAddress(tc.text)
		if err != nil {
			t.Fatalf("ParseAddress(%q): %v", tc.text, err)
		}
		if a.Type != tc.typ || a.String() != tc.text {
			t.Errorf("%q parsed as %v, printed %q", tc.text, a.Type, a.String())
		}
		enc, err := EncodeAddresses([]Address{a})
		if err != nil || !bytes.Equal(enc, mustHex(t, tc.hex)) {
			t.Errorf("%q encoded as %x, %v; want %s", tc.text, enc, err, tc.hex)
		}
		dec, err := DecodeAddresses(enc)
		if err != nil || len(dec) != 1 || !reflect.DeepEqual(dec[0], a) {
			t.Errorf("%q decoded as %+v, %v", tc.text, dec, err)
		}
	}
}

func TestDecodeAddressesStopsAtUnknownType(t *testing.T) {
	b := mustHex(t, "01010203042607"+"07aabbcc"+"01050607082607")
	got, err := DecodeAddresses(b)
	if err != nil || len(got) != 1 || got[0].String() != "1.2.3.4:9735" {
		t.Fatalf("DecodeAddresses = %v, %v", got, err)
	}
	torV2 := mustHex(t, "03"+strings.Repeat("11", 10)+"0050")
	if got, err := DecodeAddresses(torV2); err != nil || len(got) != 1 || got[0].Type != AddressTorV2 || got[0].Port != 80 {
		t.Fatalf("Tor v2 descriptor: %v, %v", got, err)
	}
}

func TestAddressErrors(t *testing.T) {
	for _, hex := range []string{"0101020304", "01010203", "05ff61", "04" + strings.Repeat("00", 36)} {
		if _, err := DecodeAddresses(mustHex(t, hex)); !errors.Is(err, ErrBadAddress) || !errors.Is(err, ErrTruncated) {
			t.Errorf("DecodeAddresses(%s): %v", hex, err)
		}
	}
	for _, text := range []string{"", "1.2.3.4", "host:99999", ":80", "abc.onion:80", "h\u00e9:80"} {
		if _, err := ParseAddress(text); !errors.Is(err, ErrBadAddress) {
			t.Errorf("ParseAddress(%q): %v", text, err)
		}
	}
	v4, _ := ParseAddress("1.2.3.4:1")
	v6, _ := ParseAddress("[::1]:1")
	bad := []Address{
		{Type: AddressIPv4, IP: v6.IP}, {Type: AddressIPv6, IP: v4.IP},
		{Type: AddressTorV3, Onion: []byte{1}}, {Type: AddressDNS, Host: strings.Repeat("a", 256)},
		{Type: 9},
	}
	for _, a := range bad {
		if _, err := EncodeAddresses([]Address{a}); !errors.Is(err, ErrBadAddress) {
			t.Errorf("EncodeAddresses(%+v): %v", a, err)
		}
	}
}

func FuzzDecodeAddresses(f *testing.F) {
	f.Add(mustHex(f, "01010203042607"))
	f.Add(mustHex(f, "05106e6f64652e6578616d706c652e636f6d2607"))
	f.Add(mustHex(f, "0220010db80000000000000000000000012607ff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		addrs, err := DecodeAddresses(b)
		if err != nil {
			return
		}
		enc, err := EncodeAddresses(addrs)
		// DNS names may be non-ASCII on the wire; only ASCII ones re-encode.
		if err != nil {
			for _, a := range addrs {
				if a.Type == AddressDNS && (!isASCII(a.Host) || a.Host == "") {
					return
				}
			}
			t.Fatalf("decoded %+v does not encode: %v", addrs, err)
		}
		// Descriptors after an unknown type are ignored: what was decoded is
		// a prefix of the input.
		if !bytes.HasPrefix(b, enc) {
			t.Fatalf("decoded %x, re-encoded %x", b, enc)
		}
	})
}
