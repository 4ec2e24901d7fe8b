/* SPDX-License-Identifier: GPL-2.0-only */
/* pktio_internal.h - shared between pktio.c and pktio_rx.c only. */
#ifndef SF_PKTIO_INTERNAL_H
#define SF_PKTIO_INTERNAL_H

#include "pktio.h"

/* One recvmmsg slot: headroom, vnet header, the largest frame. */
#define PKTIO_RXSLOT (SF_PKTIO_HEADROOM + sizeof(struct virtio_net_hdr) + \
		      SF_PKTIO_MAX_FRAME)

/* One recvmmsg slot's control buffer: the frame's SO_MARK (following). */
#define PKTIO_RXCMSG CMSG_SPACE(sizeof(uint32_t))

#ifndef SO_RCVMARK
#define SO_RCVMARK 75 /* Linux 5.19; glibc 2.36 headers lack it */
#endif

/* CLOCK_MONOTONIC now, ns. */
uint64_t pktio_mono_ns(void);

/* Read /proc/thread-self/schedstat at @fd: run time and run-queue wait of
 * the thread, ns. Return: 0 or -errno. */
int pktio_schedstat(int fd, uint64_t *run_ns, uint64_t *wait_ns);

/* Queue a frame for sendmmsg; flushes when the batch is full. The memory
 * must stay valid until pktio_tx_flush(). */
void pktio_tx_queue(struct sf_pktio *io, struct virtio_net_hdr *vnet,
		    uint8_t *data, size_t len);
void pktio_tx_flush(struct sf_pktio *io);

#endif /* SF_PKTIO_INTERNAL_H */
