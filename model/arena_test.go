package model

import "testing"

// The arena hands out zeroed, 64-byte aligned, disjoint pieces, and nil
// once it is spent.
func TestArena(t *testing.T) {
	a := newArena(100)
	defer a.release()
	p := a.alloc(30)
	q := a.alloc(40)
	if len(p) != 30 || len(q) != 40 || cap(p) != 30 {
		t.Fatalf("alloc gave %d and %d floats (cap %d), want 30 and 40", len(p), len(q), cap(p))
	}
	if a.used != 32+40 {
		t.Errorf("the second piece ends at %d, want 72: pieces start at 64-byte boundaries", a.used)
	}
	for _, v := range append(p, q...) {
		if v != 0 {
			t.Fatalf("a piece is not zeroed")
		}
	}
	for i := range p {
		p[i] = 1
	}
	for _, v := range q {
		if v != 0 {
			t.Fatalf("pieces overlap")
		}
	}
	if r := a.alloc(len(a.mem)); r != nil {
		t.Errorf("alloc past the end gave %d floats, want nil", len(r))
	}
}
