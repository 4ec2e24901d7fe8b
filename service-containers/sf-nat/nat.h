/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nat.h - sf-nat: IPv4 source NAT (masquerade) with port allocation and
 * reverse translation, for TCP, UDP and ICMP echo (the identifier plays
 * the port).
 *
 * Forward (client -> server, any destination but nat_ip): the source
 * becomes nat_ip:P, where P is allocated from port_range for the
 * connection (proto, client ip:port, server ip:port) and kept while the
 * mapping is used. Reverse (server -> nat_ip:P): the destination becomes
 * the client's ip:port again, only if the mapping exists and the packet
 * comes from the server it was made for (address- and port-dependent
 * filtering); anything else to nat_ip is dropped (no_mapping). One port
 * per connection and protocol: the table holds exactly 3 x range mappings
 * (one slot per protocol and port), so it is bounded by construction.
 * Mappings idle for timeout_s are expired (oldest first, exact). A
 * connection whose client port is in port_range keeps it (port
 * preservation, as Linux's SNAT does) when that port is free and not
 * freed by another connection within SF_NAT_REUSE_MS; other ports are
 * reused in FIFO order. So a restarted sf-nat (an empty table) gives a
 * client's connection the port its predecessor gave it, instead of
 * handing the first ports of the range to other connections while the
 * servers still hold the old ones in TIME-WAIT (whose SYNs they would
 * answer with an old ACK: an RST and a SYN retransmission each).
 *
 * Headers are rewritten in place, never the payload; checksums are
 * updated incrementally (RFC 1624), the IPv4 header checksum recomputed.
 * Frames with VIRTIO_NET_HDR_F_NEEDS_CSUM (CHECKSUM_PARTIAL, e.g. TCP GSO
 * super-frames) carry only the pseudo-header sum in the TCP/UDP checksum
 * field: it is updated for the address change only (see l4.h).
 *
 * Not translated: IPv6 (passed unchanged, counted), IPv4 fragments and
 * ICMP other than echo, other protocols (dropped, counted).
 *
 * Offload (stateful offload, sfc_common.h SFC_TLV_NAT; "offload", default
 * true, needs timeout_s >= 4): the packet that uses a mapping carries it
 * to the SFF, which translates the flow's next packets itself, both ways,
 * so the SF sees only the first ones (and the TCP FIN / RST, after which
 * the rest of the connection comes through the SF again). An offloaded
 * mapping due to expire is kept until the SFF says whether it carried
 * packets since (a counts query, flowq.h): yes keeps it another
 * timeout_s, no frees it; the SFF ends the offload after the same idle
 * time, so it never translates with a port the SF gave away. A table that
 * starts over starts a new SF epoch: the SFF drops the old translations.
 *
 * Config: {"nat_ip": "A.B.C.D", "port_range": "20000-29999",
 *          "timeout_s": 300, "offload": true}
 */
#ifndef SF_NAT_H
#define SF_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "flowq.h"
#include "frame.h"
#include "sfc_jbuf.h"
#include "tabutil.h"

#define SF_NAT_NPROTO 3 /* tcp, udp, icmp */
#define SF_NAT_TIMEOUT_DEFAULT_S 300
#define SF_NAT_TIMEOUT_MAX_S 86400
/* An offloaded mapping still seen after this many packets is offloaded
 * again (the SFF may have ignored the request, e.g. over its bound). */
#define SF_NAT_REASK 64
/* A port another connection freed is not preserved for this long: 2 MSL
 * (RFC 9293 section 3.4.2), the TIME-WAIT a server may still hold. */
#define SF_NAT_REUSE_MS 240000ull

struct sf_nat_map {
	uint8_t client[4], server[4]; /* network order */
	uint16_t cport, sport;        /* host order; icmp: id, 0 */
	uint64_t last_ms;
	uint64_t packets_out, packets_in;
	uint32_t hnext;
	bool used;
	/* Offload (nat_offload.c). */
	bool offloaded;       /* the SFF was asked to translate it */
	bool has_ref;         /* ref names the flow for a counts query */
	bool asking;          /* a counts query is out, asked at ask_ms */
	bool closing;         /* a TCP FIN or RST passed: no offload */
	uint8_t reask;        /* packets seen since the last request */
	uint64_t ask_ms;
	uint64_t sff_total;   /* packets the SFF carried, last answer */
	struct sf_flow_ref ref;
};

struct sf_nat_cfg {
	uint8_t nat_ip[4];
	uint16_t lo, hi;              /* port_range, inclusive */
	uint64_t timeout_ms;
	bool offload;                 /* "offload" (default true) */
};

struct sf_nat {
	struct sf_nat_cfg cfg;
	uint32_t range, cap, nbuckets;
	struct sf_nat_map *m;   /* owned; slot = proto * range + port - lo */
	struct sf_ilink *lk;    /* owned; links for lru and the free queues */
	uint32_t *buckets;      /* owned; forward hash */
	struct sf_ilist lru;    /* used slots, newest first */
	struct sf_ilist freeq[SF_NAT_NPROTO];
	uint64_t allocations, exhausted, expired;
	uint64_t translated_out, translated_in, no_mapping;
	uint64_t unsupported, fragments, passed_v6, bad_offload;
	uint64_t offload_requests, offload_kept, offload_released;
	struct sf_flowq q;      /* counts queries of offloaded mappings */
};

/**
 * sf_nat_configure() - apply config @cfg (from @path, named in @err) to
 * the struct sf_nat @ctx (sf_app_ops.configure and .reload), atomically:
 * on error it is unchanged. nat_ip must be a unicast address: 0.0.0.0/8,
 * loopback, multicast, broadcast and 240.0.0.0/4 are refused. A changed
 * nat_ip or port_range starts an empty table (existing mappings are
 * dropped); a changed timeout_s keeps them. Return: 0, -EINVAL (message in @err), -ENOMEM.
 */
int sf_nat_configure(void *ctx, const cJSON *cfg, const char *path,
		     char *err, size_t errlen);

/**
 * sf_nat_translate() - translate one valid frame in place at @now_ms
 * (monotonic ms, injected for tests). Writes the inner IP/L4 headers of
 * @pkt->frame (the frame is the caller's, writable).
 * Return: SF_VERDICT_PASS (translated, or IPv6 passed) or SF_VERDICT_DROP
 * (counted in no_mapping/exhausted/unsupported/fragments/bad_offload).
 */
enum sf_verdict sf_nat_translate(struct sf_nat *nat, const struct sf_pkt *pkt,
				 uint64_t now_ms);

/** sf_nat_on_packet() - sf_pkt_fn: translate at sf_now_ms(). */
enum sf_verdict sf_nat_on_packet(void *ctx, const struct sf_pkt *pkt);

/**
 * sf_nat_offload() - after @m translated @pkt (protocol index @pidx):
 * ask the SFF to take the flow over, unless offload is off, the mapping
 * is closing (a TCP FIN or RST: remembered here) or was asked for less
 * than SF_NAT_REASK packets ago.
 */
void sf_nat_offload(struct sf_nat *nat, struct sf_nat_map *m, int pidx,
		    const struct sf_pkt *pkt);

/**
 * sf_nat_offload_expiring() - @m (an offloaded mapping) is due to expire
 * at @now_ms: ask the SFF whether it still carries the flow.
 * Return: true to keep @m for now (the answer decides), false to free it.
 */
bool sf_nat_offload_expiring(struct sf_nat *nat, struct sf_nat_map *m,
			     uint64_t now_ms);

/** sf_nat_answer() - sf_flowq_answer_fn: the SFF's answer about the
 * offloaded mapping of flow @t (NULL @a: none in time). */
void sf_nat_answer(void *ctx, const struct sf_tuple *t, uint32_t why,
		   const struct sf_counts_answer *a);

/** sf_nat_flowq() - sf_app_ops.flowq: the queue, or NULL without offload. */
struct sf_flowq *sf_nat_flowq(void *ctx);

/** sf_nat_tick() - sf_app_ops.tick: expire idle mappings at @now_ms. */
void sf_nat_tick(void *ctx, uint64_t now_ms);

/** sf_nat_active() - mappings in use. */
static inline uint32_t sf_nat_active(const struct sf_nat *nat)
{
	return nat->lru.n;
}

/** sf_nat_stats_json() - the "nat" member of the stats file. */
void sf_nat_stats_json(void *ctx, struct sfc_jbuf *jb);

/** sf_nat_free() - release the table of the struct sf_nat @ctx, which
 * becomes zeroed (sf_app_ops.fini). */
void sf_nat_free(void *ctx);

/* Internal to nat.c / nat_xlate.c. */
int sf_nat_proto_idx(uint8_t proto);
void sf_nat_expire(struct sf_nat *nat, uint64_t now_ms);
struct sf_nat_map *sf_nat_lookup(struct sf_nat *nat, int pidx,
				 const uint8_t *client, uint16_t cport,
				 const uint8_t *server, uint16_t sport);
struct sf_nat_map *sf_nat_alloc(struct sf_nat *nat, int pidx,
				const uint8_t *client, uint16_t cport,
				const uint8_t *server, uint16_t sport,
				uint64_t now_ms);
void sf_nat_touch(struct sf_nat *nat, struct sf_nat_map *m, uint64_t now_ms);
void sf_nat_release(struct sf_nat *nat, struct sf_nat_map *m);

static inline uint16_t sf_nat_port_of(const struct sf_nat *nat,
				      const struct sf_nat_map *m)
{
	return (uint16_t)(nat->cfg.lo + (uint32_t)(m - nat->m) % nat->range);
}

#endif /* SF_NAT_H */
