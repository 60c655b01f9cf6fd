package main

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// TestEchoServerEchoesEveryByteInEveryAPI runs the echo_tcp server with
// each API (stream, conn, and the protocol form) and checks that a plain Go client gets back what it sends, on
// several connections, and that the server stops when told to.
func TestEchoServerEchoesEveryByteInEveryAPI(t *testing.T) {
	for _, api := range []string{"stream", "conn", "protocol"} {
		t.Run(api, func(t *testing.T) {
			stop := make(chan struct{})
			addrc := make(chan net.Addr, 1)
			done := make(chan error, 1)
			go func() { done <- serveEcho(0, api, stop, func(a net.Addr) { addrc <- a }) }()
			addr := <-addrc
			for i := 0; i < 3; i++ {
				c, err := net.Dial("tcp", addr.String())
				if err != nil {
					t.Fatal(err)
				}
				msg := bytes.Repeat([]byte{byte('a' + i)}, 100_000)
				go c.Write(msg)
				got := make([]byte, len(msg))
				if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("echo: %v", err)
				}
				c.Close()
			}
			close(stop)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}
