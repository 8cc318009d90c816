package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Forward errors.
var (
	// ErrForwardNotOffered: an outcome was written for a forward that is
	// unknown or already resolved (a broken invariant of the caller).
	ErrForwardNotOffered = errors.New("store: forward is not in flight")
	// ErrInvalidForward: a forward record that cannot be stored as given.
	ErrInvalidForward = errors.New("store: invalid forward record")
	// ErrDuplicateForward: the incoming HTLC already has a forward row.
	ErrDuplicateForward = errors.New("store: incoming HTLC already forwarded")
)

// ForwardStatus is Core Lightning's listforwards status.
type ForwardStatus string

// Statuses of a forward.
const (
	// ForwardOffered: the outgoing HTLC is offered, its outcome unknown.
	ForwardOffered ForwardStatus = "offered"
	// ForwardSettled: the outgoing HTLC was fulfilled; Preimage is set.
	ForwardSettled ForwardStatus = "settled"
	// ForwardFailed: the outgoing HTLC was failed; FailReason is set.
	ForwardFailed ForwardStatus = "failed"
	// ForwardLocalFailed: we refused to relay; FailReason is set.
	ForwardLocalFailed ForwardStatus = "local_failed"
)

// ForwardRecord is one incoming HTLC we were asked to relay.
type ForwardRecord struct {
	// ID is created_index, set when the record is stored.
	ID          uint64
	In          HTLCRef
	InScid      uint64
	InMsat      uint64
	InCLTV      uint32
	PaymentHash [32]byte
	// OutScid is the channel the onion asked for; Out is the HTLC we
	// offered there, nil when none was.
	OutScid uint64
	Out     *HTLCRef
	OutMsat uint64
	OutCLTV uint32
	// SharedSecret is the incoming onion's, to wrap a failure for the
	// origin.
	SharedSecret [32]byte
	Status       ForwardStatus
	Preimage     *[32]byte
	// FailReason is the reason of the update_fail_htlc to send back
	// (encrypted for the origin); FailCode is the failure code when we
	// know it (our own refusals, malformed onions downstream), else 0.
	FailReason   []byte
	FailCode     uint16
	ReceivedTime int64 // unix nanoseconds
	ResolvedTime int64 // unix nanoseconds, 0 while offered
}

// ForwardOutcome resolves an offered forward: settled with the
// preimage, or failed with the reason to send back.
type ForwardOutcome struct {
	ID           uint64
	Status       ForwardStatus
	Preimage     [32]byte
	FailReason   []byte
	FailCode     uint16
	ResolvedTime int64
}

func (s *Store) insertForward(ctx context.Context, tx *sql.Tx, f *ForwardRecord) error {
	switch f.Status {
	case ForwardOffered:
		if f.Out == nil {
			return fmt.Errorf("%w: an offered forward needs its outgoing HTLC", ErrInvalidForward)
		}
	case ForwardLocalFailed, ForwardFailed:
		if len(f.FailReason) == 0 {
			return fmt.Errorf("%w: a failed forward needs its reason", ErrInvalidForward)
		}
	case ForwardSettled:
		if f.Preimage == nil {
			return fmt.Errorf("%w: a settled forward needs its preimage", ErrInvalidForward)
		}
	default:
		return fmt.Errorf("%w: status %q", ErrInvalidForward, f.Status)
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM forwards WHERE in_channel = ? AND in_htlc_id = ?`),
		int64(f.In.ChannelIndex), int64(f.In.ID)).Scan(&n); err != nil {
		return fmt.Errorf("store: adding forward: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("%w: channel %d HTLC %d", ErrDuplicateForward, f.In.ChannelIndex, f.In.ID)
	}
	var outChannel, outID, preimage, failcode, resolved any
	if f.Out != nil {
		outChannel, outID = int64(f.Out.ChannelIndex), int64(f.Out.ID)
	}
	if f.Preimage != nil {
		preimage = f.Preimage[:]
	}
	if f.FailCode != 0 {
		failcode = int64(f.FailCode)
	}
	if f.ResolvedTime != 0 {
		resolved = f.ResolvedTime
	}
	res, err := tx.ExecContext(ctx, s.q(`INSERT INTO forwards
		(in_channel, in_htlc_id, in_scid, in_msat, in_cltv, payment_hash, out_scid, out_channel, out_htlc_id,
		 out_msat, out_cltv, shared_secret, status, payment_preimage, fail_reason, failcode, received_time, resolved_time)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		int64(f.In.ChannelIndex), int64(f.In.ID), int64(f.InScid), int64(f.InMsat), f.InCLTV, f.PaymentHash[:],
		int64(f.OutScid), outChannel, outID, int64(f.OutMsat), f.OutCLTV, f.SharedSecret[:], string(f.Status), preimage,
		f.FailReason, failcode, f.ReceivedTime, resolved)
	if err != nil {
		return fmt.Errorf("store: adding forward of channel %d HTLC %d: %w", f.In.ChannelIndex, f.In.ID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	f.ID = uint64(id)
	return nil
}

func (s *Store) resolveForward(ctx context.Context, tx *sql.Tx, o ForwardOutcome) error {
	var preimage, failcode any
	switch o.Status {
	case ForwardSettled:
		preimage = o.Preimage[:]
	case ForwardFailed:
		if len(o.FailReason) == 0 {
			return fmt.Errorf("%w: forward %d failed without a reason", ErrInvalidForward, o.ID)
		}
	default:
		return fmt.Errorf("%w: outcome %q for forward %d", ErrInvalidForward, o.Status, o.ID)
	}
	if o.FailCode != 0 {
		failcode = int64(o.FailCode)
	}
	res, err := tx.ExecContext(ctx, s.q(`UPDATE forwards SET status = ?, payment_preimage = ?, fail_reason = ?,
		failcode = ?, resolved_time = ? WHERE created_index = ? AND status = ?`),
		string(o.Status), preimage, o.FailReason, failcode, o.ResolvedTime, int64(o.ID), string(ForwardOffered))
	if err != nil {
		return fmt.Errorf("store: resolving forward %d: %w", o.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return fmt.Errorf("%w: forward %d", ErrForwardNotOffered, o.ID)
	}
	return nil
}

// ForwardFilter selects forwards; zero fields match everything.
type ForwardFilter struct {
	Status ForwardStatus
	// In selects the forward of one incoming HTLC.
	In *HTLCRef
	// InScid and OutScid select by channel.
	InScid  uint64
	OutScid uint64
}

const forwardColumns = `created_index, in_channel, in_htlc_id, in_scid, in_msat, in_cltv, payment_hash, out_scid,
	out_channel, out_htlc_id, out_msat, out_cltv, shared_secret, status, payment_preimage, fail_reason, failcode,
	received_time, resolved_time`

// Forwards lists the forwards matching the filter, oldest first.
func (s *Store) Forwards(ctx context.Context, f ForwardFilter) ([]ForwardRecord, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.In != nil {
		where, args = append(where, "in_channel = ? AND in_htlc_id = ?"), append(args, int64(f.In.ChannelIndex), int64(f.In.ID))
	}
	if f.InScid != 0 {
		where, args = append(where, "in_scid = ?"), append(args, int64(f.InScid))
	}
	if f.OutScid != 0 {
		where, args = append(where, "out_scid = ?"), append(args, int64(f.OutScid))
	}
	query := `SELECT ` + forwardColumns + ` FROM forwards`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+" ORDER BY created_index"), args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing forwards: %w", err)
	}
	defer rows.Close()
	var out []ForwardRecord
	for rows.Next() {
		rec, err := scanForward(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

func scanForward(r rowScanner) (ForwardRecord, error) {
	var f ForwardRecord
	var id, inChannel, inID, inScid, inMsat, outScid, outMsat int64
	var hash, secret, preimage []byte
	var status string
	var outChannel, outID, failcode, resolved sql.NullInt64
	err := r.Scan(&id, &inChannel, &inID, &inScid, &inMsat, &f.InCLTV, &hash, &outScid, &outChannel, &outID, &outMsat,
		&f.OutCLTV, &secret, &status, &preimage, &f.FailReason, &failcode, &f.ReceivedTime, &resolved)
	if err != nil {
		return f, fmt.Errorf("store: reading forward: %w", err)
	}
	if len(hash) != 32 || len(secret) != 32 || (preimage != nil && len(preimage) != 32) {
		return f, fmt.Errorf("store: forward %d has malformed hashes", id)
	}
	f.ID, f.In = uint64(id), HTLCRef{ChannelIndex: uint64(inChannel), ID: uint64(inID)}
	f.InScid, f.InMsat, f.OutScid, f.OutMsat = uint64(inScid), uint64(inMsat), uint64(outScid), uint64(outMsat)
	f.Status, f.FailCode, f.ResolvedTime = ForwardStatus(status), uint16(failcode.Int64), resolved.Int64
	copy(f.PaymentHash[:], hash)
	copy(f.SharedSecret[:], secret)
	if outChannel.Valid && outID.Valid {
		f.Out = &HTLCRef{ChannelIndex: uint64(outChannel.Int64), ID: uint64(outID.Int64)}
	}
	if preimage != nil {
		f.Preimage = new([32]byte)
		copy(f.Preimage[:], preimage)
	}
	return f, nil
}
