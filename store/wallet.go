package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
)

// Wallet errors.
var (
	// ErrWalletReserved: an output asked for is reserved by someone else.
	ErrWalletReserved = errors.New("store: wallet output already reserved")
	// ErrWalletUnavailable: an output asked for is unknown or spent.
	ErrWalletUnavailable = errors.New("store: wallet output unknown or spent")
	// ErrWalletNotTip: a block to disconnect is not the last processed one.
	ErrWalletNotTip = errors.New("store: block is not the wallet's tip")
)

// WalletBranch is one BIP 32 branch of the wallet: an address kind (the
// signer's AddressKind value) and the receive or change chain.
type WalletBranch struct {
	Kind   uint8
	Change bool
}

// WalletKey locates a wallet key: its branch and index.
type WalletKey struct {
	WalletBranch
	Index uint32
}

// WalletOutPoint names a transaction output.
type WalletOutPoint struct {
	TxID [32]byte // internal byte order, as in wire.OutPoint
	Vout uint32
}

// WalletUTXO is an output paying one of the wallet's keys.
type WalletUTXO struct {
	WalletOutPoint
	AmountSat   int64
	PkScript    []byte
	Key         WalletKey
	BlockHeight *uint32 // nil while unconfirmed
	Coinbase    bool
	SpendTxID   *[32]byte // nil while unspent
	SpendHeight *uint32   // nil while the spend is unconfirmed (or absent)
	ReservedTil uint32    // block height the reservation ends at; 0: never reserved
}

// WalletTx is a transaction that pays or spends the wallet.
type WalletTx struct {
	TxID        [32]byte
	Raw         []byte
	BlockHeight *uint32 // nil while unconfirmed
	TxIndex     uint32  // position in its block
}

// WalletTxUpdate is what one transaction does to the wallet: the outputs
// it creates for us and the outputs of ours it spends.
type WalletTxUpdate struct {
	Tx      WalletTx
	Created []WalletUTXO
	Spent   []WalletOutPoint
}

const walletBirthVar = "wallet_birth_height"

// WalletBirth returns the wallet's birth height; ok is false before
// InitWallet.
func (s *Store) WalletBirth(ctx context.Context) (height uint32, ok bool, err error) {
	v, err := s.Var(ctx, walletBirthVar)
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if len(v) != 4 {
		return 0, false, fmt.Errorf("store: %s has %d bytes", walletBirthVar, len(v))
	}
	return binary.BigEndian.Uint32(v), true, nil
}

// InitWallet records the wallet's birth block, which is also its first
// processed block. It does nothing if the wallet was already created.
func (s *Store) InitWallet(ctx context.Context, height uint32, hash [32]byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM vars WHERE name = ?`), walletBirthVar).Scan(&n); err != nil {
			return fmt.Errorf("store: reading wallet birth: %w", err)
		}
		if n > 0 {
			return nil
		}
		var v [4]byte
		binary.BigEndian.PutUint32(v[:], height)
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO vars (name, value) VALUES (?, ?)`), walletBirthVar, v[:]); err != nil {
			return fmt.Errorf("store: writing wallet birth: %w", err)
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO wallet_blocks (height, hash) VALUES (?, ?)`), height, hash[:])
		return err
	})
}

// WalletTip returns the last block the wallet processed; ErrNotFound
// before InitWallet.
func (s *Store) WalletTip(ctx context.Context) (height uint32, hash [32]byte, err error) {
	var raw []byte
	err = s.db.QueryRowContext(ctx, `SELECT height, hash FROM wallet_blocks ORDER BY height DESC LIMIT 1`).Scan(&height, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, hash, fmt.Errorf("store: wallet tip: %w", ErrNotFound)
	}
	if err != nil {
		return 0, hash, fmt.Errorf("store: reading wallet tip: %w", err)
	}
	copy(hash[:], raw)
	return height, hash, nil
}

// WalletConnectBlock records a processed block and what its transactions
// did to the wallet, in one transaction. Outputs already known become
// confirmed at height; spends become confirmed spends (the chain wins over
// any unconfirmed spender).
func (s *Store) WalletConnectBlock(ctx context.Context, height uint32, hash [32]byte, updates []WalletTxUpdate) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO wallet_blocks (height, hash) VALUES (?, ?)
			ON CONFLICT (height) DO UPDATE SET hash = excluded.hash`), height, hash[:]); err != nil {
			return fmt.Errorf("store: recording block %d: %w", height, err)
		}
		h := height
		for _, u := range updates {
			if err := s.applyWalletTx(ctx, tx, u, &h); err != nil {
				return err
			}
		}
		return nil
	})
}

// WalletAddUnconfirmed records mempool transactions (or one the wallet
// just broadcast). It never downgrades what a block already confirmed.
func (s *Store) WalletAddUnconfirmed(ctx context.Context, updates []WalletTxUpdate) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, u := range updates {
			if err := s.applyWalletTx(ctx, tx, u, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) applyWalletTx(ctx context.Context, tx *sql.Tx, u WalletTxUpdate, height *uint32) error {
	txid := u.Tx.TxID[:]
	var err error
	if height != nil {
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO wallet_txs (txid, rawtx, blockheight, txindex) VALUES (?, ?, ?, ?)
			ON CONFLICT (txid) DO UPDATE SET blockheight = excluded.blockheight, txindex = excluded.txindex`),
			txid, u.Tx.Raw, *height, u.Tx.TxIndex)
	} else {
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO wallet_txs (txid, rawtx) VALUES (?, ?)
			ON CONFLICT (txid) DO NOTHING`), txid, u.Tx.Raw)
	}
	if err != nil {
		return fmt.Errorf("store: recording wallet tx: %w", err)
	}
	for _, o := range u.Created {
		var h any
		if height != nil {
			h = *height
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO wallet_utxos
			(txid, vout, amount_sat, pkscript, key_kind, key_change, key_index, blockheight, coinbase)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (txid, vout) DO UPDATE SET blockheight = COALESCE(excluded.blockheight, wallet_utxos.blockheight)`),
			o.TxID[:], o.Vout, o.AmountSat, o.PkScript, o.Key.Kind, o.Key.Change, o.Key.Index, h, o.Coinbase); err != nil {
			return fmt.Errorf("store: recording wallet output: %w", err)
		}
	}
	for _, op := range u.Spent {
		var err error
		if height != nil {
			_, err = tx.ExecContext(ctx, s.q(`UPDATE wallet_utxos SET spend_txid = ?, spend_height = ?, reserved_til = 0
				WHERE txid = ? AND vout = ?`), txid, *height, op.TxID[:], op.Vout)
		} else {
			_, err = tx.ExecContext(ctx, s.q(`UPDATE wallet_utxos SET spend_txid = ?, reserved_til = 0
				WHERE txid = ? AND vout = ? AND spend_txid IS NULL`), txid, op.TxID[:], op.Vout)
		}
		if err != nil {
			return fmt.Errorf("store: recording wallet spend: %w", err)
		}
	}
	return nil
}

// WalletDisconnectBlock undoes the wallet's tip block: its outputs and
// spends become unconfirmed (the caller drops those whose transactions
// are no longer anywhere with WalletDropUnconfirmed).
func (s *Store) WalletDisconnectBlock(ctx context.Context, height uint32) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var tip uint32
		if err := tx.QueryRowContext(ctx, `SELECT MAX(height) FROM wallet_blocks`).Scan(&tip); err != nil {
			return fmt.Errorf("store: reading wallet tip: %w", err)
		}
		if tip != height {
			return fmt.Errorf("%w: %d (tip %d)", ErrWalletNotTip, height, tip)
		}
		for _, q := range []string{
			`UPDATE wallet_utxos SET blockheight = NULL WHERE blockheight = ?`,
			`UPDATE wallet_utxos SET spend_height = NULL WHERE spend_height = ?`,
			`UPDATE wallet_txs SET blockheight = NULL, txindex = 0 WHERE blockheight = ?`,
			`DELETE FROM wallet_blocks WHERE height = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), height); err != nil {
				return fmt.Errorf("store: disconnecting block %d: %w", height, err)
			}
		}
		return nil
	})
}

// WalletDropUnconfirmed forgets unconfirmed transactions that are in no
// block and no mempool any more: their outputs vanish and the outputs they
// spent are unspent again. Confirmed transactions are left alone.
func (s *Store) WalletDropUnconfirmed(ctx context.Context, txids [][32]byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range txids {
			for _, q := range []string{
				`DELETE FROM wallet_utxos WHERE txid = ? AND blockheight IS NULL`,
				`UPDATE wallet_utxos SET spend_txid = NULL, spend_height = NULL WHERE spend_txid = ? AND spend_height IS NULL`,
				`DELETE FROM wallet_txs WHERE txid = ? AND blockheight IS NULL`,
			} {
				if _, err := tx.ExecContext(ctx, s.q(q), id[:]); err != nil {
					return fmt.Errorf("store: dropping wallet tx: %w", err)
				}
			}
		}
		return nil
	})
}

// WalletRewind makes height (with hash) the last processed block so that
// the blocks above are processed again (a rescan). Processing a block
// twice is harmless: every write is an upsert.
func (s *Store) WalletRewind(ctx context.Context, height uint32, hash [32]byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM wallet_blocks WHERE height >= ?`), height); err != nil {
			return fmt.Errorf("store: rewinding wallet: %w", err)
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO wallet_blocks (height, hash) VALUES (?, ?)`), height, hash[:])
		return err
	})
}

// WalletKeyIndexes returns the next index to hand out on each branch that
// has handed out any.
func (s *Store) WalletKeyIndexes(ctx context.Context) (map[WalletBranch]uint32, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, change, next_index FROM wallet_keys`)
	if err != nil {
		return nil, fmt.Errorf("store: reading wallet keys: %w", err)
	}
	defer rows.Close()
	out := make(map[WalletBranch]uint32)
	for rows.Next() {
		var b WalletBranch
		var next uint32
		if err := rows.Scan(&b.Kind, &b.Change, &next); err != nil {
			return nil, fmt.Errorf("store: reading wallet keys: %w", err)
		}
		out[b] = next
	}
	return out, rows.Err()
}

// WalletNextKeyIndex hands out the next unused index of a branch.
func (s *Store) WalletNextKeyIndex(ctx context.Context, b WalletBranch) (uint32, error) {
	var index uint32
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO wallet_keys (kind, change, next_index) VALUES (?, ?, 1)
			ON CONFLICT (kind, change) DO UPDATE SET next_index = next_index + 1`), b.Kind, b.Change); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(`SELECT next_index - 1 FROM wallet_keys WHERE kind = ? AND change = ?`),
			b.Kind, b.Change).Scan(&index)
	})
	if err != nil {
		return 0, fmt.Errorf("store: next wallet key: %w", err)
	}
	return index, nil
}

const walletUTXOColumns = `txid, vout, amount_sat, pkscript, key_kind, key_change, key_index,
	blockheight, coinbase, spend_txid, spend_height, reserved_til`

// WalletUTXOs lists the wallet's outputs, unspent ones only unless
// includeSpent, ordered by outpoint.
func (s *Store) WalletUTXOs(ctx context.Context, includeSpent bool) ([]WalletUTXO, error) {
	query := `SELECT ` + walletUTXOColumns + ` FROM wallet_utxos`
	if !includeSpent {
		query += ` WHERE spend_txid IS NULL`
	}
	rows, err := s.db.QueryContext(ctx, query+` ORDER BY txid, vout`)
	if err != nil {
		return nil, fmt.Errorf("store: listing wallet outputs: %w", err)
	}
	defer rows.Close()
	var out []WalletUTXO
	for rows.Next() {
		var u WalletUTXO
		var txid, spend []byte
		var height, spendHeight sql.NullInt64
		if err := rows.Scan(&txid, &u.Vout, &u.AmountSat, &u.PkScript, &u.Key.Kind, &u.Key.Change, &u.Key.Index,
			&height, &u.Coinbase, &spend, &spendHeight, &u.ReservedTil); err != nil {
			return nil, fmt.Errorf("store: reading wallet output: %w", err)
		}
		copy(u.TxID[:], txid)
		u.BlockHeight = nullHeight(height)
		u.SpendHeight = nullHeight(spendHeight)
		if spend != nil {
			var id [32]byte
			copy(id[:], spend)
			u.SpendTxID = &id
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func nullHeight(v sql.NullInt64) *uint32 {
	if !v.Valid {
		return nil
	}
	h := uint32(v.Int64)
	return &h
}

// WalletTransactions lists the wallet's transactions: confirmed ones by
// block and position, then unconfirmed ones in the order they were seen.
func (s *Store) WalletTransactions(ctx context.Context) ([]WalletTx, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT txid, rawtx, blockheight, txindex FROM wallet_txs
		ORDER BY blockheight IS NULL, blockheight, txindex, seq`)
	if err != nil {
		return nil, fmt.Errorf("store: listing wallet transactions: %w", err)
	}
	defer rows.Close()
	var out []WalletTx
	for rows.Next() {
		var t WalletTx
		var txid []byte
		var height sql.NullInt64
		if err := rows.Scan(&txid, &t.Raw, &height, &t.TxIndex); err != nil {
			return nil, fmt.Errorf("store: reading wallet transaction: %w", err)
		}
		copy(t.TxID[:], txid)
		t.BlockHeight = nullHeight(height)
		out = append(out, t)
	}
	return out, rows.Err()
}

// WalletReserve reserves unspent outputs until block height until. With
// exclusive, an output still reserved at height now fails the whole call
// (ErrWalletReserved); otherwise its reservation is extended to until.
// An unknown or spent output fails it with ErrWalletUnavailable.
func (s *Store) WalletReserve(ctx context.Context, ops []WalletOutPoint, now, until uint32, exclusive bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, op := range ops {
			var reservedTil uint32
			var spend []byte
			err := tx.QueryRowContext(ctx, s.q(`SELECT reserved_til, spend_txid FROM wallet_utxos WHERE txid = ? AND vout = ?`),
				op.TxID[:], op.Vout).Scan(&reservedTil, &spend)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && spend != nil) {
				return fmt.Errorf("%w: %x:%d", ErrWalletUnavailable, op.TxID, op.Vout)
			}
			if err != nil {
				return fmt.Errorf("store: reserving: %w", err)
			}
			if exclusive && reservedTil > now {
				return fmt.Errorf("%w: %x:%d until %d", ErrWalletReserved, op.TxID, op.Vout, reservedTil)
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE wallet_utxos SET reserved_til = ? WHERE txid = ? AND vout = ?`),
				until, op.TxID[:], op.Vout); err != nil {
				return fmt.Errorf("store: reserving: %w", err)
			}
		}
		return nil
	})
}

// WalletUnreserve ends reservations at once.
func (s *Store) WalletUnreserve(ctx context.Context, ops []WalletOutPoint) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, op := range ops {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE wallet_utxos SET reserved_til = 0 WHERE txid = ? AND vout = ?`),
				op.TxID[:], op.Vout); err != nil {
				return fmt.Errorf("store: unreserving: %w", err)
			}
		}
		return nil
	})
}
