package invoices

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrWaitTimeout is returned by WaitAny when its timeout passes.
var ErrWaitTimeout = errors.New("timed out while waiting")

// Wait returns the invoice once it is paid. It fails with ErrExpired (and
// the invoice) if it expires first or already has, and with ErrNotFound if
// it does not exist or is deleted while waited on.
func (r *Registry) Wait(ctx context.Context, label string) (Invoice, error) {
	for {
		changed := r.changes()
		inv, err := r.ByLabel(ctx, label)
		if err != nil {
			return Invoice{}, err
		}
		switch inv.Status {
		case StatusPaid:
			return inv, nil
		case StatusExpired:
			return inv, fmt.Errorf("%w: %q", ErrExpired, label)
		}
		untilExpiry := time.Until(time.Unix(inv.ExpiresAt, 0).Add(r.offset()))
		timer := time.NewTimer(untilExpiry)
		select {
		case <-ctx.Done():
			timer.Stop()
			return Invoice{}, ctx.Err()
		case <-changed:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// WaitAny returns the first paid invoice with pay_index above lastPayIndex,
// waiting for one if needed; timeout 0 waits without end.
func (r *Registry) WaitAny(ctx context.Context, lastPayIndex uint64, timeout time.Duration) (Invoice, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	for {
		changed := r.changes()
		paid, err := r.cfg.Store.InvoicesPaidAfter(ctx, lastPayIndex)
		if err != nil {
			return Invoice{}, err
		}
		if len(paid) > 0 {
			return r.withStatus(paid[0]), nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) && timeout > 0 {
				return Invoice{}, ErrWaitTimeout
			}
			return Invoice{}, ctx.Err()
		case <-changed:
		}
	}
}

// offset is the difference between the registry's clock and the real
// clock, so expiry timers fire at the right moment under an injected clock.
func (r *Registry) offset() time.Duration { return time.Since(r.cfg.Now()) }
