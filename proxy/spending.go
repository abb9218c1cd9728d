package proxy

import (
	"strings"
	"sync"
	"time"
)

// Spending adds up the bytes each user scanned per UTC day, for daily
// budgets. Frontends share one, so a user's Trino and BigQuery statements
// count against the same budget.
type Spending struct {
	mu sync.Mutex
	// bytes is keyed by user + "\x00" + day.
	bytes map[string]int64
	day   string
}

// NewSpending returns an empty tally.
func NewSpending() *Spending {
	return &Spending{bytes: map[string]int64{}}
}

// Today is what user has scanned in the UTC day of now.
func (s *Spending) Today(user string, now time.Time) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes[dayKey(user, now)]
}

// Add counts bytes user scanned at t. Days before the newest one seen
// are forgotten, so the tally never grows past a day's users.
func (s *Spending) Add(user string, t time.Time, bytes int64) {
	if bytes <= 0 {
		return
	}
	day := t.UTC().Format(time.DateOnly)
	s.mu.Lock()
	defer s.mu.Unlock()
	if day > s.day {
		s.day = day
		for k := range s.bytes {
			if !strings.HasSuffix(k, "\x00"+day) {
				delete(s.bytes, k)
			}
		}
	}
	if day < s.day {
		return
	}
	s.bytes[user+"\x00"+day] += bytes
}

func dayKey(user string, t time.Time) string {
	return user + "\x00" + t.UTC().Format(time.DateOnly)
}
