package ledger

import "testing"

func i64(n int64) *int64 { return &n }

func TestCost(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
		want int64
	}{
		{"billed wins", Record{Decision: "rewrite", EstimatedBytesAfter: 1, BytesProcessed: i64(2), BytesBilled: i64(3)}, 3},
		{"then processed", Record{Decision: "rewrite", EstimatedBytesAfter: 1, BytesProcessed: i64(2)}, 2},
		{"rewrite estimate", Record{Decision: "rewrite", EstimatedBytesBefore: 9, EstimatedBytesAfter: 1}, 1},
		{"passthrough estimate", Record{Decision: "passthrough", EstimatedBytesBefore: 9, EstimatedBytesAfter: 9}, 9},
		{"advise runs the original", Record{Decision: "advise", EstimatedBytesBefore: 9, EstimatedBytesAfter: 1}, 9},
		{"billed zero is a figure", Record{Decision: "passthrough", EstimatedBytesBefore: 9, BytesBilled: i64(0)}, 0},
		{"reject scans nothing", Record{Decision: "reject", EstimatedBytesBefore: 9, BytesProcessed: i64(2)}, 0},
	}
	for _, tt := range tests {
		if got := tt.rec.Cost(); got != tt.want {
			t.Errorf("%s: Cost = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestProcessed(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
		want int64
	}{
		{"processed wins", Record{Decision: "rewrite", EstimatedBytesAfter: 1, BytesProcessed: i64(2), BytesBilled: i64(3)}, 2},
		{"then billed", Record{Decision: "rewrite", EstimatedBytesAfter: 1, BytesBilled: i64(3)}, 3},
		{"rewrite estimate", Record{Decision: "rewrite", EstimatedBytesBefore: 9, EstimatedBytesAfter: 1}, 1},
		{"passthrough estimate", Record{Decision: "passthrough", EstimatedBytesBefore: 9, EstimatedBytesAfter: 9}, 9},
		{"advise runs the original", Record{Decision: "advise", EstimatedBytesBefore: 9, EstimatedBytesAfter: 1}, 9},
		{"processed zero is a figure", Record{Decision: "passthrough", EstimatedBytesBefore: 9, BytesProcessed: i64(0), BytesBilled: i64(3)}, 0},
		{"reject scans nothing", Record{Decision: "reject", EstimatedBytesBefore: 9, BytesProcessed: i64(2), BytesBilled: i64(3)}, 0},
	}
	for _, tt := range tests {
		if got := tt.rec.Processed(); got != tt.want {
			t.Errorf("%s: Processed = %d, want %d", tt.name, got, tt.want)
		}
	}
}
