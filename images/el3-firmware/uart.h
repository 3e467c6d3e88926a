/* PL011 UART: the secure one (0x09040000) is the host channel. */
#ifndef EL3_UART_H
#define EL3_UART_H
#include "types.h"

void uart_init(u64 base);
void uart_putc(u64 base, char c);
/* Returns the next received byte, or -1 when the receive FIFO is empty. */
int uart_getc(u64 base);

#endif
