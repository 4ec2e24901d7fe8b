// SPDX-License-Identifier: GPL-2.0-only
/*
 * pktio_rx.c - the receive loops: TPACKET_V3 ring or recvmmsg batches.
 *
 * Frames passed by the callback are sent from the receive memory itself
 * (no copy), so a ring block is handed back to the kernel only after the
 * TX batch that points into it has been flushed.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <linux/if_packet.h>

#include "pktio.h"
#include "pktio_internal.h"

static int wait_readable(struct sf_pktio *io)
{
	struct pollfd pfd = { .fd = io->fd, .events = POLLIN };
	struct timespec ts = {
		.tv_sec = io->poll_ms / 1000,
		.tv_nsec = (long)(io->poll_ms % 1000) * 1000000,
	};

	if (ppoll(&pfd, 1, &ts, io->poll_sigmask) < 0 && errno != EINTR)
		return -errno;
	if (pfd.revents & (POLLERR | POLLNVAL))
		return pfd.revents & POLLNVAL ? -EBADF : 0;
	return 0;
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
	int err;

	while (!*io->stop) {
		struct tpacket_block_desc *bd = (struct tpacket_block_desc *)
			(io->ring + (size_t)io->cur * io->block_size);

		if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
				      __ATOMIC_ACQUIRE) & TP_STATUS_USER)) {
			tick(io);
			err = wait_readable(io);
			if (err)
				return err;
			continue;
		}
		walk_block(io, bd, cb, ctx);
		pktio_tx_flush(io);
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
		io->cur = (io->cur + 1) % io->block_nr;
		tick(io);
	}
	return 0;
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
	unsigned int i;
	int n, err;

	while (!*io->stop) {
		for (i = 0; i < io->batch; i++)
			io->rx_msgs[i].msg_hdr.msg_flags = 0;
		n = recvmmsg(io->fd, io->rx_msgs, io->batch, MSG_DONTWAIT,
			     NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				return -errno;
			tick(io);
			err = wait_readable(io);
			if (err)
				return err;
			continue;
		}
		mmsg_frames(io, n, cb, ctx);
		pktio_tx_flush(io);
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
