package lndtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Version is the lnd release the tests run; scripts/install-lnd.sh pins it.
const Version = "v0.21.3-beta"

// installScript is the installer's path inside the Fulmen module.
const installScript = "scripts/install-lnd.sh"

// Binaries are the built lnd and lncli.
type Binaries struct {
	Dir   string // $FULMEN_CACHE/lnd-<Version>
	Lnd   string
	Lncli string
}

// Install builds lnd and lncli if missing (7-9 minutes on a cold machine,
// instant on a warm one) and returns their paths. The script's progress goes
// to os.Stderr.
func Install(ctx context.Context) (Binaries, error) {
	return InstallWithProgress(ctx, os.Stderr)
}

// InstallWithProgress is Install with the script's progress written to
// progress (nil discards it).
func InstallWithProgress(ctx context.Context, progress io.Writer) (Binaries, error) {
	script, err := findInstallScript(ctx)
	if err != nil {
		return Binaries{}, err
	}
	return runInstallScript(ctx, script, progress)
}

// findInstallScript locates scripts/install-lnd.sh in the Fulmen module
// the caller runs in (tests run in their package's directory).
func findInstallScript(ctx context.Context) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "github.com/fulmen-ln/fulmen")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%w: locating the fulmen module (run inside it): %v", ErrInstall, err)
	}
	script := filepath.Join(strings.TrimSpace(string(out)), installScript)
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInstall, err)
	}
	return script, nil
}

// runInstallScript runs the installer and reads the directory it prints as
// the last line of its standard output.
func runInstallScript(ctx context.Context, script string, progress io.Writer) (Binaries, error) {
	if progress == nil {
		progress = io.Discard
	}
	var stdout bytes.Buffer
	stderr := &tailBuffer{limit: 8 << 10}
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Stdout = &stdout
	cmd.Stderr = io.MultiWriter(progress, stderr)
	// The script runs `go build` in children: on cancellation end the whole
	// process group it leads, by its id.
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return terminateGroup(cmd) }
	cmd.WaitDelay = 30 * time.Second
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return Binaries{}, fmt.Errorf("%w: %s after %s: %v\n%s", ErrInstall, script,
			time.Since(start).Round(time.Second), err, stderr.String())
	}
	return binariesFromOutput(stdout.String())
}

// binariesFromOutput checks the directory named by the last non-empty line of
// the installer's output.
func binariesFromOutput(out string) (Binaries, error) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	dir := strings.TrimSpace(lines[len(lines)-1])
	if dir == "" || !filepath.IsAbs(dir) {
		return Binaries{}, fmt.Errorf("%w: installer printed no absolute directory: %q", ErrInstall, out)
	}
	b := Binaries{Dir: dir, Lnd: filepath.Join(dir, "lnd"), Lncli: filepath.Join(dir, "lncli")}
	for _, path := range []string{b.Lnd, b.Lncli} {
		info, err := os.Stat(path)
		if err != nil {
			return Binaries{}, fmt.Errorf("%w: %v", ErrInstall, err)
		}
		if info.IsDir() || info.Mode()&0o111 == 0 {
			return Binaries{}, fmt.Errorf("%w: %s is not an executable file", ErrInstall, path)
		}
	}
	return b, nil
}

// tailBuffer keeps the last limit bytes written to it, for error messages.
type tailBuffer struct {
	limit int
	buf   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.limit; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.buf) }
