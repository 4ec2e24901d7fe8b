/* SPDX-License-Identifier: GPL-2.0-only */
/* sfc_env.h - environment defaults shared by every program. */
#ifndef SFC_ENV_H
#define SFC_ENV_H

/**
 * sfc_env_or() - value of environment variable @name, or @def when it is
 * unset or empty (an empty SFC_PIN_DIR means "the default", not "/").
 * Return: a pointer owned by the environment, or @def.
 */
const char *sfc_env_or(const char *name, const char *def);

#endif /* SFC_ENV_H */
