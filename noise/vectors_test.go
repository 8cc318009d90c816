package noise

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// appendixA mirrors testdata/bolt08_appendix_a.json, transcribed from
// BOLT #8 Appendix A: Transport Test Vectors.
type appendixA struct {
	Initiator []handshakeVector `json:"initiator"`
	Responder []handshakeVector `json:"responder"`
	Trace     map[string]string `json:"initiator_trace"`
	Message   messageVector     `json:"message"`
}

type handshakeVector struct {
	Name      string `json:"name"`
	RemotePub string `json:"rs_pub"`
	LocalPriv string `json:"ls_priv"`
	LocalPub  string `json:"ls_pub"`
	EphPriv   string `json:"e_priv"`
	EphPub    string `json:"e_pub"`
	ActOne    string `json:"act_one"`
	ActTwo    string `json:"act_two"`
	ActThree  string `json:"act_three"`
	SendKey   string `json:"sk"`
	RecvKey   string `json:"rk"`
	Error     string `json:"error"`
}

type messageVector struct {
	ChainingKey string `json:"ck"`
	SendKey     string `json:"sk"`
	RecvKey     string `json:"rk"`
	Plaintext   string `json:"plaintext"`
	Outputs     []struct {
		Index int    `json:"index"`
		Frame string `json:"frame"`
	} `json:"outputs"`
	Rotations []struct {
		ChainingKey string `json:"ck"`
		Key         string `json:"key"`
	} `json:"rotations"`
}

func loadAppendixA(t testing.TB) appendixA {
	t.Helper()
	raw, err := os.ReadFile("testdata/bolt08_appendix_a.json")
	if err != nil {
		t.Fatal(err)
	}
	var v appendixA
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Initiator) == 0 || len(v.Responder) == 0 || len(v.Message.Outputs) == 0 {
		t.Fatal("test vectors are empty")
	}
	return v
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func unhex32(t testing.TB, s string) [32]byte {
	t.Helper()
	var out [32]byte
	b := unhex(t, s)
	if len(b) != 32 {
		t.Fatalf("want 32 bytes, got %d", len(b))
	}
	copy(out[:], b)
	return out
}

func privKey(t testing.TB, s string) *btcec.PrivateKey {
	t.Helper()
	priv, _ := btcec.PrivKeyFromBytes(unhex(t, s))
	return priv
}

func pubKey(t testing.TB, s string) *btcec.PublicKey {
	t.Helper()
	pub, err := btcec.ParsePubKey(unhex(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// testKey is the simple LocalKey the tests use: it holds the private key
// that the signer would hold in production.
type testKey struct{ priv *btcec.PrivateKey }

func (k testKey) PubKey() *btcec.PublicKey { return k.priv.PubKey() }

func (k testKey) ECDH(remote *btcec.PublicKey) ([32]byte, error) {
	return ecdh(k.priv, remote), nil
}

var vectorErrorLabel = regexp.MustCompile(`^ACT([123])_([A-Z_]+)`)

// vectorError maps an appendix error label such as "ACT2_BAD_VERSION 1" to
// the act and the sentinel this package returns.
func vectorError(t *testing.T, label string) (int, error) {
	t.Helper()
	m := vectorErrorLabel.FindStringSubmatch(label)
	if m == nil {
		t.Fatalf("unknown error label %q", label)
	}
	act, _ := strconv.Atoi(m[1])
	kinds := map[string]error{
		"READ_FAILED":    ErrBadActLength,
		"BAD_VERSION":    ErrUnknownVersion,
		"BAD_PUBKEY":     ErrBadPubKey,
		"BAD_TAG":        ErrBadMAC,
		"BAD_CIPHERTEXT": ErrBadStaticKeyCiphertext,
	}
	want, ok := kinds[m[2]]
	if !ok {
		t.Fatalf("unknown error kind in %q", label)
	}
	return act, want
}

func checkVectorError(t *testing.T, label string, err error) {
	t.Helper()
	act, want := vectorError(t, label)
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v (%s)", err, want, label)
	}
	var hsErr *HandshakeError
	if !errors.As(err, &hsErr) || hsErr.Act != act {
		t.Fatalf("error %v does not name act %d", err, act)
	}
}

func checkPub(t *testing.T, what string, got *btcec.PublicKey, want string) {
	t.Helper()
	if g := hex.EncodeToString(got.SerializeCompressed()); g != want {
		t.Fatalf("%s = %s, want %s", what, g, want)
	}
}

// BOLT #8 Appendix A, "Initiator Tests".
func TestInitiatorVectors(t *testing.T) {
	vectors := loadAppendixA(t)
	for _, v := range vectors.Initiator {
		t.Run(v.Name, func(t *testing.T) {
			local := testKey{privKey(t, v.LocalPriv)}
			ephemeral := privKey(t, v.EphPriv)
			checkPub(t, "ls.pub", local.PubKey(), v.LocalPub)
			checkPub(t, "e.pub", ephemeral.PubKey(), v.EphPub)

			initiator, err := NewInitiator(local, pubKey(t, v.RemotePub), ephemeral)
			if err != nil {
				t.Fatal(err)
			}
			actOne, err := initiator.ActOne()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(actOne, unhex(t, v.ActOne)) {
				t.Fatalf("act one %x, want %s", actOne, v.ActOne)
			}
			err = initiator.ReadActTwo(unhex(t, v.ActTwo))
			if v.Error != "" {
				checkVectorError(t, v.Error, err)
				if _, _, err := initiator.ActThree(); !errors.Is(err, ErrWrongStep) {
					t.Fatalf("act three after a failed act two: %v, want ErrWrongStep", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			actThree, session, err := initiator.ActThree()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(actThree, unhex(t, v.ActThree)) {
				t.Fatalf("act three %x, want %s", actThree, v.ActThree)
			}
			if session.Send.state.key != unhex32(t, v.SendKey) {
				t.Fatalf("sk %x, want %s", session.Send.state.key, v.SendKey)
			}
			if session.Receive.state.key != unhex32(t, v.RecvKey) {
				t.Fatalf("rk %x, want %s", session.Receive.state.key, v.RecvKey)
			}
			checkPub(t, "remote static", session.RemoteStatic, v.RemotePub)
		})
	}
}

// BOLT #8 Appendix A, "Responder Tests".
func TestResponderVectors(t *testing.T) {
	vectors := loadAppendixA(t)
	initiatorStatic := vectors.Initiator[0].LocalPub
	for _, v := range vectors.Responder {
		t.Run(v.Name, func(t *testing.T) {
			local := testKey{privKey(t, v.LocalPriv)}
			ephemeral := privKey(t, v.EphPriv)
			checkPub(t, "ls.pub", local.PubKey(), v.LocalPub)
			checkPub(t, "e.pub", ephemeral.PubKey(), v.EphPub)

			responder, err := NewResponder(local, ephemeral)
			if err != nil {
				t.Fatal(err)
			}
			err = responder.ReadActOne(unhex(t, v.ActOne))
			if v.ActTwo == "" {
				if v.Error == "" {
					t.Fatal("vector without act two must expect an error")
				}
				checkVectorError(t, v.Error, err)
				if _, err := responder.ActTwo(); !errors.Is(err, ErrWrongStep) {
					t.Fatalf("act two after a failed act one: %v, want ErrWrongStep", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			actTwo, err := responder.ActTwo()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(actTwo, unhex(t, v.ActTwo)) {
				t.Fatalf("act two %x, want %s", actTwo, v.ActTwo)
			}
			session, err := responder.ReadActThree(unhex(t, v.ActThree))
			if v.Error != "" {
				checkVectorError(t, v.Error, err)
				if session != nil {
					t.Fatal("a failed act three returned a session")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if session.Receive.state.key != unhex32(t, v.RecvKey) {
				t.Fatalf("rk %x, want %s", session.Receive.state.key, v.RecvKey)
			}
			if session.Send.state.key != unhex32(t, v.SendKey) {
				t.Fatalf("sk %x, want %s", session.Send.state.key, v.SendKey)
			}
			checkPub(t, "remote static", session.RemoteStatic, initiatorStatic)
		})
	}
}

// The comments of the successful initiator vector give every intermediate
// h, ck and temp_k; checking them pins down which step would be wrong.
func TestInitiatorTrace(t *testing.T) {
	vectors := loadAppendixA(t)
	v, trace := vectors.Initiator[0], vectors.Trace
	initiator, err := NewInitiator(testKey{privKey(t, v.LocalPriv)}, pubKey(t, v.RemotePub), privKey(t, v.EphPriv))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got [32]byte) {
		t.Helper()
		if want := unhex32(t, trace[name]); got != want {
			t.Fatalf("%s = %x, want %x", name, got, want)
		}
	}
	if _, err := initiator.ActOne(); err != nil {
		t.Fatal(err)
	}
	check("ck1", initiator.state.ck)
	check("temp_k1", initiator.state.tempK)
	check("h_after_act_one", initiator.state.h)
	if err := initiator.ReadActTwo(unhex(t, v.ActTwo)); err != nil {
		t.Fatal(err)
	}
	check("ck2", initiator.state.ck)
	check("temp_k2", initiator.state.tempK)
	check("h_after_act_two", initiator.state.h)
	if _, _, err := initiator.ActThree(); err != nil {
		t.Fatal(err)
	}
	check("ck3", initiator.state.ck)
	check("temp_k3", initiator.state.tempK)
	check("h_after_static", initiator.state.h)

	// The ECDH outputs, from the same comments.
	check("es", ecdh(privKey(t, v.EphPriv), pubKey(t, v.RemotePub)))
	check("se", ecdh(privKey(t, v.LocalPriv), pubKey(t, vectors.Responder[0].EphPub)))
	check("ee", ecdh(privKey(t, v.EphPriv), pubKey(t, vectors.Responder[0].EphPub)))
}

// BOLT #8 Appendix A, "Message Encryption Tests": "hello" encrypted again
// and again across two key rotations, and decrypted by the other side.
func TestMessageVectors(t *testing.T) {
	m := loadAppendixA(t).Message
	ck := unhex32(t, m.ChainingKey)
	send := &SendCipher{state: newCipherState(unhex32(t, m.SendKey), ck)}
	// The responder receives with the initiator's sk.
	receive := &ReceiveCipher{state: newCipherState(unhex32(t, m.SendKey), ck), pending: -1}
	plaintext := unhex(t, m.Plaintext)

	want := make(map[int][]byte)
	last := 0
	for _, o := range m.Outputs {
		want[o.Index] = unhex(t, o.Frame)
		last = max(last, o.Index)
	}
	rotation := 0
	for i := 0; i <= last; i++ {
		frame, err := send.Encrypt(nil, plaintext)
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := want[i]; ok && !bytes.Equal(frame, w) {
			t.Fatalf("message %d: %x, want %x", i, frame, w)
		}
		length, err := receive.DecryptLength(frame[:LengthHeaderSize])
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if length != len(plaintext) {
			t.Fatalf("message %d: length %d", i, length)
		}
		got, err := receive.DecryptBody(nil, frame[LengthHeaderSize:])
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !bytes.Equal(got, plaintext) {
			t.Fatalf("message %d decrypted to %x", i, got)
		}
		// Two nonces per message: the key rotates after every 500th.
		if (i+1)%500 == 0 {
			r := m.Rotations[rotation]
			rotation++
			if send.state.ck != unhex32(t, r.ChainingKey) || send.state.key != unhex32(t, r.Key) {
				t.Fatalf("after message %d: ck %x k %x, want %s %s", i, send.state.ck, send.state.key, r.ChainingKey, r.Key)
			}
			if send.state.nonce != 0 {
				t.Fatalf("nonce %d after rotation", send.state.nonce)
			}
		}
	}
	if rotation != len(m.Rotations) {
		t.Fatalf("checked %d rotations, vectors list %d", rotation, len(m.Rotations))
	}
}

// The session the handshake vectors produce must be the one the message
// vectors start from: its first frame is "output 0".
func TestHandshakeFeedsMessageVectors(t *testing.T) {
	vectors := loadAppendixA(t)
	v := vectors.Initiator[0]
	initiator, err := NewInitiator(testKey{privKey(t, v.LocalPriv)}, pubKey(t, v.RemotePub), privKey(t, v.EphPriv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := initiator.ActOne(); err != nil {
		t.Fatal(err)
	}
	if err := initiator.ReadActTwo(unhex(t, v.ActTwo)); err != nil {
		t.Fatal(err)
	}
	_, session, err := initiator.ActThree()
	if err != nil {
		t.Fatal(err)
	}
	frame, err := session.Send.Encrypt(nil, unhex(t, vectors.Message.Plaintext))
	if err != nil {
		t.Fatal(err)
	}
	out := vectors.Message.Outputs[0]
	if out.Index != 0 || !bytes.Equal(frame, unhex(t, out.Frame)) {
		t.Fatalf("first frame %x, want output %d %s", frame, out.Index, out.Frame)
	}
}
