// Command echo runs a TCP echo server and a client in one program, on one
// aio loop: the server (aio.StartServer, one task per connection, the
// Stream API) listens on an ephemeral loopback port; the client connects,
// sends a few lines and prints what comes back; then the server shuts
// down gracefully.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/asyncgo/aio"
)

// handle echoes each line back, upper-cased, until the client hangs up.
func handle(ctx *aio.Context, s *aio.Stream) error {
	for {
		line, err := s.ReadLine(ctx)
		if err != nil {
			return nil // EOF: the client is done
		}
		if err := s.Write(ctx, []byte(strings.ToUpper(string(line)))); err != nil {
			return err
		}
		if err := s.Drain(ctx); err != nil {
			return err
		}
	}
}

// run runs the example, printing to w.
func run(w io.Writer, opts ...aio.Option) error {
	return aio.Run(func(ctx *aio.Context) error {
		srv, err := aio.StartServer(ctx, "tcp", "127.0.0.1:0", handle)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "server listening on an ephemeral port")

		c, err := aio.OpenConnection(ctx, "tcp", srv.Addr().String())
		if err != nil {
			return err
		}
		for _, msg := range []string{"hello", "echo over aio", "bye"} {
			fmt.Fprintf(w, "client sends: %s\n", msg)
			if err := c.Write(ctx, []byte(msg+"\n")); err != nil {
				return err
			}
			if err := c.Drain(ctx); err != nil {
				return err
			}
			// A read bounded by a scope: a silent server would end it.
			rctx, cancel := aio.WithTimeout(ctx, 5*time.Second)
			reply, err := c.ReadLine(rctx)
			cancel()
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "client got:   %s", reply)
		}
		c.Close()

		sctx, cancel := aio.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return err
		}
		fmt.Fprintf(w, "server shut down after %d connection(s)\n", srv.Accepted())
		return nil
	}, opts...)
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
