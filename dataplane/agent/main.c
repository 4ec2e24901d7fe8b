// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sfc-agent - node agent: keeps sfc_paths/sfc_policy in line with the
 * objects (standalone: <conf_dir>/chains.d and pods.d; cluster mode: the
 * API server's ServiceChains and this node's pods) and the endpoint
 * records, and health-checks every SF instance with NSH OAM probes.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sfc_agent_proto.h"
#include "sfc_dp.h"
#include "sfc_env.h"
#include "sfc_log.h"
#include "agent.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static const char usage[] =
	"usage: sfc-agent [--conf-dir DIR] [--state-dir DIR] [--pin-dir DIR]\n"
	"                 [--interval-ms N] [--dead-after-ms N] [--once] [-v]\n"
	"                 [--mode auto|standalone|cluster] [--kubeconfig PATH]\n"
	"                 [--node-name NAME] [--socket PATH]\n";

static int parse_args(int argc, char **argv, struct agent_cfg *cfg)
{
	static const struct option opts[] = {
		{ "conf-dir", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "dead-after-ms", required_argument, NULL, 'd' },
		{ "once", no_argument, NULL, '1' },
		{ "mode", required_argument, NULL, 'm' },
		{ "kubeconfig", required_argument, NULL, 'k' },
		{ "node-name", required_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	long v;
	int o;

	while ((o = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cfg->conf_dir = optarg; break;
		case 's': cfg->state_dir = optarg; break;
		case 'p': cfg->pin_dir = optarg; break;
		case '1': cfg->once = true; break;
		case 'v': cfg->verbose = true; break;
		case 'k': cfg->kubeconfig = optarg; break;
		case 'n': cfg->node_name = optarg; break;
		case 'S': cfg->socket_path = optarg; break;
		case 'm':
			if (!strcmp(optarg, "auto"))
				cfg->mode = AGENT_MODE_AUTO;
			else if (!strcmp(optarg, "standalone"))
				cfg->mode = AGENT_MODE_STANDALONE;
			else if (!strcmp(optarg, "cluster"))
				cfg->mode = AGENT_MODE_CLUSTER;
			else {
				fprintf(stderr, "sfc-agent: bad --mode %s\n", optarg);
				return -1;
			}
			break;
		case 'i':
		case 'd':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 3600000) {
				fprintf(stderr, "sfc-agent: bad value %s\n", optarg);
				return -1;
			}
			*(o == 'i' ? &cfg->interval_ms : &cfg->dead_after_ms) = (unsigned)v;
			break;
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* auto: cluster mode when an API server (--kubeconfig, or in a pod
 * KUBERNETES_SERVICE_HOST) and this node's name (--node-name, or NODE_NAME
 * / SFC_NODE_NAME from the downward API) are known. Return: 0 or -1 with
 * the reason printed. */
static int resolve_mode(struct agent_cfg *cfg)
{
	const char *env_node = getenv("NODE_NAME");

	if (!cfg->node_name || !cfg->node_name[0])
		cfg->node_name = env_node && *env_node ? env_node : getenv("SFC_NODE_NAME");
	if (cfg->node_name && !cfg->node_name[0])
		cfg->node_name = NULL;
	if (cfg->mode == AGENT_MODE_AUTO)
		cfg->mode = cfg->node_name && (cfg->kubeconfig ||
					       getenv("KUBERNETES_SERVICE_HOST"))
				    ? AGENT_MODE_CLUSTER : AGENT_MODE_STANDALONE;
	if (cfg->mode != AGENT_MODE_CLUSTER)
		return 0;
	if (!cfg->node_name) {
		fprintf(stderr, "sfc-agent: cluster mode needs --node-name (or NODE_NAME)\n");
		return -1;
	}
	if (cfg->once) {
		fprintf(stderr, "sfc-agent: --once is for standalone mode\n");
		return -1;
	}
	if (!cfg->socket_path)
		cfg->socket_path = SFC_AGENT_SOCKET_DEFAULT;
	return 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct agent_cfg cfg = { .interval_ms = 200, .dead_after_ms = 600 };
	struct agent_health *h;
	uint64_t sig = 0, full = 0;
	struct sigaction sa;
	char last_err[4096] = "";
	char snap[PATH_MAX];
	int rc = 0;

	/* Info by default: libbpf's warnings and notes, not its debug log. */
	sfc_log_init("sfc-agent", SFC_LOG_INFO);
	sfc_log_libbpf();
	cfg.conf_dir = sfc_env_or("SFC_CONF_DIR", SFC_CONF_DIR_DEFAULT);
	cfg.state_dir = sfc_env_or("SFC_STATE_DIR", SFC_STATE_DIR_DEFAULT);
	cfg.pin_dir = sfc_env_or("SFC_PIN_DIR", SFC_PIN_DIR_DEFAULT);
	if (parse_args(argc, argv, &cfg)) {
		fputs(usage, stderr);
		return 2;
	}
	if (resolve_mode(&cfg))
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	h = calloc(1, sizeof(*h));
	if (!h)
		return 1;
	if (!cfg.once)
		agent_log("started: %s%s, state %s, pins %s, every %u ms, dead after %u ms",
			  cfg.mode == AGENT_MODE_CLUSTER ? "cluster mode" : "conf ",
			  cfg.mode == AGENT_MODE_CLUSTER ? "" : cfg.conf_dir,
			  cfg.state_dir, cfg.pin_dir, cfg.interval_ms,
			  cfg.dead_after_ms);
	if (cfg.mode == AGENT_MODE_CLUSTER) {
		rc = agent_cluster_run(&cfg, h, &stop);
		agent_log("stopping");
		free(h);
		return rc ? 1 : 0;
	}
	/* Standalone now: a snapshot left by cluster mode would have sfcctl
	 * show chains that nobody programs any more instead of chains.d. */
	snprintf(snap, sizeof(snap), "%s/%s", cfg.state_dir, SFC_SNAPSHOT_FILE);
	if (!unlink(snap))
		agent_log("removed %s: cluster mode's snapshot", snap);
	do {
		rc = agent_round(&cfg, h, &sig, &full, last_err, sizeof(last_err));
		if (!cfg.once)
			sleep_ms(cfg.interval_ms);
	} while (!cfg.once && !stop);
	if (!cfg.once)
		agent_log("stopping");
	free(h);
	return cfg.once && rc ? 1 : 0;
}
