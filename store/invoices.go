package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Invoice errors.
var (
	ErrDuplicateLabel       = errors.New("store: duplicate invoice label")
	ErrDuplicatePaymentHash = errors.New("store: duplicate payment hash")
)

// InvoiceRecord is one invoice as stored. Status is not stored for
// expiry: an unpaid invoice is expired when ExpiresAt has passed, which
// the caller judges with its clock.
type InvoiceRecord struct {
	CreatedIndex       uint64
	UpdatedIndex       uint64
	Label              string
	PaymentHash        [32]byte
	PaymentPreimage    [32]byte
	PaymentSecret      [32]byte
	AmountMsat         *uint64 // nil: "any" amount
	Description        string
	Bolt11             string
	ExpiresAt          int64
	CLTV               uint32
	Paid               bool
	PayIndex           uint64 // 0 when unpaid
	AmountReceivedMsat uint64
	PaidAt             int64
}

const invoiceColumns = `created_index, updated_index, label, payment_hash, payment_preimage, payment_secret,
	amount_msat, description, bolt11, expires_at, cltv, paid, pay_index, amount_received_msat, paid_at`

// nextIndex increments and returns a named counter inside tx.
func (s *Store) nextIndex(ctx context.Context, tx *sql.Tx, name string) (uint64, error) {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO invoice_index (name, value) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET value = value + 1`), name)
	if err != nil {
		return 0, fmt.Errorf("store: bumping %s: %w", name, err)
	}
	var v uint64
	err = tx.QueryRowContext(ctx, s.q(`SELECT value FROM invoice_index WHERE name = ?`), name).Scan(&v)
	return v, err
}

// AddInvoice stores a new unpaid invoice, filling in its indexes.
func (s *Store) AddInvoice(ctx context.Context, inv *InvoiceRecord) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var exists int
		tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM invoices WHERE label = ?`), inv.Label).Scan(&exists)
		if exists > 0 {
			return fmt.Errorf("%w: %q", ErrDuplicateLabel, inv.Label)
		}
		tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM invoices WHERE payment_hash = ?`), inv.PaymentHash[:]).Scan(&exists)
		if exists > 0 {
			return fmt.Errorf("%w: %x", ErrDuplicatePaymentHash, inv.PaymentHash)
		}
		updated, err := s.nextIndex(ctx, tx, "updated")
		if err != nil {
			return err
		}
		var amount any
		if inv.AmountMsat != nil {
			amount = int64(*inv.AmountMsat)
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO invoices
			(updated_index, label, payment_hash, payment_preimage, payment_secret, amount_msat,
			 description, bolt11, expires_at, cltv)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			updated, inv.Label, inv.PaymentHash[:], inv.PaymentPreimage[:], inv.PaymentSecret[:], amount,
			inv.Description, inv.Bolt11, inv.ExpiresAt, inv.CLTV)
		if err != nil {
			return fmt.Errorf("store: adding invoice %q: %w", inv.Label, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		inv.CreatedIndex, inv.UpdatedIndex = uint64(id), updated
		return nil
	})
}

// InvoiceFilter selects invoices; zero fields match everything.
type InvoiceFilter struct {
	Label       *string
	Bolt11      *string
	PaymentHash *[32]byte
	// StartCreated and Limit page by created_index.
	StartCreated uint64
	Limit        uint64
}

// Invoices lists invoices matching the filter in created order.
func (s *Store) Invoices(ctx context.Context, f InvoiceFilter) ([]InvoiceRecord, error) {
	var where []string
	var args []any
	if f.Label != nil {
		where, args = append(where, "label = ?"), append(args, *f.Label)
	}
	if f.Bolt11 != nil {
		where, args = append(where, "bolt11 = ?"), append(args, *f.Bolt11)
	}
	if f.PaymentHash != nil {
		where, args = append(where, "payment_hash = ?"), append(args, f.PaymentHash[:])
	}
	if f.StartCreated > 0 {
		where, args = append(where, "created_index >= ?"), append(args, int64(f.StartCreated))
	}
	query := `SELECT ` + invoiceColumns + ` FROM invoices`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created_index"
	if f.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, int64(f.Limit))
	}
	return s.queryInvoices(ctx, query, args...)
}

// InvoicesPaidAfter lists paid invoices with pay_index > after, in pay order.
func (s *Store) InvoicesPaidAfter(ctx context.Context, after uint64) ([]InvoiceRecord, error) {
	return s.queryInvoices(ctx, `SELECT `+invoiceColumns+` FROM invoices
		WHERE paid = 1 AND pay_index > ? ORDER BY pay_index`, int64(after))
}

func (s *Store) queryInvoices(ctx context.Context, query string, args ...any) ([]InvoiceRecord, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing invoices: %w", err)
	}
	defer rows.Close()
	var out []InvoiceRecord
	for rows.Next() {
		var r InvoiceRecord
		var hash, preimage, secret []byte
		var amount, payIndex, received, paidAt sql.NullInt64
		if err := rows.Scan(&r.CreatedIndex, &r.UpdatedIndex, &r.Label, &hash, &preimage, &secret,
			&amount, &r.Description, &r.Bolt11, &r.ExpiresAt, &r.CLTV, &r.Paid, &payIndex, &received, &paidAt); err != nil {
			return nil, fmt.Errorf("store: reading invoice: %w", err)
		}
		copy(r.PaymentHash[:], hash)
		copy(r.PaymentPreimage[:], preimage)
		copy(r.PaymentSecret[:], secret)
		if amount.Valid {
			v := uint64(amount.Int64)
			r.AmountMsat = &v
		}
		r.PayIndex, r.AmountReceivedMsat, r.PaidAt = uint64(payIndex.Int64), uint64(received.Int64), paidAt.Int64
		out = append(out, r)
	}
	return out, rows.Err()
}

// InvoiceByHash finds one invoice by payment hash.
func (s *Store) InvoiceByHash(ctx context.Context, hash [32]byte) (InvoiceRecord, error) {
	list, err := s.Invoices(ctx, InvoiceFilter{PaymentHash: &hash})
	if err != nil {
		return InvoiceRecord{}, err
	}
	if len(list) == 0 {
		return InvoiceRecord{}, fmt.Errorf("store: invoice %x: %w", hash, ErrNotFound)
	}
	return list[0], nil
}

// ErrAlreadyPaid is returned when settling an invoice twice.
var ErrAlreadyPaid = errors.New("store: invoice already paid")

// MarkInvoicePaid records the payment of an unpaid invoice, giving it the
// next pay_index. It returns the updated record.
func (s *Store) MarkInvoicePaid(ctx context.Context, hash [32]byte, received uint64, paidAt int64) (InvoiceRecord, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var paid bool
		err := tx.QueryRowContext(ctx, s.q(`SELECT paid FROM invoices WHERE payment_hash = ?`), hash[:]).Scan(&paid)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: invoice %x: %w", hash, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if paid {
			return fmt.Errorf("%w: %x", ErrAlreadyPaid, hash)
		}
		payIndex, err := s.nextIndex(ctx, tx, "pay")
		if err != nil {
			return err
		}
		updated, err := s.nextIndex(ctx, tx, "updated")
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE invoices SET paid = 1, pay_index = ?, amount_received_msat = ?,
			paid_at = ?, updated_index = ? WHERE payment_hash = ?`),
			int64(payIndex), int64(received), paidAt, int64(updated), hash[:])
		return err
	})
	if err != nil {
		return InvoiceRecord{}, err
	}
	return s.InvoiceByHash(ctx, hash)
}

// DeleteInvoice removes the invoice with the label.
func (s *Store) DeleteInvoice(ctx context.Context, label string) error {
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM invoices WHERE label = ?`), label)
	if err != nil {
		return fmt.Errorf("store: deleting invoice %q: %w", label, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: invoice %q: %w", label, ErrNotFound)
	}
	return nil
}
