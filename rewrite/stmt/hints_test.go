package stmt

import (
	"reflect"
	"testing"
)

func TestCommentHints(t *testing.T) {
	tests := []struct {
		comment string
		want    []Hint
	}{
		{"/* skim:off */", []Hint{{Name: "off", Span: Span{13, 21}}}},
		{"-- skim:seed=42, skim:OFF", []Hint{{Name: "seed", Value: "42", Span: Span{13, 25}}, {Name: "off", Span: Span{27, 35}}}},
		{"/*skim:sample=5*/", []Hint{{Name: "sample", Value: "5", Span: Span{12, 25}}}},
		{"/* noskim:off skim: */", nil},
		{"# plain comment", nil},
	}
	for _, tt := range tests {
		got := CommentHints(tt.comment, 10)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("CommentHints(%q) = %+v, want %+v", tt.comment, got, tt.want)
		}
	}
}

func TestStatementHint(t *testing.T) {
	st := &Statement{Hints: []Hint{{Name: "seed", Value: "7"}, {Name: "off"}, {Name: "seed", Value: "9"}}}
	tests := []struct {
		name    string
		value   string
		present bool
	}{
		{"seed", "7", true},
		{"off", "", true},
		{"sample", "", false},
	}
	for _, tt := range tests {
		v, ok := st.Hint(tt.name)
		if v != tt.value || ok != tt.present {
			t.Errorf("Hint(%q) = %q, %v; want %q, %v", tt.name, v, ok, tt.value, tt.present)
		}
		if has := st.HasHint(tt.name); has != tt.present {
			t.Errorf("HasHint(%q) = %v, want %v", tt.name, has, tt.present)
		}
	}
}
