// Package postgres starts and stops a throwaway PostgreSQL server owned by
// the caller: the end-to-end tests run their Trino stand-in on it, and
// `skim demo` runs the demo on it. The server lives in its own directory,
// listens on 127.0.0.1 only, trusts every local connection and trades
// durability for speed (no fsync), so it must never hold data that matters.
package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
)

// ErrNotInstalled is wrapped by Start's error when initdb or postgres cannot
// be found, so callers can tell a machine without PostgreSQL from a failure.
var ErrNotInstalled = errors.New("PostgreSQL server binaries (initdb, postgres) not found; install them with: apt-get install -y postgresql")

// User is the superuser initdb creates; connections need no password.
const User = "skim"

// Options say where the server lives. The zero value is a fresh temporary
// directory and a free port.
type Options struct {
	// Dir is the data directory. Empty means a new temporary directory that
	// Stop removes. A directory that already holds a cluster is reused as it
	// is and kept on Stop; otherwise it must be empty or absent.
	Dir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free one.
	Port int
}

// Server is a running PostgreSQL server started by Start.
type Server struct {
	dir     string
	port    int
	removeD string // directory Stop removes; empty when the caller owns it
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the postmaster has exited
	log     *zap.Logger
	// postgres and cred are how start runs the server, kept for Resume.
	postgres string
	cred     *syscall.Credential

	stopOnce sync.Once
	stopErr  error
}

const (
	// readyTimeout bounds how long Start waits for the server to accept
	// connections; initdb plus startup take a few seconds on a slow disk.
	readyTimeout = 60 * time.Second
	// stopTimeout bounds the fast shutdown before the process group is killed.
	stopTimeout = 15 * time.Second
	logName     = "skim-postgres.log"
)

// Start initializes a cluster in opts.Dir (unless one is there already),
// starts postgres as a child process in its own process group and waits
// until it accepts connections. As root it runs initdb and postgres as the
// `postgres` system user, since PostgreSQL refuses to run as root. The
// caller must call Stop.
func Start(ctx context.Context, opts Options, log *zap.Logger) (*Server, error) {
	if log == nil {
		log = zap.NewNop()
	}
	initdb, postgres, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, owner, err := credential()
	if err != nil {
		return nil, err
	}

	s := &Server{dir: opts.Dir, log: log, postgres: postgres, cred: cred}
	if s.dir == "" {
		parent, err := os.MkdirTemp("", "skim-postgres-")
		if err != nil {
			return nil, fmt.Errorf("create a temporary directory for PostgreSQL: %w; check that $TMPDIR is writable", err)
		}
		s.removeD = parent
		s.dir = filepath.Join(parent, "data")
	}
	s.dir, err = filepath.Abs(s.dir)
	if err != nil {
		s.cleanup()
		return nil, fmt.Errorf("resolve PostgreSQL directory %q: %w", opts.Dir, err)
	}
	if err := s.prepareDir(ctx, initdb, cred, owner); err != nil {
		s.cleanup()
		return nil, err
	}

	// A port picked here can be taken before postgres binds it; then try
	// another one rather than fail the caller's test.
	const attempts = 3
	for attempt := 1; ; attempt++ {
		s.port = opts.Port
		if s.port == 0 {
			if s.port, err = freePort(); err != nil {
				s.cleanup()
				return nil, err
			}
		}
		err = s.start(ctx, postgres, cred)
		if err == nil {
			log.Info("postgres started", zap.String("dir", s.dir), zap.Int("port", s.port), zap.Int("pid", s.cmd.Process.Pid))
			return s, nil
		}
		s.kill()
		if opts.Port != 0 || attempt == attempts || !strings.Contains(s.logTail(), "could not bind") {
			s.cleanup()
			return nil, err
		}
		log.Warn("postgres could not bind its port, trying another", zap.Int("port", s.port))
	}
}

// DSN is the connection string of the server's postgres database as User.
func (s *Server) DSN() string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", User, s.port)
}

// Port is the TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// Dir is the data directory.
func (s *Server) Dir() string { return s.dir }

// Stop shuts the server down (fast shutdown: sessions are ended, nothing is
// waited for), kills its process group if it does not exit in time, and
// removes the temporary directory Start created. It is safe to call more
// than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopErr = s.shutdown()
		if err := s.cleanup(); err != nil && s.stopErr == nil {
			s.stopErr = err
		}
		s.log.Info("postgres stopped", zap.Int("port", s.port))
	})
	return s.stopErr
}

// Pause shuts the server down as Stop does but keeps its data directory and
// port, so that Resume can start the same cluster again: tests use the pair
// to see how a client lives through an outage. Pausing a server that is not
// running does nothing. Stop still ends a paused server for good.
func (s *Server) Pause() error {
	err := s.shutdown()
	s.log.Info("postgres paused", zap.Int("port", s.port))
	return err
}

// Resume starts a paused server again on its directory and port and waits
// until it accepts connections. Another process can take the port while the
// server is paused; then Resume keeps trying until ctx ends. Resuming a
// running server is an error, as is resuming after Stop.
func (s *Server) Resume(ctx context.Context) error {
	select {
	case <-s.exited:
	default:
		return fmt.Errorf("postgres on port %d is running; Pause it before Resume", s.port)
	}
	for {
		err := s.start(ctx, s.postgres, s.cred)
		if err == nil {
			s.log.Info("postgres resumed", zap.String("dir", s.dir), zap.Int("port", s.port), zap.Int("pid", s.cmd.Process.Pid))
			return nil
		}
		s.kill()
		if !strings.Contains(s.logTail(), "could not bind") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// shutdown ends the postmaster with a fast shutdown (sessions are ended,
// nothing is waited for) and kills its process group if it does not exit in
// time. A postmaster that has exited already is left alone, so that a
// signal never reaches a process group that reused its id.
func (s *Server) shutdown() error {
	select {
	case <-s.exited:
		return nil
	default:
	}
	var err error
	pid := s.cmd.Process.Pid
	// SIGINT is PostgreSQL's fast shutdown.
	if kerr := syscall.Kill(-pid, syscall.SIGINT); kerr != nil && !errors.Is(kerr, syscall.ESRCH) {
		err = fmt.Errorf("signal postgres (pid %d) to stop: %w", pid, kerr)
	}
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		s.log.Warn("postgres did not stop in time; killing its process group", zap.Int("pid", pid))
		s.kill()
	}
	return err
}

// findBinaries prefers the newest /usr/lib/postgresql/*/bin (Debian's
// layout, whose binaries are not on PATH), then PATH.
func findBinaries() (initdb, postgres string, err error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, dir := range dirs {
		i, p := filepath.Join(dir, "initdb"), filepath.Join(dir, "postgres")
		if isExecutable(i) && isExecutable(p) {
			return i, p, nil
		}
	}
	i, errI := exec.LookPath("initdb")
	p, errP := exec.LookPath("postgres")
	if errI != nil || errP != nil {
		return "", "", ErrNotInstalled
	}
	return i, p, nil
}

// versionOf reads the major version out of /usr/lib/postgresql/VERSION/bin
// so that 15 sorts above 9.6.
func versionOf(binDir string) float64 {
	v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	if err != nil {
		return 0
	}
	return v
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// credential returns the identity to run PostgreSQL as: nil (this process's
// own) unless this process is root, which PostgreSQL refuses.
func credential() (*syscall.Credential, *user.User, error) {
	if os.Geteuid() != 0 {
		return nil, nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, nil, fmt.Errorf("running as root, PostgreSQL must run as the postgres system user, but looking it up failed: %w; install PostgreSQL with: apt-get install -y postgresql", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, nil, fmt.Errorf("postgres user has a non-numeric uid %q or gid %q", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, u, nil
}

// prepareDir creates the data directory, hands it to the postgres user when
// running as root, and runs initdb unless a cluster is there already.
func (s *Server) prepareDir(ctx context.Context, initdb string, cred *syscall.Credential, owner *user.User) error {
	_, statErr := os.Stat(filepath.Join(s.dir, "PG_VERSION"))
	exists := statErr == nil
	if !exists {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return fmt.Errorf("create PostgreSQL data directory %s: %w", s.dir, err)
		}
	}
	if cred != nil {
		root := s.dir
		if s.removeD != "" {
			// The temporary parent (mode 0700) must be enterable too.
			root = s.removeD
		}
		if err := chownTree(root, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("give PostgreSQL data directory %s to user %s: %w; the postgres user must also be able to enter its parent directories", s.dir, owner.Username, err)
		}
	}
	if exists {
		s.log.Info("reusing existing PostgreSQL cluster", zap.String("dir", s.dir))
		return nil
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, initdb, "-D", s.dir, "-A", "trust", "-U", User, "--no-sync", "-E", "UTF8", "--locale=C")
	cmd.Dir = s.dir
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		hint := ""
		if cred != nil {
			hint = fmt.Sprintf(" (running as root, initdb runs as user %s, who must be able to enter every parent directory of %s)", owner.Username, s.dir)
		}
		return fmt.Errorf("initdb %s failed%s: %w; its output:\n%s", s.dir, hint, err, tail(out.String(), 20))
	}
	s.log.Debug("initdb done", zap.String("dir", s.dir), zap.Duration("took", time.Since(start)))
	return nil
}

func chownTree(root string, uid, gid int) error {
	return filepath.Walk(root, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}

// childEnv drops PG* variables that would point initdb or postgres at
// another cluster, and pins the C locale the cluster is created with.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port for PostgreSQL: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start runs postgres in the foreground and waits until it accepts
// connections, the process exits or readyTimeout passes.
func (s *Server) start(ctx context.Context, postgres string, cred *syscall.Credential) error {
	s.logPath = filepath.Join(s.dir, logName)
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open PostgreSQL log %s: %w", s.logPath, err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	s.cmd = exec.Command(postgres,
		"-D", s.dir,
		"-p", strconv.Itoa(s.port),
		"-k", s.dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "shared_buffers=128MB",
	)
	s.cmd.Dir = s.dir
	s.cmd.Env = childEnv()
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	s.cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:    true,
		Credential: cred,
		// If this process dies without Stop, do not leave a server behind:
		// SIGQUIT is PostgreSQL's immediate shutdown.
		Pdeathsig: syscall.SIGQUIT,
	}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", postgres, err)
	}
	// The goroutine keeps its own process and channel: after Pause, Resume
	// gives the server new ones.
	cmd, exited := s.cmd, make(chan struct{})
	s.exited = exited
	go func() {
		_ = cmd.Wait() // the exit status says nothing the log does not
		close(exited)
	}()

	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		if err := s.ping(ctx); err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("postgres exited during startup on port %d; the end of its log %s:\n%s", s.port, s.logPath, s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("postgres did not accept connections on port %d within %s (%w); the end of its log %s:\n%s",
				s.port, readyTimeout, ctx.Err(), s.logPath, s.logTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Server) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return conn.Ping(ctx)
}

// kill ends the whole process group at once and waits for the postmaster.
func (s *Server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL) // ESRCH: already gone
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		s.log.Warn("postgres process group did not exit after SIGKILL", zap.Int("pid", s.cmd.Process.Pid))
	}
}

// cleanup removes the temporary directory Start created, if any.
func (s *Server) cleanup() error {
	if s.removeD == "" {
		return nil
	}
	if err := os.RemoveAll(s.removeD); err != nil {
		return fmt.Errorf("remove PostgreSQL directory %s: %w", s.removeD, err)
	}
	return nil
}

func (s *Server) logTail() string {
	f, err := os.Open(s.logPath)
	if err != nil {
		return fmt.Sprintf("(log unreadable: %v)", err)
	}
	defer f.Close()
	const maxTail = 16 << 10
	if st, err := f.Stat(); err == nil && st.Size() > maxTail {
		_, _ = f.Seek(-maxTail, io.SeekEnd) // on failure the whole log is read
	}
	data, _ := io.ReadAll(f)
	return tail(string(data), 20)
}

// tail returns the last n lines of text.
func tail(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// StartPool starts a server and connects a pool to it, for a package's
// TestMain. When PostgreSQL is not installed and the CI environment
// variable is unset, skip says why and the tests that need it should skip;
// under CI a missing PostgreSQL is an error, so no test passes without
// running. stop closes the pool and stops the server.
func StartPool(ctx context.Context, log *zap.Logger) (pool *pgxpool.Pool, stop func(), skip string, err error) {
	srv, err := Start(ctx, Options{}, log)
	switch {
	case errors.Is(err, ErrNotInstalled) && os.Getenv("CI") == "":
		return nil, func() {}, err.Error(), nil
	case err != nil:
		return nil, nil, "", err
	}
	pool, err = pgxpool.New(ctx, srv.DSN())
	if err != nil {
		srv.Stop()
		return nil, nil, "", fmt.Errorf("connecting to the test PostgreSQL: %w", err)
	}
	return pool, func() { pool.Close(); srv.Stop() }, "", nil
}
