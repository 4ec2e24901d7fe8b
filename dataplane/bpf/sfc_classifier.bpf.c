// SPDX-License-Identifier: GPL-2.0-only
/*
 * sfc_classifier.bpf.c - sfc_from_pod: tcx ingress of an app endpoint's
 * host-side veth, i.e. every packet leaving the pod.
 *
 * Classifies the packet against the pod's egress rules, then the
 * destination pod's ingress rules; on a match pushes NSH (RFC 8300) and
 * runs the SFF forward step. Unmatched traffic to a local pod is delivered
 * directly; everything else, and link-scope traffic (ND, multicast,
 * broadcast) always, goes on to the kernel (TCX_NEXT).
 */
#include "lib/defs.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/policy.h"
#include "lib/nsh.h"
#include "lib/deliver.h"
#include "lib/sff.h"
#include "lib/verdict.h"

/* Which rule set matched, and with which SPI. */
struct sfc_class {
	__u32 spi;
	__u32 dir;
};

/* Egress rules of the source first, then ingress rules of a local dst. */
static __always_inline bool sfc_classify(__u32 src_vpid, __u32 dst_vpid,
					 const struct sfc_pkt *pkt,
					 struct sfc_class *cls)
{
	if (sfc_policy_match(src_vpid, SFC_DIR_EGRESS, pkt, &cls->spi)) {
		cls->dir = SFC_DIR_EGRESS;
		return true;
	}
	if (dst_vpid &&
	    sfc_policy_match(dst_vpid, SFC_DIR_INGRESS, pkt, &cls->spi)) {
		cls->dir = SFC_DIR_INGRESS;
		return true;
	}
	return false;
}

static __always_inline int sfc_from_pod_main(struct __sk_buff *skb)
{
	struct sfc_class cls = {};
	struct sfc_pkt pkt = {};
	__u32 src_vpid, dst_vpid;
	void *data, *data_end;
	int ret;

	src_vpid = sfc_vpid_of_ifindex(skb->ifindex);
	if (!src_vpid)
		return SFC_V_NEXT;
	if (skb->protocol != bpf_htons(ETH_P_IP) &&
	    skb->protocol != bpf_htons(ETH_P_IPV6))
		return SFC_V_NEXT;

	sfc_pull_headers(skb);
	data = sfc_data(skb);
	data_end = sfc_data_end(skb);
	ret = sfc_parse_eth(data, data_end);
	if (ret < 0)
		return ret;
	ret = sfc_parse_ip(data, data_end, ret, &pkt);
	if (ret)
		return ret;
	if (sfc_is_link_scope(&pkt))
		return SFC_V_NEXT;

	dst_vpid = sfc_local_vpid(pkt.family, pkt.daddr);
	if (!sfc_classify(src_vpid, dst_vpid, &pkt, &cls))
		return dst_vpid ? sfc_deliver(skb, dst_vpid) : SFC_V_NEXT;

	ret = sfc_nsh_push(skb, cls.spi,
			   pkt.family == 4 ? SFC_NSH_NP_IPV4 : SFC_NSH_NP_IPV6,
			   src_vpid, cls.dir);
	if (ret)
		return ret;
	return sfc_sff_forward(skb, cls.spi, SFC_NSH_SI_START, src_vpid);
}

SEC("tc")
int sfc_from_pod(struct __sk_buff *skb)
{
	return sfc_exit(sfc_from_pod_main(skb));
}

char LICENSE[] SEC("license") = "GPL";
