package rewrite

import (
	"fmt"
	"sort"
)

// Edit replaces the bytes [Start, End) of a statement's text with Text; an
// insertion has Start == End. Rewrites are lists of edits on the client's
// own text, so everything they do not touch survives byte for byte.
type Edit struct {
	Start, End int
	Text       string
}

// Splice applies edits to text. Edits must lie within text and must not
// overlap; insertions at the same offset keep their order.
func Splice(text string, edits []Edit) (string, error) {
	if len(edits) == 0 {
		return text, nil
	}
	sorted := make([]Edit, len(edits))
	copy(sorted, edits)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	size := len(text)
	prev := 0
	for _, e := range sorted {
		if e.Start < prev || e.End < e.Start || e.End > len(text) {
			return "", fmt.Errorf("splice: edit [%d,%d) overlaps an earlier edit or lies outside the %d-byte statement", e.Start, e.End, len(text))
		}
		prev = e.End
		size += len(e.Text) - (e.End - e.Start)
	}
	out := make([]byte, 0, size)
	at := 0
	for _, e := range sorted {
		out = append(out, text[at:e.Start]...)
		out = append(out, e.Text...)
		at = e.End
	}
	out = append(out, text[at:]...)
	return string(out), nil
}
