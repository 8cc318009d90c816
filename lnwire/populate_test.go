package lnwire

import (
	"math/rand/v2"
	"reflect"

	"github.com/fulmen-ln/fulmen/tlv"
)

// populate fills every field of the struct v points to with pseudo-random
// values drawn from rnd, so that each message type can be round-tripped
// without a hand-written fixture per type. Every optional TLV is set, every
// slice has at least one element, and two unknown odd TLV records are added,
// so that decoding gives back exactly the same Go value.
func populate(v any, rnd *rand.Rand) {
	fill(reflect.ValueOf(v).Elem(), rnd)
}

var (
	scidType   = reflect.TypeFor[ShortChannelID]()
	streamType = reflect.TypeFor[tlv.Stream]()
)

func fill(v reflect.Value, rnd *rand.Rand) {
	switch {
	case v.Type() == scidType:
		v.Set(reflect.ValueOf(ShortChannelID{
			BlockHeight: rnd.Uint32N(1 << 24),
			TxIndex:     rnd.Uint32N(1 << 24),
			OutputIndex: uint16(rnd.Uint32()),
		}))
		return
	case v.Type() == streamType:
		// Odd types above every type the BOLTs define: unknown, kept.
		v.Set(reflect.ValueOf(tlv.Stream{
			{Type: 65537, Value: []byte{byte(rnd.Uint32())}},
			{Type: 1<<32 + 1, Value: []byte{1, 2, 3}},
		}))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(rnd.Uint64())
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(rnd.Uint64()))
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			fill(v.Index(i), rnd)
		}
	case reflect.Slice:
		n := 1 + rnd.IntN(4)
		if v.Type().Elem().Kind() == reflect.Uint8 {
			n = 1 + rnd.IntN(40)
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < n; i++ {
			fill(s.Index(i), rnd)
		}
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), rnd)
		v.Set(p)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), rnd)
		}
	default:
		panic("populate: unhandled kind " + v.Kind().String())
	}
}
