package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestFileDiscoveryOnDisk is the one test that reads real files: the base
// and network files under a temporary lightning-dir, found through
// SystemEnvironment's ReadFile.
func TestFileDiscoveryOnDisk(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("config", "network=regtest\nalias=from-base\nlog-file=base.log\n")
	write("regtest/config", "alias=from-network\nbitcoin-rpcport=18999\n")
	write("testnet/config", "alias=from-testnet\n")
	write("explicit.conf", "network=signet\nalias=explicit\n")

	env := SystemEnvironment()
	env.Home = dir // keep ~ away from the real home

	c, err := Parse([]string{"--lightning-dir=" + dir, "--log-file=cli.log"}, env)
	if err != nil {
		t.Fatal(err)
	}
	wantLogs := []string{filepath.Join(dir, "regtest", "base.log"), filepath.Join(dir, "regtest", "cli.log")}
	if c.Network != Regtest || c.Alias != "from-network" || c.Bitcoin.Port != 18999 ||
		len(c.LogFiles) != 2 || c.LogFiles[0] != wantLogs[0] || c.LogFiles[1] != wantLogs[1] {
		t.Fatalf("got %+v", c)
	}

	// The command line's network picks the other network file.
	c, err = Parse([]string{"--lightning-dir=" + dir, "--testnet"}, env)
	if err != nil || c.Alias != "from-testnet" {
		t.Fatalf("testnet: %v %+v", err, c)
	}

	// A missing network directory is fine.
	c, err = Parse([]string{"--lightning-dir=" + dir, "--network=bitcoin"}, env)
	if err != nil || c.Alias != "from-base" || c.Network != Mainnet {
		t.Fatalf("bitcoin: %v %+v", err, c)
	}

	// --conf replaces both default files.
	c, err = Parse([]string{"--lightning-dir=" + dir, "--conf=" + filepath.Join(dir, "explicit.conf")}, env)
	if err != nil || c.Alias != "explicit" || c.Network != Signet || len(c.LogFiles) != 0 {
		t.Fatalf("conf: %v %+v", err, c)
	}

	// A missing --conf file is an error; a directory in place of a file too.
	if _, err := Parse([]string{"--conf=" + filepath.Join(dir, "absent")}, env); !errors.Is(err, ErrFile) {
		t.Fatalf("missing conf: %v", err)
	}
	if _, err := Parse([]string{"--conf=" + dir}, env); !errors.Is(err, ErrFile) {
		t.Fatalf("directory as conf: %v", err)
	}
}
