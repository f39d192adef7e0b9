/* fdlimit.h - room for many connections, made before any thread starts.
 *
 * A server holding thousands of connections needs two things from the
 * kernel: a soft RLIMIT_NOFILE above the 1,024 that systemd and most
 * shells give, and a descriptor table that is already large.  The kernel
 * doubles the table as descriptors are opened (at 64, 128, ... 1,024 ...)
 * and, once the process has threads, every doubling waits for an RCU
 * grace period (about 15 ms here) during which no thread can open a
 * descriptor: a spike of new connections stalls at each doubling.  In a
 * single-threaded process the doubling costs microseconds.
 */
#ifndef LK_FDLIMIT_H
#define LK_FDLIMIT_H

/* Table slots `loket serve` makes at start: room for the SSE target
 * (15,000 subscribers) and a spike on top; 256 KB of kernel memory. */
#define LK_FDLIMIT_SLOTS 32768u

/* Raises the soft descriptor limit to the hard one (at most 2^20; safe
 * because nothing in Loket uses select()) and grows the descriptor table
 * to min(slots, that limit) entries.  Call it while the process is still
 * single-threaded.  Returns the soft limit now in force, or a negative
 * errno if it cannot be read; failing to raise or grow is not an error
 * (the limit in force is returned). */
long lk_fdlimit_raise(unsigned slots);

#endif
