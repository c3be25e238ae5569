#include "core/clock.h"

#include "core/fault.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void clock_format(char out[CLOCK_RFC3339_LEN], int64_t us)
{
    time_t secs = (time_t)(us / 1000000);
    int64_t frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    char tmp[64]; /* room for any int, so no truncation warning */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
             (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
    memcpy(out, tmp, CLOCK_RFC3339_LEN - 1);
    out[CLOCK_RFC3339_LEN - 1] = '\0';
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int clock_parse(int64_t *us, const char *s)
{
    int y, mo, d, h, mi, sec;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
        s[16] != ':' || !digits(s + 17, 2, &sec))
        return FAULT_INVALID;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 59)
        return FAULT_INVALID;
    const char *p = s + 19;
    int64_t frac = 0;
    if (*p == '.') {
        int n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 6)
                frac = frac * 10 + (*p - '0');
        if (n == 0 || n > 9)
            return FAULT_INVALID;
        for (; n < 6; n++)
            frac *= 10;
    }
    int offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
            oh > 23 || om > 59)
            return FAULT_INVALID;
        offset = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return FAULT_INVALID;
    }
    if (*p != '\0')
        return FAULT_INVALID;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    int64_t t = (int64_t)timegm(&tm) - offset;
    if (t < CLOCK_MIN_US / 1000000 || t > CLOCK_MAX_US / 1000000)
        return FAULT_INVALID;
    *us = t * 1000000 + frac;
    return 0;
}
