package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order; migration i brings the schema to version
// i+1. Never edit a released migration: append a new one.
var migrations = []string{
	// 1: the schema version itself and node-wide variables.
	`CREATE TABLE vars (
		name  TEXT PRIMARY KEY,
		value BLOB NOT NULL
	)`,
	// 2: the invoice registry. Amounts in msat; times in unix seconds.
	`CREATE TABLE invoices (
		created_index        INTEGER PRIMARY KEY AUTOINCREMENT,
		updated_index        INTEGER NOT NULL,
		label                TEXT NOT NULL UNIQUE,
		payment_hash         BLOB NOT NULL UNIQUE,
		payment_preimage     BLOB NOT NULL,
		payment_secret       BLOB NOT NULL,
		amount_msat          INTEGER,
		description          TEXT NOT NULL,
		bolt11               TEXT NOT NULL,
		expires_at           INTEGER NOT NULL,
		cltv                 INTEGER NOT NULL,
		paid                 INTEGER NOT NULL DEFAULT 0,
		pay_index            INTEGER UNIQUE,
		amount_received_msat INTEGER,
		paid_at              INTEGER
	)`,
	`CREATE TABLE invoice_index (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
	// 4-7: the on-chain wallet (store/wallet.go). Key branches hand out
	// indexes; blocks are the processed chain (for reorg detection);
	// transactions and outputs are the wallet's own. Heights NULL while
	// unconfirmed; reserved_til is the block height a reservation ends at.
	`CREATE TABLE wallet_keys (
		kind       INTEGER NOT NULL,
		change     INTEGER NOT NULL,
		next_index INTEGER NOT NULL,
		PRIMARY KEY (kind, change)
	)`,
	`CREATE TABLE wallet_blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL)`,
	`CREATE TABLE wallet_txs (
		seq         INTEGER PRIMARY KEY AUTOINCREMENT,
		txid        BLOB NOT NULL UNIQUE,
		rawtx       BLOB NOT NULL,
		blockheight INTEGER,
		txindex     INTEGER NOT NULL DEFAULT 0
	)`,
	`CREATE TABLE wallet_utxos (
		txid         BLOB NOT NULL,
		vout         INTEGER NOT NULL,
		amount_sat   INTEGER NOT NULL,
		pkscript     BLOB NOT NULL,
		key_kind     INTEGER NOT NULL,
		key_change   INTEGER NOT NULL,
		key_index    INTEGER NOT NULL,
		blockheight  INTEGER,
		coinbase     INTEGER NOT NULL DEFAULT 0,
		spend_txid   BLOB,
		spend_height INTEGER,
		reserved_til INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (txid, vout)
	)`,
	// 8: channels (store/channels.go): one versioned state record per
	// channel plus the columns queried; dbindex is the signer's channel
	// index; funding_tx and closing_tx are kept to broadcast them again.
	`CREATE TABLE channels (
		dbindex          INTEGER PRIMARY KEY,
		channel_id       BLOB NOT NULL UNIQUE,
		peer_id          BLOB NOT NULL,
		peer_address     TEXT NOT NULL DEFAULT '',
		version          INTEGER NOT NULL,
		phase            TEXT NOT NULL,
		short_channel_id INTEGER NOT NULL DEFAULT 0,
		funding_txid     BLOB NOT NULL,
		funding_outnum   INTEGER NOT NULL,
		funding_tx       BLOB,
		height_hint      INTEGER NOT NULL,
		minimum_depth    INTEGER NOT NULL DEFAULT 1,
		closing_tx       BLOB,
		spent_height     INTEGER NOT NULL DEFAULT 0,
		state            BLOB NOT NULL
	)`,
	// 9-10: outgoing payments (store/payments.go), one row per attempt,
	// Core Lightning's sendpay fields. The HTLC that carries an attempt is
	// named by its channel (dbindex) and HTLC id; both NULL when the
	// attempt failed before any HTLC was offered. route and shared_secrets
	// are the hops and the onion's per-hop secrets, to decrypt a failure.
	`CREATE TABLE payments (
		created_index    INTEGER PRIMARY KEY AUTOINCREMENT,
		payment_hash     BLOB NOT NULL,
		groupid          INTEGER NOT NULL,
		partid           INTEGER NOT NULL DEFAULT 0,
		destination      BLOB NOT NULL,
		amount_msat      INTEGER NOT NULL,
		amount_sent_msat INTEGER NOT NULL,
		created_at       INTEGER NOT NULL,
		status           TEXT NOT NULL,
		payment_preimage BLOB,
		bolt11           TEXT NOT NULL DEFAULT '',
		label            TEXT NOT NULL DEFAULT '',
		description      TEXT NOT NULL DEFAULT '',
		channel_dbindex  INTEGER,
		htlc_id          INTEGER,
		short_channel_id INTEGER NOT NULL DEFAULT 0,
		route            BLOB NOT NULL,
		shared_secrets   BLOB NOT NULL,
		erring_index     INTEGER,
		failcode         INTEGER,
		failure_message  BLOB,
		completed_at     INTEGER,
		UNIQUE (payment_hash, groupid, partid)
	)`,
	`CREATE INDEX payments_by_status ON payments (status)`,
	// 11-12: forwarded HTLCs (store/forwards.go), one row per incoming
	// HTLC we relayed or refused to relay, named by its channel (dbindex)
	// and HTLC id; the outgoing HTLC likewise (NULL when none was
	// offered). shared_secret is the incoming onion's, to wrap a failure;
	// fail_reason is the update_fail_htlc reason to send back. Times in
	// unix nanoseconds.
	`CREATE TABLE forwards (
		created_index   INTEGER PRIMARY KEY AUTOINCREMENT,
		in_channel      INTEGER NOT NULL,
		in_htlc_id      INTEGER NOT NULL,
		in_scid         INTEGER NOT NULL,
		in_msat         INTEGER NOT NULL,
		in_cltv         INTEGER NOT NULL,
		payment_hash    BLOB NOT NULL,
		out_scid        INTEGER NOT NULL,
		out_channel     INTEGER,
		out_htlc_id     INTEGER,
		out_msat        INTEGER NOT NULL,
		out_cltv        INTEGER NOT NULL,
		shared_secret   BLOB NOT NULL,
		status          TEXT NOT NULL,
		payment_preimage BLOB,
		fail_reason     BLOB,
		failcode        INTEGER,
		received_time   INTEGER NOT NULL,
		resolved_time   INTEGER,
		UNIQUE (in_channel, in_htlc_id)
	)`,
	`CREATE INDEX forwards_by_status ON forwards (status)`,
	// 13: "was this hash paid?" before every payment must not scan the
	// completed payments by status (found by tools/lnbench: 27% of the
	// payer's CPU after 1,500 payments).
	`CREATE INDEX payments_by_hash_status ON payments (payment_hash, status)`,
}

// SchemaVersion is the version a fully migrated database has.
func SchemaVersion() int { return len(migrations) }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx,
		`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: creating schema_version: %w", err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var version int
		err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&version)
		switch {
		case err == sql.ErrNoRows:
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
				return fmt.Errorf("store: initialising schema_version: %w", err)
			}
		case err != nil:
			return fmt.Errorf("store: reading schema_version: %w", err)
		}
		if version > len(migrations) {
			return fmt.Errorf("store: database schema version %d is newer than this fulmend (%d): refusing to downgrade",
				version, len(migrations))
		}
		for i := version; i < len(migrations); i++ {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return fmt.Errorf("store: migration %d: %w", i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE schema_version SET version = ?`), len(migrations)); err != nil {
			return fmt.Errorf("store: updating schema_version: %w", err)
		}
		return nil
	})
}

// Version reads the schema version recorded in the database.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
	return v, err
}
