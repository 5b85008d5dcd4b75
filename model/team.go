package model

import (
	"math/bits"
	"runtime"
	"sync/atomic"
	"time"
)

// A job is a step that the threads of a team share: a layer, or a whole
// bottleneck. It splits into size units of work (rows, pixels or channel
// tiles); any range of them can be computed by any thread, each output
// value the same way whatever the split, so that results are bit-identical
// for every thread count.
type job interface {
	size() int
	// run computes units [from, to) as part number part of the step; a
	// part has the buffers of that number to itself.
	run(part, from, to int)
}

// team is a persistent set of goroutines that share the work of each step
// with the calling goroutine: no goroutine is started per inference.
//
// A step is split into one part per thread. Thread i (the caller is 0)
// takes part i, so that it finds in its caches what its part of the layer
// before wrote (the same band of rows, mostly), then any part not yet
// taken. So when the machine is busy and a helper is not running, the
// caller computes its part too rather than wait for it: it only ever waits
// for parts already under way. Part i always has the buffers of thread i
// (Runner.scratch), whoever runs it.
//
// Layers follow each other within microseconds, so a helper that has done
// its part spins a little for the next step before it sleeps: waking a
// sleeping thread for every layer would cost more than some layers take.
type team struct {
	threads  int
	job      job             // the current step: written before next, read after
	next     atomic.Uint64   // the current step: gen<<40 | parts<<32 | a bit for each part taken
	done     atomic.Int32    // parts of the current step finished
	waiting  atomic.Bool     // the caller is asleep on finished, or about to be
	finished chan struct{}   // a helper that finishes the last part says so, if waiting
	wake     []chan struct{} // a sleeping helper's doorbell, one per helper
	closed   atomic.Bool
	gen      uint64
}

const (
	maxThreads = 32                     // parts fit in 32 bits of team.next
	spinFor    = 200 * time.Microsecond // a helper, for the next step
	waitFor    = time.Millisecond       // the caller, for the parts under way
)

func newTeam(threads int) *team {
	t := &team{threads: min(max(threads, 1), maxThreads), finished: make(chan struct{}, 1)}
	for i := range t.threads - 1 {
		c := make(chan struct{}, 1)
		t.wake = append(t.wake, c)
		go t.helper(i+1, c)
	}
	return t
}

// helper is thread i of the team.
func (t *team) helper(i int, wake chan struct{}) {
	var seen uint64 // the generation of the last step seen
	for t.await(seen, wake) {
		seen = t.next.Load() >> 40
		if t.help(seen, i) && t.waiting.Swap(false) {
			t.finished <- struct{}{}
		}
	}
}

// await waits for a step newer than generation seen: spinning for
// spinFor, then asleep until the doorbell wake rings, then spinning again.
// It returns false once the team is closed.
//
// The spin does not yield to the Go scheduler: when a helper and the
// caller both did, the scheduler could swap their goroutines between the
// two threads, and each then worked on caches warmed for the other's band.
// Passes slower than on one thread went from about 1 in 4 to 1 in 10 or
// fewer (2 threads, 1.0/224, old and new interleaved in one process).
func (t *team) await(seen uint64, wake chan struct{}) bool {
	start := time.Now()
	for i := 0; t.next.Load()>>40 == seen; i++ {
		if t.closed.Load() {
			return false
		}
		if i%64 == 63 && time.Since(start) > spinFor {
			if _, ok := <-wake; !ok {
				return false
			}
			start = time.Now()
		}
	}
	return true
}

// help computes parts of step generation gen, part own first, until none
// is left, and reports whether it finished the last one.
func (t *team) help(gen uint64, own int) (last bool) {
	i := own
	for {
		v := t.next.Load()
		parts, taken := int(v>>32&0xff), uint32(v)
		if v>>40 != gen {
			return last
		}
		if i >= parts || taken&(1<<i) != 0 {
			free := ^taken & (1<<parts - 1)
			if free == 0 {
				return last
			}
			i = bits.TrailingZeros32(free)
		}
		if !t.next.CompareAndSwap(v, v|1<<i) {
			continue
		}
		// The step cannot change before its parts are done.
		n := t.job.size()
		t.job.run(i, i*n/parts, (i+1)*n/parts)
		last = t.done.Add(1) == int32(parts)
	}
}

// run computes the step on the team's threads.
func (t *team) run(s job) {
	n := s.size()
	parts := min(t.threads, n)
	if parts <= 1 {
		s.run(0, 0, n)
		return
	}
	t.gen = (t.gen + 1) & (1<<24 - 1)
	t.done.Store(0)
	t.job = s
	t.next.Store(t.gen<<40 | uint64(parts)<<32)
	for _, c := range t.wake[:parts-1] {
		select {
		case c <- struct{}{}:
		default: // rung already
		}
	}
	if t.help(t.gen, 0) {
		return
	}
	// Wait for the parts under way: spinning, as they are about as long
	// as the caller's own; then yielding, in case a helper waits for this
	// thread; then asleep. Going through the Go scheduler costs
	// microseconds and can swap the goroutines between the threads, so the
	// common case does not.
	start := time.Now()
	for i := 0; t.done.Load() < int32(parts); i++ {
		if i%64 == 63 {
			if d := time.Since(start); d > waitFor {
				break
			} else if d > spinFor {
				runtime.Gosched()
			}
		}
	}
	// Asleep: say so, then look again, so that the helper that finishes
	// the last part either is seen to have finished or sees the flag.
	t.waiting.Store(true)
	if t.done.Load() < int32(parts) || !t.waiting.Swap(false) {
		<-t.finished
	}
}

func (t *team) close() {
	t.closed.Store(true)
	for _, c := range t.wake {
		close(c)
	}
	t.wake = nil
}
