package lnwire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/fulmen-ln/fulmen/tlv"
)

// The messages this package must cover, by BOLT name and type.
var requiredMessages = []struct {
	name string
	typ  MessageType
}{
	// BOLT 1
	{"init", 16}, {"error", 17}, {"warning", 1}, {"ping", 18}, {"pong", 19},
	{"peer_storage", 7}, {"peer_storage_retrieval", 9},
	// BOLT 2
	{"open_channel", 32}, {"accept_channel", 33}, {"funding_created", 34},
	{"funding_signed", 35}, {"channel_ready", 36}, {"shutdown", 38},
	{"closing_signed", 39}, {"closing_complete", 40}, {"closing_sig", 41},
	{"update_add_htlc", 128}, {"update_fulfill_htlc", 130}, {"update_fail_htlc", 131},
	{"update_fail_malformed_htlc", 135}, {"commitment_signed", 132},
	{"revoke_and_ack", 133}, {"update_fee", 134}, {"channel_reestablish", 136},
	{"stfu", 2}, {"splice_init", 80}, {"splice_ack", 81}, {"splice_locked", 77},
	{"tx_add_input", 66}, {"tx_add_output", 67}, {"tx_remove_input", 68},
	{"tx_remove_output", 69}, {"tx_complete", 70}, {"tx_signatures", 71},
	{"tx_init_rbf", 72}, {"tx_ack_rbf", 73}, {"tx_abort", 74},
	{"open_channel2", 64}, {"accept_channel2", 65}, {"start_batch", 127},
	// BOLT 7
	{"announcement_signatures", 259}, {"channel_announcement", 256},
	{"node_announcement", 257}, {"channel_update", 258},
	{"query_short_channel_ids", 261}, {"reply_short_channel_ids_end", 262},
	{"query_channel_range", 263}, {"reply_channel_range", 264},
	{"gossip_timestamp_filter", 265},
}

func TestRequiredMessagesAreKnown(t *testing.T) {
	known := map[MessageType]bool{}
	for _, typ := range KnownMessageTypes() {
		known[typ] = true
	}
	for _, want := range requiredMessages {
		if !known[want.typ] {
			t.Errorf("%s (%d) is not a known message type", want.name, want.typ)
			continue
		}
		if got := want.typ.String(); got != want.name {
			t.Errorf("type %d is named %q, want %q", want.typ, got, want.name)
		}
		if m := newMessage(want.typ); m == nil || m.MsgType() != want.typ {
			t.Errorf("newMessage(%d) = %#v", want.typ, m)
		}
	}
	if len(known) != len(requiredMessages) {
		t.Errorf("%d known types, %d in the table: update requiredMessages", len(known), len(requiredMessages))
	}
}

// roundTrip writes m, reads it back and checks both the value and the bytes.
func roundTrip(t *testing.T, m Message) []byte {
	t.Helper()
	wire, err := WriteMessage(m)
	if err != nil {
		t.Fatalf("WriteMessage(%s): %v", m.MsgType(), err)
	}
	got, err := ReadMessage(wire)
	if err != nil {
		t.Fatalf("ReadMessage(%s %x): %v", m.MsgType(), wire, err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("%s round trip:\n got %#v\nwant %#v", m.MsgType(), got, m)
	}
	again, err := WriteMessage(got)
	if err != nil || !bytes.Equal(again, wire) {
		t.Fatalf("%s re-encoded as %x, %v; first %x", m.MsgType(), again, err, wire)
	}
	return wire
}

func TestRoundTripEveryMessage(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, typ := range KnownMessageTypes() {
		t.Run(typ.String(), func(t *testing.T) {
			empty := newMessage(typ)
			roundTrip(t, empty)

			for range 5 {
				full := newMessage(typ)
				populate(full, rnd)
				wire := roundTrip(t, full)
				if got := MessageType(uint16(wire[0])<<8 | uint16(wire[1])); got != typ {
					t.Fatalf("wire type %d, want %d", got, typ)
				}
			}
		})
	}
}

// A known message cut inside its fields is ErrTruncated (BOLT 1: "upon
// receiving a known message with insufficient length for the contents: MUST
// close the connection"); cut exactly after them, it is valid.
func TestTruncatedMessages(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, typ := range KnownMessageTypes() {
		m := newMessage(typ)
		populate(m, rnd)
		clearTLVs(m)
		wire, err := WriteMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		for cut := 0; cut < len(wire); cut++ {
			if _, err := ReadMessage(wire[:cut]); !errors.Is(err, ErrTruncated) {
				t.Fatalf("%s cut to %d of %d bytes: error %v, want ErrTruncated", typ, cut, len(wire), err)
			}
		}
		if _, err := ReadMessage(wire); err != nil {
			t.Fatalf("%s without extension: %v", typ, err)
		}
	}
}

// clearTLVs zeroes the TLVs field of a message struct.
func clearTLVs(m Message) {
	f := reflect.ValueOf(m).Elem().FieldByName("TLVs")
	f.Set(reflect.Zero(f.Type()))
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadMessageErrors(t *testing.T) {
	channelReady := "0024" + hex32(0x11) + "02" + hex32(0x22) // type 36, channel_id, point
	tests := []struct {
		name string
		hex  string
		want []error
	}{
		{"empty", "", []error{ErrTruncated}},
		{"one byte", "00", []error{ErrTruncated}},
		{"unknown even type", "0064", []error{ErrUnknownEvenMessage}},
		{"unknown even custom type", "8000aabb", []error{ErrUnknownEvenMessage}},
		{"ping without byteslen", "00120001", []error{ErrTruncated}},
		{"ping short of ignored", "0012000100050000", []error{ErrTruncated}},
		{"channel_ready alias too short", channelReady + "0107" + "00000000000000", []error{ErrInvalidExtension, tlv.ErrBadValueLength}},
		{"channel_ready alias too long", channelReady + "0109" + "000000000000000000", []error{ErrInvalidExtension, tlv.ErrBadValueLength}},
		{"unknown even record", channelReady + "0200", []error{ErrInvalidExtension, tlv.ErrUnknownEvenType}},
		{"records out of order", channelReady + "0300" + "0108" + "0000000000000001", []error{ErrInvalidExtension, tlv.ErrNotIncreasing}},
		{"record length past end", channelReady + "0305aa", []error{ErrInvalidExtension, tlv.ErrLengthExceedsStream}},
		{"non-minimal record type", channelReady + "fd000100", []error{ErrInvalidExtension, tlv.ErrNonCanonical}},
		{"query_option not minimal", "0107" + hex32(0x0f) + "00000001" + "00000002" + "0103fd0001", []error{ErrInvalidExtension, tlv.ErrNonCanonical}},
		{"query_option too long", "0107" + hex32(0x0f) + "00000001" + "00000002" + "01020101", []error{ErrInvalidExtension, tlv.ErrBadValueLength}},
		{"require_confirmed_inputs with a value", "0048" + hex32(1) + "00000000" + "00000000" + "020101", []error{ErrInvalidExtension, tlv.ErrBadValueLength}},
		{"networks not whole chain hashes", "0010" + "0000" + "0000" + "0121" + hex32(6) + "00", []error{ErrInvalidExtension, tlv.ErrBadValueLength}},
		{"unknown even record in a message without records", "0085" + hex32(1) + hex32(2) + "02" + hex32(3) + "0a00", []error{ErrInvalidExtension, tlv.ErrUnknownEvenType}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadMessage(mustHex(t, tc.hex))
			if err == nil {
				t.Fatalf("decoded %#v, want an error", m)
			}
			for _, want := range tc.want {
				if !errors.Is(err, want) {
					t.Errorf("error %v does not match %v", err, want)
				}
			}
		})
	}
}

// hex32 is 32 bytes of b in hex.
func hex32(b byte) string { return hex.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

func TestUnknownEvenMessageNamesType(t *testing.T) {
	_, err := ReadMessage([]byte{0x80, 0x02})
	var typed *UnknownEvenMessageError
	if !errors.As(err, &typed) || typed.Type != 0x8002 {
		t.Fatalf("error = %v, want UnknownEvenMessageError{0x8002}", err)
	}
}

func TestUnknownOddMessageIsIgnorable(t *testing.T) {
	wire := []byte{0x80, 0x01, 0xde, 0xad}
	m, err := ReadMessage(wire)
	if err != nil {
		t.Fatal(err)
	}
	unknown, ok := m.(*UnknownMessage)
	if !ok || unknown.Type != 0x8001 || !bytes.Equal(unknown.Payload, wire[2:]) {
		t.Fatalf("ReadMessage = %#v", m)
	}
	if out, err := WriteMessage(m); err != nil || !bytes.Equal(out, wire) {
		t.Fatalf("WriteMessage = %x, %v", out, err)
	}
}

// Bytes after a message that has no TLV records of its own are still an
// extension (BOLT 1): unknown odd records are kept and written back.
func TestExtensionKeptOnMessageWithoutRecords(t *testing.T) {
	wire := append(mustHex(t, "0086"+hex32(7)+"00001234"), 0x0b, 0x02, 0xca, 0xfe)
	m, err := ReadMessage(wire)
	if err != nil {
		t.Fatal(err)
	}
	fee := m.(*UpdateFee)
	if fee.FeeratePerKW != 0x1234 || len(fee.TLVs.Unknown) != 1 || fee.TLVs.Unknown[0].Type != 11 {
		t.Fatalf("decoded %#v", fee)
	}
	if out, err := WriteMessage(fee); err != nil || !bytes.Equal(out, wire) {
		t.Fatalf("re-encoded %x, %v; want %x", out, err, wire)
	}
}

func TestWriteMessageErrors(t *testing.T) {
	alias := NewShortChannelIDFromUint64(5)
	tests := []struct {
		name string
		msg  Message
		want error
	}{
		{"error data over 65535 bytes", &Error{Data: make([]byte, 65536)}, ErrFieldTooLong},
		{"pong over the message size", &Pong{Ignored: make([]byte, 65534)}, ErrMessageTooLarge},
		{"unknown records out of order", &Ping{TLVs: Extension{Unknown: tlv.Stream{{Type: 7}, {Type: 5}}}}, ErrBadUnknownTLVs},
		{"unknown record shadows a typed one", &ChannelReady{TLVs: ChannelReadyTLVs{
			ShortChannelID: &alias, Unknown: tlv.Stream{{Type: 1, Value: []byte{1}}}}}, ErrBadUnknownTLVs},
		{"witness too long", &TxSignatures{Witnesses: []Witness{{WitnessData: make([]byte, 70000)}}}, ErrFieldTooLong},
	}
	for _, tc := range tests {
		if _, err := WriteMessage(tc.msg); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestReadMessageRejectsOversize(t *testing.T) {
	wire := make([]byte, MaxMessageSize+1)
	wire[1] = 19 // pong
	if _, err := ReadMessage(wire); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("error %v, want ErrMessageTooLarge", err)
	}
}

func TestDecodedMessageDoesNotAliasInput(t *testing.T) {
	wire := mustHex(t, "0013"+"0003"+"aabbcc")
	m, err := ReadMessage(wire)
	if err != nil {
		t.Fatal(err)
	}
	wire[4] = 0
	if pong := m.(*Pong); !bytes.Equal(pong.Ignored, []byte{0xaa, 0xbb, 0xcc}) {
		t.Fatalf("decoded field changed with its input: %x", pong.Ignored)
	}
}

func TestMessageTypeString(t *testing.T) {
	if got := MsgUpdateAddHTLC.String(); got != "update_add_htlc" {
		t.Errorf("String = %q", got)
	}
	if got := MessageType(32769).String(); got != "unknown_32769" {
		t.Errorf("String = %q", got)
	}
}
