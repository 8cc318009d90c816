package peer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/fulmen-ln/fulmen/transport"
)

// nodeKey is a node id as a map key.
type nodeKey [33]byte

func keyOf(id *btcec.PublicKey) nodeKey {
	var k nodeKey
	copy(k[:], id.SerializeCompressed())
	return k
}

// Manager runs the node's peer connections: listeners, inbound and outbound
// connections, and reconnection to persistent peers. BOLT #1:
// "Implementations MUST use a single connection per peer": a new
// connection from a node replaces the one we had.
type Manager struct {
	cfg    Config
	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine the Manager started

	handshakes chan struct{} // one token per inbound connection not yet up

	mu         sync.Mutex
	closed     bool
	peers      map[nodeKey]*Peer
	finished   map[*Peer]chan struct{} // closed once the peer is unregistered
	persistent map[nodeKey]*persistentPeer
	listeners  []net.Listener
}

// NewManager checks cfg and returns a Manager with no listener yet.
func NewManager(cfg Config) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Manager{
		cfg:        cfg.withDefaults(),
		ctx:        ctx,
		cancel:     func() { cancel(ErrManagerClosed) },
		handshakes: make(chan struct{}, cfg.MaxPendingHandshakes),
		peers:      make(map[nodeKey]*Peer),
		finished:   make(map[*Peer]chan struct{}),
		persistent: make(map[nodeKey]*persistentPeer),
	}, nil
}

// Close stops listening, stops reconnecting, disconnects every peer and
// waits for all goroutines to end.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	listeners := m.listeners
	m.listeners = nil
	peers := make([]*Peer, 0, len(m.peers))
	for _, p := range m.peers {
		peers = append(peers, p)
	}
	m.mu.Unlock()
	m.cancel()
	var errs []error
	for _, l := range listeners {
		if err := l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	for _, p := range peers {
		p.close(ErrManagerClosed)
	}
	m.wg.Wait()
	return errors.Join(errs...)
}

// Listen binds address on network ("tcp" with host:port, or "unix" with a
// socket path) and accepts connections on it until Close. It returns the
// bound address, so that port 0 can be used. ctx bounds the binding only.
func (m *Manager) Listen(ctx context.Context, network, address string) (net.Addr, error) {
	switch {
	case network != "tcp" && network != "unix":
		return nil, fmt.Errorf("%w: cannot listen on %s network", ErrBadAddress, network)
	case network == "tcp" && strings.Contains(address, ".onion:"):
		return nil, fmt.Errorf("%w: cannot listen on onion address %s", ErrBadAddress, address)
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, network, address)
	if err != nil {
		return nil, fmt.Errorf("peer: listen on %s: %w", address, err)
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		l.Close()
		return nil, ErrManagerClosed
	}
	m.listeners = append(m.listeners, l)
	m.wg.Add(1)
	m.mu.Unlock()
	m.cfg.Logger.Info("listening", "addr", l.Addr().String())
	go func() {
		defer m.wg.Done()
		m.acceptLoop(l)
	}()
	return l.Addr(), nil
}

func (m *Manager) acceptLoop(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			if m.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: keep serving.
			m.cfg.Logger.Warn("accept failed", "err", err)
			continue
		}
		select {
		case m.handshakes <- struct{}{}:
		default:
			m.cfg.Logger.Warn("too many pending handshakes, dropping connection", "from", conn.RemoteAddr().String())
			conn.Close()
			continue
		}
		if !m.spawn(func() {
			defer func() { <-m.handshakes }()
			m.acceptPeer(conn)
		}) {
			<-m.handshakes
			conn.Close()
			return
		}
	}
}

// spawn runs f in a goroutine tracked by Close, unless the Manager is
// closed.
func (m *Manager) spawn(f func()) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		f()
	}()
	return true
}

// acceptPeer runs the responder's handshake and the init exchange.
func (m *Manager) acceptPeer(conn net.Conn) {
	from := conn.RemoteAddr().String()
	tc, err := m.cfg.transport().Accept(m.ctx, conn, m.cfg.Key)
	if err != nil {
		m.cfg.Logger.Debug("inbound handshake failed", "from", from, "err", err)
		return
	}
	if _, err := m.startPeer(m.ctx, tc, Inbound); err != nil {
		m.cfg.Logger.Info("inbound connection refused", "from", from, "err", err)
	}
}

// Connect connects to the node id at address: "host:port", or the path of
// a Unix socket. If the node is already connected its connection is kept
// and described, as Core Lightning's connect does.
func (m *Manager) Connect(ctx context.Context, id *btcec.PublicKey, address string) (Info, error) {
	if id == nil {
		return Info{}, fmt.Errorf("%w: no node id", ErrBadAddress)
	}
	if id.IsEqual(m.cfg.Key.PubKey()) {
		return Info{}, ErrSelfConnection
	}
	if p := m.connected(id); p != nil {
		return p.Info(), nil
	}
	ctx, cancel := m.linkContext(ctx)
	defer cancel()
	conn, err := dial(ctx, address)
	if err != nil {
		return Info{}, err
	}
	tc, err := m.cfg.transport().DialConn(ctx, conn, m.cfg.Key, id)
	if err != nil {
		return Info{}, fmt.Errorf("peer: connecting to %s: %w", address, err)
	}
	p, err := m.startPeer(ctx, tc, Outbound)
	if err != nil {
		return Info{}, fmt.Errorf("peer: connecting to %s: %w", address, err)
	}
	return p.Info(), nil
}

// linkContext returns a context ended by ctx or by Close.
func (m *Manager) linkContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(m.ctx, func() { cancel(ErrManagerClosed) })
	return ctx, func() {
		stop()
		cancel(context.Canceled)
	}
}

// dial opens a TCP connection, or a Unix socket one for a path.
func dial(ctx context.Context, address string) (net.Conn, error) {
	network := "tcp"
	switch {
	case address == "":
		return nil, fmt.Errorf("%w: empty address", ErrBadAddress)
	case strings.HasPrefix(address, "/"):
		network = "unix"
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, fmt.Errorf("peer: dial %s: %w", address, err)
	}
	return conn, nil
}

// startPeer runs the init exchange over an established transport and, if it
// succeeds, registers the peer and starts its loops.
func (m *Manager) startPeer(ctx context.Context, tc *transport.Conn, direction Direction) (*Peer, error) {
	p := newPeer(&m.cfg, tc, direction)
	if p.id.IsEqual(m.cfg.Key.PubKey()) {
		tc.Close()
		return nil, ErrSelfConnection
	}
	if err := p.exchangeInit(ctx); err != nil {
		tc.Close()
		return nil, err
	}
	finished := make(chan struct{})
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		tc.Close()
		return nil, ErrManagerClosed
	}
	key := keyOf(p.id)
	old := m.peers[key]
	m.peers[key] = p
	m.finished[p] = finished
	m.wg.Add(1)
	m.mu.Unlock()
	if old != nil {
		old.close(ErrReplaced)
	}
	p.start(m.ctx)
	p.log.Info("connected", "direction", direction.String(), "features", p.remoteFeatures.String())
	m.cfg.Events.HandlePeerEvent(Event{Kind: EventConnected, Info: p.Info()})
	go func() {
		defer m.wg.Done()
		<-p.done
		p.wait()
		m.mu.Lock()
		if m.peers[key] == p {
			delete(m.peers, key)
		}
		delete(m.finished, p)
		m.mu.Unlock()
		close(finished)
		reason := p.Err()
		if isQuietClose(reason) {
			p.log.Debug("connection ended", "reason", reason)
		} else {
			p.log.Info("connection ended", "reason", reason)
		}
		m.cfg.Events.HandlePeerEvent(Event{Kind: EventDisconnected, Info: p.Info(), Err: reason})
	}()
	return p, nil
}

// connected returns the live connection to id, or nil.
func (m *Manager) connected(id *btcec.PublicKey) *Peer {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peers[keyOf(id)]
}

// Disconnect closes the connection to id and returns once it is gone.
// Without force it refuses a peer with active channels (Config.
// HasActiveChannels), as Core Lightning's disconnect does. A persistent
// peer stays persistent: it will be reconnected after the back-off.
func (m *Manager) Disconnect(id *btcec.PublicKey, force bool) error {
	m.mu.Lock()
	p := m.peers[keyOf(id)]
	finished := m.finished[p]
	m.mu.Unlock()
	if p == nil {
		return fmt.Errorf("%w: %x", ErrNotConnected, id.SerializeCompressed())
	}
	if !force && m.cfg.HasActiveChannels != nil && m.cfg.HasActiveChannels(id) {
		return fmt.Errorf("%w: %x", ErrActiveChannels, id.SerializeCompressed())
	}
	p.close(ErrDisconnectRequested)
	<-finished
	return nil
}

// Peers lists the connected peers and the persistent peers not connected,
// ordered by node id.
func (m *Manager) Peers() []Info {
	m.mu.Lock()
	var out []Info
	for _, p := range m.peers {
		out = append(out, p.Info())
	}
	for key, pp := range m.persistent {
		if _, up := m.peers[key]; !up {
			out = append(out, Info{ID: pp.id})
		}
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b Info) int {
		return bytes.Compare(a.ID.SerializeCompressed(), b.ID.SerializeCompressed())
	})
	return out
}

// Peer describes the connection to id, or a persistent peer that is not
// connected (Connected false).
func (m *Manager) Peer(id *btcec.PublicKey) (Info, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := keyOf(id)
	if p := m.peers[key]; p != nil {
		return p.Info(), true
	}
	if pp := m.persistent[key]; pp != nil {
		return Info{ID: pp.id}, true
	}
	return Info{}, false
}

// Handle returns the live *Peer for id, to send messages to it.
func (m *Manager) Handle(id *btcec.PublicKey) (*Peer, bool) {
	p := m.connected(id)
	return p, p != nil
}

// Ping pings the connected peer id; see Peer.Ping.
func (m *Manager) Ping(ctx context.Context, id *btcec.PublicKey, numPongBytes, bytesLen uint16) (int, error) {
	p := m.connected(id)
	if p == nil {
		return 0, fmt.Errorf("%w: %x", ErrNotConnected, id.SerializeCompressed())
	}
	return p.Ping(ctx, numPongBytes, bytesLen)
}
