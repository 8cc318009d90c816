package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseFile: any text gives either a valid Config or an *Error with a
// one-line message; it never panics.
func FuzzParseFile(f *testing.F) {
	seeds := []string{
		"",
		"# comment\n\nnetwork=regtest\nalias=x\n",
		"rgb=00ff00\r\nlog-level=debug:gossipd\nlog-file=-\n",
		"addr=[::1]:9735\nbind-addr=/tmp/s\nannounce-addr=" + onionDDG + "\n",
		"daemon\nlog-file=/var/log/f\n",
		"colour=red\n",
		"=\n",
		"include x\n",
		"fallback-feerate=253\nbitcoin-rpcport=18443\nbitcoin-rpccert=rpc.cert\n",
		"alias=\xff\n",
		"announce-addr=a.example\naddr=b.example\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseFile("fuzz.conf", strings.NewReader(text))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			if c != nil {
				t.Fatalf("both a config and an error")
			}
			return
		}
		if verr := c.Validate(); verr != nil {
			t.Fatalf("ParseFile returned an invalid config: %v", verr)
		}
	})
}

// FuzzParseArgs splits the input on NUL bytes into arguments.
func FuzzParseArgs(f *testing.F) {
	f.Add("--network=regtest\x00--alias\x00x")
	f.Add("--help")
	f.Add("--addr\x00[::1]:1\x00--bind-addr=/s")
	f.Add("--\x00stray")
	f.Add("--allow-deprecated-apis\x00false")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		c, err := Parse(args, testEnv)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) && !errors.Is(err, ErrHelp) && !errors.Is(err, ErrVersion) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		if verr := c.Validate(); verr != nil {
			t.Fatalf("Parse returned an invalid config: %v", verr)
		}
	})
}

// FuzzParseAddress: whatever parses prints back to text that parses to
// the same address.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"1.2.3.4:5", "[::1]", ":9735", "a.example:1", onionDDG, "/s", "[fe80::1%x]:2"} {
		f.Add(s, uint8(UseListen))
	}
	f.Fuzz(func(t *testing.T, text string, use uint8) {
		u := AddressUse(use%3 + 1)
		a, err := ParseAddress(text, u)
		if err != nil {
			return
		}
		if a.Port == 0 && a.Kind != AddressUnix {
			a.Port = 9735
		}
		back, err := ParseAddress(a.String(), u)
		if err != nil || back != a {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", text, a, a.String(), back, err)
		}
	})
}
