package paywall

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"testing"

	"rsc.io/qr"
	"rsc.io/qr/coding"
)

// coffeeInvoice is the BOLT #11 example "Please send $3 for a cup of coffee
// to the same peer, within one minute" (testdata/bolt11-coffee.txt).
func coffeeInvoice(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile("testdata/bolt11-coffee.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "lnbc") {
			return strings.TrimSpace(line)
		}
	}
	t.Fatal("no invoice in testdata/bolt11-coffee.txt")
	return ""
}

func TestQRContent(t *testing.T) {
	cases := []struct{ in, want string }{
		{"lnbcrt1abc", "lightning:LNBCRT1ABC"},
		{"LNBC1XYZ", "lightning:LNBC1XYZ"},
	}
	for _, tc := range cases {
		if got := QRContent(tc.in); got != tc.want {
			t.Errorf("QRContent(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// expectedCode encodes text as the paywall promises: "lightning:" as bytes,
// the upper-case invoice alphanumeric, level L, the smallest version.
func expectedCode(t *testing.T, bolt11 string) *coding.Code {
	t.Helper()
	segments := []coding.Encoding{coding.String("lightning:"), coding.Alpha(strings.ToUpper(bolt11))}
	for v := coding.Version(1); v <= 40; v++ {
		if segments[0].Bits(v)+segments[1].Bits(v) > v.DataBytes(coding.L)*8 {
			continue
		}
		plan, err := coding.NewPlan(v, coding.L, 0)
		if err != nil {
			t.Fatal(err)
		}
		c, err := plan.Encode(segments...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	t.Fatal("does not fit")
	return nil
}

func isBlack(c color.Color) bool {
	g := color.GrayModel.Convert(c).(color.Gray)
	return g.Y < 128
}

func TestQRPNGEncodesTheUpperCaseInvoice(t *testing.T) {
	invoice := coffeeInvoice(t)
	data, size, err := QRPNG(invoice)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	want := expectedCode(t, invoice)
	if size != want.Size || (size-17)%4 != 0 {
		t.Fatalf("code size %d modules, want %d (4*version+17)", size, want.Size)
	}
	side := (size + 2*QRQuietZone) * QRScale
	if b := img.Bounds(); b != image.Rect(0, 0, side, side) {
		t.Fatalf("image bounds %v, want %dx%d", b, side, side)
	}
	// Read every module at its centre, quiet zone included.
	for my := -QRQuietZone; my < size+QRQuietZone; my++ {
		for mx := -QRQuietZone; mx < size+QRQuietZone; mx++ {
			px := (mx+QRQuietZone)*QRScale + QRScale/2
			py := (my+QRQuietZone)*QRScale + QRScale/2
			if got, exp := isBlack(img.At(px, py)), want.Black(mx, my); got != exp {
				t.Fatalf("module (%d,%d): black=%v, want %v", mx, my, got, exp)
			}
		}
	}
	// The finder pattern: the top-left 7x7 square has a dark ring.
	for i := 0; i < 7; i++ {
		for _, m := range [][2]int{{i, 0}, {0, i}, {i, 6}, {6, i}} {
			if !want.Black(m[0], m[1]) {
				t.Fatalf("finder module %v is light", m)
			}
		}
	}
}

func TestQRAlphanumericModeIsSmaller(t *testing.T) {
	invoice := coffeeInvoice(t)
	_, size, err := QRPNG(invoice)
	if err != nil {
		t.Fatal(err)
	}
	// The same text in one 8-bit segment, as a naive encoder makes it.
	byteMode, err := qr.Encode(QRContent(invoice), qr.L)
	if err != nil {
		t.Fatal(err)
	}
	if size >= byteMode.Size {
		t.Fatalf("mixed-mode code %d modules, byte-mode %d: upper case should make it smaller", size, byteMode.Size)
	}
}

func TestQRPNGErrors(t *testing.T) {
	// 3000 alphanumeric characters do not fit in version 40 at level L
	// (4296 alphanumeric characters do, but the text is 8-bit after a
	// character outside the alphabet).
	if _, _, err := QRPNG(strings.Repeat("lnbc", 2000)); !errors.Is(err, ErrQRTooLong) {
		t.Fatalf("long invoice: %v", err)
	}
	if _, _, err := QRPNG(strings.Repeat("é", 1500)); !errors.Is(err, ErrQRTooLong) {
		t.Fatalf("long 8-bit text: %v", err)
	}
	// Text outside the alphanumeric set still encodes, in 8-bit mode.
	data, _, err := QRPNG("lnbc1?x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkQRPNG(b *testing.B) {
	invoice := coffeeInvoice(b)
	for b.Loop() {
		if _, _, err := QRPNG(invoice); err != nil {
			b.Fatal(err)
		}
	}
}
