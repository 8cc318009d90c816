// Package noise implements the BOLT #8 transport cryptography: the
// Noise_XK_secp256k1_ChaChaPoly_SHA256 handshake and the message cipher that
// protects every Lightning message afterwards.
//
// Everything here is pure: bytes in, bytes out. The package never touches a
// net.Conn, a clock or global randomness. The ephemeral keys are given
// explicitly (NewEphemeralKey draws one from a caller-supplied io.Reader), and
// the node's static key is only reached through the LocalKey interface, so the
// private key can stay inside the signer.
//
// The handshake is two state machines:
//
//	Initiator: ActOne() -> ReadActTwo(act2) -> ActThree() -> *Session
//	Responder: ReadActOne(act1) -> ActTwo() -> ReadActThree(act3) -> *Session
//
// Each act has a fixed size (ActOneSize, ActTwoSize, ActThreeSize). Every
// check BOLT #8 mandates fails with its own sentinel error (ErrBadActLength,
// ErrUnknownVersion, ErrBadPubKey, ErrBadMAC, ErrBadStaticKeyCiphertext),
// wrapped in a *HandshakeError that names the act. A failed state machine
// refuses any further step.
//
// A Session holds two independent halves, SendCipher and ReceiveCipher, so one
// goroutine may send while another receives. Receiving is split in two calls
// so that a reader can read exactly LengthHeaderSize bytes, learn the body
// length, then read exactly length+MACSize bytes. Keys rotate every 1000
// nonces as BOLT #8 "Lightning Message Key Rotation" requires.
//
// Layer L0: this package must not import net, os, time, math/rand, any
// storage package, or any Fulmen package above L0.
package noise
