package paywall

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// nullBackend satisfies Backend for configuration tests; it is never
// called.
type nullBackend struct{}

func (nullBackend) CreateInvoice(context.Context, string, lnwire.MilliSatoshi, string, time.Duration) (Invoice, error) {
	panic("not called")
}
func (nullBackend) WaitInvoice(context.Context, string) (Invoice, error)   { panic("not called") }
func (nullBackend) LookupInvoice(context.Context, string) (Invoice, error) { panic("not called") }

func TestConfigValidate(t *testing.T) {
	cat := Item{ID: "cat", Name: "cat", Price: 1000, Content: []byte("=^.^=")}
	valid := func() Config { return Config{Backend: nullBackend{}, Items: []Item{cat}} }
	cases := []struct {
		name  string
		tweak func(*Config)
		says  string // "" when valid
	}{
		{"minimal", func(*Config) {}, ""},
		{"base path", func(c *Config) { c.BasePath = "/shop/" }, ""},
		{"item ID with dash and underscore", func(c *Config) { c.Items[0].ID = "big-cat_2" }, ""},
		{"description of 639 bytes", func(c *Config) { c.Items[0].Description = strings.Repeat("d", 639) }, ""},
		{"no backend", func(c *Config) { c.Backend = nil }, "no backend"},
		{"no items", func(c *Config) { c.Items = nil }, "no items"},
		{"duplicate IDs", func(c *Config) { c.Items = append(c.Items, cat) }, "two items"},
		{"empty ID", func(c *Config) { c.Items[0].ID = "" }, "1 to 32"},
		{"long ID", func(c *Config) { c.Items[0].ID = strings.Repeat("c", 33) }, "1 to 32"},
		{"upper-case ID", func(c *Config) { c.Items[0].ID = "Cat" }, "a-z"},
		{"slash in ID", func(c *Config) { c.Items[0].ID = "c/t" }, "a-z"},
		{"no name", func(c *Config) { c.Items[0].Name = "" }, "no name"},
		{"free", func(c *Config) { c.Items[0].Price = 0 }, "no price"},
		{"no content", func(c *Config) { c.Items[0].Content = nil }, "no content"},
		{"description of 640 bytes", func(c *Config) { c.Items[0].Description = strings.Repeat("d", 640) }, "639"},
		{"description not UTF-8", func(c *Config) { c.Items[0].Description = "\xff" }, "UTF-8"},
		{"base path without slash", func(c *Config) { c.BasePath = "shop" }, "base path"},
		{"base path without trailing slash", func(c *Config) { c.BasePath = "/shop" }, "base path"},
		{"base path with a pattern", func(c *Config) { c.BasePath = "/{x}/" }, "base path"},
		{"expiry under a second", func(c *Config) { c.InvoiceExpiry = time.Millisecond }, "under a second"},
		{"negative wait", func(c *Config) { c.MaxWait = -time.Second }, "MaxWait"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid()
			tc.tweak(&cfg)
			err := cfg.Validate()
			_, newErr := New(cfg)
			if tc.says == "" {
				if err != nil || newErr != nil {
					t.Fatalf("valid config refused: %v / %v", err, newErr)
				}
				return
			}
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("Validate = %v, want ErrInvalidConfig saying %q", err, tc.says)
			}
			if !errors.Is(newErr, ErrInvalidConfig) {
				t.Fatalf("New = %v", newErr)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg := Config{}.withDefaults()
	if cfg.Title != DefaultTitle || cfg.BasePath != "/" || cfg.LabelPrefix != "paywall-" ||
		cfg.InvoiceExpiry != 15*time.Minute || cfg.MaxWait != time.Minute || cfg.Random == nil || cfg.Logger == nil {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestFormatPrice(t *testing.T) {
	cases := []struct {
		msat lnwire.MilliSatoshi
		want string
	}{
		{0, "0 sat"},
		{1, "0.001 sat"},
		{999, "0.999 sat"},
		{1000, "1 sat"},
		{1500, "1.5 sat"},
		{10_000_000, "10,000 sat"},
		{123_456_789_010, "123,456,789.01 sat"},
		{100_000_000_000, "100,000,000 sat"},
	}
	for _, tc := range cases {
		if got := FormatPrice(tc.msat); got != tc.want {
			t.Errorf("FormatPrice(%d) = %q, want %q", tc.msat, got, tc.want)
		}
	}
}
