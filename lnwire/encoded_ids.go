package lnwire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// EncodingUncompressed is the only encoding type of BOLT 7's encoded_ arrays
// (encoded_short_ids, encoded_timestamps, encoded_query_flags).
// BOLT 7: "`1`: Previously used for zlib compression, this encoding MUST NOT
// be used."
const EncodingUncompressed byte = 0

var (
	// ErrUnknownEncoding reports an encoded_ array whose first byte is not a
	// known encoding type. BOLT 7 lets the receiver send a warning and close
	// the connection.
	ErrUnknownEncoding = errors.New("lnwire: unknown encoding type")

	// ErrPartialShortChannelID reports encoded_short_ids that do not hold a
	// whole number of short_channel_ids.
	ErrPartialShortChannelID = errors.New("lnwire: encoded_short_ids is not a whole number of short_channel_ids")
)

// EncodeShortChannelIDs returns encoded_short_ids for ids, uncompressed.
// BOLT 7 wants them "in ascending order"; ordering is the caller's job.
func EncodeShortChannelIDs(ids []ShortChannelID) []byte {
	out := make([]byte, 1, 1+8*len(ids))
	out[0] = EncodingUncompressed
	for _, id := range ids {
		out = binary.BigEndian.AppendUint64(out, id.ToUint64())
	}
	return out
}

// DecodeShortChannelIDs reads encoded_short_ids.
func DecodeShortChannelIDs(encoded []byte) ([]ShortChannelID, error) {
	if len(encoded) == 0 {
		return nil, fmt.Errorf("%w: empty encoded_short_ids", ErrUnknownEncoding)
	}
	// BOLT 7: "if the first byte of `encoded_short_ids` is not a known
	// encoding type: MAY send a `warning`. MAY close the connection."
	if encoded[0] != EncodingUncompressed {
		return nil, fmt.Errorf("%w: %d", ErrUnknownEncoding, encoded[0])
	}
	body := encoded[1:]
	// BOLT 7: "if `encoded_short_ids` does not decode into a whole number of
	// `short_channel_id`: MAY send a `warning`. MAY close the connection."
	if len(body)%8 != 0 {
		return nil, fmt.Errorf("%w: %d bytes", ErrPartialShortChannelID, len(body))
	}
	ids := make([]ShortChannelID, 0, len(body)/8)
	for i := 0; i < len(body); i += 8 {
		ids = append(ids, NewShortChannelIDFromUint64(binary.BigEndian.Uint64(body[i:])))
	}
	return ids, nil
}
