package tlv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// errBadPoint is the test namespace's error for an invalid node_id.
var errBadPoint = errors.New("node_id is not a valid point")

// namespaceDecoder decodes the known records of one test namespace into
// "record.field=value" strings; unknown odd records are ignored.
type namespaceDecoder struct {
	known  map[uint64]bool
	decode func(typ uint64, value []byte) ([]string, error)
}

// BOLT 1 Appendix B namespace n1.
var namespaceN1 = namespaceDecoder{
	known: map[uint64]bool{1: true, 2: true, 3: true, 254: true},
	decode: func(typ uint64, v []byte) ([]string, error) {
		switch typ {
		case 1:
			amount, err := DecodeTU64(v)
			return []string{fmt.Sprintf("tlv1.amount_msat=%d", amount)}, err
		case 2:
			if len(v) != 8 {
				return nil, ErrBadValueLength
			}
			scid := binary.BigEndian.Uint64(v)
			return []string{fmt.Sprintf("tlv2.scid=%dx%dx%d", scid>>40, scid>>16&0xffffff, scid&0xffff)}, nil
		case 3:
			if len(v) != 33+8+8 {
				return nil, ErrBadValueLength
			}
			if _, err := btcec.ParsePubKey(v[:33]); err != nil || (v[0] != 2 && v[0] != 3) {
				return nil, errBadPoint
			}
			return []string{
				fmt.Sprintf("tlv3.node_id=%x", v[:33]),
				fmt.Sprintf("tlv3.amount_msat_1=%d", binary.BigEndian.Uint64(v[33:41])),
				fmt.Sprintf("tlv3.amount_msat_2=%d", binary.BigEndian.Uint64(v[41:49])),
			}, nil
		case 254:
			if len(v) != 2 {
				return nil, ErrBadValueLength
			}
			return []string{fmt.Sprintf("tlv4.cltv_delta=%d", binary.BigEndian.Uint16(v))}, nil
		}
		return nil, nil
	},
}

// BOLT 1 Appendix B namespace n2.
var namespaceN2 = namespaceDecoder{
	known: map[uint64]bool{0: true, 11: true},
	decode: func(typ uint64, v []byte) ([]string, error) {
		switch typ {
		case 0:
			amount, err := DecodeTU64(v)
			return []string{fmt.Sprintf("tlv1.amount_msat=%d", amount)}, err
		case 11:
			expiry, err := DecodeTU32(v)
			return []string{fmt.Sprintf("tlv2.cltv_expiry=%d", expiry)}, err
		}
		return nil, nil
	},
}

func (n namespaceDecoder) decodeStream(b []byte) ([]string, error) {
	s, err := DecodeStream(b)
	if err != nil {
		return nil, err
	}
	if err := s.CheckEvenKnown(func(typ uint64) bool { return n.known[typ] }); err != nil {
		return nil, err
	}
	var values []string
	for _, r := range s {
		if !n.known[r.Type] {
			continue // BOLT 1: unknown odd type: "MUST discard the next `length` bytes."
		}
		v, err := n.decode(r.Type, r.Value)
		if err != nil {
			return nil, fmt.Errorf("type %d: %w", r.Type, err)
		}
		values = append(values, v...)
	}
	return values, nil
}

type streamVector struct {
	line      int
	namespace string
	stream    []byte
	expect    string
	detail    string
}

func loadStreamVectors(t *testing.T) []streamVector {
	t.Helper()
	f, err := os.Open("testdata/tlv_streams.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vectors []streamVector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Split(text, " | ")
		if len(cols) != 4 {
			t.Fatalf("line %d: want 4 columns, got %d", line, len(cols))
		}
		stream, err := hex.DecodeString(strings.ReplaceAll(cols[1], " ", ""))
		if err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		vectors = append(vectors, streamVector{line, strings.TrimSpace(cols[0]), stream, cols[2], cols[3]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// Appendix B lists 57 streams; catch a truncated transcription.
	if len(vectors) != 57 {
		t.Fatalf("%d vectors in testdata/tlv_streams.txt, want 57", len(vectors))
	}
	return vectors
}

var expectedStreamErrors = map[string]error{
	"eof":           ErrUnexpectedEOF,
	"noncanonical":  ErrNonCanonical,
	"notincreasing": ErrNotIncreasing,
	"exceeds":       ErrLengthExceedsStream,
	"unknowneven":   ErrUnknownEvenType,
	"badlength":     ErrBadValueLength,
	"toolong":       ErrValueTooLong,
	"badpoint":      errBadPoint,
}

func (v streamVector) namespaces() map[string]namespaceDecoder {
	switch v.namespace {
	case "n1":
		return map[string]namespaceDecoder{"n1": namespaceN1}
	case "n2":
		return map[string]namespaceDecoder{"n2": namespaceN2}
	}
	return map[string]namespaceDecoder{"n1": namespaceN1, "n2": namespaceN2}
}

// BOLT 1 Appendix B: TLV Decoding Failures, Successes and Stream Decoding
// Failures.
func TestStreamVectors(t *testing.T) {
	for _, v := range loadStreamVectors(t) {
		for name, ns := range v.namespaces() {
			t.Run(fmt.Sprintf("line%d/%s", v.line, name), func(t *testing.T) {
				values, err := ns.decodeStream(v.stream)
				if v.expect == "ok" {
					if err != nil {
						t.Fatalf("%x: unexpected error %v", v.stream, err)
					}
					want := v.detail
					if v.namespace == "any" {
						want = "" // every record is ignored
					}
					if got := strings.Join(values, " "); got != want {
						t.Fatalf("%x: values %q, want %q", v.stream, got, want)
					}
					// A valid stream re-encodes to exactly its input.
					s, _ := DecodeStream(v.stream)
					if enc := s.Encode(); !bytes.Equal(enc, v.stream) {
						t.Fatalf("re-encoded %x as %x", v.stream, enc)
					}
					return
				}
				want, ok := expectedStreamErrors[v.expect]
				if !ok {
					t.Fatalf("unknown expected result %q", v.expect)
				}
				if !errors.Is(err, want) {
					t.Fatalf("%x (%s): error %v, want %v", v.stream, v.detail, err, want)
				}
			})
		}
	}
}

// BOLT 1 Appendix B: "Any appending of an invalid stream to a valid stream
// should trigger a decoding failure. Any appending of a higher-numbered valid
// stream to a lower-numbered valid stream should not trigger a decoding
// failure."
func TestStreamConcatenationVectors(t *testing.T) {
	vectors := loadStreamVectors(t)
	for _, first := range vectors {
		if first.expect != "ok" {
			continue
		}
		for _, second := range vectors {
			for name, ns := range first.namespaces() {
				if _, applies := second.namespaces()[name]; !applies {
					continue
				}
				joined := append(append([]byte(nil), first.stream...), second.stream...)
				_, err := ns.decodeStream(joined)
				if second.expect != "ok" {
					if err == nil {
						t.Errorf("%s: valid %x + invalid %x decoded without error", name, first.stream, second.stream)
					}
					continue
				}
				if !lastTypeBelowFirst(t, first.stream, second.stream) {
					continue
				}
				if err != nil {
					t.Errorf("%s: valid %x + higher valid %x: %v", name, first.stream, second.stream, err)
				}
			}
		}
	}
}

func lastTypeBelowFirst(t *testing.T, lower, higher []byte) bool {
	a, errA := DecodeStream(lower)
	b, errB := DecodeStream(higher)
	if errA != nil || errB != nil {
		t.Fatalf("valid vectors failed to decode: %v, %v", errA, errB)
	}
	return len(a) == 0 || len(b) == 0 || a[len(a)-1].Type < b[0].Type
}

func TestUnknownEvenTypeErrorNamesType(t *testing.T) {
	s, err := DecodeStream([]byte{0x01, 0x00, 0xfd, 0x01, 0x02, 0x00})
	if err != nil {
		t.Fatal(err)
	}
	err = s.CheckEvenKnown(func(uint64) bool { return false })
	var typed *UnknownEvenTypeError
	if !errors.As(err, &typed) || typed.Type != 258 || !errors.Is(err, ErrUnknownEvenType) {
		t.Fatalf("error = %#v, want UnknownEvenTypeError{258}", err)
	}
	if err := s.CheckEvenKnown(func(typ uint64) bool { return typ == 258 }); err != nil {
		t.Fatalf("known even type rejected: %v", err)
	}
}

func TestStreamGetSet(t *testing.T) {
	var s Stream
	s = s.Set(10, []byte{1})
	s = s.Set(3, []byte{2})
	s = s.Set(1<<40, nil)
	s = s.Set(10, []byte{3, 4})
	want := []uint64{3, 10, 1 << 40}
	if len(s) != len(want) {
		t.Fatalf("stream has %d records, want %d", len(s), len(want))
	}
	for i, typ := range want {
		if s[i].Type != typ {
			t.Fatalf("record %d has type %d, want %d", i, s[i].Type, typ)
		}
	}
	if v, ok := s.Get(10); !ok || !bytes.Equal(v, []byte{3, 4}) {
		t.Fatalf("Get(10) = %x, %v", v, ok)
	}
	if _, ok := s.Get(4); ok {
		t.Fatal("Get(4) found a record that was never set")
	}
	enc := s.Encode()
	wantEnc := []byte{3, 1, 2, 10, 2, 3, 4, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(enc, wantEnc) || s.EncodedLen() != len(wantEnc) {
		t.Fatalf("Encode = %x, want %x", enc, wantEnc)
	}
}

func TestDecodeStreamDoesNotAliasInput(t *testing.T) {
	in := []byte{0x01, 0x02, 0xaa, 0xbb}
	s, err := DecodeStream(in)
	if err != nil {
		t.Fatal(err)
	}
	in[2] = 0
	if v, _ := s.Get(1); !bytes.Equal(v, []byte{0xaa, 0xbb}) {
		t.Fatalf("decoded value changed with its input: %x", v)
	}
}

func TestEncodePanicsOnUnorderedStream(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Encode of an unordered stream did not panic")
		}
	}()
	Stream{{Type: 5}, {Type: 5}}.Encode()
}

func FuzzTLVStream(f *testing.F) {
	for _, seed := range []string{"", "2100", "fd020100", "0100", "010101", "02080000000000000226",
		"fd00fe020226", "0208000000000000022601012a", "1f000f012a", "0ffd2602", "fd000100"} {
		b, _ := hex.DecodeString(seed)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := DecodeStream(in)
		if err != nil {
			return
		}
		// Every accepted stream is canonical: it re-encodes to its input.
		if enc := s.Encode(); !bytes.Equal(enc, in) {
			t.Fatalf("decoded %x, re-encoded %x", in, enc)
		}
		for i, r := range s {
			if i > 0 && r.Type <= s[i-1].Type {
				t.Fatalf("accepted unordered types %d, %d", s[i-1].Type, r.Type)
			}
			if v, ok := s.Get(r.Type); !ok || !bytes.Equal(v, r.Value) {
				t.Fatalf("Get(%d) disagrees with record", r.Type)
			}
		}
	})
}

func BenchmarkDecodeStream(b *testing.B) {
	in := Stream{{Type: 0, Value: []byte{1, 2, 3}}, {Type: 2, Value: EncodeTU64(5000000)},
		{Type: 4, Value: EncodeTU32(700000)}, {Type: 6, Value: make([]byte, 8)}}.Encode()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeStream(in); err != nil {
			b.Fatal(err)
		}
	}
}
