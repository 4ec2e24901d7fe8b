// SPDX-License-Identifier: GPL-2.0-only
/*
 * sfapp.c - shared SF main(). See sfapp.h.
 *
 * Everything that needs a path or a privilege (config, stats file, pidfile,
 * packet socket, user lookup) happens before sf_sandbox_enter(); after it
 * the process can only move packets, write to the fds it holds and exit.
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "config.h"
#include "files.h"
#include "sandbox.h"
#include "sfapp.h"

struct sf_app {
	const struct sf_app_ops *ops;
	void *ctx;
	struct sf_args args;
	struct sf_stats stats;
	struct sf_pktio io;
	int cfg_dirfd;          /* the config file's directory, O_PATH */
	char cfg_name[256];     /* its name in there */
	struct sf_frame_ops fops;
	struct sf_flowq *flowq; /* the SF's, or NULL */
};

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t reload_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reload_flag = 1;
}

/* No SA_RESTART: a signal interrupts ppoll at once. When it lands just
 * before ppoll, the loop notices within one poll interval (200 ms). */
static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		return -errno;
	sa.sa_handler = on_hup;
	if (sigaction(SIGHUP, &sa, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/*
 * Reload needs to open the config again inside the sandbox, which forbids
 * open(2): keep an O_PATH fd of its directory and openat() the name
 * relative to it (the only open seccomp allows; see sandbox.h). A file
 * replaced by rename, or a Kubernetes ConfigMap's symlink swap, is seen.
 */
static int open_config_dir(struct sf_app *app)
{
	const char *path = app->args.config;
	char dir[4096];
	int ret;

	ret = sf_path_split(path, dir, sizeof(dir), app->cfg_name,
			    sizeof(app->cfg_name));
	if (!ret) {
		app->cfg_dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		ret = app->cfg_dirfd < 0 ? -errno : 0;
	}
	if (ret)
		fprintf(stderr, "%s: config: %s: %s\n", app->ops->name, path,
			strerror(-ret));
	return ret;
}

static void reload(struct sf_app *app)
{
	const char *name = app->ops->name;
	char err[512] = "";
	int ret;

	if (!app->ops->reload || app->cfg_dirfd < 0) {
		fprintf(stderr, "%s: SIGHUP: %s, ignored\n", name,
			app->ops->reload ? "no --config" : "no reload support");
		return;
	}
	ret = sf_config_apply_at(app->cfg_dirfd, app->cfg_name,
				 app->args.config, app->ops->reload, app->ctx,
				 err, sizeof(err));
	if (ret)
		fprintf(stderr, "%s: reload failed, keeping the running "
			"config: %s\n", name,
			err[0] ? err : strerrorname_np(-ret));
	else
		fprintf(stderr, "%s: reload: %s applied\n", name,
			app->args.config);
}

static int configure(struct sf_app *app)
{
	const struct sf_app_ops *ops = app->ops;
	char err[512] = "";
	int ret;

	if (!app->args.config && ops->config_required) {
		fprintf(stderr, "%s: --config FILE is required\n", ops->name);
		return -EINVAL;
	}
	if (!app->args.config) {
		ret = ops->configure ? ops->configure(app->ctx, NULL, NULL,
						      err, sizeof(err)) : 0;
		goto out;
	}
	ret = open_config_dir(app);
	if (ret)
		return ret;
	ret = sf_config_apply_at(app->cfg_dirfd, app->cfg_name,
				 app->args.config, ops->configure, app->ctx,
				 err, sizeof(err));
	if (!ops->reload) { /* nothing to re-read: give the fd up */
		close(app->cfg_dirfd);
		app->cfg_dirfd = -1;
	}
out:
	if (ret)
		fprintf(stderr, "%s: config: %s\n", ops->name,
			err[0] ? err : strerror(-ret));
	return ret;
}

/* --cpu: the SFs of a chain on one CPU hand frames over without
 * inter-processor wake-ups (service-containers/README.md, Packet I/O). */
static int pin_cpus(struct sf_app *app)
{
	int err;

	if (!app->args.pin)
		return 0;
	if (!sched_setaffinity(0, sizeof(app->args.cpus), &app->args.cpus))
		return 0;
	err = -errno;
	fprintf(stderr, "%s: --cpu: %s\n", app->ops->name, strerror(-err));
	return err;
}

static int open_io(struct sf_app *app)
{
	struct sf_pktio_opts o;
	int ret;

	sf_pktio_opts_default(&o);
	o.mode = app->args.rx_mode;
	o.spin_us = app->args.spin_us;
	o.cpu_follow = app->args.cpu_follow;
	ret = sf_pktio_open(&app->io, app->args.iface, &o);
	if (ret)
		fprintf(stderr, "%s: packet socket on %s: %s\n", app->ops->name,
			app->args.iface, strerror(-ret));
	return ret;
}

/* Send the SF's queued counts queries; give up on unanswered ones. */
static void send_queries(struct sf_app *app)
{
	uint8_t frame[SF_FLOWQ_FRAME_LEN];
	size_t len;

	sf_flowq_expire(app->flowq);
	while ((len = sf_flowq_next(app->flowq, frame, sizeof(frame))))
		if (sf_pktio_send(&app->io, frame, len, NULL))
			app->io.tx_errors++;
}

static void on_tick(void *arg)
{
	struct sf_app *app = arg;
	uint64_t now = sf_now_ms();

	if (app->ops->tick)
		app->ops->tick(app->ctx, now);
	if (app->flowq)
		send_queries(app);
	if (reload_flag) {
		reload_flag = 0;
		reload(app);
	}
	if (now - app->stats.last_pub_ms < SF_STATS_INTERVAL_MS)
		return;
	app->stats.c.tx_errors = app->io.tx_errors;
	app->stats.c.ring_drops += sf_pktio_kernel_drops(&app->io);
	sf_stats_publish(&app->stats, now, false);
}

static enum sf_verdict on_frame(void *arg, struct sf_frame *f)
{
	struct sf_app *app = arg;

	return sf_frame_process_ops(&app->stats.c, f, &app->fops, app->ctx);
}

static int setup(struct sf_app *app)
{
	struct sf_sandbox_opts sb;
	int ret;

	ret = configure(app);
	if (!ret)
		ret = sf_stats_init(&app->stats, app->ops->name,
				    app->args.iface, app->args.stats);
	if (ret)
		return ret;
	if (app->ops->stats_json)
		sf_stats_set_extra(&app->stats, app->ops->stats_json, app->ctx);
	app->fops.on_packet = app->ops->on_packet;
	app->flowq = app->ops->flowq ? app->ops->flowq(app->ctx) : NULL;
	if (app->flowq) {
		app->fops.on_counts = sf_flowq_answer;
		app->fops.counts_ctx = app->flowq;
	}
	ret = pin_cpus(app);
	if (!ret)
		ret = open_io(app);
	if (!ret && app->args.pidfile) {
		ret = sf_pidfile_write(app->args.pidfile);
		if (ret)
			fprintf(stderr, "%s: pidfile %s: %s\n", app->ops->name,
				app->args.pidfile, sf_file_strerror(ret));
	}
	if (!ret)
		ret = install_signals();
	if (ret)
		return ret;
	fprintf(stderr, "%s: started on %s (ifindex %d, rx %s, spin up to "
		"%u us, %s, cpu-follow %s), config %s, stats %s, sandbox %s "
		"(uid %u gid %u)\n",
		app->ops->name, app->args.iface, app->io.ifindex,
		app->io.mode == SF_PKTIO_RING ? "ring" : "mmsg",
		app->args.spin_us, app->args.pin ? "pinned" : "any CPU",
		app->io.follow.on ? "on" : "off",
		app->args.config ? app->args.config : "(none)",
		app->args.stats ? app->args.stats : "(none)",
		app->args.no_sandbox ? "OFF" : "on", app->args.uid,
		app->args.gid);
	if (app->args.no_sandbox)
		return 0;
	sf_sandbox_opts_default(&sb);
	sb.uid = app->args.uid;
	sb.gid = app->args.gid;
	sb.allow_config_read = app->cfg_dirfd >= 0;
	sb.config_dirfd = app->cfg_dirfd;
	sb.hook = app->ops->sandbox_hook;
	sb.hook_arg = app->ctx;
	sb.follow_fd = app->io.follow.on ? app->io.follow_fd : -1;
	return sf_sandbox_enter(&sb);
}

static void teardown(struct sf_app *app, int ret)
{
	struct sf_counters *c = &app->stats.c;

	c->tx_errors = app->io.tx_errors;
	if (app->io.fd >= 0)
		c->ring_drops += sf_pktio_kernel_drops(&app->io);
	sf_stats_publish(&app->stats, sf_now_ms(), true);
	/* strerrorname_np, not strerror: no locale files under seccomp. */
	fprintf(stderr, "%s: exiting (%s): rx %llu tx %llu dropped %llu "
		"malformed %llu oam %llu tx_errors %llu spin_hits %llu "
		"spin_misses %llu spin_ms %llu follow_pins %llu "
		"follow_unpins %llu (contended %llu busy %llu left %llu)\n",
		app->ops->name,
		ret ? strerrorname_np(-ret) : "ok",
		(unsigned long long)c->rx_packets,
		(unsigned long long)c->tx_packets,
		(unsigned long long)c->dropped,
		(unsigned long long)c->malformed, (unsigned long long)c->oam,
		(unsigned long long)c->tx_errors,
		(unsigned long long)app->io.spin.hits,
		(unsigned long long)app->io.spin.misses,
		(unsigned long long)(app->io.spin.spun_ns / 1000000),
		(unsigned long long)app->io.follow.pins,
		(unsigned long long)app->io.follow.unpins,
		(unsigned long long)app->io.follow.contended,
		(unsigned long long)app->io.follow.busy,
		(unsigned long long)app->io.follow.left);
	sf_pktio_close(&app->io);
	sf_stats_fini(&app->stats);
	if (app->cfg_dirfd >= 0)
		close(app->cfg_dirfd);
	if (app->ops->fini)
		app->ops->fini(app->ctx);
}

/*
 * Descriptors the launcher left open (a runtime's, a shell's) would stay
 * open through the sandbox: a socket or a writable file the SF has no
 * business with. The SF never execs, so close-on-exec does not help:
 * close all but stdin, stdout and stderr before opening anything.
 */
static void close_inherited_fds(void)
{
	long fd, max;

	if (!close_range(3, ~0U, 0))
		return;
	max = sysconf(_SC_OPEN_MAX); /* kernels before 5.9 */
	for (fd = 3; fd < max; fd++)
		close((int)fd);
}

int sf_app_main(int argc, char **argv, const struct sf_app_ops *ops,
		void *ctx)
{
	struct sf_app app = { .ops = ops, .ctx = ctx };
	char err[256] = "";
	int ret;

	close_inherited_fds();
	app.io.fd = -1;
	app.stats.fd = -1;
	app.cfg_dirfd = -1;
	ret = sf_args_parse(&app.args, argc, argv, err, sizeof(err));
	if (ret) {
		if (ret < 0)
			fprintf(stderr, "%s: %s\n", ops->name, err);
		return ret < 0 ? 2 : 0;
	}
	ret = setup(&app);
	if (ret) {
		sf_pktio_close(&app.io);
		sf_stats_fini(&app.stats);
		if (app.cfg_dirfd >= 0)
			close(app.cfg_dirfd);
		if (ops->fini)
			ops->fini(ctx);
		return 1;
	}
	app.io.stop = &stop_flag;
	app.io.tick = on_tick;
	app.io.tick_ctx = &app;
	ret = sf_pktio_run(&app.io, on_frame, &app);
	teardown(&app, ret);
	return ret ? 1 : 0;
}
