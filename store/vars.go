package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Var reads a node-wide variable; ErrNotFound if it was never set.
func (s *Store) Var(ctx context.Context, name string) ([]byte, error) {
	var value []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT value FROM vars WHERE name = ?`), name).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: var %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: reading var %q: %w", name, err)
	}
	return value, nil
}

// SetVar writes a node-wide variable.
func (s *Store) SetVar(ctx context.Context, name string, value []byte) error {
	_, err := s.db.ExecContext(ctx, s.q(
		`INSERT INTO vars (name, value) VALUES (?, ?)
		 ON CONFLICT (name) DO UPDATE SET value = excluded.value`), name, value)
	if err != nil {
		return fmt.Errorf("store: writing var %q: %w", name, err)
	}
	return nil
}
