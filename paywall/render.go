package paywall

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
)

// assets are the page templates, the polling script and the style sheet.
//
//go:embed templates/*.html static/paywall.js static/paywall.css
var assets embed.FS

// parseTemplates reads the page templates.
func parseTemplates() (*template.Template, error) {
	t, err := template.ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("paywall: page templates: %w", err)
	}
	return t, nil
}

// pageData is what every page template gets.
type pageData struct {
	Title     string // the shop's
	PageTitle string
	Base      string
	// Poll loads the script that polls the status endpoint.
	Poll bool
	Data map[string]any
}

func (p *Paywall) page(title string, data map[string]any) pageData {
	return pageData{Title: p.cfg.Title, PageTitle: title, Base: p.cfg.BasePath, Data: data}
}

// render executes a page template into a buffer first, so that a template
// failure becomes a clean 500 instead of half a page.
func (p *Paywall) render(w http.ResponseWriter, code int, name string, data pageData) {
	var buf bytes.Buffer
	if err := p.pages.ExecuteTemplate(&buf, name, data); err != nil {
		p.cfg.Logger.Error("paywall: page template failed", "page", name, "err", err)
		setHeaders(w)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	setHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// refuse answers with a page explaining why, and a link onward when next
// is not empty.
func (p *Paywall) refuse(w http.ResponseWriter, code int, title, message, next string) {
	p.render(w, code, "refused", p.page(title, map[string]any{
		"Code":    code,
		"Status":  http.StatusText(code),
		"Message": message,
		"Next":    next,
	}))
}
