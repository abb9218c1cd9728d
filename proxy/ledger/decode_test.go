package ledger

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestDecode checks the decoder against encoding/json, which wrote the
// records: every field, empty and null values, and fields it does not know.
func TestDecode(t *testing.T) {
	full, err := json.Marshal(fullRecord(time.Date(2026, 11, 25, 1, 2, 3, 456789000, time.UTC), 7))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		line    string
		wantErr bool
	}{
		{"every field", string(full), false},
		{"the fewest fields", `{"time":"2026-11-25T00:00:00Z","decision":"passthrough","estimated_bytes_before":0,"estimated_bytes_after":0,"bytes_saved":0,"money_saved":0,"latency_ms":0,"rewrite_ms":0}`, false},
		{"nulls", `{"time":"2026-11-25T00:00:00+01:00","decision":"rewrite","bytes_billed":null,"rows":null,"labels":null,"tables":null,"user":null}`, false},
		{"unknown fields", `{"time":"2026-11-25T00:00:00Z","decision":"rewrite","future":{"a":[1,2]},"rows":5}`, false},
		{"escapes", `{"time":"2026-11-25T00:00:00Z","decision":"rewrite","sql":"SELECT '\u00e9\n\"x\"'","labels":{"k\u0041":"v"}}`, false},
		{"not an object", `[1,2]`, true},
		{"a string for a number", `{"time":"2026-11-25T00:00:00Z","rows":"5"}`, true},
		{"a bad time", `{"time":"yesterday"}`, true},
		{"a number for a label", `{"labels":{"a":1}}`, true},
		{"truncated", `{"time":"2026-11-25T00:00:00Z","decision":"rew`, true},
	}
	var d decoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := d.decode([]byte(tt.line))
			var want Record
			wantErr := json.Unmarshal([]byte(tt.line), &want)
			if tt.wantErr {
				if err == nil {
					t.Errorf("decoded %+v, want an error", got)
				}
				return
			}
			if err != nil || wantErr != nil {
				t.Fatalf("decode: %v; encoding/json: %v", err, wantErr)
			}
			if !got.Time.Equal(want.Time) {
				t.Errorf("time %v, want %v", got.Time, want.Time)
			}
			got.Time, want.Time = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded\n %+v\nwant\n %+v", got, want)
			}
		})
	}
}

// FuzzDecode feeds the decoder whatever a damaged ledger line could hold:
// it must never panic, and decode the same line the same way every time.
func FuzzDecode(f *testing.F) {
	full, _ := json.Marshal(fullRecord(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), 1))
	f.Add(full)
	f.Add([]byte(`{"labels":{"a":"b"},"rows":null}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		var d decoder
		a, errA := d.decode(line)
		b, errB := d.decode(line)
		if (errA == nil) != (errB == nil) || !reflect.DeepEqual(a, b) {
			t.Fatalf("two decodes of %q differ", line)
		}
	})
}
