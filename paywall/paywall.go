package paywall

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Config configures a Paywall. The zero values of optional fields take the
// defaults named below.
type Config struct {
	// Backend is the Lightning node (required).
	Backend Backend
	// Items is the catalogue (at least one item, unique IDs).
	Items []Item
	// Title heads every page; "Lightning shop" when empty.
	Title string
	// BasePath is where the handler is mounted, starting and ending with
	// '/'; "/" when empty. Every route is below it.
	BasePath string
	// LabelPrefix starts every invoice label the paywall creates, and only
	// labels with it are ever looked up, so links cannot reach other
	// invoices of the node. "paywall-" when empty.
	LabelPrefix string
	// InvoiceExpiry is how long an invoice may be paid; 15 minutes when
	// zero; at least a second.
	InvoiceExpiry time.Duration
	// RequirePreimage makes the content link ask for the payment preimage
	// as proof of payment, on top of the invoice being paid: the link alone
	// is then not enough to get the content.
	RequirePreimage bool
	// MaxWait caps the long poll of the status endpoint (?wait=seconds);
	// one minute when zero.
	MaxWait time.Duration
	// Random is the source of the unguessable part of labels;
	// crypto/rand.Reader when nil.
	Random io.Reader
	// Logger receives backend failures; nothing is logged when nil.
	Logger *slog.Logger
}

// Defaults of Config.
const (
	DefaultTitle         = "Lightning shop"
	DefaultBasePath      = "/"
	DefaultLabelPrefix   = "paywall-"
	DefaultInvoiceExpiry = 15 * time.Minute
	DefaultMaxWait       = time.Minute
)

// withDefaults fills in the optional fields.
func (c Config) withDefaults() Config {
	if c.Title == "" {
		c.Title = DefaultTitle
	}
	if c.BasePath == "" {
		c.BasePath = DefaultBasePath
	}
	if c.LabelPrefix == "" {
		c.LabelPrefix = DefaultLabelPrefix
	}
	if c.InvoiceExpiry == 0 {
		c.InvoiceExpiry = DefaultInvoiceExpiry
	}
	if c.MaxWait == 0 {
		c.MaxWait = DefaultMaxWait
	}
	if c.Random == nil {
		c.Random = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate checks the configuration as New will use it (after defaults).
func (c Config) Validate() error {
	c = c.withDefaults()
	if c.Backend == nil {
		return fmt.Errorf("%w: no backend", ErrInvalidConfig)
	}
	if len(c.Items) == 0 {
		return fmt.Errorf("%w: no items for sale", ErrInvalidConfig)
	}
	seen := make(map[string]bool, len(c.Items))
	for _, it := range c.Items {
		if err := it.validate(); err != nil {
			return err
		}
		if seen[it.ID] {
			return fmt.Errorf("%w: two items with ID %q", ErrInvalidConfig, it.ID)
		}
		seen[it.ID] = true
	}
	if !strings.HasPrefix(c.BasePath, "/") || !strings.HasSuffix(c.BasePath, "/") ||
		strings.ContainsAny(c.BasePath, "{}? #") {
		return fmt.Errorf("%w: base path %q must start and end with '/' (and hold no pattern characters)",
			ErrInvalidConfig, c.BasePath)
	}
	if c.InvoiceExpiry < time.Second {
		return fmt.Errorf("%w: invoice expiry %v is under a second", ErrInvalidConfig, c.InvoiceExpiry)
	}
	if c.MaxWait < 0 {
		return fmt.Errorf("%w: negative MaxWait", ErrInvalidConfig)
	}
	return nil
}

// Paywall sells the items of its catalogue for Lightning payments and
// serves each item only through the link of a paid invoice. It holds no
// state of its own: invoices live on the node, and everything a request
// needs is in its URL. It is safe for concurrent use.
type Paywall struct {
	cfg   Config
	items map[string]Item
	pages *template.Template
	mux   *http.ServeMux

	randomMu sync.Mutex // guards cfg.Random, which need not be safe for concurrent reads
}

// New validates cfg and builds the paywall.
func New(cfg Config) (*Paywall, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	p := &Paywall{cfg: cfg, items: make(map[string]Item, len(cfg.Items)), pages: pages}
	for _, it := range cfg.Items {
		p.items[it.ID] = it
	}
	p.mux = p.routes()
	return p, nil
}

// Handler serves every page of the paywall below Config.BasePath:
//
//	GET  {base}                      the catalogue, with a link to each item's shop page
//	GET  {base}buy/{item}            the shop page: creates a fresh invoice, redirects to it (303)
//	POST {base}buy/{item}            the same, for forms
//	GET  {base}invoice/{ref}         the invoice: bolt11 text, QR code, status; works by reload
//	GET  {base}invoice/{ref}/qr.png  the QR code of "lightning:" + the upper-case invoice
//	GET  {base}invoice/{ref}/status  the status as JSON (StatusReply); ?wait=N long-polls N seconds
//	GET  {base}content/{ref}         the item, only once the invoice is paid (?preimage=hex when required)
//	GET  {base}paywall.js, paywall.css
//
// {ref} is the item ID, '-', and 26 random base32 characters (128 bits);
// the invoice label on the node is Config.LabelPrefix + ref.
func (p *Paywall) Handler() http.Handler { return p.mux }

// Items lists the catalogue in its configured order.
func (p *Paywall) Items() []Item { return append([]Item(nil), p.cfg.Items...) }

// Label is the node's label for the invoice of ref.
func (p *Paywall) Label(ref string) string { return p.cfg.LabelPrefix + ref }

// tokenBytes is the size of the random part of a ref: 128 bits.
const tokenBytes = 16

// tokenEncoding writes tokens in lower-case base32 without padding: 26
// characters, safe in URLs and labels, never a '-'.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// tokenLength is the length of an encoded token.
var tokenLength = tokenEncoding.EncodedLen(tokenBytes)

// errNoRandomness: Config.Random failed.
var errNoRandomness = errors.New("paywall: reading randomness for a label")

// newRef draws a fresh ref for an invoice of item.
func (p *Paywall) newRef(item string) (string, error) {
	var raw [tokenBytes]byte
	p.randomMu.Lock()
	_, err := io.ReadFull(p.cfg.Random, raw[:])
	p.randomMu.Unlock()
	if err != nil {
		return "", fmt.Errorf("%w: %w", errNoRandomness, err)
	}
	return item + "-" + tokenEncoding.EncodeToString(raw[:]), nil
}

// parseRef splits a ref into its catalogue item; false when the ref is not
// one this paywall could have made.
func (p *Paywall) parseRef(ref string) (Item, bool) {
	cut := strings.LastIndexByte(ref, '-')
	if cut < 0 {
		return Item{}, false
	}
	id, token := ref[:cut], ref[cut+1:]
	if len(token) != tokenLength {
		return Item{}, false
	}
	if raw, err := tokenEncoding.DecodeString(token); err != nil || len(raw) != tokenBytes ||
		tokenEncoding.EncodeToString(raw) != token {
		return Item{}, false
	}
	it, ok := p.items[id]
	return it, ok
}
