package wallet

import (
	"errors"
	"testing"
)

func TestParseFeerate(t *testing.T) {
	cases := []struct {
		in   string
		want FeerateSpec
		err  error
	}{
		{"urgent", FeerateSpec{Blocks: 6}, nil},
		{"normal", FeerateSpec{Blocks: 12}, nil},
		{"slow", FeerateSpec{Blocks: 100}, nil},
		{"minimum", FeerateSpec{Minimum: true}, nil},
		{"3blocks", FeerateSpec{Blocks: 3}, nil},
		{"253perkw", FeerateSpec{PerKW: 253}, nil},
		{"7500perkw", FeerateSpec{PerKW: 7500}, nil},
		{"1000perkb", FeerateSpec{PerKW: 253}, nil}, // 250perkw raised to the floor
		{"20000perkb", FeerateSpec{PerKW: 5000}, nil},
		{"4000", FeerateSpec{PerKW: 1000}, nil}, // bare number is perkb
		{"252perkw", FeerateSpec{PerKW: 253}, nil},
		{"249perkw", FeerateSpec{}, ErrBadFeerate},
		{"999perkb", FeerateSpec{}, ErrBadFeerate},
		{"0blocks", FeerateSpec{}, ErrBadFeerate},
		{"fast", FeerateSpec{}, ErrBadFeerate},
		{"-5perkw", FeerateSpec{}, ErrBadFeerate},
		{"1.5perkw", FeerateSpec{}, ErrBadFeerate},
		{"99999999999perkw", FeerateSpec{}, ErrBadFeerate},
		{"", FeerateSpec{}, ErrBadFeerate},
	}
	for _, tc := range cases {
		got, err := ParseFeerate(tc.in)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("%q: %+v %v, want %+v %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func FuzzParseFeerate(f *testing.F) {
	for _, s := range []string{"urgent", "253perkw", "1000perkb", "12blocks", "4000", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseFeerate(s)
		if err != nil {
			if !errors.Is(err, ErrBadFeerate) {
				t.Fatalf("%q: untyped error %v", s, err)
			}
			return
		}
		if spec.PerKW != 0 && spec.PerKW < FeerateFloor {
			t.Fatalf("%q: %d below the floor", s, spec.PerKW)
		}
	})
}
