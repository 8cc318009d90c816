package rpc

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Param describes one parameter of a method, in positional order.
type Param struct {
	Name     string
	Required bool
}

// Handler carries out a method. It returns a value that encodes as a JSON
// object, or an error (an *Error to choose the code).
type Handler func(ctx context.Context, p Params) (any, error)

// Method is one entry of the method table.
type Method struct {
	Name        string
	Category    string // as in Core Lightning's help: "bitcoin", "channels", "network", "payment", "utility"
	Params      []Param
	Description string
	Handler     Handler
}

// Usage renders the parameter list in Core Lightning's style:
// "label [expiry]".
func (m Method) Usage() string {
	parts := make([]string, len(m.Params))
	for i, p := range m.Params {
		if p.Required {
			parts[i] = p.Name
		} else {
			parts[i] = "[" + p.Name + "]"
		}
	}
	return strings.Join(parts, " ")
}

// Table holds the methods the server dispatches to.
type Table struct {
	methods map[string]Method
}

// NewTable returns a table with the built-in `help` method.
func NewTable() *Table {
	t := &Table{methods: make(map[string]Method)}
	t.Add(Method{
		Name:        "help",
		Category:    "utility",
		Params:      []Param{{Name: "command"}},
		Description: "List available commands, or give verbose help on one {command}.",
		Handler:     t.help,
	})
	return t
}

// Add registers a method; adding a name twice is a programming error.
func (t *Table) Add(m Method) {
	if _, dup := t.methods[m.Name]; dup {
		panic("rpc: method added twice: " + m.Name)
	}
	if m.Handler == nil {
		panic("rpc: method without handler: " + m.Name)
	}
	t.methods[m.Name] = m
}

// Lookup finds a method by name.
func (t *Table) Lookup(name string) (Method, bool) {
	m, ok := t.methods[name]
	return m, ok
}

// Names lists the method names in order.
func (t *Table) Names() []string {
	names := make([]string, 0, len(t.methods))
	for n := range t.methods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// HelpEntry is one element of help's reply, as in Core Lightning.
type HelpEntry struct {
	Command     string `json:"command"`
	Category    string `json:"category"`
	Description string `json:"description"`
	Verbose     string `json:"verbose"`
}

// HelpReply is the reply of `help`.
type HelpReply struct {
	Help []HelpEntry `json:"help"`
}

func (t *Table) help(_ context.Context, p Params) (any, error) {
	one, err := p.OptionalString("command")
	if err != nil {
		return nil, err
	}
	entry := func(m Method) HelpEntry {
		cmd := strings.TrimSpace(m.Name + " " + m.Usage())
		return HelpEntry{Command: cmd, Category: m.Category, Description: m.Description,
			Verbose: "HELP! Please contribute a description for this " + m.Name}
	}
	if one != nil {
		m, ok := t.methods[*one]
		if !ok {
			return nil, Errorf(CodeMethodNotFound, "Unknown command %s", *one)
		}
		e := entry(m)
		e.Verbose = fmt.Sprintf("%s\n\n%s", e.Command, m.Description)
		return HelpReply{Help: []HelpEntry{e}}, nil
	}
	reply := HelpReply{Help: []HelpEntry{}}
	for _, n := range t.Names() {
		reply.Help = append(reply.Help, entry(t.methods[n]))
	}
	return reply, nil
}
