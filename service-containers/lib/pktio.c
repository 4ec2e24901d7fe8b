// SPDX-License-Identifier: GPL-2.0-only
/*
 * pktio.c - packet socket setup, TX batching, teardown. The receive loops
 * are in pktio_rx.c. See pktio.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "pktio.h"
#include "sfc_common.h"
#include "gso.h"
#include "pktio_internal.h"

#define SOCKBUF_BYTES (8 * 1024 * 1024)

void sf_pktio_opts_default(struct sf_pktio_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = SF_PKTIO_RING;
	o->block_size = 256 * 1024;
	o->block_nr = 32;
	o->retire_ms = 1;
	o->batch = 64;
	o->poll_ms = 200;
}

static int setopt(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val)) < 0 ? -errno : 0;
}

/* mmsg mode sleeps in recvmmsg (pktio_rx.c): wake up for the idle tick. */
static int set_rcvtimeo(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ?
	       -errno : 0;
}

/* Bigger socket buffers absorb bursts of GSO frames; FORCE needs
 * CAP_NET_ADMIN, which a pod may lack: fall back to the capped call. */
static void grow_buffers(int fd)
{
	if (setopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, SOCKBUF_BYTES))
		setopt(fd, SOL_SOCKET, SO_SNDBUF, SOCKBUF_BYTES);
	if (setopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, SOCKBUF_BYTES))
		setopt(fd, SOL_SOCKET, SO_RCVBUF, SOCKBUF_BYTES);
}

static int setup_ring(struct sf_pktio *io, const struct sf_pktio_opts *o)
{
	struct tpacket_req3 req = {
		.tp_block_size = o->block_size,
		.tp_block_nr = o->block_nr,
		/* V3 packs variable-size frames; frame_size only has to
		 * divide the block for the kernel's sanity checks. */
		.tp_frame_size = o->block_size,
		.tp_frame_nr = o->block_nr,
		.tp_retire_blk_tov = o->retire_ms,
	};
	int err;

	err = setopt(io->fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3);
	if (!err)
		err = setopt(io->fd, SOL_PACKET, PACKET_RESERVE,
			     SF_PKTIO_HEADROOM);
	if (err)
		return err;
	if (setsockopt(io->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		return -errno;
	io->ring_len = (size_t)o->block_size * o->block_nr;
	io->ring = mmap(NULL, io->ring_len, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_LOCKED, io->fd, 0);
	if (io->ring == MAP_FAILED) /* MAP_LOCKED may exceed RLIMIT_MEMLOCK */
		io->ring = mmap(NULL, io->ring_len, PROT_READ | PROT_WRITE,
				MAP_SHARED, io->fd, 0);
	if (io->ring == MAP_FAILED) {
		io->ring = NULL;
		return -errno;
	}
	io->block_size = o->block_size;
	io->block_nr = o->block_nr;
	return 0;
}

/* The thread's run time and run-queue wait so far, ns (schedstat's first
 * two fields). Return: 0 or -errno. */
int pktio_schedstat(int fd, uint64_t *run_ns, uint64_t *wait_ns)
{
	char buf[96], *end;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return n ? -errno : -EIO;
	buf[n] = 0;
	*run_ns = strtoull(buf, &end, 10);
	*wait_ns = strtoull(end, &end, 10);
	return *end == ' ' || *end == '\n' ? 0 : -EINVAL;
}

uint64_t pktio_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Following the flow's CPU (pktio_follow.h): the SFF's mark on each
 * frame (SO_RCVMARK), this thread's schedstat, and the affinity it
 * started with. Any of them missing leaves following off.
 */
static void setup_follow(struct sf_pktio *io, bool want)
{
	uint64_t run = 0, wait = 0;
	cpu_set_t allowed;

	CPU_ZERO(&allowed);
	want = want && io->mode == SF_PKTIO_MMSG &&
	       !sched_getaffinity(0, sizeof(allowed), &allowed) &&
	       !setopt(io->fd, SOL_SOCKET, SO_RCVMARK, 1);
	if (want)
		io->follow_fd = open("/proc/thread-self/schedstat",
				     O_RDONLY | O_CLOEXEC);
	want = want && io->follow_fd >= 0 &&
	       !pktio_schedstat(io->follow_fd, &run, &wait);
	sf_follow_init(&io->follow, want, &allowed, pktio_mono_ns(), run,
		       wait);
	if (!io->follow.on && io->follow_fd >= 0) {
		close(io->follow_fd);
		io->follow_fd = -1;
	}
}

static int alloc_batches(struct sf_pktio *io)
{
	unsigned int i, n = io->batch;

	io->tx_msgs = calloc(n, sizeof(*io->tx_msgs));
	io->tx_iov = calloc(2 * n, sizeof(*io->tx_iov));
	if (!io->tx_msgs || !io->tx_iov)
		return -ENOMEM;
	if (io->mode != SF_PKTIO_MMSG)
		return 0;
	io->rxbuf = malloc((size_t)n * PKTIO_RXSLOT);
	io->rx_msgs = calloc(n, sizeof(*io->rx_msgs));
	io->rx_iov = calloc(n, sizeof(*io->rx_iov));
	if (io->follow.on)
		io->rx_cmsg = calloc(n, PKTIO_RXCMSG);
	if (!io->rxbuf || !io->rx_msgs || !io->rx_iov ||
	    (io->follow.on && !io->rx_cmsg))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		io->rx_iov[i].iov_base = io->rxbuf + (size_t)i * PKTIO_RXSLOT +
					 SF_PKTIO_HEADROOM;
		io->rx_iov[i].iov_len = PKTIO_RXSLOT - SF_PKTIO_HEADROOM;
		io->rx_msgs[i].msg_hdr.msg_iov = &io->rx_iov[i];
		io->rx_msgs[i].msg_hdr.msg_iovlen = 1;
		if (io->rx_cmsg)
			io->rx_msgs[i].msg_hdr.msg_control =
				io->rx_cmsg + (size_t)i * PKTIO_RXCMSG;
	}
	return 0;
}

/* The interface MTU, or 1500 if it cannot be read. */
static unsigned int iface_mtu(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned int mtu = 1500;

	if (fd < 0)
		return mtu;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0)
		mtu = (unsigned int)ifr.ifr_mtu;
	close(fd);
	return mtu;
}

/*
 * The socket takes only what the frame step can process: untagged
 * Ethernet frames of EtherType 0x894F (NSH, RFC 8300 section 2; OAM
 * probes and counts answers included). Everything else the interface
 * carries (the node's IPv6 router solicitations and neighbour discovery
 * on the host veth, ARP, LLDP...) is dropped in the kernel instead of
 * waking the SF up to be counted as malformed. SFs here always speak NSH:
 * an SFC-unaware SF is a plain netns without them (the SFC proxy). A
 * frame with a VLAN tag, which the receive path moved out of the data
 * before the packet taps (the filter sees the data from the MAC header
 * on, not the vnet header), would be sent back untagged: the SFF never
 * sends one, so it is dropped too. The filter's return value caps the
 * bytes queued: -1 keeps GSO super-frames whole.
 */
static int attach_nsh_filter(int fd)
{
	static struct sock_filter nsh_only[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12), /* EtherType */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SFC_ETH_P_NSH, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xFFFFFFFF),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {
		.len = sizeof(nsh_only) / sizeof(nsh_only[0]),
		.filter = nsh_only,
	};

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			  sizeof(prog)) ? -errno : 0;
}

static int bind_iface(struct sf_pktio *io)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = io->ifindex,
	};

	return bind(io->fd, (struct sockaddr *)&sll, sizeof(sll)) ? -errno : 0;
}

int sf_pktio_open(struct sf_pktio *io, const char *ifname,
		  const struct sf_pktio_opts *o)
{
	struct sf_pktio_opts def;
	int err;

	if (!o) {
		sf_pktio_opts_default(&def);
		o = &def;
	}
	memset(io, 0, sizeof(*io));
	io->fd = -1;
	io->follow_fd = -1;
	io->mode = o->mode;
	io->batch = o->batch ? o->batch : 64;
	io->poll_ms = o->poll_ms > 0 ? o->poll_ms : 200;
	sf_spin_init(&io->spin, (uint64_t)(o->spin_us < SF_SPIN_MAX_US ?
					   o->spin_us : SF_SPIN_MAX_US) * 1000);
	io->ifindex = (int)if_nametoindex(ifname);
	if (!io->ifindex)
		return -ENODEV;
	io->mtu = iface_mtu(ifname);
	/* Protocol 0: receive nothing until bind(), after the ring exists. */
	io->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (io->fd < 0)
		return -errno;
	/* Must precede the ring: the kernel refuses it with a ring set. */
	err = setopt(io->fd, SOL_PACKET, PACKET_VNET_HDR, 1);
	if (!err)
		err = setopt(io->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
	/* Before bind(): no unfiltered frame is ever queued. */
	if (!err)
		err = attach_nsh_filter(io->fd);
	if (!err && io->mode == SF_PKTIO_RING)
		err = setup_ring(io, o);
	if (!err && io->mode == SF_PKTIO_MMSG)
		err = set_rcvtimeo(io->fd, io->poll_ms);
	if (!err) {
		setup_follow(io, o->cpu_follow);
		err = alloc_batches(io);
	}
	if (!err) {
		grow_buffers(io->fd);
		err = bind_iface(io);
	}
	if (err)
		sf_pktio_close(io);
	return err;
}

static int emit_segment(void *ctx, const struct virtio_net_hdr *vnet,
			const uint8_t *hdr, size_t hdr_len, const uint8_t *pay,
			size_t pay_len)
{
	struct sf_pktio *io = ctx;
	struct iovec iov[3] = {
		{ .iov_base = (void *)vnet, .iov_len = sizeof(*vnet) },
		{ .iov_base = (void *)hdr, .iov_len = hdr_len },
		{ .iov_base = (void *)pay, .iov_len = pay_len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 3 };

	while (sendmsg(io->fd, &mh, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/* Send a GSO frame as MTU-sized segments (see gso.h for why). */
static void send_segmented(struct sf_pktio *io, struct virtio_net_hdr *vnet,
			   uint8_t *data, size_t len)
{
	int n = sf_gso_segment(data, len, vnet, emit_segment, io);

	if (n < 0) {
		io->last_tx_err = -n;
		io->tx_errors++;
		return;
	}
	io->tx_segmented++;
}

static bool is_gso(const struct virtio_net_hdr *vnet)
{
	return vnet->gso_type != VIRTIO_NET_HDR_GSO_NONE;
}

/* Largest plain frame for @frame: SFC_SF_PLAIN_MAX when the SFF asked for
 * small frames (SFC_TLV_F_SMALL: an SFC-unaware SF comes next), else the
 * interface MTU. */
static size_t plain_max(const struct sf_pktio *io, const uint8_t *frame,
			size_t len)
{
	const struct sfc_nsh_hdr *h = (const void *)(frame + ETH_HLEN);

	if (len >= ETH_HLEN + SFC_NSH_LEN &&
	    frame[12] == (SFC_ETH_P_NSH >> 8) && frame[13] == (SFC_ETH_P_NSH & 0xFF) &&
	    ntohs(h->tlv.md_class) == SFC_NSH_MD_CLASS &&
	    h->tlv.type == SFC_TLV_ENDPOINT && (h->ep.flags & SFC_TLV_F_SMALL))
		return SFC_SF_PLAIN_MAX;
	return (size_t)io->mtu + ETH_HLEN;
}

/*
 * Where the kernel cannot take a GSO NSH frame (see gso.h), the next best
 * is to send the super-frame as few plain frames as possible: the checksum
 * stays offloaded (NEEDS_CSUM is kept) and each frame crosses the SFF and
 * reaches the destination pod in one piece, so TCP keeps its throughput.
 * Only when the SFF asks for it (plain_max()) are frames kept under
 * SFC_SF_PLAIN_MAX. Return true if @vnet now describes one plain frame.
 */
static bool degso_whole(struct sf_pktio *io, struct virtio_net_hdr *vnet,
			const uint8_t *frame, size_t len)
{
	if (len > plain_max(io, frame, len))
		return false;
	vnet->gso_type = VIRTIO_NET_HDR_GSO_NONE;
	vnet->gso_size = 0;
	io->tx_whole++;
	return true;
}

/* Cut a GSO frame into plain frames of as many whole MSS-sized segments as
 * fit plain_max() (see degso_whole()). */
static void send_chunked(struct sf_pktio *io, struct virtio_net_hdr *vnet,
			 uint8_t *data, size_t len)
{
	struct virtio_net_hdr chunk = *vnet;
	size_t max = plain_max(io, data, len), k = 1;

	/* vnet->hdr_len is only a hint: budget the largest header gso.c takes. */
	if (vnet->gso_size && max > SF_GSO_MAX_HDR)
		k = (max - SF_GSO_MAX_HDR) / vnet->gso_size;
	if (k > 1 && k * vnet->gso_size <= 0xFFFF)
		chunk.gso_size = (uint16_t)(k * vnet->gso_size);
	send_segmented(io, &chunk, data, len);
}

void pktio_tx_queue(struct sf_pktio *io, struct virtio_net_hdr *vnet,
		    uint8_t *data, size_t len)
{
	struct iovec *iov;
	struct msghdr *mh;

	if (io->sw_gso && is_gso(vnet) && !degso_whole(io, vnet, data, len)) {
		pktio_tx_flush(io); /* keep frame order */
		send_chunked(io, vnet, data, len);
		return;
	}
	iov = &io->tx_iov[2 * io->tx_n];
	mh = &io->tx_msgs[io->tx_n].msg_hdr;

	iov[0].iov_base = vnet;
	iov[0].iov_len = sizeof(*vnet);
	iov[1].iov_base = data;
	iov[1].iov_len = len;
	memset(mh, 0, sizeof(*mh));
	mh->msg_iov = iov;
	mh->msg_iovlen = 2;
	if (++io->tx_n == io->batch)
		pktio_tx_flush(io);
}

void pktio_tx_flush(struct sf_pktio *io)
{
	unsigned int i = 0;
	int n;

	while (i < io->tx_n) {
		n = sendmmsg(io->fd, io->tx_msgs + i, io->tx_n - i, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* The message at i failed. A GSO frame the kernel
			 * cannot take whole: segment it, and all later
			 * ones. Anything else: count it, go on. */
			if (is_gso(io->tx_iov[2 * i].iov_base)) {
				io->sw_gso = true;
				if (degso_whole(io, io->tx_iov[2 * i].iov_base,
						io->tx_iov[2 * i + 1].iov_base,
						io->tx_iov[2 * i + 1].iov_len))
					continue; /* resend message i whole */
				send_chunked(io, io->tx_iov[2 * i].iov_base,
					       io->tx_iov[2 * i + 1].iov_base,
					       io->tx_iov[2 * i + 1].iov_len);
			} else {
				io->last_tx_err = errno;
				io->tx_errors++;
			}
			i++;
			continue;
		}
		i += (unsigned int)n;
	}
	io->tx_n = 0;
}

int sf_pktio_send(struct sf_pktio *io, const void *frame, size_t len,
		  const struct virtio_net_hdr *vnet)
{
	struct virtio_net_hdr none = { .gso_type = VIRTIO_NET_HDR_GSO_NONE };
	struct iovec iov[2] = {
		{ .iov_base = (void *)(vnet ? vnet : &none),
		  .iov_len = sizeof(none) },
		{ .iov_base = (void *)frame, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	return sendmsg(io->fd, &mh, 0) < 0 ? -errno : 0;
}

uint64_t sf_pktio_kernel_drops(struct sf_pktio *io)
{
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	if (getsockopt(io->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
		return 0;
	return st.tp_drops;
}

void sf_pktio_close(struct sf_pktio *io)
{
	if (io->ring)
		munmap(io->ring, io->ring_len);
	io->ring = NULL;
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
	if (io->follow_fd >= 0)
		close(io->follow_fd);
	io->follow_fd = -1;
	io->follow.on = false;
	free(io->rx_cmsg);
	io->rx_cmsg = NULL;
	free(io->tx_msgs);
	free(io->tx_iov);
	free(io->rxbuf);
	free(io->rx_msgs);
	free(io->rx_iov);
	io->tx_msgs = NULL;
	io->tx_iov = NULL;
	io->rxbuf = NULL;
	io->rx_msgs = NULL;
	io->rx_iov = NULL;
}
