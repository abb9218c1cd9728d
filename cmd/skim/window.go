package main

import (
	"flag"
	"time"

	"github.com/skimdata/skim/config"
	"github.com/skimdata/skim/proxy/ledger"
)

// ledgerWindow is the part of `skim report` and `skim advise` that says
// which ledger to read and which period of it.
type ledgerWindow struct {
	source, configFile, since, until string
}

// register adds --ledger, --config, --since and --until, since defaulting
// to defaultSince.
func (w *ledgerWindow) register(fs *flag.FlagSet, defaultSince string) {
	fs.StringVar(&w.source, "ledger", "", "the ledger: a JSON-lines file or a postgres:// URL (default: the configuration's ledger.file or ledger.postgres)")
	fs.StringVar(&w.configFile, "config", "", "skim configuration file, whose ledger is read when --ledger is absent")
	fs.StringVar(&w.since, "since", defaultSince, "start (inclusive): a duration back from now, a date or an RFC 3339 time")
	fs.StringVar(&w.until, "until", "now", "end (exclusive): a duration back from now, a date or an RFC 3339 time")
}

// resolve returns the ledger to read, the period, and the configuration
// when --config was given (nil otherwise). Mistakes are usage errors that
// name the command.
func (w *ledgerWindow) resolve(command string, now time.Time) (string, ledger.Span, *config.Config, error) {
	from, err := parseWhen(w.since, now)
	if err != nil {
		return "", ledger.Span{}, nil, usagef("%s: --since %v", command, err)
	}
	to, err := parseWhen(w.until, now)
	if err != nil {
		return "", ledger.Span{}, nil, usagef("%s: --until %v", command, err)
	}
	if !from.Before(to) {
		return "", ledger.Span{}, nil, usagef("%s: --since (%s) is not before --until (%s)", command, from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	var cfg *config.Config
	source := w.source
	if w.configFile != "" {
		if cfg, err = config.Load(w.configFile); err != nil {
			return "", ledger.Span{}, nil, usagef("%v", err)
		}
		if source == "" {
			source = cfg.Ledger.Target()
		}
	}
	if source == "" {
		return "", ledger.Span{}, nil, usagef("%s: no ledger: pass --ledger FILE (the file skim serve's --ledger writes), --ledger postgres://... or a --config with ledger.file or ledger.postgres", command)
	}
	return source, ledger.Span{From: from, To: to}, cfg, nil
}
