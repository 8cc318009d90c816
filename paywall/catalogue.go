package paywall

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Item is one thing for sale.
type Item struct {
	// ID names the item in URLs and invoice labels: 1 to 32 characters of
	// a-z, 0-9, '-' and '_'.
	ID string
	// Name is shown to buyers.
	Name string
	// Description goes into the invoice (the buyer's wallet shows it);
	// Name when empty.
	Description string
	// Price is what one invoice for the item asks.
	Price lnwire.MilliSatoshi
	// ContentType is served with the content; "text/plain; charset=utf-8"
	// when empty.
	ContentType string
	// Content is what the buyer gets once the invoice is paid.
	Content []byte
}

// ErrInvalidConfig: a Config (or one of its items) that New refuses.
var ErrInvalidConfig = errors.New("paywall: invalid configuration")

// maxIDLength bounds item IDs, which go into labels and URLs.
const maxIDLength = 32

// maxDescriptionBytes is the longest `d` field: BOLT #11 data_length is 10
// bits, 1023 5-bit elements, so 639 whole bytes.
const maxDescriptionBytes = 639

// invoiceDescription is the text the invoice carries.
func (it Item) invoiceDescription() string {
	if it.Description != "" {
		return it.Description
	}
	return it.Name
}

func (it Item) contentType() string {
	if it.ContentType != "" {
		return it.ContentType
	}
	return "text/plain; charset=utf-8"
}

// validate checks one item.
func (it Item) validate() error {
	if err := checkItemID(it.ID); err != nil {
		return err
	}
	if it.Name == "" {
		return fmt.Errorf("%w: item %q has no name", ErrInvalidConfig, it.ID)
	}
	if it.Price == 0 {
		return fmt.Errorf("%w: item %q has no price", ErrInvalidConfig, it.ID)
	}
	if len(it.Content) == 0 {
		return fmt.Errorf("%w: item %q has no content", ErrInvalidConfig, it.ID)
	}
	desc := it.invoiceDescription()
	// BOLT #11: "MUST set `d` to a valid UTF-8 string."
	if !utf8.ValidString(desc) {
		return fmt.Errorf("%w: item %q: the invoice description is not UTF-8", ErrInvalidConfig, it.ID)
	}
	if len(desc) > maxDescriptionBytes {
		return fmt.Errorf("%w: item %q: the invoice description is %d bytes, at most %d fit in an invoice",
			ErrInvalidConfig, it.ID, len(desc), maxDescriptionBytes)
	}
	return nil
}

func checkItemID(id string) error {
	if id == "" || len(id) > maxIDLength {
		return fmt.Errorf("%w: item ID %q must be 1 to %d characters", ErrInvalidConfig, id, maxIDLength)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w: item ID %q may hold only a-z, 0-9, '-' and '_'", ErrInvalidConfig, id)
		}
	}
	return nil
}

// FormatPrice writes an amount for people: whole satoshis with thousands
// separators, and the millisatoshis as decimals when there are any
// ("10,000 sat", "1.5 sat").
func FormatPrice(m lnwire.MilliSatoshi) string {
	sats := strconv.FormatUint(uint64(m/1000), 10)
	var b strings.Builder
	for i, c := range sats {
		if i > 0 && (len(sats)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac := uint64(m % 1000); frac != 0 {
		b.WriteByte('.')
		b.WriteString(strings.TrimRight(fmt.Sprintf("%03d", frac), "0"))
	}
	b.WriteString(" sat")
	return b.String()
}
