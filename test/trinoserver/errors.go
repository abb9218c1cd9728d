package trinoserver

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// errorCode is a Trino StandardErrorCode; its number, name and type are
// what Trino puts in a failed query's error object.
type errorCode int

// The Trino error codes this server reports.
const (
	genericUserError      errorCode = 0
	syntaxError           errorCode = 1
	userCanceled          errorCode = 3
	notFound              errorCode = 5
	functionNotFound      errorCode = 6
	divisionByZero        errorCode = 8
	notInTransaction      errorCode = 21
	incompatibleClient    errorCode = 27
	schemaNotFound        errorCode = 45
	tableNotFound         errorCode = 46
	columnNotFound        errorCode = 47
	tableAlreadyExists    errorCode = 50
	missingCatalogName    errorCode = 56
	invalidParameterUsage errorCode = 80
	genericInternalError  errorCode = 65536
)

// String is the error name, e.g. TABLE_NOT_FOUND.
func (c errorCode) String() string {
	switch c {
	case genericUserError:
		return "GENERIC_USER_ERROR"
	case syntaxError:
		return "SYNTAX_ERROR"
	case userCanceled:
		return "USER_CANCELED"
	case notFound:
		return "NOT_FOUND"
	case functionNotFound:
		return "FUNCTION_NOT_FOUND"
	case divisionByZero:
		return "DIVISION_BY_ZERO"
	case notInTransaction:
		return "NOT_IN_TRANSACTION"
	case incompatibleClient:
		return "INCOMPATIBLE_CLIENT"
	case schemaNotFound:
		return "SCHEMA_NOT_FOUND"
	case tableNotFound:
		return "TABLE_NOT_FOUND"
	case columnNotFound:
		return "COLUMN_NOT_FOUND"
	case tableAlreadyExists:
		return "TABLE_ALREADY_EXISTS"
	case missingCatalogName:
		return "MISSING_CATALOG_NAME"
	case invalidParameterUsage:
		return "INVALID_PARAMETER_USAGE"
	default:
		return "GENERIC_INTERNAL_ERROR"
	}
}

// errorType is Trino's ErrorType: codes below 0x10000 are the user's fault.
func (c errorCode) errorType() string {
	if c < genericInternalError {
		return "USER_ERROR"
	}
	return "INTERNAL_ERROR"
}

// failure is an error a query reports to its client.
type failure struct {
	code    errorCode
	message string
}

func (f *failure) Error() string { return f.code.String() + ": " + f.message }

func fail(code errorCode, message string) *failure {
	return &failure{code: code, message: message}
}

// toFailure maps an execution error to what Trino would report: the
// SQLSTATE of a PostgreSQL error picks the Trino error code.
func toFailure(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	if errors.Is(err, context.Canceled) {
		return fail(userCanceled, "Query was canceled")
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return fail(genericInternalError, err.Error())
	}
	code := genericInternalError
	switch pgErr.Code {
	case "42P01":
		code = tableNotFound
	case "42703":
		code = columnNotFound
	case "42601":
		code = syntaxError
	case "57014":
		code = userCanceled
	case "42883":
		code = functionNotFound
	case "22012":
		code = divisionByZero
	case "3F000":
		code = schemaNotFound
	case "42P07":
		code = tableAlreadyExists
	}
	return fail(code, pgErr.Message)
}

// queryError is the JSON error object of a failed query.
type queryError struct {
	Message     string      `json:"message"`
	ErrorCode   int         `json:"errorCode"`
	ErrorName   string      `json:"errorName"`
	ErrorType   string      `json:"errorType"`
	FailureInfo failureInfo `json:"failureInfo"`
}

type failureInfo struct {
	Type       string   `json:"type"`
	Message    string   `json:"message"`
	Suppressed []string `json:"suppressed"`
	Stack      []string `json:"stack"`
}

func (f *failure) json() *queryError {
	return &queryError{
		Message:   f.message,
		ErrorCode: int(f.code),
		ErrorName: f.code.String(),
		ErrorType: f.code.errorType(),
		FailureInfo: failureInfo{
			Type:       "io.trino.spi.TrinoException",
			Message:    f.message,
			Suppressed: []string{},
			Stack:      []string{},
		},
	}
}
