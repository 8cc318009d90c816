package lnwire

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// BOLT 1 Appendix C: Message Extension.
func TestMessageExtensionVectors(t *testing.T) {
	f, err := os.Open("testdata/message_extension.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	count := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, " | ")
		if len(cols) != 3 {
			t.Fatalf("bad line %q", line)
		}
		count++
		wire := mustHex(t, cols[0])
		m, err := ReadMessage(wire)
		switch cols[1] {
		case "valid":
			if err != nil {
				t.Errorf("%s (%s): %v", cols[0], cols[2], err)
				continue
			}
			init, ok := m.(*Init)
			if !ok || len(init.Features) != 0 || len(init.GlobalFeatures) != 0 {
				t.Errorf("%s decoded as %#v", cols[0], m)
			}
			// Signatures cover the extension: it must be written back.
			if out, err := WriteMessage(m); err != nil || !bytes.Equal(out, wire) {
				t.Errorf("%s re-encoded as %x, %v", cols[0], out, err)
			}
		case "invalid":
			if err == nil || !errors.Is(err, ErrInvalidExtension) {
				t.Errorf("%s (%s): error %v, want ErrInvalidExtension", cols[0], cols[2], err)
			}
		default:
			t.Fatalf("bad expectation %q", cols[1])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if count != 5 {
		t.Fatalf("%d vectors, Appendix C has 5", count)
	}
}

// extendedQueryVector is one entry of BOLT 7's bolt07/extended-queries.json.
type extendedQueryVector struct {
	Hex string `json:"hex"`
	Msg struct {
		Type           string `json:"type"`
		ChainHash      string `json:"chainHash"`
		FirstBlockNum  uint32 `json:"firstBlockNum"`
		NumberOfBlocks uint32 `json:"numberOfBlocks"`
		Complete       byte   `json:"complete"`
		ShortChannelID struct {
			Encoding string   `json:"encoding"`
			Array    []string `json:"array"`
		} `json:"shortChannelIds"`
		Timestamps *struct {
			Encoding   string `json:"encoding"`
			Timestamps []struct {
				Timestamp1 uint32 `json:"timestamp1"`
				Timestamp2 uint32 `json:"timestamp2"`
			} `json:"timestamps"`
		} `json:"timestamps"`
		Checksums *struct {
			Checksums []struct {
				Checksum1 uint32 `json:"checksum1"`
				Checksum2 uint32 `json:"checksum2"`
			} `json:"checksums"`
		} `json:"checksums"`
		TLVStream *struct {
			Records []json.RawMessage `json:"records"`
		} `json:"tlvStream"`
	} `json:"msg"`
}

func loadExtendedQueryVectors(t testing.TB) []extendedQueryVector {
	raw, err := os.ReadFile("testdata/bolt07_extended_queries.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []extendedQueryVector `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) != 10 {
		t.Fatalf("%d vectors, bolt07/extended-queries.json has 10", len(file.Vectors))
	}
	return file.Vectors
}

// checkEncodedIDs compares encoded_short_ids with the vector's array; zlib
// (encoding 1) must be refused, since BOLT 7 now says it "MUST NOT be used".
func checkEncodedIDs(t *testing.T, encoded []byte, encoding string, want []string) {
	t.Helper()
	ids, err := DecodeShortChannelIDs(encoded)
	if encoding == "COMPRESSED_ZLIB" {
		if encoded[0] != 1 || !errors.Is(err, ErrUnknownEncoding) {
			t.Errorf("zlib encoded_short_ids: first byte %d, error %v", encoded[0], err)
		}
		return
	}
	if err != nil {
		t.Fatalf("DecodeShortChannelIDs: %v", err)
	}
	var got []string
	for _, id := range ids {
		got = append(got, id.String())
	}
	// The vectors write ids as BLOCKxTXxOUT, like ShortChannelID.String.
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("short ids %v, want %v", got, want)
	}
	if again := EncodeShortChannelIDs(ids); !bytes.Equal(again, encoded) {
		t.Errorf("EncodeShortChannelIDs = %x, want %x", again, encoded)
	}
}

// BOLT 7 test vectors for the extended gossip queries (bolt07/extended-queries.json).
func TestExtendedQueryVectors(t *testing.T) {
	for i, v := range loadExtendedQueryVectors(t) {
		wire := mustHex(t, v.Hex)
		m, err := ReadMessage(wire)
		if err != nil {
			t.Fatalf("vector %d: %v", i, err)
		}
		if out, err := WriteMessage(m); err != nil || !bytes.Equal(out, wire) {
			t.Fatalf("vector %d re-encoded as %x, %v", i, out, err)
		}
		var chain ChainHash
		switch msg := m.(type) {
		case *QueryChannelRange:
			chain = msg.ChainHash
			if v.Msg.Type != "QueryChannelRange" || msg.FirstBlocknum != BlockHeight(v.Msg.FirstBlockNum) ||
				msg.NumberOfBlocks != v.Msg.NumberOfBlocks {
				t.Errorf("vector %d: decoded %+v", i, msg)
			}
			if len(v.Msg.TLVStream.Records) == 0 && msg.TLVs.QueryOption != nil {
				t.Errorf("vector %d: unexpected query_option", i)
			}
			if len(v.Msg.TLVStream.Records) == 1 {
				// "WANT_TIMESTAMPS | WANT_CHECKSUMS": bits 0 and 1.
				if msg.TLVs.QueryOption == nil || *msg.TLVs.QueryOption != 3 {
					t.Errorf("vector %d: query_option %v, want 3", i, msg.TLVs.QueryOption)
				}
			}
		case *ReplyChannelRange:
			chain = msg.ChainHash
			if v.Msg.Type != "ReplyChannelRange" || msg.FirstBlocknum != BlockHeight(v.Msg.FirstBlockNum) ||
				msg.NumberOfBlocks != v.Msg.NumberOfBlocks || msg.SyncComplete != v.Msg.Complete {
				t.Errorf("vector %d: decoded %+v", i, msg)
			}
			checkEncodedIDs(t, msg.EncodedShortIDs, v.Msg.ShortChannelID.Encoding, v.Msg.ShortChannelID.Array)
			checkTimestampsAndChecksums(t, i, msg, v)
		case *QueryShortChannelIDs:
			chain = msg.ChainHash
			if v.Msg.Type != "QueryShortChannelIds" {
				t.Errorf("vector %d: decoded %+v", i, msg)
			}
			checkEncodedIDs(t, msg.EncodedShortIDs, v.Msg.ShortChannelID.Encoding, v.Msg.ShortChannelID.Array)
			if (msg.TLVs.QueryFlags != nil) != (len(v.Msg.TLVStream.Records) == 1) {
				t.Errorf("vector %d: query_flags %+v", i, msg.TLVs.QueryFlags)
			}
		default:
			t.Fatalf("vector %d decoded as %T", i, m)
		}
		if hex.EncodeToString(chain[:]) != v.Msg.ChainHash {
			t.Errorf("vector %d: chain hash %x", i, chain)
		}
	}
}

func checkTimestampsAndChecksums(t *testing.T, i int, msg *ReplyChannelRange, v extendedQueryVector) {
	t.Helper()
	if v.Msg.Timestamps == nil {
		if msg.TLVs.TimestampsTLV != nil {
			t.Errorf("vector %d: unexpected timestamps_tlv", i)
		}
	} else {
		ts := msg.TLVs.TimestampsTLV
		if ts == nil {
			t.Fatalf("vector %d: timestamps_tlv missing", i)
		}
		wantEncoding := map[string]byte{"UNCOMPRESSED": 0, "COMPRESSED_ZLIB": 1}[v.Msg.Timestamps.Encoding]
		if ts.EncodingType != wantEncoding {
			t.Errorf("vector %d: timestamps encoding %d", i, ts.EncodingType)
		}
		if wantEncoding == 0 {
			var want []byte
			for _, p := range v.Msg.Timestamps.Timestamps {
				want = appendU32s(want, p.Timestamp1, p.Timestamp2)
			}
			if !bytes.Equal(ts.EncodedTimestamps, want) {
				t.Errorf("vector %d: encoded_timestamps %x, want %x", i, ts.EncodedTimestamps, want)
			}
		}
	}
	if v.Msg.Checksums == nil {
		if msg.TLVs.ChecksumsTLV != nil {
			t.Errorf("vector %d: unexpected checksums_tlv", i)
		}
		return
	}
	got := msg.TLVs.ChecksumsTLV
	if got == nil || len(*got) != len(v.Msg.Checksums.Checksums) {
		t.Fatalf("vector %d: checksums %v", i, got)
	}
	for j, c := range v.Msg.Checksums.Checksums {
		if (*got)[j] != (ChannelUpdateChecksums{ChecksumNodeID1: c.Checksum1, ChecksumNodeID2: c.Checksum2}) {
			t.Errorf("vector %d: checksum %d = %+v, want %+v", i, j, (*got)[j], c)
		}
	}
}

func appendU32s(b []byte, vs ...uint32) []byte {
	for _, v := range vs {
		b = append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return b
}
