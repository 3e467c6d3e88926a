/* Polled PL011 driver: no interrupts, the timer tick drains the receive FIFO. */
#include "uart.h"

#define UARTDR		0x000
#define UARTFR		0x018
#define UARTIBRD	0x024
#define UARTFBRD	0x028
#define UARTLCR_H	0x02c
#define UARTCR		0x030
#define UARTIMSC	0x038
#define UARTICR		0x044

#define FR_RXFE		BIT(4)
#define FR_TXFF		BIT(5)
#define LCRH_FEN	BIT(4)
#define LCRH_WLEN8	(3u << 5)
#define CR_UARTEN	BIT(0)
#define CR_TXE		BIT(8)
#define CR_RXE		BIT(9)

void uart_init(u64 base)
{
	mmio_write32(base + UARTCR, 0);
	mmio_write32(base + UARTIMSC, 0);	/* polled */
	mmio_write32(base + UARTICR, 0x7ff);
	mmio_write32(base + UARTIBRD, 13);	/* 115200 at 24 MHz; QEMU ignores the rate */
	mmio_write32(base + UARTFBRD, 1);
	mmio_write32(base + UARTLCR_H, LCRH_WLEN8 | LCRH_FEN);
	mmio_write32(base + UARTCR, CR_UARTEN | CR_TXE | CR_RXE);
}

void uart_putc(u64 base, char c)
{
	while (mmio_read32(base + UARTFR) & FR_TXFF)
		;
	mmio_write32(base + UARTDR, (u8)c);
}

int uart_getc(u64 base)
{
	if (mmio_read32(base + UARTFR) & FR_RXFE)
		return -1;
	return (int)(mmio_read32(base + UARTDR) & 0xff);
}
