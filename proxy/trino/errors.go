package trino

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
)

// queryError is a failure skim reports in Trino's own shape, so every
// client shows it the way it shows the engine's errors.
type queryError struct {
	Message   string `json:"message"`
	ErrorCode int    `json:"errorCode"`
	ErrorName string `json:"errorName"`
	ErrorType string `json:"errorType"`
}

// Error codes. QUERY_REJECTED and EXCEEDED_SCAN_LIMIT are Trino's own;
// skim's upstream failures use codes in EXTERNAL's range that Trino does
// not assign.
func rejected(reason string) queryError {
	return queryError{Message: "skim rejected the statement: " + reason, ErrorCode: 31, ErrorName: "QUERY_REJECTED", ErrorType: "USER_ERROR"}
}

func statementTooLarge(limit int64) queryError {
	return queryError{
		Message:   fmt.Sprintf("skim rejected the statement: it is larger than %s, the most skim accepts; send a shorter statement", catalog.FormatBytes(limit)),
		ErrorCode: 31, ErrorName: "QUERY_REJECTED", ErrorType: "USER_ERROR",
	}
}

func upstreamError(err error) queryError {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return queryError{
			Message:   "skim: the Trino coordinator did not answer in time: " + err.Error(),
			ErrorCode: 0x0300_5301, ErrorName: "SKIM_UPSTREAM_TIMEOUT", ErrorType: "EXTERNAL",
		}
	}
	return queryError{
		Message:   "skim: the Trino coordinator is unreachable; check that it runs and that --trino-upstream points at it: " + err.Error(),
		ErrorCode: 0x0300_5300, ErrorName: "SKIM_UPSTREAM_UNAVAILABLE", ErrorType: "EXTERNAL",
	}
}

// fail answers with a FAILED query: HTTP 200 with the fields clients
// require (id, infoUri, stats.state) and the error.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, qe queryError) {
	id := "skim_" + randomID()
	s.log.Warn("statement failed in skim", zap.String("error", qe.ErrorName), zap.String("message", qe.Message))
	body := map[string]any{
		"id":      id,
		"infoUri": s.publicBase(r) + "/ui/query.html?" + id,
		"stats": map[string]any{
			"state": "FAILED", "queued": false, "scheduled": false, "nodes": 0,
			"totalSplits": 0, "queuedSplits": 0, "runningSplits": 0, "completedSplits": 0,
			"cpuTimeMillis": 0, "wallTimeMillis": 0, "queuedTimeMillis": 0, "elapsedTimeMillis": 0,
			"processedRows": 0, "processedBytes": 0, "physicalInputBytes": 0, "peakMemoryBytes": 0, "spilledBytes": 0,
		},
		"error": map[string]any{
			"message": qe.Message, "errorCode": qe.ErrorCode, "errorName": qe.ErrorName, "errorType": qe.ErrorType,
			"failureInfo": map[string]any{"type": "io.trino.spi.TrinoException", "message": qe.Message, "suppressed": []any{}, "stack": []any{}},
		},
		"warnings": []any{},
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(body)
}
