package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
)

// Channel errors.
var (
	// ErrDuplicateChannel: a channel with that index or channel_id exists.
	ErrDuplicateChannel = errors.New("store: duplicate channel")
	// ErrStaleChannelVersion: the record changed since the caller read it
	// (two writers for one channel, a broken invariant of the runtime).
	ErrStaleChannelVersion = errors.New("store: channel record version is stale")
)

// ChannelRecord is one channel: its state as one opaque, versioned record
// (the channel package's Marshal) plus the columns the node queries by.
// Version counts the writes of State, starting at 1.
type ChannelRecord struct {
	// Index is the channel's number, handed out by NextChannelIndex; the
	// signer derives the channel's keys from it.
	Index     uint64
	ChannelID [32]byte
	PeerID    [33]byte
	// PeerAddress is where we dialled the peer ("host:port" or a socket
	// path), empty when it connected to us; the node reconnects there.
	PeerAddress string
	Version     uint64
	// Phase is a copy of the state's phase, for queries.
	Phase string
	// ShortChannelID is the packed short_channel_id, 0 before lock-in.
	ShortChannelID uint64
	FundingTxID    [32]byte // internal byte order, as in wire.OutPoint
	FundingOutnum  uint32
	// FundingTx is the signed funding transaction when we opened the
	// channel (nil otherwise), kept to broadcast it again after a restart.
	FundingTx []byte
	// HeightHint is the chain height when the channel was created: the
	// funding transaction cannot be in an earlier block.
	HeightHint uint32
	// MinimumDepth is the number of confirmations the funding transaction
	// needs before channel_ready (accept_channel's minimum_depth).
	MinimumDepth uint32
	// ClosingTx is the signed mutual close, kept to broadcast it again.
	ClosingTx []byte
	// SpentHeight is the height of the block that spent the funding
	// output, 0 while it is unspent.
	SpentHeight uint32
	State       []byte
}

// ChannelStateUpdate is one persisted step: the new state record and the
// indexed columns that follow from it.
type ChannelStateUpdate struct {
	Index uint64
	// Version is the version the caller read; the record is written as
	// Version+1, only if it still is at Version.
	Version        uint64
	Phase          string
	ShortChannelID uint64
	State          []byte
}

const nextChannelIndexVar = "next_channel_index"

// NextChannelIndex hands out a channel index, never the same twice, even
// for channels that were never stored (an abandoned negotiation).
func (s *Store) NextChannelIndex(ctx context.Context) (uint64, error) {
	var index uint64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var raw []byte
		err := tx.QueryRowContext(ctx, s.q(`SELECT value FROM vars WHERE name = ?`), nextChannelIndexVar).Scan(&raw)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			index = 0
		case err != nil:
			return fmt.Errorf("store: reading the next channel index: %w", err)
		case len(raw) != 8:
			return fmt.Errorf("store: next channel index of %d bytes", len(raw))
		default:
			index = binary.BigEndian.Uint64(raw)
		}
		next := binary.BigEndian.AppendUint64(nil, index+1)
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO vars (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`), nextChannelIndexVar, next)
		return err
	})
	return index, err
}

// AddChannel stores a new channel at version 1 (rec.Version is ignored).
func (s *Store) AddChannel(ctx context.Context, rec *ChannelRecord) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM channels WHERE dbindex = ? OR channel_id = ?`),
			int64(rec.Index), rec.ChannelID[:]).Scan(&n); err != nil {
			return fmt.Errorf("store: adding channel: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("%w: index %d, channel_id %x", ErrDuplicateChannel, rec.Index, rec.ChannelID)
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO channels
			(dbindex, channel_id, peer_id, peer_address, version, phase, short_channel_id, funding_txid,
			 funding_outnum, funding_tx, height_hint, minimum_depth, closing_tx, spent_height, state)
			VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			int64(rec.Index), rec.ChannelID[:], rec.PeerID[:], rec.PeerAddress, rec.Phase, int64(rec.ShortChannelID),
			rec.FundingTxID[:], rec.FundingOutnum, rec.FundingTx, rec.HeightHint, rec.MinimumDepth, rec.ClosingTx,
			rec.SpentHeight, rec.State)
		if err != nil {
			return fmt.Errorf("store: adding channel %d: %w", rec.Index, err)
		}
		rec.Version = 1
		return nil
	})
}

// UpdateChannelState writes one step's state in one transaction and
// returns the new version. It fails with ErrStaleChannelVersion when the
// record is no longer at u.Version, and with ErrNotFound for an unknown
// channel.
func (s *Store) UpdateChannelState(ctx context.Context, u ChannelStateUpdate) (uint64, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.updateChannelStateIn(ctx, tx, u) })
	if err != nil {
		return 0, err
	}
	return u.Version + 1, nil
}

// updateChannelStateIn writes a channel's next version inside tx (with the
// version check of UpdateChannelState).
func (s *Store) updateChannelStateIn(ctx context.Context, tx *sql.Tx, u ChannelStateUpdate) error {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE channels SET version = version + 1, phase = ?,
		short_channel_id = ?, state = ? WHERE dbindex = ? AND version = ?`),
		u.Phase, int64(u.ShortChannelID), u.State, int64(u.Index), int64(u.Version))
	if err != nil {
		return fmt.Errorf("store: updating channel %d: %w", u.Index, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var version uint64
	err = tx.QueryRowContext(ctx, s.q(`SELECT version FROM channels WHERE dbindex = ?`), int64(u.Index)).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: channel %d: %w", u.Index, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: channel %d is at version %d, not %d", ErrStaleChannelVersion, u.Index, version, u.Version)
}

// SetChannelClosingTx keeps the signed mutual close of a channel.
func (s *Store) SetChannelClosingTx(ctx context.Context, index uint64, rawTx []byte) error {
	return s.setChannelColumn(ctx, index, "closing_tx", rawTx)
}

// SetChannelPeerAddress records where the peer can be dialled.
func (s *Store) SetChannelPeerAddress(ctx context.Context, index uint64, address string) error {
	return s.setChannelColumn(ctx, index, "peer_address", address)
}

// SetChannelSpentHeight records the height of the block that spent the
// funding output (0: unspent again after a reorganisation).
func (s *Store) SetChannelSpentHeight(ctx context.Context, index uint64, height uint32) error {
	return s.setChannelColumn(ctx, index, "spent_height", height)
}

func (s *Store) setChannelColumn(ctx context.Context, index uint64, column string, value any) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE channels SET `+column+` = ? WHERE dbindex = ?`), value, int64(index))
	if err != nil {
		return fmt.Errorf("store: setting %s of channel %d: %w", column, index, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("store: channel %d: %w", index, ErrNotFound)
	}
	return nil
}

const channelColumns = `dbindex, channel_id, peer_id, peer_address, version, phase, short_channel_id, funding_txid,
	funding_outnum, funding_tx, height_hint, minimum_depth, closing_tx, spent_height, state`

// Channels returns every stored channel, by index.
func (s *Store) Channels(ctx context.Context) ([]ChannelRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+channelColumns+` FROM channels ORDER BY dbindex`)
	if err != nil {
		return nil, fmt.Errorf("store: listing channels: %w", err)
	}
	defer rows.Close()
	var out []ChannelRecord
	for rows.Next() {
		rec, err := scanChannel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// Channel returns the channel with the index, or ErrNotFound.
func (s *Store) Channel(ctx context.Context, index uint64) (ChannelRecord, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+channelColumns+` FROM channels WHERE dbindex = ?`), int64(index))
	rec, err := scanChannel(row)
	if errors.Is(err, sql.ErrNoRows) {
		return ChannelRecord{}, fmt.Errorf("store: channel %d: %w", index, ErrNotFound)
	}
	return rec, err
}

type rowScanner interface{ Scan(dest ...any) error }

func scanChannel(r rowScanner) (ChannelRecord, error) {
	var rec ChannelRecord
	var index, version, scid int64
	var channelID, peerID, txid []byte
	err := r.Scan(&index, &channelID, &peerID, &rec.PeerAddress, &version, &rec.Phase, &scid, &txid, &rec.FundingOutnum,
		&rec.FundingTx, &rec.HeightHint, &rec.MinimumDepth, &rec.ClosingTx, &rec.SpentHeight, &rec.State)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return rec, err
		}
		return rec, fmt.Errorf("store: reading channel: %w", err)
	}
	if len(channelID) != 32 || len(peerID) != 33 || len(txid) != 32 {
		return rec, fmt.Errorf("store: channel %d has malformed ids", index)
	}
	rec.Index, rec.Version, rec.ShortChannelID = uint64(index), uint64(version), uint64(scid)
	copy(rec.ChannelID[:], channelID)
	copy(rec.PeerID[:], peerID)
	copy(rec.FundingTxID[:], txid)
	return rec, nil
}
