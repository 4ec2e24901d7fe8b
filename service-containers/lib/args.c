// SPDX-License-Identifier: GPL-2.0-only
/*
 * args.c - shared SF command line. See args.h.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "sandbox.h"

enum { OPT_NO_SANDBOX = 256, OPT_RX_MODE, OPT_SPIN_US, OPT_CPU, OPT_CPU_FOLLOW };

static const struct option long_opts[] = {
	{ "iface", required_argument, NULL, 'i' },
	{ "config", required_argument, NULL, 'c' },
	{ "stats", required_argument, NULL, 's' },
	{ "pidfile", required_argument, NULL, 'p' },
	{ "user", required_argument, NULL, 'u' },
	{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
	{ "rx-mode", required_argument, NULL, OPT_RX_MODE },
	{ "spin-us", required_argument, NULL, OPT_SPIN_US },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "cpu-follow", required_argument, NULL, OPT_CPU_FOLLOW },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void sf_args_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s [options]\n"
		"  --iface IFNAME     interface the SFF sends frames on (eth0)\n"
		"  --config FILE      JSON configuration\n"
		"  --stats FILE       JSON stats file, rewritten every 500 ms\n"
		"  --pidfile FILE     write the pid here at start\n"
		"  --user UID[:GID]   unprivileged ids, or a user name (65534)\n"
		"  --rx-mode MODE     mmsg (recvmmsg, default) or ring (TPACKET_V3)\n"
		"  --spin-us N        spin up to N us (adaptive) before sleeping,\n"
		"                     0: never (%u)\n"
		"  --cpu LIST         run only on these CPUs (\"1\", \"0,2-3\")\n"
		"  --cpu-follow on|off  mmsg: run on the CPU the frames' flows\n"
		"                     come from while that pays (on)\n"
		"  --no-sandbox       keep root, caps and all syscalls (debug)\n"
		"  --help\n",
		prog, SF_ARGS_SPIN_US);
}

static int parse_id(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return (errno || end == s || *end || *out > 0xFFFFFFFEul) ? -EINVAL : 0;
}

/* "UID", "UID:GID" or a user name (its primary group). */
static int parse_user(struct sf_args *a, const char *s)
{
	unsigned long uid, gid;
	const char *colon = strchr(s, ':');
	struct passwd *pw;
	char tmp[32];

	if (!colon && parse_id(s, &uid) < 0) {
		pw = getpwnam(s);
		if (!pw)
			return -EINVAL;
		a->uid = pw->pw_uid;
		a->gid = pw->pw_gid;
		return 0;
	}
	if (colon) {
		if ((size_t)(colon - s) >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, s, (size_t)(colon - s));
		tmp[colon - s] = '\0';
		if (parse_id(tmp, &uid) || parse_id(colon + 1, &gid))
			return -EINVAL;
	} else {
		gid = uid;
	}
	a->uid = (uid_t)uid;
	a->gid = (gid_t)gid;
	return 0;
}

/* "N", "N-M", joined by commas, each below CPU_SETSIZE. */
static int parse_cpus(const char *s, cpu_set_t *set)
{
	unsigned long lo, hi;
	char *end;

	CPU_ZERO(set);
	do {
		errno = 0;
		lo = strtoul(s, &end, 10);
		if (errno || end == s || *s == '-' || *s == '+')
			return -EINVAL;
		hi = lo;
		if (*end == '-') {
			s = end + 1;
			hi = strtoul(s, &end, 10);
			if (errno || end == s || *s == '-' || *s == '+')
				return -EINVAL;
		}
		if (lo > hi || hi >= CPU_SETSIZE)
			return -EINVAL;
		for (; lo <= hi; lo++)
			CPU_SET(lo, set);
		s = end + 1;
	} while (*end == ',');
	return *end ? -EINVAL : 0;
}

static int parse_one(struct sf_args *a, int c, char *err, size_t errlen)
{
	unsigned long v;

	switch (c) {
	case 'i': a->iface = optarg; break;
	case 'c': a->config = optarg; break;
	case 's': a->stats = optarg; break;
	case 'p': a->pidfile = optarg; break;
	case OPT_NO_SANDBOX: a->no_sandbox = true; break;
	case 'u':
		if (parse_user(a, optarg) == 0)
			break;
		snprintf(err, errlen, "--user: bad user '%s'", optarg);
		return -EINVAL;
	case OPT_RX_MODE:
		if (!strcmp(optarg, "ring") || !strcmp(optarg, "mmsg")) {
			a->rx_mode = optarg[0] == 'r' ? SF_PKTIO_RING
						      : SF_PKTIO_MMSG;
			break;
		}
		snprintf(err, errlen, "--rx-mode: expected ring or mmsg");
		return -EINVAL;
	case OPT_SPIN_US:
		if (parse_id(optarg, &v) == 0 && v <= SF_SPIN_MAX_US) {
			a->spin_us = (unsigned int)v;
			break;
		}
		snprintf(err, errlen, "--spin-us: expected 0..%u (us)",
			 SF_SPIN_MAX_US);
		return -EINVAL;
	case OPT_CPU:
		if (parse_cpus(optarg, &a->cpus) == 0) {
			a->pin = true;
			break;
		}
		snprintf(err, errlen, "--cpu: expected CPU numbers and ranges "
			 "joined by commas, e.g. 1 or 0,2-3");
		return -EINVAL;
	case OPT_CPU_FOLLOW:
		if (!strcmp(optarg, "on") || !strcmp(optarg, "off")) {
			a->cpu_follow = optarg[1] == 'n';
			break;
		}
		snprintf(err, errlen, "--cpu-follow: expected on or off");
		return -EINVAL;
	default:
		snprintf(err, errlen, "bad option (see --help)");
		return -EINVAL;
	}
	return 0;
}

int sf_args_parse(struct sf_args *a, int argc, char **argv, char *err,
		  size_t errlen)
{
	int c, ret;

	memset(a, 0, sizeof(*a));
	a->iface = "eth0";
	a->uid = SF_SANDBOX_UID_DEFAULT;
	a->gid = SF_SANDBOX_GID_DEFAULT;
	/* recvmmsg by default: the ring hands a partly filled block over only
	 * on its 1 ms timer, which costs up to 1 ms per hop at low rates, while
	 * throughput is the same (make bench measures both). */
	a->rx_mode = SF_PKTIO_MMSG;
	a->spin_us = SF_ARGS_SPIN_US;
	a->cpu_follow = true;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (c == 'h') {
			sf_args_usage(stdout, argv[0]);
			return 1;
		}
		ret = parse_one(a, c, err, errlen);
		if (ret)
			return ret;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}
