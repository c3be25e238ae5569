#ifndef PLEDGED_CIDR_H
#define PLEDGED_CIDR_H
/*
 * Address ranges in CIDR notation ("10.0.0.0/8", "::1/128", or a bare
 * address for itself alone), as PLEDGED_TRUSTED_PROXIES lists them.
 * Addresses are raw network-order bytes: 4 for IPv4, 16 for IPv6; an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) counts as its IPv4 address.
 */
#include "core/fault.h"

#include <stdbool.h>
#include <stddef.h>

#define CIDR_MAX 32

struct cidr {
    unsigned char addr[16];
    size_t len; /* 4 or 16 */
    unsigned prefix;
};

struct cidr_list {
    struct cidr items[CIDR_MAX];
    size_t n;
};

/* Parses a list separated by commas and/or spaces; an empty or NULL spec
 * is the empty list. 0, or FAULT_INVALID naming the entry at fault. */
int cidr_list_parse(struct cidr_list *out, const char *spec, struct fault *f)
    __attribute__((warn_unused_result));

/* Parses one address (no prefix) into out (16 bytes); its length (4 or
 * 16, mapped IPv6 reduced to 4), or 0 if s[0..len) is not an address. */
size_t cidr_addr_parse(unsigned char out[16], const char *s, size_t len);

/* True when addr (len 4 or 16) lies in one of the list's ranges. */
bool cidr_list_contains(const struct cidr_list *l, const unsigned char *addr,
                        size_t len);

#endif
