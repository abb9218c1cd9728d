package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestServeUsage(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"nothing to serve", []string{"serve"}, "nothing to serve"},
		{"half of TLS", []string{"serve", "--trino-upstream", "http://127.0.0.1:1", "--catalog", exampleCatalog, "--tls-cert", "c.pem"}, "--tls-cert and --tls-key go together"},
		{"bad catalog", []string{"serve", "--trino-upstream", "http://127.0.0.1:1", "--catalog", "missing.yaml"}, "missing.yaml"},
		{"bad byte cap", []string{"serve", "--bigquery-listen", "127.0.0.1:0", "--bigquery-max-bytes-billed", "lots"}, "not a size"},
		{"stray argument", []string{"serve", "now"}, "unexpected arguments"},
		{"bad config", []string{"serve", "--config", "missing-skim.yaml"}, "missing-skim.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, strings.NewReader(""), &stdout, &stderr); code != exitUsage {
				t.Errorf("exit %d, want %d; stderr: %s", code, exitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr lacks %q: %s", tt.wantErr, stderr.String())
			}
		})
	}
}
