package paywall

import (
	"errors"
	"fmt"
	"strings"

	"rsc.io/qr"
	"rsc.io/qr/coding"
)

// QRScheme is the URI scheme put before the invoice in QR codes, so that a
// phone's camera hands the code to a Lightning wallet. BOLT #11: "If a URI
// scheme is desired, the current recommendation is to ... use 'lightning:'
// as a prefix before the BOLT-11 encoding (note: not 'lightning://')".
const QRScheme = "lightning:"

// QRScale is the number of PNG pixels per QR module.
const QRScale = 6

// QRQuietZone is the light border around a QR code, in modules, which the
// QR standard requires and rsc.io/qr's PNG writer adds on every side.
const QRQuietZone = 4

// ErrQRTooLong: the invoice does not fit in the largest QR code.
var ErrQRTooLong = errors.New("paywall: invoice too long for a QR code")

// QRContent is the text of an invoice's QR code: the lightning: scheme and
// the invoice in upper case. BOLT #11: a writer "SHOULD use upper case for
// QR codes (see BIP-0173)"; bech32 in upper case fits QR's alphanumeric
// mode, 5.5 bits a character instead of 8.
func QRContent(bolt11 string) string { return QRScheme + strings.ToUpper(bolt11) }

// QRPNG draws the invoice's QR code (content QRContent) as a PNG: modules
// of QRScale pixels, QRQuietZone modules of border on each side, so the
// image is (size+2*QRQuietZone)*QRScale pixels square for a code of size
// modules. It also returns the code's size in modules.
func QRPNG(bolt11 string) (png []byte, size int, err error) {
	code, err := encodeQR(QRContent(bolt11))
	if err != nil {
		return nil, 0, err
	}
	code.Scale = QRScale
	return code.PNG(), code.Size, nil
}

// encodeQR encodes text in the smallest code at level L (7% redundancy,
// plenty for a screen). The scheme goes in an 8-bit segment, so it keeps
// its lower case (some wallets match "lightning:" case-sensitively), and
// the rest in an alphanumeric segment when it fits that mode, which keeps
// the code small; otherwise the whole text is one 8-bit segment.
func encodeQR(text string) (*qr.Code, error) {
	segments := []coding.Encoding{coding.String(text)}
	if scheme, rest, ok := strings.Cut(text, ":"); ok && coding.Alpha(rest).Check() == nil {
		segments = []coding.Encoding{coding.String(scheme + ":"), coding.Alpha(rest)}
	}
	for v := coding.Version(coding.MinVersion); v <= coding.MaxVersion; v++ {
		bits := 0
		for _, s := range segments {
			bits += s.Bits(v)
		}
		if bits > v.DataBytes(coding.L)*8 {
			continue
		}
		plan, err := coding.NewPlan(v, coding.L, 0)
		if err != nil {
			return nil, fmt.Errorf("paywall: QR plan for version %d: %w", v, err)
		}
		c, err := plan.Encode(segments...)
		if err != nil {
			return nil, fmt.Errorf("paywall: QR encoding: %w", err)
		}
		return &qr.Code{Bitmap: c.Bitmap, Size: c.Size, Stride: c.Stride, Scale: 1}, nil
	}
	return nil, fmt.Errorf("%w: %d characters", ErrQRTooLong, len(text))
}
