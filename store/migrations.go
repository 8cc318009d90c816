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
