/* The firmware's log: one line per event on the host channel, every line starting "tz: ".
 * tz_log() takes a printf-like format: %s %c %d %u %x %lx %lu %ld %%. The caller holds el3_lock. */
#ifndef EL3_CONSOLE_H
#define EL3_CONSOLE_H
#include "types.h"

void console_init(void);
void tz_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
