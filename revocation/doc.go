// Package revocation implements BOLT #3's per-commitment secrets: their
// generation from a per-channel seed ("Per-commitment Secret Requirements",
// generate_from_seed) and the compact storage of the secrets a peer reveals
// ("Efficient Per-commitment Secret Storage", insert_secret and
// derive_old_secret, often called a shachain).
//
// Indexes count down: the first commitment uses index FirstIndex (2^48-1),
// commitment number n uses FirstIndex-n (see IndexOf).
//
// A Producer holds a seed and so a secret; it is meant to live inside the
// signer. A Store holds only secrets the peer has already revealed and can
// be persisted with MarshalBinary/UnmarshalBinary.
//
// This package is pure (layer L0): it does no I/O, starts no goroutines and
// reads no clock or global randomness. It imports only the standard library
// and must not import any other package of the node.
package revocation
