package config

import (
	"errors"
	"strings"
	"testing"
)

func TestParseFileLayout(t *testing.T) {
	text := "# a comment\n" +
		"\n" +
		"   \t\n" +
		"  alias  =  spaced out  \r\n" +
		"\t# indented comment\n" +
		"rgb=0a0b0c\r\n" +
		"network = regtest\n" +
		"allow-deprecated-apis = false\n" +
		"bitcoin-rpcpassword=#not-a-comment\n" +
		"log-file=/var/log/a\n" +
		"log-file=/var/log/b" // no final newline
	c, err := ParseFile("fulmen.conf", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"alias", c.Alias, "spaced out"},
		{"rgb", *c.RGB, [3]byte{10, 11, 12}},
		{"network", c.Network, Regtest},
		{"deprecated", c.AllowDeprecatedAPIs, false},
		{"password", c.Bitcoin.Password, "#not-a-comment"},
		{"log files", strings.Join(c.LogFiles, ","), "/var/log/a,/var/log/b"},
		{"rpc port", c.Bitcoin.Port, uint16(18443)},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.what, ch.got, ch.want)
		}
	}
}

func TestParseFileEmpty(t *testing.T) {
	c, err := ParseFile("empty", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if c.Network != Mainnet || c.LogLevel != LevelInfo {
		t.Fatalf("empty file should give defaults, got %+v", c)
	}
}

func TestParseFileErrorLines(t *testing.T) {
	cases := []struct {
		name    string
		text    string
		wantErr error
		message string
	}{
		{"unknown after comments", "# one\n\n# three\ncolour=blue\n", ErrUnknownOption,
			`config:4: unknown option "colour"`},
		{"unknown flag style", "alias=x\nwumbo\n", ErrUnknownOption, `config:2: unknown option "wumbo"`},
		{"dashes are not file syntax", "--alias=x\n", ErrUnknownOption, `config:1: unknown option "--alias"`},
		{"no name", "=value\n", ErrUnknownOption, `config:1: unknown option: no name before '='`},
		{"include", "alias=x\ninclude other.conf\n", ErrUnknownOption,
			`config:2: unknown option: include is not supported`},
		{"flag with value", "\n\ndaemon=yes\n", ErrUnexpectedValue, `config:3: daemon: takes no value`},
		{"valued option without value", "alias\n", ErrMissingValue, `config:1: alias: needs a value`},
		{"valued option with empty value", "alias =  \n", ErrMissingValue, `config:1: alias: needs a value`},
		{"bad value", "rgb=1\n", ErrBadValue, `config:1: rgb: bad value "1": want 6 hex digits RRGGBB`},
		{"bad value after CRLF lines", "a=b\r\n", ErrUnknownOption, `config:1: unknown option "a"`},
		{"conf not allowed", "conf=/x\n", ErrNotPermitted, `config:1: conf: not permitted in a --conf file`},
		{"version not allowed", "version\n", ErrNotPermitted, `config:1: version: not permitted in a --conf file`},
		{"line too long", "alias=" + strings.Repeat("x", maxLineLen) + "\n", ErrFile,
			"config:1: cannot read config file: bufio.Scanner: token too long"},
		{"invalid combination", "daemon\nlog-file=-\n", ErrInvalid,
			`daemon: invalid configuration: running in the background needs a log-file other than "-"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile("config", strings.NewReader(tc.text))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err.Error() != tc.message {
				t.Fatalf("message\n got %q\nwant %q", err.Error(), tc.message)
			}
		})
	}
}
