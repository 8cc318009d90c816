package regtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// The pinned btcd the harness runs.
const (
	BtcdModule  = "github.com/btcsuite/btcd"
	BtcdVersion = "v0.24.2"
)

// CacheEnv names the environment variable that overrides the tool cache
// directory.
const CacheEnv = "FULMEN_CACHE"

// ErrInstall: btcd could not be installed.
var ErrInstall = errors.New("regtest: installing btcd failed")

// CacheDir returns the directory that holds installed tools: $FULMEN_CACHE
// when set; otherwise "fulmen-tools" beside Go's build cache (the parent of
// `go env GOCACHE`, ~/.cache/fulmen-tools on Linux by default); otherwise
// "fulmen-tools" in the user's cache directory.
func CacheDir() (string, error) {
	if dir := os.Getenv(CacheEnv); dir != "" {
		return filepath.Abs(dir)
	}
	if goBin, err := goCommand(); err == nil {
		out, err := exec.Command(goBin, "env", "GOCACHE").Output()
		if gocache := strings.TrimSpace(string(out)); err == nil && filepath.IsAbs(gocache) {
			return filepath.Join(filepath.Dir(gocache), "fulmen-tools"), nil
		}
	}
	userCache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("regtest: no cache directory (set %s): %w", CacheEnv, err)
	}
	return filepath.Join(userCache, "fulmen-tools"), nil
}

// BtcdPath is where InstallBtcd puts the pinned btcd under cacheDir:
// <cacheDir>/btcd-v0.24.2/btcd.
func BtcdPath(cacheDir string) string {
	return filepath.Join(cacheDir, "btcd-"+BtcdVersion, "btcd")
}

// InstallBtcd returns the path of the pinned btcd under cacheDir, building
// it first if it is missing, as
//
//	GOBIN=<cacheDir>/btcd-v0.24.2 go install github.com/btcsuite/btcd@v0.24.2
//
// (through a temporary GOBIN renamed into place, so that concurrent test
// processes never see a half-written binary). The first install downloads
// and builds btcd: about a minute.
func InstallBtcd(ctx context.Context, cacheDir string) (string, error) {
	target := BtcdPath(cacheDir)
	if isExecutable(target) {
		return target, nil
	}
	goBin, err := goCommand()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInstall, err)
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInstall, err)
	}
	tmp, err := os.MkdirTemp(cacheDir, "btcd-install-")
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInstall, err)
	}
	defer os.RemoveAll(tmp)
	gobin := filepath.Join(tmp, "bin")
	cmd := exec.CommandContext(ctx, goBin, "install", BtcdModule+"@"+BtcdVersion)
	cmd.Dir = tmp // outside any module: the pinned version is used as is
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%w: go install %s@%s: %w\n%s", ErrInstall, BtcdModule, BtcdVersion, err, lastLines(out.String(), 20))
	}
	if err := os.Rename(gobin, filepath.Dir(target)); err != nil && !isExecutable(target) {
		return "", fmt.Errorf("%w: %w", ErrInstall, err)
	}
	if !isExecutable(target) {
		return "", fmt.Errorf("%w: %s missing after go install", ErrInstall, target)
	}
	return target, nil
}

// goCommand finds the go tool: on PATH, else in the running toolchain's
// GOROOT.
func goCommand() (string, error) {
	if path, err := exec.LookPath("go"); err == nil {
		return path, nil
	}
	path := filepath.Join(runtime.GOROOT(), "bin", "go")
	if isExecutable(path) {
		return path, nil
	}
	return "", errors.New("regtest: no go command on PATH or in GOROOT")
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0
}

// lastLines keeps the end of a long output for an error message.
func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
