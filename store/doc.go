// Package store persists the node's state: embedded SQLite by default
// (pure Go driver, WAL journal, fsync on every commit), with numbered
// migrations and a schema version.
//
// Callers use the typed methods of *Store (invoices, channels, wallet...),
// never SQL: the SQL lives here, written once in a portable subset, with the
// differences between database engines confined to the dialect type so
// that PostgreSQL can be added as an option without touching callers.
//
// Layer L2. It must not import protocol packages above L0.
package store
