package lndtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// process is one run of the lnd binary.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	err    error         // exit status, valid once exited is closed
}

// waitExit waits up to timeout for the process to exit; false when it still
// runs (or ctx is done first).
func (p *process) waitExit(ctx context.Context, timeout time.Duration) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-p.exited:
		return true
	case <-timer.C:
	case <-ctx.Done():
	}
	return false
}

// launch starts lnd and waits until it is ready. On failure the process is
// killed and the error carries the tails of lnd's output and log.
func (n *Node) launch(ctx context.Context) error {
	out, err := os.OpenFile(n.outputPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	// Not CommandContext: lnd lives as long as the node, not as the context
	// of the call that started it.
	cmd := exec.Command(n.bin.Lnd, n.args()...)
	cmd.Stdout, cmd.Stderr = out, out
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("lndtest: starting %s: %w", n.bin.Lnd, err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		out.Close()
		close(p.exited)
	}()
	n.mu.Lock()
	n.proc = p
	n.mu.Unlock()

	client, info, err := n.waitReady(ctx, p)
	if err == nil {
		n.mu.Lock()
		if n.pubkey != "" && n.pubkey != info.IdentityPubkey {
			err = fmt.Errorf("%w: lnd came back as %s, was %s", ErrBadResponse, info.IdentityPubkey, n.pubkey)
		} else {
			n.client, n.pubkey = client, info.IdentityPubkey
		}
		n.mu.Unlock()
	}
	if err != nil {
		if client != nil {
			client.close()
		}
		p.cmd.Process.Kill()
		<-p.exited
		n.mu.Lock()
		n.proc = nil
		n.mu.Unlock()
		return err
	}
	return nil
}

// waitReady polls GET /v1/getinfo until lnd reports synced_to_chain. The TLS
// certificate and macaroon are read again after every failure: lnd writes
// them while it starts.
func (n *Node) waitReady(ctx context.Context, p *process) (*restClient, Info, error) {
	ctx, cancel := context.WithTimeout(ctx, n.opts.startTimeout())
	defer cancel()
	var client *restClient
	last := "no TLS certificate or macaroon yet"
	for {
		if client == nil {
			c, err := newRESTClient(n.RESTAddress(), n.tlsCertPath(), n.MacaroonPath())
			if err != nil {
				last = err.Error()
			}
			client = c
		}
		if client != nil {
			var info Info
			callCtx, cancelCall := context.WithTimeout(ctx, 10*time.Second)
			err := client.call(callCtx, "GET", "/v1/getinfo", nil, &info)
			cancelCall()
			switch {
			case err == nil && info.SyncedToChain:
				return client, info, nil
			case err == nil:
				last = fmt.Sprintf("synced_to_chain is false at height %d (lnd counts itself synced only "+
					"when the chain tip is under 2 hours old: mine a block)", info.BlockHeight)
			default:
				last = err.Error()
				client.close()
				client = nil
			}
		}
		select {
		case <-p.exited:
			return nil, Info{}, fmt.Errorf("%w during start-up (%v)\n%s", ErrExited, p.err, n.diagnostics())
		case <-ctx.Done():
			if client != nil {
				client.close()
			}
			return nil, Info{}, fmt.Errorf("%w: %s: %w\n%s", ErrNotReady, last, ctx.Err(), n.diagnostics())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Stop stops lnd: the StopDaemon RPC (what `lncli stop` sends), then SIGTERM
// by pid, then SIGKILL by pid, each after Options.StopTimeout. It returns
// once the process has exited; stopping a stopped node does nothing.
func (n *Node) Stop(ctx context.Context) error {
	n.mu.Lock()
	p, client := n.proc, n.client
	n.proc, n.client = nil, nil
	n.mu.Unlock()
	if p == nil {
		return nil
	}
	timeout := n.opts.stopTimeout()
	if client != nil {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := client.call(stopCtx, "POST", "/v1/stop", struct{}{}, nil)
		cancel()
		client.close()
		if err == nil && p.waitExit(ctx, timeout) {
			return nil
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.cmd.Process.Kill()
	}
	if p.waitExit(ctx, timeout) {
		return nil
	}
	p.cmd.Process.Kill()
	<-p.exited
	return nil
}

// Restart stops lnd and starts it again on the same directory and ports,
// waiting until it is synced; the node id must not change.
func (n *Node) Restart(ctx context.Context) error {
	if err := n.Stop(ctx); err != nil {
		return err
	}
	return n.launch(ctx)
}

// LogTail returns the last lines of lnd.log, or a note saying why it cannot
// be read: it is meant for failure messages.
func (n *Node) LogTail(lines int) string {
	tail, err := tailLines(n.LogPath(), lines)
	if err != nil {
		return fmt.Sprintf("(lnd.log unreadable: %v)", err)
	}
	return tail
}

// diagnostics is what a start-up failure shows: lnd's output (where flag
// errors and panics go) and its log.
func (n *Node) diagnostics() string {
	out, err := tailLines(n.outputPath(), 20)
	if err != nil {
		out = fmt.Sprintf("(unreadable: %v)", err)
	}
	return "--- lnd output ---\n" + out + "\n--- lnd.log ---\n" + n.LogTail(30)
}

// tailLines reads the last lines of a file, looking at its last 256 KiB
// only: debug logs grow large.
func tailLines(path string, lines int) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	const window = 256 << 10
	info, err := f.Stat()
	if err != nil {
		return "", err
	}
	offset := max(info.Size()-window, 0)
	data, err := io.ReadAll(io.NewSectionReader(f, offset, window))
	if err != nil {
		return "", err
	}
	return lastLines(string(data), lines), nil
}

// lastLines returns the last n lines of text, without a trailing newline.
func lastLines(text string, n int) string {
	text = strings.TrimRight(text, "\n")
	if n <= 0 || text == "" {
		return ""
	}
	all := strings.Split(text, "\n")
	return strings.Join(all[max(len(all)-n, 0):], "\n")
}

// Lncli runs lncli against this node with the given arguments and returns
// its standard output.
func (n *Node) Lncli(ctx context.Context, args ...string) ([]byte, error) {
	base := []string{
		"--lnddir=" + n.opts.Dir,
		"--network=regtest",
		"--rpcserver=" + n.RPCAddress(),
		"--tlscertpath=" + n.tlsCertPath(),
		"--macaroonpath=" + n.MacaroonPath(),
	}
	cmd := exec.CommandContext(ctx, n.bin.Lncli, append(base, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("lncli %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}
