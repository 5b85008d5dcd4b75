package tflite

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math"
	"strings"
)

// This file writes .tflite files for tests: a minimal flatbuffer writer and
// the tables of the schema that Parse reads.

// fbObj is a flatbuffer table to write; field i has field id i.
type fbObj []fbField

// fbField is one field of a table: an inline scalar, an offset to a child
// object, or, when zero, absent. A child is an fbObj, a []fbObj (vector of
// tables), a string, or a []byte, []int32, []int64 or []float32 vector.
type fbField struct {
	size  int    // bytes of an inline scalar
	bits  uint64 // its little-endian value
	child any
}

func fbU8(v uint8) fbField   { return fbField{size: 1, bits: uint64(v)} }
func fbI32(v int) fbField    { return fbField{size: 4, bits: uint64(uint32(int32(v)))} }
func fbU32(v int) fbField    { return fbField{size: 4, bits: uint64(uint32(v))} }
func fbU64(v uint64) fbField { return fbField{size: 8, bits: v} }
func fbF32(v float32) fbField {
	return fbField{size: 4, bits: uint64(math.Float32bits(v))}
}
func fbRef(child any) fbField { return fbField{child: child} }

// fbRepeat is a vector of n offsets to one table t, as a hostile file may
// share a table.
type fbRepeat struct {
	n int
	t fbObj
}

// fbRawTable is a malformed table for corruption tests: a vtable of vtSize
// bytes (else 4 + 2*len(fields)) holding fields, for a table of 8 bytes
// whose offset to its vtable is soffset (else the true one).
type fbRawTable struct {
	vtSize  int
	fields  []uint16
	soffset int32
}

// fbWriter lays objects out front to back: a table is written before the
// objects it points to, so that every unsigned offset points forward.
type fbWriter struct{ b []byte }

// fbFile returns a flatbuffer with root table root and identifier "TFL3".
func fbFile(root fbObj) []byte {
	w := &fbWriter{b: make([]byte, 8)}
	copy(w.b[4:], "TFL3")
	w.patch(0, w.table(root))
	return w.b
}

func (w *fbWriter) align(n int) {
	for len(w.b)%n != 0 {
		w.b = append(w.b, 0)
	}
}

// patch sets the unsigned offset at pos to point to target.
func (w *fbWriter) patch(pos, target int) { le.PutUint32(w.b[pos:], uint32(target-pos)) }

func (w *fbWriter) table(t fbObj) int {
	// The vtable goes first, so the table's offset to it is positive.
	w.align(2)
	vt := len(w.b)
	offs := make([]int, len(t))
	size := 4
	for i, f := range t {
		if f.child != nil {
			f.size = 4
		}
		if f.size > 0 {
			offs[i] = size
			size += f.size
		}
	}
	w.b = le.AppendUint16(w.b, uint16(4+2*len(t)))
	w.b = le.AppendUint16(w.b, uint16(size))
	for _, o := range offs {
		w.b = le.AppendUint16(w.b, uint16(o))
	}
	w.align(4)
	pos := len(w.b)
	w.b = le.AppendUint32(w.b, uint32(pos-vt))
	for _, f := range t {
		if f.child != nil {
			w.b = le.AppendUint32(w.b, 0)
			continue
		}
		for i := range f.size {
			w.b = append(w.b, byte(f.bits>>(8*i)))
		}
	}
	for i, f := range t {
		if f.child != nil {
			w.patch(pos+offs[i], w.object(f.child))
		}
	}
	return pos
}

func (w *fbWriter) object(x any) int {
	switch v := x.(type) {
	case fbObj:
		return w.table(v)
	case fbRawTable:
		w.align(2)
		vt := len(w.b)
		if v.vtSize == 0 {
			v.vtSize = 4 + 2*len(v.fields)
		}
		w.b = le.AppendUint16(w.b, uint16(v.vtSize))
		w.b = le.AppendUint16(w.b, 8)
		for _, f := range v.fields {
			w.b = le.AppendUint16(w.b, f)
		}
		w.align(4)
		pos := len(w.b)
		if v.soffset == 0 {
			v.soffset = int32(pos - vt)
		}
		w.b = le.AppendUint32(w.b, uint32(v.soffset))
		w.b = le.AppendUint32(w.b, 0)
		return pos
	}
	w.align(4)
	pos := len(w.b)
	switch v := x.(type) {
	case fbRepeat:
		w.b = le.AppendUint32(w.b, uint32(v.n))
		w.b = append(w.b, make([]byte, 4*v.n)...)
		t := w.table(v.t)
		for i := range v.n {
			w.patch(pos+4+4*i, t)
		}
	case []fbObj:
		w.b = le.AppendUint32(w.b, uint32(len(v)))
		w.b = append(w.b, make([]byte, 4*len(v))...)
		for i, t := range v {
			w.patch(pos+4+4*i, w.table(t))
		}
	case string:
		w.b = le.AppendUint32(w.b, uint32(len(v)))
		w.b = append(append(w.b, v...), 0)
	case []byte:
		w.b = le.AppendUint32(w.b, uint32(len(v)))
		w.b = append(w.b, v...)
	case []int32:
		w.b = le.AppendUint32(w.b, uint32(len(v)))
		for _, e := range v {
			w.b = le.AppendUint32(w.b, uint32(e))
		}
	case []int64:
		w.b = le.AppendUint32(w.b, uint32(len(v)))
		for _, e := range v {
			w.b = le.AppendUint64(w.b, uint64(e))
		}
	case []float32:
		w.b = le.AppendUint32(w.b, uint32(len(v)))
		for _, e := range v {
			w.b = le.AppendUint32(w.b, math.Float32bits(e))
		}
	default:
		panic(fmt.Sprintf("fbWriter: cannot write a %T", x))
	}
	return pos
}

// Write returns a .tflite file holding m as subgraph 0, with labels
// zipped and appended when not nil. Every field that Parse reads
// round-trips: operator codes are collected from the ops (a CUSTOM op's
// Name is its custom code), each tensor with Data gets a buffer, and the
// options of each op are written as given, so a conv or depthwise op needs
// DilationW and DilationH set to 1.
func Write(m *Model, labels []string) []byte {
	b := fbFile(tfliteObj(m, -1))
	return appendLabels(b, labels)
}

// WriteExternal is Write with the constant data stored outside
// the flatbuffer, after it, as converters do for models over 2 GB.
func WriteExternal(m *Model, labels []string) []byte {
	// The buffer tables hold the data's file offsets, so lay the flatbuffer
	// out once to learn its size; offsets do not change that size.
	base := len(fbFile(tfliteObj(m, 0)))
	base = (base + 15) &^ 15
	b := fbFile(tfliteObj(m, base))
	b = append(b, make([]byte, base-len(b))...)
	for _, t := range m.Tensors {
		if t.Data != nil {
			b = append(b, t.Data...)
		}
	}
	return appendLabels(b, labels)
}

// tfliteObj returns the Model table of m. With external < 0 the constant
// data goes inside the buffer tables, else it is referenced at file offset
// external onwards.
func tfliteObj(m *Model, external int) fbObj {
	buffers := []fbObj{{}} // buffer 0 is the empty one
	var tensors []fbObj
	for _, t := range m.Tensors {
		buffer := 0
		if t.Data != nil {
			buffer = len(buffers)
			if external < 0 {
				buffers = append(buffers, fbObj{fbRef(t.Data)})
			} else {
				buffers = append(buffers, fbObj{{}, fbU64(uint64(external)), fbU64(uint64(len(t.Data)))})
				external += len(t.Data)
			}
		}
		tensor := fbObj{fbRef(int32s(t.Shape)), fbU8(uint8(t.Type)), fbU32(buffer), fbRef(t.Name), {}}
		if t.Scale != nil || t.ZeroPoint != nil || t.QuantDim != 0 {
			q := fbObj{{}, {}, fbRef(t.Scale), fbRef(t.ZeroPoint), {}, {}, fbI32(t.QuantDim)}
			if t.Scale == nil {
				q[2] = fbField{}
			}
			if t.ZeroPoint == nil {
				q[3] = fbField{}
			}
			tensor[4] = fbRef(q)
		}
		tensors = append(tensors, tensor)
	}

	type opcode struct {
		code   int32
		custom string
	}
	var codes []fbObj
	index := map[opcode]int{}
	var ops []fbObj
	for _, o := range m.Ops {
		key := opcode{code: o.Code}
		if o.Code == OpCustom {
			key.custom = o.Name
		}
		i, ok := index[key]
		if !ok {
			i = len(codes)
			index[key] = i
			code := fbObj{fbU8(uint8(min(o.Code, 127))), {}, fbI32(1), fbI32(int(o.Code))}
			if o.Code == OpCustom {
				code[1] = fbRef(o.Name)
			}
			codes = append(codes, code)
		}
		op := fbObj{fbU32(i), fbRef(int32s(o.Inputs)), fbRef(int32s(o.Outputs))}
		if typ, opts := optionsObj(o); opts != nil {
			op = append(op, fbU8(typ), fbRef(opts))
		}
		ops = append(ops, op)
	}

	subgraph := fbObj{fbRef(tensors), fbRef(int32s(m.Inputs)), fbRef(int32s(m.Outputs)), fbRef(ops), fbRef("main")}
	return fbObj{fbU32(int(m.Version)), fbRef(codes), fbRef([]fbObj{subgraph}), fbRef(m.Description), fbRef(buffers)}
}

// optionsObj returns the builtin options of o, the fields in schema order.
func optionsObj(o Op) (uint8, fbObj) {
	switch o.Code {
	case OpConv2D:
		return optConv2D, fbObj{fbU8(uint8(o.Padding)), fbI32(o.StrideW), fbI32(o.StrideH), fbU8(uint8(o.Activation)),
			fbI32(o.DilationW), fbI32(o.DilationH)}
	case OpDepthwiseConv2D:
		return optDepthwiseConv2D, fbObj{fbU8(uint8(o.Padding)), fbI32(o.StrideW), fbI32(o.StrideH), fbI32(o.DepthMultiplier),
			fbU8(uint8(o.Activation)), fbI32(o.DilationW), fbI32(o.DilationH)}
	case OpAveragePool2D:
		return optPool2D, fbObj{fbU8(uint8(o.Padding)), fbI32(o.StrideW), fbI32(o.StrideH), fbI32(o.FilterW), fbI32(o.FilterH),
			fbU8(uint8(o.Activation))}
	case OpFullyConnected:
		return optFullyConnected, fbObj{fbU8(uint8(o.Activation)), fbU8(0)}
	case OpSoftmax:
		return optSoftmax, fbObj{fbF32(o.Beta)}
	case OpAdd:
		return optAdd, fbObj{fbU8(uint8(o.Activation))}
	case OpReshape:
		return optReshape, fbObj{}
	case OpMean:
		keep := uint8(0)
		if o.KeepDims {
			keep = 1
		}
		return optReducer, fbObj{fbU8(keep)}
	}
	return 0, nil
}

// int32s converts a list of ints, keeping nil as nil (an absent field).
func int32s(v []int) any {
	if v == nil {
		return nil
	}
	s := make([]int32, len(v))
	for i, e := range v {
		s[i] = int32(e)
	}
	return s
}

// appendLabels appends a zip archive holding labels.txt, as TFLite metadata
// does.
func appendLabels(b []byte, labels []string) []byte {
	if labels == nil {
		return b
	}
	return appendZip(b, "labels.txt", strings.Join(labels, "\n")+"\n")
}

// appendZip appends a zip archive of files given as name, content pairs.
// Its offsets count from the start of the whole file.
func appendZip(b []byte, files ...string) []byte {
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	zw.SetOffset(int64(len(b)))
	for i := 0; i+1 < len(files); i += 2 {
		f, err := zw.Create(files[i])
		if err == nil {
			_, err = f.Write([]byte(files[i+1]))
		}
		if err != nil {
			panic(err) // writing to memory cannot fail
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return append(b, z.Bytes()...)
}
