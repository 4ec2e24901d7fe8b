/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pktio.h - AF_PACKET frame I/O on one interface, for SFs.
 *
 * The SFF hands frames to an SF with bpf_redirect_peer, which leaves
 * skb->protocol at the inner IPv4/IPv6 value: the socket therefore binds
 * ETH_P_ALL, and a classic BPF socket filter, attached before bind(),
 * keeps only untagged NSH frames (EtherType 0x894F): the rest of what the
 * link carries (IPv6 ND, ARP) never wakes the SF. Our own sends are
 * hidden with PACKET_IGNORE_OUTGOING. TCP arrives as GSO super-frames (up
 * to 64 KiB), so the socket uses PACKET_VNET_HDR: each frame comes with
 * its struct virtio_net_hdr and is sent back with it, which keeps it
 * whole (without it, sending a super-frame fails with EMSGSIZE).
 *
 * RX: recvmmsg() batches (the SFs' default), or a TPACKET_V3 ring
 * (tpacket_rcv writes the vnet header just before the frame on kernels
 * >= 5.x; checked on 6.18). Before it sleeps, the loop may spin on the
 * socket for an adaptive budget (pktio_spin.h). In mmsg mode the SF may
 * follow the CPU its frames' flows come from (pktio_follow.h). TX: sendmmsg() batches
 * pointing straight into the RX buffers.
 */
#ifndef SF_PKTIO_H
#define SF_PKTIO_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/virtio_net.h>

#include "pktio_follow.h"
#include "pktio_spin.h"

/* Largest frame handled: a 64 KiB GSO IP packet plus Ethernet and NSH. */
#define SF_PKTIO_MAX_FRAME (65536 + 256)
/* Bytes free before each received frame (before its vnet header), so the
 * frame step can grow the NSH at its front (a control TLV, frame.h)
 * without copying the packet: PACKET_RESERVE in ring mode, an offset into
 * each buffer in mmsg mode. */
#define SF_PKTIO_HEADROOM 64

enum sf_pktio_mode {
	SF_PKTIO_RING = 0,  /* TPACKET_V3 RX ring */
	SF_PKTIO_MMSG = 1,  /* recvmmsg() into preallocated buffers (the SFs'
			     * default, see sf_args_parse()) */
};

enum sf_verdict {
	SF_VERDICT_DROP = 0, /* do not send it back */
	SF_VERDICT_PASS = 1, /* send f->data[0..f->len) back with f->vnet */
};

/* One received frame, handed to the callback; memory belongs to pktio and
 * is valid only during the callback (and the send that follows). */
struct sf_frame {
	uint8_t *data;                /* Ethernet header, writable */
	uint32_t len;                 /* bytes in data; callback may shrink */
	uint32_t wire_len;            /* length on the wire */
	bool truncated;               /* wire_len > len: never PASS it */
	struct virtio_net_hdr *vnet;  /* writable; sent back as it is then */
	uint32_t headroom;            /* writable bytes before the vnet header
				       * when it sits right before data (else
				       * before data); data and vnet may move
				       * into them (frame.c) */
};

typedef enum sf_verdict (*sf_frame_fn)(void *ctx, struct sf_frame *f);
/* Called at least every poll interval and after every batch. */
typedef void (*sf_tick_fn)(void *ctx);

struct sf_pktio_opts {
	enum sf_pktio_mode mode;
	unsigned int block_size;  /* ring: bytes per block, power of 2 pages */
	unsigned int block_nr;    /* ring: number of blocks */
	unsigned int retire_ms;   /* ring: hand a partial block over after */
	unsigned int batch;       /* frames per sendmmsg/recvmmsg */
	int poll_ms;              /* idle wake-up for the tick */
	unsigned int spin_us;     /* ceiling of the adaptive spin before
				   * sleeping, us (0: never spin; at most
				   * SF_SPIN_MAX_US) */
	bool cpu_follow;          /* mmsg mode: run on the CPU the frames
				   * come from (pktio_follow.h) */
};

struct sf_pktio {
	int fd;
	int ifindex;
	enum sf_pktio_mode mode;
	unsigned int batch;
	int poll_ms;
	/* ring mode */
	uint8_t *ring;
	size_t ring_len;
	unsigned int block_size, block_nr, cur;
	/* mmsg mode: batch receive buffers of SF_PKTIO_MAX_FRAME + vnet hdr */
	uint8_t *rxbuf;
	struct mmsghdr *rx_msgs;
	struct iovec *rx_iov;
	/* TX batch */
	struct mmsghdr *tx_msgs;
	struct iovec *tx_iov;
	unsigned int tx_n;
	uint64_t tx_errors;
	int last_tx_err;
	bool sw_gso;            /* kernel refused a GSO send: de-GSO here */
	unsigned int mtu;       /* interface MTU, bytes (frame = mtu + 14) */
	uint64_t tx_whole;      /* GSO frames sent whole as one jumbo frame */
	uint64_t tx_segmented;  /* GSO frames sent as software segments */
	struct sf_spin spin;    /* adaptive spin before sleeping */
	struct sf_follow follow; /* where to run (follow.on: following) */
	int follow_fd;          /* /proc/thread-self/schedstat, or -1 */
	uint8_t *rx_cmsg;       /* mmsg + following: SO_MARK of each frame */
	int rx_n;               /* mmsg: frames of the batch received */
	/* loop control, set by the caller before sf_pktio_run() */
	volatile sig_atomic_t *stop;   /* loop ends when *stop != 0 */
	const sigset_t *poll_sigmask;  /* mask while waiting (ring mode's
					* ppoll) */
	sf_tick_fn tick;
	void *tick_ctx;
};

/** sf_pktio_opts_default() - ring mode, 32 x 256 KiB blocks, 1 ms block
 * retire, batches of 64, 200 ms idle tick, no spinning, no following. */
void sf_pktio_opts_default(struct sf_pktio_opts *o);

/**
 * sf_pktio_open() - open the packet socket on @ifname (needs CAP_NET_RAW;
 * call before the sandbox), receiving only untagged NSH frames (the
 * socket filter, pktio.c). @o may be NULL for defaults. CPU following
 * (@o->cpu_follow, mmsg mode) needs SO_RCVMARK, the thread's schedstat
 * and two or more allowed CPUs; without one of them io->follow.on is
 * false and the rest works as asked.
 * Return: 0 or -errno (ENODEV: no such interface); io is left closed.
 */
int sf_pktio_open(struct sf_pktio *io, const char *ifname,
		  const struct sf_pktio_opts *o);

/**
 * sf_pktio_run() - receive frames until *io->stop, calling @cb on each and
 * sending back those it passes (with their vnet header). A sendmsg error
 * is counted in io->tx_errors and does not end the loop.
 * Return: 0 when stopped, -errno on a receive/poll failure.
 */
int sf_pktio_run(struct sf_pktio *io, sf_frame_fn cb, void *ctx);

/** sf_pktio_send() - send one frame now (e.g. a reply an SF originates).
 * @vnet may be NULL (no offloads). Return: 0 or -errno. */
int sf_pktio_send(struct sf_pktio *io, const void *frame, size_t len,
		  const struct virtio_net_hdr *vnet);

/** sf_pktio_kernel_drops() - frames the kernel dropped since the last call
 * (PACKET_STATISTICS). Return: count, 0 on error. */
uint64_t sf_pktio_kernel_drops(struct sf_pktio *io);

/** sf_pktio_close() - unmap, free, close. Safe on a closed io. */
void sf_pktio_close(struct sf_pktio *io);

#endif /* SF_PKTIO_H */
