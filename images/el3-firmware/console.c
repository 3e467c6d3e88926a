/* Formats log lines onto the secure UART. Lines are "tz: <area> <event> key=value ...\n". */
#include "console.h"
#include "platform.h"
#include "uart.h"

static void out(char c) { uart_putc(SEC_UART_BASE, c); }

static void out_str(const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		out(*s++);
}

static void out_unsigned(u64 v, unsigned base)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		out(buf[--n]);
}

void console_init(void) { uart_init(SEC_UART_BASE); }

void tz_log(const char *fmt, ...)
{
	__builtin_va_list ap;
	__builtin_va_start(ap, fmt);
	out_str("tz: ");
	for (; *fmt; fmt++) {
		int is_long = 0;
		if (*fmt != '%') {
			out(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == 'l') {
			is_long = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's': out_str(__builtin_va_arg(ap, const char *)); break;
		case 'c': out((char)__builtin_va_arg(ap, int)); break;
		case 'x': out_unsigned(is_long ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, u32), 16); break;
		case 'u': out_unsigned(is_long ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, u32), 10); break;
		case 'd': {
			s64 v = is_long ? __builtin_va_arg(ap, s64) : __builtin_va_arg(ap, s32);
			if (v < 0) {
				out('-');
				v = -v;
			}
			out_unsigned((u64)v, 10);
			break;
		}
		case '%': out('%'); break;
		default: out('%'); out(*fmt); break;
		}
	}
	out('\n');
	__builtin_va_end(ap);
}
