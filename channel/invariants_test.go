package channel

import (
	"fmt"
	"github.com/fulmen-ln/fulmen/lnwire"
	"reflect"
	"sort"
)

// checkInvariants records every broken invariant of the pair:
//   - balances plus HTLCs equal the capacity in every commitment;
//   - both sides agree on every commitment they both know;
//   - no node's latest commitment, in memory or persisted, is one whose
//     secret the peer holds (we never keep a revoked state as current).
func (h *harness) checkInvariants() {
	for _, n := range h.nodes {
		s := &n.state
		specs := map[string]*Spec{"local": &s.LocalCommit.Spec, "remote": &s.RemoteCommit.Spec}
		if s.RemotePending != nil {
			specs["pending"] = &s.RemotePending.Spec
		}
		for name, spec := range specs {
			if err := conserved(s, spec); err != nil {
				h.violations = append(h.violations, fmt.Sprintf("%s %s: %v", n.name, name, err))
			}
		}
		peer := h.peer(n)
		revealed := peer.state.RemoteSecrets.Received()
		if revealed > s.LocalCommit.Number {
			h.violations = append(h.violations, fmt.Sprintf("%s: current commitment %d revoked (%d secrets revealed)", n.name, s.LocalCommit.Number, revealed))
		}
		if n.persisted != nil {
			saved, err := Unmarshal(n.persisted)
			if err != nil {
				h.violations = append(h.violations, fmt.Sprintf("%s: persisted record: %v", n.name, err))
			} else if revealed > saved.LocalCommit.Number {
				h.violations = append(h.violations, fmt.Sprintf("%s: persisted commitment %d revoked (%d secrets revealed)", n.name, saved.LocalCommit.Number, revealed))
			}
		}
		h.checkAgreement(n, peer)
	}
}

// conserved checks to_local + to_remote + HTLCs == capacity.
func conserved(s *State, spec *Spec) error {
	total := spec.Balance[Local] + spec.Balance[Remote] + spec.htlcTotal()
	if total != s.Capacity.ToMilliSatoshis() {
		return fmt.Errorf("balances and HTLCs sum to %s, capacity %s", total, s.Capacity.ToMilliSatoshis())
	}
	return nil
}

// checkAgreement compares n's commitment with the peer's view of it.
func (h *harness) checkAgreement(n, peer *node) {
	mine := &n.state.LocalCommit
	theirs := []*Spec{}
	if peer.state.RemoteCommit.Number == mine.Number {
		theirs = append(theirs, &peer.state.RemoteCommit.Spec)
	}
	if p := peer.state.RemotePending; p != nil && p.Number == mine.Number {
		theirs = append(theirs, &p.Spec)
	}
	for _, t := range theirs {
		if !reflect.DeepEqual(canonical(mine.Spec), canonical(mirror(*t))) {
			h.violations = append(h.violations, fmt.Sprintf("%s commitment %d: %s, %s sees %s", n.name, mine.Number, mine.Spec, peer.name, mirror(*t)))
		}
	}
}

// mirror returns the spec as the other party sees it.
func mirror(s Spec) Spec {
	out := Spec{Feerate: s.Feerate, Balance: [2]lnwire.MilliSatoshi{s.Balance[Remote], s.Balance[Local]}}
	for _, h := range s.HTLCs {
		h.Offerer = h.Offerer.Other()
		out.HTLCs = append(out.HTLCs, h)
	}
	return out
}

// canonical sorts the HTLCs so that specs compare as sets.
func canonical(s Spec) Spec {
	s = s.clone()
	sort.Slice(s.HTLCs, func(i, j int) bool {
		a, b := s.HTLCs[i], s.HTLCs[j]
		if a.Offerer != b.Offerer {
			return a.Offerer < b.Offerer
		}
		return a.ID < b.ID
	})
	if len(s.HTLCs) == 0 {
		s.HTLCs = nil
	}
	return s
}
