// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cni_netns.c - network namespace handles. Rather than running code inside
 * the pod's netns, we open a netlink socket (or a /proc/sys/net file) there:
 * it stays bound to the netns it was opened in, so one setns() round trip
 * is all it takes.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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

int cni_netns_is_self(int netns_fd)
{
	struct stat ns, self;

	if (fstat(netns_fd, &ns) < 0 || stat("/proc/self/ns/net", &self) < 0)
		return -errno;
	return ns.st_dev == self.st_dev && ns.st_ino == self.st_ino;
}

int cni_netns_open_pod(const char *path, struct cni_err *e)
{
	int fd = cni_netns_open(path), self;

	if (fd < 0)
		return cni_err_set(e, fd == -ENOENT || fd == -EINVAL
				   ? CNI_ERR_INVALID_ENV : CNI_ERR_INTERNAL,
				   fd, "CNI_NETNS %s is not a usable network namespace",
				   path);
	self = cni_netns_is_self(fd);
	if (self) {
		close(fd);
		return self < 0 ? cni_err_set(e, CNI_ERR_INTERNAL, self,
					      "CNI_NETNS %s", path)
				: cni_err_set(e, CNI_ERR_INVALID_ENV, 0,
					      "CNI_NETNS %s is sfc-cni's own network namespace (the node's), not a pod's: refusing to wire it",
					      path);
	}
	return fd;
}

int cni_nl_connect(struct nl_sock **sk)
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

int cni_netns_run(int netns_fd, int (*fn)(void *), void *arg)
{
	int self, err;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		err = -errno;
		close(self);
		return err;
	}
	err = fn(arg);
	if (setns(self, CLONE_NEWNET) < 0)
		err = -errno; /* cannot go home: the caller must give up */
	close(self);
	return err;
}

static int nl_connect_cb(void *sk)
{
	return cni_nl_connect(sk);
}

int cni_nl_open(int netns_fd, struct nl_sock **sk)
{
	int err;

	*sk = NULL;
	if (netns_fd < 0)
		return cni_nl_connect(sk);
	err = cni_netns_run(netns_fd, nl_connect_cb, sk);
	if (err) {
		cni_nl_close(*sk);
		*sk = NULL;
	}
	return err;
}

struct sysctl_write {
	const char *path;
	const char *value;
};

static int sysctl_write_cb(void *arg)
{
	const struct sysctl_write *w = arg;
	size_t n = strlen(w->value);
	int fd, err = 0;

	fd = open(w->path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, w->value, n) != (ssize_t)n)
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

int cni_netns_sysctl(int netns_fd, const char *key, const char *value)
{
	char path[256];
	struct sysctl_write w = { .path = path, .value = value };

	if (strstr(key, "..") ||
	    snprintf(path, sizeof(path), "/proc/sys/%s", key) >= (int)sizeof(path))
		return -EINVAL;
	return netns_fd < 0 ? sysctl_write_cb(&w)
			    : cni_netns_run(netns_fd, sysctl_write_cb, &w);
}

void cni_nl_close(struct nl_sock *sk)
{
	if (sk) {
		nl_close(sk);
		nl_socket_free(sk);
	}
}
