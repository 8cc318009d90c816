// Package tlv implements the BOLT 1 BigSize integer encoding, truncated
// integers (tu16, tu32, tu64) and Type-Length-Value streams, enforcing every
// canonical-encoding rule a reader of a tlv_stream must check.
//
// A Stream is kept as raw records; what a record's value means is decided by
// the caller (lnwire for message extensions, onion for hop payloads). The
// caller also decides which even types it knows, with Stream.CheckEvenKnown,
// since BOLT 1 says a reader "MUST fail to parse the tlv_stream" on an
// unknown even type.
//
// It is layer L0: pure functions on bytes, io.Reader and io.Writer. It must
// not import any other fulmen package.
package tlv
