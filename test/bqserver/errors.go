package bqserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/jackc/pgx/v5/pgconn"
)

// apiError is an error as BigQuery reports it: an HTTP status and the
// reason and message of its error object. The same error is a failed
// job's status.errorResult.
type apiError struct {
	code    int
	reason  string
	message string
	// location is what the error is about, e.g. "query"; optional.
	location string
}

func (e *apiError) Error() string { return e.reason + ": " + e.message }

func invalidQuery(message string) *apiError {
	return &apiError{code: http.StatusBadRequest, reason: "invalidQuery", message: message, location: "query"}
}

func invalid(message string) *apiError {
	return &apiError{code: http.StatusBadRequest, reason: "invalid", message: message}
}

func notFound(message string) *apiError {
	return &apiError{code: http.StatusNotFound, reason: "notFound", message: "Not found: " + message}
}

func internalError(err error) *apiError {
	return &apiError{code: http.StatusInternalServerError, reason: "internalError", message: err.Error()}
}

// status is the google.rpc code name BigQuery sends with each HTTP status.
func (e *apiError) status() string {
	switch e.code {
	case http.StatusBadRequest:
		return "INVALID_ARGUMENT"
	case http.StatusForbidden:
		return "PERMISSION_DENIED"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusConflict:
		return "ALREADY_EXISTS"
	default:
		return "INTERNAL"
	}
}

// errorProto is an ErrorProto: a job's errorResult, an element of its
// errors and of an error response's errors.
type errorProto struct {
	Reason   string `json:"reason"`
	Location string `json:"location,omitempty"`
	Message  string `json:"message"`
	Domain   string `json:"domain,omitempty"`
}

func (e *apiError) proto() *errorProto {
	return &errorProto{Reason: e.reason, Location: e.location, Message: e.message}
}

// writeError sends e as BigQuery's JSON error response.
func writeError(w http.ResponseWriter, e *apiError) {
	item := e.proto()
	item.Domain = "global"
	writeJSON(w, e.code, map[string]any{"error": map[string]any{
		"code":    e.code,
		"message": e.message,
		"status":  e.status(),
		"errors":  []*errorProto{item},
	}})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		code = http.StatusInternalServerError
		body = []byte(`{"error":{"code":500,"message":"encode the response","status":"INTERNAL","errors":[{"reason":"internalError","domain":"global","message":"encode the response"}]}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_, _ = w.Write(body) // the client has gone; nothing to do
}

var (
	missingRelation = regexp.MustCompile(`^relation "([^"]+)" does not exist`)
	missingSchema   = regexp.MustCompile(`^schema "([^"]+)" does not exist`)
)

// toAPIError maps an error of translating or running a statement to the
// BigQuery error of the same kind: a missing table or dataset is notFound
// (404), any other error PostgreSQL reports about the statement is
// invalidQuery (400), a cancelled statement is stopped, and anything else
// (a lost connection, a bug) is internalError (500).
func toAPIError(err error, project string) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		if errors.Is(err, context.Canceled) {
			return stopped()
		}
		return internalError(err)
	}
	switch class := pgErr.Code[:2]; {
	case pgErr.Code == "42P01":
		if m := missingRelation.FindStringSubmatch(pgErr.Message); m != nil {
			return notFound(fmt.Sprintf("Table %s:%s was not found in location US", project, m[1]))
		}
		return notFound(pgErr.Message)
	case pgErr.Code == "3F000":
		if m := missingSchema.FindStringSubmatch(pgErr.Message); m != nil {
			return notFound(fmt.Sprintf("Dataset %s:%s was not found in location US", project, m[1]))
		}
		return notFound(pgErr.Message)
	case pgErr.Code == "57014":
		return stopped()
	case pgErr.Code == "42501":
		return &apiError{code: http.StatusForbidden, reason: "accessDenied", message: "Access Denied: " + pgErr.Message}
	case class == "0A" || class == "21" || class == "22" || class == "23" || class == "25" || class == "2B" || class == "42" || class == "44":
		msg := pgErr.Message
		if pgErr.Detail != "" {
			msg += " (" + pgErr.Detail + ")"
		}
		return invalidQuery(fmt.Sprintf("%s [PostgreSQL SQLSTATE %s]", msg, pgErr.Code))
	default:
		return internalError(fmt.Errorf("PostgreSQL: %w", err))
	}
}

// stopped is the error of a cancelled job.
func stopped() *apiError {
	return &apiError{code: http.StatusBadRequest, reason: "stopped", message: "Job execution was cancelled: User requested cancellation"}
}
