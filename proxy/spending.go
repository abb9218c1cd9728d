package proxy

import (
	"sync"
	"time"
)

// Spending adds up the bytes each user scanned in the current UTC day,
// for daily budgets. Frontends share one, so a user's Trino and BigQuery
// statements count against the same budget.
type Spending struct {
	mu sync.Mutex
	// day is the newest UTC day seen; bytes are each user's scans in it.
	day   string
	bytes map[string]int64
}

// NewSpending returns an empty tally.
func NewSpending() *Spending {
	return &Spending{bytes: map[string]int64{}}
}

// Today is what user has scanned in the UTC day of now.
func (s *Spending) Today(user string, now time.Time) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if utcDay(now) != s.day {
		return 0
	}
	return s.bytes[user]
}

// Add counts bytes user scanned at t. A new day starts the tally afresh,
// so it never holds more than a day's users; scans of past days are not
// counted.
func (s *Spending) Add(user string, t time.Time, bytes int64) {
	if bytes <= 0 {
		return
	}
	day := utcDay(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case day > s.day:
		s.day = day
		clear(s.bytes)
	case day < s.day:
		return
	}
	s.bytes[user] += bytes
}

func utcDay(t time.Time) string {
	return t.UTC().Format(time.DateOnly)
}
