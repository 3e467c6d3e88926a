/* Commands from the host on the secure UART, one per line (see README.md, "Host channel"). */
#ifndef EL3_HOST_CHANNEL_H
#define EL3_HOST_CHANNEL_H
void host_channel_poll(void);	/* from the timer tick: drain the RX FIFO, run complete lines */
#endif
