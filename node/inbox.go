package node

import (
	"context"
	"sync"

	"github.com/fulmen-ln/fulmen/channel"
)

// itemKind says what an inbox item carries.
type itemKind uint8

const (
	// itemEvent: a channel event from this node (FundingLocked...).
	itemEvent itemKind = iota + 1
	// itemMessage: a message from the peer on conn.
	itemMessage
	// itemReconnected: conn is the peer's new connection.
	itemReconnected
	// itemDisconnected: conn ended.
	itemDisconnected
	// itemCommand: run cmd on the channel's goroutine.
	itemCommand
)

// item is one entry of a channel's inbox.
type item struct {
	kind itemKind
	ev   channel.Event
	conn Conn
	cmd  func()
}

// inbox is an unbounded FIFO: pushing never blocks, so the peer's read
// loop and the chain poller never wait for a busy channel. Its length is
// bounded in practice by the peer's own queues and the block rate.
type inbox struct {
	mu     sync.Mutex
	items  []item
	signal chan struct{}
}

func newInbox() *inbox { return &inbox{signal: make(chan struct{}, 1)} }

func (q *inbox) push(it item) {
	q.mu.Lock()
	q.items = append(q.items, it)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// empty reports whether no item is waiting.
func (q *inbox) empty() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) == 0
}

// pop waits for the next item; false once ctx is done.
func (q *inbox) pop(ctx context.Context) (item, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			it := q.items[0]
			q.items[0] = item{}
			q.items = q.items[1:]
			q.mu.Unlock()
			return it, true
		}
		q.mu.Unlock()
		select {
		case <-q.signal:
		case <-ctx.Done():
			return item{}, false
		}
	}
}
