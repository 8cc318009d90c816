package lnwire

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// MaxMessageSize is the largest message, type included (BOLT 1: "the maximum
// possible size is 65535 bytes").
const MaxMessageSize = 65535

// MessageType is the 2-byte type that starts every message.
type MessageType uint16

// String returns the BOLT name, such as "update_add_htlc", or "unknown_N".
func (t MessageType) String() string {
	if name, ok := t.specName(); ok {
		return name
	}
	return "unknown_" + strconv.Itoa(int(t))
}

// IsOdd reports whether the type follows "it's ok to be odd".
func (t MessageType) IsOdd() bool { return t%2 == 1 }

// Message is one decoded Lightning message.
type Message interface {
	MsgType() MessageType
	// Encode appends the payload (everything after the type) to buf.
	Encode(buf []byte) ([]byte, error)
	// Decode replaces the message with the one in payload.
	Decode(payload []byte) error
}

// UnknownMessage is a message of a type this package does not know. ReadMessage
// returns it only for odd types, which BOLT 1 says a receiver "MUST ignore";
// it can also carry custom messages to WriteMessage.
type UnknownMessage struct {
	Type    MessageType
	Payload []byte
}

// MsgType returns the message's type.
func (m *UnknownMessage) MsgType() MessageType { return m.Type }

// Encode appends the payload to buf.
func (m *UnknownMessage) Encode(buf []byte) ([]byte, error) { return append(buf, m.Payload...), nil }

// Decode keeps a copy of payload.
func (m *UnknownMessage) Decode(payload []byte) error {
	m.Payload = append([]byte(nil), payload...)
	return nil
}

// ReadMessage decodes one message: a 2-byte big-endian type and its payload.
// Bytes after the known fields are the extension TLV stream. Errors wrap the
// sentinels of errors.go (and of package tlv for a bad extension); every
// error means the connection must be closed.
func ReadMessage(b []byte) (Message, error) {
	if len(b) > MaxMessageSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrMessageTooLarge, len(b))
	}
	if len(b) < 2 {
		return nil, fmt.Errorf("%w: no message type", ErrTruncated)
	}
	t := MessageType(binary.BigEndian.Uint16(b))
	m := newMessage(t)
	if m == nil {
		// BOLT 1: "upon receiving a message of _odd_, unknown type:
		//   - MUST ignore the received message.
		// upon receiving a message of _even_, unknown type:
		//   - MUST close the connection."
		if !t.IsOdd() {
			return nil, &UnknownEvenMessageError{Type: t}
		}
		m = &UnknownMessage{Type: t}
	}
	// BOLT 1: "upon receiving a known message with insufficient length for
	// the contents: MUST close the connection."
	if err := m.Decode(b[2:]); err != nil {
		return nil, fmt.Errorf("lnwire: %s: %w", t, err)
	}
	return m, nil
}

// WriteMessage encodes m with its type.
func WriteMessage(m Message) ([]byte, error) {
	t := m.MsgType()
	buf, err := m.Encode(binary.BigEndian.AppendUint16(make([]byte, 0, 256), uint16(t)))
	if err != nil {
		return nil, fmt.Errorf("lnwire: %s: %w", t, err)
	}
	if len(buf) > MaxMessageSize {
		return nil, fmt.Errorf("lnwire: %s: %w: %d bytes", t, ErrMessageTooLarge, len(buf))
	}
	return buf, nil
}
