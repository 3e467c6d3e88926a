// `pilot doctor`: tells which host requirements are present or missing, and how to install the missing ones.
import { checkHost, type RequirementStatus } from '../../host/check.ts';
import { defaultCacheDir } from '../../images/cache-dir.ts';
import { parseCommandLine } from '../parse-command-line.ts';
import { printHelp, renderHelp } from '../render-help.ts';
import { DOCTOR } from '../specs/doctor.ts';

export async function doctorCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(DOCTOR, argv);
  } catch (error) {
    out.write(`pilot doctor: ${(error as Error).message}\n${renderHelp(DOCTOR)}`);
    return 2;
  }
  if (parsed.help) return printHelp(DOCTOR, out);
  if (parsed.positionals.length > 0) {
    out.write(`pilot doctor: unexpected argument ${parsed.positionals[0]}\n${renderHelp(DOCTOR)}`);
    return 2;
  }
  const statuses = await checkHost();
  out.write(formatDoctorReport(statuses));
  out.write(`image cache: ${defaultCacheDir()}\n`);
  const missing = statuses.filter((s) => !s.present);
  if (missing.length === 0) {
    out.write('all requirements present\n');
    return 0;
  }
  out.write(`\n${missing.length} missing. As root, \`bash ci/setup-host.sh\` installs them; or by hand:\n`);
  const packages = missing.flatMap((s) => (s.requirement.kind === 'package' ? [s.requirement.package] : []));
  if (packages.length > 0) out.write(`  apt-get install -y ${packages.join(' ')}\n`);
  for (const s of missing) if (s.requirement.kind === 'check') out.write(`  ${s.requirement.install}\n`);
  return 2;
}

export function formatDoctorReport(statuses: RequirementStatus[]): string {
  const nameWidth = Math.max(...statuses.map((s) => s.name.length), 4);
  const versionWidth = Math.max(...statuses.map((s) => (s.version ?? '-').length), 7);
  const lines = statuses.map((s) => {
    const mark = s.present ? 'ok     ' : 'MISSING';
    const detail = s.present ? s.requirement.why : `${s.detail ?? ''} (${s.requirement.why})`;
    return `${mark}  ${s.name.padEnd(nameWidth)}  ${(s.version ?? '-').padEnd(versionWidth)}  ${detail}`;
  });
  return `${lines.join('\n')}\n`;
}
