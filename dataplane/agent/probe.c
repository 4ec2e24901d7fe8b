// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * probe.c - NSH OAM liveness probe (RFC 8300 section 2.2: O bit set).
 *
 * Frame: Ethernet (dst = SF interface MAC, src = host veth MAC, 0x894F) |
 * NSH base (ver 0, O, TTL 63, length SFC_NSH_LEN_WORDS, MD type 2, Next
 * Protocol SFC_NSH_NP_OAM) | SPI 0, SI 255 | MD type 2 TLV carrying the
 * SF's own VPID. Sent out of the SF endpoint's host-side veth, so it
 * enters the SF's namespace; the SF echoes it back and the SFF records the
 * time in sfc_sf_health[vpid].
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent.h"

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5]) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

/* Build the probe for @vpid into @buf (>= 14 + SFC_NSH_LEN bytes). */
static size_t probe_build(uint8_t *buf, const uint8_t dst[6],
			  const uint8_t src[6], uint32_t vpid)
{
	struct sfc_nsh_hdr nsh;
	uint16_t et = htons(SFC_ETH_P_NSH);

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	memcpy(buf + 12, &et, 2);
	memset(&nsh, 0, sizeof(nsh));
	nsh.base.word = htonl((uint32_t)SFC_NSH_VERSION << SFC_NSH_VER_SHIFT |
			      SFC_NSH_O_BIT |
			      (SFC_NSH_TTL_DEFAULT & SFC_NSH_TTL_MASK) << SFC_NSH_TTL_SHIFT |
			      (SFC_NSH_LEN_WORDS & SFC_NSH_LEN_MASK) << SFC_NSH_LEN_SHIFT |
			      (SFC_NSH_MD_TYPE_2 & SFC_NSH_MDTYPE_MASK) << SFC_NSH_MDTYPE_SHIFT |
			      SFC_NSH_NP_OAM);
	nsh.base.sp = htonl(SFC_SP(0, SFC_NSH_SI_START));
	nsh.tlv.md_class = htons(SFC_NSH_MD_CLASS);
	nsh.tlv.type = SFC_TLV_ENDPOINT;
	nsh.tlv.len = sizeof(nsh.ep);
	nsh.ep.src_vpid = htons((uint16_t)vpid);
	memcpy(buf + 14, &nsh, sizeof(nsh));
	return 14 + sizeof(nsh);
}

int agent_probe_send(const struct sfc_ep_record *r)
{
	uint8_t frame[14 + SFC_NSH_LEN], dst[6], src[6];
	struct sockaddr_ll sll;
	unsigned int ifindex;
	size_t len;
	int fd, err = 0;

	if (parse_mac(r->mac, dst) || parse_mac(r->host_mac, src))
		return -EINVAL;
	ifindex = if_nametoindex(r->host_ifname);
	if (!ifindex)
		return -errno;
	len = probe_build(frame, dst, src, r->vpid);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(SFC_ETH_P_NSH);
	sll.sll_ifindex = (int)ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dst, 6);
	if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		err = -errno;
	close(fd);
	return err;
}
