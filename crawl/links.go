package crawl

import (
	"bytes"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Page is what ExtractLinks finds in an HTML document: a plain value, safe
// to hand to any goroutine.
type Page struct {
	Title    string   // the first <title>'s text, whitespace collapsed, valid UTF-8
	Links    []string // absolute, normalised http(s) links, in document order, without duplicates
	NoFollow bool     // <meta name="robots" content="nofollow"> was present
}

// skipRel lists <link rel> values that name resources, not pages.
var skipRel = map[string]bool{
	"stylesheet": true, "icon": true, "shortcut": true, "apple-touch-icon": true,
	"preload": true, "prefetch": true, "preconnect": true, "dns-prefetch": true,
	"modulepreload": true, "manifest": true, "mask-icon": true,
}

// ExtractLinks parses body as HTML served from base and returns its title
// and links: the href of <a> and <area> elements and of <link> elements
// other than resources (stylesheet, icon, preload, ...), resolved against
// the first <base href> if there is one, else against base. javascript:,
// mailto:, tel:, data: and other non-http(s) links are skipped, as are
// links that do not parse. The tokenizer is lenient: malformed markup and
// invalid UTF-8 never fail (invalid bytes become U+FFFD in the title and
// are percent-encoded in URLs). A pure function, safe from any goroutine.
func ExtractLinks(base *url.URL, body []byte) Page {
	var p Page
	seen := map[string]bool{}
	z := html.NewTokenizer(bytes.NewReader(body))
	baseSet := false
	inTitle, titleDone := false, false
	var title strings.Builder
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			p.Title = cleanText(title.String())
			return p
		case html.TextToken:
			if inTitle && !titleDone {
				title.Write(z.Text())
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if atom.Lookup(name) == atom.Title && inTitle {
				inTitle, titleDone = false, true
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Title && !titleDone && tt == html.StartTagToken {
				inTitle = true
				continue
			}
			if !hasAttr {
				continue
			}
			switch a {
			case atom.A, atom.Area, atom.Link, atom.Base, atom.Meta:
			default:
				continue
			}
			attrs := map[string]string{}
			for {
				k, v, more := z.TagAttr()
				key := string(k)
				if _, dup := attrs[key]; !dup {
					attrs[key] = string(v)
				}
				if !more {
					break
				}
			}
			switch a {
			case atom.Base:
				if href, ok := attrs["href"]; ok && !baseSet {
					baseSet = true
					if u, err := base.Parse(strings.TrimSpace(href)); err == nil {
						base = u
					}
				}
			case atom.Meta:
				if strings.EqualFold(attrs["name"], "robots") && strings.Contains(strings.ToLower(attrs["content"]), "nofollow") {
					p.NoFollow = true
				}
			case atom.Link:
				skip := false
				for _, r := range strings.Fields(strings.ToLower(attrs["rel"])) {
					skip = skip || skipRel[r]
				}
				if !skip {
					p.addLink(base, attrs["href"], seen)
				}
			default:
				if href, ok := attrs["href"]; ok {
					p.addLink(base, href, seen)
				}
			}
		}
	}
}

func (p *Page) addLink(base *url.URL, href string, seen map[string]bool) {
	href = strings.TrimSpace(href)
	if href == "" {
		return
	}
	if !utf8.ValidString(href) {
		href = strings.ToValidUTF8(href, "\uFFFD")
	}
	if i := strings.IndexByte(href, ':'); i > 0 && !strings.ContainsAny(href[:i], "/?#") {
		switch strings.ToLower(href[:i]) {
		case "http", "https":
		default:
			return // javascript:, mailto:, tel:, data:, ftp:, ...
		}
	}
	u, err := base.Parse(href)
	if err != nil {
		return
	}
	n, err := NormalizeURL(u)
	if err != nil {
		return
	}
	s := n.String()
	if !seen[s] {
		seen[s] = true
		p.Links = append(p.Links, s)
	}
}

// cleanText collapses whitespace and replaces invalid UTF-8.
func cleanText(s string) string {
	return strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
}

// isHTML reports whether a Content-Type header names an HTML document.
func isHTML(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}
