package lndtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure one lnd.
type Options struct {
	// BtcdRPCHost is btcd's TLS JSON-RPC address, "127.0.0.1:port".
	BtcdRPCHost string
	BtcdRPCUser string
	BtcdRPCPass string
	// BtcdRPCCert is the path of btcd's rpc.cert.
	BtcdRPCCert string
	// Dir is this node's lnd directory (--lnddir), created if missing.
	// Keep it for the node's life: Restart reuses the wallet in it.
	Dir string
	// Alias is the node alias; empty leaves lnd's default.
	Alias string
	// ExtraArgs are appended to lnd's command line; a flag given again
	// overrides the default (e.g. "--trickledelay=1000").
	ExtraArgs []string
	// StartTimeout bounds Start and Restart; zero means 3 minutes.
	StartTimeout time.Duration
	// StopTimeout is how long Stop waits after asking lnd to stop before
	// SIGTERM, and again before SIGKILL; zero means 30 seconds.
	StopTimeout time.Duration
}

// Validate reports missing fields.
func (o Options) Validate() error {
	missing := func(what string) error { return fmt.Errorf("%w: %s is empty", ErrInvalidOptions, what) }
	switch {
	case o.BtcdRPCHost == "":
		return missing("BtcdRPCHost")
	case o.BtcdRPCUser == "":
		return missing("BtcdRPCUser")
	case o.BtcdRPCPass == "":
		return missing("BtcdRPCPass")
	case o.BtcdRPCCert == "":
		return missing("BtcdRPCCert")
	case o.Dir == "":
		return missing("Dir")
	}
	if _, _, err := net.SplitHostPort(o.BtcdRPCHost); err != nil {
		return fmt.Errorf("%w: BtcdRPCHost %q: %v", ErrInvalidOptions, o.BtcdRPCHost, err)
	}
	if o.StartTimeout < 0 || o.StopTimeout < 0 {
		return fmt.Errorf("%w: negative timeout", ErrInvalidOptions)
	}
	return nil
}

func (o Options) startTimeout() time.Duration {
	if o.StartTimeout == 0 {
		return 3 * time.Minute
	}
	return o.StartTimeout
}

func (o Options) stopTimeout() time.Duration {
	if o.StopTimeout == 0 {
		return 30 * time.Second
	}
	return o.StopTimeout
}

// ports are the loopback ports a node keeps across restarts, so its peers
// find it at the same address.
type ports struct{ p2p, rpc, rest int }

// Node is one lnd process and a REST client for it. Its methods are safe for
// concurrent use.
type Node struct {
	bin   Binaries
	opts  Options
	ports ports

	mu     sync.Mutex
	proc   *process    // nil when stopped
	client *restClient // nil when stopped
	pubkey string
}

// Start runs lnd with opts on free 127.0.0.1 ports and waits until its REST
// API answers GetInfo with synced_to_chain. lnd counts itself synced only
// when the chain tip is less than two hours old: mine a block first on a new
// chain.
func Start(ctx context.Context, bin Binaries, opts Options) (*Node, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: Dir: %v", ErrInvalidOptions, err)
	}
	opts.Dir = dir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// A free port may be taken by another process before lnd binds it:
	// then lnd exits at once and we try again on new ports.
	const attempts = 3
	for attempt := 1; ; attempt++ {
		var p ports
		for _, port := range []*int{&p.p2p, &p.rpc, &p.rest} {
			if *port, err = freePort(); err != nil {
				return nil, err
			}
		}
		n := &Node{bin: bin, opts: opts, ports: p}
		err := n.launch(ctx)
		if err == nil {
			return n, nil
		}
		if attempt == attempts || !errors.Is(err, ErrExited) || !strings.Contains(err.Error(), "address already in use") {
			return nil, err
		}
	}
}

// freePort asks the kernel for a free loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("lndtest: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// args is lnd's command line for this node.
func (n *Node) args() []string {
	o, p := n.opts, n.ports
	loopback := func(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
	args := []string{
		"--lnddir=" + o.Dir,
		"--bitcoin.regtest",
		"--bitcoin.node=btcd",
		"--btcd.rpchost=" + o.BtcdRPCHost,
		"--btcd.rpcuser=" + o.BtcdRPCUser,
		"--btcd.rpcpass=" + o.BtcdRPCPass,
		"--btcd.rpccert=" + o.BtcdRPCCert,
		"--noseedbackup", // creates and unlocks a wallet without a seed prompt
		"--nobootstrap",  // no DNS seeds: peers only when a test connects them
		"--listen=" + loopback(p.p2p),
		// Advertising the listening address lets a restarted lnd reconnect
		// its channel peers at once instead of after minutes of backoff.
		"--externalip=" + loopback(p.p2p),
		"--rpclisten=" + loopback(p.rpc),
		"--restlisten=" + loopback(p.rest),
		"--tlsdisableautofill", // certificate for localhost/127.0.0.1 only
		"--trickledelay=50",    // gossip flushed every 50ms, not 90s
		"--debuglevel=debug",
		// The test machine's free disk space is not lnd's business here;
		// a failed check would shut lnd down mid-test.
		"--healthcheck.diskspace.attempts=0",
	}
	if o.Alias != "" {
		args = append(args, "--alias="+o.Alias)
	}
	return append(args, o.ExtraArgs...)
}

// Paths inside the lnd directory.
func (n *Node) tlsCertPath() string { return filepath.Join(n.opts.Dir, "tls.cert") }

// MacaroonPath is the admin macaroon lnd writes for regtest.
func (n *Node) MacaroonPath() string {
	return filepath.Join(n.opts.Dir, "data", "chain", "bitcoin", "regtest", "admin.macaroon")
}

// LogPath is lnd's own log file.
func (n *Node) LogPath() string {
	return filepath.Join(n.opts.Dir, "logs", "bitcoin", "regtest", "lnd.log")
}

// outputPath collects lnd's stdout and stderr (panics land here).
func (n *Node) outputPath() string { return filepath.Join(n.opts.Dir, "lnd.out") }

// Dir is the node's lnd directory.
func (n *Node) Dir() string { return n.opts.Dir }

// P2PAddress is where lnd accepts Lightning peers: "127.0.0.1:port".
func (n *Node) P2PAddress() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(n.ports.p2p))
}

// RPCAddress is lnd's gRPC address (for lncli).
func (n *Node) RPCAddress() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(n.ports.rpc))
}

// RESTAddress is lnd's REST address.
func (n *Node) RESTAddress() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(n.ports.rest))
}

// Pubkey is lnd's node id, hex, learnt when it became ready.
func (n *Node) Pubkey() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.pubkey
}

// PID is the process id of the running lnd, 0 when stopped.
func (n *Node) PID() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil {
		return 0
	}
	return n.proc.cmd.Process.Pid
}

// Call makes any REST call: body (if not nil) is sent as JSON and the reply
// decoded into result (if not nil). Paths and JSON are lnd's
// (lnrpc/lightning.swagger.json, lnrpc/*/*.swagger.json). lnd's error
// replies come back as *APIError.
func (n *Node) Call(ctx context.Context, method, path string, body, result any) error {
	c, err := n.restClient()
	if err != nil {
		return err
	}
	return c.call(ctx, method, path, body, result)
}

// Stream makes a REST call whose reply is a stream (e.g. POST
// /v2/router/send, GET /v1/invoices/subscribe) and calls each with every
// streamed result until the stream ends, ctx is done, or each returns an
// error; each returning ErrStreamDone ends the stream and Stream returns nil.
// lnd sends the reply's headers with the first streamed message, so a
// stream with nothing to send yet blocks until then (or until ctx is done).
func (n *Node) Stream(ctx context.Context, method, path string, body any, each func(result json.RawMessage) error) error {
	c, err := n.restClient()
	if err != nil {
		return err
	}
	return c.stream(ctx, method, path, body, each)
}

func (n *Node) restClient() (*restClient, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.client == nil {
		return nil, ErrNotRunning
	}
	return n.client, nil
}

// WaitForHeight polls GetInfo until lnd is synced at height or above.
func (n *Node) WaitForHeight(ctx context.Context, height uint32) (Info, error) {
	var last Info
	var lastErr error
	for {
		info, err := n.GetInfo(ctx)
		if err == nil && info.SyncedToChain && info.BlockHeight >= height {
			return info, nil
		}
		if err == nil {
			last = info
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("lndtest: waiting for height %d (at %d, synced %v, last error %v): %w",
				height, last.BlockHeight, last.SyncedToChain, lastErr, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
