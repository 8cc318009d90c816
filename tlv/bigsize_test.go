package tlv

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"testing"
)

type bigSizeVector struct {
	Name   string `json:"name"`
	Value  uint64 `json:"value"`
	Bytes  string `json:"bytes"`
	ExpErr string `json:"exp_error"`
}

func loadBigSizeVectors(t *testing.T) (decoding, encoding []bigSizeVector) {
	t.Helper()
	raw, err := os.ReadFile("testdata/bigsize.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Decoding []bigSizeVector `json:"decoding"`
		Encoding []bigSizeVector `json:"encoding"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Decoding) == 0 || len(file.Encoding) == 0 {
		t.Fatal("testdata/bigsize.json has no vectors")
	}
	return file.Decoding, file.Encoding
}

// expectedBigSizeError maps the appendix's error strings to our sentinels.
func expectedBigSizeError(t *testing.T, text string) error {
	switch text {
	case "":
		return nil
	case "decoded bigsize is not canonical":
		return ErrNonCanonical
	case "unexpected EOF":
		return io.ErrUnexpectedEOF
	case "EOF":
		return io.EOF
	}
	t.Fatalf("unknown exp_error %q in vectors", text)
	return nil
}

// BOLT 1 Appendix A: BigSize Decoding Tests.
func TestReadBigSizeVectors(t *testing.T) {
	decoding, _ := loadBigSizeVectors(t)
	for _, v := range decoding {
		t.Run(v.Name, func(t *testing.T) {
			in, err := hex.DecodeString(v.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			want := expectedBigSizeError(t, v.ExpErr)
			got, err := ReadBigSize(bytes.NewReader(in))
			if want != nil {
				if !errors.Is(err, want) {
					t.Fatalf("error = %v, want %v", err, want)
				}
				// io.EOF only for empty input, never for a truncated value.
				if want != io.EOF && errors.Is(err, io.EOF) {
					t.Fatalf("error %v must not be io.EOF", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got != v.Value {
				t.Fatalf("value = %d, want %d", got, v.Value)
			}
			// The byte-slice parser must agree with the reader.
			fromSlice, n, err := parseBigSize(in)
			if err != nil || fromSlice != v.Value || n != len(in) {
				t.Fatalf("parseBigSize = %d, %d, %v", fromSlice, n, err)
			}
		})
	}
}

// BOLT 1 Appendix A: BigSize Encoding Tests.
func TestWriteBigSizeVectors(t *testing.T) {
	_, encoding := loadBigSizeVectors(t)
	for _, v := range encoding {
		t.Run(v.Name, func(t *testing.T) {
			want, err := hex.DecodeString(v.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			var w bytes.Buffer
			if err := WriteBigSize(&w, v.Value); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(w.Bytes(), want) {
				t.Fatalf("WriteBigSize = %x, want %x", w.Bytes(), want)
			}
			if got := AppendBigSize([]byte{0xaa}, v.Value); !bytes.Equal(got[1:], want) || got[0] != 0xaa {
				t.Fatalf("AppendBigSize = %x, want aa%x", got, want)
			}
			if n := BigSizeLen(v.Value); n != len(want) {
				t.Fatalf("BigSizeLen = %d, want %d", n, len(want))
			}
		})
	}
}

type failingWriter struct{}

var errWrite = errors.New("write refused")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteBigSizePropagatesWriterError(t *testing.T) {
	if err := WriteBigSize(failingWriter{}, 70000); !errors.Is(err, errWrite) {
		t.Fatalf("error = %v, want %v", err, errWrite)
	}
}

func FuzzBigSize(f *testing.F) {
	for _, seed := range []string{"", "00", "fc", "fd00fd", "fdffff", "fe00010000", "ff0000000100000000",
		"fd00fc", "fe0000ffff", "ff00000000ffffffff", "fd00", "ff"} {
		b, _ := hex.DecodeString(seed)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := ReadBigSize(bytes.NewReader(in))
		fromSlice, n, sliceErr := parseBigSize(in)
		if (err == nil) != (sliceErr == nil) {
			t.Fatalf("ReadBigSize error %v, parseBigSize error %v", err, sliceErr)
		}
		if err != nil {
			return
		}
		if fromSlice != v {
			t.Fatalf("ReadBigSize %d, parseBigSize %d", v, fromSlice)
		}
		// A successfully decoded BigSize is canonical: re-encoding gives
		// exactly the bytes consumed.
		if enc := AppendBigSize(nil, v); !bytes.Equal(enc, in[:n]) || BigSizeLen(v) != n {
			t.Fatalf("re-encoded %d as %x, consumed %x", v, enc, in[:n])
		}
	})
}

func BenchmarkAppendBigSize(b *testing.B) {
	buf := make([]byte, 0, 9)
	for i := 0; i < b.N; i++ {
		buf = AppendBigSize(buf[:0], uint64(i)<<20)
	}
}

func BenchmarkReadBigSize(b *testing.B) {
	in := []byte{0xfe, 0x01, 0x00, 0x00, 0x00}
	r := bytes.NewReader(in)
	for i := 0; i < b.N; i++ {
		r.Reset(in)
		if _, err := ReadBigSize(r); err != nil {
			b.Fatal(err)
		}
	}
}
