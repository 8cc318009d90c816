package channel

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"
)

// checkRoundTrip checks that a persisted record decodes to the state it
// was made from and encodes to the same bytes.
func (h *harness) checkRoundTrip(n *node, record []byte) {
	decoded, err := Unmarshal(record)
	if err != nil {
		h.violations = append(h.violations, fmt.Sprintf("%s: unmarshal: %v", n.name, err))
		return
	}
	if decoded.Link != LinkDown {
		h.violations = append(h.violations, fmt.Sprintf("%s: restored link %s", n.name, decoded.Link))
	}
	decoded.Link = n.state.Link
	if !reflect.DeepEqual(decoded, n.state) {
		h.violations = append(h.violations, fmt.Sprintf("%s: state changed through Marshal/Unmarshal", n.name))
	}
	again, err := Marshal(&decoded)
	if err != nil || !bytes.Equal(again, record) {
		h.violations = append(h.violations, fmt.Sprintf("%s: re-encoding differs (%v)", n.name, err))
	}
}

// busyPair returns a channel with something in every part of the state:
// HTLCs both ways, pending updates of every kind, a pending commitment and
// revealed secrets.
func busyPair(t testing.TB) *harness {
	t.Helper()
	var h *harness
	for _, c := range []string{
		"new", "add alice 5000000", "add bob 4000000", "add alice 20000000", "settle",
		"fulfill bob 0", "fail alice 0", "fee alice 3000", "add alice 7000000", "add bob 6000000",
		"sign alice", "deliver bob", "malformed bob 1",
	} {
		if _, err := runCommand(&h, c); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
	}
	return h
}

func TestMarshalRoundTrip(t *testing.T) {
	h := busyPair(t)
	for _, n := range h.nodes {
		record, err := Marshal(&n.state)
		if err != nil {
			t.Fatal(err)
		}
		h.checkRoundTrip(n, record)
	}
	if len(h.violations) > 0 {
		t.Fatal(h.violations)
	}
	if h.nodes[0].state.RemotePending == nil || len(h.nodes[1].state.LocalChanges.Proposed) == 0 {
		t.Fatal("the busy pair is not busy: no pending commitment or proposed update")
	}
}

// TestPersistedFormat pins the encoding: a change to it must come with a
// new version (and a migration), so the record of a known state is golden.
func TestPersistedFormat(t *testing.T) {
	h := busyPair(t)
	got, err := Marshal(&h.nodes[0].state)
	if err != nil {
		t.Fatal(err)
	}
	const path = "testdata/state_v1.json"
	if *rewrite {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("persisted form changed; bump encodingVersion and rewrite %s", path)
	}
	if _, err := Unmarshal(want); err != nil {
		t.Fatal(err)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	good, err := Marshal(&busyPair(t).nodes[1].state)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"empty":          nil,
		"not json":       []byte("{"),
		"other version":  bytes.Replace(good, []byte(`{"Version":1`), []byte(`{"Version":2`), 1),
		"no state":       []byte(`{"Version":1}`),
		"bad phase":      bytes.Replace(good, []byte(`"Phase":2`), []byte(`"Phase":9`), 1),
		"bad type":       bytes.Replace(good, []byte(`"Type":1`), []byte(`"Type":7`), 1),
		"bad secrets":    bytes.Replace(good, []byte(`"RemoteSecrets":"AQ`), []byte(`"RemoteSecrets":"Ag`), 1),
		"not an update":  bytes.Replace(good, []byte(`"Proposed":["AIK`), []byte(`"Proposed":["ACA`), 1),
		"truncated json": good[:len(good)/2],
	} {
		t.Run(name, func(t *testing.T) {
			if bytes.Equal(data, good) {
				t.Fatal("the corruption did not apply")
			}
			if _, err := Unmarshal(data); err == nil {
				t.Fatal("accepted")
			} else if name != "not an update" && name != "bad secrets" && !errors.Is(err, ErrBadEncoding) {
				t.Fatalf("error %v does not wrap ErrBadEncoding", err)
			}
		})
	}
}
