package devnet

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Binaries are the built fulmend and fulmen-cli.
type Binaries struct {
	Fulmend   string
	FulmenCLI string
}

var (
	buildOnce sync.Once
	built     Binaries
	buildErr  error
)

// Build compiles fulmend and fulmen-cli from this module once per process
// into dir (a temporary directory when empty).
func Build(ctx context.Context, dir string) (Binaries, error) {
	buildOnce.Do(func() { built, buildErr = build(ctx, dir) })
	return built, buildErr
}

func build(ctx context.Context, dir string) (Binaries, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return Binaries{}, err
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "fulmen-bin-"); err != nil {
			return Binaries{}, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Binaries{}, err
	}
	b := Binaries{Fulmend: filepath.Join(dir, "fulmend"), FulmenCLI: filepath.Join(dir, "fulmen-cli")}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir, "./cmd/fulmend", "./cmd/fulmen-cli")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return Binaries{}, fmt.Errorf("devnet: building fulmend: %v\n%s", err, out)
	}
	return b, nil
}

// moduleRoot finds the fulmen module's directory.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "github.com/fulmen-ln/fulmen").Output()
	if err != nil {
		return "", fmt.Errorf("devnet: locating the fulmen module (run inside it): %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
