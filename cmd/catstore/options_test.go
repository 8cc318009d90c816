package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/paywall"
)

func TestParseOptions(t *testing.T) {
	o, err := parseOptions(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.listen != "127.0.0.1:0" || o.price != 10_000_000 || o.expiry != 15*time.Minute || o.network != "" ||
		o.requirePreimage || o.title != defaultTitle {
		t.Fatalf("defaults: %+v", o)
	}
	o, err = parseOptions([]string{"--lightning-dir=/ln", "--network", "mainnet", "--rpc-file=sock",
		"--listen=127.0.0.1:8080", "--price=21sat", "--expiry=30s", "--require-preimage", "--title=Cats"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := options{lightningDir: "/ln", network: "bitcoin", rpcFile: "sock", listen: "127.0.0.1:8080",
		price: 21_000, expiry: 30 * time.Second, requirePreimage: true, title: "Cats"}
	if o != want {
		t.Fatalf("got %+v\nwant %+v", o, want)
	}
	prices := map[string]lnwire.MilliSatoshi{"5000msat": 5000, "5000": 5000, "0.0001btc": 10_000_000, "1.5sat": 1500}
	for text, msat := range prices {
		if o, err := parseOptions([]string{"--price", text}, &bytes.Buffer{}); err != nil || o.price != msat {
			t.Errorf("--price %s: %d %v, want %d", text, o.price, err, msat)
		}
	}
	bad := [][]string{
		{"--price=0"}, {"--price=free"}, {"--price=-5sat"}, {"--price=1.0001sat"},
		{"--network=moon"}, {"--expiry=500ms"}, {"--expiry=soon"},
		{"--listen=8080"}, {"--bogus"}, {"extra"}, {"--require-preimage=maybe"},
	}
	for _, args := range bad {
		if _, err := parseOptions(args, &bytes.Buffer{}); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

func TestSocketPath(t *testing.T) {
	dir := t.TempDir()
	withConfig := filepath.Join(dir, "node")
	os.MkdirAll(withConfig, 0o700)
	os.WriteFile(filepath.Join(withConfig, "config"), []byte("alias=x\nnetwork=regtest\n"), 0o600)
	home, _ := os.UserHomeDir()
	cases := []struct {
		name string
		opts options
		want string
	}{
		{"network from the config file", options{lightningDir: withConfig}, filepath.Join(withConfig, "regtest", "lightning-rpc")},
		{"--network wins", options{lightningDir: withConfig, network: "signet"}, filepath.Join(withConfig, "signet", "lightning-rpc")},
		{"no config: bitcoin", options{lightningDir: dir}, filepath.Join(dir, "bitcoin", "lightning-rpc")},
		{"relative rpc-file", options{lightningDir: withConfig, rpcFile: "other-rpc"}, filepath.Join(withConfig, "regtest", "other-rpc")},
		{"absolute rpc-file", options{lightningDir: withConfig, rpcFile: "/run/ln.sock"}, "/run/ln.sock"},
		{"default lightning-dir", options{network: "regtest"}, filepath.Join(home, ".fulmen", "regtest", "lightning-rpc")},
	}
	for _, tc := range cases {
		if got := tc.opts.socketPath(); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestNetworkFromConfig(t *testing.T) {
	cases := []struct{ file, want string }{
		{"network=testnet\n", "testnet"},
		{"  network = signet  \n", "signet"},
		{"regtest\n", "regtest"},
		{"mainnet\n", "bitcoin"},
		{"network=regtest\nnetwork=testnet\n", "testnet"},
		{"network=moon\n", "bitcoin"},
		{"# network=regtest\nalias=regtest\n", "bitcoin"},
		{"", "bitcoin"},
	}
	dir := t.TempDir()
	for i, tc := range cases {
		path := filepath.Join(dir, "config"+string(rune('a'+i)))
		os.WriteFile(path, []byte(tc.file), 0o600)
		if got := networkFromConfig(path); got != tc.want {
			t.Errorf("config %q: %s, want %s", tc.file, got, tc.want)
		}
	}
	if got := networkFromConfig(filepath.Join(dir, "missing")); got != "bitcoin" {
		t.Errorf("missing config: %s", got)
	}
}

func TestTheCatIsForSale(t *testing.T) {
	for i, c := range theCat {
		if c > '~' || (c < ' ' && c != '\n') {
			t.Fatalf("the cat has a non-ASCII or control character %q at %d", c, i)
		}
	}
	if lines := strings.Count(theCat, "\n"); lines < 5 || !strings.Contains(theCat, "Lightning") {
		t.Fatalf("the cat has %d lines", lines)
	}
	if _, err := paywall.New(paywall.Config{Backend: paywall.NewRPCBackend("unused"), Items: []paywall.Item{catItem(1)}}); err != nil {
		t.Fatalf("the cat is not a valid item: %v", err)
	}
}

func TestRunRefusesBadUsageAndAbsentNode(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--price=0"}, &out, &errOut); code != exitUsage {
		t.Fatalf("bad price: exit %d", code)
	}
	errOut.Reset()
	dir := t.TempDir()
	code := run(context.Background(), []string{"--lightning-dir", dir, "--network", "regtest"}, &out, &errOut)
	if code != exitUnreachable || !strings.Contains(errOut.String(), filepath.Join(dir, "regtest", "lightning-rpc")) {
		t.Fatalf("no node: exit %d, %q", code, errOut.String())
	}
	if out.Len() != 0 {
		t.Fatalf("printed a URL without a node: %q", out.String())
	}
}
