/* QEMU 7.2 `virt,secure=on` wires the secure PL061 at 0x090b0000 to its "gpio-pwr" device, as
 * its dumped DT says (gpio-poweroff = line 0, gpio-restart = line 1). Measured: a rising edge on
 * line 1 resets the machine (the firmware boots again), one on line 0 makes QEMU exit with status
 * 0. Should the line do nothing (a QEMU without the secure GPIO), semihosting SYS_EXIT is the
 * fallback, which needs `-semihosting-config enable=on,target=native`. */
#include "power.h"
#include "lib.h"
#include "platform.h"
#include "types.h"

#define GPIODIR		0x400
#define GPIO_LINE_OFF	0
#define GPIO_LINE_RESET	1

static void gpio_raise(u32 line)
{
	mmio_write32(SEC_GPIO_BASE + GPIODIR, mmio_read32(SEC_GPIO_BASE + GPIODIR) | BIT(line));
	mmio_write32(SEC_GPIO_BASE + (BIT(line) << 2), 0);	/* masked write: low, then high */
	mmio_write32(SEC_GPIO_BASE + (BIT(line) << 2), 0xff);
}

static void semihosting_exit(u32 reason)
{
	static u64 block[2];
	register u64 x0 __asm__("x0") = 0x18;	/* SYS_EXIT (AArch64: parameter block) */
	register u64 x1 __asm__("x1") = (u64)block;

	block[0] = reason;	/* 0x20026 ADP_Stopped_ApplicationExit */
	block[1] = 0;
	__asm__ volatile("hlt #0xf000" ::"r"(x0), "r"(x1) : "memory");
}

static void __attribute__((noreturn)) settle_then(u32 fallback)
{
	u32 i;
	for (i = 0; i < 10000000; i++)
		__asm__ volatile("nop");
	semihosting_exit(fallback);
	for (;;)
		wfe();
}

void power_off(void)
{
	gpio_raise(GPIO_LINE_OFF);
	settle_then(0x20026);
}

void power_reset(void)
{
	gpio_raise(GPIO_LINE_RESET);
	settle_then(0x20026);
}
