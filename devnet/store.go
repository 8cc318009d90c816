package devnet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Store is one catstore process (cmd/catstore, the example server of
// package paywall) selling the ASCII cat through a node of the network.
type Store struct {
	// Name names the store's log file, <network dir>/<Name>.log.
	Name string
	// Node is the node whose invoices the store creates.
	Node *Node
	// URL is the store's root, "http://127.0.0.1:PORT" (no trailing
	// slash); the catalogue is URL+"/" and the cat's shop page ShopURL.
	URL     string
	ShopURL string
	// Command is the command line that started the store.
	Command []string
	// LogPath holds the store's output.
	LogPath string

	cmd    *exec.Cmd
	exited chan struct{}
	err    error // exit status, valid once exited is closed
}

// ErrStoreNotReady: the store exited or printed no shop URL in time.
var ErrStoreNotReady = errors.New("devnet: catstore not ready")

var (
	storeBuildOnce sync.Once
	storeBinary    string
	storeBuildErr  error
)

// BuildStore compiles cmd/catstore into dir once per process and returns the
// binary's path.
func BuildStore(ctx context.Context, dir string) (string, error) {
	storeBuildOnce.Do(func() { storeBinary, storeBuildErr = buildStore(ctx, dir) })
	return storeBinary, storeBuildErr
}

func buildStore(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir, "./cmd/catstore")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("devnet: building catstore: %v\n%s", err, out)
	}
	return filepath.Join(dir, "catstore"), nil
}

// storeReadyTimeout bounds the wait for the store's URL.
const storeReadyTimeout = 30 * time.Second

// StartStore builds catstore (beside fulmend) and runs it against node's
// JSON-RPC socket on a free loopback port, with extra catstore flags (such
// as "--price=21sat" or "--expiry=2s"). It returns once the store prints
// its shop URL. The caller stops it with Stop: Network.Close does not.
func (n *Network) StartStore(ctx context.Context, node *Node, name string, args ...string) (*Store, error) {
	bin, err := BuildStore(ctx, filepath.Dir(n.bin.Fulmend))
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(n.Dir, name+".log")
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("devnet: store %q: %w", name, err)
	}
	command := append([]string{bin, "--lightning-dir=" + node.LightningDir, "--listen=127.0.0.1:0"}, args...)
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("devnet: starting catstore: %w", err)
	}
	s := &Store{Name: name, Node: node, Command: command, LogPath: logPath, cmd: cmd, exited: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		out.Close()
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		s.kill()
		return nil, err
	}
	return s, nil
}

// waitReady reads the log until the store prints "shop: URL".
func (s *Store) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, storeReadyTimeout)
	defer cancel()
	for {
		if shop := s.printedShopURL(); shop != "" {
			s.ShopURL = shop
			s.URL = strings.TrimSuffix(shop, "/buy/cat")
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%w: it exited (%v):\n%s", ErrStoreNotReady, s.err, s.Output())
		case <-ctx.Done():
			return fmt.Errorf("%w: %w:\n%s", ErrStoreNotReady, ctx.Err(), s.Output())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// printedShopURL is the URL on the store's "shop: " line, or "".
func (s *Store) printedShopURL() string {
	f, err := os.Open(s.LogPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if url, ok := strings.CutPrefix(lines.Text(), "shop: "); ok && strings.HasSuffix(url, "/buy/cat") {
			return url
		}
	}
	return ""
}

// Output is what the store has printed so far.
func (s *Store) Output() string {
	data, _ := os.ReadFile(s.LogPath)
	return string(data)
}

// Pid is the store's process id.
func (s *Store) Pid() int { return s.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (s *Store) Exited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// storeStopTimeout is how long Stop waits after SIGTERM before SIGKILL.
const storeStopTimeout = 10 * time.Second

// Stop sends SIGTERM to the store's pid (catstore then ends its long polls
// and exits 0) and SIGKILL if it has not exited within ten seconds. It
// returns the exit status; stopping a stopped store returns it again.
func (s *Store) Stop(ctx context.Context) error {
	if !s.Exited() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		timer := time.NewTimer(storeStopTimeout)
		defer timer.Stop()
		select {
		case <-s.exited:
		case <-timer.C:
			s.kill()
			return fmt.Errorf("devnet: catstore %s did not stop in %v; killed", s.Name, storeStopTimeout)
		case <-ctx.Done():
			s.kill()
			return ctx.Err()
		}
	}
	return s.err
}

// kill ends the process at once (SIGKILL to its pid) and waits for it.
func (s *Store) kill() {
	if !s.Exited() {
		s.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-s.exited
}

// StartStore starts a store or fails the test; it is stopped when the test
// ends (before the network, whose cleanup was registered first), and its
// output is logged if the test failed.
func (tn *TestNetwork) StartStore(t testing.TB, node *Node, name string, args ...string) *Store {
	t.Helper()
	s, err := tn.Network.StartStore(context.Background(), node, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Errorf("stopping catstore %s: %v", name, err)
		}
		if t.Failed() {
			t.Logf("--- output of catstore %s ---\n%s", name, s.Output())
		}
	})
	return s
}
