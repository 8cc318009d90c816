package devnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fulmen-ln/fulmen/rpc"
)

// Backend is how daemons reach the chain's JSON-RPC.
type Backend struct {
	Host     string // host
	Port     int
	User     string
	Password string
	CertFile string // TLS CA certificate (btcd); empty for plain HTTP
}

// Node is one fulmend process.
type Node struct {
	Name         string
	LightningDir string
	Network      string
	// P2PAddress is the loopback host:port the node accepts peers on, and
	// PeerSocket the Unix socket path it also accepts peers on.
	P2PAddress string
	PeerSocket string
	bin        Binaries
	extra      []string

	cmd    *exec.Cmd
	exited chan struct{}
	err    error // exit status, valid after exited is closed
}

// NodeOptions configure a new node.
type NodeOptions struct {
	// Extra are additional config-file lines (key=value).
	Extra []string
}

// NewNode writes the node's config file into dir and starts fulmend.
func NewNode(ctx context.Context, bin Binaries, backend Backend, dir, name string, opts NodeOptions) (*Node, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p2p := fmt.Sprintf("127.0.0.1:%d", port)
	socket := filepath.Join(dir, "peer.sock")
	lines := []string{
		"bind-addr=" + p2p,
		"bind-addr=" + socket,
		"network=regtest",
		"alias=" + name,
		"log-level=debug",
		// btcd's estimates on regtest follow whatever the tests mined:
		// fix them, as Core Lightning's test framework does, so that fees
		// (and the opener's update_fee) are deterministic. Tests change it
		// with SetOption.
		"force-feerates=1000",
		"log-file=" + filepath.Join(dir, "log"),
		"bitcoin-rpcconnect=" + backend.Host,
		fmt.Sprintf("bitcoin-rpcport=%d", backend.Port),
		"bitcoin-rpcuser=" + backend.User,
		"bitcoin-rpcpassword=" + backend.Password,
	}
	if backend.CertFile != "" {
		lines = append(lines, "bitcoin-rpccert="+backend.CertFile)
	}
	lines = append(lines, opts.Extra...)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	n := &Node{Name: name, LightningDir: dir, Network: "regtest", bin: bin, P2PAddress: p2p, PeerSocket: socket}
	if err := n.Start(ctx); err != nil {
		return nil, err
	}
	return n, nil
}

// NetworkDir is where the node keeps its state.
func (n *Node) NetworkDir() string { return filepath.Join(n.LightningDir, n.Network) }

// RPCPath is the node's JSON-RPC socket.
func (n *Node) RPCPath() string { return filepath.Join(n.NetworkDir(), "lightning-rpc") }

// LogPath is the node's log file.
func (n *Node) LogPath() string { return filepath.Join(n.LightningDir, "log") }

// CLI is the command line that talks to this node.
func (n *Node) CLI() string {
	return fmt.Sprintf("%s --lightning-dir=%s", n.bin.FulmenCLI, n.LightningDir)
}

// Start runs fulmend and waits until its RPC answers.
func (n *Node) Start(ctx context.Context) error {
	if n.cmd != nil && !n.Exited() {
		return fmt.Errorf("devnet: %s is already running", n.Name)
	}
	cmd := exec.Command(n.bin.Fulmend, "--lightning-dir="+n.LightningDir)
	cmd.Stdout, cmd.Stderr = nil, nil
	stderr, err := os.OpenFile(filepath.Join(n.LightningDir, "stderr"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		stderr.Close()
		return fmt.Errorf("devnet: starting fulmend for %s: %w", n.Name, err)
	}
	n.cmd = cmd
	n.exited = make(chan struct{})
	go func() {
		n.err = cmd.Wait()
		stderr.Close()
		close(n.exited)
	}()
	return n.waitReady(ctx)
}

// Exited reports whether the process has ended.
func (n *Node) Exited() bool {
	select {
	case <-n.exited:
		return true
	default:
		return false
	}
}

// Pid is the process id of the running daemon.
func (n *Node) Pid() int { return n.cmd.Process.Pid }

func (n *Node) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		err := n.Call(ctx, "getinfo", nil, nil)
		if err == nil {
			return nil
		}
		select {
		case <-n.exited:
			return fmt.Errorf("devnet: fulmend %s exited during start-up (%v); stderr: %s",
				n.Name, n.err, n.tail("stderr", 20))
		case <-ctx.Done():
			n.Kill()
			return fmt.Errorf("devnet: fulmend %s not ready: %v", n.Name, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Call invokes a JSON-RPC method on the node.
func (n *Node) Call(ctx context.Context, method string, params any, result any) error {
	return rpc.NewClient(n.RPCPath()).Call(ctx, method, params, result)
}

// Stop asks the daemon to stop, and kills it by pid if it has not exited
// within the timeout.
func (n *Node) Stop(ctx context.Context) error {
	if n.cmd == nil || n.Exited() {
		return nil
	}
	callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n.Call(callCtx, "stop", nil, nil)
	select {
	case <-n.exited:
		return nil
	case <-time.After(20 * time.Second):
		n.Kill()
		return fmt.Errorf("devnet: %s did not stop in time; killed", n.Name)
	}
}

// Kill ends the process at once (SIGKILL to its pid), as a crash would.
func (n *Node) Kill() {
	if n.cmd == nil || n.Exited() {
		return
	}
	n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.exited
}

// Restart stops and starts the daemon on the same directory.
func (n *Node) Restart(ctx context.Context) error {
	if err := n.Stop(ctx); err != nil {
		return err
	}
	return n.Start(ctx)
}

// ExitErr is the process's exit status once it has exited.
func (n *Node) ExitErr() error {
	if !n.Exited() {
		return errors.New("still running")
	}
	return n.err
}

// tail returns the last lines of a file in the node's directory.
func (n *Node) tail(file string, lines int) string {
	data, _ := os.ReadFile(filepath.Join(n.LightningDir, file))
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// LogTail returns the last lines of the daemon log and stderr.
func (n *Node) LogTail(lines int) string {
	return n.tail("log", lines) + "\n--- stderr ---\n" + n.tail("stderr", lines)
}

// freePort asks the kernel for a free loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
