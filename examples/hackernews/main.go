// Command hackernews fetches Hacker News stories with aiohttp.Client on
// one aio loop: two stories concurrently, then the top 30 stories with at
// most 8 requests in flight, printed in rank order with the total time.
//
// By default it runs offline: a fixture server (aiohttp.Server, shaped like
// the HN Firebase API: /v0/topstories.json, /v0/item/<id>.json) starts on
// 127.0.0.1 in the same program and loop. -live asks the real API.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// Item is the part of a Hacker News item the program prints.
type Item struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
	By    string `json:"by"`
	Score int    `json:"score"`
}

const liveBase = "https://hacker-news.firebaseio.com"

// fixtures serves 40 top stories, ids 1000..1039, each taking 20 ms.
func fixtures() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /v0/topstories.json", func(w http.ResponseWriter, r *http.Request) {
		ids := make([]string, 40)
		for i := range ids {
			ids[i] = strconv.Itoa(1000 + i)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "["+strings.Join(ids, ",")+"]")
	})
	m.HandleFunc("GET /v0/item/{file}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(strings.TrimSuffix(r.PathValue("file"), ".json"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if aio.Sleep(aiohttp.TaskContext(r), 20*time.Millisecond) != nil { // a server's latency
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%d,"title":"Fixture story %d","by":"user%d","score":%d,"type":"story"}`, id, id-999, id%7, 500-id%100)
	})
	return m
}

func item(ctx *aio.Context, c *aiohttp.Client, base string, id int) (Item, error) {
	return aiohttp.GetJSON[Item](ctx, c, fmt.Sprintf("%s/v0/item/%d.json", base, id))
}

// run runs the program against base ("" starts the fixture server),
// printing to w; the timings are printed only with times.
func run(w io.Writer, base string, times bool) error {
	return aio.Run(func(ctx *aio.Context) error {
		if base == "" {
			l, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			srv := &aiohttp.Server{Handler: fixtures()}
			served := aio.Go(ctx.Loop(), func(ctx *aio.Context) error { srv.Serve(ctx, l); return nil })
			defer func() {
				srv.Close()
				served.Await(ctx)
			}()
			base = "http://" + l.Addr().String()
		}
		c := &aiohttp.Client{LimitPerHost: 8, Timeout: aiohttp.Timeout{Total: 10 * time.Second}}
		defer c.CloseIdleConnections()

		top, err := aiohttp.GetJSON[[]int](ctx, c, base+"/v0/topstories.json")
		if err != nil {
			return err
		}
		// Two stories at once: two tasks, awaited together.
		a := aio.Spawn(ctx, func(ctx *aio.Context) (Item, error) { return item(ctx, c, base, top[0]) })
		b := aio.Spawn(ctx, func(ctx *aio.Context) (Item, error) { return item(ctx, c, base, top[1]) })
		two, err := aio.Gather(ctx, a, b)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "Two stories, fetched concurrently:")
		for _, it := range two {
			fmt.Fprintf(w, "  %s\n", it.Title)
		}

		// The top 30, at most 8 requests in flight (LimitPerHost), in rank order.
		start := time.Now()
		n := min(30, len(top))
		tasks := make([]*aio.Task[Item], n)
		for i := range n {
			tasks[i] = aio.Spawn(ctx, func(ctx *aio.Context) (Item, error) { return item(ctx, c, base, top[i]) })
		}
		items, err := aio.Gather(ctx, tasks...)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "Top %d stories:\n", n)
		for i, it := range items {
			fmt.Fprintf(w, "%3d. %s (%d points by %s)\n", i+1, it.Title, it.Score, it.By)
		}
		if times {
			fmt.Fprintf(w, "fetched %d stories in %v, at most 8 at a time\n", n, time.Since(start).Round(time.Millisecond))
		}
		return nil
	})
}

func main() {
	live := flag.Bool("live", false, "ask the real Hacker News API instead of the local fixture server")
	flag.Parse()
	base := ""
	if *live {
		base = liveBase
	}
	if err := run(os.Stdout, base, true); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
