package channel

import (
	"encoding/json"
	"errors"
	"fmt"
)

// encodingVersion is the version of the persisted form. A reader refuses
// any other version rather than guess.
const encodingVersion = 1

// ErrBadEncoding reports a persisted state that cannot be read.
var ErrBadEncoding = errors.New("channel: bad persisted state")

// record is the persisted form: a version and the state.
type record struct {
	Version int
	State   *State
}

// Marshal encodes the state as one versioned JSON record, the unit the
// store writes per step. Update messages are kept in their wire encoding,
// the peer's secrets in revocation's compact form.
func Marshal(s *State) ([]byte, error) {
	return json.Marshal(record{Version: encodingVersion, State: s})
}

// Unmarshal decodes a record written by Marshal.
func Unmarshal(data []byte) (State, error) {
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return State{}, fmt.Errorf("%w: %w", ErrBadEncoding, err)
	}
	if r.Version != encodingVersion {
		return State{}, fmt.Errorf("%w: version %d, want %d", ErrBadEncoding, r.Version, encodingVersion)
	}
	if r.State == nil {
		return State{}, fmt.Errorf("%w: no state", ErrBadEncoding)
	}
	s := *r.State
	if s.Phase < AwaitingReady || s.Phase > Failed {
		return State{}, fmt.Errorf("%w: phase %d", ErrBadEncoding, s.Phase)
	}
	if err := s.Type.Validate(); err != nil {
		return State{}, fmt.Errorf("%w: %w", ErrBadEncoding, err)
	}
	if s.Opener != Local && s.Opener != Remote {
		return State{}, fmt.Errorf("%w: opener %d", ErrBadEncoding, s.Opener)
	}
	return s, nil
}
