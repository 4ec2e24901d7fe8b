/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sfc_log.h - one log level for every program, from SFC_LOG_LEVEL
 * (error, warn, info or debug; default: the program's own), and the one
 * libbpf print hook. Logs go to stderr only: sfc-cni's stdout is its
 * result, sfcctl's is its table or JSON.
 */
#ifndef SFC_LOG_H
#define SFC_LOG_H

enum sfc_log_level {
	SFC_LOG_ERROR,
	SFC_LOG_WARN,
	SFC_LOG_INFO,
	SFC_LOG_DEBUG,
};

/**
 * sfc_log_init() - set the program name used as the log prefix and the
 * level: SFC_LOG_LEVEL when it names one, else @def. Called once, by
 * main(), before anything logs; @prog must outlive the process (a string
 * literal).
 * Return: the level in force.
 */
enum sfc_log_level sfc_log_init(const char *prog, enum sfc_log_level def);

/** sfc_log_level() - the level set by sfc_log_init() (SFC_LOG_ERROR before). */
enum sfc_log_level sfc_log_level(void);

/**
 * sfc_log() - print "PROG: message\n" to stderr when @lvl is at or below
 * the level in force; @fmt is printf-style, without the newline.
 */
void sfc_log(enum sfc_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * sfc_log_libbpf() - route libbpf's messages through sfc_log's level:
 * libbpf warnings at warn, info at info, debug (verifier logs) at debug.
 * Called by main() of the programs that use libbpf, after sfc_log_init().
 */
void sfc_log_libbpf(void);

#endif /* SFC_LOG_H */
