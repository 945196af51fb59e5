/*
 * version.h: the version pgpool reports (pgpool -v, SHOW pool_version).
 */
#ifndef PGPOOL_UTILS_VERSION_H
#define PGPOOL_UTILS_VERSION_H

#define PGPOOL_VERSION_STRING "4.3.5"	/* the pgpool-II release whose behaviour this follows */

#endif
