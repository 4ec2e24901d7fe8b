/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gso.h - software TCP segmentation of an NSH GSO frame.
 *
 * Why: a packet socket send of a GSO frame is marked SKB_GSO_DODGY, and a
 * veth lacks NETIF_F_GSO_ROBUST, so the kernel must "segment" (validate)
 * it through the GSO handler of skb->protocol, here ETH_P_NSH. Kernels
 * built without CONFIG_NET_NSH (this one: 6.18 without it) have no such
 * handler and the send fails (ENOMEM from __dev_queue_xmit). pktio then
 * falls back to this: cut the super-frame into gso_size TCP segments, each
 * with a copy of the Ethernet+NSH+IP+TCP headers fixed up (IP length, IPv4
 * id and header checksum, TCP seq and flags, pseudo-header checksum) and
 * sent with VIRTIO_NET_HDR_F_NEEDS_CSUM so the kernel still finishes the
 * TCP checksum.
 */
#ifndef SF_GSO_H
#define SF_GSO_H

#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

#define SF_GSO_MAX_HDR 512

/* One segment: @hdr (a scratch copy, valid during the call) then @pay (a
 * slice of the original frame), sent with @vnet. Return 0 or -errno. */
typedef int (*sf_gso_emit_fn)(void *ctx, const struct virtio_net_hdr *vnet,
			      const uint8_t *hdr, size_t hdr_len,
			      const uint8_t *pay, size_t pay_len);

/**
 * sf_gso_segment() - segment an Ethernet+NSH+IPv4/IPv6+TCP GSO frame.
 * @frame, @len: the frame; @vnet: its header (gso_type TCPV4 or TCPV6,
 * NEEDS_CSUM with csum_start at the TCP header).
 * Return: number of segments emitted; -EINVAL if the frame is not such a
 * frame (other gso types, bad offsets); the first -errno of @emit.
 */
int sf_gso_segment(const uint8_t *frame, size_t len,
		   const struct virtio_net_hdr *vnet, sf_gso_emit_fn emit,
		   void *ctx);

#endif /* SF_GSO_H */
