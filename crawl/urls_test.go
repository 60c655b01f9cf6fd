package crawl_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/asyncgo/aio/crawl"
)

// TestNormalize pins each normalisation rule.
func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"HTTP://Example.COM/", "http://example.com/"},
		{"http://example.com", "http://example.com/"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"https://example.com:443/a", "https://example.com/a"},
		{"https://example.com:80/a", "https://example.com:80/a"},
		{"http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"},
		{"http://example.com/a#frag", "http://example.com/a"},
		{"http://example.com/a/./b/../c", "http://example.com/a/c"},
		{"http://example.com//a///b/", "http://example.com/a/b/"},
		{"http://example.com/a/../../..", "http://example.com/"},
		{"http://example.com/p?b=2&a=1", "http://example.com/p?a=1&b=2"},
		{"http://example.com/p?b=2&a=1&b=1", "http://example.com/p?a=1&b=2&b=1"},
		{"http://example.com/p?", "http://example.com/p"},
		{"http://example.com/p?q=a%20b", "http://example.com/p?q=a+b"},
		{"http://example.com./p", "http://example.com/p"},
		{"http://[::1]:80/", "http://[::1]/"},
		{"http://[::1]:8080/", "http://[::1]:8080/"},
	} {
		got, err := crawl.Normalize(c.in)
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		again, _ := crawl.Normalize(got)
		if again != got {
			t.Errorf("Normalize is not idempotent on %q: %q", got, again)
		}
	}
	for _, bad := range []string{"mailto:a@b", "javascript:x()", "/relative", "ftp://x/", "http://", "://x"} {
		if got, err := crawl.Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", bad, got)
		}
	}
}

// TestExtractLinks: a, area and page-like link elements, <base href>,
// skipped schemes and resource links, duplicates merged, title text.
func TestExtractLinks(t *testing.T) {
	base, _ := url.Parse("http://site.test/dir/page.html")
	body := `<!doctype html><html><head>
<title>  Hello
  &amp; welcome </title>
<base href="http://site.test/other/">
<link rel="stylesheet" href="/style.css"><link rel="icon" href="/fav.ico">
<link rel="next" href="page2.html"><link rel="alternate" hreflang="fr" href="/fr/">
</head><body>
<a href="rel.html">r</a><a href="/abs#x">a</a><a href="/abs">dup</a>
<a href="javascript:void(0)">j</a><a href="mailto:x@y.z">m</a><a href="tel:123">t</a>
<a href="data:text/html,hi">d</a><a href="//cdn.test/lib">proto-relative</a>
<a>no href</a><area href="/map"><a href="  spaced.html  ">s</a>
<a href="http://[bad">bad</a>
</body></html>`
	p := crawl.ExtractLinks(base, []byte(body))
	want := []string{
		"http://site.test/other/page2.html", "http://site.test/fr/",
		"http://site.test/other/rel.html", "http://site.test/abs", "http://cdn.test/lib",
		"http://site.test/map", "http://site.test/other/spaced.html",
	}
	if !slices.Equal(p.Links, want) {
		t.Errorf("links\n got %q\nwant %q", p.Links, want)
	}
	if p.Title != "Hello & welcome" {
		t.Errorf("title %q", p.Title)
	}
	if p.NoFollow {
		t.Error("NoFollow without a robots meta")
	}
	nf := crawl.ExtractLinks(base, []byte(`<meta name="ROBOTS" content="noindex, NoFollow"><a href="/x">x</a>`))
	if !nf.NoFollow {
		t.Error("robots nofollow meta not seen")
	}
	// Truncated and broken markup never fails.
	broken := crawl.ExtractLinks(base, []byte("<html><title>t\xff</title><a href=\"/ok\">x</a><a href=\"/cut"))
	if !slices.Equal(broken.Links, []string{"http://site.test/ok"}) || broken.Title != "t\ufffd" {
		t.Errorf("broken markup: %q %q", broken.Links, broken.Title)
	}
}
