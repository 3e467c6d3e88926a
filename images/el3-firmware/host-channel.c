/* Line protocol, host -> firmware (ASCII, '\n' or '\r' ends a line, at most 127 bytes):
 *   ping
 *   status
 *   fatal <proc> [reason...]          the remote raises a fatal error (SMP2P bit 0)
 *   wdog <proc> [reason...]           the remote's watchdog bites (its wdog SPI)
 *   fault <proc> <name> on|off        name: no-stop-ack | refuse-auth | corrupt-boot-dma
 *   rule bridge-required on|off       auth_and_reset needs an SHM bridge over the carve-out
 * Every command is answered by exactly one line: "tz: host ok <command>" or
 * "tz: host error <reason>: <command>". <proc> is a remote's name (adsp, cdsp). */
#include "host-channel.h"
#include "bridge.h"
#include "console.h"
#include "lib.h"
#include "platform.h"
#include "remote.h"
#include "uart.h"

#define LINE_MAX 128
#define MAX_WORDS 4

static char line[LINE_MAX];
static u32 len;
static int overflow;

/* Splits off up to MAX_WORDS words; words[last] keeps the rest of the line (a reason text). */
static u32 split(char *s, char **words)
{
	u32 n = 0;
	while (*s && n < MAX_WORDS) {
		while (*s == ' ' || *s == '\t')
			*s++ = 0;
		if (!*s)
			break;
		words[n++] = s;
		if (n == MAX_WORDS)
			break;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

static int on_off(const char *w, int *v)
{
	if (streq(w, "on"))
		*v = 1;
	else if (streq(w, "off"))
		*v = 0;
	else
		return -1;
	return 0;
}

static void status(void)
{
	u32 i;
	struct remote *r;
	for (i = 0; (r = remote_at(i)); i++)
		tz_log("host status %s state=%s no-stop-ack=%s refuse-auth=%s corrupt-boot-dma=%s", r->name,
		       remote_state_name(r->state), r->no_stop_ack ? "on" : "off", r->refuse_auth ? "on" : "off",
		       r->corrupt_dma ? "on" : "off");
	tz_log("host status rule bridge-required=%s bridges=%u", bridge_required ? "on" : "off", bridge_count());
}

/* Returns NULL on success, else the reason. `text` is the unsplit command for the answer line. */
static const char *run(char *cmd)
{
	char *w[MAX_WORDS] = { 0 };
	u32 n = split(cmd, w);
	struct remote *r;
	int v;

	if (!n)
		return "empty command";
	if (streq(w[0], "ping"))
		return NULL;
	if (streq(w[0], "status")) {
		status();
		return NULL;
	}
	if (streq(w[0], "rule")) {
		if (n < 3 || !streq(w[1], "bridge-required") || on_off(w[2], &v))
			return "usage: rule bridge-required on|off";
		bridge_required = v;
		return NULL;
	}
	if (n < 2)
		return "missing processor";
	r = remote_by_name(w[1]);
	if (!r)
		return "unknown processor";
	if (streq(w[0], "fatal") || streq(w[0], "wdog")) {
		int wd = streq(w[0], "wdog");
		const char *reason = n > 2 ? w[2] : wd ? "pilot-el3: injected watchdog bite" : "pilot-el3: injected fatal error";
		if (n > 3)	/* re-join the words split() cut apart */
			w[3][-1] = ' ';
		if (remote_crash(r, wd, reason))
			return "processor is not running";
		return NULL;
	}
	if (streq(w[0], "fault")) {
		if (n < 4 || on_off(w[3], &v))
			return "usage: fault <proc> no-stop-ack|refuse-auth|corrupt-boot-dma on|off";
		if (streq(w[2], "no-stop-ack"))
			r->no_stop_ack = v;
		else if (streq(w[2], "refuse-auth"))
			r->refuse_auth = v;
		else if (streq(w[2], "corrupt-boot-dma"))
			r->corrupt_dma = v;
		else
			return "unknown fault";
		return NULL;
	}
	return "unknown command";
}

static void execute(void)
{
	char copy[LINE_MAX];
	const char *err;

	line[len] = 0;
	memcpy(copy, line, len + 1);
	err = run(line);
	if (err)
		tz_log("host error %s: %s", err, copy);
	else
		tz_log("host ok %s", copy);
}

void host_channel_poll(void)
{
	int c;
	while ((c = uart_getc(SEC_UART_BASE)) >= 0) {
		if (c == '\n' || c == '\r') {
			if (overflow)
				tz_log("host error line too long");
			else if (len)
				execute();
			len = 0;
			overflow = 0;
		} else if (len < LINE_MAX - 1) {
			line[len++] = (char)c;
		} else {
			overflow = 1;
		}
	}
}
