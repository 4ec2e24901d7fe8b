// SPDX-License-Identifier: GPL-2.0-only
/*
 * pktio_rx.c - the receive loops: TPACKET_V3 ring or recvmmsg batches,
 * and how they wait: an adaptive spin (pktio_spin.h), then a blocking
 * recvmmsg (mmsg) or ppoll (ring); in mmsg mode, where the thread runs
 * (pktio_follow.h).
 *
 * Frames passed by the callback are sent from the receive memory itself
 * (no copy), so a ring block is handed back to the kernel only after the
 * TX batch that points into it has been flushed.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <linux/if_packet.h>

#include "pktio.h"
#include "pktio_internal.h"

/* Sleep until the socket is readable, the idle timeout or a signal.
 * Return: 1 readable, 0 timeout, -EINTR on a signal, -errno. */
static int wait_readable(struct sf_pktio *io)
{
	struct pollfd pfd = { .fd = io->fd, .events = POLLIN };
	struct timespec ts = {
		.tv_sec = io->poll_ms / 1000,
		.tv_nsec = (long)(io->poll_ms % 1000) * 1000000,
	};

	if (ppoll(&pfd, 1, &ts, io->poll_sigmask) < 0)
		return -errno;
	if (pfd.revents & POLLNVAL)
		return -EBADF;
	return !!(pfd.revents & POLLIN);
}

static struct tpacket_block_desc *cur_block(struct sf_pktio *io)
{
	return (struct tpacket_block_desc *)(io->ring +
					     (size_t)io->cur * io->block_size);
}

/* Receive a batch into io->rx_msgs (io->rx_n frames). @flags: MSG_DONTWAIT
 * to only look, MSG_WAITFORONE to sleep until the first frame (at most
 * SO_RCVTIMEO, the idle tick) and take what else is queued with it.
 * Return: 1 received, 0 none (or the timeout), -EINTR, -errno. */
static int mmsg_recv(struct sf_pktio *io, int flags)
{
	unsigned int i;
	int n;

	for (i = 0; i < io->batch; i++) {
		io->rx_msgs[i].msg_hdr.msg_flags = 0;
		if (io->rx_cmsg)
			io->rx_msgs[i].msg_hdr.msg_controllen = PKTIO_RXCMSG;
	}
	n = recvmmsg(io->fd, io->rx_msgs, io->batch, flags, NULL);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	io->rx_n = n;
	return n > 0;
}

/*
 * Whether frames are ready, without waiting: ring: the current block is
 * the user's (a memory read); mmsg: receive a batch (io->rx_n frames).
 * Return: 1 ready, 0 none, -errno.
 */
static int rx_ready(struct sf_pktio *io)
{
	int r;

	if (io->mode == SF_PKTIO_RING)
		return !!(__atomic_load_n(&cur_block(io)->hdr.bh1.block_status,
					  __ATOMIC_ACQUIRE) & TP_STATUS_USER);
	r = mmsg_recv(io, MSG_DONTWAIT);
	return r == -EINTR ? 0 : r;
}

/*
 * Nothing is ready: spin on rx_ready() for the adaptive budget, then
 * sleep: mmsg in recvmmsg itself (one system call wakes up with the
 * frames), ring in ppoll. The spin does not yield: a task woken onto this
 * CPU preempts a spinner as it would any running task, while a yielding
 * spinner is pushed behind every runnable task and misses its frame for
 * their slices. The outcome teaches the budget (pktio_spin.h).
 * Return: 1 frames ready (io->rx_n in mmsg mode), 0 look again, -errno.
 */
static int wait_frames(struct sf_pktio *io)
{
	uint64_t t0 = pktio_mono_ns(), budget = sf_spin_budget(&io->spin), now;
	int r;

	while (budget && !*io->stop) {
		r = rx_ready(io);
		now = pktio_mono_ns();
		if (r > 0)
			sf_spin_hit(&io->spin, now - t0);
		if (r)
			return r;
		if (now - t0 >= budget)
			break;
	}
	if (io->mode == SF_PKTIO_MMSG)
		r = mmsg_recv(io, MSG_WAITFORONE);
	else
		r = wait_readable(io);
	if (r == -EINTR) /* says nothing about traffic */
		return 0;
	if (r < 0)
		return r;
	sf_spin_slept(&io->spin, pktio_mono_ns() - t0, r);
	/* A ring's block is looked at again by the caller. */
	return io->mode == SF_PKTIO_MMSG ? r : 0;
}

/* Where a V3 frame's free space starts: header, then sockaddr_ll. */
#define TPACKET3_HDRLEN_ (TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) + \
			  sizeof(struct sockaddr_ll))

static void tick(struct sf_pktio *io)
{
	if (io->tick)
		io->tick(io->tick_ctx);
}

static void handle(struct sf_pktio *io, sf_frame_fn cb, void *ctx,
		   struct sf_frame *f)
{
	if (cb(ctx, f) == SF_VERDICT_PASS && !f->truncated)
		pktio_tx_queue(io, f->vnet, f->data, f->len);
}

/* Hand every frame of one retired block to the callback. */
static void walk_block(struct sf_pktio *io, struct tpacket_block_desc *bd,
		       sf_frame_fn cb, void *ctx)
{
	uint8_t *end = (uint8_t *)bd + io->block_size;
	uint8_t *p = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
	uint32_t i, n = bd->hdr.bh1.num_pkts;

	for (i = 0; i < n; i++) {
		struct tpacket3_hdr *h = (struct tpacket3_hdr *)p;
		struct sf_frame f;

		/* The kernel writes the vnet header right before the MAC
		 * header (tpacket_rcv reserves room for it). */
		if (p + sizeof(*h) > end ||
		    h->tp_mac < sizeof(*h) + sizeof(struct virtio_net_hdr) ||
		    p + h->tp_mac + h->tp_snaplen > end)
			break; /* corrupt ring: never trust it further */
		f.data = p + h->tp_mac;
		f.vnet = (struct virtio_net_hdr *)(f.data - sizeof(*f.vnet));
		/* Free from the end of the sockaddr_ll tpacket_rcv writes
		 * after the header (PACKET_RESERVE makes it at least
		 * SF_PKTIO_HEADROOM). */
		f.headroom = (uint32_t)((uint8_t *)f.vnet - p) > TPACKET3_HDRLEN_ ?
			     (uint32_t)((uint8_t *)f.vnet - p) - TPACKET3_HDRLEN_ : 0;
		f.len = h->tp_snaplen;
		f.wire_len = h->tp_len;
		f.truncated = h->tp_snaplen < h->tp_len;
		handle(io, cb, ctx, &f);
		if (!h->tp_next_offset)
			break;
		p += h->tp_next_offset;
	}
}

static int run_ring(struct sf_pktio *io, sf_frame_fn cb, void *ctx)
{
	int r;

	while (!*io->stop) {
		struct tpacket_block_desc *bd = cur_block(io);

		r = rx_ready(io);
		if (!r) {
			tick(io);
			r = wait_frames(io);
		}
		if (r < 0)
			return r;
		if (!r)
			continue;
		walk_block(io, bd, cb, ctx);
		pktio_tx_flush(io);
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
		io->cur = (io->cur + 1) % io->block_nr;
		tick(io);
	}
	return 0;
}

/* The SO_MARK control message of a received frame, 0 if none. */
static uint32_t frame_mark(struct msghdr *mh)
{
	struct cmsghdr *c;
	uint32_t mark;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_MARK &&
		    c->cmsg_len >= CMSG_LEN(sizeof(mark))) {
			memcpy(&mark, CMSG_DATA(c), sizeof(mark));
			return mark;
		}
	}
	return 0;
}

static void follow_move(struct sf_pktio *io, int cpu)
{
	cpu_set_t set;

	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
	} else {
		set = io->follow.allowed;
	}
	sf_follow_applied(&io->follow, cpu,
			  !sched_setaffinity(0, sizeof(set), &set));
}

/* Following (pktio_follow.h), after a batch: at the end of a window,
 * move where its frames said, or back to every allowed CPU; pinned, back
 * at once when the last frames came from elsewhere. */
static void follow_check(struct sf_pktio *io)
{
	uint64_t now = pktio_mono_ns(), run, wait;
	int cpu;

	if (sf_follow_due(&io->follow, now)) {
		if (pktio_schedstat(io->follow_fd, &run, &wait)) {
			/* Blind from now on: back to every CPU, stop. */
			follow_move(io, -1);
			io->follow.on = false;
			return;
		}
		cpu = sf_follow_decide(&io->follow, now, run, wait);
		if (cpu >= -1)
			follow_move(io, cpu);
	}
	if (sf_follow_batch_end(&io->follow) == -1)
		follow_move(io, -1);
}

static void mmsg_frames(struct sf_pktio *io, int n, sf_frame_fn cb,
			void *ctx)
{
	size_t vlen = sizeof(struct virtio_net_hdr);
	int i;

	for (i = 0; i < n; i++) {
		uint8_t *slot = io->rx_iov[i].iov_base;
		size_t got = io->rx_msgs[i].msg_len;
		struct sf_frame f;

		if (io->rx_cmsg)
			sf_follow_vote(&io->follow,
				       frame_mark(&io->rx_msgs[i].msg_hdr));
		if (got < vlen)
			continue;
		f.vnet = (struct virtio_net_hdr *)slot;
		f.data = slot + vlen;
		f.headroom = SF_PKTIO_HEADROOM;
		f.len = (uint32_t)(got - vlen);
		f.wire_len = f.len;
		f.truncated = io->rx_msgs[i].msg_hdr.msg_flags & MSG_TRUNC;
		handle(io, cb, ctx, &f);
	}
}

static int run_mmsg(struct sf_pktio *io, sf_frame_fn cb, void *ctx)
{
	bool drained = true;
	int r;

	while (!*io->stop) {
		/* A short batch emptied the queue: go to sleep without
		 * asking again (recvmmsg returns at once if more came). */
		r = drained ? 0 : rx_ready(io);
		if (!r) {
			tick(io);
			r = wait_frames(io);
		}
		if (r < 0)
			return r;
		if (!r)
			continue;
		mmsg_frames(io, io->rx_n, cb, ctx);
		pktio_tx_flush(io);
		if (io->follow.on)
			follow_check(io);
		drained = (unsigned int)io->rx_n < io->batch;
		tick(io);
	}
	return 0;
}

int sf_pktio_run(struct sf_pktio *io, sf_frame_fn cb, void *ctx)
{
	static volatile sig_atomic_t never;

	if (!io->stop)
		io->stop = &never;
	if (io->mode == SF_PKTIO_MMSG)
		return run_mmsg(io, cb, ctx);
	return run_ring(io, cb, ctx);
}
