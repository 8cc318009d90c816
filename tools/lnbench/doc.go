// Command lnbench measures Fulmen against lnd with the same payments on
// the same btcd regtest chain (issue #8), and prints the Markdown tables
// of docs/benchmarks.md. Run it with scripts/bench-vs-lnd.sh.
//
// For each implementation and each run (-runs, default 3) it builds a
// fresh line of three nodes A–B–C: A opens a 10,000,000-sat channel to B
// and B one to C, so all the capacity sits on the paying side. Then, with
// 1,000-sat invoices made on the payee beforehand (not timed) and 5
// warm-up payments before each case (not counted), it runs the cases:
//
//   - direct A→B, sequential (n=200)
//   - direct A→B, 8 and 16 concurrent payers (n=400 each)
//   - 2-hop A→B→C, sequential (n=100)
//
// Each payment is timed on the monotonic clock from the pay request to the
// client learning of its success, with one request per payment: Fulmen's
// JSON-RPC `pay` with the BOLT 11 invoice, lnd's REST POST /v2/router/send
// read until SUCCEEDED (lndtest.Payer, over kept-alive connections).
// Every preimage is checked against the invoice's payment hash. A case
// reports the median, p90 and p99 latency, payments per second (n over
// the wall time of the case), and each node's CPU time per payment (utime
// + stime of /proc/<pid>/stat read before and after the case). Each line
// also reports VmRSS idle and after its cases, and a restart of A: from
// the launch of the process to its RPC's first answer, and to its channel
// with B active again (Fulmen: CHANNELD_NORMAL with the peer connected;
// lnd: active in /v1/channels). The report gives the median of the runs.
//
// Fulmen's 2-hop payments need B to forward. A tries `pay` first, then
// `sendpay` with the explicit route [{id, channel, amount_msat, delay}]
// and `waitsendpay`; when both refuse with Core Lightning's
// PAY_ROUTE_NOT_FOUND (205), as a Fulmen without forwarding does, the case
// reports "not supported yet" with the daemon's words, never a figure.
//
// Both implementations run with their default settings except the log
// level (info for both). lnbench imports devnet (chain and fulmend
// processes), lndtest (lnd processes and REST client), bolt11 (payment
// hashes of Fulmen's invoices), rpc (Fulmen's JSON-RPC client and error
// codes) and lnwire (units); nothing imports it.
package main
