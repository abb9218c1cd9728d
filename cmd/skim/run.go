package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usage = `skim rewrites expensive Trino and BigQuery statements into cheap, equally correct ones.

Usage:
  skim demo [flags]                try skim: a local Trino stand-in with demo data
  skim serve [flags]               run skim in front of Trino and/or BigQuery
  skim explain [flags] [SQL | -]   show what skim would do to a statement
  skim advise --ledger FILE        how consumers filter tables: partitioning and clustering advice
  skim report --ledger FILE        add up the ledger: statements, bytes and money saved
  skim check-config FILE           validate a configuration file and summarize it
  skim help                        show this help

Run 'skim COMMAND -h' for the flags of a command.
`

// usageError is a mistake in the command line; it exits with code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run executes one command line and returns the process exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	log := newLogger(stderr)
	defer func() { _ = log.Sync() }()
	var err error
	switch args[0] {
	case "explain":
		err = explain(args[1:], stdin, stdout, stderr, log)
	case "serve":
		err = serve(args[1:], stderr)
	case "advise":
		err = adviseCommand(context.Background(), args[1:], stdout, stderr, log)
	case "report":
		err = reportCommand(context.Background(), args[1:], stdout, stderr)
	case "demo":
		err = demo(context.Background(), args[1:], stdout, stderr)
	case "check-config":
		err = checkConfig(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		err = usagef("unknown command %q; run 'skim help' for the commands", args[0])
	}
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "skim: %v\n", err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "skim: %v\n", err)
		return exitFail
	}
}

// newLogger logs warnings and errors to stderr, for people.
func newLogger(w io.Writer) *zap.Logger {
	enc := zap.NewDevelopmentEncoderConfig()
	enc.TimeKey = ""
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.AddSync(w), zapcore.WarnLevel)
	return zap.New(core)
}
