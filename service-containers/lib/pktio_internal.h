/* SPDX-License-Identifier: GPL-2.0-only */
/* pktio_internal.h - shared between pktio.c and pktio_rx.c only. */
#ifndef SF_PKTIO_INTERNAL_H
#define SF_PKTIO_INTERNAL_H

#include "pktio.h"

/* One recvmmsg slot: headroom, vnet header, the largest frame. */
#define PKTIO_RXSLOT (SF_PKTIO_HEADROOM + sizeof(struct virtio_net_hdr) + \
		      SF_PKTIO_MAX_FRAME)

/* Queue a frame for sendmmsg; flushes when the batch is full. The memory
 * must stay valid until pktio_tx_flush(). */
void pktio_tx_queue(struct sf_pktio *io, struct virtio_net_hdr *vnet,
		    uint8_t *data, size_t len);
void pktio_tx_flush(struct sf_pktio *io);

#endif /* SF_PKTIO_INTERNAL_H */
