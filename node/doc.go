// Package node is the channel runtime (layer L3): it carries out what the
// pure state machines of package funding (BOLT #2 channel establishment v1)
// and package channel (BOLT #2 normal operation, reestablish, mutual close)
// decide.
//
// Channels runs one goroutine per channel. Every event of a channel — a
// message from the peer, a (re)connection or disconnection, the funding
// transaction reaching minimum_depth, a local command — goes through
// channel.Step on that goroutine, and the effects are carried out in the
// order given:
//
//  1. PersistState: the new state is written to the store as the next
//     version of the channel's one record, in one transaction, before
//     anything that follows it. If the write fails the channel halts at
//     once: nothing after it is sent, broadcast or notified, and the
//     state in memory stays the stored one; a restart resumes from the
//     store and channel_reestablish resends what the peer missed.
//  2. SendMessage, on the connection the channel was re-established on.
//  3. BroadcastTx (the mutual close, stored first so that a restart
//     broadcasts it again), FailChannel (our commitment is signed and
//     broadcast; BOLT #5 resolution is not done here).
//  4. Notifications to the payment layer (Config.Payments).
//
// After each step the runtime signs (SignCommitment) when State.CanSign
// says there is something to sign, so every pending update goes into one
// commitment_signed.
//
// Connections. Channels is the peer manager's MessageHandler (it replaces
// peer.ChannelRefuser) and EventHandler. The first message or the connect
// event of a new connection makes it the peer's current connection: each
// channel with that peer gets Reconnected (and sends channel_reestablish)
// before any message read on it, and Disconnected when it ends. Messages
// read on a replaced connection are dropped. Peers we dialled are marked
// persistent, so the manager reconnects to them with back-off, also after
// a restart (the address is stored with the channel); HasActiveChannels
// makes `disconnect` refuse a peer with open channels without force.
//
// Establishment. Open (fundchannel) and a peer's open_channel run
// funding.Step under a per-negotiation lock: the wallet builds and signs
// the funding transaction (PrepareSpend, inputs reserved), the channel is
// stored and its goroutine started before funding_signed is sent
// (accepter) or the funding transaction broadcast (opener, only after the
// peer's funding_signed verified). Inbound opens are checked against
// Config.Funding (minimum size, pending channels per peer...).
//
// Payments. SendPayment builds a BOLT #4 onion along a route (one hop to a
// peer, or an explicit route of several), whose final payload carries the
// amount, the CLTV and the invoice's payment_secret, and offers the HTLC on
// the first channel; WaitPayment reports the preimage or the decrypted
// failure. The payment's record is stored in the same transaction as the
// state that offers its HTLC, and its outcome no later than the state that
// removes it (payments_records.go), so payments survive restarts without
// repair. An HTLC offered to us is decided once irrevocably committed: its
// onion is peeled with the node key (Config.NodeKey); a final payload is
// checked against the invoice (Config.Invoices; BOLT #4 final-node rules in
// checkFinalHop), the invoice settled and the HTLC fulfilled, or failed
// with an encrypted reason (update_fail_malformed_htlc for an onion that
// does not authenticate). HTLCs a dead process had not decided are decided
// after the next channel_reestablish.
//
// Forwarding. A payload naming a short_channel_id is checked against our
// RoutingPolicy (checkForward, BOLT #4/#7) and offered on that channel with
// the peeled onion; the forward (incoming HTLC, outgoing HTLC) is stored
// with the outgoing state that offers it. A fulfill is relayed back at
// once; a failure is obfuscated with the incoming shared secret.
//
// Blocks. At each new block every channel gets channel.NewBlock (an HTLC
// past its BOLT #2 deadline fails the channel and our commitment is
// broadcast), and the channels we opened compare their commitment feerate
// with Config.Fees and send update_fee when it moved by more than a tenth
// (tip.go). CloseChannel falls back to broadcasting our commitment after
// its timeout (Core Lightning's unilateraltimeout).
//
// Chain. A chain.Follower and chain.Watcher, polled, report the funding
// transaction at minimum_depth (FundingLocked with the short_channel_id,
// then channel_ready) and the funding output's spend. After a restart the
// follower resumes from the lower of the last processed height and the
// creation height of every channel not locked in yet, and the funding and
// closing transactions not yet confirmed are broadcast again.
//
// Layer L3: it imports the L1 state machines (channel, funding), the L2
// ports (store, signer, peer, chain, wallet) and lnwire; it must not import
// rpc or daemon, which build it.
package node
