// `npm run audit:verify`: checks every chain of the audit log and every checkpoint, with the server's
// configuration from the environment, and names the first broken link (exit 1) — see
// packages/core/src/audit/verifyCli.ts. Node runs core's TypeScript as it is (type stripping).
import { auditVerifyMain } from '../packages/core/src/audit/verifyCli.ts';

process.exitCode = await auditVerifyMain(process.argv.slice(2), process.env);
