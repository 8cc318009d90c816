package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// Row kinds of spec.csv. Apart from "bolt", they follow the layout of the
// BOLTs' own tools/extract-formats.py:
//
//	bolt,<file>,<sha256 of file>          starts the rows taken from one file
//	msgtype,<msg>,<type>[,<option>]
//	msgdata,<msg>,<field>,<type>,<count>
//	tlvtype,<stream>,<record>,<type>
//	tlvdata,<stream>,<record>,<field>,<type>,<count>
//	subtype,<subtype>
//	subtypedata,<subtype>,<field>,<type>,<count>
//
// <count> is empty for a single value, a number for a fixed-size array, the
// name of an earlier field holding the length, or "..." for "the rest".
const (
	rowBolt        = "bolt"
	rowMsgType     = "msgtype"
	rowMsgData     = "msgdata"
	rowTLVType     = "tlvtype"
	rowTLVData     = "tlvdata"
	rowSubtype     = "subtype"
	rowSubtypeData = "subtypedata"
)

const csvHeader = `# Wire formats of BOLT 1, 2 and 7, extracted from the BOLT markdown by
# tools/wiregen. Do not edit: run "go generate ./lnwire/...".
`

// writeCSV renders rows as spec.csv.
func writeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(csvHeader)
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Field is one field of a message, TLV record or subtype.
type Field struct {
	Name  string
	Type  string
	Count string
}

// Message is one message definition.
type Message struct {
	Name   string
	Type   uint16
	Option string
	Source string // file the definition came from
	Fields []Field
}

// Record is one record type of a TLV stream.
type Record struct {
	Name   string
	Type   uint64
	Fields []Field
}

// Stream is one tlv_stream.
type Stream struct {
	Name    string
	Source  string
	Records []*Record
}

// Subtype is a composite type used as the element of arrays.
type Subtype struct {
	Name   string
	Source string
	Fields []Field
}

// Spec is everything spec.csv defines, in file order.
type Spec struct {
	Sources  []string // "file sha256"
	Messages []*Message
	Streams  []*Stream
	Subtypes []*Subtype
}

func (s *Spec) message(name string) *Message {
	for _, m := range s.Messages {
		if m.Name == name {
			return m
		}
	}
	return nil
}

func (s *Spec) stream(name string) *Stream {
	for _, t := range s.Streams {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func (s *Spec) subtype(name string) *Subtype {
	for _, t := range s.Subtypes {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// readSpec parses spec.csv.
func readSpec(r io.Reader) (*Spec, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	spec := &Spec{}
	source := ""
	for i, row := range rows {
		if err := spec.add(row, &source); err != nil {
			return nil, fmt.Errorf("spec row %d %q: %w", i+1, row, err)
		}
	}
	return spec, nil
}

func (s *Spec) add(row []string, source *string) error {
	want := map[string][]int{
		rowBolt: {3}, rowMsgType: {3, 4}, rowMsgData: {5}, rowTLVType: {4},
		rowTLVData: {6}, rowSubtype: {2}, rowSubtypeData: {5},
	}[row[0]]
	if want == nil {
		return fmt.Errorf("unknown row kind")
	}
	if len(row) != want[0] && (len(want) == 1 || len(row) != want[1]) {
		return fmt.Errorf("want %v columns", want)
	}
	switch row[0] {
	case rowBolt:
		*source = row[1]
		s.Sources = append(s.Sources, row[1]+" "+row[2])
	case rowMsgType:
		typ, err := strconv.ParseUint(row[2], 10, 16)
		if err != nil {
			return err
		}
		if s.message(row[1]) != nil {
			return fmt.Errorf("message %s defined twice", row[1])
		}
		m := &Message{Name: row[1], Type: uint16(typ), Source: *source}
		if len(row) == 4 {
			m.Option = row[3]
		}
		s.Messages = append(s.Messages, m)
	case rowMsgData:
		m := s.message(row[1])
		if m == nil {
			return fmt.Errorf("data for undefined message")
		}
		m.Fields = append(m.Fields, Field{row[2], row[3], row[4]})
	case rowTLVType:
		typ, err := strconv.ParseUint(row[3], 10, 64)
		if err != nil {
			return err
		}
		st := s.stream(row[1])
		if st == nil {
			st = &Stream{Name: row[1], Source: *source}
			s.Streams = append(s.Streams, st)
		}
		st.Records = append(st.Records, &Record{Name: row[2], Type: typ})
	case rowTLVData:
		st := s.stream(row[1])
		if st == nil || st.Records[len(st.Records)-1].Name != row[2] {
			return fmt.Errorf("data for a record that is not the last one defined")
		}
		rec := st.Records[len(st.Records)-1]
		rec.Fields = append(rec.Fields, Field{row[3], row[4], row[5]})
	case rowSubtype:
		if s.subtype(row[1]) != nil {
			return fmt.Errorf("subtype defined twice")
		}
		s.Subtypes = append(s.Subtypes, &Subtype{Name: row[1], Source: *source})
	case rowSubtypeData:
		st := s.subtype(row[1])
		if st == nil {
			return fmt.Errorf("data for undefined subtype")
		}
		st.Fields = append(st.Fields, Field{row[2], row[3], row[4]})
	}
	return nil
}
