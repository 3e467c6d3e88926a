/* The remote processors the firmware plays: one state machine each.
 *
 *   OFF --init_image--> LOADED --auth_and_reset--> BOOTING --boot DMA ok--> RUNNING
 *   RUNNING --host sets stop bit--> (stop-ack) RUNNING/acked --shutdown--> OFF
 *   RUNNING --fatal / watchdog--> CRASHED --shutdown--> OFF
 *   BOOTING --boot DMA bad--> FAILED --shutdown--> OFF
 * shutdown is accepted in every state and always lands in OFF. */
#ifndef EL3_REMOTE_H
#define EL3_REMOTE_H
#include "mbn.h"
#include "smp2p.h"
#include "types.h"

enum remote_state { RS_OFF, RS_LOADED, RS_BOOTING, RS_RUNNING, RS_CRASHED, RS_FAILED };

/* Bits of the remote's "slave-kernel" SMP2P entry, as the board DTS wires them to qcom_q6v5. */
#define RBIT_FATAL	BIT(0)
#define RBIT_READY	BIT(1)
#define RBIT_HANDOVER	BIT(2)
#define RBIT_STOP_ACK	BIT(3)
/* Bit of Linux's "master-kernel" entry (qcom,smem-states "stop"). */
#define HBIT_STOP	BIT(0)

struct remote {
	const char *name;
	u32 pas_id;
	u32 edu_slot;		/* PCI device number of its bus master on bus 0 */
	u64 mem_base, mem_size;	/* its carve-out */
	u16 crash_item;		/* SMEM item qcom_q6v5 reads the crash reason from */
	u32 wdog_spi;
	struct smp2p_edge edge;

	enum remote_state state;
	struct mbn_meta meta;	/* copied at init_image */
	int mem_set;
	u64 mem_addr, mem_len;	/* from mem_setup */
	u32 ticks;		/* in the current state */
	u32 boot_step;
	u64 edu_bar;
	int stop_acked;
	char *crash_reason;	/* in SMEM */

	/* faults armed by the host channel */
	int no_stop_ack, refuse_auth, corrupt_dma;
};

void remote_init_all(void);
struct remote *remote_by_pas(u32 pas_id);
struct remote *remote_by_name(const char *name);
struct remote *remote_at(u32 index);	/* NULL past the last one */
const char *remote_state_name(enum remote_state s);

void remote_reset(struct remote *r);		/* auth_and_reset accepted: start booting */
void remote_shutdown(struct remote *r);		/* PAS shutdown */
int remote_crash(struct remote *r, int watchdog, const char *reason);
void remote_tick(void);				/* from the secure timer, TICK_HZ */

#endif
