/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * args.h - the command line every SF shares.
 */
#ifndef SF_ARGS_H
#define SF_ARGS_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "pktio.h"

struct sf_args {
	const char *iface;    /* --iface, default "eth0" */
	const char *config;   /* --config FILE, NULL if absent */
	const char *stats;    /* --stats FILE, NULL if absent */
	const char *pidfile;  /* --pidfile FILE, NULL if absent */
	bool no_sandbox;      /* --no-sandbox: debugging only */
	uid_t uid;            /* --user UID[:GID] or NAME, default 65534 */
	gid_t gid;
	enum sf_pktio_mode rx_mode; /* --rx-mode ring|mmsg, default mmsg */
	unsigned int spin_us; /* --spin-us N: adaptive spin ceiling, us
			       * (0: off), default SF_ARGS_SPIN_US */
	bool pin;             /* --cpu LIST given: run only on @cpus */
	cpu_set_t cpus;
	bool cpu_follow;      /* --cpu-follow on|off, default on: run on the
			       * CPU the frames' flows come from
			       * (pktio_follow.h),
			       * within --cpu's set when both are given */
};

/* --spin-us default: off. Measured on a loaded 2-core node the spin won
 * no latency and cost CPU and throughput (service-containers/README.md,
 * Packet I/O); it is for nodes with spare cores. */
#define SF_ARGS_SPIN_US 0u

/**
 * sf_args_parse() - parse @argv into @a (strings borrow @argv).
 * @err: receives a one-line message on -EINVAL (@errlen bytes).
 * Return: 0; 1 if --help was given (usage printed on stdout); -EINVAL on
 * an unknown option, a missing value or a bad --user/--rx-mode/--spin-us
 * (an integer 0..SF_SPIN_MAX_US)/--cpu (CPU numbers and ranges below
 * CPU_SETSIZE joined by commas: "1", "0,2-3")/--cpu-follow (on, off).
 */
int sf_args_parse(struct sf_args *a, int argc, char **argv, char *err,
		  size_t errlen);

/** sf_args_usage() - print the option summary for @prog to @out. */
void sf_args_usage(FILE *out, const char *prog);

#endif /* SF_ARGS_H */
