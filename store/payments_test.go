package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func testPayment(hashFill byte, htlcID uint64) *PaymentRecord {
	p := &PaymentRecord{
		AmountMsat: 10_000, AmountSentMsat: 11_001, CreatedAt: 1_700_000_000, Status: PaymentPending,
		Bolt11: "lnbcrt1...", Label: "coffee", Description: "a coffee",
		HTLC: &HTLCRef{ChannelIndex: 3, ID: htlcID}, ShortChannelID: 103<<40 | 1<<16 | 0,
		Route: []PaymentHop{
			{NodeID: [33]byte{0x02, 1}, ShortChannelID: 103<<40 | 1<<16, AmountMsat: 11_001, Delay: 24},
			{NodeID: [33]byte{0x03, 2}, ShortChannelID: 104<<40 | 2<<16 | 1, AmountMsat: 10_000, Delay: 18},
		},
		SharedSecrets: [][32]byte{{1, 1}, {2, 2}},
	}
	p.PaymentHash[0] = hashFill
	p.Destination = p.Route[1].NodeID
	return p
}

func TestPaymentsRoundTripAndResolve(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	first, second, other := testPayment(1, 0), testPayment(1, 1), testPayment(2, 2)
	if err := s.SaveHTLCRecords(ctx, &HTLCRecords{NewPayments: []*PaymentRecord{first, second, other}}); err != nil {
		t.Fatal(err)
	}
	if first.ID == 0 || second.ID != first.ID+1 {
		t.Fatalf("ids %d, %d", first.ID, second.ID)
	}
	if first.GroupID != 1 || second.GroupID != 2 || other.GroupID != 1 {
		t.Fatalf("groups %d %d %d: want 1 2 1 (numbered per payment hash)", first.GroupID, second.GroupID, other.GroupID)
	}
	preimage := [32]byte{9}
	failure := &PaymentFailure{ErringIndex: 1, Code: 0x400f, Message: []byte{0x40, 0x0f, 0, 0}}
	err := s.SaveHTLCRecords(ctx, &HTLCRecords{PaymentOutcomes: []PaymentOutcome{
		{ID: first.ID, Status: PaymentFailed, Failure: failure, CompletedAt: 1_700_000_005},
		{ID: second.ID, Status: PaymentComplete, Preimage: preimage, CompletedAt: 1_700_000_009},
	}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	all, err := s.Payments(ctx, PaymentFilter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("%d payments, %v", len(all), err)
	}
	wantFirst := *first
	wantFirst.Status, wantFirst.Failure, wantFirst.CompletedAt = PaymentFailed, failure, 1_700_000_005
	if !reflect.DeepEqual(all[0], wantFirst) {
		t.Fatalf("failed attempt read back as\n%+v\nwant\n%+v", all[0], wantFirst)
	}
	if all[1].Status != PaymentComplete || all[1].Preimage == nil || *all[1].Preimage != preimage || all[1].Failure != nil {
		t.Fatalf("complete attempt read back as %+v", all[1])
	}
	if all[2].Status != PaymentPending || all[2].Preimage != nil || all[2].CompletedAt != 0 {
		t.Fatalf("pending attempt read back as %+v", all[2])
	}

	hash := first.PaymentHash
	for _, tc := range []struct {
		name   string
		filter PaymentFilter
		want   []uint64
	}{
		{"by hash", PaymentFilter{PaymentHash: &hash}, []uint64{first.ID, second.ID}},
		{"by status", PaymentFilter{Status: PaymentPending}, []uint64{other.ID}},
		{"by hash and status", PaymentFilter{PaymentHash: &hash, Status: PaymentComplete}, []uint64{second.ID}},
		{"by id", PaymentFilter{ID: other.ID}, []uint64{other.ID}},
		{"nothing", PaymentFilter{PaymentHash: &[32]byte{7}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := s.Payments(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, p := range list {
				got = append(got, p.ID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ids %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPaymentRecordErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	done := testPayment(1, 0)
	if err := s.SaveHTLCRecords(ctx, &HTLCRecords{NewPayments: []*PaymentRecord{done}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveHTLCRecords(ctx, &HTLCRecords{PaymentOutcomes: []PaymentOutcome{{ID: done.ID, Status: PaymentComplete}}}); err != nil {
		t.Fatal(err)
	}
	noHTLC := testPayment(2, 1)
	noHTLC.HTLC = nil
	badStatus := testPayment(2, 1)
	badStatus.Status = "lost"
	noPreimage := testPayment(2, 1)
	noPreimage.Status = PaymentComplete
	failedLocally := testPayment(3, 0)
	failedLocally.HTLC, failedLocally.Status = nil, PaymentFailed
	failedLocally.Failure = &PaymentFailure{ErringIndex: -1, Code: 0x1007}
	for _, tc := range []struct {
		name    string
		records HTLCRecords
		want    error // nil: accepted
	}{
		{"pending without an HTLC", HTLCRecords{NewPayments: []*PaymentRecord{noHTLC}}, ErrInvalidPayment},
		{"unknown status", HTLCRecords{NewPayments: []*PaymentRecord{badStatus}}, ErrInvalidPayment},
		{"complete without a preimage", HTLCRecords{NewPayments: []*PaymentRecord{noPreimage}}, ErrInvalidPayment},
		{"failed before any HTLC", HTLCRecords{NewPayments: []*PaymentRecord{failedLocally}}, nil},
		{"resolved twice", HTLCRecords{PaymentOutcomes: []PaymentOutcome{{ID: done.ID, Status: PaymentComplete}}}, ErrPaymentNotPending},
		{"unknown payment", HTLCRecords{PaymentOutcomes: []PaymentOutcome{{ID: 999, Status: PaymentComplete}}}, ErrPaymentNotPending},
		{"failed without a failure", HTLCRecords{PaymentOutcomes: []PaymentOutcome{{ID: done.ID, Status: PaymentFailed}}}, ErrInvalidPayment},
		{"outcome pending", HTLCRecords{PaymentOutcomes: []PaymentOutcome{{ID: done.ID, Status: PaymentPending}}}, ErrInvalidPayment},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.SaveHTLCRecords(ctx, &tc.records); !errors.Is(err, tc.want) && (tc.want != nil || err != nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	list, err := s.Payments(ctx, PaymentFilter{})
	if err != nil || len(list) != 2 || list[1].Failure == nil || list[1].Failure.ErringIndex != -1 || list[1].HTLC != nil {
		t.Fatalf("after the refused records: %+v, %v", list, err)
	}
}

// TestChannelStateAndHTLCsInOneTransaction: the channel state and the
// payment rows are written together or not at all.
func TestChannelStateAndHTLCsInOneTransaction(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.AddChannel(ctx, testChannel(3, 0x33)); err != nil {
		t.Fatal(err)
	}
	pay := testPayment(1, 0)
	v, err := s.UpdateChannelStateAndHTLCs(ctx, ChannelStateUpdate{Index: 3, Version: 1, Phase: "normal", State: []byte("s2")},
		&HTLCRecords{NewPayments: []*PaymentRecord{pay}})
	if err != nil || v != 2 || pay.ID == 0 {
		t.Fatalf("version %d, payment %d, %v", v, pay.ID, err)
	}

	// A stale version writes no payment row.
	lost := testPayment(2, 1)
	_, err = s.UpdateChannelStateAndHTLCs(ctx, ChannelStateUpdate{Index: 3, Version: 1, Phase: "normal", State: []byte("stale")},
		&HTLCRecords{NewPayments: []*PaymentRecord{lost}})
	if !errors.Is(err, ErrStaleChannelVersion) {
		t.Fatalf("stale version: %v", err)
	}
	// A refused row writes no channel state.
	_, err = s.UpdateChannelStateAndHTLCs(ctx, ChannelStateUpdate{Index: 3, Version: 2, Phase: "normal", State: []byte("s3")},
		&HTLCRecords{PaymentOutcomes: []PaymentOutcome{{ID: 999, Status: PaymentComplete}}})
	if !errors.Is(err, ErrPaymentNotPending) {
		t.Fatalf("outcome for an unknown payment: %v", err)
	}
	rec, err := s.Channel(ctx, 3)
	if err != nil || rec.Version != 2 || string(rec.State) != "s2" {
		t.Fatalf("channel at version %d with %q, %v", rec.Version, rec.State, err)
	}
	list, _ := s.Payments(ctx, PaymentFilter{})
	if len(list) != 1 || list[0].ID != pay.ID {
		t.Fatalf("payments %+v", list)
	}

	// Both together, and an unknown channel.
	v, err = s.UpdateChannelStateAndHTLCs(ctx, ChannelStateUpdate{Index: 3, Version: 2, Phase: "normal", State: []byte("s3")},
		&HTLCRecords{PaymentOutcomes: []PaymentOutcome{{ID: pay.ID, Status: PaymentComplete, Preimage: [32]byte{1}}}})
	if err != nil || v != 3 {
		t.Fatalf("version %d, %v", v, err)
	}
	if _, err := s.UpdateChannelStateAndHTLCs(ctx, ChannelStateUpdate{Index: 9, Version: 1}, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown channel: %v", err)
	}
	if list, _ := s.Payments(ctx, PaymentFilter{Status: PaymentComplete}); len(list) != 1 {
		t.Fatalf("complete payments %+v", list)
	}
}

func TestHopsAndSecretsEncoding(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  []byte
		ok   bool
	}{
		{"empty", nil, true},
		{"one hop", make([]byte, hopSize), true},
		{"truncated hop", make([]byte, hopSize-1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hops, err := decodeHops(tc.raw)
			if (err == nil) != tc.ok || (tc.ok && len(hops)*hopSize != len(tc.raw)) {
				t.Fatalf("%d hops, %v", len(hops), err)
			}
		})
	}
	if _, err := decodeSecrets(make([]byte, 33)); err == nil {
		t.Fatal("33 bytes of secrets decoded")
	}
}

func FuzzDecodeHops(f *testing.F) {
	f.Add(encodeHops(testPayment(1, 0).Route))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		hops, err := decodeHops(b)
		if err != nil {
			return
		}
		if again := encodeHops(hops); string(again) != string(b) {
			t.Fatalf("round trip changed %x into %x", b, again)
		}
	})
}

func BenchmarkUpdateChannelStateAndHTLCs(b *testing.B) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, b.TempDir()+"/"+DefaultFileName)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.AddChannel(ctx, testChannel(3, 0x33)); err != nil {
		b.Fatal(err)
	}
	state := make([]byte, 4000)
	version := uint64(1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pay := testPayment(byte(i), uint64(i))
		pay.PaymentHash[1], pay.PaymentHash[2] = byte(i>>8), byte(i>>16)
		v, err := s.UpdateChannelStateAndHTLCs(ctx, ChannelStateUpdate{Index: 3, Version: version, Phase: "normal", State: state},
			&HTLCRecords{NewPayments: []*PaymentRecord{pay}})
		if err != nil {
			b.Fatal(err)
		}
		version = v
	}
}

// TestPaidLookupUsesTheHashIndex: the check "was this hash paid?" that
// precedes every payment reads the payment's rows by its hash, never the
// rows of every completed payment.
func TestPaidLookupUsesTheHashIndex(t *testing.T) {
	s, _ := openTemp(t)
	rows, err := s.db.QueryContext(context.Background(), s.q(`EXPLAIN QUERY PLAN SELECT `+paymentColumns+
		` FROM payments WHERE payment_hash = ? AND status = ? ORDER BY created_index`), make([]byte, 32), string(PaymentComplete))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if len(plan) == 0 || !strings.Contains(strings.Join(plan, "; "), "payments_by_hash_status") {
		t.Fatalf("query plan %q does not use payments_by_hash_status", plan)
	}
}
