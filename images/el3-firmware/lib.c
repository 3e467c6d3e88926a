/* Byte-wise memory helpers (MMU off: no unaligned wide accesses) and the monitor lock. */
#include "lib.h"

spinlock_t el3_lock;

void *memset(void *dst, int c, u64 n)
{
	u8 *d = dst;
	while (n--)
		*d++ = (u8)c;
	return dst;
}

void *memcpy(void *dst, const void *src, u64 n)
{
	u8 *d = dst;
	const u8 *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

int memcmp(const void *a, const void *b, u64 n)
{
	const u8 *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

u64 strlen(const char *s)
{
	u64 n = 0;
	while (s[n])
		n++;
	return n;
}

int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int strneq(const char *a, const char *b, u64 n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return 0;
		if (!*a)
			return 1;
	}
	return 1;
}

void spin_lock(spinlock_t *l)
{
	u32 tmp, one = 1;
	__asm__ volatile(
		"	sevl\n"
		"1:	wfe\n"
		"2:	ldaxr	%w0, [%1]\n"
		"	cbnz	%w0, 1b\n"
		"	stxr	%w0, %w2, [%1]\n"
		"	cbnz	%w0, 2b\n"
		: "=&r"(tmp)
		: "r"(&l->locked), "r"(one)
		: "memory");
}

void spin_unlock(spinlock_t *l)
{
	__asm__ volatile("stlr wzr, [%0]" ::"r"(&l->locked) : "memory");
	sev();
}
