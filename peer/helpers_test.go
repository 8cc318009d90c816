package peer

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/signer"
	"github.com/fulmen-ln/fulmen/transport"
)

// regtest is the chain every test node is on.
var regtest = lnwire.ChainHash(*chaincfg.RegressionNetParams.GenesisHash)

// testKey returns the node key of a signer built from a secret of seed
// bytes, as the daemon builds it from hsm_secret.
func testKey(t testing.TB, seed byte) signer.NodeECDH {
	t.Helper()
	var secret [32]byte
	for i := range secret {
		secret[i] = seed
	}
	s, err := signer.New(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s.NodeECDH()
}

// testContext bounds a test so that a bug fails it instead of hanging.
func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// testConfig is a Config with short timeouts for node seed.
func testConfig(t testing.TB, seed byte) Config {
	cfg := DefaultConfig()
	cfg.Key = testKey(t, seed)
	cfg.Chain = regtest
	cfg.HandshakeTimeout = 2 * time.Second
	cfg.InitTimeout = 2 * time.Second
	cfg.WriteTimeout = 2 * time.Second
	cfg.ReconnectMin = 20 * time.Millisecond
	cfg.ReconnectMax = 160 * time.Millisecond
	return cfg
}

// testNode is a Manager with its recorded events.
type testNode struct {
	*Manager
	id     *btcec.PublicKey
	events *eventRecorder
}

func newTestNode(t testing.TB, seed byte, adjust func(*Config)) *testNode {
	t.Helper()
	cfg := testConfig(t, seed)
	events := &eventRecorder{changed: make(chan struct{})}
	cfg.Events = events
	if adjust != nil {
		adjust(&cfg)
	}
	m, err := NewManager(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return &testNode{Manager: m, id: cfg.Key.PubKey(), events: events}
}

// listenTCP listens on a free loopback port and returns host:port.
func (n *testNode) listenTCP(t testing.TB) string {
	t.Helper()
	addr, err := n.Listen(testContext(t), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return addr.String()
}

// listenUnix listens on a socket in a fresh short temporary directory.
func (n *testNode) listenUnix(t testing.TB) string {
	t.Helper()
	path := socketPath(t)
	if _, err := n.Listen(testContext(t), "unix", path); err != nil {
		t.Fatal(err)
	}
	return path
}

// socketPath returns a Unix socket path that stays under 100 characters.
func socketPath(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "fulmen-peer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "peer.sock")
	if len(path) >= 100 {
		t.Fatalf("socket path %q too long", path)
	}
	return path
}

// eventRecorder keeps every event; tests wait for the ones they expect.
type eventRecorder struct {
	mu      sync.Mutex
	events  []Event
	changed chan struct{} // closed and replaced on every event
}

func (r *eventRecorder) HandlePeerEvent(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

// waitCount waits until n recorded events satisfy match and returns the
// nth.
func (r *eventRecorder) waitCount(t testing.TB, n int, match func(Event) bool) Event {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		count := 0
		for _, e := range r.events {
			if match(e) {
				count++
				if count == n {
					r.mu.Unlock()
					return e
				}
			}
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out waiting for event %d", n)
		}
	}
}

func (r *eventRecorder) wait(t testing.TB, match func(Event) bool) Event {
	t.Helper()
	return r.waitCount(t, 1, match)
}

func isEvent(kind EventKind, id *btcec.PublicKey) func(Event) bool {
	return func(e Event) bool { return e.Kind == kind && e.Info.ID != nil && e.Info.ID.IsEqual(id) }
}

// rawClient is a hand-driven remote node: it speaks BOLT #8 through
// package transport, and everything else by hand, to misbehave at will.
type rawClient struct {
	t    testing.TB
	conn *transport.Conn
	wire *tapConn
}

// dialRaw connects to address (TCP or a socket path) as node seed,
// expecting the node key remote.
func dialRaw(t testing.TB, seed byte, address string, remote *btcec.PublicKey) (*rawClient, error) {
	t.Helper()
	netConn, err := dial(testContext(t), address)
	if err != nil {
		t.Fatal(err)
	}
	tap := &tapConn{Conn: netConn}
	conn, err := transport.DialConn(testContext(t), tap, testKey(t, seed), remote)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { conn.Close() })
	return &rawClient{t: t, conn: conn, wire: tap}, nil
}

func (c *rawClient) send(msg lnwire.Message) {
	c.t.Helper()
	raw, err := lnwire.WriteMessage(msg)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(raw)
}

func (c *rawClient) sendRaw(raw []byte) {
	c.t.Helper()
	if err := c.conn.WriteMessage(raw); err != nil {
		c.t.Fatal(err)
	}
}

// read returns the next message other than ping (pings are answered).
func (c *rawClient) read() (lnwire.Message, error) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		raw, err := c.conn.ReadMessage()
		if err != nil {
			return nil, err
		}
		msg, err := lnwire.ReadMessage(raw)
		if err != nil {
			c.t.Fatalf("raw client cannot decode %x: %v", raw, err)
		}
		if ping, ok := msg.(*lnwire.Ping); ok {
			c.conn.WriteMessage(mustEncode(c.t, &lnwire.Pong{Ignored: make([]byte, ping.NumPongBytes)}))
			continue
		}
		return msg, nil
	}
}

// expectInit reads the node's init.
func (c *rawClient) expectInit() *lnwire.Init {
	c.t.Helper()
	msg, err := c.read()
	if err != nil {
		c.t.Fatalf("reading init: %v", err)
	}
	init, ok := msg.(*lnwire.Init)
	if !ok {
		c.t.Fatalf("first message is %s, want init", msg.MsgType())
	}
	return init
}

// sendInit sends an init with features on regtest.
func (c *rawClient) sendInit(features lnwire.FeatureVector) {
	c.t.Helper()
	networks := []lnwire.ChainHash{regtest}
	init := &lnwire.Init{GlobalFeatures: []byte{}, Features: features.Encode()}
	init.TLVs.Networks = &networks
	c.send(init)
}

// exchangeInit completes a well-behaved init exchange.
func (c *rawClient) exchangeInit() {
	c.t.Helper()
	c.sendInit(DefaultFeatures())
	c.expectInit()
}

// expectWarningThenClose reads a warning whose data contains text, then
// the end of the connection.
func (c *rawClient) expectWarningThenClose(text string) {
	c.t.Helper()
	msg, err := c.read()
	if err != nil {
		c.t.Fatalf("want a warning, connection ended: %v", err)
	}
	warning, ok := msg.(*lnwire.Warning)
	if !ok {
		c.t.Fatalf("got %s, want warning", msg.MsgType())
	}
	if warning.ChannelID != (lnwire.ChannelID{}) {
		c.t.Errorf("warning for channel %s, want all zero", warning.ChannelID)
	}
	if !strings.Contains(string(warning.Data), text) {
		c.t.Errorf("warning %q does not mention %q", warning.Data, text)
	}
	c.expectClose()
}

// expectClose reads until the connection ends, failing on any message.
func (c *rawClient) expectClose() {
	c.t.Helper()
	msg, err := c.read()
	if err == nil {
		c.t.Fatalf("got %s, want the connection closed", msg.MsgType())
	}
	if !isClosedErr(err) {
		c.t.Fatalf("got %v, want the connection closed", err)
	}
}

func isClosedErr(err error) bool {
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return false
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		strings.Contains(err.Error(), "connection reset")
}

func mustEncode(t testing.TB, msg lnwire.Message) []byte {
	t.Helper()
	raw, err := lnwire.WriteMessage(msg)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// tapConn lets a test write around the cipher, or cut a frame short.
type tapConn struct {
	net.Conn
	mu       sync.Mutex
	truncate int // when > 0, the next Write sends only this many bytes
}

func (c *tapConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	n := c.truncate
	c.truncate = 0
	c.mu.Unlock()
	if n > 0 && n < len(b) {
		if _, err := c.Conn.Write(b[:n]); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return c.Conn.Write(b)
}

func (c *tapConn) truncateNextWrite(n int) {
	c.mu.Lock()
	c.truncate = n
	c.mu.Unlock()
}

// fakeConn is an in-memory messageConn for tests of a single Peer.
type fakeConn struct {
	remote    *btcec.PublicKey
	in        chan []byte // what the Peer reads
	written   chan []byte // what the Peer wrote
	closed    chan struct{}
	closeOnce sync.Once
}

func newFakeConn(remote *btcec.PublicKey, writeBuffer int) *fakeConn {
	return &fakeConn{
		remote:  remote,
		in:      make(chan []byte),
		written: make(chan []byte, writeBuffer),
		closed:  make(chan struct{}),
	}
}

func (c *fakeConn) ReadMessage() ([]byte, error) {
	select {
	case msg := <-c.in:
		return msg, nil
	case <-c.closed:
		return nil, net.ErrClosed
	}
}

func (c *fakeConn) WriteMessage(msg []byte) error {
	select {
	case c.written <- append([]byte(nil), msg...):
		return nil
	case <-c.closed:
		return net.ErrClosed
	}
}

func (c *fakeConn) SetReadDeadline(time.Time) error  { return nil }
func (c *fakeConn) SetWriteDeadline(time.Time) error { return nil }
func (c *fakeConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 9735}
}
func (c *fakeConn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(198, 51, 100, 1), Port: 9735}
}
func (c *fakeConn) RemotePub() *btcec.PublicKey { return c.remote }
func (c *fakeConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}

// newFakePeer returns a Peer past its init exchange over a fakeConn; its
// loops are not started.
func newFakePeer(t testing.TB, adjust func(*Config)) (*Peer, *fakeConn, *eventRecorder) {
	t.Helper()
	cfg := testConfig(t, 1)
	events := &eventRecorder{changed: make(chan struct{})}
	cfg.Events = events
	if adjust != nil {
		adjust(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg = cfg.withDefaults()
	conn := newFakeConn(testKey(t, 2).PubKey(), 64)
	p := newPeer(&cfg, conn, Inbound)
	p.remoteFeatures = DefaultFeatures()
	return p, conn, events
}

// queued returns the messages waiting in p's send queue, decoded.
func queued(t testing.TB, p *Peer) []lnwire.Message {
	t.Helper()
	var out []lnwire.Message
	for {
		select {
		case item := <-p.out:
			msg, err := lnwire.ReadMessage(item.raw)
			if err != nil {
				t.Fatalf("queued message %x does not decode: %v", item.raw, err)
			}
			out = append(out, msg)
		default:
			return out
		}
	}
}
