/* The few libc routines the firmware needs (the compiler may also emit calls to the mem* ones). */
#ifndef EL3_LIB_H
#define EL3_LIB_H
#include "types.h"

void *memset(void *dst, int c, u64 n);
void *memcpy(void *dst, const void *src, u64 n);
int memcmp(const void *a, const void *b, u64 n);
u64 strlen(const char *s);
int streq(const char *a, const char *b);
int strneq(const char *a, const char *b, u64 n);

/* A ticket-free spinlock built on exclusives; the whole monitor runs under one lock. */
typedef struct { volatile u32 locked; } spinlock_t;
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
extern spinlock_t el3_lock;

#endif
