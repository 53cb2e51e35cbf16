package httpcache

import (
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
)

// Sending a large body with sendfile(2). Written from memory, each
// response's body is copied into the kernel's socket buffers by write(2):
// for the 164 KB series CSV of the demo's flagship that copy was a fifth
// of the server's CPU under load. A Representation instead keeps such a body
// in an unlinked temporary file (its pages stay in the page cache) and
// hands the kernel the file, as nginx does: net/http's ReadFrom passes an
// *os.File to the connection's ReadFrom, which uses sendfile(2). Linux
// only (a descriptor of its own per request is opened through
// /proc/self/fd, since sendfile sends from the descriptor's own offset);
// anywhere else, or when anything fails, the body is written as before.

// SendfileMin is the smallest body sent from a file: below it the copy
// costs less than the extra seek and the descriptor's bookkeeping.
const SendfileMin = 16 << 10

// sendfileHead is how many bytes go out by Write before the file takes
// over: more than net/http's 2 KB response buffer, so that they and the
// header go straight into the connection's 4 KB buffer and out in one
// write, and ReadFrom has no first bytes to read from the file to sniff.
const sendfileHead = 2049

// sendfileFDs caps the descriptors all file bodies hold together, far
// below any descriptor limit: a body that cannot have one more is written
// from memory.
const (
	sendfileFDs     = 256
	sendfileFDsEach = 16 // per body: about as many requests as can wait on a full socket buffer at once
)

var sendfileOpen atomic.Int64 // descriptors open across file bodies

// fileBody is one body in a temporary file and a pool of descriptors
// open on it, each with its own offset.
type fileBody struct {
	once   sync.Once
	ok     bool
	base   *os.File // keeps the file alive; never read from
	path   string   // /proc/self/fd/N: opens another descriptor of the file
	size   int64
	pool   chan *os.File
	opened *atomic.Int64 // descriptors in pool or in use (apart from base)
}

// newFileBody returns the (empty, made on first use) file body for b, or
// nil when b is too short to send from a file.
func newFileBody(b []byte) *fileBody {
	if runtime.GOOS != "linux" || len(b) < SendfileMin {
		return nil
	}
	return &fileBody{opened: new(atomic.Int64)}
}

// init makes the file on first use and reports whether there is one.
func (fb *fileBody) init(b []byte) bool {
	fb.once.Do(func() {
		if sendfileOpen.Add(1) > sendfileFDs {
			sendfileOpen.Add(-1)
			return
		}
		f, err := os.CreateTemp("", "pollagg-body-*")
		if err != nil {
			sendfileOpen.Add(-1)
			return
		}
		os.Remove(f.Name()) // unlinked: gone when the last descriptor closes
		if _, err := f.Write(b); err != nil {
			f.Close()
			sendfileOpen.Add(-1)
			return
		}
		fb.base, fb.path, fb.size = f, "/proc/self/fd/"+strconv.Itoa(int(f.Fd())), int64(len(b))
		fb.pool = make(chan *os.File, sendfileFDsEach)
		fb.ok = true
		// When the representation is dropped, the descriptors close with
		// their *os.File; give their count back to the budget.
		runtime.AddCleanup(fb, func(n *atomic.Int64) { sendfileOpen.Add(-n.Load() - 1) }, fb.opened)
	})
	return fb.ok
}

// get returns a descriptor of the file, or nil when none is free and the
// budget allows no other.
func (fb *fileBody) get() *os.File {
	select {
	case f := <-fb.pool:
		return f
	default:
	}
	if fb.opened.Load() >= sendfileFDsEach {
		return nil
	}
	if sendfileOpen.Add(1) > sendfileFDs {
		sendfileOpen.Add(-1)
		return nil
	}
	f, err := os.Open(fb.path)
	if err != nil {
		sendfileOpen.Add(-1)
		return nil
	}
	fb.opened.Add(1)
	return f
}

func (fb *fileBody) put(f *os.File) {
	select {
	case fb.pool <- f:
	default: // not reached: no more than cap(pool) are ever opened
		f.Close()
		fb.opened.Add(-1)
		sendfileOpen.Add(-1)
	}
}

// sendFile writes body, whose copy fb holds, to w by sendfile(2), and
// reports whether it did; false means nothing was written.
func sendFile(w http.ResponseWriter, fb *fileBody, body []byte) (bool, error) {
	rf, ok := w.(io.ReaderFrom)
	if !ok || fb == nil || !fb.init(body) {
		return false, nil
	}
	f := fb.get()
	if f == nil {
		return false, nil
	}
	defer fb.put(f)
	if _, err := f.Seek(sendfileHead, io.SeekStart); err != nil {
		return false, nil
	}
	if _, err := w.Write(body[:sendfileHead]); err != nil {
		return true, err
	}
	_, err := rf.ReadFrom(&io.LimitedReader{R: f, N: fb.size - sendfileHead})
	return true, err
}
