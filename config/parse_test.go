package config

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"testing"
	"time"
)

// memFiles is an in-memory file system for Environment.ReadFile.
type memFiles map[string]string

func (m memFiles) read(path string) ([]byte, error) {
	text, ok := m[path]
	if !ok {
		return nil, fmt.Errorf("open %s: %w", path, fs.ErrNotExist)
	}
	return []byte(text), nil
}

func envWith(files memFiles) Environment {
	return Environment{Home: "/home/u", WorkingDir: "/work", ReadFile: files.read}
}

func TestDefaults(t *testing.T) {
	c, err := Parse(nil, testEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Network:             Mainnet,
		LightningDir:        "/home/u/.fulmen",
		LogLevel:            LevelInfo,
		Bitcoin:             BitcoinRPC{Host: "127.0.0.1", Port: 8332, RetryTimeout: 60 * time.Second},
		AllowDeprecatedAPIs: true,
		PIDFile:             "/home/u/.fulmen/fulmend-bitcoin.pid",
		FeeBase:             1000,
		FeePerSatoshi:       10,
		CLTVDelta:           34,
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
	if got := c.NetworkDir(); got != "/home/u/.fulmen/bitcoin" {
		t.Fatalf("NetworkDir = %q", got)
	}
	if d := Default(testEnv); !reflect.DeepEqual(d, want) {
		t.Fatalf("Default:\n got %+v\nwant %+v", d, want)
	}
}

func TestPrecedence(t *testing.T) {
	files := memFiles{
		"/home/u/.fulmen/config":         "network=regtest\nalias=base\nrgb=010101\nbitcoin-rpcuser=baseuser\n",
		"/home/u/.fulmen/regtest/config": "alias=network\nrgb=020202\n",
		"/home/u/.fulmen/bitcoin/config": "alias=wrong-network-file\n",
	}
	c, err := Parse([]string{"--rgb=030303"}, envWith(files))
	if err != nil {
		t.Fatal(err)
	}
	got := []any{c.Network, c.Alias, *c.RGB, c.Bitcoin.User, c.Bitcoin.Port, c.NetworkDir()}
	want := []any{Regtest, "network", [3]byte{3, 3, 3}, "baseuser", uint16(18443), "/home/u/.fulmen/regtest"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestNetworkFromCommandLineChoosesFile: a command-line network overrides
// the base file's and decides which network file is read.
func TestNetworkFromCommandLineChoosesFile(t *testing.T) {
	files := memFiles{
		"/home/u/.fulmen/config":         "network=regtest\n",
		"/home/u/.fulmen/regtest/config": "alias=regtest-file\n",
		"/home/u/.fulmen/signet/config":  "alias=signet-file\n",
	}
	for _, args := range [][]string{{"--network=signet"}, {"--network", "signet"}, {"--signet"}} {
		c, err := Parse(args, envWith(files))
		if err != nil {
			t.Fatal(err)
		}
		if c.Network != Signet || c.Alias != "signet-file" {
			t.Fatalf("%v: network %s alias %q", args, c.Network, c.Alias)
		}
	}
}

func TestLightningDirFromCommandLine(t *testing.T) {
	files := memFiles{
		"/data/ln/config":         "network=testnet\n",
		"/data/ln/testnet/config": "alias=found\n",
		"/home/u/.fulmen/config":  "alias=not-read\n",
	}
	for _, dir := range []string{"/data/ln", "../data/ln"} {
		c, err := Parse([]string{"--lightning-dir", dir}, envWith(files))
		if err != nil {
			t.Fatal(err)
		}
		if c.LightningDir != "/data/ln" || c.Alias != "found" || c.PIDFile != "/data/ln/fulmend-testnet.pid" {
			t.Fatalf("%s: got dir %q alias %q pid %q", dir, c.LightningDir, c.Alias, c.PIDFile)
		}
	}
}

func TestRepeatedOptionsAccumulate(t *testing.T) {
	files := memFiles{
		"/home/u/.fulmen/config":         "addr=10.0.0.1\nlog-file=a.log\nlog-level=debug:gossipd\nalias=one\nalias=two\n",
		"/home/u/.fulmen/bitcoin/config": "addr=10.0.0.2\nlog-file=-\n",
	}
	c, err := Parse([]string{"--addr=10.0.0.3", "--log-file", "/var/c.log", "--log-level=io:chan#1", "--log-level=unusual"}, envWith(files))
	if err != nil {
		t.Fatal(err)
	}
	wantAddrs := []Address{{AddressIPv4, "10.0.0.1", 9735}, {AddressIPv4, "10.0.0.2", 9735}, {AddressIPv4, "10.0.0.3", 9735}}
	if !reflect.DeepEqual(c.Addrs, wantAddrs) {
		t.Errorf("addrs %v", c.Addrs)
	}
	if want := []string{"/home/u/.fulmen/bitcoin/a.log", "-", "/var/c.log"}; !reflect.DeepEqual(c.LogFiles, want) {
		t.Errorf("log files %v", c.LogFiles)
	}
	wantLevels := []SubsystemLogLevel{{"gossipd", LevelDebug}, {"chan#1", LevelIO}}
	if !reflect.DeepEqual(c.SubsystemLogLevels, wantLevels) || c.LogLevel != LevelUnusual {
		t.Errorf("levels %v %v", c.LogLevel, c.SubsystemLogLevels)
	}
	if c.Alias != "two" {
		t.Errorf("alias %q: the last non-repeatable setting should win", c.Alias)
	}
}

func TestDefaultPortFollowsFinalNetwork(t *testing.T) {
	// addr comes before the network is known; its default port must be the
	// final network's.
	c, err := Parse([]string{"--addr=10.0.0.1", "--network=signet"}, testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addrs[0].Port != 39735 || c.Bitcoin.Port != 38332 {
		t.Fatalf("ports %d %d", c.Addrs[0].Port, c.Bitcoin.Port)
	}
}

func TestExplicitConf(t *testing.T) {
	files := memFiles{
		"/work/my.conf":                  "lightning-dir=/srv/ln\nnetwork=regtest\nalias=explicit\n",
		"/home/u/.fulmen/config":         "alias=base\n",
		"/srv/ln/regtest/config":         "alias=network\n",
		"/home/u/.fulmen/bitcoin/config": "alias=network\n",
	}
	c, err := Parse([]string{"--conf=my.conf", "--rgb=aabbcc"}, envWith(files))
	if err != nil {
		t.Fatal(err)
	}
	got := []any{c.ConfigFile, c.LightningDir, c.Network, c.Alias, *c.RGB}
	want := []any{"/work/my.conf", "/srv/ln", Regtest, "explicit", [3]byte{0xaa, 0xbb, 0xcc}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestFileErrors(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		files   memFiles
		wantErr error
		message string
	}{
		{"explicit conf missing", []string{"--conf=/nope"}, memFiles{}, ErrFile,
			"/nope: cannot read config file: open /nope: file does not exist"},
		{"network in network file", nil, memFiles{"/home/u/.fulmen/bitcoin/config": "\nnetwork=regtest\n"},
			ErrNotPermitted, "/home/u/.fulmen/bitcoin/config:2: network: not permitted in a network config file"},
		{"network alias in network file", nil, memFiles{"/home/u/.fulmen/bitcoin/config": "testnet\n"},
			ErrNotPermitted, "/home/u/.fulmen/bitcoin/config:1: testnet: not permitted in a network config file"},
		{"lightning-dir in base file", nil, memFiles{"/home/u/.fulmen/config": "lightning-dir=/x\n"},
			ErrNotPermitted, "/home/u/.fulmen/config:1: lightning-dir: not permitted in the base config file"},
		{"conf in explicit file", []string{"--conf=/c"}, memFiles{"/c": "conf=/d\n"},
			ErrNotPermitted, "/c:1: conf: not permitted in a --conf file"},
		{"help in file", nil, memFiles{"/home/u/.fulmen/config": "help\n"},
			ErrNotPermitted, "/home/u/.fulmen/config:1: help: not permitted in the base config file"},
		{"bad value in network file", nil, memFiles{"/home/u/.fulmen/bitcoin/config": "# c\n\n  rgb = red  \n"},
			ErrBadValue, `/home/u/.fulmen/bitcoin/config:3: rgb: bad value "red": want 6 hex digits RRGGBB`},
		{"unknown in base file", nil, memFiles{"/home/u/.fulmen/config": "alias=x\n\n\ncolour=red\n"},
			ErrUnknownOption, `/home/u/.fulmen/config:4: unknown option "colour"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.args, envWith(tc.files))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err.Error() != tc.message {
				t.Fatalf("message\n got %q\nwant %q", err.Error(), tc.message)
			}
		})
	}
}

func TestReadFileFailureIsReported(t *testing.T) {
	env := testEnv
	env.ReadFile = func(string) ([]byte, error) { return nil, fs.ErrPermission }
	_, err := Parse(nil, env)
	if !errors.Is(err, ErrFile) {
		t.Fatalf("err = %v, want ErrFile", err)
	}
}

func TestHomeExpansionWithoutHome(t *testing.T) {
	c, err := Parse([]string{"--pid-file=~/p.pid"}, Environment{})
	if err != nil {
		t.Fatal(err)
	}
	if c.LightningDir != ".fulmen" || c.PIDFile != ".fulmen/bitcoin/p.pid" {
		t.Fatalf("dir %q pid %q", c.LightningDir, c.PIDFile)
	}
}

func TestTildeAlone(t *testing.T) {
	cases := []struct {
		env  Environment
		want string
	}{
		{testEnv, "/home/u"},
		{Environment{}, "."},
	}
	for _, tc := range cases {
		c, err := Parse([]string{"--lightning-dir=~"}, tc.env)
		if err != nil || c.LightningDir != tc.want {
			t.Errorf("home %q: dir %q, %v", tc.env.Home, c.LightningDir, err)
		}
	}
}
