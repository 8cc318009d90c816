package lndtest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes an executable (or plain) file for a test.
func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func TestBinariesFromOutput(t *testing.T) {
	good := t.TempDir()
	writeFile(t, filepath.Join(good, "lnd"), "#!/bin/sh\n", 0o755)
	writeFile(t, filepath.Join(good, "lncli"), "#!/bin/sh\n", 0o755)
	plain := t.TempDir()
	writeFile(t, filepath.Join(plain, "lnd"), "#!/bin/sh\n", 0o755)
	writeFile(t, filepath.Join(plain, "lncli"), "not executable", 0o644)
	tests := []struct {
		name  string
		out   string
		valid bool
	}{
		{"directory on the last line", "building...\n" + good + "\n", true},
		{"no output", "", false},
		{"relative directory", "lnd-v0.21.3-beta\n", false},
		{"missing binaries", t.TempDir() + "\n", false},
		{"lncli not executable", plain + "\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := binariesFromOutput(tc.out)
			if !tc.valid {
				if !errors.Is(err, ErrInstall) {
					t.Fatalf("binariesFromOutput = %+v, %v; want ErrInstall", b, err)
				}
				return
			}
			if err != nil || b.Dir != good || b.Lnd != filepath.Join(good, "lnd") || b.Lncli != filepath.Join(good, "lncli") {
				t.Fatalf("binariesFromOutput = %+v, %v", b, err)
			}
		})
	}
}

func TestRunInstallScript(t *testing.T) {
	bin := t.TempDir()
	writeFile(t, filepath.Join(bin, "lnd"), "#!/bin/sh\n", 0o755)
	writeFile(t, filepath.Join(bin, "lncli"), "#!/bin/sh\n", 0o755)
	scripts := t.TempDir()
	okScript := filepath.Join(scripts, "ok.sh")
	writeFile(t, okScript, "echo 'install-lnd: already built' >&2\necho "+bin+"\n", 0o644)
	failScript := filepath.Join(scripts, "fail.sh")
	writeFile(t, failScript, "echo 'install-lnd: error: go build failed' >&2\nexit 3\n", 0o644)

	var progress strings.Builder
	b, err := runInstallScript(context.Background(), okScript, &progress)
	if err != nil || b.Lnd != filepath.Join(bin, "lnd") || !strings.Contains(progress.String(), "already built") {
		t.Fatalf("ok script: %+v, %v, progress %q", b, err, progress.String())
	}
	_, err = runInstallScript(context.Background(), failScript, nil)
	if !errors.Is(err, ErrInstall) || !strings.Contains(err.Error(), "go build failed") {
		t.Fatalf("failing script: %v", err)
	}
}

// TestInstallScriptPrintDir checks the real script's cache layout and that
// it pins the Version this package documents, without building anything.
func TestInstallScriptPrintDir(t *testing.T) {
	script, err := findInstallScript(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	cmd := exec.Command("bash", script, "--print-dir")
	cmd.Env = append(os.Environ(), "FULMEN_CACHE="+cache, "FULMEN_LND_VERSION=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(out)), filepath.Join(cache, "lnd-"+Version); got != want {
		t.Errorf("--print-dir = %q, want %q", got, want)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("--print-dir wrote into the cache: %v", entries)
	}
	if err := exec.Command("bash", script, "--bogus").Run(); err == nil {
		t.Error("an unknown flag was accepted")
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{limit: 8}
	for _, s := range []string{"abc", "defgh", "ijklmnop", "qr"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if got := b.String(); got != "klmnopqr" {
		t.Errorf("tail = %q, want %q", got, "klmnopqr")
	}
}
