#ifndef PLEDGED_PROXY_H
#define PLEDGED_PROXY_H
/*
 * Who the client is behind a reverse proxy. Pure: no libmicrohttpd.
 *
 * One header is read, the one the proxies set (PLEDGED_PROXY_HEADER:
 * X-Forwarded-For, or Forwarded of RFC 7239): a proxy passes the other
 * one through as the client sent it. It is believed only when the peer
 * (the address that connected to us) is in the trusted list. Then the
 * chain of addresses is walked from the right: trusted proxies are
 * skipped, and the first address that is not trusted is the client. A
 * hop we cannot read ("unknown", an obfuscated name, garbage) ends the
 * walk at the last trusted proxy seen, so a client cannot name someone
 * else. X-Real-IP is never read.
 */
#include "core/cidr.h"

#include <stdbool.h>
#include <stddef.h>

/* Writes the client's address into out (16 bytes) and its length (4 or
 * 16) into *outlen. chain is the value of every line of the header
 * joined by commas, or NULL when absent; forwarded: it is a Forwarded
 * header (for= parameters), else X-Forwarded-For (bare addresses). */
void proxy_client(unsigned char out[16], size_t *outlen,
                  const unsigned char *peer, size_t peer_len,
                  const char *chain, bool forwarded,
                  const struct cidr_list *trusted);

#endif
