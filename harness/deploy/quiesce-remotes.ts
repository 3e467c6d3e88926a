// Before a kexec: stop every running remote processor, so the next kernel finds them off. Nothing else does it
// (qcom_q6v5_pas has no shutdown hook), and TrustZone refuses init_image for a processor it still holds running.
import { InfraError } from '../core/errors.ts';
import { listRemoteprocs, remoteprocAttribute, writeAttribute, type GuestAccess } from '../guest/rproc-sysfs.ts';

/** Stops the running ones through sysfs, as `echo stop` would; returns their names. A refused stop ends the deploy. */
export async function stopRunningRemotes(access: GuestAccess): Promise<string[]> {
  const running = (await listRemoteprocs(access)).filter((entry) => entry.state === 'running');
  for (const entry of running) {
    const outcome = await writeAttribute(access, remoteprocAttribute(entry, 'state'), 'stop');
    if (!outcome.ok) {
      throw new InfraError('E_KEXEC_QUIESCE', `stopping ${entry.name} (${entry.device}) before kexec failed: ${outcome.errno ?? outcome.message}`, {
        evidence: outcome.output.split('\n').filter(Boolean).slice(-5),
        hint: 'the next kernel would find it still running; the firmware refuses to load a processor it holds running',
      });
    }
  }
  return running.map((entry) => entry.name);
}
