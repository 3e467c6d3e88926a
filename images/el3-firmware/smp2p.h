/* The remote end of an SMP2P edge (drivers/soc/qcom/smp2p.c): the remote's outbound item with one
 * entry ("slave-kernel"), and a reader for Linux's outbound entry ("master-kernel"). */
#ifndef EL3_SMP2P_H
#define EL3_SMP2P_H
#include "types.h"

struct smp2p_edge {
	u16 remote_pid;		/* the remote processor's SMP2P id (ADSP 2, CDSP 5) */
	u16 in_item;		/* SMEM item the remote writes, Linux reads ("qcom,smem" first cell) */
	u16 out_item;		/* SMEM item Linux writes, the remote reads (second cell) */
	u32 spi;		/* interrupt Linux takes for this edge */
	u32 *value;		/* the remote's "slave-kernel" entry value, once created */
};

int smp2p_edge_init(struct smp2p_edge *edge);
/* Updates the remote's entry bits then raises the edge's SPI so Linux rereads them. */
void smp2p_update(struct smp2p_edge *edge, u32 clear, u32 set);
/* Linux's "master-kernel" entry for this edge, or 0 while Linux has not created it. */
u32 smp2p_host_value(struct smp2p_edge *edge);

#endif
