package daemon

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/config"
)

func TestPIDFileLockIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fulmend-regtest.pid")
	first, err := lockPIDFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.TrimSpace(string(data)) != strconv.Itoa(os.Getpid()) {
		t.Fatalf("pid file holds %q", data)
	}
	if _, err := lockPIDFile(path); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second lock: %v, want ErrAlreadyRunning", err)
	}
	first.release()
	second, err := lockPIDFile(path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	second.release()
}

func TestDefaultAliasAndColor(t *testing.T) {
	id, _ := hex.DecodeString("02abcdef0000000000000000000000000000000000000000000000000000000001")
	if got := defaultColor(id); got != "02abcd" {
		t.Fatalf("color %q", got)
	}
	alias := defaultAlias(id)
	if alias == "" || alias != defaultAlias(id) || strings.ToUpper(alias) != alias {
		t.Fatalf("alias %q", alias)
	}
	other, _ := hex.DecodeString("03000000000000000000000000000000000000000000000000000000000000000001"[:66])
	if defaultAlias(other) == alias {
		t.Fatal("different ids gave the same alias")
	}
}

func TestSanitizeAlias(t *testing.T) {
	long := strings.Repeat("é", 20) // 40 bytes
	got := sanitizeAlias(long)
	if len(got) > 32 || !strings.HasPrefix(long, got) {
		t.Fatalf("sanitized %q (%d bytes)", got, len(got))
	}
	if sanitizeAlias("carol") != "carol" {
		t.Fatal("short alias changed")
	}
}

func TestAnnouncedAddresses(t *testing.T) {
	got := announcedAddresses([]config.Address{
		{Kind: config.AddressIPv4, Host: "1.2.3.4", Port: 9735},
		{Kind: config.AddressUnix, Host: "/tmp/sock"},
		{Kind: config.AddressDNS, Host: "node.example.com", Port: 9736},
	})
	if len(got) != 2 || got[0].Type != "ipv4" || got[1].Type != "dns" || got[1].Port != 9736 {
		t.Fatalf("got %+v", got)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Network: config.Regtest, LightningDir: "/x", Bitcoin: BitcoinRPC{Host: "127.0.0.1:1"}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Config{
		{LightningDir: "/x", Bitcoin: BitcoinRPC{Host: "h:1"}},
		{Network: config.Regtest, Bitcoin: BitcoinRPC{Host: "h:1"}},
		{Network: config.Regtest, LightningDir: "/x"},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v validated", bad)
		}
	}
	d := ok.withDefaults()
	if d.NetworkDir != "/x/regtest" || d.PIDFile != "/x/fulmend-regtest.pid" {
		t.Fatalf("defaults %+v", d)
	}
}
