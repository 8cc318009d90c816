package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Payment errors.
var (
	// ErrPaymentNotPending: an outcome was written for a payment that is
	// unknown or already complete or failed (a broken invariant of the
	// caller, which resolves each attempt once).
	ErrPaymentNotPending = errors.New("store: payment is not pending")
	// ErrInvalidPayment: a payment record that cannot be stored as given.
	ErrInvalidPayment = errors.New("store: invalid payment record")
)

// PaymentStatus is Core Lightning's sendpay status.
type PaymentStatus string

// Statuses of a payment attempt.
const (
	PaymentPending  PaymentStatus = "pending"
	PaymentComplete PaymentStatus = "complete"
	PaymentFailed   PaymentStatus = "failed"
)

// PaymentHop is one hop of a payment's route, as sendpay's route names it:
// the node, the channel that reaches it, the amount and the CLTV delay
// (over the height the payment was sent at) of the HTLC it receives.
type PaymentHop struct {
	NodeID         [33]byte
	ShortChannelID uint64
	AmountMsat     uint64
	Delay          uint32
}

// HTLCRef names an HTLC on one of our channels: the channel's index and
// the HTLC's id there (given by the party that offered it).
type HTLCRef struct {
	ChannelIndex uint64
	ID           uint64
}

// PaymentFailure is why an attempt failed: the index of the erring node
// in the route (-1: our node), the failure code and the decrypted failure
// message (nil when there is none, as for update_fail_malformed_htlc).
type PaymentFailure struct {
	ErringIndex int
	Code        uint16
	Message     []byte
}

// PaymentRecord is one outgoing payment attempt.
type PaymentRecord struct {
	// ID is created_index, set when the record is stored.
	ID          uint64
	PaymentHash [32]byte
	// GroupID numbers the attempts of one payment hash from 1; it is set
	// when the record is stored. PartID is 0 (single-part payments).
	GroupID        uint64
	PartID         uint64
	Destination    [33]byte
	AmountMsat     uint64
	AmountSentMsat uint64
	CreatedAt      int64 // unix seconds
	Status         PaymentStatus
	// Preimage is set once complete.
	Preimage    *[32]byte
	Bolt11      string
	Label       string
	Description string
	// HTLC is nil when the attempt failed before an HTLC was offered.
	HTLC           *HTLCRef
	ShortChannelID uint64 // of the first hop
	Route          []PaymentHop
	SharedSecrets  [][32]byte
	Failure        *PaymentFailure
	CompletedAt    int64 // unix seconds, 0 while pending
}

// PaymentOutcome resolves a pending attempt: complete with the preimage,
// or failed with the failure.
type PaymentOutcome struct {
	ID          uint64
	Status      PaymentStatus
	Preimage    [32]byte
	Failure     *PaymentFailure
	CompletedAt int64
}

// HTLCRecords are the rows a channel step writes beside the channel state,
// in the same transaction: the payment attempts and forwards whose HTLC
// the step offers, and the outcomes of those it settles or fails.
type HTLCRecords struct {
	NewPayments     []*PaymentRecord
	PaymentOutcomes []PaymentOutcome
	NewForwards     []*ForwardRecord
	ForwardOutcomes []ForwardOutcome
}

// Empty reports whether there is nothing to write.
func (r *HTLCRecords) Empty() bool {
	return r == nil || len(r.NewPayments)+len(r.PaymentOutcomes)+len(r.NewForwards)+len(r.ForwardOutcomes) == 0
}

// SaveHTLCRecords writes the records on their own, in one transaction.
func (s *Store) SaveHTLCRecords(ctx context.Context, r *HTLCRecords) error {
	if r.Empty() {
		return nil
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.writeHTLCRecords(ctx, tx, r) })
}

// UpdateChannelStateAndHTLCs is UpdateChannelState with the records
// written in the same transaction: either all of it is stored or none.
func (s *Store) UpdateChannelStateAndHTLCs(ctx context.Context, u ChannelStateUpdate, r *HTLCRecords) (uint64, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.updateChannelStateIn(ctx, tx, u); err != nil {
			return err
		}
		return s.writeHTLCRecords(ctx, tx, r)
	})
	if err != nil {
		return 0, err
	}
	return u.Version + 1, nil
}

func (s *Store) writeHTLCRecords(ctx context.Context, tx *sql.Tx, r *HTLCRecords) error {
	if r == nil {
		return nil
	}
	for _, p := range r.NewPayments {
		if err := s.insertPayment(ctx, tx, p); err != nil {
			return err
		}
	}
	for _, o := range r.PaymentOutcomes {
		if err := s.resolvePayment(ctx, tx, o); err != nil {
			return err
		}
	}
	for _, f := range r.NewForwards {
		if err := s.insertForward(ctx, tx, f); err != nil {
			return err
		}
	}
	for _, o := range r.ForwardOutcomes {
		if err := s.resolveForward(ctx, tx, o); err != nil {
			return err
		}
	}
	return nil
}

func validStatus(st PaymentStatus) bool {
	return st == PaymentPending || st == PaymentComplete || st == PaymentFailed
}

// insertPayment stores a new attempt, numbering it in its payment hash's
// groups.
func (s *Store) insertPayment(ctx context.Context, tx *sql.Tx, p *PaymentRecord) error {
	switch {
	case !validStatus(p.Status):
		return fmt.Errorf("%w: status %q", ErrInvalidPayment, p.Status)
	case p.Status == PaymentPending && p.HTLC == nil:
		return fmt.Errorf("%w: a pending attempt needs its HTLC", ErrInvalidPayment)
	case p.Status == PaymentComplete && p.Preimage == nil:
		return fmt.Errorf("%w: a complete attempt needs its preimage", ErrInvalidPayment)
	}
	var group uint64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(groupid), 0) + 1 FROM payments WHERE payment_hash = ?`),
		p.PaymentHash[:]).Scan(&group); err != nil {
		return fmt.Errorf("store: numbering the payment: %w", err)
	}
	var channelIndex, htlcID, preimage, erringIndex, failcode, completed any
	var message []byte
	if p.HTLC != nil {
		channelIndex, htlcID = int64(p.HTLC.ChannelIndex), int64(p.HTLC.ID)
	}
	if p.Preimage != nil {
		preimage = p.Preimage[:]
	}
	if p.Failure != nil {
		erringIndex, failcode, message = p.Failure.ErringIndex, int64(p.Failure.Code), p.Failure.Message
	}
	if p.CompletedAt != 0 {
		completed = p.CompletedAt
	}
	res, err := tx.ExecContext(ctx, s.q(`INSERT INTO payments
		(payment_hash, groupid, partid, destination, amount_msat, amount_sent_msat, created_at, status,
		 payment_preimage, bolt11, label, description, channel_dbindex, htlc_id, short_channel_id, route,
		 shared_secrets, erring_index, failcode, failure_message, completed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		p.PaymentHash[:], int64(group), int64(p.PartID), p.Destination[:], int64(p.AmountMsat), int64(p.AmountSentMsat),
		p.CreatedAt, string(p.Status), preimage, p.Bolt11, p.Label, p.Description, channelIndex, htlcID,
		int64(p.ShortChannelID), encodeHops(p.Route), encodeSecrets(p.SharedSecrets), erringIndex, failcode, message,
		completed)
	if err != nil {
		return fmt.Errorf("store: adding payment %x: %w", p.PaymentHash, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	p.ID, p.GroupID = uint64(id), group
	return nil
}

// resolvePayment writes the outcome of a pending attempt.
func (s *Store) resolvePayment(ctx context.Context, tx *sql.Tx, o PaymentOutcome) error {
	var preimage, erringIndex, failcode any
	var message []byte
	switch o.Status {
	case PaymentComplete:
		preimage = o.Preimage[:]
	case PaymentFailed:
		if o.Failure == nil {
			return fmt.Errorf("%w: payment %d failed without a failure", ErrInvalidPayment, o.ID)
		}
		erringIndex, failcode, message = o.Failure.ErringIndex, int64(o.Failure.Code), o.Failure.Message
	default:
		return fmt.Errorf("%w: outcome %q for payment %d", ErrInvalidPayment, o.Status, o.ID)
	}
	res, err := tx.ExecContext(ctx, s.q(`UPDATE payments SET status = ?, payment_preimage = ?, erring_index = ?,
		failcode = ?, failure_message = ?, completed_at = ? WHERE created_index = ? AND status = ?`),
		string(o.Status), preimage, erringIndex, failcode, message, o.CompletedAt, int64(o.ID), string(PaymentPending))
	if err != nil {
		return fmt.Errorf("store: resolving payment %d: %w", o.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return fmt.Errorf("%w: payment %d", ErrPaymentNotPending, o.ID)
	}
	return nil
}

// PaymentFilter selects payment attempts; zero fields match everything.
type PaymentFilter struct {
	ID          uint64
	PaymentHash *[32]byte
	Status      PaymentStatus
}

const paymentColumns = `created_index, payment_hash, groupid, partid, destination, amount_msat, amount_sent_msat,
	created_at, status, payment_preimage, bolt11, label, description, channel_dbindex, htlc_id, short_channel_id,
	route, shared_secrets, erring_index, failcode, failure_message, completed_at`

// Payments lists the attempts matching the filter, oldest first.
func (s *Store) Payments(ctx context.Context, f PaymentFilter) ([]PaymentRecord, error) {
	var where []string
	var args []any
	if f.ID != 0 {
		where, args = append(where, "created_index = ?"), append(args, int64(f.ID))
	}
	if f.PaymentHash != nil {
		where, args = append(where, "payment_hash = ?"), append(args, f.PaymentHash[:])
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	query := `SELECT ` + paymentColumns + ` FROM payments`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+" ORDER BY created_index"), args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing payments: %w", err)
	}
	defer rows.Close()
	var out []PaymentRecord
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func scanPayment(r rowScanner) (PaymentRecord, error) {
	var p PaymentRecord
	var id, group, part, amount, sent, scid int64
	var hash, dest, preimage, route, secrets, message []byte
	var status string
	var channelIndex, htlcID, erringIndex, failcode, completed sql.NullInt64
	err := r.Scan(&id, &hash, &group, &part, &dest, &amount, &sent, &p.CreatedAt, &status, &preimage, &p.Bolt11,
		&p.Label, &p.Description, &channelIndex, &htlcID, &scid, &route, &secrets, &erringIndex, &failcode, &message,
		&completed)
	if err != nil {
		return p, fmt.Errorf("store: reading payment: %w", err)
	}
	if len(hash) != 32 || len(dest) != 33 || (preimage != nil && len(preimage) != 32) {
		return p, fmt.Errorf("store: payment %d has malformed hashes or ids", id)
	}
	p.ID, p.GroupID, p.PartID = uint64(id), uint64(group), uint64(part)
	p.AmountMsat, p.AmountSentMsat, p.ShortChannelID = uint64(amount), uint64(sent), uint64(scid)
	p.Status, p.CompletedAt = PaymentStatus(status), completed.Int64
	copy(p.PaymentHash[:], hash)
	copy(p.Destination[:], dest)
	if preimage != nil {
		p.Preimage = new([32]byte)
		copy(p.Preimage[:], preimage)
	}
	if channelIndex.Valid && htlcID.Valid {
		p.HTLC = &HTLCRef{ChannelIndex: uint64(channelIndex.Int64), ID: uint64(htlcID.Int64)}
	}
	if failcode.Valid {
		p.Failure = &PaymentFailure{ErringIndex: int(erringIndex.Int64), Code: uint16(failcode.Int64), Message: message}
	}
	if p.Route, err = decodeHops(route); err != nil {
		return p, fmt.Errorf("store: payment %d: %w", id, err)
	}
	if p.SharedSecrets, err = decodeSecrets(secrets); err != nil {
		return p, fmt.Errorf("store: payment %d: %w", id, err)
	}
	return p, nil
}

// A hop is stored as node_id (33) || short_channel_id (u64) ||
// amount_msat (u64) || delay (u32).
const hopSize = 33 + 8 + 8 + 4

func encodeHops(hops []PaymentHop) []byte {
	out := make([]byte, 0, len(hops)*hopSize)
	for _, h := range hops {
		out = append(out, h.NodeID[:]...)
		out = binary.BigEndian.AppendUint64(out, h.ShortChannelID)
		out = binary.BigEndian.AppendUint64(out, h.AmountMsat)
		out = binary.BigEndian.AppendUint32(out, h.Delay)
	}
	return out
}

func decodeHops(b []byte) ([]PaymentHop, error) {
	if len(b)%hopSize != 0 {
		return nil, fmt.Errorf("route of %d bytes", len(b))
	}
	out := make([]PaymentHop, len(b)/hopSize)
	for i := range out {
		h := b[i*hopSize:]
		copy(out[i].NodeID[:], h[:33])
		out[i].ShortChannelID = binary.BigEndian.Uint64(h[33:])
		out[i].AmountMsat = binary.BigEndian.Uint64(h[41:])
		out[i].Delay = binary.BigEndian.Uint32(h[49:])
	}
	return out, nil
}

func encodeSecrets(secrets [][32]byte) []byte {
	out := make([]byte, 0, 32*len(secrets))
	for _, s := range secrets {
		out = append(out, s[:]...)
	}
	return out
}

func decodeSecrets(b []byte) ([][32]byte, error) {
	if len(b)%32 != 0 {
		return nil, fmt.Errorf("shared secrets of %d bytes", len(b))
	}
	out := make([][32]byte, len(b)/32)
	for i := range out {
		copy(out[i][:], b[i*32:])
	}
	return out, nil
}
