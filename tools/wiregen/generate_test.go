package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func generateFile(t *testing.T, csvPath string) []byte {
	t.Helper()
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	spec, err := readSpec(f)
	if err != nil {
		t.Fatal(err)
	}
	src, err := generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestGenerateSample(t *testing.T) {
	got := generateFile(t, "testdata/sample.csv")
	want, err := os.ReadFile("testdata/sample_gen.go.golden")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("generated code differs from testdata/sample_gen.go.golden:\n%s", got)
	}
}

// The committed lnwire/messages_gen.go must be what spec.csv generates
// (check.sh also re-extracts spec.csv from the BOLTs).
func TestCommittedMessagesAreUpToDate(t *testing.T) {
	got := generateFile(t, "../../lnwire/spec.csv")
	want, err := os.ReadFile("../../lnwire/messages_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("lnwire/messages_gen.go is stale: run go generate ./lnwire/...")
	}
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want string
	}{
		{"unknown row kind", "msgtipe,a,1\n", "unknown row kind"},
		{"bad column count", "msgtype,a\n", "columns"},
		{"message defined twice", "msgtype,a,1\nmsgtype,a,2\n", "defined twice"},
		{"data before its message", "msgdata,a,f,u8,\n", "undefined message"},
		{"unknown type", "msgtype,a,1\nmsgdata,a,f,u128,\n", "unknown type"},
		{"count not a field", "msgtype,a,1\nmsgdata,a,f,byte,len\n", "not an earlier unused integer field"},
		{"count used twice", "msgtype,a,1\nmsgdata,a,n,u16,\nmsgdata,a,f,byte,n\nmsgdata,a,g,byte,n\n", "not an earlier unused integer field"},
		{"rest outside a record", "msgtype,a,1\nmsgdata,a,f,byte,...\n", "outside the end of a TLV record"},
		{"truncated integer in a message", "msgtype,a,1\nmsgdata,a,f,tu64,\n", "last field of a TLV record"},
		{"truncated integer not last", "msgtype,a,1\nmsgdata,a,tlvs,a_tlvs,\ntlvtype,a_tlvs,r,1\ntlvdata,a_tlvs,r,x,tu32,\ntlvdata,a_tlvs,r,y,u8,\n", "last field of a TLV record"},
		{"stream field not last", "msgtype,a,1\nmsgdata,a,tlvs,s,\nmsgdata,a,f,u8,\ntlvtype,s,r,1\n", "is not last"},
		{"stream of no message", "msgtype,a,1\ntlvtype,s,r,1\n", "extends no message"},
		{"records out of order", "msgtype,a,1\ntlvtype,a_tlvs,r,3\ntlvtype,a_tlvs,q,1\n", "not increasing"},
		{"Go name clash", "msgtype,a_b,1\nmsgtype,a__b,2\n", "used by both"},
	}
	for _, tc := range tests {
		spec, err := readSpec(strings.NewReader(tc.csv))
		if err == nil {
			_, err = generate(spec)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestGoName(t *testing.T) {
	tests := map[string]string{
		"update_add_htlc":         "UpdateAddHTLC",
		"query_short_channel_ids": "QueryShortChannelIDs",
		"node_id_1":               "NodeID1",
		"feerate_per_kw":          "FeeratePerKW",
		"funding_txid":            "FundingTxID",
		"closer_scriptpubkey":     "CloserScriptPubKey",
		"sha256_of_onion":         "SHA256OfOnion",
		"open_channel2":           "OpenChannel2",
		"init_tlvs":               "InitTLVs",
	}
	for in, want := range tests {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnitTypes(t *testing.T) {
	tests := []struct {
		field, specType, count, want string
	}{
		{"amount_msat", "u64", "", "MilliSatoshi"},
		{"amount_msat", "tu64", "", "MilliSatoshi"},
		{"fee_base_msat", "u32", "", ""}, // would not hold every MilliSatoshi
		{"funding_satoshis", "u64", "", "Satoshi"},
		{"sats", "u64", "", "Satoshi"},
		{"funding_contribution_satoshis", "s64", "", "Satoshi"},
		{"feerate_per_kw", "u32", "", "FeeratePerKW"},
		{"cltv_expiry", "u32", "", "BlockHeight"},
		{"first_blocknum", "u32", "", "BlockHeight"},
		{"cltv_expiry_delta", "u16", "", ""},
		{"temporary_channel_id", "byte", "32", "ChannelID"},
		{"payment_preimage", "byte", "32", ""},
	}
	for _, tc := range tests {
		if got := unitType(tc.field, tc.specType, tc.count); got != tc.want {
			t.Errorf("unitType(%s, %s, %q) = %q, want %q", tc.field, tc.specType, tc.count, got, tc.want)
		}
	}
}
