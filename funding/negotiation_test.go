package funding

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// p2wpkh is a valid upfront_shutdown_script.
var p2wpkh = append([]byte{0x00, 0x14}, bytes.Repeat([]byte{0xab}, 20)...)

func TestNegotiationEstablishesBothSides(t *testing.T) {
	tests := []struct {
		name             string
		openerFeatures   lnwire.FeatureVector
		accepterFeatures lnwire.FeatureVector
		open             Open
		wantType         channeltx.ChannelType
	}{
		{
			name:           "static_remotekey between basic nodes",
			openerFeatures: basicFeatures(), accepterFeatures: basicFeatures(),
			open:     defaultOpen(),
			wantType: channeltx.StaticRemoteKey,
		},
		{
			name:           "anchors when both support them",
			openerFeatures: fullFeatures(), accepterFeatures: fullFeatures(),
			open:     defaultOpen(),
			wantType: channeltx.AnchorsZeroFeeHTLC,
		},
		{
			name:           "static_remotekey asked although anchors are possible",
			openerFeatures: fullFeatures(), accepterFeatures: fullFeatures(),
			open:     func() Open { o := defaultOpen(); o.ChannelType = channeltx.StaticRemoteKey; return o }(),
			wantType: channeltx.StaticRemoteKey,
		},
		{
			name:           "no push, smallest channel, upfront script",
			openerFeatures: fullFeatures(), accepterFeatures: fullFeatures(),
			open: func() Open {
				o := defaultOpen()
				o.Funding, o.PushMsat, o.UpfrontShutdownScript = 20_000, 0, p2wpkh
				return o
			}(),
			wantType: channeltx.AnchorsZeroFeeHTLC,
		},
		{
			name:           "large channel",
			openerFeatures: fullFeatures(), accepterFeatures: fullFeatures(),
			open:     func() Open { o := defaultOpen(); o.Funding = 50_000_000; return o }(),
			wantType: channeltx.AnchorsZeroFeeHTLC,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(tc.openerFeatures, tc.accepterFeatures)
			if err := p.open(tc.open); err != nil {
				t.Fatalf("open: %v\n%s%s", err, p.opener.log.String(), p.accepter.log.String())
			}
			if len(p.violations) > 0 {
				t.Fatalf("runtime contract broken: %v", p.violations)
			}
			a, b := p.opener, p.accepter
			for _, s := range []*side{a, b} {
				if s.state.Phase != Established || s.handOver == nil || s.persisted == nil || s.watch == nil {
					t.Fatalf("%s: phase %s, handOver %v, persisted %v, watch %v", s.name, s.state.Phase, s.handOver != nil, s.persisted != nil, s.watch != nil)
				}
				if s.handOver.Channel.Type != tc.wantType {
					t.Errorf("%s: type %s, want %s", s.name, s.handOver.Channel.Type, tc.wantType)
				}
				if s.handOver.MinimumDepth != 3 {
					t.Errorf("%s: minimum depth %d, want 3", s.name, s.handOver.MinimumDepth)
				}
			}
			if a.broadcast == nil || b.broadcast != nil {
				t.Fatalf("broadcasts: opener %v, accepter %v", a.broadcast != nil, b.broadcast != nil)
			}
			checkMirror(t, &a.handOver.Channel, &b.handOver.Channel)
			if a.watch.Outpoint != b.watch.Outpoint || !bytes.Equal(a.watch.PkScript, b.watch.PkScript) {
				t.Errorf("watch differs: %v %x / %v %x", a.watch.Outpoint, a.watch.PkScript, b.watch.Outpoint, b.watch.PkScript)
			}
			if a.watch.Outpoint.Hash != a.broadcast.TxHash() {
				t.Errorf("watched %v, broadcast %v", a.watch.Outpoint, a.broadcast.TxHash())
			}
			if got := a.handOver.Channel.Local.UpfrontShutdownScript; !bytes.Equal(got, tc.open.UpfrontShutdownScript) {
				t.Errorf("opener's upfront script %x", got)
			}
			if got := b.handOver.Channel.Remote.UpfrontShutdownScript; !bytes.Equal(got, tc.open.UpfrontShutdownScript) {
				t.Errorf("accepter's copy of the upfront script %x", got)
			}
			// Each first commitment, signed by both, spends the funding
			// output of the transaction the opener broadcasts.
			out := a.broadcast.TxOut[a.watch.Outpoint.Index]
			for _, s := range []*side{a, b} {
				tx, err := channel.LocalCommitmentTx(&s.handOver.Channel, s.signer)
				if err != nil {
					t.Fatalf("%s: commitment: %v", s.name, err)
				}
				if err := spends(tx, a.watch.Outpoint, out); err != nil {
					t.Errorf("%s's first commitment does not spend the funding output: %v", s.name, err)
				}
			}
		})
	}
}

// checkMirror checks that the two channels describe the same channel from
// both ends.
func checkMirror(t *testing.T, a, b *channel.State) {
	t.Helper()
	switch {
	case a.ChannelID != b.ChannelID:
		t.Errorf("channel ids %s / %s", a.ChannelID, b.ChannelID)
	case a.Opener != channel.Local || b.Opener != channel.Remote:
		t.Errorf("openers %s / %s", a.Opener, b.Opener)
	case a.Capacity != b.Capacity || a.FundingTxID != b.FundingTxID || a.FundingOutputIndex != b.FundingOutputIndex:
		t.Errorf("funding differs")
	case a.AnySegwit != b.AnySegwit || a.Type != b.Type:
		t.Errorf("options differ")
	case !paramsEqual(&a.Local, &b.Remote) || !paramsEqual(&a.Remote, &b.Local):
		t.Errorf("params differ:\n%+v\n%+v", a.Local, b.Remote)
	case a.LocalCommit.Spec.Balance != [2]lnwire.MilliSatoshi{b.LocalCommit.Spec.Balance[1], b.LocalCommit.Spec.Balance[0]}:
		t.Errorf("balances %v / %v", a.LocalCommit.Spec.Balance, b.LocalCommit.Spec.Balance)
	}
}

func paramsEqual(a, b *channel.Params) bool {
	return reflect.DeepEqual(*a, *b)
}

// spends runs the script engine on input 0 of tx, which spends prev.
func spends(tx *wire.MsgTx, outpoint wire.OutPoint, prev *wire.TxOut) error {
	if tx.TxIn[0].PreviousOutPoint != outpoint {
		return errors.New("spends another outpoint")
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(prev.PkScript, prev.Value)
	engine, err := txscript.NewEngine(prev.PkScript, tx, 0, txscript.StandardVerifyFlags, nil,
		txscript.NewTxSigHashes(tx, fetcher), prev.Value, fetcher)
	if err != nil {
		return err
	}
	return engine.Execute()
}

func TestNegotiationMessageSequence(t *testing.T) {
	p := newPair(fullFeatures(), fullFeatures())
	if err := p.open(defaultOpen()); err != nil {
		t.Fatal(err)
	}
	want := "alice -> bob: open_channel\nalice -> bob: funding_created\n"
	if got := p.opener.log.String(); got != want {
		t.Errorf("opener sent:\n%s\nwant:\n%s", got, want)
	}
	want = "bob -> alice: accept_channel\nbob -> alice: funding_signed\n"
	if got := p.accepter.log.String(); got != want {
		t.Errorf("accepter sent:\n%s\nwant:\n%s", got, want)
	}
}

func TestNegotiationIsDeterministic(t *testing.T) {
	var ids []lnwire.ChannelID
	for range 2 {
		p := newPair(fullFeatures(), fullFeatures())
		if err := p.open(defaultOpen()); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.opener.state.TemporaryChannelID, p.opener.state.ChannelID)
	}
	if ids[0] != ids[2] || ids[1] != ids[3] {
		t.Errorf("two runs differ: %v", ids)
	}
	if ids[0] == ids[1] {
		t.Errorf("temporary id equals the channel id")
	}
}
