//go:build !unix

package aiohttp

import "github.com/asyncgo/aio"

// alive cannot probe here; the retry of idempotent requests covers stale
// connections.
func alive(c *aio.Conn, isTLS bool) bool { return true }
