package dashboard

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

var update = flag.Bool("update", false, "rewrite testdata/dashboard.png from this machine's Chromium")

// The browser tests run the Debian package chromium headless. Fonts decide
// the screenshot, so the page names DejaVu first and CI installs it.
const browserPackages = "chromium fonts-dejavu-core"

// Screenshot size, and how far it may stray from the golden image: a pixel
// differs when a channel moves by more than pixelTolerance, and the test
// fails when more than maxDiffering of the pixels differ. Anti-aliasing and
// hinting move glyph edges by less than the channel tolerance or on few
// pixels; a lost chart, a broken style or a shifted layout moves far more.
const (
	shotWidth      = 1280
	shotHeight     = 1600
	pixelTolerance = 48
	maxDiffering   = 0.015
	goldenPath     = "testdata/dashboard.png"
)

// chromium returns the browser's path, skips the test when there is none,
// and fails it instead under CI, which is meant to have installed it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("chromium is not installed, and CI is set; install it with apt-get install -y %s", browserPackages)
	}
	t.Skipf("chromium is not installed; apt-get install -y %s runs this test", browserPackages)
	return ""
}

// runChromium runs headless Chromium with args and returns its standard
// output. It gets a home and profile of its own, so that runs do not share
// state.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu",
		"--user-data-dir=" + filepath.Join(home, "profile"),
		"--no-first-run", "--disable-extensions", "--hide-scrollbars",
		"--force-device-scale-factor=1",
		// Without it a screenshot may be taken before every tile is
		// painted, leaving part of the page blank.
		"--run-all-compositor-stages-before-draw",
	}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// serveFixture serves the fixture's dashboard with the clock fixed. The
// ledger is named by a relative path so that the page, which shows it,
// is the same on every machine.
func serveFixture(t *testing.T) string {
	t.Helper()
	path := fixtureLedger(t)
	t.Chdir(filepath.Dir(path))
	srv := httptest.NewServer(New(filepath.Base(path), Options{Now: fixed(fixedNow)}, zap.NewNop()))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

func TestBrowserDOM(t *testing.T) {
	bin := chromium(t)
	url := serveFixture(t)
	dom := string(runChromium(t, bin, "--dump-dom", url))
	if !strings.Contains(dom, `id="totals"`) {
		t.Fatalf("the browser did not render the dashboard:\n%s", dom)
	}
	checkFixturePage(t, dom)
	// The browser built no element out of the statements' text.
	for _, bad := range []string{"<script", "<b>mallory"} {
		if strings.Contains(dom, bad) {
			t.Errorf("the rendered page holds %q", bad)
		}
	}
	for _, want := range []string{"13 TiB", "81.25", "&lt;script&gt;alert(1)&lt;/script&gt;", "ledger.jsonl:8: not a ledger record"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}
}

func TestBrowserScreenshot(t *testing.T) {
	bin := chromium(t)
	// serveFixture changes directory; the golden file is the package's.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join(wd, goldenPath)
	url := serveFixture(t)
	shotPath := filepath.Join(t.TempDir(), "dashboard.png")
	shoot := func() image.Image {
		runChromium(t, bin, "--screenshot="+shotPath, fmt.Sprintf("--window-size=%d,%d", shotWidth, shotHeight), url)
		img, err := readPNG(shotPath)
		if err != nil {
			t.Fatalf("the screenshot is not a PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != shotWidth || b.Dy() != shotHeight {
			t.Fatalf("the screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), shotWidth, shotHeight)
		}
		return img
	}
	got := shoot()
	if *update {
		raw, err := os.ReadFile(shotPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", golden)
		return
	}
	want, err := readPNG(golden)
	if err != nil {
		t.Fatalf("read the golden screenshot: %v; run go test ./proxy/dashboard -run TestBrowserScreenshot -update to make it", err)
	}
	frac, diffImg := compareImages(got, want)
	if frac > maxDiffering {
		// A screenshot taken mid-paint is the browser's flake, not the
		// page's; a second one settles it.
		got = shoot()
		frac, diffImg = compareImages(got, want)
	}
	if frac > maxDiffering {
		out := filepath.Join(os.TempDir(), "skim-dashboard")
		_ = os.MkdirAll(out, 0o755)
		_ = writePNG(filepath.Join(out, "actual.png"), got)
		_ = writePNG(filepath.Join(out, "diff.png"), diffImg)
		t.Errorf("%.2f%% of the screenshot's pixels differ from %s (at most %.2f%% may); the screenshot and the differences are in %s. "+
			"If the page changed on purpose, run go test ./proxy/dashboard -run TestBrowserScreenshot -update; "+
			"if only this machine differs, check that %s are installed", 100*frac, goldenPath, 100*maxDiffering, out, browserPackages)
	}
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// compareImages returns the fraction of pixels that differ by more than
// pixelTolerance in some channel, and an image marking them in red over a
// faded copy of a.
func compareImages(a, b image.Image) (float64, image.Image) {
	ab, bb := a.Bounds(), b.Bounds()
	if ab.Dx() != bb.Dx() || ab.Dy() != bb.Dy() {
		return 1, a
	}
	diff := image.NewRGBA(image.Rect(0, 0, ab.Dx(), ab.Dy()))
	differing := 0
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			r1, g1, b1, _ := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			d := max(absDiff(r1, r2), absDiff(g1, g2), absDiff(b1, b2)) >> 8
			if d > pixelTolerance {
				differing++
				diff.Set(x, y, color.RGBA{R: 255, A: 255})
				continue
			}
			grey := uint8(((r1+g1+b1)/3)>>8)/4 + 191
			diff.Set(x, y, color.RGBA{R: grey, G: grey, B: grey, A: 255})
		}
	}
	return float64(differing) / float64(ab.Dx()*ab.Dy()), diff
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}
