// Package paywall sells digital items for Lightning payments from any Go
// web server: a reusable version of the first sale made with Fulmen, an
// ASCII cat for a few satoshis.
//
// A Paywall is built from a Config: a catalogue of Items (name, price in
// millisatoshis, content) and a Backend, the small interface it needs from
// a Lightning node: CreateInvoice, WaitInvoice and LookupInvoice.
// RPCBackend implements it over the JSON-RPC Unix socket of Fulmen or Core
// Lightning (`invoice`, `waitinvoice`, `listinvoices`); package paywalltest
// has an in-process fake for tests and for developing a site without a
// node.
//
// Handler serves the pages (see its documentation for the routes): the
// shop page of an item creates a fresh invoice under an unguessable label
// (Config.LabelPrefix + item + 128 random bits) and shows its bolt11 text
// and a QR code (PNG of "lightning:" + the invoice in upper case, BOLT 11
// "SHOULD use upper case for QR codes"); a JSON status endpoint, which the
// page's few lines of plain JavaScript long-poll (the page also works by
// reload); and the content link of the invoice, which serves the item only
// once the invoice is paid and answers 402 (unpaid), 410 (expired) or 404
// (unknown or deleted) otherwise. With Config.RequirePreimage the link also
// asks for the payment preimage, checked by PreimageMatches:
// sha256(preimage) == payment_hash (BOLT 11, field `p`).
//
// The paywall keeps no state of its own: the node's invoices are the
// truth, and a request carries everything else in its URL, so a restart
// loses nothing. There is no global state; randomness comes from
// Config.Random.
//
// Trust: only the paywall may create invoices whose label starts with its
// LabelPrefix on the node; a paid invoice with such a label opens the
// content of the item its label names.
//
// Layer: an application library above the node (L3 client side). It talks
// to the node only through package rpc and imports lnwire for units; it
// must not import daemon, invoices, store, or any package holding node
// state. PreimageMatches, ParsePreimage, QRContent and FormatPrice are
// pure.
package paywall
