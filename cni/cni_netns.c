// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cni_netns.c - network namespace handles. Rather than running code inside
 * the pod's netns, we open a netlink socket there: a socket stays bound to
 * the netns it was created in, so one setns() round trip is all it takes.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/nsfs.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include "cni_net.h"

int cni_netns_open(const char *path)
{
	int fd, type, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0 || type != CLONE_NEWNET) {
		err = type < 0 && errno != ENOTTY && errno != EINVAL ? -errno
								    : -EINVAL;
		close(fd);
		return err;
	}
	return fd;
}

static int nl_connect_here(struct nl_sock **sk)
{
	int err;

	*sk = nl_socket_alloc();
	if (!*sk)
		return -ENOMEM;
	err = nl_connect(*sk, NETLINK_ROUTE);
	if (err < 0) {
		nl_socket_free(*sk);
		*sk = NULL;
		return cni_nl_errno(err);
	}
	return 0;
}

int cni_nl_open(int netns_fd, struct nl_sock **sk)
{
	int self, err;

	*sk = NULL;
	if (netns_fd < 0)
		return nl_connect_here(sk);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		err = -errno;
		close(self);
		return err;
	}
	err = nl_connect_here(sk);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Cannot go home: nothing after this would be safe. */
		err = -errno;
		cni_nl_close(*sk);
		*sk = NULL;
	}
	close(self);
	return err;
}

void cni_nl_close(struct nl_sock *sk)
{
	if (sk) {
		nl_close(sk);
		nl_socket_free(sk);
	}
}
