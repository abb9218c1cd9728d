package main

import (
	"reflect"
	"testing"
)

func TestDiffLines(t *testing.T) {
	tests := []struct {
		a, b string
		want []string
	}{
		{"a\nb\nc", "a\nb\nc", []string{" a", " b", " c"}},
		{"a\nb\nc", "a\nB\nc", []string{" a", "-b", "+B", " c"}},
		{"a\nc", "a\nb\nc\n", []string{" a", "+b", " c"}},
		{"a\nb", "b", []string{"-a", " b"}},
	}
	for _, tt := range tests {
		if got := diffLines(tt.a, tt.b); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("diffLines(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}
