package crawl

import (
	"errors"
	"net"
	"net/url"
	"path"
	"slices"
	"strings"
)

// Normalize parses raw as an absolute http or https URL and returns its
// canonical form, the key under which the crawler deduplicates URLs: the
// scheme and host are lowercased, the default port (80 for http, 443 for
// https) is removed, the fragment is dropped, the path is cleaned ("." and
// ".." segments resolved, duplicate slashes removed, a trailing slash kept,
// an empty path becomes "/"), and the query parameters are sorted by name
// (the order of repeated values of one name is kept; an empty query is
// removed). It is a pure function, safe from any goroutine.
func Normalize(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", err
	}
	n, err := NormalizeURL(u)
	if err != nil {
		return "", err
	}
	return n.String(), nil
}

// errNotHTTP is returned for URLs the crawler cannot fetch.
var errNotHTTP = errors.New("not an absolute http or https URL")

// NormalizeURL returns the canonical form of u as a new URL (see Normalize);
// u is not modified. It fails for URLs that are not absolute http or https
// URLs with a host. Safe from any goroutine.
func NormalizeURL(u *url.URL) (*url.URL, error) {
	n := *u
	n.Scheme = strings.ToLower(n.Scheme)
	if n.Scheme != "http" && n.Scheme != "https" || n.Host == "" || n.Opaque != "" {
		return nil, errNotHTTP
	}
	host, port := n.Hostname(), n.Port()
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return nil, errNotHTTP
	}
	if port == "80" && n.Scheme == "http" || port == "443" && n.Scheme == "https" {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		n.Host = net.JoinHostPort(strings.Trim(host, "[]"), port)
	} else {
		n.Host = host
	}
	n.Fragment, n.RawFragment = "", ""
	n.Path = cleanPath(n.Path)
	n.RawPath = ""
	n.RawQuery = sortQuery(n.RawQuery)
	n.ForceQuery = false
	return &n, nil
}

// cleanPath resolves dot segments and duplicate slashes, keeping a
// trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// sortQuery sorts the parameters of a raw query by name, keeping the order
// of repeated values, and re-encodes them uniformly when the query parses;
// a query that does not parse is sorted as raw "name=value" pairs.
func sortQuery(q string) string {
	if q == "" {
		return ""
	}
	if vals, err := url.ParseQuery(q); err == nil {
		return vals.Encode() // sorted by key, values in their order
	}
	parts := strings.Split(q, "&")
	parts = slices.DeleteFunc(parts, func(s string) bool { return s == "" })
	slices.SortStableFunc(parts, func(a, b string) int {
		ka, _, _ := strings.Cut(a, "=")
		kb, _, _ := strings.Cut(b, "=")
		return strings.Compare(ka, kb)
	})
	return strings.Join(parts, "&")
}

// origin returns scheme://host[:port] of a normalised URL.
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// inDomain reports whether host is domain or a subdomain of it.
func inDomain(host, domain string) bool {
	domain = strings.TrimPrefix(strings.ToLower(domain), ".")
	return host == domain || strings.HasSuffix(host, "."+domain)
}
